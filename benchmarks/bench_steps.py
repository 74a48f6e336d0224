"""Benchmark the waterfall on its simplest deal against a plain C loop doing the same.

    python benchmarks/bench_steps.py [--paths 20000] [--repeat 7]

The deal: 120 monthly periods, 4 fixed-rate tranches paid strictly sequentially (one per rank),
interest then scheduled principal, no tax, reserves, covenants, sweeps or sales; per-path
revenue. The engine (one thread, ``_waterfall.waterfall`` on preallocated outputs) and the C
loop in ``benchmarks/simple_waterfall.c`` (compiled here with the flags of setup.py, called
through ctypes) run the same paths in this one process; their outputs are checked equal first,
so both do the same work. Reported: time a path and the ratio engine / C loop (best of
``--repeat``).
"""

from __future__ import annotations

import argparse
import ctypes
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.engine.arrays import EngineInputs, EngineOutputs  # noqa: E402
from core.engine.kernel import check_build  # noqa: E402

T, K = 120, 4


def simple_deal(n_paths: int, seed: int = 3) -> EngineInputs:
    """4 sequential fixed-rate tranches, 8-year annuities, per-path lognormal revenue."""
    rng = np.random.default_rng(seed)
    notional = np.array([300.0, 200.0, 120.0, 80.0])
    rate = np.array([0.06, 0.07, 0.09, 0.12])
    sched = np.zeros((K, T))
    for k in range(K):
        r, n = rate[k] / 12, 96
        level = notional[k] * r / (1 - (1 + r) ** -n)
        sched[k, :n] = level * (1 + r) ** -(n - np.arange(n))
    revenue = 20.0 * np.exp(np.cumsum(rng.normal(0.0, 0.01, (n_paths, T)), axis=1))
    zeros = np.zeros((1, T))
    return EngineInputs(
        revenue=revenue,
        opex=np.full((1, T), 3.0),
        fees=np.full((1, T), 0.1),
        proceeds=zeros,
        asset_value=zeros,
        liquidation_value=zeros,
        crypto_value=zeros,
        base_rate=zeros,
        depreciation=np.zeros(T),
        dsra_target=np.zeros(T),
        fixed_rate=rate,
        spread=np.zeros(K),
        floating=np.zeros(K, dtype=np.int32),
        year_fraction=np.full((K, T), 1 / 12),
        notional=notional,
        scheduled_principal=sched,
        maturity=np.full(K, 95, dtype=np.int32),
        sweep_pct=np.zeros(K),
        pik=np.zeros(K, dtype=np.int32),
        group_start=np.arange(K + 1, dtype=np.int32),
    )


def build_c_loop() -> ctypes.CDLL:
    src = ROOT / "benchmarks" / "simple_waterfall.c"
    out = Path(tempfile.mkdtemp()) / "simple_waterfall.so"
    subprocess.run(["cc", "-O3", "-shared", "-fPIC", str(src), "-o", str(out), "-lm"], check=True)
    lib = ctypes.CDLL(str(out))
    lib.simple_waterfall.restype = None
    return lib


def _ptr(a: np.ndarray) -> ctypes.c_void_p:
    return ctypes.c_void_p(a.ctypes.data)


def c_loop_runner(lib: ctypes.CDLL, inp: EngineInputs, out: EngineOutputs):
    P = inp.revenue.shape[0]
    opex = np.ascontiguousarray(np.broadcast_to(inp.opex, (1, T))[0])
    fees = np.ascontiguousarray(np.broadcast_to(inp.fees, (1, T))[0])
    args = [ctypes.c_ssize_t(P), ctypes.c_ssize_t(K), ctypes.c_ssize_t(T)]
    arrays = [
        np.ascontiguousarray(inp.revenue),
        opex,
        fees,
        np.ascontiguousarray(inp.fixed_rate),
        np.ascontiguousarray(inp.year_fraction),
        np.ascontiguousarray(inp.notional),
        np.ascontiguousarray(inp.scheduled_principal),
        np.ascontiguousarray(inp.maturity, dtype=np.int32),
        out.cfads,
        out.debt_service,
        out.dscr,
        out.distribution,
        out.interest_due,
        out.interest_paid,
        out.principal_paid,
        out.balance,
    ]
    args += [_ptr(a) for a in arrays]
    return lambda: lib.simple_waterfall(*args)


def engine_runner(inp: EngineInputs, out: EngineOutputs):
    wf = check_build()
    return lambda: wf.waterfall(inp, out, 1)


CHECKED = ("cfads", "debt_service", "distribution", "interest_paid", "principal_paid", "balance")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paths", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    inp = simple_deal(args.paths)
    eng_out = EngineOutputs.empty(args.paths, K, T)
    c_out = EngineOutputs.empty(args.paths, K, T)
    run_engine = engine_runner(inp, eng_out)
    run_c = c_loop_runner(build_c_loop(), inp, c_out)
    run_engine()
    run_c()
    for name in CHECKED:  # the same work: the same numbers
        np.testing.assert_allclose(getattr(eng_out, name), getattr(c_out, name), rtol=1e-12)
    t_eng = min(timeit.repeat(run_engine, number=1, repeat=args.repeat)) / args.paths
    t_c = min(timeit.repeat(run_c, number=1, repeat=args.repeat)) / args.paths
    print(f"simplest deal: {T} periods x {K} sequential tranches, {args.paths:,} paths, 1 thread")
    print(f"  plain C loop          {t_c * 1e6:8.2f} us a path")
    print(f"  engine waterfall()    {t_eng * 1e6:8.2f} us a path   {t_eng / t_c:5.2f}x the C loop")


if __name__ == "__main__":
    main()
