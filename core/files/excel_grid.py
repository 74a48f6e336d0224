"""A per-period grid: one row per period, one column per named series.

Columns are declared first (key, header, formula builder, number format) and written after, so a
formula may refer to any column of the grid, including a later one on the previous row (an
opening balance is the previous row's closing balance). Every per-period sheet starts its data
on the same row, so period ``t`` is row ``FIRST_ROW + t`` everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.files import excel_style as st

FIRST_ROW = 5  # data rows start here on every per-period sheet (row 3: group, row 4: header)

#: builds the formula text (without "=") for period ``t`` on row ``r``
Builder = Callable[[int, int], str]


@dataclass
class Column:
    key: str
    header: str
    build: Builder | None  # None: values supplied instead
    fmt: str
    group: str
    width: float
    values: list | None = None


def flag01(cond: str) -> str:
    """A flag column's formula: 1 when ``cond`` holds, else 0."""
    return f"IF({cond},1,0)"


class Grid:
    def __init__(self, sheet_name: str, n_periods: int, first_col: int = 1) -> None:
        self.sheet = sheet_name
        self.T = n_periods
        self.columns: list[Column] = []
        self.index: dict[str, int] = {}
        self.first_col = first_col

    # ------------------------------------------------------------ declaring
    def add(
        self,
        key: str,
        header: str,
        build: Builder,
        fmt: str = st.MONEY,
        group: str = "",
        width: float = 12,
    ) -> str:
        return self._add(Column(key, header, build, fmt, group, width))

    def add_values(
        self, key: str, header: str, values, fmt: str = st.MONEY, group: str = "", width=12
    ) -> str:
        return self._add(Column(key, header, None, fmt, group, width, list(values)))

    def _add(self, col: Column) -> str:
        if col.key in self.index:
            raise KeyError(f"duplicate column {col.key}")
        self.index[col.key] = self.first_col + len(self.columns)
        self.columns.append(col)
        return col.key

    # ------------------------------------------------------------ referring
    def letter(self, key: str) -> str:
        return get_column_letter(self.index[key])

    def at(self, key: str, r: int) -> str:
        """A reference to ``key`` on row ``r`` of this sheet (relative style)."""
        return f"{self.letter(key)}{r}"

    def total(self, keys: Iterable[str], r: int) -> str:
        """``(a + b + ...)``: the columns ``keys`` on row ``r`` added; ``(0)`` when none."""
        return "(" + ("+".join(self.at(key, r) for key in keys) or "0") + ")"

    def section(self, group: str) -> Section:
        """Columns added through the result share the group heading ``group``."""
        return Section(self, group)

    def ext(self, key: str, r: int) -> str:
        """A reference from another sheet."""
        return f"{self.sheet}!{self.letter(key)}{r}"

    def prev(self, key: str, r: int, initial: str) -> str:
        """``key`` on the previous row, or ``initial`` on the first period."""
        return initial if r == FIRST_ROW else self.at(key, r - 1)

    def col_range(self, key: str, last_row: int | None = None, sheet: bool = False) -> str:
        """The absolute column range of ``key`` from the first period to ``last_row``."""
        last = FIRST_ROW + self.T - 1 if last_row is None else last_row
        lt = self.letter(key)
        ref = f"${lt}${FIRST_ROW}:${lt}${last}"
        return f"{self.sheet}!{ref}" if sheet else ref

    def to_row(self, key: str, r: int) -> str:
        """The range of ``key`` from the first period down to row ``r`` (first row anchored)."""
        lt = self.letter(key)
        return f"{lt}${FIRST_ROW}:{lt}{r}"

    # ------------------------------------------------------------ writing
    def write(self, ws: Worksheet, value_style: bool = False) -> None:
        groups_seen: set[str] = set()
        for col in self.columns:
            c = self.index[col.key]
            if col.group and col.group not in groups_seen:
                groups_seen.add(col.group)
                cell = ws.cell(3, c, col.group)
                cell.font = st.SECTION_FONT
            st.header(ws.cell(4, c), col.header)
            ws.column_dimensions[get_column_letter(c)].width = col.width
            for t in range(self.T):
                r = FIRST_ROW + t
                cell = ws.cell(r, c)
                if col.build is None:
                    v = col.values[t]
                    cell.value = None if v is None or v != v else float(v)
                    if value_style:
                        st.style_engine_value(cell, col.fmt)
                    else:
                        st.style_formula(cell, col.fmt)
                else:
                    cell.value = "=" + col.build(t, r)
                    st.style_formula(cell, col.fmt)
        ws.row_dimensions[4].height = 66


class Section:
    """One group of columns of a grid (a waterfall step, a lease...): each column is one formula
    per period, copied down the timeline with the row number filled in."""

    def __init__(self, grid: Grid, group: str) -> None:
        self.grid = grid
        self.group = group
        self.at = grid.at

    def add(self, key: str, header: str, build: Builder, fmt: str = st.MONEY, width=12) -> str:
        return self.grid.add(key, header, build, fmt, self.group, width)

    def flag(self, key: str, header: str, cond: Builder, width: float = 8) -> str:
        """A 1/0 column: 1 in the periods where ``cond`` holds."""
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
