"""Key credit metrics of the run: coverage, IRR, LTV, per-tranche WAL / yield / loss,
look-through leverage per sponsor and the first covenant breach dates."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from core.engine.credit_check import not_meaningful
from core.engine.results import DealResult
from core.report.trace import BY_LABEL, definition_of
from core.report.valuation import basis_suffix
from gui.results.formatting import fmt_date, fmt_money, fmt_pct, fmt_ratio, fmt_years
from gui.results.trace_dialog import TraceDialog
from gui.results.widgets import number_item


def _window_rows(result: DealResult, shown: Callable) -> list[tuple[str, str]]:
    """The DSCR on the covenant's trailing window, when it is longer than a period."""
    months = result.metrics["dscr_window_months"]
    if months <= result.compiled.timeline.months_per_period:
        return []
    value = f"{shown('min_dscr_window', fmt_ratio)} ({months} months)"
    return [("Min DSCR (covenant window)", value)]


def metric_rows(result: DealResult) -> list[tuple[str, str | None]]:
    """(label, formatted value) in order; a value of None marks a section heading."""
    m, notes = result.metrics, not_meaningful(result)

    def shown(key: str, fmt: Callable[[object], str]) -> str:
        return notes.get(key) or fmt(m[key])

    rows: list[tuple[str, str | None]] = [
        ("Coverage", None),
        ("Min DSCR", shown("min_dscr", fmt_ratio)),
        *_window_rows(result, shown),
        ("Avg DSCR", shown("avg_dscr", fmt_ratio)),
        ("LLCR", shown("llcr", fmt_ratio)),
        ("PLCR", shown("plcr", fmt_ratio)),
        ("Break-even fall in cash flow", shown("breakeven_cashflow_fall", fmt_pct)),
        ("Returns and leverage", None),
        ("Equity IRR", shown("equity_irr", fmt_pct)),
        ("LTV at close", shown("ltv_at_close", fmt_pct) + basis_suffix(result, "ltv_at_close")),
        (
            "LTV at lease end",
            shown("ltv_at_lease_end", fmt_pct) + basis_suffix(result, "ltv_at_lease_end"),
        ),
        ("Total debt (USD m)", fmt_money(m["total_debt"])),
        ("Total equity (USD m)", fmt_money(m["total_equity"])),
        ("Debt loss (USD m)", fmt_money(m["debt_loss"])),
        ("Tranches", None),
    ]
    for r in result.tranche_metrics.to_dict("records"):
        name = r["tranche"]
        rows += [
            (f"{name}: WAL", fmt_years(r["wal_years"])),
            (f"{name}: yield", fmt_pct(r["yield"])),
            (f"{name}: loss (USD m)", f"{fmt_money(r['loss'])} ({fmt_pct(r['loss_pct'])})"),
        ]
    rows.append(("Look-through leverage", None))
    for x in result.look_through:
        rows += [
            (f"{x.sponsor}: on balance sheet (USD m)", fmt_money(x.on_balance_sheet)),
            (f"{x.sponsor}: economic exposure (USD m)", fmt_money(x.economic)),
            (f"{x.sponsor}: look-through leverage", fmt_ratio(x.ratio)),
        ]
    rows += [
        ("First covenant breaches", None),
        ("Lock-up", fmt_date(m["first_lockup"])),
        ("DSCR default", fmt_date(m["first_dscr_default"])),
        ("LTV breach", fmt_date(m["first_ltv_breach"])),
        ("Payment default", fmt_date(m["first_payment_default"])),
    ]
    return rows


class MetricsTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 2, parent)
        self.setHorizontalHeaderLabels(["Metric", "Value"])
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()  # values always in full; long labels elide
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self._result: DealResult | None = None
        self.trace: TraceDialog | None = None
        self.cellClicked.connect(lambda row, _col: self.trace_row(row))

    def trace_row(self, row: int) -> TraceDialog | None:
        """Open the drill-down of the metric in ``row`` (None when it has none)."""
        item = self.item(row, 0)
        trace = BY_LABEL.get(item.text()) if item is not None else None
        if trace is None or self._result is None:
            return None
        if self.trace is None:
            self.trace = TraceDialog(self)
        self.trace.show_metric(self._result, trace.key)
        return self.trace

    def show_result(self, result: DealResult) -> None:
        self._result = result
        rows = metric_rows(result)
        self.setRowCount(len(rows))
        heading = QFont()
        heading.setBold(True)
        for i, (label, value) in enumerate(rows):
            left = QTableWidgetItem(label)
            right = number_item(value or "")
            tip = definition_of(label) or label
            if label in BY_LABEL:
                tip += "\nClick for the period rows it comes from."
            left.setToolTip(tip)
            right.setToolTip(tip)
            if value is None:
                left.setFont(heading)
                left.setBackground(QColor("#e8edf4"))
                right.setBackground(QColor("#e8edf4"))
            self.setItem(i, 0, left)
            self.setItem(i, 1, right)

    def value_of(self, label: str) -> str | None:
        """The text shown for the metric ``label`` (None when there is no such row)."""
        for i in range(self.rowCount()):
            if self.item(i, 0).text() == label:
                return self.item(i, 1).text()
        return None

    def clear_result(self) -> None:
        self._result = None
        self.setRowCount(0)

    def set_stale(self, stale: bool) -> None:
        self.setStyleSheet("QTableWidget { color: #8a8a8a; }" if stale else "")
