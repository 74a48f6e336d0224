"""A connection drawn as an arrow between two cards, labelled with its kind."""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from core.model.deal import Connection
from core.model.rules import connection_label
from gui.canvas.block_item import ACCENT, BlockItem
from gui.canvas.routing import route

LINE_COLOUR = QColor("#7d8590")
ARROW = 9.0


class LinkLabel(QGraphicsItem):
    """The connection kind written on a link: above every line, below the cards (a link that
    runs behind a card hides its label there rather than covering the card's terms)."""

    def __init__(self, link: LinkItem) -> None:
        super().__init__()
        self.link = link
        self.setZValue(0.5)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self.link.label_rect()

    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.link.path.length() < 1:
            return
        rect = self.link.label_rect()
        selected = self.link.isSelected()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(ACCENT if selected else QColor("#d5d9df"), 0.8))
        p.setBrush(QColor(255, 255, 255, 235))
        p.drawRoundedRect(rect, 3, 3)
        p.setFont(label_font())
        p.setPen(ACCENT if selected else QColor("#4a5058"))
        p.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.link.label)


def label_font() -> QFont:
    font = QFont()
    font.setPointSizeF(7.0)
    return font


class LinkItem(QGraphicsItem):
    """An arrow ``source --kind--> target``; call :meth:`adjust` when an end moves."""

    def __init__(self, conn: Connection, source: BlockItem, target: BlockItem) -> None:
        super().__init__()
        self.conn_id = conn.id
        self.kind = conn.kind
        self.label = connection_label(conn.kind, target.kind)
        self.source, self.target = source, target
        self.line = QLineF()
        self.points: list[QPointF] = []
        self.path = QPainterPath()
        self.label_at = 0.5  # where the label sits along the line (see spread_labels)
        self.label_item = LinkLabel(self)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0.0)
        self.setToolTip(f"{source.title} {self.label} {target.title}")
        self.adjust()

    def adjust(self, taken: list | None = None) -> None:
        """Route the link again (an end moved): straight when nothing is in the way,
        otherwise around the other cards and beside the legs of links already ``taken``
        (gui.canvas.routing)."""
        self.prepareGeometryChange()
        self.label_item.prepareGeometryChange()  # before the label's rect changes with it
        src = self.source.mapRectToScene(self.source.card_rect())
        dst = self.target.mapRectToScene(self.target.card_rect())
        scene = self.scene()
        obstacles = [
            item.mapRectToScene(item.card_rect())
            for item in (scene.items() if scene is not None else [])
            if isinstance(item, BlockItem) and item is not self.source and item is not self.target
        ]
        self.points = route(src, dst, obstacles, taken)
        self.line = QLineF(self.points[-2], self.points[-1])  # the last leg carries the arrow
        self.path = QPainterPath(self.points[0])
        for point in self.points[1:]:
            self.path.lineTo(point)
        self.update()
        self.label_item.update()

    def label_rect(self) -> QRectF:
        metrics = QFontMetricsF(label_font())
        w, h = metrics.horizontalAdvance(self.label) + 8, metrics.height() + 2
        mid = self.path.pointAtPercent(self.label_at) if self.path.length() > 0 else QPointF()
        return QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)

    def set_label_at(self, fraction: float) -> None:
        """Put the label ``fraction`` of the way along the line (0.5: the middle)."""
        if fraction != self.label_at:
            self.prepareGeometryChange()
            self.label_item.prepareGeometryChange()
            self.label_at = fraction
            self.update()
            self.label_item.update()

    def _path(self) -> QPainterPath:
        return self.path

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        pad = ARROW + 2
        box = self.path.boundingRect().adjusted(-pad, -pad, pad, pad)
        return box.united(self.label_rect())

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: object) -> object:  # noqa: N802
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.label_item.update()
        return super().itemChange(change, value)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        shape = stroker.createStroke(self._path())
        shape.addRect(self.label_rect())
        return shape

    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        if self.path.length() < 1:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = ACCENT if self.isSelected() else LINE_COLOUR
        p.setPen(QPen(colour, 2.0 if self.isSelected() else 1.3))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(self.path)
        angle = math.atan2(-self.line.dy(), self.line.dx())
        tip = self.line.p2()
        head = QPolygonF(
            [
                tip,
                tip + QPointF(-math.cos(angle - 0.4) * ARROW, math.sin(angle - 0.4) * ARROW),
                tip + QPointF(-math.cos(angle + 0.4) * ARROW, math.sin(angle + 0.4) * ARROW),
            ]
        )
        p.setBrush(colour)
        p.drawPolygon(head)


#: where a label may sit along its line, in order of preference
LABEL_STOPS = (0.5, 0.38, 0.62, 0.28, 0.72)


def spread_labels(links: list[LinkItem]) -> None:
    """Slide labels along their lines so that no two overlap where that is possible (two
    links crossing near their middles otherwise print one label over the other)."""
    placed: list[QRectF] = []
    for link in sorted(links, key=lambda item: item.conn_id):
        for stop in LABEL_STOPS:
            link.set_label_at(stop)
            if not any(link.label_rect().intersects(r) for r in placed):
                break
        else:
            link.set_label_at(LABEL_STOPS[0])
        placed.append(link.label_rect())
