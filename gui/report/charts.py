"""The report's charts: the application's own results charts (the same classes as the docks),
laid out off screen and drawn into print-resolution images.

The scene is drawn with ``QGraphicsScene.render`` into an image whose device-pixel ratio is
``SCALE``, so text, pens and legend grow together. (pyqtgraph's ``ImageExporter`` with a larger
width enlarges the axis text but not the cosmetic pens or the legend.)
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

from core.engine.results import DealResult
from core.risk.montecarlo import MonteCarloResult
from gui.results.balances_chart import BalancesChart
from gui.results.date_plot import DatePlot
from gui.results.dscr_chart import DscrChart
from gui.results.montecarlo_docks import FanChart, LossView

#: logical size the charts are laid out at, and device pixels per logical pixel
LAYOUT_SIZE = (900, 340)
SCALE = 2.5


def render_view(view: pg.GraphicsView, size: tuple[int, int] = LAYOUT_SIZE) -> QImage:
    """Lay ``view`` out at ``size`` without showing it on screen and draw it into an image."""
    try:
        view.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
        view.resize(*size)
        view.show()  # a hidden widget gets its resize (and so its layout) only when shown
        QApplication.processEvents()
        image = QImage(int(size[0] * SCALE), int(size[1] * SCALE), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(SCALE)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        view.scene().render(painter, QRectF(0, 0, *size), shown)
        painter.end()
        return image
    finally:
        view.close()
        view.deleteLater()


def _date_chart(cls: type[DatePlot], data: object, size: tuple[int, int]) -> QImage:
    """A dock's date chart showing ``data``, without its hover read-out."""
    chart = cls()
    chart.show_result(data)
    chart.hover.hide()
    return render_view(chart, size)


def dscr_chart(result: DealResult, size: tuple[int, int] = LAYOUT_SIZE) -> QImage:
    return _date_chart(DscrChart, result, size)


def balances_chart(result: DealResult, size: tuple[int, int] = LAYOUT_SIZE) -> QImage:
    return _date_chart(BalancesChart, result, size)


#: the Monte Carlo charts, each printed across the page's width: a wider, lower layout
MC_LAYOUT_SIZE = (900, 225)


def fan_chart(mc: MonteCarloResult, size: tuple[int, int] = MC_LAYOUT_SIZE) -> QImage:
    """The dock's fan without its flat-band note: the report prints that note as text
    (``ReportData.fan_note``), readable, under the chart."""
    chart = FanChart()
    chart.show_result(mc)
    chart.note_text = ""  # so a resize does not wrap it back in
    chart.removeItem(chart.note)  # nor keep its row's height
    chart.hover.hide()
    return render_view(chart, size)


def loss_chart(mc: MonteCarloResult, size: tuple[int, int] = MC_LAYOUT_SIZE) -> QImage:
    view = LossView()
    view.show_result(mc)
    plot = view.plot
    plot.setParent(None)  # the histogram alone: the report prints the table as text
    view.deleteLater()
    return render_view(plot, size)
