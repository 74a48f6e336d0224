"""The main window: canvas in the centre, palette and deal check left, properties right,
result docks (``gui.results.docks``, when present) below; menus, toolbar, status bar, files,
unsaved-changes prompts, autosave recovery and remembered layout."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType

import shiboken6
from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from core.engine.credit_check import credit_findings
from core.files.deal_json import load_deal, save_deal
from core.model.deal import Deal
from core.model.errors import DealError
from gui import autosave, clipboard, file_guard, screen_layout
from gui import help as help_windows
from gui.canvas.scene import CanvasScene
from gui.canvas.view import CanvasView
from gui.commands import AUTO_LAYOUT_TEXT, push_auto_layout
from gui.compare_window import CompareWindow
from gui.deal_check import DealCheck
from gui.document import DealDocument, new_deal
from gui.menus import build_menus, is_sample, optional_module
from gui.palette import Palette, PaletteEntry
from gui.portfolio_window import PortfolioWindow
from gui.properties import PropertyPanel

MAX_RECENT = 8
FILE_FILTER = "CapStack deal (*.json);;All files (*)"


class MainWindow(QMainWindow):
    def __init__(
        self,
        deal: Deal | None = None,
        path: str | None = None,
        *,
        offer_recovery: bool = True,
        restore_layout: bool = True,
        with_results: bool = True,
        autosave_enabled: bool = True,
    ) -> None:
        """``restore_layout``: restore and remember the window layout (QSettings);
        ``autosave_enabled``: write the recovery file (off for --screenshot runs)."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.document = DealDocument(deal, path, self)
        self.scene = CanvasScene(self.document, parent=self)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.palette = Palette()
        self.properties = PropertyPanel(self.document)
        self.deal_check = DealCheck(self.scene.select_blocks)
        self.docks = {
            "palette": self._dock("Blocks", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea),
            "check": self._dock(
                "Deal check", self.deal_check, Qt.DockWidgetArea.LeftDockWidgetArea
            ),
            "properties": self._dock(
                "Properties", self.properties, Qt.DockWidgetArea.RightDockWidgetArea
            ),
        }
        self.actions_by_name: dict[str, QAction] = {}
        self.toolbar = self.addToolBar("Main")
        self.toolbar.setObjectName("mainToolbar")
        self.addToolBarBreak()
        self.results = self._results_docks() if with_results else None
        self._guide: help_windows.GuideDialog | None = None
        self._undo_index = 0
        self._check_timer = QTimer(self, interval=300, singleShot=True, timeout=self.refresh_check)
        build_menus(self)
        self._connect()
        self.resize(1600, 1000)
        self.resizeDocks(
            [self.docks["palette"], self.docks["properties"]], [230, 340], Qt.Orientation.Horizontal
        )
        self.resizeDocks(
            [self.docks["palette"], self.docks["check"]], [440, 160], Qt.Orientation.Vertical
        )
        self.remember_layout = restore_layout
        if restore_layout:  # the real application: sized for the screen it opens on
            screen_layout.place(self, self._restore_layout())
        self.autosaver: autosave.AutoSaver | None = None
        if offer_recovery and autosave.has_recovery():
            self._offer_recovery()
        if autosave_enabled:
            self.autosaver = autosave.AutoSaver(self.document, self)
            self.sweep_temporaries()
        self._update_title()
        self.refresh_check()
        QTimer.singleShot(0, self.view.fit_to_view)

    # ----------------------------------------------------------------- construction
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _docks_in(self, area: Qt.DockWidgetArea) -> list[QDockWidget]:
        return [
            d
            for d in self.findChildren(QDockWidget)
            if self.dockWidgetArea(d) == area and not d.isHidden()
        ]

    def _results_docks(self) -> object | None:
        module = optional_module("gui.results.docks")
        if module is None or not hasattr(module, "ResultsDocks"):
            return None
        results = module.ResultsDocks(self, self.document)
        results.message.connect(self.show_message)
        area = Qt.DockWidgetArea
        bottom = self._docks_in(area.BottomDockWidgetArea)
        if bottom:
            self.resizeDocks(bottom[:1], [330], Qt.Orientation.Vertical)
        right = self._docks_in(area.RightDockWidgetArea)  # properties first, then results
        if len(right) > 1:
            share = [300] + [400 // (len(right) - 1)] * (len(right) - 1)
            self.resizeDocks(right, share, Qt.Orientation.Vertical)
        return results

    def _connect(self) -> None:
        self.scene.message.connect(self.show_message)
        self.scene.selectionChanged.connect(self._selection_changed)
        self.palette.entryActivated.connect(self.insert_block)
        self.document.modifiedChanged.connect(lambda _m: self._update_title())
        self.document.pathChanged.connect(lambda _p: self._update_title())
        self.document.dealRenamed.connect(self._update_title)
        self.document.changed.connect(self._check_timer.start)
        self.document.undo_stack.indexChanged.connect(self._undo_index_changed)
        self.document.replaced.connect(lambda: self.deal_check.set_credit(None))
        if self.results is not None:
            self.results.resultReady.connect(self._credit_check)

    # ----------------------------------------------------------------- small slots
    def commit_edits(self) -> None:
        """Apply a term typed in the property panel but not confirmed yet, so that saving,
        closing and the exports see the deal as shown."""
        if shiboken6.isValid(self.properties):
            self.properties.commit_pending()

    def _report_of(self) -> tuple[Deal, str | None, bool]:
        """The deal, its file and whether the file holds it as shown (for the report header)."""
        self.commit_edits()
        doc = self.document
        return doc.deal, doc.path, not doc.is_modified()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10_000)

    def _update_title(self) -> None:
        where = os.path.basename(self.document.path) if self.document.path else "not saved"
        self.setWindowTitle(f"{self.document.deal.name} — {where}[*] — CapStack")
        self.setWindowModified(self.document.is_modified())

    def _selection_changed(self) -> None:
        if not (shiboken6.isValid(self.scene) and shiboken6.isValid(self.properties)):
            return  # the window is being destroyed
        ids = self.scene.selected_block_ids()
        self.properties.show_block(ids[0] if len(ids) == 1 else None)

    def refresh_check(self) -> tuple[int, int]:
        return self._show_check(self.deal_check.refresh(self.document.deal))

    def _credit_check(self, result: object) -> None:
        """The credit findings of a base-case result (a stressed one is not the deal's)."""
        if self.results is not None and self.results.stress is None:
            self._show_check(self.deal_check.set_credit(credit_findings(result)))

    def _show_check(self, counts: tuple[int, int]) -> tuple[int, int]:
        errors, warnings = counts
        status = f"{errors} errors, {warnings} warnings" if errors or warnings else "ok"
        self.docks["check"].setWindowTitle(f"Deal check ({status})")
        return errors, warnings

    def insert_block(self, entry: PaletteEntry) -> None:
        """Add a palette entry at the centre of the visible canvas (menu / double-click)."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        self.view.drop_at(entry.kind, entry.terms, centre)

    def _auto_layout(self) -> None:
        push_auto_layout(self.document)
        self.view.fit_to_view()

    def _undo_index_changed(self, index: int) -> None:
        """Undoing or redoing an auto-layout moves every block: show them all again."""
        stack, before = self.document.undo_stack, self._undo_index
        self._undo_index = index
        command = stack.command(min(before, index)) if before != index else None
        if command is not None and command.text() == AUTO_LAYOUT_TEXT:
            QTimer.singleShot(0, self.view.fit_to_view)

    # ----------------------------------------------------------------- clipboard
    def copy_selection(self) -> int:
        n = clipboard.copy_to_clipboard(self.document.deal, self.scene.selected_block_ids())
        self.show_message(f"Copied {n} block(s)" if n else "Select blocks to copy")
        return n

    def cut_selection(self) -> None:
        if self.copy_selection():
            self.scene.delete_selected()

    def paste(self, payload: dict | None = None) -> list[str]:
        """Paste the blocks on the clipboard (or ``payload``) beside the originals."""
        payload = payload or clipboard.clipboard_payload()
        if payload is None:
            self.show_message("Nothing to paste: copy blocks first")
            return []
        try:
            ids = clipboard.push_paste(self.document, payload)
        except (DealError, KeyError, ValueError, TypeError) as exc:
            self.show_message(f"Cannot paste: {exc}")
            return []
        self.scene.select_blocks(ids)
        self.show_message(f"Pasted {len(ids)} block(s)")
        return ids

    def duplicate_selection(self) -> list[str]:
        ids = self.scene.selected_block_ids()
        if not ids:
            self.show_message("Select blocks to duplicate")
            return []
        return self.paste(clipboard.selection_payload(self.document.deal, ids))

    # ----------------------------------------------------------------- compare
    def compare(
        self,
        a: Deal,
        b: Deal,
        names: tuple[str, str],
        inputs: Iterable[str] = (),
        apply: Callable[[], object] | None = None,
    ) -> CompareWindow:
        """Open a compare window of ``a`` and ``b`` (kept open beside the main window);
        ``inputs``: files B was read from, besides the open deal's; ``apply``: see
        :class:`CompareWindow`."""
        inputs = [*self.document.read_from, *inputs]
        window = CompareWindow(a, b, names, self, inputs=inputs, apply=apply)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        window.refresh()
        return window

    def _load_for_compare(self, path: str) -> Deal | None:
        try:
            return load_deal(path, check=False)
        except (DealError, OSError) as exc:
            QMessageBox.warning(self, "Cannot open deal", str(exc))
            return None

    def compare_with_file(self, path: str | None = None) -> CompareWindow | None:
        """A: the deal as shown; B: another deal file."""
        self.commit_edits()
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Compare with deal", self._last_dir(), FILE_FILTER
            )
            if not path:
                return None
        other = self._load_for_compare(path)
        if other is None:
            return None
        here = os.path.basename(self.document.path) if self.document.path else "this deal"
        names = (here, os.path.basename(path))
        return self.compare(self.document.deal.copy(), other, names, inputs=[path])

    def compare_with_saved(self) -> CompareWindow | None:
        """A: the deal as last saved; B: the deal as edited since."""
        self.commit_edits()
        path = self.document.path
        if path is None:
            self.show_message("The deal has not been saved yet: nothing to compare it with")
            return None
        saved = self._load_for_compare(path)
        if saved is None:
            return None
        name = os.path.basename(path)
        return self.compare(saved, self.document.deal.copy(), (f"{name} (saved)", "as edited"))

    # ----------------------------------------------------------------- portfolio
    def open_portfolio(self, path: str | None = None) -> PortfolioWindow | None:
        """A portfolio window of a book file (docs/portfolio.md), beside the main window;
        double-clicking a deal there opens it here."""
        from core.files.portfolio_json import load_book

        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Open portfolio", self._last_dir(), "Portfolio (*.json);;All files (*)"
            )
            if not path:
                return None
        try:
            book = load_book(path)
        except (DealError, OSError) as exc:
            QMessageBox.warning(self, "Cannot open portfolio", str(exc))
            return None
        window = PortfolioWindow(book, path, self.open_path, self)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        window.show()
        return window

    # ----------------------------------------------------------------- help
    def show_guide(self) -> help_windows.GuideDialog:
        if self._guide is None:
            self._guide = help_windows.GuideDialog(self)
        self._guide.show()
        self._guide.raise_()
        return self._guide

    def show_shortcuts(self) -> help_windows.ShortcutsDialog:
        actions = [a for m in self.menuBar().actions() if m.menu() for a in m.menu().actions()]
        dialog = help_windows.ShortcutsDialog(actions, self)
        dialog.show()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About CapStack",
            "CapStack: structure, stress and document AI-infrastructure financings.\n"
            "Help > First deal guide walks through a deal; Help > Keyboard shortcuts lists "
            "every key.",
        )

    # ----------------------------------------------------------------- files
    def maybe_save(self) -> bool:
        """Ask about unsaved changes; False if the user cancelled (or the save failed)."""
        self.commit_edits()
        if not self.document.is_modified():
            return True
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to {self.document.deal.name}?",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def new_file(self) -> None:
        if self.maybe_save():
            self.set_deal(new_deal(), None)

    def open_dialog(self) -> None:
        if self.maybe_save():
            path, _ = QFileDialog.getOpenFileName(self, "Open deal", self._last_dir(), FILE_FILTER)
            if path:
                self.open_path(path, ask=False)

    def open_path(self, path: str, *, ask: bool = True) -> bool:
        """Open a deal file (drafts too: issues go to the deal check); False on failure."""
        if is_sample(path):
            return self.open_sample(path, ask=ask)
        if ask and not self.maybe_save():
            return False
        try:
            deal = load_deal(path, check=False)
        except (DealError, OSError) as exc:
            QMessageBox.warning(self, "Cannot open deal", str(exc))
            if not os.path.exists(path):  # a recent file that has gone
                recent = [p for p in self.recent_files() if p != os.path.abspath(path)]
                self._settings().setValue("recent_files", recent)
            return False
        self.set_deal(deal, path)
        self._add_recent(path)
        return True

    def open_sample(self, path: str, *, ask: bool = True) -> bool:
        """Open a shipped sample as an unsaved copy (Save asks where; samples stay intact)."""
        if ask and not self.maybe_save():
            return False
        try:
            deal = load_deal(path, check=False)
        except (DealError, OSError) as exc:
            QMessageBox.warning(self, "Cannot open sample", str(exc))
            return False
        self.set_deal(deal, None, source=path)
        return True

    def set_deal(
        self, deal: Deal, path: str | None, *, modified: bool = False, source: str | None = None
    ) -> None:
        """Show another deal; ``modified``: it is not saved anywhere yet (recovered, imported);
        ``source``: the workbook or sample it was read from (never written over)."""
        if not modified and self.autosaver is not None:
            autosave.discard_recovery()  # the work it held was saved or discarded just now
        self.document.replace_deal(deal, path, modified=modified, source=source)
        self._update_title()
        errors, warnings = self.refresh_check()
        self.show_message(
            f"Opened {deal.name}: {errors} errors, {warnings} warnings in the deal check"
        )
        QTimer.singleShot(0, self.view.fit_to_view)

    def save(self) -> bool:
        if self.document.path is None:
            return self.save_as()
        return self.save_to(self.document.path)

    def save_as(self) -> bool:
        start = self.document.path or os.path.join(self._last_dir(), "deal.json")
        path, _ = QFileDialog.getSaveFileName(self, "Save deal as", start, FILE_FILTER)
        if not path:
            return False
        return self.save_to(path if path.lower().endswith(".json") else path + ".json")

    def save_to(self, path: str) -> bool:
        """Save atomically; on failure the message names the file and nothing is changed."""
        self.commit_edits()
        if is_sample(path):
            QMessageBox.warning(
                self,
                "Cannot save deal",
                f"{path} is a sample shipped with CapStack; save the deal under another name.",
            )
            return False
        doc = self.document
        others = [p for p in doc.read_from if p != doc.path]  # its own file it may replace
        if file_guard.refused(self, path, others, "deal file", "Cannot save deal"):
            return False
        try:
            save_deal(self.document.deal, path)
        except (OSError, ValueError) as exc:
            QMessageBox.critical(self, "Cannot save deal", f"{path}: {exc}")
            return False
        self.document.set_path(path)
        autosave.discard_recovery()
        self._add_recent(path)
        self.show_message(f"Saved {path}")
        return True

    def _import_excel(self, excel: ModuleType | None) -> None:
        if excel is not None and self.maybe_save():
            picked = excel.import_excel_file(self)
            if picked is not None:
                self.set_deal(picked[0], None, modified=True, source=picked[1])

    def _offer_recovery(self) -> None:
        path = autosave.recovered_file()
        what = (
            f"the unsaved changes to {os.path.basename(path)} ({path})"
            if path
            else ("the deal that was being edited (never saved)")
        )
        answer = QMessageBox.question(
            self,
            "Recover unsaved work",
            f"CapStack did not close cleanly last time. Restore {what}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer == QMessageBox.StandardButton.Yes:
            try:
                self.set_deal(autosave.load_recovery(), path, modified=True)
                return
            except (DealError, OSError) as exc:
                QMessageBox.warning(self, "Cannot recover", str(exc))
        autosave.discard_recovery()

    def sweep_temporaries(self) -> list[str]:
        """Remove what saves killed half way (a crash, kill -9) left in the folders of the
        recent files, the open deal and the recovery file; returns the files removed."""
        folders = [*self.recent_files(), *self.document.read_from, str(autosave.recovery_dir())]
        removed = file_guard.sweep_folders(folders)
        if removed:
            self.show_message(f"Removed {len(removed)} temporary file(s) of interrupted saves")
        return removed

    # ----------------------------------------------------------------- settings
    def _settings(self) -> QSettings:
        return QSettings()

    def recent_files(self) -> list[str]:
        value = self._settings().value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _add_recent(self, path: str) -> None:
        path = os.path.abspath(path)
        files = [path] + [p for p in self.recent_files() if p != path]
        self._settings().setValue("recent_files", files[:MAX_RECENT])

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            self.recent_menu.addAction(path, lambda p=path: self.open_path(p))
        self.recent_menu.setEnabled(True)

    def _last_dir(self) -> str:
        recent = self.recent_files()
        return os.path.dirname(recent[0]) if recent else str(Path.home())

    def _restore_layout(self) -> object:
        """Restore the docks' arrangement; returns the remembered geometry (placed by
        ``screen_layout.place``, which drops it when it no longer fits the screen)."""
        settings = self._settings()
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        return geometry

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self.maybe_save():
            event.ignore()
            return
        if self.remember_layout:
            settings = self._settings()
            settings.setValue("window/geometry", self.saveGeometry())
            settings.setValue("window/state", self.saveState())
        if self.autosaver is not None:
            self.autosaver.stop()
        if self.results is not None and hasattr(self.results, "shutdown"):
            self.results.shutdown()
        event.accept()
