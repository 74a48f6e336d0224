"""Debt outstanding against the market value of the collateral, and the LTV path with the
covenant's maximum LTV. The two plots sit side by side in a wide, low dock (the default
bottom dock) and one over the other otherwise, so neither is squeezed to a sliver."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from core.engine.results import DealResult
from core.report.valuation import going_concern_on
from gui.results.date_plot import DatePlot
from gui.results.formatting import COLORS, fmt_date, fmt_money, fmt_pct, timestamps
from gui.results.hover import HoverSeries


class LtvChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values = DatePlot("Debt balance vs asset market value", "USD m")
        self.ltv = DatePlot("Loan to value", "LTV (%)")
        self.ltv.getPlotItem().setXLink(self.values.getPlotItem())
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.values)
        self.split.addWidget(self.ltv)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self.debt_curve = self.asset_curve = self.ltv_curve = None

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Side by side when the dock is wide and low, stacked when it is tall."""
        size = event.size()
        wide = size.width() > 2 * size.height()
        orientation = Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical
        if self.split.orientation() != orientation:
            self.split.setOrientation(orientation)
            half = (size.width() if wide else size.height()) // 2
            self.split.setSizes([half, half])
        super().resizeEvent(event)

    def show_result(self, result: DealResult) -> None:
        p = result.periods
        x = timestamps(p.index)
        dates = [fmt_date(d) for d in p.index]
        debt = result.debt_outstanding.to_numpy(dtype=float)
        asset = p["asset_value"].to_numpy(dtype=float)
        ltv = p["ltv"].to_numpy(dtype=float)

        self.values.reset()
        self.debt_curve = self.values.line(x, debt, "Debt outstanding", COLORS["debt"])
        label = (
            "Collateral value (going concern)" if going_concern_on(result) else "Asset market value"
        )
        self.asset_curve = self.values.line(x, asset, label, COLORS["asset_value"])
        self.values.set_hover(
            x,
            dates,
            [
                HoverSeries("Debt", debt, fmt_money, COLORS["debt"], "debt_outstanding"),
                HoverSeries(
                    "Asset value",
                    asset,
                    fmt_money,
                    COLORS["asset_value"],
                    "asset_value",
                    "Asset value",
                ),
            ],
        )
        self.values.getPlotItem().enableAutoRange()

        self.ltv.reset()
        self.ltv_curve = self.ltv.line(x, ltv * 100.0, "LTV (opening debt)", COLORS["ltv"])
        ltv_max = float(result.compiled.inputs.ltv_max)
        if ltv_max > 0:
            self.ltv.level(ltv_max * 100.0, f"LTV max {fmt_pct(ltv_max, 0)}", COLORS["ltv_max"])
        drawn = ltv * 100.0
        ltv_series = HoverSeries("LTV", ltv, fmt_pct, COLORS["ltv"], "ltv", "LTV", drawn)
        self.ltv.set_hover(x, dates, [ltv_series])
        self.ltv.getPlotItem().enableAutoRange()

    def clear_result(self) -> None:
        self.values.clear_result()
        self.ltv.clear_result()

    def set_stale(self, stale: bool) -> None:
        self.values.set_stale(stale)
        self.ltv.set_stale(stale)
