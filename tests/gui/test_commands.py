"""Every kind of edit is one undoable command: undo restores the deal exactly, redo redoes."""

from __future__ import annotations

import pytest

from core.files.deal_json import dump_deal
from core.model.errors import ConnectionRefused, DealError
from core.model.layout import auto_layout
from gui.commands import (
    push_add,
    push_auto_layout,
    push_connect,
    push_move,
    push_remove,
    push_set_term,
)
from gui.document import DealDocument


def undo_redo(doc: DealDocument, before: str, after: str) -> None:
    stack = doc.undo_stack
    stack.undo()
    assert dump_deal(doc.deal) == before
    stack.redo()
    assert dump_deal(doc.deal) == after


def test_add_block_undo_redo(doc: DealDocument) -> None:
    before = dump_deal(doc.deal)
    block_id = push_add(doc, "tranche", {"name": "Mezz", "seniority": 2}, (10.0, 20.0))
    block = doc.deal.blocks[block_id]
    assert (block.kind, block.terms["seniority"], block.position) == ("tranche", 2, (10.0, 20.0))
    assert doc.undo_stack.count() == 1
    undo_redo(doc, before, dump_deal(doc.deal))
    assert doc.deal.blocks[block_id].terms["name"] == "Mezz"


def test_add_block_with_bad_terms_changes_nothing(doc: DealDocument) -> None:
    before = dump_deal(doc.deal)
    with pytest.raises(DealError) as err:
        push_add(doc, "tranche", {"notional": -5.0}, (0.0, 0.0))
    assert "at least 0" in err.value.reason
    assert dump_deal(doc.deal) == before
    assert doc.undo_stack.count() == 0


def test_remove_block_removes_and_restores_its_connections(doc: DealDocument) -> None:
    before = dump_deal(doc.deal)
    touching = {c.id for c in doc.deal.connections.values() if "lease" in (c.source, c.target)}
    assert len(touching) == 3  # spv -> lease, lease -> meta, lease secures bonds
    push_remove(doc, ["lease"])
    assert "lease" not in doc.deal.blocks
    assert touching.isdisjoint(doc.deal.connections)
    assert doc.undo_stack.count() == 1  # one macro
    undo_redo(doc, before, dump_deal(doc.deal))


def test_connect_and_disconnect_undo_redo(doc: DealDocument) -> None:
    fleet = push_add(doc, "gpu_fleet", {}, (0.0, 600.0))
    before = dump_deal(doc.deal)
    conn = push_connect(doc, "owns", "spv", fleet)
    assert doc.deal.connections[conn.id] == conn
    assert (conn.kind, conn.source, conn.target) == ("owns", "spv", fleet)
    connected = dump_deal(doc.deal)
    undo_redo(doc, before, connected)
    push_remove(doc, [], [conn.id])
    assert conn.id not in doc.deal.connections
    undo_redo(doc, connected, dump_deal(doc.deal))


def test_refused_connection_touches_nothing(doc: DealDocument) -> None:
    before = dump_deal(doc.deal)
    with pytest.raises(ConnectionRefused, match="cannot link a covenant to a facility"):
        push_connect(doc, "applies_to", "cov", "campus")
    with pytest.raises(ConnectionRefused, match="already connected"):
        push_connect(doc, "owns", "meta", "spv")
    assert dump_deal(doc.deal) == before
    assert doc.undo_stack.count() == 0


def test_moves_merge_and_undo_to_the_start(doc: DealDocument) -> None:
    start = doc.deal.blocks["meta"].position
    push_move(doc, {"meta": start}, {"meta": (50.0, 60.0)})
    push_move(doc, {"meta": (50.0, 60.0)}, {"meta": (70.0, 80.0)})
    assert doc.undo_stack.count() == 1  # consecutive moves of the same block merge
    assert doc.deal.blocks["meta"].position == (70.0, 80.0)
    doc.undo_stack.undo()
    assert doc.deal.blocks["meta"].position == start
    doc.undo_stack.redo()
    assert doc.deal.blocks["meta"].position == (70.0, 80.0)


def test_set_term_undo_redo_and_invalid_value(doc: DealDocument) -> None:
    push_set_term(doc, "bonds", "coupon", 0.07)
    assert doc.deal.blocks["bonds"].terms["coupon"] == 0.07
    doc.undo_stack.undo()
    assert doc.deal.blocks["bonds"].terms["coupon"] == 0.0658
    doc.undo_stack.redo()
    assert doc.deal.blocks["bonds"].terms["coupon"] == 0.07
    with pytest.raises(DealError):
        push_set_term(doc, "bonds", "notional", -1.0)
    assert doc.deal.blocks["bonds"].terms["notional"] == 27300.0
    assert doc.undo_stack.count() == 1


def test_auto_layout_is_one_undoable_step(doc: DealDocument) -> None:
    doc.deal.move_block("meta", (999.0, 999.0))  # out of place before the layout
    before = dump_deal(doc.deal)
    expected = auto_layout(doc.deal)
    push_auto_layout(doc)
    assert {k: b.position for k, b in doc.deal.blocks.items()} == expected
    assert doc.undo_stack.count() == 1
    undo_redo(doc, before, dump_deal(doc.deal))


def test_document_signals_follow_the_model(doc: DealDocument) -> None:
    seen: list[str] = []
    doc.blockAdded.connect(lambda b: seen.append(f"add {b.id}"))
    doc.connectionRemoved.connect(lambda c: seen.append(f"disconnect {c.id}"))
    doc.blockRemoved.connect(lambda b: seen.append(f"remove {b.id}"))
    doc.termsChanged.connect(lambda b, n: seen.append(f"set {b.id}.{n}"))
    changes: list[int] = []
    doc.changed.connect(lambda: changes.append(1))
    block_id = push_add(doc, "reserve", {}, (0.0, 0.0))
    push_set_term(doc, block_id, "target_months", 3)
    push_remove(doc, [block_id])
    assert seen == [f"add {block_id}", f"set {block_id}.target_months", f"remove {block_id}"]
    assert len(changes) == 3
    assert doc.is_modified()
