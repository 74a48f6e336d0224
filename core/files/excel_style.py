"""Cell styles of the exported workbook, as credit desks expect them.

Inputs are blue, formulas black, values computed by the CapStack engine (not formulas) black on a
grey fill. Money in USD millions with three decimals, rates as percent, ratios with an ``x``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

BLUE = "FF0000FF"
BLACK = "FF000000"

INPUT_FONT = Font(name="Calibri", size=10, color=BLUE)
FORMULA_FONT = Font(name="Calibri", size=10, color=BLACK)
VALUE_FONT = Font(name="Calibri", size=10, color=BLACK, italic=True)
LABEL_FONT = Font(name="Calibri", size=10, color=BLACK)
HEADER_FONT = Font(name="Calibri", size=10, bold=True, color=BLACK)
TITLE_FONT = Font(name="Calibri", size=13, bold=True, color=BLACK)
SECTION_FONT = Font(name="Calibri", size=11, bold=True, color="FF1F3864")
NOTE_FONT = Font(name="Calibri", size=9, italic=True, color="FF595959")

HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
SECTION_FILL = PatternFill("solid", fgColor="FFEDEDED")
ENGINE_FILL = PatternFill("solid", fgColor="FFD9D9D9")
INPUT_FILL = PatternFill("solid", fgColor="FFFFF2CC")
THIN = Side(style="thin", color="FFBFBFBF")
HEADER_BORDER = Border(bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# number formats
MONEY = "#,##0.000;[Red]-#,##0.000;-"
PCT = "0.00%"
PCT4 = "0.0000%"
RATIO = '0.000"x"'
NUMBER = "General"
INT = "0"
DATE = "yyyy-mm-dd"
FLAG = '0;-0;"-"'
FRACTION = "0.000000"

#: field unit -> number format of its value cell on the Inputs sheet
UNIT_FORMATS = {
    "pct": "0.00##%",
    "pct_per_year": "0.00##%",
    "usd_m": "#,##0.0#####",
    "usd_m_per_year": "#,##0.0#####",
    "x": "0.00",
    "years": "0.00",
    "months": INT,
    "count": "#,##0",
    "units": "#,##0.####",
}


def _restyle(cell: Cell, kind: str, number_format: str, apply: Callable[[Cell], None]) -> None:
    """Give ``cell`` a style the way ``apply`` does, remembering the resulting style indices
    per workbook for the same starting style: openpyxl hashes every font and fill on every
    assignment, most of an export's time on a large deal; a copy of the indices is the same
    style for a fraction of it."""
    cache = cell.parent.parent.__dict__.setdefault("_capstack_styles", {})
    start = cell._style  # None until the cell is first styled
    key = (kind, number_format, None if start is None else tuple(start))
    done = cache.get(key)
    if done is None:
        apply(cell)
        cache[key] = copy.copy(cell._style)
    else:
        cell._style = copy.copy(done)


def style_input(cell: Cell, number_format: str = NUMBER) -> None:
    def apply(c: Cell) -> None:
        c.font, c.fill, c.number_format = INPUT_FONT, INPUT_FILL, number_format

    _restyle(cell, "input", number_format, apply)


def style_formula(cell: Cell, number_format: str = MONEY) -> None:
    def apply(c: Cell) -> None:
        c.font, c.number_format = FORMULA_FONT, number_format

    _restyle(cell, "formula", number_format, apply)


def style_engine_value(cell: Cell, number_format: str = MONEY) -> None:
    def apply(c: Cell) -> None:
        c.font, c.fill, c.number_format = VALUE_FONT, ENGINE_FILL, number_format

    _restyle(cell, "engine", number_format, apply)


def text_safe(cell: Cell) -> Cell:
    """Keep user text such as a tranche named '=A1' a string, never a formula."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"
    return cell


def deal_texts_as_text(wb: Workbook, texts: Iterable[str]) -> int:
    """Every cell of ``wb`` that would be a formula because it is, or begins with, a deal text
    that begins with '=' (a tranche named '=HYPERLINK(...)', alone or as "NAME: interest due")
    is made a string: text from a deal is always written as text, whichever writer put it
    there. Returns how many cells were fixed."""
    live = tuple(t for t in set(texts) if t.startswith("="))
    fixed = 0
    if not live:
        return fixed
    starts = tuple(t + sep for t in live for sep in (":", " ", " -"))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type != "f" or not isinstance(value, str):
                    continue
                if value in live or value.startswith(starts):
                    cell.data_type = "s"
                    fixed += 1
    return fixed


def header(cell: Cell, text: str) -> None:
    cell.value = text
    text_safe(cell)
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
    cell.alignment = CENTER
    cell.border = HEADER_BORDER


def title(ws: Worksheet, text: str, note: str = "") -> None:
    ws["A1"] = text
    ws["A1"].font = TITLE_FONT
    if note:
        ws["A2"] = note
        ws["A2"].font = NOTE_FONT


def widths(ws: Worksheet, values: dict[int, float]) -> None:
    """Column widths by 1-based column index."""
    for col, w in values.items():
        ws.column_dimensions[get_column_letter(col)].width = w
