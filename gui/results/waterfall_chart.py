"""Where each period's cash goes: costs, interest, principal, reserve top-ups, trapped cash and
distributions stacked up to the cash the SPV had (revenue, plus sale proceeds and equity
injections when there are any).

The stack is :attr:`DealResult.cash_uses` (core/engine/derived.py), drawn as it is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from core.engine.derived import CASH_USES
from core.engine.results import DealResult
from gui.results.date_plot import DatePlot
from gui.results.formatting import COLORS, fmt_date, fmt_money, timestamps
from gui.results.hover import HoverSeries

#: stacking order, bottom to top: (key, legend label)
STACK = tuple(CASH_USES.items())


def stack_bases(uses: pd.DataFrame) -> dict[str, np.ndarray]:
    """Bottom of each bar: positives stack up from zero, negatives (releases) down from zero."""
    up = np.zeros(len(uses))
    down = np.zeros(len(uses))
    bases = {}
    for key, _ in STACK:
        v = uses[key].to_numpy(dtype=float)
        bases[key] = np.where(v >= 0, up, down + v)
        up = up + np.maximum(v, 0.0)
        down = down + np.minimum(v, 0.0)
    return bases


class WaterfallChart(DatePlot):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Cash-flow waterfall per period", "USD m", parent)
        self.bars: dict[str, pg.BarGraphItem] = {}
        self.uses = pd.DataFrame()

    def show_result(self, result: DealResult) -> None:
        self.reset()
        p = result.periods
        x = timestamps(p.index)
        # a bar is a period wide (a one-period deal: its months at ~30.4 days)
        months = result.compiled.timeline.months_per_period
        step = float(np.median(np.diff(x))) if len(x) > 1 else months * 30.4 * 86400.0
        # bars sit over their period (ending at the period's date)
        centres = x - step / 2
        self.uses = uses = result.cash_uses
        bases = stack_bases(uses)
        self.bars = {}
        for key, label in STACK:
            v = uses[key].to_numpy(dtype=float)
            if not np.any(np.abs(v) > 1e-9):
                continue
            bar = pg.BarGraphItem(
                x=centres,
                y0=bases[key],
                height=np.abs(v),
                width=step * 0.8,
                brush=pg.mkBrush(COLORS[key]),
                pen=pg.mkPen(None),
            )
            self.add(bar, label)
            self.bars[key] = bar
        revenue = p["revenue"].to_numpy(dtype=float)
        sources = result.cash_in.to_numpy(dtype=float)
        self.line(centres, revenue, "Revenue", COLORS["revenue"], width=1.5)
        if np.any(np.abs(sources - revenue) > 1e-9):
            self.line(
                centres,
                sources,
                "Revenue + sale proceeds + injections",
                COLORS["sources"],
                width=1.2,
                style=Qt.PenStyle.DotLine,
            )
        series = [HoverSeries("Revenue", revenue, fmt_money, COLORS["revenue"], "revenue",
                              "Revenue")]  # fmt: skip
        if np.any(np.abs(sources - revenue) > 1e-9):
            series.append(HoverSeries("Sale proceeds", p["proceeds"].to_numpy(), fmt_money,
                                      key="proceeds", column="Sale proceeds"))  # fmt: skip
            series.append(HoverSeries("Equity injection", p["injection"].to_numpy(), fmt_money,
                                      key="injection", column="Equity injection"))  # fmt: skip
        for key, label in STACK:
            v = uses[key].to_numpy(dtype=float)  # drawn from its base, |v| high
            column = "Distribution" if key == "distribution" else None
            series.append(HoverSeries(label, v, fmt_money, COLORS[key], f"use:{key}", column,
                                      bases[key], bases[key] + np.abs(v)))  # fmt: skip
        self.set_hover(centres, [fmt_date(d) for d in p.index], series)
        self.getPlotItem().enableAutoRange()
