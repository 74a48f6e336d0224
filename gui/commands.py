"""Undoable edits of the deal. Every change the user makes goes through one of these.

The ``push_*`` helpers check an edit first (raising ``DealError`` / ``ConnectionRefused``
before anything changes) and then push the command, so a refused edit leaves neither the
model nor the undo stack touched.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QUndoCommand

from core.model.blocks import REGISTRY
from core.model.deal import Block, Connection
from core.model.layout import auto_layout
from core.model.ownership import shares_on_joining
from core.model.rules import CONNECTION_KINDS
from gui.document import DealDocument

Point = tuple[float, float]
MOVE_ID = 1001


def move_to_index(table: dict, key: str, index: int) -> None:
    """Put ``key`` back at ``index`` in ``table`` (in place), so undo restores file order."""
    items = list(table.items())
    pos = [k for k, _ in items].index(key)
    items.insert(index, items.pop(pos))
    table.clear()
    table.update(items)


class AddBlock(QUndoCommand):
    def __init__(
        self,
        doc: DealDocument,
        kind: str,
        terms: dict[str, Any],
        position: Point,
        parent: QUndoCommand | None = None,
        block_id: str | None = None,
    ) -> None:
        super().__init__(f"Add {REGISTRY[kind].label}", parent)
        self.doc, self.kind, self.terms, self.position = doc, kind, dict(terms), position
        self.block_id = block_id or doc.deal.new_id(kind)

    def redo(self) -> None:
        self.doc.deal.add_block(self.kind, self.terms, self.position, block_id=self.block_id)

    def undo(self) -> None:
        self.doc.deal.remove_block(self.block_id)


class RemoveBlock(QUndoCommand):
    """Removes one block that has no connections left (see :func:`push_remove`)."""

    def __init__(self, doc: DealDocument, block_id: str, parent: QUndoCommand | None = None):
        super().__init__(f"Remove {doc.deal.blocks[block_id].title}", parent)
        self.doc, self.block_id = doc, block_id
        self.block: Block | None = None
        self.index = 0

    def redo(self) -> None:
        self.index = list(self.doc.deal.blocks).index(self.block_id)
        self.block, _ = self.doc.deal.remove_block(self.block_id)

    def undo(self) -> None:
        assert self.block is not None
        self.doc.deal.insert_block(self.block)
        move_to_index(self.doc.deal.blocks, self.block_id, self.index)


class Connect(QUndoCommand):
    def __init__(
        self, doc: DealDocument, conn: Connection, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(f"Connect ({CONNECTION_KINDS[conn.kind]})", parent)
        self.doc, self.conn = doc, conn

    def redo(self) -> None:
        c = self.conn
        self.doc.deal.connect(c.kind, c.source, c.target, conn_id=c.id)

    def undo(self) -> None:
        self.doc.deal.disconnect(self.conn.id)


class Disconnect(Connect):
    def __init__(
        self, doc: DealDocument, conn: Connection, parent: QUndoCommand | None = None
    ) -> None:
        super().__init__(doc, conn, parent)
        self.setText(f"Disconnect ({CONNECTION_KINDS[conn.kind]})")
        self.index = 0

    def redo(self) -> None:
        self.index = list(self.doc.deal.connections).index(self.conn.id)
        super().undo()

    def undo(self) -> None:
        super().redo()
        move_to_index(self.doc.deal.connections, self.conn.id, self.index)


class MoveBlocks(QUndoCommand):
    """Moves blocks from ``old`` to ``new`` positions; consecutive moves of the same blocks
    merge into one undo step."""

    def __init__(
        self,
        doc: DealDocument,
        old: dict[str, Point],
        new: dict[str, Point],
        parent: QUndoCommand | None = None,
    ) -> None:
        super().__init__("Move" if len(new) == 1 else f"Move {len(new)} blocks", parent)
        self.doc, self.old, self.new = doc, dict(old), dict(new)

    def id(self) -> int:
        return MOVE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveBlocks) or set(other.new) != set(self.new):
            return False
        self.new = dict(other.new)
        return True

    def _apply(self, positions: dict[str, Point]) -> None:
        for block_id, pos in positions.items():
            self.doc.deal.move_block(block_id, pos)

    def redo(self) -> None:
        self._apply(self.new)

    def undo(self) -> None:
        self._apply(self.old)


class SetTerm(QUndoCommand):
    def __init__(
        self,
        doc: DealDocument,
        block_id: str,
        name: str,
        value: Any,
        parent: QUndoCommand | None = None,
    ) -> None:
        block = doc.deal.blocks[block_id]
        super().__init__(f"Set {block.title}: {block.spec.field(name).label}", parent)
        self.doc, self.block_id, self.name = doc, block_id, name
        self.old, self.new = block.terms[name], value

    def redo(self) -> None:
        self.doc.deal.set_term(self.block_id, self.name, self.new)

    def undo(self) -> None:
        self.doc.deal.set_term(self.block_id, self.name, self.old)


class Macro(QUndoCommand):
    """One undo step made of several commands: done in order, undone in reverse. The parts
    are held in Python (not as Qt child commands) so their Python ``redo``/``undo`` always
    outlive the step."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.parts: list[QUndoCommand] = []

    def add(self, part: QUndoCommand) -> QUndoCommand:
        self.parts.append(part)
        return part

    def redo(self) -> None:
        for part in self.parts:
            part.redo()

    def undo(self) -> None:
        for part in reversed(self.parts):
            part.undo()


def macro(text: str) -> Macro:
    return Macro(text)


# --------------------------------------------------------------------------- helpers
def push_add(doc: DealDocument, kind: str, terms: dict[str, Any], position: Point) -> str:
    """Add a block (terms are checked first); returns its id."""
    spec = REGISTRY[kind]
    for name, value in terms.items():
        spec.field(name).validate(value, f"terms.{name}")
    cmd = AddBlock(doc, kind, terms, position)
    doc.undo_stack.push(cmd)
    return cmd.block_id


def push_remove(doc: DealDocument, block_ids: list[str], conn_ids: list[str] = ()) -> None:
    """Remove blocks with every connection touching them, plus other given connections."""
    deal = doc.deal
    block_ids = [b for b in block_ids if b in deal.blocks]
    touching = [
        c.id
        for c in deal.connections.values()
        if c.id in conn_ids or c.source in block_ids or c.target in block_ids
    ]
    if not block_ids and not touching:
        return
    what = deal.blocks[block_ids[0]].title if len(block_ids) == 1 else f"{len(block_ids)} blocks"
    parent = macro(f"Remove {what}" if block_ids else "Remove connections")
    for conn_id in touching:
        parent.add(Disconnect(doc, deal.connections[conn_id]))
    for block_id in block_ids:
        parent.add(RemoveBlock(doc, block_id))
    doc.undo_stack.push(parent)


def check_connect(doc: DealDocument, kind: str, source: str, target: str) -> Connection:
    """The connection that would be made; raises ``ConnectionRefused`` (model untouched)."""
    return doc.deal.copy().connect(kind, source, target)


def push_connect(doc: DealDocument, kind: str, source: str, target: str) -> Connection:
    """Connect two blocks; an owner joining the SPV takes its share in the same undo step
    (core.model.ownership.shares_on_joining)."""
    conn = check_connect(doc, kind, source, target)
    trial = doc.deal.copy()
    trial.connect(kind, source, target, conn_id=conn.id)
    shares = shares_on_joining(trial, target, source) if kind == "owns" else {}
    if not shares:
        doc.undo_stack.push(Connect(doc, conn))
        return conn
    parent = macro(f"Connect ({CONNECTION_KINDS[kind]})")
    parent.add(Connect(doc, conn))
    for block_id, share in shares.items():
        name = trial.blocks[block_id].spec.owner_share
        parent.add(SetTerm(doc, block_id, name, share))
    doc.undo_stack.push(parent)
    return conn


def push_move(doc: DealDocument, old: dict[str, Point], new: dict[str, Point]) -> None:
    moved = {k: v for k, v in new.items() if tuple(old.get(k, v)) != tuple(v)}
    if moved:
        doc.undo_stack.push(MoveBlocks(doc, {k: old[k] for k in moved}, moved))


def push_set_term(doc: DealDocument, block_id: str, name: str, value: Any) -> None:
    """Set one term; raises ``DealError`` (with ``reason``) and changes nothing if invalid."""
    block = doc.deal.blocks[block_id]
    value = block.spec.field(name).validate(value, f"blocks[{block_id}].terms.{name}")
    if value != block.terms[name]:
        doc.undo_stack.push(SetTerm(doc, block_id, name, value))


AUTO_LAYOUT_TEXT = "Auto-layout"


def push_auto_layout(doc: DealDocument) -> None:
    """Lay out every block (core.model.layout.auto_layout) as one undoable step."""
    deal = doc.deal
    new = auto_layout(deal)
    old = {k: deal.blocks[k].position for k in new}
    moved = {k: v for k, v in new.items() if tuple(old[k]) != tuple(v)}
    if not moved:
        return
    parent = macro(AUTO_LAYOUT_TEXT)
    parent.add(MoveBlocks(doc, {k: old[k] for k in moved}, moved))
    doc.undo_stack.push(parent)
