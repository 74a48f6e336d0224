"""Speed of the structuring tools, as multiples of one base-case run of the same deal.

    python benchmarks/bench_structuring.py [--repeat N]

In one process, after a warm-up, best of ``--repeat``: one ``run_deal`` of the xAI sample (the
reference), then sizing its loan to three deterministic constraints, the one-tranche optimiser,
the two-tranche optimiser (the loan split into a senior and a junior) and a rating-constrained
sizing (2,000 Monte Carlo paths a candidate). Reported: wall time, engine runs per search
(counted: the figure that does not move with the machine's load) and the time as a multiple
of the reference run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import core.structuring.candidate as candidate  # noqa: E402
from core.engine.results import run_deal  # noqa: E402
from core.files.deal_json import load_deal  # noqa: E402
from core.risk.montecarlo import MonteCarloConfig  # noqa: E402
from core.structuring.constraints import parse_constraint  # noqa: E402
from core.structuring.optimise import optimise  # noqa: E402
from core.structuring.sizing import size_tranche  # noqa: E402

SAMPLE = ROOT / "resources" / "deals" / "xai_gpu_spv.json"


RUNS = [0]


def counted(deal, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201
    RUNS[0] += 1
    return run_deal(deal, *args, **kwargs)


candidate.run_deal = counted  # every candidate's engine run goes through here


def best(fn, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    fn()  # warm-up
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def two_tranches():  # noqa: ANN201
    d = load_deal(SAMPLE)
    d.set_term("loan", "notional", 9000.0)
    d.add_block("tranche", {"name": "Junior loan", "notional": 3500.0, "rate_type": "floating",
                            "spread": 0.08, "day_count": "ACT/360", "tenor_years": 5.0,
                            "seniority": 2}, block_id="junior")  # fmt: skip
    d.connect("issues", "spv", "junior")
    return d


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    deal, two = load_deal(SAMPLE), two_tranches()
    det = [parse_constraint(t, deal) for t in ("min_dscr>=1.30", "llcr>=1.35", "ltv<=0.8")]
    det2 = [parse_constraint(t, two) for t in ("min_dscr>=1.30", "junior.ltv<=0.8")]
    mc = MonteCarloConfig(n_paths=2000, seed=1)
    cases = [
        ("size: 3 deterministic constraints", lambda: size_tranche(deal, "loan", det)),
        ("optimise: 1 tranche, equity IRR", lambda: optimise(deal, "equity_irr", det)),
        ("optimise: 2 tranches, proceeds", lambda: optimise(two, "proceeds", det2)),
        ("size: EL <= 5%, 2,000 paths", lambda: size_tranche(
            deal, "loan", [parse_constraint("senior.el<=5%", deal)], mc=mc)),
    ]  # fmt: skip
    ref, _ = best(lambda: run_deal(deal), max(args.repeat, 20))
    print(f"{'case':<38}{'time':>10}{'x run_deal':>12}{'engine runs':>13}")
    print(f"{'run_deal (reference)':<38}{ref * 1e3:>8.1f}ms{1.0:>12.1f}{1:>13}")
    for label, fn in cases:
        RUNS[0] = 0
        fn()
        runs = RUNS[0]
        t, _ = best(fn, args.repeat)
        print(f"{label:<38}{t * 1e3:>8.0f}ms{t / ref:>12.0f}{runs:>13}")


if __name__ == "__main__":
    main()
