"""Run a book: in one process (:func:`run_portfolio`) or with its chunks as Dask tasks
(:func:`run_portfolio_distributed`); both merge the chunks in path order, so for the same
seed the result is the same, byte for byte (``PortfolioResult.to_json``).

With ``converged`` the book is run a second time on the same seed with the regime forced to
stress in every month (:func:`core.portfolio.world.forced_stress`): the BTC-rent copula and
every counterparty's asset correlation at their stress values, "the diversification left when
correlations converge".
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache

from core.portfolio.book import Book
from core.portfolio.holdco import horizon_months
from core.portfolio.plan import BookPlan, plan_book
from core.portfolio.runner import PortfolioChunk, PortfolioConfig, concat, run_book, run_chunk
from core.portfolio.stats import summarise
from core.portfolio.world import forced_stress
from core.risk.montecarlo import _round  # the single deal's deterministic JSON rounding


@dataclass
class PortfolioResult:
    data: dict
    config: PortfolioConfig
    paths: PortfolioChunk = field(repr=False)
    converged: PortfolioChunk | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        cfg = self.config
        return {
            **self.data,
            "seed": cfg.seed,
            "chunk_size": cfg.chunk_size,
            "model": cfg.model.to_dict(),
        }

    def to_json(self, indent: int | None = None) -> str:
        """Sorted keys, floats to 10 significant digits, NaN as null (as the single deal's)."""
        return json.dumps(_round(self.to_dict()), sort_keys=True, indent=indent, allow_nan=False)


def plan(book: Book, config: PortfolioConfig) -> BookPlan:
    months = max((horizon_months(h) for h in book.holdcos), default=0)
    return plan_book(book, config.model, months)


def run_portfolio(
    book: Book,
    config: PortfolioConfig,
    converged: bool = True,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> PortfolioResult:
    """The book's run in this process (``progress(done, total)`` counts the paths of both
    runs when ``converged``)."""
    config.validate()
    total = config.n_paths * (2 if converged else 1)
    p = plan(book, config)
    main = run_book(p, config, _offset(progress, 0, total), cancel)
    conv = None
    if converged:
        stressed = replace(config, model=forced_stress(config.model))
        conv = run_book(
            plan(book, stressed), stressed, _offset(progress, config.n_paths, total), cancel
        )
    return PortfolioResult(summarise(p, main, conv), config, main, conv)


def _offset(progress, done: int, total: int):
    if progress is None:
        return None
    return lambda d, _t: progress(done + d, total)


@lru_cache(maxsize=4)
def _planned(loads: Callable[[str], Book], digest: str, text: str, config: PortfolioConfig):
    return plan(loads(text), config)


def chunk_task(
    loads: Callable[[str], Book], text: str, config: PortfolioConfig, i: int
) -> PortfolioChunk:
    """One chunk as a Dask task (pure): the worker rebuilds and plans the book once."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return run_chunk(_planned(loads, digest, text, config), config, i)


def run_portfolio_distributed(
    book: Book,
    config: PortfolioConfig,
    dumps: Callable[[Book], str],
    loads: Callable[[str], Book],
    converged: bool = True,
    scheduler: str | None = None,
    client=None,
    progress: Callable[[int, int], None] | None = None,
    local_workers: int = 2,
) -> PortfolioResult:
    """The same run with every chunk a Dask task (the book travels as text: ``dumps`` on this
    side, ``loads`` on the workers, module-level functions), merged in path order."""
    from dask.distributed import as_completed

    from core.risk.distributed import cluster_client

    config.validate()
    configs = [config] + ([replace(config, model=forced_stress(config.model))] if converged else [])
    text = dumps(book)
    with cluster_client(scheduler, client, local_workers) as client:
        futures = {
            client.submit(chunk_task, loads, text, cfg, i): k
            for k, cfg in enumerate(configs)
            for i in range(cfg.n_chunks)
        }
        got: list[list[PortfolioChunk]] = [[] for _ in configs]
        done, total = 0, config.n_paths * len(configs)
        for fut in as_completed(list(futures)):
            chunk = fut.result()
            got[futures[fut]].append(chunk)
            done += chunk.n
            if progress is not None:
                progress(done, total)
    main = concat(got[0])
    conv = concat(got[1]) if converged else None
    return PortfolioResult(summarise(plan(book, config), main, conv), config, main, conv)
