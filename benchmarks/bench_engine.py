"""Benchmark the waterfall engine: compiled kernel vs the NumPy reference.

    python benchmarks/bench_engine.py [--paths 100000] [--chunk 8192] [--repeat 5]

One realistic deal: 120 monthly periods, 4 tranches (two fixed-rate annuity seniors paid pro
rata, a floating mezzanine, a PIK junior), a DSRA, tax, lock-up / DSCR-default / LTV
covenants. (a) one deterministic run; (b) a Monte Carlo batch with per-path revenue, asset
value, liquidation value and base rate, processed in chunks so memory stays bounded. Every
number is measured in this one process after a warm-up, as the best of timeit repeats.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.engine import kernel  # noqa: E402
from core.engine.arrays import (  # noqa: E402
    ACCELERATE,
    PATH_FIELDS,
    SWEEP,
    TRAP,
    EngineInputs,
    EngineOutputs,
)
from core.engine.kernel import run_waterfall  # noqa: E402
from core.engine.reference import run_reference  # noqa: E402

T, K = 120, 4


def deal(n_paths: int, seed: int = 7) -> EngineInputs:
    """The benchmark deal with ``n_paths`` scenarios (``n_paths=1``: the base case)."""
    rng = np.random.default_rng(seed)
    yf = np.full((K, T), 1 / 12)
    yf[2] = np.tile([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], T // 12) / 360  # ACT/360
    notional = np.array([300.0, 200.0, 120.0, 80.0])
    fixed = np.array([0.065, 0.065, 0.0, 0.13])
    sched = np.zeros((K, T))
    for k in (0, 1):  # 8-year annuities
        r, n = fixed[k] / 12, 96
        level = notional[k] * r / (1 - (1 + r) ** -n)
        sched[k, :n] = level * (1 + r) ** -(n - np.arange(n))
    sched[2, 24:108] = notional[2] / 84  # straight line after a 2-year grace period
    # scenarios: lognormal revenue shocks with occasional collapses, GPU values, SOFR paths
    shocks = np.exp(np.cumsum(rng.normal(-0.0005, 0.03, (n_paths, T)), axis=1))
    collapse = rng.random(n_paths) < 0.05
    when = rng.integers(24, T, n_paths)
    hole = collapse[:, None] & (np.arange(T)[None, :] >= when[:, None])
    revenue = 16.0 * shocks * np.where(hole, 0.2, 1.0)
    asset_value = (
        900.0 * np.linspace(1.0, 0.15, T)[None, :] * np.exp(rng.normal(0, 0.08, (n_paths, T)))
    )
    base_rate = np.maximum(0.04 + np.cumsum(rng.normal(0, 0.0015, (n_paths, T)), axis=1), 0.0)
    if n_paths == 1:  # the base case: no shocks
        revenue, asset_value = np.full((1, T), 16.0), 900.0 * np.linspace(1.0, 0.15, T)[None, :]
        base_rate = np.full((1, T), 0.04)
    proceeds = np.zeros((1, T))
    proceeds[0, 60] = 40.0  # planned sale of part of the fleet
    return EngineInputs(
        revenue=revenue,
        opex=np.full((1, T), 4.0),
        fees=np.full((1, T), 0.1),
        proceeds=proceeds,
        asset_value=asset_value,
        liquidation_value=0.6 * asset_value,
        crypto_value=np.zeros((1, T)),
        base_rate=base_rate,
        depreciation=np.full(T, 900.0 * 0.85 / T),
        dsra_target=np.full(T, 6.0),
        fixed_rate=fixed,
        spread=np.array([0.0, 0.0, 0.045, 0.0]),
        floating=np.array([0, 0, 1, 0], np.int32),
        year_fraction=yf,
        notional=notional,
        scheduled_principal=sched,
        maturity=np.array([95, 95, 107, 119], np.int32),
        sweep_pct=np.array([0.0, 0.0, 0.0, 0.5]),
        pik=np.array([0, 0, 0, 1], np.int32),
        group_start=np.array([0, 2, 3, 4], np.int32),
        dsra_initial=6.0,
        tax_rate=0.21,
        lockup_dscr=1.15,
        default_dscr=1.0,
        ltv_max=0.95,
        lockup_action=TRAP,
        default_action=ACCELERATE,
        ltv_action=SWEEP,
        lookback=12,
        liquidation_lag=3,
    )


def best(fn, number: int, repeat: int) -> float:
    """Seconds per call: best of ``repeat`` timeit runs of ``number`` calls, after a warm-up."""
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def chunks(inp: EngineInputs, n_paths: int, size: int):
    for start in range(0, n_paths, size):
        stop = min(start + size, n_paths)
        yield inp.with_paths(
            **{f: getattr(inp, f)[start:stop] for f in PATH_FIELDS if getattr(inp, f).shape[0] > 1}
        )


_BUFFERS: dict[int, EngineOutputs] = {}  # one output buffer per chunk size, kept across runs


def run_batch(inp: EngineInputs, n_paths: int, size: int, engine: str, n_threads=None) -> None:
    """Run every chunk, reusing one output buffer per chunk size (what a Monte Carlo does)."""
    bufs = _BUFFERS
    for part in chunks(inp, n_paths, size):
        P = part.n_paths
        if engine == "reference":
            run_reference(part)
            continue
        out = bufs.get(P)
        if out is None:
            out = bufs[P] = EngineOutputs.empty(P, K, T)
        run_waterfall(part, n_threads=n_threads, out=out)


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:,.1f} us"
    if seconds < 1:
        return f"{seconds * 1e3:,.1f} ms"
    return f"{seconds:,.2f} s"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--paths", type=int, default=100_000, help="batch size (default 100000)")
    ap.add_argument("--chunk", type=int, default=8192, help="paths per chunk (default 8192)")
    ap.add_argument("--repeat", type=int, default=5, help="timeit repeats (default 5)")
    ap.add_argument("--ref-paths", type=int, default=10_000, help="paths run by the reference")
    ap.add_argument("--loop-paths", type=int, default=200, help="paths run by the Python loop")
    args = ap.parse_args(argv)
    cpus = os.cpu_count() or 1
    wf = kernel.check_build()
    rows = []

    # (a) one deal
    one = deal(1)
    ref_1 = best(lambda: run_reference(one), 20, args.repeat)
    cy_1 = best(lambda: run_waterfall(one, n_threads=1), 2000, args.repeat)
    out1 = EngineOutputs.empty(1, K, T)
    cy_1_out = best(lambda: run_waterfall(one, n_threads=1, out=out1), 2000, args.repeat)
    cy_1_kernel = best(lambda: wf.waterfall(one, out1, 1), 5000, args.repeat)
    rows += [
        ("one deal (1 path)", "NumPy reference", ref_1, ref_1, ""),
        ("one deal (1 path)", "Cython run_waterfall", cy_1, ref_1, "incl. output allocation"),
        ("one deal (1 path)", "Cython run_waterfall(out=)", cy_1_out, ref_1, "reused outputs"),
        ("one deal (1 path)", "Cython waterfall()", cy_1_kernel, ref_1, "no Python wrapper"),
    ]

    # (b) the batch
    P, size = args.paths, args.chunk
    batch = deal(P)
    rep = max(1, min(args.repeat, 3))
    cy_all = best(lambda: run_batch(batch, P, size, "cython", cpus), 1, rep)
    cy_one = best(lambda: run_batch(batch, P, size, "cython", 1), 1, rep)
    n_ref = min(args.ref_paths, P)
    ref_b = best(lambda: run_batch(batch, n_ref, size, "reference"), 1, 1) * P / n_ref
    n_loop = min(args.loop_paths, P)
    singles = list(chunks(batch, n_loop, 1))

    def loop():
        for s in singles:
            run_reference(s)

    loop_b = best(loop, 1, 1) * P / n_loop
    label = f"batch {P:,} paths"
    rows += [
        (label, f"NumPy reference, vectorised ({n_ref:,} paths x{P / n_ref:g})", ref_b, ref_b, ""),
        (label, f"Python loop of reference ({n_loop} paths x{P / n_loop:g})", loop_b, ref_b, ""),
        (label, "Cython, 1 thread", cy_one, ref_b, ""),
        (label, f"Cython, {cpus} threads", cy_all, ref_b, ""),
    ]

    print(f"CapStack engine benchmark: {T} monthly periods x {K} tranches")
    print(f"machine: {platform.processor() or platform.machine()}, {cpus} cores, "
          f"Python {platform.python_version()}, NumPy {np.__version__}")  # fmt: skip
    print(
        f"batch processed in chunks of {size:,} paths (outputs reused per chunk); "
        "reference and Python-loop batch times are measured on fewer paths and scaled "
        "linearly, as labelled; ratio = reference time / time (same process, after warm-up)"
    )
    print()
    head = f"{'case':<22} {'engine':<52} {'time':>12} {'vs reference':>13}"
    print(head)
    print("-" * len(head))
    for case, engine, t, ref, note in rows:
        ratio = ref / t
        extra = f"  ({note})" if note else ""
        r = f"{ratio:,.0f}" if ratio >= 100 else f"{ratio:.1f}" if ratio >= 1 else f"{ratio:.4f}"
        print(f"{case:<22} {engine:<52} {fmt(t):>12} {r:>12}x{extra}")
    print()
    target_one = "met" if cy_1 < 50e-6 else "NOT met"
    target_batch = "met" if cy_all * 100_000 / P < 1.0 else "NOT met"
    print(
        f"targets: one deal < 50 us: {target_one} ({fmt(cy_1)}); "
        f"100k paths < 1 s: {target_batch} ({fmt(cy_all * 100_000 / P)} per 100k)"
    )


if __name__ == "__main__":
    main()
