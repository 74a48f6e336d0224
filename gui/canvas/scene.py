"""The canvas scene. It follows the document's signals (item <-> id lookup tables) and never
changes the model except through undo commands."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, Qt, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QGraphicsScene, QGraphicsSceneMouseEvent, QMenu

from core.model.deal import Block, Connection
from core.model.errors import ConnectionRefused
from core.model.rules import CONNECTION_KINDS
from gui.canvas.block_item import BlockItem
from gui.canvas.interactions import ChooseKind, DragBlocks, NewLink, connect_blocks
from gui.canvas.link_item import LinkItem, spread_labels
from gui.commands import push_remove
from gui.document import DealDocument


def choose_kind_menu(kinds: list[str]) -> str | None:
    """Offer the connection kinds that fit in a small menu at the mouse pointer."""
    menu = QMenu()
    actions = {menu.addAction(CONNECTION_KINDS[k]): k for k in kinds}
    chosen = menu.exec(QCursor.pos())
    return actions.get(chosen)


class CanvasScene(QGraphicsScene):
    message = Signal(str)  # for the status bar

    def __init__(
        self,
        document: DealDocument,
        choose_kind: ChooseKind = choose_kind_menu,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        # no BSP index: items change geometry as links re-route; a stale index left a removed
        # link's label painted on the canvas
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.document = document
        self.choose_kind = choose_kind
        self.blocks: dict[str, BlockItem] = {}
        self.links: dict[str, LinkItem] = {}
        self._mode: NewLink | DragBlocks | None = None
        document.blockAdded.connect(self._add_block)
        document.blockRemoved.connect(self._remove_block)
        document.blockMoved.connect(self._move_block)
        document.termsChanged.connect(self._refresh_block)
        document.connectionAdded.connect(self._add_link)
        document.connectionRemoved.connect(self._remove_link)
        document.replaced.connect(self.rebuild)
        self.rebuild()

    # ----------------------------------------------------------------- following the model
    def rebuild(self) -> None:
        self._mode = None
        self.clear()
        self.blocks.clear()
        self.links.clear()
        for block in self.document.deal.blocks.values():
            self._add_block(block)
        for conn in self.document.deal.connections.values():
            self._add_link(conn)
        self.reroute()

    def _add_block(self, block: Block) -> None:
        item = BlockItem(block, self.document.deal)
        item.moved.connect(self._follow_links)
        self.blocks[block.id] = item
        self.addItem(item)

    def _remove_block(self, block: Block) -> None:
        item = self.blocks.pop(block.id)
        self.removeItem(item)

    def _move_block(self, block: Block) -> None:
        self.blocks[block.id].setPos(QPointF(*block.position))

    def _refresh_block(self, block: Block, name: str = "") -> None:
        self.blocks[block.id].refresh(block, self.document.deal)
        for conn in self.document.deal.connections.values():  # a lease card shows its tenant
            if block.id in (conn.source, conn.target):
                self._refresh_ends(conn)

    def _add_link(self, conn: Connection) -> None:
        item = LinkItem(conn, self.blocks[conn.source], self.blocks[conn.target])
        self.links[conn.id] = item
        self.addItem(item)
        self.addItem(item.label_item)
        self._refresh_ends(conn)
        self.reroute()  # in the scene now: routed around the other cards and links

    def _remove_link(self, conn: Connection) -> None:
        item = self.links.pop(conn.id)
        self.removeItem(item.label_item)
        self.removeItem(item)
        self._refresh_ends(conn)

    def _refresh_ends(self, conn: Connection) -> None:
        deal = self.document.deal
        for end in (conn.source, conn.target):
            if end in self.blocks and end in deal.blocks:
                self.blocks[end].refresh(deal.blocks[end], deal)

    def _follow_links(self, block_id: str) -> None:
        self.reroute()  # a moved card can block, or free, the way of any link

    def reroute(self) -> None:
        """Route every link again and spread their labels."""
        taken: list = []
        for link in self.links.values():
            link.adjust(taken)
            taken += list(zip(link.points, link.points[1:], strict=False))
        spread_labels(list(self.links.values()))

    # ----------------------------------------------------------------- queries
    def block_at(self, pos: QPointF) -> BlockItem | None:
        for item in self.items(pos):
            if isinstance(item, BlockItem):
                return item
        return None

    def selected_block_items(self) -> list[BlockItem]:
        return [i for i in self.selectedItems() if isinstance(i, BlockItem)]

    def selected_block_ids(self) -> list[str]:
        return [i.block_id for i in self.selected_block_items()]

    def selected_conn_ids(self) -> list[str]:
        return [i.conn_id for i in self.selectedItems() if isinstance(i, LinkItem)]

    def select_all(self) -> None:
        self.select_blocks(list(self.blocks))

    def select_blocks(self, block_ids: list[str]) -> None:
        self.clearSelection()
        for block_id in block_ids:
            if block_id in self.blocks:
                self.blocks[block_id].setSelected(True)

    # ----------------------------------------------------------------- editing
    def delete_selected(self) -> None:
        blocks, conns = self.selected_block_ids(), self.selected_conn_ids()
        if blocks or conns:
            push_remove(self.document, blocks, conns)
            self.message.emit(f"Removed {len(blocks)} block(s) and {len(conns)} connection(s)")

    def connect_blocks(self, source: str, target: str) -> None:
        """Connect two blocks as a drag means; a refusal goes to the status bar."""
        try:
            self.message.emit(connect_blocks(self.document, source, target, self.choose_kind))
        except ConnectionRefused as exc:
            self.message.emit(f"Connection refused: {exc}")

    # ----------------------------------------------------------------- mouse modes
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        pos = event.scenePos()
        item = self.block_at(pos)
        if event.button() == Qt.MouseButton.LeftButton and item is not None:
            shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            if item.on_handle(pos) or shift:
                self._mode = NewLink(self, item, pos)
                event.accept()
                return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and item is not None:
            self._mode = DragBlocks(self)

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if isinstance(self._mode, NewLink):
            self._mode.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        mode, self._mode = self._mode, None
        if isinstance(mode, NewLink):
            mode.release(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if mode is not None:
            mode.release(event.scenePos())
