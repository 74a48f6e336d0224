"""The main window's menus and toolbar. Excel and report entries appear only when their
modules (``gui.excel_io``, ``gui.report.actions``) can be imported."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from gui.palette import ENTRIES

if TYPE_CHECKING:
    from gui.main_window import MainWindow

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "resources" / "deals"


def is_sample(path: str) -> bool:
    """True for a deal shipped in resources/deals: it opens as an unsaved copy (a template),
    so Save asks where and the sample is never overwritten."""
    return Path(path).resolve().parent == SAMPLES_DIR


def optional_module(name: str, *functions: str) -> ModuleType | None:
    """``name`` if it can be imported and provides ``functions``, else None."""
    try:
        module = importlib.import_module(name)
    except ImportError:
        return None
    return module if all(callable(getattr(module, f, None)) for f in functions) else None


def add_action(
    w: MainWindow, name: str, text: str, slot, shortcut=None, menu: QMenu | None = None
) -> QAction:  # noqa: ANN001
    """An action of the window, named in ``w.actions_by_name``, added to ``menu``."""
    action = QAction(text, w)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _checked=False: slot())
    w.actions_by_name[name] = action
    if menu is not None:
        menu.addAction(action)
    return action


def _name_command(action: QAction, label: str, text: str) -> None:
    """Tooltip of the Undo / Redo button: the command it would undo or redo."""
    if shiboken6.isValid(action):  # the stack can outlive the window's actions
        action.setToolTip(f"{label} {text}" if text else label)


def build_menus(w: MainWindow) -> None:
    """File, Edit, Insert and View menus and the main toolbar of ``w``."""
    bar, key = w.menuBar(), QKeySequence.StandardKey

    def a(*args, **kwargs) -> QAction:  # noqa: ANN002, ANN003
        return add_action(w, *args, **kwargs)

    file = bar.addMenu("&File")
    a("new", "&New", w.new_file, key.New, file)
    a("open", "&Open…", w.open_dialog, key.Open, file)
    w.samples_menu = file.addMenu("Open &Sample")
    for sample in sorted(SAMPLES_DIR.glob("*.json")):
        w.samples_menu.addAction(
            sample.stem.replace("_", " "), lambda p=str(sample): w.open_sample(p)
        )
    w.recent_menu = file.addMenu("Open &Recent")
    w.recent_menu.aboutToShow.connect(w._fill_recent)
    file.addSeparator()
    a("save", "&Save", w.save, key.Save, file)
    a("save_as", "Save &As…", w.save_as, key.SaveAs, file)
    file.addSeparator()
    excel = optional_module("gui.excel_io", "import_excel_file", "export_excel")
    report = optional_module("gui.report.actions", "print_report", "export_pdf")
    doc = w.document
    for name, text, module, call, shortcut in (
        ("import_excel", "Import Excel…", excel, lambda: w._import_excel(excel), None),
        (
            "export_excel",
            "Export Excel…",
            excel,
            lambda: (
                w.commit_edits(),
                excel.export_excel(w, doc.deal, inputs=doc.read_from, sizing=doc.sizing),
            ),
            None,
        ),
        (
            "print",
            "&Print…",
            report,
            lambda: report.print_report(w, *w._report_of(), inputs=doc.read_from),
            key.Print,
        ),
        (
            "export_pdf",
            "Export PDF…",
            report,
            lambda: report.export_pdf(w, *w._report_of(), inputs=doc.read_from),
            None,
        ),
    ):
        a(name, text, call, shortcut, file).setVisible(module is not None)
    file.addSeparator()
    a("compare_file", "Compare with &File…", w.compare_with_file, None, file)
    a("compare_saved", "Compare with &Last Saved", w.compare_with_saved, None, file)
    a("open_portfolio", "Open &Portfolio…", w.open_portfolio, None, file)
    file.addSeparator()
    a("quit", "&Quit", w.close, key.Quit, file)

    edit = bar.addMenu("&Edit")
    undo = w.document.undo_stack.createUndoAction(w, "&Undo")
    redo = w.document.undo_stack.createRedoAction(w, "&Redo")
    undo.setShortcut(key.Undo)
    redo.setShortcut(key.Redo)
    stack = w.document.undo_stack
    # the toolbar shows a fixed "Undo" / "Redo" (the command's name made the buttons jump
    # sideways with every edit); the menu entry and the tooltip name the command
    for action, label, changed in (
        (undo, "Undo", stack.undoTextChanged),
        (redo, "Redo", stack.redoTextChanged),
    ):
        action.setIconText(label)
        action.setToolTip(label)
        changed.connect(lambda text, a=action, lab=label: _name_command(a, lab, text))
    edit.addActions([undo, redo])
    w.actions_by_name.update(undo=undo, redo=redo)
    edit.addSeparator()
    a("cut", "Cu&t", w.cut_selection, key.Cut, edit)
    a("copy", "&Copy", w.copy_selection, key.Copy, edit)
    a("paste", "&Paste", w.paste, key.Paste, edit)
    a("duplicate", "D&uplicate", w.duplicate_selection, "Ctrl+D", edit)
    a("delete", "&Delete", w.scene.delete_selected, key.Delete, edit)
    a("select_all", "Select &All", w.scene.select_all, key.SelectAll, edit)
    a("auto_layout", "Auto-&layout", w._auto_layout, "Ctrl+L", edit)

    insert = bar.addMenu("&Insert")
    for entry in ENTRIES:
        action = insert.addAction(w.palette.item(ENTRIES.index(entry)).icon(), entry.label)
        action.triggered.connect(lambda _c=False, e=entry: w.insert_block(e))

    view = bar.addMenu("&View")
    a("zoom_in", "Zoom &In", w.view.zoom_in, key.ZoomIn, view)
    a("zoom_out", "Zoom &Out", w.view.zoom_out, key.ZoomOut, view)
    a("fit", "&Fit to View", w.view.fit_to_view, "Ctrl+0", view)
    view.addSeparator()
    view.addActions([d.toggleViewAction() for d in w.docks.values()])
    if w.results is not None:
        view.addSeparator()
        view.addActions(w.results.view_actions())

    from gui.structuring.menu import add_structure_menu

    add_structure_menu(w, add_action)

    help_menu = bar.addMenu("&Help")
    a("guide", "&First deal guide", w.show_guide, key.HelpContents, help_menu)
    a("shortcuts", "&Keyboard shortcuts", w.show_shortcuts, "Ctrl+/", help_menu)
    help_menu.addSeparator()
    a("about", "&About CapStack", w.show_about, None, help_menu)

    tools = w.toolbar
    tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    names = (
        "new",
        "open",
        "save",
        None,
        "undo",
        "redo",
        None,
        "auto_layout",
        "fit",
        "zoom_in",
        "zoom_out",
    )
    for name in names:
        tools.addSeparator() if name is None else tools.addAction(w.actions_by_name[name])
