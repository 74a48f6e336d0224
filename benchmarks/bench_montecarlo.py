"""Monte Carlo benchmark: 100,000 paths x 120 monthly periods x 4 tranches, all drivers on.

Measures, in one process on this machine:
- end to end ``run_montecarlo`` with the fused compiled path kernel (draws, drivers, per-path
  compile, waterfall and statistics in one pass per path), chunks of 4,096 paths, one chunk
  per core at a time;
- the same 100,000 paths through the staged pipeline (``engine="staged"``: compiled drivers,
  ``compile_deal`` in NumPy, the Cython waterfall writing every output, ``chunk_stats``), and
  the first chunk through the NumPy reference (``engine="reference"``) scaled to the full
  run: ratios in the same process;
- one chunk on one thread, fused, and the staged pipeline phase by phase;
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

from core.engine.arrays import EngineOutputs  # noqa: E402
from core.engine.compile import compile_deal  # noqa: E402
from core.engine.kernel import run_waterfall  # noqa: E402
from core.files.deal_json import load_deal  # noqa: E402
from core.model.deal import Deal  # noqa: E402
from core.risk.mcstats import chunk_stats  # noqa: E402
from core.risk.montecarlo import (  # noqa: E402
    MonteCarloConfig,
    cfads_bins,
    path_model,
    run_chunk,
    run_montecarlo,
)
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


def best(f, reps: int) -> tuple[float, list[float]]:
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return min(ts), ts


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    deal = bench_deal()
    sized = compile_deal(deal)
    K, T = sized.inputs.n_tranches, sized.inputs.n_periods
    cfg = MonteCarloConfig(n_paths=args.paths, seed=args.seed, chunk_size=args.chunk)
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {platform.machine()}")
    print(f"deal: {T} monthly periods x {K} tranches, {args.paths:,} paths, chunk {args.chunk:,}")

    run_montecarlo(deal, replace(cfg, n_paths=2 * args.chunk))  # warm-up
    res = None

    def fused():
        nonlocal res
        res = run_montecarlo(deal, cfg)

    total, ts = best(fused, args.repeat)
    print(
        f"end to end, fused kernel (all cores): {total:.3f} s  (best of {len(ts)}: "
        f"{', '.join(f'{t:.3f}' for t in ts)})"
    )
    t0 = res.tranches[0]
    print(f"  senior A PD {t0['probability_of_default']:.4f}, EL {t0['expected_loss']:.5f}")
    staged, ts = best(lambda: run_montecarlo(deal, replace(cfg, engine="staged")), 2)
    print(
        f"end to end, staged pipeline (all cores): {staged:.3f} s  (best of {len(ts)}); "
        f"fused is {staged / total:.2f}x faster"
    )

    # one chunk, one thread: fused, then the staged pipeline phase by phase
    n = args.chunk
    one = replace(cfg, n_paths=n, n_threads=1)
    model = path_model(sized, cfg.model)
    f1, _ = best(lambda: run_chunk(deal, sized, one, 0, model=model), args.repeat)
    drv_t, (drv, share) = _timed(lambda: make_drivers(sized, cfg.model, args.seed, n, n_threads=1))
    comp_t, compiled = _timed(lambda: compile_deal(deal, drv, sized=sized))
    out = EngineOutputs.empty(n, K, T)
    run_waterfall(compiled.inputs, n_threads=1, out=out)
    kern_t, _ = _timed(lambda: run_waterfall(compiled.inputs, n_threads=1, out=out))
    eq = sum(b.terms["amount"] for b in sized.equity)
    bins = cfads_bins(sized)
    stat_t, _ = _timed(
        lambda: chunk_stats(
            0, out, sized.inputs.notional, eq, 12, bins, *([np.zeros(n)] * 2), share, 1
        )  # fmt: skip
    )
    per = 1e6 / n
    print(
        f"one chunk of {n:,} paths, one thread: fused {f1 * 1e3:.1f} ms ({f1 * per:.1f} us a "
        f"path); staged: draws and drivers {drv_t * 1e3:.1f} ms, compile {comp_t * 1e3:.1f} ms, "
        f"kernel {kern_t * 1e3:.1f} ms, statistics {stat_t * 1e3:.1f} ms "
        f"({(drv_t + comp_t + kern_t + stat_t) * per:.1f} us a path)"
    )

    # the same first chunk through the NumPy reference, scaled
    ref_chunk, _ = best(lambda: run_chunk(deal, sized, replace(cfg, engine="reference"), 0), 1)
    scale = args.paths / n
    ref_total = ref_chunk * scale
    print(
        f"NumPy reference, same paths: {ref_chunk:.2f} s for one chunk -> {ref_total:.1f} s "
        f"scaled to {args.paths:,} paths; fused end to end is {ref_total / total:.1f}x faster"
    )

    # memory: peak traced allocation for 10k vs the full run
    for paths in sorted({min(10_000, args.paths), args.paths}):
        tracemalloc.start()
        run_montecarlo(deal, replace(cfg, n_paths=paths))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak traced memory, {paths:>7,} paths: {peak / 1e6:8.1f} MB")
    return 0


def _timed(f, reps: int = 5):
    """Best time of ``reps`` calls and the last result."""
    ts, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t0)
    return min(ts), out


if __name__ == "__main__":
    sys.exit(main())
