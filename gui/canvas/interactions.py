"""Mouse modes on the canvas, each a small state object the scene forwards events to:
drawing a new connection, and dragging blocks (one undoable move on release).
Rubber-band selection is the view's own ``RubberBandDrag`` mode."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, Qt
from PySide6.QtGui import QPen
from PySide6.QtWidgets import QGraphicsLineItem

from core.model.blocks import REGISTRY
from core.model.errors import ConnectionRefused
from core.model.rules import ALLOWED, connection_label, suggest_kind
from gui.canvas.block_item import ACCENT, BlockItem
from gui.commands import push_connect, push_move
from gui.document import DealDocument

if TYPE_CHECKING:
    from gui.canvas.scene import CanvasScene

#: picks one connection kind among several that fit (None: cancelled)
ChooseKind = Callable[[list[str]], "str | None"]


def fitting_kinds(source_kind: str, target_kind: str) -> list[str]:
    """Every connection kind allowed from ``source_kind`` to ``target_kind``, best first."""
    best = suggest_kind(source_kind, target_kind)
    others = [k for k, pairs in ALLOWED.items() if (source_kind, target_kind) in pairs]
    return ([best] if best else []) + [k for k in others if k != best]


def connect_blocks(doc: DealDocument, source: str, target: str, choose: ChooseKind) -> str:
    """Connect two blocks the way a drag from ``source`` to ``target`` means; returns a status
    message. Tries the reverse direction when only that one makes sense. Raises
    ``ConnectionRefused`` with the reason when no connection fits."""
    blocks = doc.deal.blocks
    if source == target:
        raise ConnectionRefused("a block cannot be connected to itself")
    kinds = fitting_kinds(blocks[source].kind, blocks[target].kind)
    if not kinds and fitting_kinds(blocks[target].kind, blocks[source].kind):
        source, target = target, source
        kinds = fitting_kinds(blocks[source].kind, blocks[target].kind)
    if not kinds:
        a, b = (REGISTRY[blocks[x].kind].label for x in (source, target))
        raise ConnectionRefused(f"a {a} cannot be connected to a {b}")
    kind = kinds[0] if len(kinds) == 1 else choose(kinds)
    if kind is None:
        return "Connection cancelled"
    push_connect(doc, kind, source, target)
    label = connection_label(kind, blocks[target].kind)
    return f"Connected: {blocks[source].title} {label} {blocks[target].title}"


class NewLink:
    """Dragging from a card's handle (or shift-dragging a card) draws a rubber line; releasing
    on another card asks the scene to connect the two."""

    def __init__(self, scene: CanvasScene, source: BlockItem, pos: QPointF) -> None:
        self.scene, self.source = scene, source
        start = source.mapToScene(source.handle_center())
        self.line = QGraphicsLineItem(QLineF(start, pos))
        pen = QPen(ACCENT, 1.5, Qt.PenStyle.DashLine)
        self.line.setPen(pen)
        self.line.setZValue(5)
        scene.addItem(self.line)

    def move(self, pos: QPointF) -> None:
        self.line.setLine(QLineF(self.line.line().p1(), pos))

    def release(self, pos: QPointF) -> None:
        self.scene.removeItem(self.line)
        target = self.scene.block_at(pos)
        if target is not None and target is not self.source:
            self.scene.connect_blocks(self.source.block_id, target.block_id)


class DragBlocks:
    """Remembers where the selected blocks were when the drag started; on release pushes one
    ``MoveBlocks`` with the new positions (nothing if they did not move)."""

    def __init__(self, scene: CanvasScene) -> None:
        self.scene = scene
        self.start = {i.block_id: (i.pos().x(), i.pos().y()) for i in scene.selected_block_items()}

    def move(self, pos: QPointF) -> None:
        """The view moves the items itself; the links follow their ends."""

    def release(self, pos: QPointF) -> None:
        items = {i.block_id: i for i in self.scene.selected_block_items()}
        new = {k: (items[k].pos().x(), items[k].pos().y()) for k in self.start if k in items}
        push_move(self.scene.document, self.start, new)
