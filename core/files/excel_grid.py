"""A per-period grid, FAST style: time across the columns, one line item per row.

Each line item (key, label, formula builder, number format) is declared first and written
after, so a formula may refer to any line of the grid, including a later one in the previous
period (an opening balance is the previous period's closing balance). The grid is the only
place that knows the orientation: a builder gets the period's position ``r`` (its column) and
turns keys into references with :meth:`Grid.at`, :meth:`Grid.prev`, :meth:`Grid.ext`,
:meth:`Grid.col_range` and :meth:`Grid.to_row`; it never writes an address itself.

Layout of every per-period sheet (``Timeline``, ``Leases``, ``Schedules``, ``CashFlows``,
``Results``; the per-period grid of ``Checks`` below its list of checks):

- columns: A the label, B the unit, C the total over all periods (flows only), D the value at
  closing (the "previous period" of the first period: an opening balance's notional, a
  counter's -1), then period ``t`` (0 = the first period after closing) in column
  ``FIRST_COL + t`` on every sheet;
- rows: 1 title and the master check, 2 a note, 3 the column captions, 4-8 the dated header
  band (period, start, end, calendar year of the end, operating flag: the ``Timeline`` rows,
  referenced by the other sheets), then the line items from row 10, each group (a waterfall
  step, a lease...) under a heading row.

One formula per row, copied across: the same formula in R1C1 terms in every period column (the
first period reads the closing column D, never a different formula).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.files import excel_style as st

LABEL_COL, UNIT_COL, TOTAL_COL, OPEN_COL = 1, 2, 3, 4  # A label, B unit, C total, D at closing
FIRST_COL = 5  # period t is column FIRST_COL + t on every per-period sheet (E: the first period)
CAPTION_ROW = 3  # "Line item", "Unit", "Total", "Close"
BAND_ROW = 4  # the dated header band: rows 4-8 (period, start, end, year, operating)
BAND_SIZE = 5
ITEM_ROW = BAND_ROW + BAND_SIZE + 1  # the first line item (row 10), below a blank row
PERIOD_WIDTH = 11
LABEL_WIDTH = 44

#: builds the formula text (without "=") of period ``t`` whose column is ``r``
Builder = Callable[[int, int], str]

#: number format -> the unit shown in column B
UNITS = {
    st.MONEY: "USD m",
    st.PCT: "%",
    st.PCT4: "%",
    st.RATIO: "x",
    st.INT: "#",
    st.FLAG: "1/0",
    st.DATE: "date",
    st.FRACTION: "factor",
}


@dataclass
class Column:
    """One line item of the grid (the name ``Column`` is kept: it was a column before the
    sheets were turned round)."""

    key: str
    header: str
    build: Builder | None  # None: values supplied instead
    fmt: str
    group: str
    width: float
    values: list | None = None
    total: bool = False


def flag01(cond: str) -> str:
    """A flag row's formula: 1 when ``cond`` holds, else 0."""
    return f"IF({cond},1,0)"


class Grid:
    """Line items of one sheet, one row each, one column per period.

    ``band``: the grid whose first ``BAND_SIZE`` rows are the dated header band (the
    ``Timeline``); this grid's band rows refer to them. ``None``: this grid is the timeline,
    whose first ``BAND_SIZE`` line items are the band itself. ``top``: the band's first row
    (a grid below other content, as on ``Checks``)."""

    def __init__(
        self, sheet_name: str, n_periods: int, band: Grid | None = None, top: int = BAND_ROW
    ) -> None:
        self.sheet = sheet_name
        self.T = n_periods
        self.columns: list[Column] = []
        self.index: dict[str, int] = {}  # key -> its row
        self.headings: dict[int, str] = {}  # row -> group heading
        self.band = band
        self.top = top
        self.first_item = top + BAND_SIZE + 1
        self.next_row = top if band is None else self.first_item
        self._group = ""
        self.initial: dict[str, str] = {}  # key -> its value at closing (column D)

    # ------------------------------------------------------------ declaring
    def add(
        self,
        key: str,
        header: str,
        build: Builder,
        fmt: str = st.MONEY,
        group: str = "",
        width: float = 12,
        total: bool = False,
        initial: str | None = None,
    ) -> str:
        """Line ``key``: ``build(t, r)`` in every period; ``total``: its sum in column C;
        ``initial``: its value at closing in column D (a formula text)."""
        if initial is not None:
            self.initial[key] = initial
        return self._add(Column(key, header, build, fmt, group, width, total=total))

    def add_values(
        self, key: str, header: str, values, fmt: str = st.MONEY, group: str = "", width=12
    ) -> str:
        return self._add(Column(key, header, None, fmt, group, width, list(values)))

    def _add(self, col: Column) -> str:
        if col.key in self.index:
            raise KeyError(f"duplicate line {col.key}")
        in_band = self.band is None and len(self.columns) < BAND_SIZE
        if not in_band:
            self.next_row = max(self.next_row, self.first_item)
            if col.group and col.group != self._group:
                if self.next_row > self.first_item:
                    self.next_row += 1  # a blank row between groups
                self.headings[self.next_row] = col.group
                self.next_row += 1
            self._group = col.group
        self.index[col.key] = self.next_row
        self.next_row += 1
        self.columns.append(col)
        return col.key

    # ------------------------------------------------------------ referring
    def row(self, key: str) -> int:
        """The row of line ``key``."""
        return self.index[key]

    @staticmethod
    def col(r: int) -> str:
        """The column letter of period position ``r``."""
        return get_column_letter(r)

    @property
    def first(self) -> int:
        """The position of the first period (column E)."""
        return FIRST_COL

    @property
    def last(self) -> int:
        """The position of the last period."""
        return FIRST_COL + self.T - 1

    def at(self, key: str, r: int) -> str:
        """A reference to ``key`` in period position ``r`` of this sheet (relative)."""
        return f"{get_column_letter(r)}{self.index[key]}"

    def total(self, keys: Iterable[str], r: int) -> str:
        """``(a + b + ...)``: the lines ``keys`` in period ``r`` added; ``(0)`` when none."""
        return "(" + ("+".join(self.at(key, r) for key in keys) or "0") + ")"

    def section(self, group: str) -> Section:
        """Lines added through the result share the group heading ``group``."""
        return Section(self, group)

    def ext(self, key: str, r: int) -> str:
        """A reference from another sheet."""
        return f"{self.sheet}!{self.at(key, r)}"

    def prev(self, key: str, r: int, initial: str) -> str:
        """``key`` in the previous period; in the first period, the closing column D of the
        line, which holds ``initial`` (a formula text: the value at closing)."""
        known = self.initial.setdefault(key, initial)
        if known != initial:
            raise ValueError(f"{self.sheet}: line {key} starts at {known} and at {initial}")
        return self.at(key, r - 1)

    def col_range(
        self, key: str, last_row: int | None = None, sheet: bool = False, close: bool = False
    ) -> str:
        """The absolute range of line ``key`` from the first period (``close``: from the
        closing column D) to the last (or to period position ``last_row``)."""
        last = self.last if last_row is None else last_row
        row = self.index[key]
        first = get_column_letter(OPEN_COL if close else FIRST_COL)
        ref = f"${first}${row}:${get_column_letter(last)}${row}"
        return f"{self.sheet}!{ref}" if sheet else ref

    def to_row(self, key: str, r: int) -> str:
        """The range of ``key`` from the first period to period position ``r`` (the first
        anchored), i.e. the periods so far."""
        row = self.index[key]
        return f"${get_column_letter(FIRST_COL)}${row}:{get_column_letter(r)}${row}"

    # ------------------------------------------------------------ writing
    def formulas(self) -> dict[str, list[str]]:
        """Every formula line's text per period (building them registers the closing
        values that :meth:`prev` asks for)."""
        return {
            col.key: ["=" + col.build(t, FIRST_COL + t) for t in range(self.T)]
            for col in self.columns
            if col.build is not None
        }

    def write(self, ws: Worksheet, value_style: bool = False) -> None:
        """The captions, the band, the group headings and every line, and the frozen panes
        (below the band, right of the closing column)."""
        built = self.formulas()
        if self.top == BAND_ROW:
            for c, text in ((LABEL_COL, "Line item"), (UNIT_COL, "Unit"),
                            (TOTAL_COL, "Total"), (OPEN_COL, "Close")):  # fmt: skip
                st.header(ws.cell(CAPTION_ROW, c), text)
        if self.band is not None:
            self._write_band(ws)
        for row, text in self.headings.items():
            ws.cell(row, LABEL_COL, text).font = st.SECTION_FONT
        last = get_column_letter(self.last)
        for i, col in enumerate(self.columns):
            row = self.index[col.key]
            label = st.text_safe(ws.cell(row, LABEL_COL, col.header))
            in_band = self.band is None and i < BAND_SIZE
            label.font = st.HEADER_FONT if in_band else st.LABEL_FONT
            ws.cell(row, UNIT_COL, UNITS.get(col.fmt, "")).font = st.NOTE_FONT
            if col.total and self.T:
                first = get_column_letter(FIRST_COL)
                cell = ws.cell(row, TOTAL_COL, f"=SUM({first}{row}:{last}{row})")
                st.style_formula(cell, col.fmt)
            if col.key in self.initial:
                st.style_formula(ws.cell(row, OPEN_COL, "=" + self.initial[col.key]), col.fmt)
            texts = built.get(col.key)
            for t in range(self.T):
                cell = ws.cell(row, FIRST_COL + t)
                if texts is None:
                    v = col.values[t]
                    cell.value = None if v is None or v != v else float(v)
                    if value_style:
                        st.style_engine_value(cell, col.fmt)
                    else:
                        st.style_formula(cell, col.fmt)
                else:
                    cell.value = texts[t]
                    st.style_formula(cell, col.fmt)
                if in_band:
                    cell.font = st.HEADER_FONT
        self._layout(ws)

    def _write_band(self, ws: Worksheet) -> None:
        """The band rows: the timeline's period, dates, year and operating flag."""
        band = self.band
        for i, col in enumerate(band.columns[:BAND_SIZE]):
            row = self.top + i
            ws.cell(row, LABEL_COL, col.header).font = st.HEADER_FONT
            ws.cell(row, UNIT_COL, UNITS.get(col.fmt, "")).font = st.NOTE_FONT
            for t in range(self.T):
                cell = ws.cell(row, FIRST_COL + t, "=" + band.ext(col.key, FIRST_COL + t))
                st.style_formula(cell, col.fmt)
                cell.font = st.HEADER_FONT

    def _layout(self, ws: Worksheet) -> None:
        for t in range(self.T):
            ws.column_dimensions[get_column_letter(FIRST_COL + t)].width = PERIOD_WIDTH
        if self.top != BAND_ROW:
            return  # a grid below other content keeps the sheet's own widths and panes
        st.widths(ws, {LABEL_COL: LABEL_WIDTH, UNIT_COL: 7, TOTAL_COL: 12, OPEN_COL: 11})
        ws.freeze_panes = ws.cell(self.first_item, FIRST_COL)


class Section:
    """One group of lines of a grid (a waterfall step, a lease...): each line is one formula
    copied across the periods, the period's column filled in."""

    def __init__(self, grid: Grid, group: str) -> None:
        self.grid = grid
        self.group = group
        self.at = grid.at

    def add(
        self,
        key: str,
        header: str,
        build: Builder,
        fmt: str = st.MONEY,
        width=12,
        total: bool = False,
    ) -> str:
        return self.grid.add(key, header, build, fmt, self.group, width, total)

    def flag(self, key: str, header: str, cond: Builder, width: float = 8) -> str:
        """A 1/0 line: 1 in the periods where ``cond`` holds."""
        return self.add(key, header, lambda t, r: flag01(cond(t, r)), st.FLAG, width)


@dataclass
class Context:
    """What every sheet writer needs: the deal, its compiled form, and where things live."""

    deal: object  # core.model.Deal
    compiled: object  # core.engine.compile.CompiledDeal
    refs: object  # core.files.excel_inputs.InputRefs
    tranches: list  # tranche blocks in kernel (seniority) order
    groups: list[tuple[int, int]]  # [start, end) tranche index ranges of equal seniority
    T: int
    grids: dict[str, Grid]  # sheet name (core.files.excel_keys) -> its grid

    def name(self, block, field_name: str) -> str:
        return self.refs.scalar[(block.id, field_name)]

    def tr(self, k: int, field_name: str) -> str:
        """The defined name of term ``field_name`` of the k-th tranche (seniority order)."""
        return self.name(self.tranches[k], field_name)

    @property
    def K(self) -> int:
        """Number of tranches."""
        return len(self.tranches)

    def tranche_name(self, k: int) -> str:
        return self.tranches[k].terms["name"]

    def one(self, kind: str):
        """The deal's first block of ``kind``, or None."""
        blocks = self.deal.of_kind(kind)
        return blocks[0] if blocks else None
