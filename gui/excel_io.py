"""File > Import Excel… and File > Export Excel…, called by the main window.

``import_excel(parent)`` asks for a workbook, imports it off the UI thread (safe reader, macros
never run), shows the mapping dialog with the reconciliation and returns the confirmed deal (or
``None``). ``export_excel(parent, deal)`` asks for a path and writes the formula workbook."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from core.model.deal import Deal
from gui.file_guard import refused

FILTER = "Excel workbooks (*.xlsx *.xlsm);;All files (*)"


def run_in_background(fn: Callable[[], Any], parent: QWidget | None, text: str) -> Any:
    """Run ``fn`` on a worker thread while the UI stays responsive; re-raise its exception."""
    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed back to the UI thread
            box["error"] = exc

    progress = QProgressDialog(text, "", 0, 0, parent)
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    while thread.is_alive():
        QApplication.processEvents()
        thread.join(0.03)
    progress.close()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def import_excel(parent: QWidget | None, path: str | None = None) -> Deal | None:
    """Import a workbook as a deal; ``None`` when cancelled or refused (with a message)."""
    picked = import_excel_file(parent, path)
    return None if picked is None else picked[0]


def import_excel_file(parent: QWidget | None, path: str | None = None) -> tuple[Deal, str] | None:
    """As :func:`import_excel`, with the workbook's path (the deal's source: never written
    over by a save dialog)."""
    from core.files.excel_import import WorkbookError, import_workbook
    from gui.import_dialog import ImportDialog

    if path is None:
        path, _ = QFileDialog.getOpenFileName(parent, "Import Excel workbook", "", FILTER)
    if not path:
        return None
    name = os.path.basename(path)
    try:
        result = run_in_background(lambda: import_workbook(path), parent, f"Reading {name}…")
    except (WorkbookError, OSError) as exc:
        QMessageBox.warning(parent, "Import Excel", f"{name} was not imported.\n\n{exc}")
        return None
    except Exception as exc:  # never lose the session over a workbook
        QMessageBox.critical(parent, "Import Excel", f"{name} could not be imported: {exc!r}")
        return None
    if result.capstack_roundtrip:
        QMessageBox.information(parent, "Import Excel",
                                f"{name} is a CapStack workbook: the deal was read back with "
                                "the workbook's inputs.\n\n" + "\n".join(result.notes))  # fmt: skip
        return result.deal, path
    dialog = ImportDialog(result, parent, source=path)
    if dialog.exec() != ImportDialog.DialogCode.Accepted or dialog.deal is None:
        return None
    return dialog.deal, path


def export_excel(
    parent: QWidget | None,
    deal: Deal,
    path: str | None = None,
    inputs: Iterable[str] = (),
    sizing: dict | None = None,
) -> bool:
    """Write ``deal`` as a CapStack workbook (live formulas, engine values, round-trip sheet);
    a path that is one of ``inputs`` (the files the deal was read from) is refused; ``sizing``
    (the last Size debt… applied) is recorded on the Sizing sheet. True when written."""
    from core.files.excel_export import export_workbook

    if path is None:
        suggested = f"{deal.name}.xlsx"
        path, _ = QFileDialog.getSaveFileName(parent, "Export Excel workbook", suggested,
                                              "Excel workbook (*.xlsx)")  # fmt: skip
    if not path:
        return False
    if not path.lower().endswith(".xlsx"):
        path += ".xlsx"
    if refused(parent, path, inputs, "Excel export", "Export Excel"):
        return False
    try:
        run_in_background(
            lambda: export_workbook(deal, path, sizing=sizing), parent, "Writing the workbook…"
        )
    except Exception as exc:  # report, keep the session
        QMessageBox.warning(parent, "Export Excel", f"The workbook was not written.\n\n{exc}")
        return False
    QMessageBox.information(parent, "Export Excel", f"Exported to {path}")
    return True
