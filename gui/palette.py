"""The palette of building blocks. Dragging an entry puts its kind id and preset terms in
``QMimeData`` under :data:`MIME_TYPE`; the canvas decodes it on drop (:func:`decode_mime`) and
adds the block through the same undo command the Insert menu uses."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListView, QListWidget, QListWidgetItem, QWidget

from core.model.blocks import REGISTRY, BlockKind
from gui.icons import icon

MIME_TYPE = "application/x-capstack-block"


@dataclass(frozen=True)
class PaletteEntry:
    key: str
    kind: str
    label: str
    terms: dict[str, Any] = field(default_factory=dict)

    @property
    def tooltip(self) -> str:
        return REGISTRY[self.kind].description


def palette_entries(kinds: Iterable[BlockKind]) -> tuple[PaletteEntry, ...]:
    """One entry per kind in palette order, or its presets in its place."""
    entries: list[PaletteEntry] = []
    for spec in sorted(kinds, key=lambda k: k.palette.order):
        presets = spec.palette.presets
        entries += [PaletteEntry(p.key, spec.id, p.label, dict(p.terms)) for p in presets]
        if not presets:
            entries.append(PaletteEntry(spec.id, spec.id, spec.label))
    return tuple(entries)


#: the entries, from the block kinds' declarations (``BlockKind.palette``)
ENTRIES: tuple[PaletteEntry, ...] = palette_entries(REGISTRY.values())
BY_KEY = {e.key: e for e in ENTRIES}


def mime_for(entry: PaletteEntry) -> QMimeData:
    mime = QMimeData()
    payload = json.dumps({"kind": entry.kind, "terms": entry.terms})
    mime.setData(MIME_TYPE, payload.encode("utf-8"))
    return mime


def decode_mime(mime: QMimeData) -> tuple[str, dict[str, Any]]:
    """``(kind, terms)`` from a palette drag; ``ValueError`` naming what is wrong."""
    if not mime.hasFormat(MIME_TYPE):
        raise ValueError(f"not a CapStack block (no {MIME_TYPE} data)")
    raw = bytes(mime.data(MIME_TYPE).data()).decode("utf-8", "replace")
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"block drag data is not JSON: {exc}") from None
    if not isinstance(payload, dict) or payload.get("kind") not in REGISTRY:
        raise ValueError(f"block drag data names no known block kind: {raw[:80]!r}")
    terms = payload.get("terms") or {}
    if not isinstance(terms, dict):
        raise ValueError(f"block drag data has terms that are not an object: {terms!r}")
    return payload["kind"], terms


def two_lines(label: str) -> str:
    """A label broken at its middle space, for a name under an icon."""
    words = label.split(" ")
    if len(words) < 2:
        return label
    best = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(label) / 2))
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


class Palette(QListWidget):
    """The list of block entries; drag one onto the canvas, or double-click to add it."""

    entryActivated = Signal(object)  # PaletteEntry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("palette")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(QSize(22, 22))
        self.setSpacing(1)
        for entry in ENTRIES:
            item = QListWidgetItem(icon(entry.kind), entry.label)
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            item.setToolTip(entry.tooltip)
            self.addItem(item)
        self.itemActivated.connect(lambda item: self.entryActivated.emit(self.entry(item)))

    def set_compact(self, compact: bool) -> None:
        """Compact: a grid of icons with their names below (every entry fits a laptop's
        left column); otherwise one entry a line."""
        mode = QListView.ViewMode.IconMode if compact else QListView.ViewMode.ListMode
        self.setViewMode(mode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setWordWrap(compact)
        self.setTextElideMode(
            Qt.TextElideMode.ElideNone if compact else Qt.TextElideMode.ElideRight
        )
        self.setIconSize(QSize(18, 18) if compact else QSize(22, 22))
        self.setGridSize(QSize(66, 58) if compact else QSize())
        font = self.font()
        font.setPointSizeF(7.5 if compact else QListWidget().font().pointSizeF())
        self.setFont(font)
        self.setDragEnabled(True)
        for i, entry in enumerate(ENTRIES):
            item = self.item(i)
            item.setText(two_lines(entry.label) if compact else entry.label)
            item.setSizeHint(QSize(64, 56) if compact else QSize())

    def entry(self, item: QListWidgetItem) -> PaletteEntry:
        return BY_KEY[item.data(Qt.ItemDataRole.UserRole)]

    def mimeTypes(self) -> list[str]:  # noqa: N802 - Qt override
        return [MIME_TYPE]

    def mimeData(self, items: list[QListWidgetItem]) -> QMimeData:  # noqa: N802
        return mime_for(self.entry(items[0])) if items else QMimeData()
