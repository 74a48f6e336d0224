"""Dask: the same Monte Carlo on a LocalCluster equals the single-process run."""

from __future__ import annotations

import pytest

from core.files.deal_json import dump_deal, loads_deal
from core.risk.distributed import (
    ENV_SCHEDULER,
    DealCodec,
    run_distributed,
    run_portfolio,
    scheduler_address,
)
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

CODEC = DealCodec(dump_deal, loads_deal)  # the deal file format, as the command line passes it


def test_scheduler_address_from_argument_or_environment(monkeypatch):
    monkeypatch.delenv(ENV_SCHEDULER, raising=False)
    assert scheduler_address(None) is None
    monkeypatch.setenv(ENV_SCHEDULER, "tcp://10.0.0.5:8786")
    assert scheduler_address(None) == "tcp://10.0.0.5:8786"
    assert scheduler_address("tcp://h:1") == "tcp://h:1"


def test_local_cluster_threads_equals_single_process(samples):
    from dask.distributed import Client, LocalCluster

    deal = samples["terawulf_backstop"]
    cfg = MonteCarloConfig(n_paths=1500, seed=7, chunk_size=400, n_threads=1)
    single = run_montecarlo(deal, cfg).to_json()
    seen = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        got = run_distributed(deal, cfg, CODEC, client=client, progress=lambda d, t: seen.append(d))
    assert got.to_json() == single
    assert sorted(seen)[-1] == 1500 and len(seen) == cfg.n_chunks


def test_portfolio_each_deal_equals_its_single_run(samples):
    from dask.distributed import Client, LocalCluster

    cfg = MonteCarloConfig(n_paths=500, seed=2, chunk_size=200, n_threads=1)
    deals = {n: samples[n] for n in ("coreweave_ddtl", "xai_gpu_spv")}
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        got = run_portfolio(deals, cfg, CODEC, client=client)
        # a stressed deal sized on the unstressed one, as the CLI's --scenario runs it
        from core.risk.stress import Stress, apply_stress

        base = samples["terawulf_backstop"].copy()  # its notes sculpted: re-sizing matters
        base.blocks["notes"].terms.update(amortisation="sculpted", refinance=False)
        stressed = apply_stress(base, Stress(termination_year=2.0))
        dist = run_distributed(stressed, cfg, CODEC, client=client, sized_on=base)
    for name, deal in deals.items():
        assert got[name].to_json() == run_montecarlo(deal, cfg).to_json()
    assert dist.to_json() == run_montecarlo(stressed, cfg, sized_on=base).to_json()
    assert dist.to_json() != run_montecarlo(stressed, cfg).to_json()  # re-sized: different


@pytest.mark.slow
def test_local_cluster_processes_equals_single_process(samples):
    """Worker processes rebuild the deal from JSON and size it themselves: same answer."""
    deal = samples["hyperion_jv"]
    cfg = MonteCarloConfig(n_paths=600, seed=3, chunk_size=200, n_threads=1)
    single = run_montecarlo(deal, cfg).to_json()
    assert run_distributed(deal, cfg, CODEC, local_workers=2).to_json() == single
