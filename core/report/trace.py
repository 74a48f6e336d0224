"""Where each key metric comes from: its definition, its formula, the period rows of the run
it is computed from and the cells of the exported Excel model that compute it again.

The GUI shows :attr:`MetricTrace.tooltip` on a metric and, on a click, :func:`trace_rows`
(the period rows, the ones that decide the metric marked); the numbers are the run's own
columns (``DealResult.periods`` and the derived series), nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter

from core.engine.results import DealResult
from core.files.excel_grid import FIRST_COL
from core.files.excel_keys import CASHFLOWS, METRICS, P
from core.files.excel_metrics import DEAL_METRICS, FIRST_ROW


@dataclass(frozen=True)
class MetricTrace:
    key: str  # as in DealResult.metrics
    label: str
    definition: str
    formula: str
    columns: tuple[str, ...]  # DealResult.periods columns (or derived series) it reads
    excel_columns: tuple[str, ...]  # labels of those rows on the CashFlows sheet
    names: tuple[str, ...] = ()  # defined names of the workbook the formula uses

    @property
    def excel_cell(self) -> str:
        """The cell of the exported workbook whose formula computes the metric."""
        keys = [k for k, _, _ in DEAL_METRICS]
        return f"{METRICS}!B{FIRST_ROW + keys.index(self.key)}"

    @property
    def tooltip(self) -> str:
        cols = ", ".join(f"'{c}'" for c in self.excel_columns)
        names = f"; named cells {', '.join(self.names)}" if self.names else ""
        where = f"Excel: {self.excel_cell} (formula on {CASHFLOWS} rows {cols}{names})"
        return f"{self.label}: {self.definition}\nFormula: {self.formula}\n{where}"


_COVER = ("cfads", "debt_service", "dscr")
_COVER_XL = ("CFADS", "Debt service due", "DSCR")
TRACES: dict[str, MetricTrace] = {
    t.key: t
    for t in (
        MetricTrace("min_dscr", "Min DSCR",
                    "the lowest debt service coverage of any period with debt service due; "
                    "a final balloon or bullet is not in it (the LLCR and the refinancing "
                    "cover it)",
                    "min over periods of CFADS / (interest + scheduled principal), a final "
                    "balloon or bullet not counted as scheduled",
                    _COVER, _COVER_XL),
        MetricTrace("min_dscr_window", "Min DSCR (covenant window)",
                    "the lowest DSCR on the covenant's trailing test window (LTM on a "
                    "12-month window) in the periods it is tested, as the covenant reads it",
                    "min over tested periods of the window's CFADS / its scheduled debt "
                    "service", ("cfads", "debt_service", "dscr_test"),
                    ("CFADS", "Debt service due", "DSCR test (trailing window)")),
        MetricTrace("avg_dscr", "Avg DSCR",
                    "the average debt service coverage over the periods with debt service due",
                    "mean over periods of CFADS / (interest + scheduled principal)",
                    _COVER, _COVER_XL),
        MetricTrace("llcr", "LLCR",
                    "loan life cover: the cash flow the debt can still draw on, per unit of debt",
                    "(NPV of CFADS to final maturity at the debt's rate + DSRA at close) / "
                    "debt at close (plus delayed draws discounted to close)",
                    ("cfads", "debt_service"), ("CFADS",),
                    (P.FINAL, P.DSRA0, P.DEBT0)),
        MetricTrace("plcr", "PLCR",
                    "project life cover: as LLCR over the whole horizon, not only the loan's life",
                    "(NPV of CFADS over the horizon at the debt's rate + DSRA at close) / "
                    "debt at close (plus delayed draws discounted to close)",
                    ("cfads", "debt_service"), ("CFADS",),
                    (P.T, P.DSRA0, P.DEBT0)),
        MetricTrace("breakeven_cashflow_fall", "Break-even fall in cash flow",
                    "how far every period's CFADS can fall before the worst DSCR reaches "
                    "1.00x (on the covenant's window when it is longer than a period)",
                    "(min DSCR - 1) / min DSCR; 0 below 1.00x (no headroom)",
                    _COVER, _COVER_XL),
        MetricTrace("equity_irr", "Equity IRR",
                    "the effective annual return of the equity's flows: the investment at "
                    "close, then each period's distributions less injections",
                    "(1 + IRR of the periodic flows) ^ periods per year - 1",
                    ("distribution", "injection", "net_equity_flow"),
                    ("Distribution to equity", "Equity injection"), (P.EQUITY0, P.PPY)),
        MetricTrace("ltv_at_close", "LTV at close",
                    "debt outstanding over the collateral's value at the first period (its "
                    "market value, or, with the SPV's going-concern yield, its leased assets' "
                    "going-concern value when higher)",
                    "debt outstanding at the start of period 1 / (asset market value + crypto)",
                    ("debt_open", "asset_value", "ltv"), ("LTV",)),
        MetricTrace("ltv_at_lease_end", "LTV at lease end",
                    "debt outstanding over the collateral's value when the lease ends (its "
                    "market value, or its going-concern value while a lease performs)",
                    "debt outstanding at the start of the period of the planned sale / its "
                    "market value", ("debt_open", "asset_value", "ltv"), ("LTV",), (P.SALE,)),
        MetricTrace("total_debt", "Total debt (USD m)",
                    "the tranches' notionals at close", "sum of tranche notionals",
                    ("debt_outstanding",), (), (P.DEBT0,)),
        MetricTrace("total_equity", "Total equity (USD m)",
                    "the equity classes' amounts at close", "sum of equity amounts",
                    ("distribution",), (), (P.EQUITY0,)),
        MetricTrace("debt_loss", "Debt loss (USD m)",
                    "principal the lenders never get back (written off)",
                    "sum over tranches and periods of principal written off",
                    ("debt_outstanding", "debt_service"), ("<tranche>: written off",)),
    )
}  # fmt: skip

#: definitions of the Key metrics rows that are not traced to one workbook cell: by the end of
#: their label (per tranche, per sponsor) or the whole label (first covenant breaches)
ROW_DEFINITIONS: dict[str, str] = {
    ": WAL": "Weighted average life: the years to each principal payment, weighted by the "
    "payment (sum of t x principal / sum of principal); Metrics sheet, the tranche's rows.",
    ": yield": "The tranche's IRR on its notional and its interest and principal received, "
    "times periods per year (nominal); Metrics sheet, the tranche's rows.",
    ": loss (USD m)": "Principal written off over the horizon, and as a share of the "
    "notional; CashFlows '<tranche>: written off'.",
    ": on balance sheet (USD m)": "Debt the sponsor reports: its own debt, plus the SPV's debt "
    "when it consolidates the SPV.",
    ": economic exposure (USD m)": "On balance sheet plus what it stands behind off it: its "
    "share of SPV debt it does not consolidate, the present value of the lease payments it "
    "owes as tenant, and the caps of the guarantees it gives (RVG, backstop).",
    ": look-through leverage": "Economic exposure / debt on balance sheet.",
    "Lock-up": "First period whose tested DSCR (trailing window) is below the lock-up level.",
    "DSCR default": "First period whose tested DSCR is below the default level.",
    "LTV breach": "First period whose LTV is above the covenant's maximum.",
    "Payment default": "First period in which interest or scheduled principal due is not paid.",
}


def definition_of(label: str) -> str | None:
    """The tooltip of a Key metrics row: a traced metric's, else a row definition."""
    if label in BY_LABEL:
        return BY_LABEL[label].tooltip
    for end, text in ROW_DEFINITIONS.items():
        if label == end or (end.startswith(":") and label.endswith(end)):
            return f"{label}: {text}"
    return None


#: the Key metrics label of each traced metric
BY_LABEL: dict[str, MetricTrace] = {t.label: t for t in TRACES.values()}


def _series(result: DealResult, name: str) -> pd.Series:
    if name in result.periods.columns:
        return result.periods[name]
    if name == "debt_open":  # the debt the LTV test reads: outstanding as the period starts
        closing = result.debt_outstanding
        return closing.shift(1, fill_value=result.total_debt)
    return getattr(result, name)  # a derived series: debt_outstanding, net_equity_flow


def trace_rows(result: DealResult, key: str) -> tuple[pd.DataFrame, list[int]]:
    """The period rows the metric ``key`` is computed from (its columns, with each period's
    CashFlows column in the exported workbook) and the positions of the rows that decide it."""
    trace = TRACES[key]
    frame = pd.DataFrame({c: _series(result, c) for c in trace.columns})
    columns = [get_column_letter(FIRST_COL + t) for t in range(len(frame))]
    frame.insert(0, "excel_column", columns)
    n = len(frame)
    decisive: list[int] = []
    if key == "min_dscr" or key == "breakeven_cashflow_fall":
        dscr = result.periods["dscr"].to_numpy(float)
        if np.isfinite(dscr).any():
            decisive = [int(np.nanargmin(dscr))]
    elif key == "min_dscr_window":
        test = result.periods["dscr_test"].to_numpy(float)
        if np.isfinite(test).any():
            decisive = [int(np.nanargmin(test))]
    elif key == "ltv_at_close" and n:
        decisive = [0]
    elif key == "ltv_at_lease_end":
        ltv = result.periods["ltv"].to_numpy(float)
        hits = np.flatnonzero(np.isclose(ltv, result.metrics["ltv_at_lease_end"], equal_nan=False))
        decisive = [int(hits[0])] if len(hits) else []
    elif key in ("avg_dscr",):
        decisive = [int(i) for i in np.flatnonzero(np.isfinite(result.periods["dscr"].to_numpy()))]
    return frame, decisive
