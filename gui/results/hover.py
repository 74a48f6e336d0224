"""Hover read-out shared by the results charts: a vertical crosshair and a label showing the
period's date and each series' value, snapped to the nearest period, and the definition of
the series under the pointer (``core.report.trace_periods``); a click on the plot reports the
period and that series (the results docks drill down to the period table's row)."""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt

from core.report.trace_periods import trace_of


@dataclass
class HoverSeries:
    name: str
    values: np.ndarray
    fmt: Callable[[float], str]
    color: str = "#1b1b1b"
    key: str | None = None  # its trace (core.report.trace_periods.trace_of)
    column: str | None = None  # the period table's column header showing it
    lo: np.ndarray | None = None  # where it is drawn, bottom and top (default: its values)
    hi: np.ndarray | None = None

    def distance(self, i: int, y: float) -> float:
        """How far the pointer's ``y`` is from the series as drawn in period ``i``."""
        lo = self.values if self.lo is None else self.lo
        hi = lo if self.hi is None else self.hi
        a, b = sorted((float(lo[i]), float(hi[i])))
        if not (np.isfinite(a) and np.isfinite(b)):
            return np.inf
        return 0.0 if a <= y <= b else min(abs(y - a), abs(y - b))

    def definition(self) -> str | None:
        """Its definition (None for a series without one: a read-out never fails on it)."""
        try:
            return None if self.key is None else trace_of(self.key).definition
        except KeyError:
            return None


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
        self.focus: HoverSeries | None = None  # the series under the pointer
        #: called with (period, series under the pointer or None) on a click in the plot
        self.on_click: Callable[[int, HoverSeries | None], None] | None = None
        self.attach()
        plot.scene().sigMouseMoved.connect(self._mouse_moved)
        plot.scene().sigMouseClicked.connect(self._mouse_clicked)

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
        """Plain-text read-out of period ``i`` (date, then one line per series, then the
        definition of the series under the pointer)."""
        lines = [self.dates[i]]
        lines += [f"{s.name}: {s.fmt(s.values[i])}" for s in self.series]
        if self.focus is not None and self.focus.definition():
            lines.append(f"{self.focus.name}: {self.focus.definition()}")
        return "\n".join(lines)

    def nearest_series(self, i: int, y: float | None) -> HoverSeries | None:
        """The series drawn nearest the pointer's ``y`` in period ``i`` (None when ``y`` is
        not known)."""
        traced = [s for s in self.series if s.key is not None]
        if not traced:
            return None
        if y is None:
            return None
        return min(traced, key=lambda s: s.distance(i, y))

    def show_index(self, i: int, y: float | None = None) -> None:
        """Put the crosshair on period ``i`` and show its read-out (``y``: the pointer's
        height, which picks the series whose definition is shown)."""
        if not 0 <= i < len(self.x):
            self.hide()
            return
        self.index = i
        self.focus = self.nearest_series(i, y)
        rows = [f"<b>{self.dates[i]}</b>"]
        rows += [
            f'<span style="color:{s.color}">&#9632;</span> '
            + (f"<b>{s.name}: {s.fmt(s.values[i])}</b>" if s is self.focus
               else f"{s.name}: {s.fmt(s.values[i])}")
            for s in self.series
        ]  # fmt: skip
        note = self._definition_html()
        self.label.setHtml("<br>".join(rows) + note)
        for html_text in (_two_columns(rows) + note, _two_columns(rows)):
            if self.label.boundingRect().height() <= self.plot.vb.height() or len(rows) <= 3:
                break
            self.label.setHtml(html_text)  # a short plot: two columns, then no definition
        (x0, x1), (_, y1) = self.plot.vb.viewRange()
        right_half = self.x[i] > (x0 + x1) / 2
        self.label.setAnchor((1.0, 0.0) if right_half else (0.0, 0.0))
        self.label.setPos(QPointF(self.x[i], y1))
        self.line.setPos(self.x[i])
        self.line.show()
        self.label.show()

    def _definition_html(self) -> str:
        """The definition of the series under the pointer, wrapped, and what a click does."""
        text = self.focus.definition() if self.focus is not None else None
        if not text:
            return ""
        lines = textwrap.wrap(f"{self.focus.name}: {text}", 56)
        body = "<br>".join(html.escape(line) for line in lines)
        return (f'<br><span style="color:#505050"><i>{body}</i><br>'
                "click: this period in the period table</span>")  # fmt: skip

    def hide(self) -> None:
        self.index = None
        self.line.hide()
        self.label.hide()

    def click_at(self, x: float, y: float | None = None) -> int | None:
        """A click at plot coordinates (x, y): the period, reported to ``on_click``."""
        i = self.nearest(x)
        if i is not None and self.on_click is not None:
            self.on_click(i, self.nearest_series(i, y))
        return i

    def _mouse_clicked(self, event) -> None:  # noqa: ANN001 - pyqtgraph's MouseClickEvent
        pos = event.scenePos()
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if not self.plot.vb.sceneBoundingRect().contains(pos):
            return
        point = self.plot.vb.mapSceneToView(pos)
        self.click_at(point.x(), point.y())

    def nearest(self, x: float) -> int | None:
        if not len(self.x):
            return None
        return int(np.argmin(np.abs(self.x - x)))

    def _mouse_moved(self, pos: QPointF) -> None:
        if not self.plot.vb.sceneBoundingRect().contains(pos):
            self.hide()
            return
        point = self.plot.vb.mapSceneToView(pos)
        i = self.nearest(point.x())
        if i is None:
            self.hide()
        else:
            self.show_index(i, point.y())


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
