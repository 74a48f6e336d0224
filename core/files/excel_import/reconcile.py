"""Reconciliation: the workbook's own DSCR / IRR / debt balances next to CapStack's numbers
for the imported deal, with the difference and a flag when it is beyond tolerance."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from core.engine.results import DealResult
from core.engine.timeline import add_months
from core.files.excel_import.mapping import Mapping
from core.files.excel_import.schedules import Schedule

OK_TOLERANCE = 0.02  # relative difference shown as matching
AMBER_TOLERANCE = 0.10  # beyond this the row is red


@dataclass
class ReconRow:
    metric: str
    workbook: float | None
    where: str  # sheet!cell the workbook value comes from ('' when none)
    capstack: float | None
    kind: str = "x"  # x (ratio), pct, money

    @property
    def difference(self) -> float | None:
        if self.workbook is None or self.capstack is None:
            return None
        return self.capstack - self.workbook

    @property
    def relative(self) -> float | None:
        d = self.difference
        if d is None:
            return None
        return abs(d) / max(abs(self.workbook), 1e-9)

    @property
    def status(self) -> str:
        """ok | amber | red | n/a (one side missing)."""
        r = self.relative
        if r is None:
            return "n/a"
        if self.kind == "pct":  # rates: absolute tolerance in percentage points
            d = abs(self.difference)
            return "ok" if d <= 0.0025 else "amber" if d <= 0.02 else "red"
        return "ok" if r <= OK_TOLERANCE else "amber" if r <= AMBER_TOLERANCE else "red"


def _finite(v) -> float | None:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def reconcile(result: DealResult, m: Mapping, schedules: list[Schedule],
              scale: float) -> list[ReconRow]:  # fmt: skip
    """Rows for min / average DSCR, equity and project IRR, LLCR and debt balances."""
    met = result.metrics
    rows: list[ReconRow] = []
    dscr_sch = next((s for s in schedules if "dscr" in s.series), None)
    for target, metric, name, kind in (
        ("wb_min_dscr", "min_dscr", "Minimum DSCR", "x"),
        ("wb_avg_dscr", "avg_dscr", "Average DSCR", "x"),
        ("wb_llcr", "llcr", "LLCR", "x"),
        ("wb_equity_irr", "equity_irr", "Equity IRR", "pct"),
    ):
        e = m.get(target)
        wb_value, where = (e.value, e.ref) if e else (None, "")
        if wb_value is None and dscr_sch is not None and metric in ("min_dscr", "avg_dscr"):
            vals = [v for v in dscr_sch.series["dscr"].values if v is not None and v > 0]
            if vals:
                wb_value = min(vals) if metric == "min_dscr" else float(np.mean(vals))
                where = f"{dscr_sch.series['dscr'].ref} (row)"
        rows.append(ReconRow(name, wb_value, where, _finite(met.get(metric)), kind))
    e = m.get("wb_project_irr")
    if e is not None:
        rows.append(ReconRow("Project IRR", e.value, e.ref, None, "pct"))
    rows += _balances(result, schedules, scale)
    return rows


def period_end(d: date, periods_per_year: int, ends: bool) -> date:
    """The day a workbook period dated ``d`` closes, as CapStack dates its period ends: the
    next day for a month-end date (31 Mar -> 1 Apr), ``d`` for other end dates, else one
    period later (a start date: 1 Jan, quarterly -> 1 Apr)."""
    if d.day >= 28:
        return d + timedelta(days=1)
    return d if ends else add_months(d, 12 // max(periods_per_year, 1))


def _balances(result: DealResult, schedules: list[Schedule], scale: float) -> list[ReconRow]:
    """The workbook's debt balance after 1, 3 and 5 years of repayment against CapStack's at
    the period ending on the same date (undated workbooks: the same count of years)."""
    sch = next((s for s in schedules if "balance" in s.series), None)
    if sch is None or not result.tranches:
        return []
    vals = sch.series["balance"].values
    # the first repayment period: first principal paid, else the first balance shown
    lead = sch.series["principal"].values if "principal" in sch.series else vals
    first = next((i for i, v in enumerate(lead) if v), None)
    if first is None:
        return []
    bal = result.debt_outstanding
    timeline = result.compiled.timeline
    ends = {e: j for j, e in enumerate(timeline.end_dates)}
    out = []
    for year in (1, 3, 5):
        i = first + year * sch.periods_per_year - 1
        if i >= len(vals) or vals[i] is None:
            continue
        where = f"{sch.series['balance'].ref} (row)"
        if sch.dates:
            day = period_end(sch.dates[i], sch.periods_per_year, sch.ends)
            j = next((ends[d] for d in (day, day - timedelta(days=1), day + timedelta(days=1))
                      if d in ends), None)  # fmt: skip
            name = f"Debt balance on {day.isoformat()} (year {year} of repayment)"
        else:
            j = year * timeline.periods_per_year - 1
            j = j if j < len(bal) else None
            name = f"Debt balance, end of year {year} of repayment (undated)"
        out.append(ReconRow(name, vals[i] * scale, where,
                            None if j is None else float(bal.iloc[j]), "money"))  # fmt: skip
    return out


def table(rows: list[ReconRow]) -> str:
    """Plain-text table for the command line."""

    def f(v, kind):
        if v is None:
            return "n/a"
        return f"{v * 100:.2f}%" if kind == "pct" else f"{v:,.3f}" + ("x" if kind == "x" else "")

    lines = [f"  {'metric':<40}{'workbook':>14}{'CapStack':>14}{'diff':>12}  flag  source"]
    for r in rows:
        d = r.difference
        ds = "n/a" if d is None else (f"{d * 100:+.2f}pp" if r.kind == "pct" else f"{d:+,.3f}")
        lines.append(f"  {r.metric[:40]:<40}{f(r.workbook, r.kind):>14}"
                     f"{f(r.capstack, r.kind):>14}{ds:>12}  {r.status:<5} {r.where}")  # fmt: skip
    return "\n".join(lines)
