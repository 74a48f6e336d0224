"""The plot every time-series results chart is built on: dates on the x axis, white
background, grid, a legend below the plot (never over the data), a hover read-out with each
series' definition, ``periodClicked`` on a click (the period and the period table's column of
the series under the pointer) and a way to mark the result shown as stale."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QWidget

from gui.results.hover import HoverReadout, HoverSeries

TEXT = "#303030"


class ThousandsAxis(pg.AxisItem):
    """A value axis writing 20,000 rather than 20000."""

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        if spacing * scale >= 1:
            return [f"{v * scale:,.0f}" for v in values]
        return super().tickStrings(values, scale, spacing)


def style_axes(item: pg.PlotItem) -> None:
    for name in ("left", "bottom"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen("#606060"))
        axis.setTextPen(pg.mkPen(TEXT))


class DatePlot(pg.GraphicsLayoutWidget):
    #: a click in the plot: the period's position and the period table's column header of the
    #: series under the pointer ("" when it has none)
    periodClicked = Signal(int, str)

    def __init__(self, title: str, y_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self._title = title
        self.setBackground("w")
        self.plot_item = self.addPlot(
            row=0,
            col=0,
            axisItems={"bottom": pg.DateAxisItem(utcOffset=0), "left": ThousandsAxis("left")},
        )
        item = self.plot_item
        style_axes(item)
        item.setLabel("left", y_label, color=TEXT)
        item.showGrid(x=True, y=True, alpha=0.15)
        item.setMenuEnabled(False)
        self.legend = pg.LegendItem(colCount=4, labelTextColor=TEXT, verSpacing=-6)
        self.addItem(self.legend, row=1, col=0)
        self.hover = HoverReadout(item)
        self.hover.on_click = lambda i, series: self.periodClicked.emit(
            i, (series.column if series is not None else None) or ""
        )
        self.set_stale(False)

    def getPlotItem(self) -> pg.PlotItem:  # same name as pg.PlotWidget's
        return self.plot_item

    def reset(self) -> None:
        """Remove every series and legend entry before a redraw (keeps the crosshair)."""
        self.plot_item.clear()
        self.legend.clear()
        self.hover.attach()
        for name in ("left", "bottom"):
            self.plot_item.showAxis(name)
        self.plot_item.enableAutoRange()

    def clear_result(self) -> None:
        """Show nothing (the deal shown was replaced by one without a result yet): no series,
        and no axes either, so no scale of the previous deal is left on screen."""
        self.reset()
        self.hover.set_data(np.empty(0), [], [])
        for name in ("left", "bottom"):
            self.plot_item.hideAxis(name)
        self.plot_item.disableAutoRange()
        self.plot_item.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)

    def add(self, item: pg.GraphicsObject, name: str) -> None:
        """Add a series to the plot and the legend."""
        self.plot_item.addItem(item)
        self.legend.addItem(item, name)

    def line(
        self,
        x: np.ndarray,
        y: np.ndarray,
        name: str,
        color: str,
        width: float = 2.0,
        style: Qt.PenStyle = Qt.PenStyle.SolidLine,
    ) -> pg.PlotDataItem:
        """A curve; NaNs leave gaps (periods with no debt service have no DSCR)."""
        pen = pg.mkPen(color, width=width, style=style)
        curve = pg.PlotDataItem(x, y, pen=pen, connect="finite")
        self.add(curve, name)
        return curve

    def level(self, y: float, name: str, color: str) -> pg.InfiniteLine:
        """A horizontal dashed line at ``y`` (a covenant level), named in the legend."""
        pen = pg.mkPen(color, width=1.5, style=Qt.PenStyle.DashLine)
        line = pg.InfiniteLine(pos=y, angle=0, movable=False, pen=pen)
        self.plot_item.addItem(line)
        # InfiniteLines are not legend items; an empty curve with the same pen names it
        self.legend.addItem(pg.PlotDataItem([], [], pen=pen), name)
        return line

    def set_hover(self, x: np.ndarray, dates: list[str], series: list[HoverSeries]) -> None:
        self.hover.set_data(x, dates, series)

    def set_stale(self, stale: bool) -> None:
        title = self._title + ("  (stale: last good result)" if stale else "")
        self.plot_item.setTitle(title, color="#c9403a" if stale else TEXT, size="10pt")

    def leaveEvent(self, event: QEvent) -> None:  # Qt override
        self.hover.hide()
        super().leaveEvent(event)
