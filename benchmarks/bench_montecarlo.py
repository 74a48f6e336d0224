"""Monte Carlo benchmark: 100,000 paths x 120 monthly periods x 4 tranches, all drivers on.

Measures, in one process on this machine:
- end to end ``run_montecarlo`` (drivers, compile against the base-case sizing, Cython kernel
  on all cores, statistics), streamed in chunks of 4,096 paths, one chunk per core at a time;
- where the time goes in one chunk (drivers / compile / kernel / statistics);
- the same paths through the NumPy reference (``engine="reference"``, vectorised over paths),
  on the first chunk and scaled to the full run;
- peak traced memory (tracemalloc) for 10,000 and for 100,000 paths: it must not grow with
  the number of paths beyond the per-path scalars kept (about 100 bytes a path).

Run: ``.venv/bin/python benchmarks/bench_montecarlo.py [--paths 100000] [--chunk 4096]``
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.compile import compile_deal  # noqa: E402
from core.engine.kernel import run_waterfall  # noqa: E402
from core.files.deal_json import load_deal  # noqa: E402
from core.model.deal import Deal  # noqa: E402
from core.risk.mcstats import chunk_stats, path_reduce, path_reduce_numpy  # noqa: E402
from core.risk.montecarlo import MonteCarloConfig, cfads_bins, run_chunk, run_montecarlo  # noqa: E402
from core.risk.paths import make_drivers  # noqa: E402


def bench_deal() -> Deal:
    """The xAI-style GPU SPV over 10 years, monthly, with 4 tranches, BTC collateral, an RVG,
    renewal options and covenants: every Monte Carlo driver has something to move."""
    d = load_deal(ROOT / "resources" / "deals" / "xai_gpu_spv.json")
    d.blocks["spv"].terms["horizon_years"] = 10.0
    lease = d.blocks["lease"].terms
    lease.update(renewal_options=2, renewal_term_years=2.5, renewals_exercised=2)
    loan = d.blocks["loan"].terms
    loan.update(notional=6000.0, rate_type="fixed", coupon=0.07, tenor_years=7.0, seniority=1)
    specs = [
        (
            "senior_b",
            dict(name="Senior B", notional=3000.0, coupon=0.072, tenor_years=7.0, seniority=1),
        ),
        (
            "mezz",
            dict(
                name="Mezzanine",
                notional=2500.0,
                rate_type="floating",
                spread=0.06,
                day_count="ACT/360",
                amortisation="bullet",
                tenor_years=8.0,
                seniority=2,
            ),
        ),
        (
            "junior",
            dict(
                name="Junior PIK",
                notional=1000.0,
                coupon=0.12,
                pik=True,
                amortisation="bullet",
                tenor_years=9.0,
                seniority=3,
                sweep_pct=0.5,
            ),
        ),
    ]
    for bid, terms in specs:
        d.add_block("tranche", terms, block_id=bid)
        d.connect("issues", "spv", bid)
    d.add_block("crypto", {"units": 20_000.0, "price": 90_000.0}, block_id="btc")
    d.connect("owns", "spv", "btc")
    d.connect("secures", "btc", "loan")
    d.add_block(
        "guarantee",
        {"guarantee_type": "rvg", "floor_pct": 0.2, "cap": 2000.0, "name": "RVG"},
        block_id="rvg",
    )
    d.connect("guarantees", "xai", "rvg")
    d.connect("guarantees", "rvg", "gpus")
    return d


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    deal = bench_deal()
    sized = compile_deal(deal)
    K, T = sized.inputs.n_tranches, sized.inputs.n_periods
    cfg = MonteCarloConfig(n_paths=args.paths, seed=args.seed, chunk_size=args.chunk)
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}")
    print(f"deal: {T} monthly periods x {K} tranches, {args.paths:,} paths, chunk {args.chunk:,}")

    run_montecarlo(deal, replace(cfg, n_paths=2 * args.chunk))  # warm-up
    times = []
    for _ in range(2):
        t0 = time.perf_counter()
        res = run_montecarlo(deal, cfg)
        times.append(time.perf_counter() - t0)
    total = min(times)
    print(
        f"end to end (Cython, all cores): {total:.2f} s  (best of {len(times)}: "
        f"{', '.join(f'{t:.2f}' for t in times)})"
    )
    pd0 = res.tranches[0]["probability_of_default"]
    print(f"  senior A PD {pd0:.4f}, EL {res.tranches[0]['expected_loss']:.5f}")

    # one chunk, phase by phase
    n = args.chunk
    rng = np.random.default_rng(np.random.SeedSequence(args.seed, spawn_key=(0,)))
    t0 = time.perf_counter()
    drv, share = make_drivers(sized, cfg.model, rng, n)
    t1 = time.perf_counter()
    compiled = compile_deal(deal, drv, sized=sized)
    t2 = time.perf_counter()
    out = run_waterfall(compiled.inputs)
    t3 = time.perf_counter()
    eq = sum(b.terms["amount"] for b in sized.equity)
    chunk_stats(
        0, out, sized.inputs.notional, eq, 12, cfads_bins(sized), np.zeros(n), np.zeros(n), share
    )
    t4 = time.perf_counter()
    scale = args.paths / n
    print(
        f"one chunk of {n:,} paths (x{scale:.1f} for the full run): drivers {t1 - t0:.3f} s, "
        f"compile {t2 - t1:.3f} s, kernel {t3 - t2:.3f} s, statistics {t4 - t3:.3f} s"
    )

    # the compiled driver and per-path passes against their NumPy references, same inputs
    def best(f, reps=5):
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        return min(ts)

    def drivers_with(engine):
        r = np.random.default_rng(np.random.SeedSequence(args.seed, spawn_key=(0,)))
        return make_drivers(sized, cfg.model, r, n, engine=engine, n_threads=1)

    loss = out.writeoff.sum(axis=2)
    d_c, d_np = best(lambda: drivers_with("cython")), best(lambda: drivers_with("numpy"))
    notional = sized.inputs.notional
    r_c = best(lambda: path_reduce(out, loss, notional, 1))
    r_np = best(lambda: path_reduce_numpy(out, loss, notional))
    print(
        f"one chunk, one thread, best of 5: drivers {d_c:.3f} s compiled vs {d_np:.3f} s NumPy "
        f"({d_np / d_c:.2f}x; random draws included), default/min-DSCR/flags pass "
        f"{r_c * 1e3:.1f} ms vs {r_np * 1e3:.1f} ms ({r_np / r_c:.1f}x)"
    )

    # the same first chunk through the NumPy reference, scaled
    t0 = time.perf_counter()
    run_chunk(deal, sized, replace(cfg, engine="reference"), 0)
    ref_chunk = time.perf_counter() - t0
    ref_total = ref_chunk * scale
    print(
        f"NumPy reference, same paths: {ref_chunk:.2f} s for one chunk -> {ref_total:.1f} s "
        f"scaled to {args.paths:,} paths; Cython end to end is {ref_total / total:.1f}x faster"
    )

    # memory: peak traced allocation for 10k vs the full run
    for paths in sorted({min(10_000, args.paths), args.paths}):
        tracemalloc.start()
        run_montecarlo(deal, replace(cfg, n_paths=paths))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak traced memory, {paths:>7,} paths: {peak / 1e6:8.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
