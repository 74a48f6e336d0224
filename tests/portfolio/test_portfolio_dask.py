"""Dask: the book's chunks as tasks on a LocalCluster give the single-process JSON."""

from __future__ import annotations

from core.files.portfolio_json import dumps_book, loads_book
from core.portfolio.run import run_portfolio, run_portfolio_distributed
from core.portfolio.runner import PortfolioConfig
from tests.portfolio.conftest import book


def test_local_cluster_equals_one_process_byte_for_byte(deals):
    from dask.distributed import Client, LocalCluster

    b = book(deals, [("xai", "xai_gpu_spv", {"loan": 0.2}, None),
                     ("wulf", "terawulf_backstop", {"notes": 0.5}, None)])  # fmt: skip
    cfg = PortfolioConfig(n_paths=700, seed=8, chunk_size=200, n_threads=1)
    single = run_portfolio(b, cfg).to_json()
    seen = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        got = run_portfolio_distributed(
            b, cfg, dumps_book, loads_book, client=client, progress=lambda d, t: seen.append(d)
        )
    assert got.to_json() == single
    assert max(seen) == 1400 and len(seen) == 2 * cfg.n_chunks  # both runs, every chunk
    # and another chunk size in one process: the same bytes
    other = run_portfolio(b, PortfolioConfig(n_paths=700, seed=8, chunk_size=333, n_threads=2))
    assert other.to_json().replace('"chunk_size": 333', '"chunk_size": 200') == single
