"""Reconciliation: the workbook's own DSCR / IRR / debt balances next to CapStack's numbers
for the imported deal, with the difference and a flag when it is beyond tolerance."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine.results import DealResult
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


def _balances(result: DealResult, schedules: list[Schedule], scale: float) -> list[ReconRow]:
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
    ppy_cs = result.compiled.timeline.periods_per_year
    out = []
    for year in (1, 3, 5):
        i = first + year * sch.periods_per_year - 1
        j = year * ppy_cs - 1
        if i < len(vals) and vals[i] is not None and j < len(bal):
            out.append(ReconRow(f"Debt balance, end of year {year} of repayment",
                                vals[i] * scale, f"{sch.series['balance'].ref} (row)",
                                float(bal.iloc[j]), "money"))  # fmt: skip
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
