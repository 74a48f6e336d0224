"""Saved values beside the formulas: an exported workbook whose formula cells also carry the
value they compute, so a viewer that does not recalculate (a previewer, a mail client, a script
reading the file) shows numbers instead of blanks.

openpyxl writes formulas without values. Here LibreOffice recalculates a copy (only when the
caller asks: ``export_workbook(..., values=True)``, ``export --with-values``), the copy's values
are read, and each formula cell of the original file gets its value written into its ``<v>``
element: the original's formulas, names, styles, frozen panes and very hidden sheet are kept
exactly (LibreOffice's own re-saved copy loses some of them).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import warnings
import zipfile
from xml.sax.saxutils import escape

_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v\s*/></c>', re.DOTALL)
_SHEET = re.compile(r'<sheet name="([^"]*)" sheetId="\d+" state="\w+" r:id="(rId\d+)"\s*/>')
_REL = re.compile(r'<Relationship[^>]*Id="(rId\d+)"[^>]*/>')
_TARGET = re.compile(r'Target="([^"]+)"')


class SavedValuesError(RuntimeError):
    """The values could not be computed (LibreOffice missing or failing)."""


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part (``xl/worksheets/sheetN.xml``)."""
    from xml.sax.saxutils import unescape

    book = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for m in _REL.finditer(rels):
        t = _TARGET.search(m.group(0))
        if t:
            path = t.group(1).lstrip("/")
            targets[m.group(1)] = path if path.startswith("xl/") else "xl/" + path
    return {unescape(name): targets[rid] for name, rid in _SHEET.findall(book) if rid in targets}


def _value_xml(value) -> tuple[str, str] | None:
    """(type attribute, ``<v>`` text) of a computed value; None leaves the cell empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ' t="b"', "1" if value else "0"
    if isinstance(value, int | float):
        return "", repr(float(value))
    if isinstance(value, dt.datetime | dt.date):
        from openpyxl.utils.datetime import to_excel

        return "", repr(float(to_excel(value)))
    text = str(value)
    if text.startswith("#"):
        return ' t="e"', escape(text)
    return ' t="str"', escape(text)


def _recalculated_values(data: bytes) -> dict[str, dict[str, object]]:
    """Sheet -> cell -> value of every cell LibreOffice computes for the workbook ``data``."""
    import openpyxl

    from core.files.recalc import RecalcError, recalculate, soffice_available

    if not soffice_available():
        raise SavedValuesError("saved values need LibreOffice (libreoffice-calc-nogui)")
    with tempfile.TemporaryDirectory(prefix="capstack-values-") as tmp:
        src = os.path.join(tmp, "model.xlsx")
        with open(src, "wb") as fh:
            fh.write(data)
        try:
            out = recalculate(src, out_dir=os.path.join(tmp, "out"))
        except RecalcError as exc:
            raise SavedValuesError(f"LibreOffice could not recalculate the model: {exc}") from exc
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(out, data_only=True, read_only=True)
        try:
            return {
                ws.title: {
                    c.coordinate: c.value
                    for row in ws.iter_rows()
                    for c in row
                    if getattr(c, "value", None) is not None
                }
                for ws in wb.worksheets
            }
        finally:
            wb.close()


def with_saved_values(data: bytes) -> bytes:
    """The workbook ``data`` (an exported .xlsx) with every formula's computed value saved."""
    values = _recalculated_values(data)
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {part: name for name, part in _sheet_parts(src).items()}
    out = io.BytesIO()
    with src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            sheet = parts.get(info.filename)
            if sheet is not None and sheet in values:
                body = _fill(body.decode("utf-8"), values[sheet]).encode("utf-8")
            dst.writestr(info, body)
    return out.getvalue()


def _fill(xml: str, values: dict[str, object]) -> str:
    def one(m: re.Match) -> str:
        ref, attrs, formula = m.group(1), m.group(2), m.group(3)
        got = _value_xml(values.get(ref))
        if got is None:
            return m.group(0)
        kind, text = got
        attrs = re.sub(r'\s+t="\w+"', "", attrs) + kind
        return f'<c r="{ref}"{attrs}><f>{formula}</f><v>{text}</v></c>'

    return _CELL.sub(one, xml)
