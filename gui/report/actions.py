"""File > Print and File > Export PDF: the term-sheet risk summary of the open deal.

Both run the engine once (base case, risk catalogue, Monte Carlo) with a busy cursor, then
print through Qt's print dialog with preview, or write a PDF atomically. Any failure is shown
in a message box naming the file and the reason; the application keeps running.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from core.model.deal import Deal
from core.model.errors import DealError
from core.report.data import gather
from core.risk.errors import RiskInputError
from gui.file_guard import refused
from gui.report.document import PAPERS, Report, ReportError, write_pdf

FILTERS = {f"PDF, {paper} (*.pdf)": paper for paper in PAPERS}
FAILURES = (ReportError, DealError, RiskInputError, OSError, ValueError, RuntimeError)


def make_report(deal: Deal, source_path: str | None = None, saved: bool = True) -> Report:
    """Run the engine for ``deal`` (busy cursor meanwhile) and prepare its pages."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return Report(gather(deal.copy(), source_path, saved=saved), deal)
    finally:
        QGuiApplication.restoreOverrideCursor()


def default_pdf_name(deal: Deal, source_path: str | None) -> str:
    stem = os.path.splitext(os.path.basename(source_path))[0] if source_path else deal.name
    stem = re.sub(r"[^\w.-]+", "_", stem).strip("_") or "deal"
    folder = os.path.dirname(source_path) if source_path else os.getcwd()
    return os.path.join(folder, f"{stem}_risk_summary.pdf")


def _fail(parent: QWidget | None, what: str, exc: BaseException) -> None:
    QMessageBox.warning(parent, "CapStack", f"{what} failed:\n{exc}")


def export_pdf(
    parent: QWidget | None,
    deal: Deal,
    source_path: str | None = None,
    saved: bool = True,
    inputs: Iterable[str] = (),
    path: str | None = None,
) -> str | None:
    """Ask for a file name (unless ``path`` is given) and paper size, write the PDF; returns
    the path written. A path that is one of ``inputs`` (the files the deal was read from) is
    refused."""
    settings = QSettings()
    paper = str(settings.value("report/paper", "A4"))
    chosen = next((f for f, p in FILTERS.items() if p == paper), next(iter(FILTERS)))
    selected = chosen
    if path is None:
        path, selected = QFileDialog.getSaveFileName(
            parent, "Export risk summary PDF", default_pdf_name(deal, source_path),
            ";;".join(FILTERS), chosen,
        )  # fmt: skip
    if not path:
        return None
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    inputs = [*inputs, source_path]
    if refused(parent, path, inputs, "risk summary PDF", "Export PDF"):
        return None
    paper = FILTERS.get(selected, paper)
    settings.setValue("report/paper", paper)
    try:
        report = make_report(deal, source_path, saved)
        pages = write_pdf(report, path, paper)
    except FAILURES as exc:
        _fail(parent, f"Exporting the risk summary to {path}", exc)
        return None
    message = getattr(parent, "show_message", None)
    if callable(message):
        message(f"Risk summary written to {path} ({pages} pages, {paper})")
    return path


def preview_dialog(
    parent: QWidget | None,
    deal: Deal,
    source_path: str | None = None,
    saved: bool = True,
    inputs: Iterable[str] = (),
) -> QPrintPreviewDialog | None:
    """The print preview of the report (not shown yet); None with a message on failure.
    Printing to a PDF file that is one of ``inputs`` (or the deal's file) is refused."""
    try:
        report = make_report(deal, source_path, saved)
    except FAILURES as exc:
        _fail(parent, "Preparing the risk summary", exc)
        return None
    dialog = QPrintPreviewDialog(parent)  # owns its printer (a Python-made one could be freed)
    dialog.printer().setDocName(f"Risk summary: {deal.name}")
    dialog.setWindowTitle(f"Print risk summary: {deal.name}")

    inputs = [*inputs, source_path]

    def paint(target: QPrinter) -> None:
        out = target.outputFileName()  # printing to a file (Qt's "Print to PDF")
        if out and refused(dialog, out, inputs, "printed PDF", "Print"):
            return  # nothing painted: Qt writes no file
        try:
            report.paint(target)
        except FAILURES as exc:
            _fail(dialog, "Printing the risk summary", exc)

    dialog.paintRequested.connect(paint)
    dialog.report = report  # keep it alive with the dialog (and reachable from tests)
    return dialog


def print_report(
    parent: QWidget | None,
    deal: Deal,
    source_path: str | None = None,
    saved: bool = True,
    inputs: Iterable[str] = (),
) -> None:
    """File > Print: the Qt print dialog with a preview of the risk summary."""
    dialog = preview_dialog(parent, deal, source_path, saved, inputs)
    if dialog is not None:
        dialog.exec()
