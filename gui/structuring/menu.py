"""The Structure menu: Size debt… (on the selected tranche), Optimise structure…, Sensitivity
tornado…, each a dialog of gui.structuring."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QMenu, QMessageBox

if TYPE_CHECKING:
    from gui.main_window import MainWindow


def selected_tranche(w: MainWindow) -> str | None:
    """The one tranche selected on the canvas, if any."""
    ids = [i for i in w.scene.selected_block_ids() if w.document.deal.blocks[i].kind == "tranche"]
    return ids[0] if len(ids) == 1 else None


def _open(w: MainWindow, make) -> None:  # noqa: ANN001
    w.commit_edits()
    if not w.document.deal.of_kind("tranche"):
        QMessageBox.information(w, "Structure", "The deal has no debt tranche to structure.")
        return
    dialog = make()
    w._structuring_dialog = dialog  # keep it alive while open
    dialog.show()
    return dialog


def size_debt(w: MainWindow, tranche: str | None = None):  # noqa: ANN201
    """The Size debt dialog on ``tranche`` (default: the one selected on the canvas)."""
    from gui.structuring.size_dialog import SizeDialog

    return _open(w, lambda: SizeDialog(w.document, tranche or selected_tranche(w), w))


def optimise_structure(w: MainWindow):  # noqa: ANN201
    from gui.structuring.optimise_dialog import OptimiseDialog

    return _open(w, lambda: OptimiseDialog(w.document, w))


def sensitivity_tornado(w: MainWindow):  # noqa: ANN201
    from gui.structuring.tornado_dialog import TornadoDialog

    def make():  # noqa: ANN202
        dialog = TornadoDialog(w.document, parent=w)
        dialog.compute()
        return dialog

    return _open(w, make)


class TrancheMenu(QObject):
    """Right-click on a tranche on the canvas: "Size debt…" for that tranche (an event filter
    on the canvas view; the canvas itself is not changed)."""

    def __init__(self, w: MainWindow) -> None:
        super().__init__(w)
        self.w = w
        self.show_menu = lambda menu, pos: menu.exec(pos)  # replaced in tests
        w.view.viewport().installEventFilter(self)

    def tranche_at(self, event: QContextMenuEvent) -> str | None:
        item = self.w.scene.block_at(self.w.view.mapToScene(event.pos()))
        return item.block_id if item is not None and item.kind == "tranche" else None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() != QEvent.Type.ContextMenu:
            return False
        tid = self.tranche_at(event)
        if tid is None:
            return False
        menu = QMenu(self.w.view)
        menu.addAction("Size debt…", lambda: size_debt(self.w, tid))
        self.show_menu(menu, event.globalPos())
        return True


def add_structure_menu(w: MainWindow, add_action) -> None:  # noqa: ANN001
    """The Structure menu of ``w`` (``add_action`` as in gui.menus) and the tranche's
    right-click "Size debt…"."""
    w._tranche_menu = TrancheMenu(w)
    menu = w.menuBar().addMenu("&Structure")
    add_action(w, "size_debt", "&Size debt…", lambda: size_debt(w), None, menu)
    add_action(w, "optimise", "&Optimise structure…", lambda: optimise_structure(w), None, menu)
    add_action(w, "tornado", "Sensitivity &tornado…", lambda: sensitivity_tornado(w), None, menu)
