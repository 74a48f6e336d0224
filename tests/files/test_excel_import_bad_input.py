"""Bad workbooks: each gives one clear message naming the file problem or the sheet and cell,
nothing is written, and the program keeps running."""

from __future__ import annotations

import os
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from cli.main import cli_main
from core.files.excel_import import MissingInputs, WorkbookError, import_workbook
from core.files.excel_import.reader import MAX_ROWS, open_workbook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "resources", "examples", "gpu_lease_model.xlsx")


def _cli_refuses(path, tmp_path, capsys, expect: str) -> None:
    out = tmp_path / "deal.json"
    assert cli_main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert expect in err, err
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith("deal")]


def _inputs_workbook(path, rows) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inputs"
    for r, (label, value) in enumerate(rows, start=2):
        ws.cell(r, 2, label)
        ws.cell(r, 4, value)
    wb.save(path)


def test_not_an_xlsx(tmp_path, capsys):
    p = tmp_path / "model.xlsx"
    p.write_text("Project,Capex\nA,100\n")
    with pytest.raises(WorkbookError, match="not an Excel workbook"):
        import_workbook(p)
    _cli_refuses(p, tmp_path, capsys, "model.xlsx: not an Excel workbook")


def test_corrupt_zip(tmp_path, capsys):
    p = tmp_path / "broken.xlsx"
    data = Path(EXAMPLE).read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(WorkbookError, match="corrupt"):
        import_workbook(p)
    _cli_refuses(p, tmp_path, capsys, "broken.xlsx: the file is corrupt")


def test_password_protected(tmp_path, capsys):
    # an encrypted xlsx is an OLE compound file (EncryptionInfo + EncryptedPackage)
    p = tmp_path / "locked.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    with pytest.raises(WorkbookError, match="password-protected"):
        import_workbook(p)
    _cli_refuses(p, tmp_path, capsys, "locked.xlsx: the workbook is password-protected")


def test_zip_without_workbook(tmp_path):
    p = tmp_path / "other.xlsx"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(WorkbookError, match="no xl/workbook.xml"):
        import_workbook(p)


def test_zip_bomb_member_refused(tmp_path):
    p = tmp_path / "bomb.xlsx"
    shutil.copyfile(EXAMPLE, p)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/zeros.bin", b"\0" * 40_000_000)  # ~40 MB from ~40 kB
    with pytest.raises(WorkbookError, match="zip bomb"):
        import_workbook(p)


BOMB = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def test_entity_bomb_refused(tmp_path, capsys):
    p = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(EXAMPLE) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = BOMB.encode()
            dst.writestr(item, data)
    tracemalloc.start()
    try:
        with pytest.raises(WorkbookError, match="entit"):
            import_workbook(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 200e6  # nothing was expanded
    _cli_refuses(p, tmp_path, capsys, "laughs.xlsx: the XML declares entities")


def test_million_row_sheet_is_bounded(tmp_path):
    # openpyxl's write-only mode takes about a minute for a million rows on a shared machine;
    # the sheet XML is streamed into a copy of a one-sheet workbook instead (same file format)
    p = tmp_path / "tape.xlsx"
    base = tmp_path / "base.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Inputs"
    wb.save(base)
    head = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Senior debt</t></is></c>'
            '<c r="C1"><v>100</v></c></row>')  # fmt: skip
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
                continue
            with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
                fh.write(head.encode())
                for start in range(2, 1_000_002, 10_000):
                    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                   for r in range(start, start + 10_000))  # fmt: skip
                    fh.write(rows.encode())
                fh.write(b"</sheetData></worksheet>")
    tracemalloc.start()
    try:
        book = open_workbook(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert book.sheets["Inputs"].truncated
    assert any(f"only the first {MAX_ROWS} rows" in n for n in book.notes)
    assert max(r for r, _ in book.sheets["Inputs"].cells) == MAX_ROWS
    assert peak < 150e6, f"peak memory {peak / 1e6:.0f} MB"


def test_error_values_named_by_cell(tmp_path, capsys):
    p = tmp_path / "errors.xlsx"
    _inputs_workbook(p, [("Senior debt", "#REF!"), ("Coupon", "#DIV/0!"), ("Tenor", 5),
                         ("Annual rent", 40.0)])  # fmt: skip
    with pytest.raises(MissingInputs) as info:
        import_workbook(p)
    msg = str(info.value)
    assert "Inputs!D2: Senior debt" in msg and "#REF!" in msg
    assert "Inputs!D3: Coupon" in msg and "#DIV/0!" in msg
    _cli_refuses(p, tmp_path, capsys, "Inputs!D2")


def test_text_in_number_cell_named(tmp_path, capsys):
    p = tmp_path / "text.xlsx"
    _inputs_workbook(p, [("Senior debt", 100.0), ("Coupon", "six percent"), ("Tenor", 5),
                         ("Annual rent", 40.0)])  # fmt: skip
    with pytest.raises(MissingInputs, match=r"Inputs!D3: Coupon .*holds text 'six percent'"):
        import_workbook(p)
    _cli_refuses(p, tmp_path, capsys, "Inputs!D3")


def test_missing_required_inputs_listed(tmp_path, capsys):
    p = tmp_path / "thin.xlsx"
    _inputs_workbook(p, [("Tenor", 7)])
    with pytest.raises(MissingInputs) as info:
        import_workbook(p)
    whats = [w for w, _ in info.value.missing]
    assert whats == ["Capex or senior debt", "Coupon / interest rate",
                     "Revenue (a revenue schedule or an annual rent)"]  # fmt: skip
    assert "looked for" in str(info.value)
    _cli_refuses(p, tmp_path, capsys, "required inputs not found")


def test_merged_cells_and_minimal_inputs(tmp_path):
    p = tmp_path / "merged.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deal"
    ws["A1"] = "Merged title over the inputs"
    ws.merge_cells("A1:F1")
    for r, (k, v) in enumerate([("Loan amount", 80.0), ("Interest rate", 0.06),
                                ("Loan term", 6), ("Annual rent", 20.0)], start=3):  # fmt: skip
        ws.cell(r, 1, k)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        ws.cell(r, 3, v)
    wb.save(p)
    res = import_workbook(p)
    t = res.deal.blocks["senior"].terms
    assert (t["notional"], t["coupon"], t["tenor_years"]) == (80.0, 0.06, 6.0)
    assert res.deal.blocks["lease"].terms["annual_rent"] == 20.0
    assert any(u.startswith("defaulted - Capex") for u in res.unmapped)


def test_xlsm_macros_never_run(tmp_path):
    src = os.path.join(ROOT, "..", "shared", "excel-models", "sp-case-study-indirect-cf.xlsm")
    book = open_workbook(src)
    assert book.macro_enabled
    assert "macros were not run and are not kept" in book.notes[0]
