"""The canvas follows the model, and mouse/keyboard/drop edits go through undo commands.
Assertions are on the deal, not on pixels."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QDropEvent, QWheelEvent
from PySide6.QtTest import QTest

from core.model.rules import ALLOWED
from gui.canvas.block_item import CARD_HEIGHT, CARD_WIDTH
from gui.canvas.interactions import fitting_kinds
from gui.palette import BY_KEY, ENTRIES, MIME_TYPE, decode_mime


def drop_event(window, key: str, scene_pos: QPointF) -> tuple[QDropEvent, QMimeData]:  # noqa: ANN001
    """A drop of a palette entry; the caller keeps the MIME data alive while it is used."""
    palette = window.palette
    item = palette.item([e.key for e in ENTRIES].index(key))
    mime = palette.mimeData([item])
    view_pos = QPointF(window.view.mapFromScene(scene_pos))
    event = QDropEvent(
        view_pos,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    return event, mime


def scene_point_to_viewport(window, scene_pos: QPointF) -> QPoint:  # noqa: ANN001
    return window.view.mapFromScene(scene_pos)


def test_scene_has_one_item_per_block_and_connection(window) -> None:  # noqa: ANN001
    deal = window.document.deal
    assert set(window.scene.blocks) == set(deal.blocks)
    assert set(window.scene.links) == set(deal.connections)
    for block_id, item in window.scene.blocks.items():
        assert (item.pos().x(), item.pos().y()) == deal.blocks[block_id].position


def test_palette_mime_carries_kind_and_preset_terms(window) -> None:  # noqa: ANN001
    for rank, key in enumerate(("senior", "mezzanine", "junior"), start=1):
        item = window.palette.item([e.key for e in ENTRIES].index(key))
        mime = window.palette.mimeData([item])
        payload = json.loads(bytes(mime.data(MIME_TYPE).data()))
        assert payload == {"kind": "tranche", "terms": BY_KEY[key].terms}
        assert payload["terms"]["seniority"] == rank


def test_drop_from_palette_adds_block_through_undo(window) -> None:  # noqa: ANN001
    deal = window.document.deal
    count = len(deal.blocks)
    target = QPointF(300.0, 500.0)
    event, _mime = drop_event(window, "mezzanine", target)
    window.view.dropEvent(event)
    assert event.isAccepted()
    assert len(deal.blocks) == count + 1
    (new,) = [b for b in deal.blocks.values() if b.terms.get("name") == "Mezzanine notes"]
    assert new.terms["seniority"] == 2
    # the card is centred where it was dropped (within a pixel of view rounding)
    assert abs(new.position[0] + CARD_WIDTH / 2 - target.x()) <= 1.0
    assert abs(new.position[1] + CARD_HEIGHT / 2 - target.y()) <= 1.0
    assert new.id in window.scene.blocks
    window.document.undo_stack.undo()
    assert new.id not in deal.blocks and new.id not in window.scene.blocks


def test_drop_of_foreign_data_is_refused_with_a_message(window) -> None:  # noqa: ANN001
    mime = QMimeData()
    mime.setData(MIME_TYPE, b'{"kind": "rocket"}')
    count = len(window.document.deal.blocks)
    assert window.view.drop(mime, QPointF(0, 0)) is None
    assert len(window.document.deal.blocks) == count
    assert "no known block kind" in window.statusBar().currentMessage()


def test_decode_mime_rejects_text() -> None:
    mime = QMimeData()
    mime.setText("hello")
    try:
        decode_mime(mime)
    except ValueError as exc:
        assert MIME_TYPE in str(exc)
    else:  # pragma: no cover - the assertion is the test
        raise AssertionError("plain text was accepted as a block")


def drag_link(window, source: str, target: str) -> None:  # noqa: ANN001
    """Press on the source card's handle, move to the target card, release."""
    src = window.scene.blocks[source]
    dst = window.scene.blocks[target]
    start = scene_point_to_viewport(window, src.mapToScene(src.handle_center()))
    end = scene_point_to_viewport(window, dst.mapToScene(dst.card_rect().center()))
    viewport = window.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def test_drag_from_handle_connects_with_the_suggested_kind(window) -> None:  # noqa: ANN001
    deal = window.document.deal
    window.view.drop_at("gpu_fleet", {}, QPointF(0.0, 700.0))
    fleet = next(b.id for b in deal.blocks.values() if b.kind == "gpu_fleet")
    window.view.fit_to_view()
    before = set(deal.connections)
    drag_link(window, "spv", fleet)
    (new,) = set(deal.connections) - before
    conn = deal.connections[new]
    assert (conn.kind, conn.source, conn.target) == ("owns", "spv", fleet)
    assert new in window.scene.links
    assert "owns" in window.statusBar().currentMessage()


def test_reverse_drag_connects_the_way_that_makes_sense(window) -> None:  # noqa: ANN001
    deal = window.document.deal
    window.scene.connect_blocks("bonds", "opex")  # nothing links these either way
    assert "refused" in window.statusBar().currentMessage()
    window.scene.connect_blocks("dsra", "bonds")  # reserve secures tranche
    conn = list(deal.connections.values())[-1]
    assert (conn.kind, conn.source, conn.target) == ("secures", "dsra", "bonds")


def test_invalid_connection_is_refused_in_the_status_bar(window) -> None:  # noqa: ANN001
    deal = window.document.deal
    before = dict(deal.connections)
    drag_link(window, "cov", "campus")
    assert deal.connections == before
    assert window.document.undo_stack.count() == 0
    message = window.statusBar().currentMessage()
    assert message == "Connection refused: a Covenants cannot be connected to a Facility"
    window.scene.connect_blocks("meta", "spv")  # already owns it
    assert "already connected" in window.statusBar().currentMessage()


def test_several_fitting_kinds_are_offered(window, monkeypatch) -> None:  # noqa: ANN001
    offered: list[list[str]] = []
    monkeypatch.setitem(ALLOWED, "guarantees", ALLOWED["guarantees"] | {("sponsor", "spv")})
    window.scene.choose_kind = lambda kinds: offered.append(kinds) or "guarantees"
    assert fitting_kinds("sponsor", "spv") == ["owns", "guarantees"]
    window.scene.connect_blocks("blue_owl", "spv")  # equity -> spv: only owns fits, no menu
    assert offered == []
    window.scene.connect_blocks("meta", "spv")  # now two kinds fit: the menu's choice is used
    assert offered == [["owns", "guarantees"]]
    conn = list(window.document.deal.connections.values())[-1]
    assert (conn.kind, conn.source, conn.target) == ("guarantees", "meta", "spv")
    window.document.undo_stack.undo()
    window.scene.choose_kind = lambda kinds: None  # menu dismissed: nothing happens
    count = len(window.document.deal.connections)
    window.scene.connect_blocks("meta", "spv")
    assert len(window.document.deal.connections) == count
    assert window.statusBar().currentMessage() == "Connection cancelled"
    window.scene.connect_blocks("meta", "meta")
    assert "itself" in window.statusBar().currentMessage()


def test_delete_key_removes_selection_with_its_connections(window, qtbot) -> None:  # noqa: ANN001
    deal = window.document.deal
    window.scene.select_blocks(["lease"])
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_Delete)
    assert "lease" not in deal.blocks
    assert all("lease" not in (c.source, c.target) for c in deal.connections.values())
    window.document.undo_stack.undo()
    assert "lease" in deal.blocks and "lease" in window.scene.blocks
    assert sum("lease" in (c.source, c.target) for c in deal.connections.values()) == 3


def test_mouse_drag_moves_blocks_as_one_undoable_command(window) -> None:  # noqa: ANN001
    deal = window.document.deal
    window.view.fit_to_view()
    item = window.scene.blocks["cov"]
    start_pos = deal.blocks["cov"].position
    start = scene_point_to_viewport(window, item.mapToScene(QPointF(60, 60)))
    end = start + QPoint(40, 30)
    viewport = window.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 5):
        QTest.mouseMove(viewport, start + (end - start) * step / 4)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    moved = deal.blocks["cov"].position
    assert moved != start_pos
    assert moved == (item.pos().x(), item.pos().y())
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert deal.blocks["cov"].position == start_pos
    assert (item.pos().x(), item.pos().y()) == start_pos


def test_rubber_band_and_ctrl_click_select_several(window) -> None:  # noqa: ANN001
    window.view.fit_to_view()
    view, viewport = window.view, window.view.viewport()
    top_left = view.mapFromScene(QPointF(-20, -20))
    bottom_right = view.mapFromScene(QPointF(CARD_WIDTH + 20, 150 + CARD_HEIGHT + 20))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, top_left)
    QTest.mouseMove(viewport, (top_left + bottom_right) / 2)
    QTest.mouseMove(viewport, bottom_right)
    QTest.mouseRelease(
        viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, bottom_right
    )
    assert set(window.scene.selected_block_ids()) == {"meta", "blue_owl"}
    spv = window.scene.blocks["spv"]
    click = view.mapFromScene(spv.mapToScene(QPointF(60, 60)))
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, ctrl, click)
    assert set(window.scene.selected_block_ids()) == {"meta", "blue_owl", "spv"}


def test_zoom_keys_wheel_and_fit(window) -> None:  # noqa: ANN001
    view = window.view
    view.resetTransform()
    QTest.keyClick(view, Qt.Key.Key_Plus)
    assert view.zoom() == 1.2
    QTest.keyClick(view, Qt.Key.Key_Minus)
    assert abs(view.zoom() - 1.0) < 1e-9
    centre = QPointF(view.viewport().rect().center())
    wheel = QWheelEvent(
        centre,
        QPointF(view.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    view.wheelEvent(wheel)
    assert abs(view.zoom() - 1.2) < 1e-9
    view.fit_to_view()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(window.scene.itemsBoundingRect())


def test_pan_moves_the_scrollbars(window) -> None:  # noqa: ANN001
    view = window.view
    view.resetTransform()
    view.zoom_by(3.0)
    h = view.horizontalScrollBar()
    h.setValue((h.minimum() + h.maximum()) // 2)
    before = h.value()
    viewport = view.viewport()
    QTest.mousePress(
        viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(400, 300)
    )
    QTest.mouseMove(viewport, QPoint(350, 300))
    QTest.mouseRelease(
        viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(350, 300)
    )
    assert h.value() == before + 50
    v = view.verticalScrollBar()
    v.setValue((v.minimum() + v.maximum()) // 2)
    top = v.value()
    view.setFocus()
    QTest.keyPress(view, Qt.Key.Key_Space)  # space + left drag pans too, selecting nothing
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mousePress(viewport, left, none, QPoint(400, 300))
    QTest.mouseMove(viewport, QPoint(400, 270))
    QTest.mouseRelease(viewport, left, none, QPoint(400, 270))
    QTest.keyRelease(view, Qt.Key.Key_Space)
    assert v.value() == top + 30
    assert window.document.undo_stack.count() == 0


def test_card_shows_key_terms(window) -> None:  # noqa: ANN001
    bonds = window.scene.blocks["bonds"]
    assert bonds.title == "144A senior secured bonds"
    assert bonds.lines[0] == "USD 27,300m, 6.58% fixed"
    lease = window.scene.blocks["lease"]
    assert lease.lines[0] == "Tenant: Meta Platforms"
    from gui.commands import push_set_term

    push_set_term(window.document, "meta", "name", "Meta")
    assert lease.lines[0] == "Tenant: Meta"  # the lease card follows its tenant's name


def test_link_labels_do_not_overlap(qtbot) -> None:  # noqa: ANN001
    """On the TeraWulf sample two links cross near their middles: their labels slide apart
    along the lines; after a block is moved they are spread again."""
    from core.files.deal_json import load_deal
    from gui.canvas.scene import CanvasScene
    from gui.document import DealDocument
    from tests.gui.conftest import DEALS

    doc = DealDocument(load_deal(DEALS / "terawulf_backstop.json"))
    scene = CanvasScene(doc)

    def overlaps() -> list[tuple[str, str]]:
        links = sorted(scene.links.values(), key=lambda item: item.conn_id)
        return [
            (a.conn_id, b.conn_id)
            for i, a in enumerate(links)
            for b in links[i + 1 :]
            if a.label_rect().intersects(b.label_rect())
        ]

    assert not overlaps()
    assert any(link.label_at != 0.5 for link in scene.links.values())  # some had to move
    doc.deal.move_block("spv", (300.0, 140.0))
    assert not overlaps()
