"""Open an untrusted workbook safely and read a bounded window of cached cell values.

Before openpyxl sees the file the zip container is inspected here: not a zip, a corrupt zip,
an encrypted (password-protected, OLE compound) file, too many members or members that expand
too far are refused with a clear message. XML is parsed with entity expansion refused
(``defusedxml.defuse_stdlib``). Macro-enabled workbooks are opened with ``keep_vba=False``:
macros are never run or kept. Each sheet is read in read-only (streaming) mode and only a
window of ``MAX_ROWS`` x ``MAX_COLS`` cells, so a million-row sheet costs bounded time and memory.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
import os
import re
import threading
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from core.limits import MAX_WORKBOOK_BYTES, check_readable_file

MAX_ROWS = 2000
MAX_COLS = 200
MAX_FILE_BYTES = MAX_WORKBOOK_BYTES  # core.limits, docs/limits.md
MAX_MEMBERS = 5000
MAX_MEMBER_BYTES = 300 * 1024 * 1024
MAX_TOTAL_BYTES = 600 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member (zip-bomb guard)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ERROR_CODES = ("#REF!", "#DIV/0!", "#VALUE!", "#NAME?", "#N/A", "#NUM!", "#NULL!",
               "#SPILL!", "#CALC!", "#GETTING_DATA")  # fmt: skip
# digits in groups of three after a thousands comma ("1,2OO" with letter O is not a number)
_NUMBER_TEXT = re.compile(
    r"^\s*[-+(]?\s*[$€£]?\s*[-+]?(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d+|(?<=\d))\s*%?\)?(\s*)"
    r"([a-zA-Z]+)?\s*$"
)
#: unit words that may follow the digits without a space ("5x", "12yrs", "250bps")
_ATTACHED_UNITS = frozenset(("x", "m", "mm", "k", "bn", "b", "y", "yr", "yrs", "year", "years",
                             "mo", "mos", "month", "months", "bp", "bps", "pct", "mw"))  # fmt: skip


class WorkbookError(ValueError):
    """The workbook cannot be imported; the message names the file problem or sheet!cell."""


def cell_ref(sheet: str, row: int, col: int) -> str:
    """``'Sheet name'!B7`` style reference (quoted when the name needs it)."""
    name = sheet if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", sheet) else f"'{sheet}'"
    return f"{name}!{get_column_letter(col)}{row}"


@dataclass
class Cell:
    value: Any
    number_format: str = "General"
    formula: bool = False


@dataclass
class Sheet:
    name: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    truncated: bool = False
    state: str = "visible"

    def get(self, row: int, col: int) -> Any:
        c = self.cells.get((row, col))
        return None if c is None else c.value

    def fmt(self, row: int, col: int) -> str:
        c = self.cells.get((row, col))
        return "General" if c is None else c.number_format


@dataclass
class Workbook:
    path: str
    sheets: dict[str, Sheet]
    defined_names: dict[str, tuple[str, int, int]]  # name -> (sheet, row, col)
    macro_enabled: bool = False
    notes: list[str] = field(default_factory=list)
    missing_values: list[str] = field(default_factory=list)  # formulas with no saved value
    formula_count: int = 0
    cell_problems: list[str] = field(default_factory=list)  # "Sheet!D7: label: holds #REF!"
    input_problems: dict[str, str] = field(default_factory=dict)  # target id -> its problem

    @property
    def mostly_uncalculated(self) -> bool:
        """True when most formulas have no saved value (e.g. written by a script)."""
        return len(self.missing_values) > 0.5 * max(self.formula_count, 1)


def check_container(path: str | os.PathLike[str]) -> None:
    """Refuse anything that is not a sane xlsx/xlsm zip, before any XML is parsed."""
    path = os.fspath(path)
    name = os.path.basename(path)
    if not os.path.exists(path):
        raise WorkbookError(f"{name}: no such file")
    try:
        check_readable_file(path)  # a FIFO would block the open below
    except ValueError as exc:
        raise WorkbookError(f"{name}: {exc.reason}") from None
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise WorkbookError(f"{name}: the file is {size / 1e6:.0f} MB; the limit is "
                            f"{MAX_FILE_BYTES / 1e6:.0f} MB")  # fmt: skip
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head == OLE_MAGIC:
        raise WorkbookError(
            f"{name}: the workbook is password-protected (encrypted) or an old binary .xls; "
            "remove the password or save it as .xlsx in Excel, then import again"
        )
    if not head.startswith(b"PK"):
        raise WorkbookError(f"{name}: not an Excel workbook (.xlsx/.xlsm is a zip file)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(name, infos)
            names = {i.filename for i in infos}
            bad = zf.testzip()
            if bad is None:
                _check_cells(name, zf, infos)
    except zipfile.BadZipFile as exc:
        raise WorkbookError(f"{name}: the file is corrupt (broken zip: {exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, RuntimeError, zlib.error, EOFError) as exc:
        raise WorkbookError(f"{name}: unreadable zip ({exc})") from None
    if bad is not None:
        raise WorkbookError(f"{name}: the file is corrupt (member {bad} fails its checksum)")
    if "xl/workbook.xml" not in names:
        raise WorkbookError(f"{name}: a zip file but not an Excel workbook (no xl/workbook.xml)")


def _count_tags(zf: zipfile.ZipFile, info: zipfile.ZipInfo, tags: tuple[bytes, ...],
                stop: int, max_rows: int | None = None) -> int:  # fmt: skip
    """Occurrences of ``tags`` in a zip member, streamed; stops counting past ``stop`` or,
    with ``max_rows``, once the rows read pass it (to the nearest megabyte of XML)."""
    count, rows, tail = 0, 0, b""
    with zf.open(info) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            count += sum(data.count(t) for t in tags)
            rows += data.count(b"<row ") + data.count(b"<row>")
            if count > stop or (max_rows is not None and rows > max_rows):
                break
            tail = data[-5:]
            count -= sum(tail.count(t) for t in tags)  # counted again with the next chunk
            rows -= tail.count(b"<row ") + tail.count(b"<row>")
    return count


def _check_cells(name: str, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a workbook with more cells (in the first ``MAX_ROWS`` rows of its sheets, the
    rows the import parses) or shared strings than the documented limits (``core.limits``)
    before openpyxl parses it: a small file can hold millions of cells in a few wide rows,
    and openpyxl parses every cell of a row it reads (minutes), though only a window is kept.
    Rows past the window cost nothing: they are never parsed."""
    from core.limits import MAX_SHARED_STRINGS, MAX_WORKBOOK_CELLS

    cells = 0
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            left = MAX_WORKBOOK_CELLS - cells
            cells += _count_tags(zf, info, (b"<c ", b"<c>"), left, MAX_ROWS + 1)
            if cells > MAX_WORKBOOK_CELLS:
                raise WorkbookError(f"{name}: the workbook holds more than "
                                    f"{MAX_WORKBOOK_CELLS:,} cells in the first {MAX_ROWS:,} "
                                    "rows of its sheets, the import limit (docs/limits.md); "
                                    "refused")  # fmt: skip
        elif info.filename == "xl/sharedStrings.xml":
            found = _count_tags(zf, info, (b"<si>", b"<si "), MAX_SHARED_STRINGS)
            if found > MAX_SHARED_STRINGS:
                raise WorkbookError(f"{name}: the workbook holds more than "
                                    f"{MAX_SHARED_STRINGS:,} distinct texts, the import limit "
                                    "(docs/limits.md); refused")  # fmt: skip


def _check_members(name: str, infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_MEMBERS:
        raise WorkbookError(f"{name}: {len(infos)} parts in the zip; the limit is {MAX_MEMBERS}")
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise WorkbookError(f"{name}: part {i.filename} is encrypted")
        total += i.file_size
        ratio = i.file_size / max(i.compress_size, 1)
        if i.file_size > MAX_MEMBER_BYTES or (i.file_size > 10_000_000 and ratio > MAX_RATIO):
            raise WorkbookError(f"{name}: part {i.filename} expands to {i.file_size / 1e6:.0f} MB "
                                "(zip bomb?); refused")  # fmt: skip
    if total > MAX_TOTAL_BYTES:
        raise WorkbookError(f"{name}: the workbook expands to {total / 1e6:.0f} MB; the limit is "
                            f"{MAX_TOTAL_BYTES / 1e6:.0f} MB")  # fmt: skip


def _defuse() -> None:
    import defusedxml

    with warnings.catch_warnings():  # defusedxml warns about its deprecated cElementTree shim
        warnings.simplefilter("ignore", DeprecationWarning)
        defusedxml.defuse_stdlib()


def open_workbook(
    path: str | os.PathLike[str], max_rows: int = MAX_ROWS, max_cols: int = MAX_COLS
) -> Workbook:
    """Check the container, then read every sheet's window of saved values and formats."""
    import openpyxl

    check_container(path)
    _defuse()
    path = os.fspath(path)
    name = os.path.basename(path)
    macro = path.lower().endswith((".xlsm", ".xltm"))
    try:
        with warnings.catch_warnings(), _bounded_dimensions():
            warnings.simplefilter("ignore")
            values = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_vba=False)
            formulas = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_vba=False)
    except Exception as exc:  # openpyxl raises many types on malformed parts
        kind = type(exc).__name__
        if _entity_refusal(exc):
            raise WorkbookError(f"{name}: the XML declares entities (an entity bomb?); "
                                "refused") from None  # fmt: skip
        raise WorkbookError(f"{name}: cannot be read as a workbook ({kind}: {exc})") from None
    wb = Workbook(path, {}, {}, macro_enabled=macro)
    if macro:
        wb.notes.append("macro-enabled workbook: macros were not run and are not kept")
    try:
        with warnings.catch_warnings():  # openpyxl warns about extensions it drops
            warnings.simplefilter("ignore")
            for ws, wf in zip(values.worksheets, formulas.worksheets, strict=True):
                wb.sheets[ws.title] = _read_sheet(ws, wf, max_rows, max_cols, wb)
        wb.defined_names = _defined_names(values)
    except WorkbookError:
        raise
    except Exception as exc:
        kind = type(exc).__name__
        if _entity_refusal(exc):
            raise WorkbookError(f"{name}: the XML declares entities (an entity bomb?); "
                                "refused") from None  # fmt: skip
        raise WorkbookError(f"{name}: cannot be read ({kind}: {exc})") from None
    finally:
        values.close()
        formulas.close()
    for sheet in wb.sheets.values():
        if sheet.truncated:
            wb.notes.append(f"sheet {sheet.name!r}: only the first {max_rows} rows and "
                            f"{max_cols} columns were scanned (the sheet is larger)")  # fmt: skip
    return wb


_PATCH_LOCK = threading.Lock()


@contextlib.contextmanager
def _bounded_dimensions():
    """openpyxl's read-only sheet looks for ``<dimension>`` with end events, so a sheet without
    one is parsed to its last row before anything is read (a million rows: a minute). While
    loading, look only up to the start of ``<sheetData>``, where the schema puts it."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    def _get_size(self) -> None:
        with self._get_source() as src:
            for _event, el in iterparse(src, events=("start",)):
                tag = el.tag.rsplit("}", 1)[-1]
                if tag == "dimension":
                    dims = SheetDimension(ref=el.get("ref")).boundaries
                    self._min_column, self._min_row, self._max_column, self._max_row = dims
                    return
                if tag == "sheetData":
                    return

    with _PATCH_LOCK:
        original = ReadOnlyWorksheet._get_size
        ReadOnlyWorksheet._get_size = _get_size
        try:
            yield
        finally:
            ReadOnlyWorksheet._get_size = original


def _entity_refusal(exc: BaseException | None) -> bool:
    """True when defusedxml refused entities/DTDs anywhere in the exception chain."""
    seen = 0
    while exc is not None and seen < 10:
        name = type(exc).__name__
        if "Entit" in name or "DTD" in name or "Forbidden" in name:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def _read_sheet(ws: Any, wf: Any, max_rows: int, max_cols: int, wb: Workbook) -> Sheet:
    sheet = Sheet(ws.title, state=getattr(ws, "sheet_state", "visible"))
    for row in ws.iter_rows(max_row=max_rows + 1, max_col=max_cols + 1):
        for c in row:
            v = getattr(c, "value", None)
            if v is None or not hasattr(c, "row"):
                continue
            if c.row > max_rows or c.column > max_cols:
                sheet.truncated = True
                continue
            if isinstance(v, float) and not math.isfinite(v):
                v = "#NUM!"
            fmt = c.number_format or "General"
            sheet.cells[(c.row, c.column)] = Cell(undate(v, fmt), fmt)
    for row in wf.iter_rows(max_row=max_rows, max_col=max_cols):
        for c in row:
            v = getattr(c, "value", None)
            if isinstance(v, str) and v.startswith("=") and hasattr(c, "row"):
                wb.formula_count += 1
                got = sheet.cells.get((c.row, c.column))
                if got is None:
                    wb.missing_values.append(cell_ref(ws.title, c.row, c.column))
                else:
                    got.formula = True
            elif v is not None and type(v).__name__ in ("ArrayFormula", "DataTableFormula"):
                got = sheet.cells.get((c.row, c.column))
                if got is not None:
                    got.formula = True
    return sheet


def _defined_names(wb: Any) -> dict[str, tuple[str, int, int]]:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    out = {}
    for dn_name, dn in wb.defined_names.items():
        try:
            dests = list(dn.destinations)
        except Exception:
            continue
        if len(dests) != 1:
            continue
        sheet, ref = dests[0]
        ref = ref.replace("$", "")
        if ":" in ref:
            continue
        try:
            col, row = coordinate_from_string(ref)
        except ValueError:
            continue
        out[dn_name] = (sheet, row, column_index_from_string(col))
    return out


def as_number(value: Any, where: str) -> float:
    """A cached cell value as a number, or a :class:`WorkbookError` naming the cell."""
    if isinstance(value, bool):
        raise WorkbookError(f"{where}: expected a number, found {value!r}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise WorkbookError(f"{where}: not a finite number ({value!r})")
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.upper() in ERROR_CODES:
            raise WorkbookError(f"{where}: the cell holds the error {text}")
        parsed = parse_number_text(text)
        if parsed is not None:
            return parsed
        raise WorkbookError(f"{where}: expected a number, found text {value!r}")
    if value is None:
        raise WorkbookError(f"{where}: the cell is empty (a formula without a saved value?)")
    raise WorkbookError(f"{where}: expected a number, found {value!r}")


def parse_number_text(text: str) -> float | None:
    """``"12 years"`` -> 12, ``"6.5%"`` -> 0.065, ``"1,200"`` -> 1200; else ``None``."""
    m = _NUMBER_TEXT.match(text)
    if not m or not re.search(r"\d", text):
        return None
    if m.group(2) and not m.group(1) and m.group(2).lower() not in _ATTACHED_UNITS:
        return None  # letters stuck to the digits: "12OO" is a typo, not 12 of a unit
    core = re.sub(r"[^\d.\-+]", "", text.split()[0] if m.group(2) else text)
    neg = text.strip().startswith("(") and text.strip().endswith(")")
    try:
        v = float(core)
    except ValueError:
        return None
    if "%" in text:
        v /= 100.0
    return -v if neg else v


_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]', re.DOTALL)


def is_date_format(number_format: str) -> bool:
    """True when ``number_format`` shows a date or time: a d, m, y, h or s outside quoted text,
    escaped characters and brackets (``0" bps\n"%%`` is a number, ``dd-mmm-yy`` a date)."""
    bare = _QUOTED.sub("", number_format or "")
    return bool(re.search(r"[dmyhs]", bare, re.IGNORECASE)) and "General" not in bare


def undate(value: Any, number_format: str) -> Any:
    """A number that openpyxl read as a date or time because of a number format it misparsed
    (LibreOffice re-saves ``0" bps"`` with a line break inside the quotes) back to a number."""
    if isinstance(value, _dt.date | _dt.time | _dt.timedelta) and not is_date_format(number_format):
        from openpyxl.utils.datetime import to_excel

        return float(to_excel(value))
    return value


SERIAL_MIN, SERIAL_MAX = 18264, 91311  # Excel date serials of 1950-01-01 and 2149-12-31


def serial_date(value: Any) -> _dt.date | None:
    """A whole number in the range of Excel date serials (a date in General format) as a date."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not float(value).is_integer() or not SERIAL_MIN <= value <= SERIAL_MAX:
        return None
    return _dt.date(1899, 12, 30) + _dt.timedelta(days=int(value))


def as_date(value: Any) -> _dt.date | None:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return None


def is_error(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper() in ERROR_CODES
