"""DSCR per period against the deal's lock-up and default covenant levels."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from core.engine.results import DealResult
from gui.results.date_plot import DatePlot
from gui.results.formatting import COLORS, fmt_date, fmt_ratio, fmt_window, timestamps
from gui.results.hover import HoverSeries


class DscrChart(DatePlot):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Debt service coverage per period", "DSCR (x)", parent)
        self.dscr_curve = None
        self.test_curve = None

    def show_result(self, result: DealResult) -> None:
        self.reset()
        p = result.periods
        x = timestamps(p.index)
        dscr = p["dscr"].to_numpy(dtype=float)
        test = p["dscr_test"].to_numpy(dtype=float)
        inp = result.compiled.inputs
        window = fmt_window(int(inp.lookback), result.compiled.timeline.months_per_period)
        self.dscr_curve = self.line(x, dscr, "DSCR (period)", COLORS["dscr"])
        self.test_curve = self.line(
            x,
            test,
            f"DSCR tested ({window})",
            COLORS["dscr_test"],
            width=1.5,
            style=Qt.PenStyle.DashLine,
        )
        series = [
            HoverSeries("DSCR", dscr, fmt_ratio, COLORS["dscr"], "dscr", "DSCR"),
            HoverSeries(
                "DSCR tested", test, fmt_ratio, COLORS["dscr_test"], "dscr_test", "DSCR tested"
            ),
        ]
        levels = [("Lock-up", inp.lockup_dscr, "lockup"), ("Default", inp.default_dscr, "default")]
        for name, level, key in levels:
            if level > 0:
                self.level(level, f"{name} {fmt_ratio(level)}", COLORS[key])
        self.set_hover(x, [fmt_date(d) for d in p.index], series)
        self._fit_y(dscr, [lv for _, lv, _ in levels if lv > 0])

    def _fit_y(self, dscr: np.ndarray, levels: list[float]) -> None:
        """Keep a last-period spike (tiny debt service) from flattening the rest of the line."""
        finite = dscr[np.isfinite(dscr)]
        if not finite.size:
            self.getPlotItem().enableAutoRange()
            return
        top = max(float(np.percentile(finite, 95)), *levels, 1.0) * 1.25
        bottom = min(0.0, float(finite.min()) * 1.1)
        self.getPlotItem().setYRange(bottom, top, padding=0)
        self.getPlotItem().enableAutoRange(axis="x")
