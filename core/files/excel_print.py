"""Print setup of every exported sheet: landscape, fitted to a readable number of pages across,
the header rows and the period / label columns repeated on every page, the sheet name and page
number in the footer - so a PDF of a long monthly model stays readable."""

from __future__ import annotations

import math

from openpyxl import Workbook
from openpyxl.worksheet.properties import PageSetupProperties

COLUMNS_PER_PAGE = 16  # about 16 columns of 12 characters fit a landscape A4 page legibly
TITLE_ROWS = "1:4"  # title, note, step / group, column headers


def print_setup(wb: Workbook) -> None:
    """Landscape, fit to width (one page across per ``COLUMNS_PER_PAGE`` columns, as many pages
    down as the periods need), print titles (rows 1-4 and the first two columns), footer."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = max(1, math.ceil(ws.max_column / COLUMNS_PER_PAGE))
        ws.page_setup.fitToHeight = 0  # as many pages down as needed
        ws.print_title_rows = TITLE_ROWS
        if ws.max_column > COLUMNS_PER_PAGE:
            ws.print_title_cols = "A:B"  # the period and its date (or the label) on every page
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        ws.oddFooter.left.text = "&A"
        ws.oddFooter.right.text = "page &P of &N"
        ws.print_options.gridLines = False
