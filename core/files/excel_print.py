"""Print setup of every exported sheet, so a PDF of a long monthly model stays readable.

Every visible sheet: landscape A4, the sheet name and page number in the footer. A per-period
sheet (time across the columns, :mod:`core.files.excel_grid`) prints at a fixed scale with a
page break after each block of whole years (``PERIODS_PER_PAGE`` periods at most: a year of a
monthly model, three of a quarterly one), the label, unit, total and closing columns (A:D) and
the title, captions and dated band (rows 1-8) repeated on every page; its rows run down as many
pages as they need. Any other sheet (lists: Inputs, Parameters, Metrics, Checks...) is fitted
to one page across."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from core.files.excel_grid import BAND_ROW, BAND_SIZE, FIRST_COL, OPEN_COL

PERIODS_PER_PAGE = 12  # period columns beside the labels on a landscape A4 page at GRID_SCALE
GRID_SCALE = 50  # percent: a year of months (12 columns) beside the labels
TITLE_ROWS = "1:4"  # a list sheet: title, note, master flag or step, captions


def periods_per_page(ppy: int) -> int:
    """Whole years of periods that fit a page across (at least one year)."""
    return ppy * max(1, PERIODS_PER_PAGE // ppy)


def print_setup(wb: Workbook, grid_sheets: dict[str, tuple[int, bool]], ppy: int) -> None:
    """``grid_sheets``: the sheets with periods across (name -> (number of periods, whether
    the dated band is at the top; else, as on Checks and Metrics, the grid is below a list and
    the list's rows 1-4 repeat)); ``ppy``: periods per year (where the pages across break)."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        if ws.title in grid_sheets:
            _grid_pages(ws, *grid_sheets[ws.title], ppy)
        else:
            ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            ws.page_setup.fitToWidth = 1
            ws.page_setup.fitToHeight = 0  # as many pages down as needed
            ws.print_title_rows = TITLE_ROWS
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        ws.oddFooter.left.text = "&A"
        ws.oddFooter.right.text = "page &P of &N"
        ws.print_options.gridLines = False


def _grid_pages(ws: Worksheet, n_periods: int, band_on_top: bool, ppy: int) -> None:
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.page_setup.scale = GRID_SCALE
    ws.print_title_rows = f"1:{BAND_ROW + BAND_SIZE - 1}" if band_on_top else TITLE_ROWS
    ws.print_title_cols = f"A:{ws.cell(1, OPEN_COL).column_letter}"
    step = periods_per_page(ppy)
    for t in range(step, n_periods, step):  # a break after the column of period t - 1
        ws.col_breaks.append(Break(id=FIRST_COL + t - 1))
