"""Structure > Sensitivity tornado…: one horizontal bar per input from its value with the input
moved down to its value moved up, widest first, around the base (core.structuring.tornado),
for min DSCR, equity IRR or the senior EL."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from core.model.errors import DealError
from core.structuring.tornado import OUTPUTS, Tornado
from gui.document import DealDocument
from gui.results.date_plot import TEXT, style_axes
from gui.results.formatting import fmt_pct, fmt_ratio
from gui.structuring.widgets import run_busy

DOWN, UP = "#c0504d", "#4f81bd"


def value_text(output: str, v: float) -> str:
    return fmt_ratio(v) if output == "min_dscr" else fmt_pct(v)


class TornadoDialog(QDialog):
    def __init__(self, doc: DealDocument, paths: int = 2000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sensitivity tornado")
        self.doc, self.paths, self.tornado = doc, paths, None
        self.output = QComboBox()
        for key, label in OUTPUTS.items():
            self.output.addItem(label, key)
        self.output.currentIndexChanged.connect(self.draw)
        self.plot = pg.PlotWidget(background="w")
        style_axes(self.plot.getPlotItem())
        self.plot.getPlotItem().setMenuEnabled(False)
        self.note = QLabel()
        self.note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(QLabel("Output"))
        top.addWidget(self.output)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.plot)
        layout.addWidget(self.note)
        self.resize(760, 520)

    def compute(self) -> Tornado | None:
        from core.risk.montecarlo import MonteCarloConfig
        from core.structuring.tornado import tornado

        try:
            config = MonteCarloConfig(n_paths=self.paths, seed=1)
            self.tornado = run_busy(lambda: tornado(self.doc.deal.copy(), config))
        except (DealError, ValueError) as exc:
            self.note.setText(f"Cannot compute the tornado: {exc}")
            return None
        self.draw()
        return self.tornado

    def bars(self, output: str) -> list[tuple[str, float, float]]:
        """(label with step, value down, value up) widest first; non-numbers dropped."""
        t = self.tornado
        rows = []
        for r in t.ranked(output):
            lo, hi = r.low[output], r.high[output]
            if math.isfinite(lo) and math.isfinite(hi):
                rows.append((f"{r.label} ({r.step})", lo, hi))
        return rows

    def draw(self) -> None:
        if self.tornado is None:
            return
        output = self.output.currentData()
        base = self.tornado.base[output]
        item = self.plot.getPlotItem()
        item.clear()
        rows = self.bars(output)
        n = len(rows)
        for i, (_label, lo, hi) in enumerate(rows):
            y = n - 1 - i
            for v, colour in ((lo, DOWN), (hi, UP)):
                bar = pg.BarGraphItem(x0=[min(base, v)], x1=[max(base, v)], y=[y], height=0.6,
                                      brush=colour, pen=pg.mkPen("w"))  # fmt: skip
                item.addItem(bar)
        item.addLine(x=base, pen=pg.mkPen(TEXT, width=1))
        ticks = [(n - 1 - i, label) for i, (label, _lo, _hi) in enumerate(rows)]
        axis = item.getAxis("left")
        axis.setTicks([ticks])
        axis.setWidth(210)
        axis.setStyle(showValues=True)
        label = OUTPUTS[output]
        item.setTitle(f"{label}: base {value_text(output, base)}", color=TEXT, size="10pt")
        self.note.setText(
            f"Red: the input moved down, blue: moved up, each by its step; the debt as "
            f"structured. Senior EL from {self.tornado.paths:,} Monte Carlo paths on one seed "
            "(the same paths for every bar). Steps: docs/structuring.md."
            + (
                " Not applicable to this deal: "
                + "; ".join(f"{lab} ({why})" for _, lab, why in self.tornado.not_applicable)
                + "."
                if self.tornado.not_applicable
                else ""
            )
        )
