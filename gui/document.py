"""The open deal: owns the core ``Deal``, its undo stack and file path, and re-emits the
deal's plain-Python observer events as Qt signals (the scene and panels follow these)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from core.model.deal import Deal


def new_deal() -> Deal:
    """An empty deal holding just an SPV (File > New)."""
    deal = Deal("Untitled deal")
    deal.add_block("spv", {"name": "SPV"}, (480.0, 0.0), block_id="spv")
    return deal


class DealDocument(QObject):
    """The deal being edited. Every model change arrives as one specific signal and then
    ``changed``; ``replaced`` (then ``changed``) when a whole new deal is loaded."""

    blockAdded = Signal(object)  # Block
    blockRemoved = Signal(object)  # Block
    blockMoved = Signal(object)  # Block
    termsChanged = Signal(object, str)  # Block, field name
    connectionAdded = Signal(object)  # Connection
    connectionRemoved = Signal(object)  # Connection
    dealRenamed = Signal()
    replaced = Signal()
    pathChanged = Signal(str)
    modifiedChanged = Signal(bool)
    changed = Signal()

    def __init__(
        self, deal: Deal | None = None, path: str | None = None, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._undo = QUndoStack(self)
        self._deal = deal if deal is not None else new_deal()
        self._path = path
        self._source: str | None = None  # an imported workbook or the sample it came from
        self._unsaved_load = False  # a recovered or imported deal: unsaved without any edit
        #: the last sizing applied (Size debt…: SizingResult.to_dict()), which Export Excel
        #: records on the workbook's Sizing sheet; None after another deal is opened
        self.sizing: dict | None = None
        self._deal.subscribe(self._on_event)
        self._undo.cleanChanged.connect(self._on_clean_changed)

    # ----------------------------------------------------------------- properties
    @property
    def deal(self) -> Deal:
        return self._deal

    @property
    def path(self) -> str | None:
        return self._path

    @property
    def read_from(self) -> list[str]:
        """The files this deal was read from: its own deal file and, when it was imported or
        opened as a template, that workbook or sample (no save dialog may write over them)."""
        return [p for p in dict.fromkeys((self._path, self._source)) if p]

    @property
    def undo_stack(self) -> QUndoStack:
        return self._undo

    def is_modified(self) -> bool:
        return self._unsaved_load or not self._undo.isClean()

    def _on_clean_changed(self, _clean: bool) -> None:
        self._emit_modified()

    def _emit_modified(self) -> None:
        self.modifiedChanged.emit(self.is_modified())

    def set_path(self, path: str | None) -> None:
        """Record where the deal was saved; marks it unmodified."""
        self._path = path
        self._unsaved_load = False
        self._undo.setClean()
        self.pathChanged.emit(path or "")
        self._emit_modified()

    def replace_deal(
        self, deal: Deal, path: str | None, *, modified: bool = False, source: str | None = None
    ) -> None:
        """Swap in another deal (open / new / recover / import): clears the undo history.
        ``modified``: the deal is not saved anywhere yet (recovered or imported); ``source``:
        the workbook it was imported from or the sample it was opened from."""
        self._deal.unsubscribe(self._on_event)
        self._deal = deal
        self._deal.subscribe(self._on_event)
        self._undo.clear()
        self._path = path
        self._source = source
        self._unsaved_load = modified
        self.sizing = None
        self._emit_modified()
        self.replaced.emit()
        self.pathChanged.emit(path or "")
        self.changed.emit()

    # ----------------------------------------------------------------- bridge
    def _on_event(self, event: str, payload: Any) -> None:
        if event == "block_added":
            self.blockAdded.emit(payload)
        elif event == "block_removed":
            self.blockRemoved.emit(payload)
        elif event == "block_moved":
            self.blockMoved.emit(payload)
        elif event == "terms_changed":
            self.termsChanged.emit(payload[0], payload[1])
        elif event == "connection_added":
            self.connectionAdded.emit(payload)
        elif event == "connection_removed":
            self.connectionRemoved.emit(payload)
        elif event == "deal_changed":
            self.dealRenamed.emit()
        self.changed.emit()
