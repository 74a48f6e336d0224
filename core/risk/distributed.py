"""The same Monte Carlo split over a ``dask.distributed`` cluster, merged exactly.

Every chunk is one task: the worker rebuilds the deal from its text, sizes it once (cached
per worker process by the text's hash, so the base case is not recompiled per chunk), runs the
chunk's paths, each on its own random stream (keyed by the seed and the path's index in the
run, core.risk.streams), and returns the chunk's statistics. The client merges them in chunk
order, so for the same seed the result is identical to
:func:`core.risk.montecarlo.run_montecarlo` in one process, whatever the chunk size.

How a deal travels to the workers is the caller's :class:`DealCodec`: a deal file format is a
file concern (:mod:`core.files.deal_json`, which the command line passes in), so this module
does not import one.

Where the cluster is: the ``scheduler`` argument, else the ``CAPSTACK_DASK_SCHEDULER``
environment variable (e.g. ``tcp://10.0.0.5:8786``), else a ``LocalCluster`` on this machine.
Workers need this repository (with the built kernel) importable, e.g. started with
``dask worker tcp://10.0.0.5:8786`` from the repository root in the same environment.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from contextlib import contextmanager
from functools import lru_cache
from typing import NamedTuple

from core.model.deal import Deal
from core.risk.mcstats import Accumulator, ChunkStats
from core.risk.montecarlo import (
    MonteCarloCancelled,
    MonteCarloConfig,
    MonteCarloResult,
    base_case,
    build_result,
    run_chunk,
)

ENV_SCHEDULER = "CAPSTACK_DASK_SCHEDULER"


class DealCodec(NamedTuple):
    """A deal as text and back, for the tasks: ``dumps(deal)`` on the client and
    ``loads(text)`` on the workers. Module-level functions, so Dask can pickle them; the same
    deal must give the same text (Dask keys the tasks by it)."""

    dumps: Callable[[Deal], str]
    loads: Callable[[str], Deal]


@lru_cache(maxsize=8)
def _sized(loads: Callable[[str], Deal], digest: str, text: str, sizing_text: str | None):
    """(deal, base-case compiled deal) for a deal's text, once per worker process."""
    deal = loads(text)
    sized_on = loads(sizing_text) if sizing_text else None
    return deal, base_case(deal, sized_on)


def chunk_task(
    loads: Callable[[str], Deal],
    text: str,
    config: MonteCarloConfig,
    i: int,
    sizing_text: str | None = None,
) -> ChunkStats:
    """One chunk of the run, as a Dask task (pure: same inputs, same statistics).
    ``loads``: the codec's text -> deal; ``sizing_text``: the unstressed deal whose sizing a
    stressed deal uses."""
    key = hashlib.sha256(f"{text}\0{sizing_text}".encode()).hexdigest()
    deal, sized = _sized(loads, key, text, sizing_text)
    return run_chunk(deal, sized, config, i)


def scheduler_address(scheduler: str | None = None) -> str | None:
    """The scheduler to use: the argument, else $CAPSTACK_DASK_SCHEDULER, else None (local)."""
    return scheduler or os.environ.get(ENV_SCHEDULER) or None


@contextmanager
def cluster_client(scheduler: str | None = None, client=None, local_workers: int = 2):
    """``client`` itself, or a client opened on ``scheduler_address(scheduler)`` or, with no
    address, on a ``LocalCluster`` of ``local_workers`` processes, closed at the end."""
    if client is not None:
        yield client
        return
    from dask.distributed import Client, LocalCluster

    address = scheduler_address(scheduler)
    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=local_workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
        address = cluster
    own = Client(address)
    try:
        yield own
    finally:
        own.close()
        if cluster is not None:
            cluster.close()


def run_distributed(
    deal: Deal,
    config: MonteCarloConfig,
    codec: DealCodec,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    local_workers: int = 2,
    sized_on: Deal | None = None,
) -> MonteCarloResult:
    """Run the Monte Carlo on a Dask cluster and merge the chunks exactly.

    Give a ``client`` to reuse one; otherwise one is opened on ``scheduler_address(scheduler)``
    or, with no address, on a ``LocalCluster`` of ``local_workers`` worker processes, and closed
    at the end. ``progress(done_paths, total)`` is called as chunks complete (in completion
    order); ``cancel()`` is polled between completions and cancels the outstanding tasks.
    ``sized_on``: as in :func:`core.risk.montecarlo.run_montecarlo`; ``codec``: how the deal
    travels to the workers.
    """
    sizing = None if sized_on is None else {"deal": sized_on}
    out = run_portfolio(
        {"deal": deal}, config, codec, scheduler, client, progress, cancel, local_workers, sizing
    )
    return out["deal"]


def run_portfolio(
    deals: dict[str, Deal],
    config: MonteCarloConfig,
    codec: DealCodec,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    local_workers: int = 2,
    sized_on: dict[str, Deal] | None = None,
) -> dict[str, MonteCarloResult]:
    """The Monte Carlo of several deals at once on one cluster: every chunk of every deal is a
    task; each deal's chunks are merged in chunk order, so each result equals that deal's
    single-process run with the same config. ``progress`` counts paths over all deals.
    ``sized_on`` maps a deal's name to the unstressed deal whose sizing it uses."""
    from dask.distributed import as_completed

    config.validate()
    sizing = sized_on or {}
    sized = {name: base_case(d, sizing.get(name)) for name, d in deals.items()}  # validates
    texts = {name: codec.dumps(d) for name, d in deals.items()}
    sizing_texts = {name: codec.dumps(d) for name, d in sizing.items()}
    with cluster_client(scheduler, client, local_workers) as client:
        # pure tasks: Dask keys them by their arguments (deal text, config, chunk index)
        futures = {
            client.submit(
                chunk_task, codec.loads, texts[name], config, i, sizing_texts.get(name)
            ): name
            for name in deals
            for i in range(config.n_chunks)
        }
        total = config.n_paths * len(deals)
        done_paths = 0
        accs = {name: Accumulator() for name in deals}
        for fut in as_completed(list(futures)):
            if cancel is not None and cancel():
                client.cancel(list(futures))
                got = sum(len(a) for a in accs.values())
                raise MonteCarloCancelled(f"cancelled after {got} of {len(futures)} chunks")
            stats = fut.result()
            accs[futures[fut]].add(stats)
            done_paths += stats.n
            if progress is not None:
                progress(done_paths, total)
        return {name: build_result(sized[name], config, accs[name].result()) for name in deals}
