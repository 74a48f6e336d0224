"""Closing balance of each tranche per period, one line per tranche."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from core.engine.results import DealResult
from gui.results.date_plot import DatePlot
from gui.results.formatting import fmt_date, fmt_money, timestamps, tranche_color
from gui.results.hover import HoverSeries


class BalancesChart(DatePlot):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tranche balances", "USD m", parent)
        self.curves: dict[str, object] = {}

    def show_result(self, result: DealResult) -> None:
        self.reset()
        self.curves = {}
        x = timestamps(result.periods.index)
        series = []
        for k, (name, frame) in enumerate(result.tranches.items()):
            y = frame["balance"].to_numpy(dtype=float)
            self.curves[name] = self.line(x, y, name, tranche_color(k))
            series.append(
                HoverSeries(
                    name, y, fmt_money, tranche_color(k), "tranche:balance", f"{name}: balance"
                )
            )
        self.set_hover(x, [fmt_date(d) for d in result.periods.index], series)
        self.getPlotItem().enableAutoRange()
