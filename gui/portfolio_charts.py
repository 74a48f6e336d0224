"""Charts of a portfolio result (the dict of core.portfolio.stats.summarise): the book's loss
distribution with its EL, VaR and ES marked, and each deal's / counterparty's contribution to
EL and to the 99% expected shortfall. Drawing only: every number comes from the result."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from gui.results.date_plot import TEXT, ThousandsAxis, style_axes
from gui.results.formatting import fmt_money

EL_COLOUR, ES_COLOUR, BAR_COLOUR = "#4a7ab5", "#c9403a", "#7d9cc4"
MARKS = (("EL", "expected_loss", "#2e7d46"), ("VaR 99%", "var", "#e0a030"),
         ("ES 99%", "es", "#c9403a"))  # fmt: skip


class LossDistributionChart(pg.PlotWidget):
    """Share of paths per bin of the book's loss (USD m); the zero bin is left out so the
    tail shows (its share is in the title), EL / VaR 99% / ES 99% as vertical lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"left": ThousandsAxis("left")})
        item = self.getPlotItem()
        style_axes(item)
        item.setLabel("bottom", "Book loss (USD m)", color=TEXT)
        item.setLabel("left", "Share of all paths (%)", color=TEXT)
        item.showGrid(y=True, alpha=0.15)
        item.setMenuEnabled(False)
        self.legend = item.addLegend(offset=(-10, 10), labelTextColor=TEXT)

    def show_result(self, data: dict) -> None:
        item = self.getPlotItem()
        item.clear()
        self.legend.clear()
        h = data["loss_histogram"]
        edges = np.asarray(h["edges"])
        prob = np.asarray(h["probability"]) * 100.0
        mids = (edges[:-1] + edges[1:]) / 2.0
        width = float(edges[1] - edges[0]) if len(edges) > 1 else 1.0
        item.setTitle(
            f"Book loss distribution ({data['paths']:,} paths; no loss on "
            f"{(1 - data['probability_of_loss']) * 100:.1f}% of them)",
            color=TEXT, size="10pt",
        )  # fmt: skip
        keep = mids > width  # the first bin holds the paths without a loss
        item.addItem(
            pg.BarGraphItem(x=mids[keep], height=prob[keep], width=width * 0.9, brush=BAR_COLOUR)
        )
        for label, key, colour in MARKS:
            value = data[key] if key == "expected_loss" else data[key]["99%"]
            line = item.plot([value, value], [0, max(prob[keep].max(initial=0), 1e-3)],
                             pen=pg.mkPen(colour, width=2))  # fmt: skip
            self.legend.addItem(line, f"{label} {fmt_money(value)}")


class ContributionChart(pg.PlotWidget):
    """Side-by-side bars per name: contribution to EL and to ES 99% (USD m)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w", axisItems={"left": ThousandsAxis("left")})
        item = self.getPlotItem()
        style_axes(item)
        item.setTitle(title, color=TEXT, size="10pt")
        item.setLabel("left", "USD m", color=TEXT)
        item.showGrid(y=True, alpha=0.15)
        item.setMenuEnabled(False)
        self.legend = item.addLegend(offset=(-10, 10), labelTextColor=TEXT)
        self.names: list[str] = []

    def show_rows(self, rows: list[dict], key: str) -> None:
        """``rows`` with ``key`` (their label), ``expected_loss`` and ``es_contribution``."""
        item = self.getPlotItem()
        item.clear()
        self.legend.clear()
        self.names = [str(r[key]) for r in rows]
        x = np.arange(len(rows), dtype=float)
        el = [r["expected_loss"] for r in rows]
        es = [r["es_contribution"]["99%"] for r in rows]
        a = pg.BarGraphItem(x=x - 0.2, height=el, width=0.38, brush=EL_COLOUR)
        b = pg.BarGraphItem(x=x + 0.2, height=es, width=0.38, brush=ES_COLOUR)
        item.addItem(a)
        item.addItem(b)
        self.legend.addItem(a, "EL contribution")
        self.legend.addItem(b, "ES 99% contribution")
        ticks = [(float(i), n if len(n) <= 14 else n[:13] + "…") for i, n in enumerate(self.names)]
        item.getAxis("bottom").setTicks([ticks])
