"""A block drawn as a card: a header in the kind's colour with its icon and the block's title,
then its key terms. Colour and text are the kind's declaration (``BlockKind.colour``, ``card``).
A small handle on the right edge starts a new connection."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QStyleOptionGraphicsItem, QWidget

from core.model.deal import Block, Deal
from gui.icons import icon

CARD_WIDTH = 186.0
CARD_HEIGHT = 92.0
HEADER = 26.0
HANDLE_RADIUS = 6.0
ACCENT = QColor("#1f6feb")
MIN_TITLE_PT = 7.0  # a card title shrinks to this size before it is elided


class BlockItem(QGraphicsObject):
    """One block on the canvas. The scene sets its text and position from the model."""

    moved = Signal(str)  # block id, while it is being dragged

    def __init__(self, block: Block, deal: Deal) -> None:
        super().__init__()
        self.block_id = block.id
        self.kind = block.kind
        self.colour = QColor(block.spec.colour)  # the kind's header colour
        self.title = ""
        self.lines: list[str] = []
        self._hover = False
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
            | QGraphicsItem.GraphicsItemFlag.ItemIsFocusable
        )
        self.setAcceptHoverEvents(True)
        self.setZValue(1.0)
        self.refresh(block, deal)
        self.setPos(QPointF(*block.position))

    # ----------------------------------------------------------------- content
    def refresh(self, block: Block, deal: Deal) -> None:
        self.title, self.lines = block.spec.card_text(block, deal)
        self.setToolTip(f"{block.spec.label}: {self.title}\n" + "\n".join(self.lines))
        self.update()

    def card_rect(self) -> QRectF:
        return QRectF(0, 0, CARD_WIDTH, CARD_HEIGHT)

    def handle_center(self) -> QPointF:
        return QPointF(CARD_WIDTH, CARD_HEIGHT / 2)

    def on_handle(self, scene_pos: QPointF) -> bool:
        """True when ``scene_pos`` is on the new-connection handle."""
        d = self.mapFromScene(scene_pos) - self.handle_center()
        return d.x() ** 2 + d.y() ** 2 <= (HANDLE_RADIUS + 3) ** 2

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        r = HANDLE_RADIUS + 2
        return self.card_rect().adjusted(-2, -2, r, 2)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)  # the handle overlaps the card: no hole
        path.addRoundedRect(self.card_rect(), 6, 6)
        path.addEllipse(self.handle_center(), HANDLE_RADIUS + 3, HANDLE_RADIUS + 3)
        return path

    # ----------------------------------------------------------------- painting
    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = self.card_rect()
        selected = self.isSelected()
        p.setPen(QPen(ACCENT if selected else QColor("#c3c8cf"), 2.0 if selected else 1.0))
        p.setBrush(QColor("#ffffff"))
        p.drawRoundedRect(rect, 6, 6)
        header = QPainterPath()
        header.addRoundedRect(QRectF(0.5, 0.5, CARD_WIDTH - 1, HEADER), 5.5, 5.5)
        header.addRect(QRectF(0.5, HEADER / 2, CARD_WIDTH - 1, HEADER / 2))
        header.setFillRule(Qt.FillRule.WindingFill)
        p.fillPath(header, self.colour)
        icon(self.kind).paint(p, QRectF(6, 5, 16, 16).toRect())
        font = QFont(p.font())
        font.setPointSizeF(9.0)
        font.setBold(True)
        p.setFont(font)
        p.setPen(QColor("#ffffff"))
        title_rect = QRectF(28, 0, CARD_WIDTH - 34, HEADER)
        while font.pointSizeF() > MIN_TITLE_PT and (
            QFontMetrics(font).horizontalAdvance(self.title) > title_rect.width()
        ):  # a long title gets a smaller font before it is cut (its tooltip has it in full)
            font.setPointSizeF(font.pointSizeF() - 0.5)
        p.setFont(font)
        elided = QFontMetrics(font).elidedText(
            self.title, Qt.TextElideMode.ElideRight, int(title_rect.width())
        )
        p.drawText(title_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, elided)
        font.setBold(False)
        font.setPointSizeF(8.0)
        p.setFont(font)
        p.setPen(QColor("#2b2f36"))
        metrics = QFontMetrics(font)
        y = HEADER + 6
        step = metrics.height() + 2
        for line in self.lines:
            if y + step > CARD_HEIGHT - 2:
                break
            text = metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(CARD_WIDTH - 16))
            p.drawText(QRectF(8, y, CARD_WIDTH - 16, step), Qt.AlignmentFlag.AlignLeft, text)
            y += step
        if self._hover or selected:
            p.setPen(QPen(ACCENT, 1.5))
            p.setBrush(QColor("#ffffff"))
            p.drawEllipse(self.handle_center(), HANDLE_RADIUS, HANDLE_RADIUS)

    # ----------------------------------------------------------------- events
    def hoverEnterEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._hover = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._hover = False
        self.update()
        super().hoverLeaveEvent(event)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemPositionHasChanged:
            self.moved.emit(self.block_id)
        return super().itemChange(change, value)
