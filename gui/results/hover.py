"""Hover read-out shared by the results charts: a vertical crosshair and a label showing the
period's date and each series' value, snapped to the nearest period."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt


@dataclass
class HoverSeries:
    name: str
    values: np.ndarray
    fmt: Callable[[float], str]
    color: str = "#1b1b1b"


class HoverReadout:
    """Crosshair and read-out on ``plot``; feed it with :meth:`set_data` after each redraw."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen("#808080", width=1, style=Qt.PenStyle.DashLine)
        )
        self.label = pg.TextItem(
            color="#1b1b1b", fill=pg.mkBrush(255, 255, 255, 225), border=pg.mkPen("#b0b0b0")
        )
        self.label.setZValue(100)
        self.line.setZValue(99)
        self.x = np.empty(0)
        self.dates: list[str] = []
        self.series: list[HoverSeries] = []
        self.index: int | None = None
        self.attach()
        plot.scene().sigMouseMoved.connect(self._mouse_moved)

    def attach(self) -> None:
        """(Re)add the crosshair items; call after ``plot.clear()``."""
        for item in (self.line, self.label):
            if item.scene() is None:
                self.plot.addItem(item, ignoreBounds=True)
        self.hide()

    def set_data(self, x: np.ndarray, dates: Sequence[str], series: list[HoverSeries]) -> None:
        self.x = np.asarray(x, dtype=float)
        self.dates = list(dates)
        self.series = series
        self.hide()

    def text_at(self, i: int) -> str:
        """Plain-text read-out of period ``i`` (date, then one line per series)."""
        lines = [self.dates[i]]
        lines += [f"{s.name}: {s.fmt(s.values[i])}" for s in self.series]
        return "\n".join(lines)

    def show_index(self, i: int) -> None:
        """Put the crosshair on period ``i`` and show its read-out."""
        if not 0 <= i < len(self.x):
            self.hide()
            return
        self.index = i
        rows = [f"<b>{self.dates[i]}</b>"]
        rows += [
            f'<span style="color:{s.color}">&#9632;</span> {s.name}: {s.fmt(s.values[i])}'
            for s in self.series
        ]
        self.label.setHtml("<br>".join(rows))
        if self.label.boundingRect().height() > self.plot.vb.height() and len(rows) > 3:
            self.label.setHtml(_two_columns(rows))  # a short plot: do not run off its bottom
        (x0, x1), (_, y1) = self.plot.vb.viewRange()
        right_half = self.x[i] > (x0 + x1) / 2
        self.label.setAnchor((1.0, 0.0) if right_half else (0.0, 0.0))
        self.label.setPos(QPointF(self.x[i], y1))
        self.line.setPos(self.x[i])
        self.line.show()
        self.label.show()

    def hide(self) -> None:
        self.index = None
        self.line.hide()
        self.label.hide()

    def nearest(self, x: float) -> int | None:
        if not len(self.x):
            return None
        return int(np.argmin(np.abs(self.x - x)))

    def _mouse_moved(self, pos: QPointF) -> None:
        if not self.plot.vb.sceneBoundingRect().contains(pos):
            self.hide()
            return
        i = self.nearest(self.plot.vb.mapSceneToView(pos).x())
        if i is None:
            self.hide()
        else:
            self.show_index(i)


def _two_columns(rows: list[str]) -> str:
    """The date on top, then the series in two columns (half the height)."""
    body = rows[1:]
    half = (len(body) + 1) // 2
    left, right = body[:half], body[half:] + [""] * (2 * half - len(body))
    cells = "".join(
        f'<tr><td>{a}</td><td style="padding-left:10px">{b}</td></tr>'
        for a, b in zip(left, right, strict=True)
    )
    return f"{rows[0]}<table cellspacing='0' cellpadding='0'>{cells}</table>"
