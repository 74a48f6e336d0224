"""The installed PySide6 does not leak references on signal emits and paint overrides.

PySide6 6.12.0 on CPython 3.11 dropped one reference to ``True`` per ``Signal.emit()`` and to
``None`` per Python override of a C++ virtual, so the interpreter aborted ("bool_dealloc")
after a few thousand signals; requirements.txt pins a release without the bug.
"""

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsView


class _Probe(QObject):
    ping = Signal()


class _Item(QGraphicsRectItem):
    def paint(self, painter, option, widget=None) -> None:
        super().paint(painter, option, widget)


def test_signal_emit_keeps_reference_counts(qtbot):
    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    for _ in range(2000):
        probe.ping.emit()
    after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
    assert all(a >= b - 50 for a, b in zip(after, before, strict=True)), (before, after)


def test_paint_overrides_keep_reference_counts(qtbot):
    scene = QGraphicsScene()
    scene.addItem(_Item(0, 0, 50, 50))
    view = QGraphicsView(scene)
    qtbot.addWidget(view)
    view.resize(200, 200)
    before = sys.getrefcount(None)
    for _ in range(300):
        view.viewport().repaint()
    assert sys.getrefcount(None) >= before - 50
