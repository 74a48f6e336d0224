"""The main window on the screen it opens on: a size that fits that screen, a remembered size
used only when it still fits and is not cramped, and on laptop screens (less than
:data:`COMPACT_HEIGHT` pixels of height, or at 150% scaling) a compact arrangement: the Monte
Carlo toolbar beside the main one, key metrics and the capital stack as tabs under the
properties so each gets the full height."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QToolBar

#: the window opens at this size where the screen has room for it
DEFAULT_SIZE = QSize(1600, 1000)
#: screens (in device-independent pixels) lower than this get the compact arrangement
COMPACT_HEIGHT = 900
#: a remembered window smaller than this share of the screen is not restored (it was cramped)
MIN_SHARE = 0.6


def available(window: QMainWindow) -> QRect:
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def is_compact(area: QRect) -> bool:
    return area.height() < COMPACT_HEIGHT


def fit_size(area: QRect) -> QSize:
    """The default size, shrunk to the screen's available area."""
    return QSize(min(DEFAULT_SIZE.width(), area.width()), min(DEFAULT_SIZE.height(), area.height()))


def geometry_fits(size: QSize, area: QRect) -> bool:
    """True when a remembered window size fits the screen and is not a cramped leftover."""
    return (
        size.width() <= area.width()
        and size.height() <= area.height() + 40  # a title bar may sit outside the area
        and size.width() >= MIN_SHARE * area.width()
        and size.height() >= MIN_SHARE * area.height()
    )


def place(window: QMainWindow, geometry: object = None) -> None:
    """Size ``window`` for its screen, restoring ``geometry`` (QSettings bytes) if it fits."""
    area = available(window)
    window.resize(fit_size(area))
    restored = isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)
    if restored and not geometry_fits(window.size(), area):
        window.resize(fit_size(area))
    arrange(window, is_compact(area))


def arrange(window: QMainWindow, low: bool) -> None:
    """The compact arrangement on a low window; otherwise the right column shared between
    Properties, the capital stack (with sources and uses) and key metrics."""
    if low:
        compact(window)
        return
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    right = [docks.get(n) for n in ("dock_properties", "results.capital_stack", "results.metrics")]
    if all(d is not None for d in right):
        window.resizeDocks(right, [26, 40, 34], Qt.Orientation.Vertical)


def compact(window: QMainWindow) -> None:
    """Rearrange for a low screen (see the module doc)."""
    bars = {b.objectName(): b for b in window.findChildren(QToolBar)}
    order = [bars.get(n) for n in ("mainToolbar", "results.montecarlo_bar", "results.scenario_bar")]
    if all(b is not None for b in order):  # main and Monte Carlo on one row, scenarios below
        for bar in order:
            window.removeToolBarBreak(bar)
            window.removeToolBar(bar)
        main, mc, scenario = order
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, main)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, mc)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, scenario)
        for bar in order:
            bar.show()
        for name in ("zoom_in", "zoom_out"):  # in the View menu, on + and -, and Ctrl+wheel
            action = getattr(window, "actions_by_name", {}).get(name)
            if action is not None:
                main.removeAction(action)
    palette = getattr(window, "palette", None)
    if hasattr(palette, "set_compact"):
        palette.set_compact(True)
    docks = {d.objectName(): d for d in window.findChildren(QDockWidget)}
    metrics, stack = docks.get("results.metrics"), docks.get("results.capital_stack")
    if metrics is not None and stack is not None:
        window.tabifyDockWidget(metrics, stack)
        metrics.raise_()
        split = stack.widget().findChild(QSplitter) if stack.widget() is not None else None
        if split is not None:  # sources and uses gets as much room as the bar
            split.setSizes([50, 50])
    properties = docks.get("dock_properties")
    if properties is not None and metrics is not None:
        window.resizeDocks([properties, metrics], [28, 72], Qt.Orientation.Vertical)
    waterfall = docks.get("results.waterfall")
    if waterfall is not None:  # the canvas keeps most of a low window
        window.resizeDocks([waterfall], [int(window.height() * 0.34)], Qt.Orientation.Vertical)
    palette, check = docks.get("dock_blocks"), docks.get("dock_deal_check")
    if palette is not None and check is not None:
        window.resizeDocks([palette, check], [74, 26], Qt.Orientation.Vertical)
