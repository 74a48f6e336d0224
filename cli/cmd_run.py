"""``python main.py run DEAL.json``: a readable summary, or one JSON object with ``--json``."""

from __future__ import annotations

import argparse
import json
import sys

from cli.formatting import fmt
from core.engine.phases import construction_summary
from core.engine.refinancing import refinancing_outcomes
from core.engine.result_json import result_to_json
from core.engine.results import DealResult
from core.report.valuation import basis_suffix, valuation_lines


def result_to_text(result: DealResult) -> str:
    m = result.metrics
    tl = result.compiled.timeline
    lines = [
        result.compiled.deal.name,
        "=" * len(result.compiled.deal.name),
        f"Closing {tl.closing.isoformat()}, {tl.n_periods} {tl.period_name} periods. USD millions.",
        "",
        "Sources and uses",
    ]
    for label, v in result.sources.items():
        lines.append(f"  source  {label:<44}{fmt(v):>14}")
    for label, v in result.uses.items():
        lines.append(f"  use     {label:<44}{fmt(v):>14}")
    lines += _commitment_lines(result)
    lines += _phases(result)
    lines += ["", "Capital stack"]
    tm = result.tranche_metrics
    lines.append(
        f"  {'tranche':<34}{'rank':>5}{'notional':>12}{'rate':>18}"
        f"{'WAL':>7}{'yield':>9}{'loss':>10}"
    )
    for r in tm.to_dict(orient="records"):
        lines.append(
            f"  {r['tranche'][:34]:<34}{r['seniority']:>5}{fmt(r['notional']):>12}"
            f"{r['rate']:>18}"
            f"{fmt(r['wal_years']):>7}{fmt(r['yield'], 'pct'):>9}{fmt(r['loss']):>10}"
        )
    lines += [
        "",
        "Key metrics",
        f"  min DSCR {fmt(m['min_dscr'], 'x')}{_window(result)}   "
        f"average DSCR {fmt(m['avg_dscr'], 'x')}   "
        f"LLCR {fmt(m['llcr'], 'x')}   PLCR {fmt(m['plcr'], 'x')}",
        f"  equity IRR {fmt(m['equity_irr'], 'pct')}   "
        f"LTV at close {fmt(m['ltv_at_close'], 'pct')}{basis_suffix(result, 'ltv_at_close')}   "
        f"LTV at lease end {fmt(m['ltv_at_lease_end'], 'pct')}"
        f"{basis_suffix(result, 'ltv_at_lease_end')}   debt loss {fmt(m['debt_loss'])}",
        f"  break-even fall in cash flow {fmt(m['breakeven_cashflow_fall'], 'pct')}"
        + (
            f" (the DSCR is below 1.00x: cash flow must rise {fmt(rise, 'pct')})"
            if (rise := m["cashflow_rise_needed"]) > 0
            else ""
        ),
        f"  balloons and bullets due (in the debt service, not in the DSCR) {fmt(m['balloons'])}",
    ]
    if m.get("equity_irr_note"):
        lines.append(f"  equity IRR: {m['equity_irr_note']}")
    lines += [f"  {x}" for x in valuation_lines(result)]
    if "swap_net_cash" in m:
        lines.append(
            f"  interest-rate swaps: net cash received / (paid) {fmt(m['swap_net_cash'])}   "
            f"breakage {fmt(m['swap_breakage'])}   "
            f"unpaid to the counterparty {fmt(m['swap_counterparty_loss'])}"
        )
    for r in refinancing_outcomes(result):
        lines.append(
            f"  refinancing {r.tranche}: balloon {fmt(r.balloon)} due {r.maturity}, refinanced "
            f"{fmt(r.refinanced)} at {r.rate_text()} to {r.new_maturity}, paid "
            f"from cash {fmt(r.paid_from_cash)}, short {fmt(r.short)}"
        )
    for x in result.look_through:
        lines.append(
            f"  look-through {x.sponsor}: on balance sheet {fmt(x.on_balance_sheet)}, "
            f"economic exposure {fmt(x.economic)} ({fmt(x.ratio, 'x')})"
        )
    lines += ["", "Events"] + (
        [f"  {e.date}  {e.kind}{' ' + e.tranche if e.tranche else ''}" for e in result.events[:20]]
        or ["  none"]
    )
    yearly = result.annual_cash_flows()
    lines += [
        "",
        "Annual cash flows (years from closing)",
        yearly.to_string(formatters={"min_dscr": lambda v: fmt(v, "x")}, float_format=fmt),
    ]
    return "\n".join(lines)


def _commitment_lines(result: DealResult) -> list[str]:
    """Delayed-draw tranches: commitment, drawn at close and later, lapsed, fees; the GPUs
    delivered after closing and who paid for them."""
    cm = result.commitments
    if cm.empty:
        return []
    lines = ["", "Delayed draws (commitment = drawn at close + drawn later + lapsed)"]
    for r in cm.to_dict(orient="records"):
        lines.append(
            f"  {r['tranche'][:30]:<30} commitment {fmt(r['commitment'])}, drawn at close "
            f"{fmt(r['drawn_at_close'])}, drawn later {fmt(r['drawn_later'])}, lapsed "
            f"{fmt(r['lapsed'])} on {r['availability_end']}, commitment fees "
            f"{fmt(r['commitment_fees'])}"
        )
    d = result.deliveries_after_close
    lines.append(
        f"  GPUs delivered after closing {fmt(d['cost'])}: paid by draws {fmt(d['drawn'])}, "
        f"by equity {fmt(d['equity'])} (in its injections)"
    )
    return lines


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


def _window(result) -> str:
    """The DSCR on the covenant's trailing window beside the per-period one, when the window
    is longer than a period (docs/engine.md, "DSCR")."""
    m, mpp = result.metrics, result.compiled.timeline.months_per_period
    if m["dscr_window_months"] <= mpp:
        return ""
    months = m["dscr_window_months"]
    return f" ({fmt(m['min_dscr_window'], 'x')} on the covenant's {months}-month window)"


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


def _phases(result: DealResult) -> list[str]:
    """The construction phase's terms and its sources and uses split into construction and
    operations (nothing for a deal that operates from closing)."""
    ph = result.sources_uses_by_phase
    if ph is None:
        return []
    lines = ["", f"Construction: {construction_summary(result.compiled)}"]
    for phase, title in (("construction", "construction"), ("operations", "operations")):
        lines.append(f"Sources and uses: {title}")
        for kind in ("sources", "uses"):
            word = "source" if kind == "sources" else "use"
            for label, v in ph[phase][kind].items():
                lines.append(f"  {word:<8}{label:<44}{fmt(v):>14}")
    return lines
