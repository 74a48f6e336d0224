"""``python main.py run DEAL.json``: a readable summary, or one JSON object with ``--json``."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd

from core.engine.results import DealResult


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, NumPy scalars plain numbers."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def result_to_json(result: DealResult) -> dict[str, Any]:
    p = result.periods
    periods = [
        {
            "date": d.date().isoformat(),
            "revenue": r.revenue,
            "opex": r.opex + r.fees,
            "cfads": r.cfads,
            "debt_service": r.debt_service,
            "dscr": r.dscr,
            "ltv": r.ltv,
            "dsra_balance": r.dsra_balance,
            "equity_distribution": r.distribution - r.injection,
        }
        for d, r in zip(p.index, p.itertuples(), strict=True)
    ]
    tranches = [
        {
            "name": name,
            "balance": df.balance.tolist(),
            "interest": df.interest_paid.tolist(),
            "principal": df.principal_paid.tolist(),
            "shortfall": df.shortfall.tolist(),
            "writeoff": df.writeoff.tolist(),
        }
        for name, df in result.tranches.items()
    ]
    return _clean(
        {
            "deal": result.compiled.deal.name,
            "metrics": result.metrics,
            "tranche_metrics": result.tranche_metrics.to_dict(orient="records"),
            "sources": result.sources,
            "uses": result.uses,
            "look_through": [
                {
                    "sponsor": x.sponsor,
                    "on_balance_sheet": x.on_balance_sheet,
                    "off_balance_sheet": x.off_balance_sheet,
                    "economic": x.economic,
                    "ratio": x.ratio,
                }
                for x in result.look_through
            ],
            "events": [
                {"date": e.date, "kind": e.kind, "tranche": e.tranche} for e in result.events
            ],
            "periods": periods,
            "tranches": tranches,
        }
    )


def _fmt(v: Any, kind: str = "num") -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    if kind == "pct":
        return f"{v * 100:.2f}%"
    if kind == "x":
        return f"{v:.2f}x"
    return f"{v:,.1f}"


def _period_word(tl) -> str:
    return "monthly" if tl.periods_per_year == 12 else "quarterly"


def result_to_text(result: DealResult) -> str:
    m = result.metrics
    tl = result.compiled.timeline
    lines = [
        result.compiled.deal.name,
        "=" * len(result.compiled.deal.name),
        f"Closing {tl.closing.isoformat()}, {tl.n_periods} {_period_word(tl)} periods. "
        "USD millions.",
        "",
        "Sources and uses",
    ]
    for label, v in result.sources.items():
        lines.append(f"  source  {label:<44}{_fmt(v):>14}")
    for label, v in result.uses.items():
        lines.append(f"  use     {label:<44}{_fmt(v):>14}")
    lines += ["", "Capital stack"]
    tm = result.tranche_metrics
    lines.append(
        f"  {'tranche':<34}{'rank':>5}{'notional':>12}{'rate':>18}"
        f"{'WAL':>7}{'yield':>9}{'loss':>10}"
    )
    for r in tm.to_dict(orient="records"):
        lines.append(
            f"  {r['tranche'][:34]:<34}{r['seniority']:>5}{_fmt(r['notional']):>12}"
            f"{r['rate']:>18}"
            f"{_fmt(r['wal_years']):>7}{_fmt(r['yield'], 'pct'):>9}{_fmt(r['loss']):>10}"
        )
    lines += [
        "",
        "Key metrics",
        f"  min DSCR {_fmt(m['min_dscr'], 'x')}   average DSCR {_fmt(m['avg_dscr'], 'x')}   "
        f"LLCR {_fmt(m['llcr'], 'x')}   PLCR {_fmt(m['plcr'], 'x')}",
        f"  equity IRR {_fmt(m['equity_irr'], 'pct')}   "
        f"LTV at close {_fmt(m['ltv_at_close'], 'pct')}   "
        f"LTV at lease end {_fmt(m['ltv_at_lease_end'], 'pct')}   debt loss {_fmt(m['debt_loss'])}",
        f"  break-even fall in cash flow {_fmt(m['breakeven_cashflow_fall'], 'pct')}",
    ]
    for x in result.look_through:
        lines.append(
            f"  look-through {x.sponsor}: on balance sheet {_fmt(x.on_balance_sheet)}, "
            f"economic exposure {_fmt(x.economic)} ({_fmt(x.ratio, 'x')})"
        )
    lines += ["", "Events"] + (
        [f"  {e.date}  {e.kind}{' ' + e.tranche if e.tranche else ''}" for e in result.events[:20]]
        or ["  none"]
    )
    yearly = _yearly(result)
    lines += [
        "",
        "Annual cash flows (years from closing)",
        yearly.to_string(formatters={"min_dscr": lambda v: _fmt(v, "x")}, float_format=_fmt),
    ]
    return "\n".join(lines)


def _yearly(result: DealResult) -> pd.DataFrame:
    p = result.periods
    ppy = result.compiled.timeline.periods_per_year
    year = np.arange(len(p)) // ppy + 1
    sums = (
        p[["revenue", "opex", "fees", "cfads", "debt_service", "distribution"]].groupby(year).sum()
    )
    balances = pd.DataFrame({n: df.balance for n, df in result.tranches.items()}).sum(axis=1)
    sums["min_dscr"] = p["dscr"].groupby(year).min().values
    sums["debt_end"] = balances.groupby(year).last().values
    sums.index.name = "year"
    return sums


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="run a deal and print its cash flows and credit metrics")
    p.add_argument("deal", help="deal file (JSON)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--engine",
        choices=("cython", "reference"),
        default="cython",
        help="waterfall implementation (reference: pure NumPy, for checking)",
    )


def run(args: argparse.Namespace) -> int:
    from core.engine.results import run_deal
    from core.files.deal_json import load_deal

    result = run_deal(load_deal(args.deal), engine=args.engine)
    if args.json:
        json.dump(result_to_json(result), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(result_to_text(result))
    return 0
