"""The canvas view: zoom (ctrl+wheel, +/-), pan (middle drag, space+drag), fit to view,
rubber-band selection, Del to remove, and dropping palette blocks."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QGraphicsView, QWidget

from core.model.errors import DealError
from gui.canvas.block_item import CARD_HEIGHT, CARD_WIDTH
from gui.canvas.scene import CanvasScene
from gui.commands import push_add
from gui.palette import MIME_TYPE, decode_mime

MIN_ZOOM, MAX_ZOOM, ZOOM_STEP = 0.2, 4.0, 1.2


class CanvasView(QGraphicsView):
    def __init__(self, scene: CanvasScene, parent: QWidget | None = None) -> None:
        super().__init__(scene, parent)
        self.canvas = scene
        self.setObjectName("canvas")
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setBackgroundBrush(QColor("#f4f5f7"))
        self.setAcceptDrops(True)
        self._pan_from: QPoint | None = None
        self._space = False
        self.fitted = False  # showing the whole deal: a resize fits it again

    # ----------------------------------------------------------------- zoom
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        target = min(MAX_ZOOM, max(MIN_ZOOM, self.zoom() * factor))
        f = target / self.zoom()
        self.scale(f, f)

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)
        self.fitted = False

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)
        self.fitted = False

    def fit_to_view(self) -> None:
        """Show every block, at most at 100%."""
        rect = self.canvas.itemsBoundingRect()
        if rect.isEmpty():
            return
        self.setSceneRect(rect.adjusted(-400, -300, 400, 300))
        self.fitInView(rect.adjusted(-24, -24, 24, 24), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.zoom_by(1.0 / self.zoom())
        self.centerOn(rect.center())
        self.fitted = True

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A window or dock resize keeps the whole deal in view unless the analyst zoomed."""
        super().resizeEvent(event)
        if self.fitted:
            self.fit_to_view()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)
            self.fitted = False
            event.accept()
            return
        super().wheelEvent(event)

    # ----------------------------------------------------------------- keys
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.canvas.delete_selected()
        elif key == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.viewport().unsetCursor()
        super().keyReleaseEvent(event)

    # ----------------------------------------------------------------- pan
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        middle = event.button() == Qt.MouseButton.MiddleButton
        if middle or (self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            pos = event.position().toPoint()
            delta = pos - self._pan_from
            self._pan_from = pos
            self.pan_by(delta.x(), delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def pan_by(self, dx: int, dy: int) -> None:
        """Scroll the canvas by a mouse movement of (dx, dy) pixels."""
        self.fitted = False
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() - dx)
        v.setValue(v.value() - dy)

    # ----------------------------------------------------------------- drop from the palette
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasFormat(MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        if self.drop(event.mimeData(), self.mapToScene(event.position().toPoint())):
            event.acceptProposedAction()
        else:
            event.ignore()

    def drop(self, mime: QMimeData, scene_pos: QPointF) -> str | None:
        """Add the dragged block centred at ``scene_pos``; returns its id (None if refused)."""
        try:
            kind, terms = decode_mime(mime)
        except ValueError as exc:
            self.canvas.message.emit(f"Cannot add that block: {exc}")
            return None
        return self.drop_at(kind, terms, scene_pos)

    def drop_at(self, kind: str, terms: dict[str, Any], scene_pos: QPointF) -> str | None:
        """Add a block centred at ``scene_pos`` (one undoable command); returns its id."""
        try:
            pos = (round(scene_pos.x() - CARD_WIDTH / 2), round(scene_pos.y() - CARD_HEIGHT / 2))
            block_id = push_add(self.canvas.document, kind, terms, pos)
        except (ValueError, KeyError, DealError) as exc:
            self.canvas.message.emit(f"Cannot add that block: {exc}")
            return None
        self.canvas.select_blocks([block_id])
        self.canvas.message.emit(f"Added {self.canvas.document.deal.blocks[block_id].title}")
        return block_id
