"""The deal's structure diagram for the report: the canvas's own scene (cards and labelled
connections) drawn into an image. Blocks keep the positions saved with the deal; a deal whose
blocks were never placed (e.g. imported from Excel) is laid out by ``core.model.layout``."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter

from core.model.deal import Deal
from core.model.layout import auto_layout
from gui.canvas.scene import CanvasScene
from gui.document import DealDocument

MARGIN = 12.0


def placed(deal: Deal) -> Deal:
    """A copy of ``deal`` whose blocks have distinct positions (auto-layout when they do not)."""
    copy = deal.copy()
    if len({b.position for b in copy.blocks.values()}) < len(copy.blocks):
        for block_id, pos in auto_layout(copy).items():
            copy.move_block(block_id, pos)
    return copy


def diagram_image(deal: Deal, max_width: float = 1100.0, scale: float = 2.0) -> QImage:
    """The structure as drawn on the canvas, at most ``max_width`` logical pixels wide."""
    document = DealDocument(placed(deal))
    scene = CanvasScene(document)
    scene.clearSelection()
    source = scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    fit = min(1.0, max_width / max(source.width(), 1.0))
    width, height = source.width() * fit, source.height() * fit
    image = QImage(int(width * scale), int(height * scale), QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(scale)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, width, height), source)
    painter.end()
    scene.deleteLater()
    document.deleteLater()
    return image
