"""No GUI save dialog writes over a file the open deal was read from (issue #16's gap): Save
As over the imported workbook or the sample, Export Excel / Export PDF / Print to a PDF file
over the deal's own file or its workbook, the compare PDF over either deal, a mapping over
the workbook being imported. Stale temporaries of killed saves in those folders are removed
at start and by the next save of any file there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from PySide6.QtPrintSupport import QPrinter

from core.files.deal_json import load_deal, save_deal
from gui import excel_io
from gui.main_window import MainWindow
from gui.report import actions

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLE = DEALS / "hyperion_jv.json"
WORKBOOK = Path(__file__).resolve().parents[2] / "resources" / "examples" / "gpu_lease_model.xlsx"


def _window(qtbot, deal, path=None) -> MainWindow:  # noqa: ANN001
    w = MainWindow(deal, path, offer_recovery=False, restore_layout=False, with_results=False)
    qtbot.addWidget(w)
    return w


def _refusals(isolated) -> list[str]:  # noqa: ANN001
    return [text for kind, _title, text in isolated.shown if kind == "warning"]


def test_imported_workbook_is_never_written_over(qtbot, tmp_path, isolated) -> None:  # noqa: ANN001
    wb = tmp_path / "model.xlsx"
    shutil.copy(WORKBOOK, wb)
    before = wb.read_bytes()
    w = _window(qtbot, load_deal(SAMPLE))
    w.set_deal(load_deal(SAMPLE), None, modified=True, source=str(wb))
    assert w.document.read_from == [str(wb)]
    assert not w.save_to(str(wb))  # Save As onto the workbook the deal came from
    assert not excel_io.export_excel(w, w.document.deal, str(wb), inputs=w.document.read_from)
    alias = tmp_path / "alias.xlsx"  # the same file through a link is the same file
    os.symlink(wb, alias)
    assert not excel_io.export_excel(w, w.document.deal, str(alias), w.document.read_from)
    assert wb.read_bytes() == before and w.document.path is None
    texts = _refusals(isolated)
    assert len(texts) == 3 and all("Nothing was written" in t and str(wb) in t for t in texts)
    assert "deal file is the same file as the file the deal was read from" in texts[0]
    other = tmp_path / "other.json"  # anywhere else is fine
    assert w.save_to(str(other)) and load_deal(other).name == w.document.deal.name


def test_pdf_and_print_refuse_the_deal_file(qtbot, tmp_path, isolated, monkeypatch) -> None:  # noqa: ANN001
    deal_file = tmp_path / "deal.pdf"  # a deal file named .pdf: the report must not replace it
    save_deal(load_deal(SAMPLE), deal_file)
    before = deal_file.read_bytes()
    w = _window(qtbot, load_deal(deal_file), str(deal_file))
    gathered: list[object] = []
    monkeypatch.setattr(actions, "gather", lambda *a, **k: gathered.append(a))
    out = actions.export_pdf(w, w.document.deal, str(deal_file), path=str(deal_file))
    assert out is None and not gathered and deal_file.read_bytes() == before
    assert "risk summary PDF is the same file" in _refusals(isolated)[-1]
    # Print > Print to File onto the deal: the preview refuses to paint, Qt writes nothing
    monkeypatch.setattr(actions, "make_report", lambda *a, **k: object())
    dialog = actions.preview_dialog(w, w.document.deal, None, inputs=w.document.read_from)
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(deal_file))
    dialog.paintRequested.emit(printer)
    del printer
    assert deal_file.read_bytes() == before
    assert "printed PDF is the same file" in _refusals(isolated)[-1]


def test_sample_template_and_compare_pdf(qtbot, tmp_path, isolated) -> None:  # noqa: ANN001
    w = _window(qtbot, load_deal(SAMPLE))
    assert w.open_sample(str(SAMPLE), ask=False)
    assert w.document.path is None and w.document.read_from == [str(SAMPLE)]
    before = SAMPLE.read_bytes()
    other = tmp_path / "b.json"
    save_deal(load_deal(DEALS / "xai_gpu_spv.json"), other)
    compare = w.compare_with_file(str(other))
    qtbot.waitUntil(lambda: compare.comparison is not None)
    before_b = other.read_bytes()
    assert not compare.export_pdf(str(other)) and other.read_bytes() == before_b
    assert not compare.export_pdf(str(SAMPLE)) and SAMPLE.read_bytes() == before
    assert "compare PDF is the same file" in _refusals(isolated)[-1]
    compare.close()


def _dead_pid() -> str:
    code = "import os; print(os.getpid())"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def test_stale_temporaries_swept_at_start_and_by_any_save(qtbot, tmp_path, isolated) -> None:  # noqa: ANN001
    dead = _dead_pid()
    folder = tmp_path / "deals"
    folder.mkdir()
    deal_file = folder / "a.json"
    save_deal(load_deal(SAMPLE), deal_file)
    killed = folder / f".b.xlsx.{dead}-0123abcd.tmp"  # an export of ANOTHER file, killed
    killed.write_bytes(b"half")
    live = folder / f".c.pdf.{os.getpid()}-89abcdef.tmp"  # a save in progress: kept
    live.write_bytes(b"busy")
    w = _window(qtbot, load_deal(deal_file), str(deal_file))  # at start: swept
    assert not killed.exists() and live.exists()
    w._add_recent(str(deal_file))
    w.document.replace_deal(load_deal(SAMPLE), None)  # the folder is now only a recent file's
    killed.write_bytes(b"half")
    assert w.sweep_temporaries() == [str(killed)]
    assert not killed.exists() and live.exists()
    killed.write_bytes(b"half again")
    assert w.save_to(str(folder / "d.json"))  # the next save of any file in the folder
    assert not killed.exists() and live.exists()
