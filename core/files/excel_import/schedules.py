"""Find period schedules: a row (or column) of dates, years or period numbers, and the series
laid along it that a desk labels revenue, opex, CFADS, debt service, DSCR or debt balance."""

from __future__ import annotations

import datetime as _dt
import statistics
from dataclasses import dataclass, field

from core.files.excel_import.frequency import FREQUENCY_NAMES, label_frequency
from core.files.excel_import.labels import score, tokens
from core.files.excel_import.reader import (
    Sheet,
    Workbook,
    as_date,
    cell_ref,
    is_error,
    serial_date,
)
from core.files.excel_keys import ROUNDTRIP

SERIES: dict[str, tuple[str, ...]] = {
    "revenue": ("revenue", "total revenue", "revenues", "sales", "rent", "rental income",
                "lease revenue", "total income", "lease rent", "revenue m", "total cash flow",
                "collateral cash flow"),
    "opex": ("opex", "op ex", "operating expense", "operating expenses", "operating costs",
             "total opex", "opex m", "operating cost"),
    "cfads": ("cfads", "cash flow available for debt service", "cfads ebitda tax"),
    "debt_service": ("debt service", "total debt service", "actual debt service",
                     "senior debt service"),
    "interest": ("interest", "interest paid", "senior interest", "interest expense"),
    "principal": ("principal", "principal repayment", "scheduled repayment", "repayment",
                  "senior principal"),
    "dscr": ("dscr", "debt service coverage ratio", "dscr x"),
    "balance": ("closing balance", "closing debt", "debt balance", "senior debt",
                "debt balance c f", "debt closing balance", "outstanding balance"),
}  # fmt: skip
MIN_PERIODS = 3
_OPENING = {"opening", "beginning", "bf", "bop", "start"}


@dataclass
class Series:
    kind: str
    label: str
    ref: str  # the label cell
    values: list[float | None]
    errors: list[str] = field(default_factory=list)  # sheet!cell (value) of error cells


@dataclass
class Schedule:
    sheet: str
    axis: str  # 'row': periods across columns; 'col': periods down rows
    ref: str  # first cell of the timeline
    periods: list
    dates: list[_dt.date] | None
    periods_per_year: int
    series: dict[str, Series] = field(default_factory=dict)
    frequency_from: str = ""  # how periods_per_year was inferred
    ends: bool = False  # the dates close their periods ("Period end", or month-end dates)
    inferred_ppy: int = 0  # periods_per_year as inferred (an override can be taken back)
    body: set[tuple[int, int]] = field(default_factory=set, repr=False)  # cells of dense lines

    def describe(self) -> str:
        kinds = ", ".join(f"{k} ({s.ref})" for k, s in self.series.items())
        across = "across columns" if self.axis == "row" else "down rows"
        return (f"{len(self.periods)} {FREQUENCY_NAMES.get(self.periods_per_year, '')} periods "
                f"{across} from {self.ref} ({self.frequency_from}): {kinds}")  # fmt: skip


def body_cells(schedules: list[Schedule]) -> set[tuple[str, int, int]]:
    """(sheet, row, col) of every value on a line laid densely along a timeline: per-period
    values, never single inputs."""
    return {(s.sheet, r, c) for s in schedules for (r, c) in s.body}


def find_schedules(wb: Workbook, every: bool = False) -> list[Schedule]:
    """Schedules with at least one recognised series (``every``: all timelines), most series
    first."""
    out, dated = [], []
    for sheet in wb.sheets.values():
        if sheet.name == ROUNDTRIP:
            continue
        for axis, start, cells in _timelines(sheet):
            sch = _schedule(sheet, axis, start, cells)
            if sch.dates is not None:
                dated.append(sch)
            if sch.series or every:
                out.append(sch)
    for sch in out:  # period counters borrow the calendar of a dated timeline of equal length
        if sch.dates is None:
            twin = next((d for d in dated if len(d.periods) == len(sch.periods)), None)
            if twin is not None:
                sch.dates, sch.periods_per_year = list(twin.dates), twin.periods_per_year
                sch.ends = twin.ends
                sch.frequency_from = f"the dates of {twin.ref}"
    for sch in out:
        sch.inferred_ppy = sch.periods_per_year
    out.sort(key=lambda s: (-len(s.series), s.dates is None))
    return out


def _timelines(sheet: Sheet):
    """(axis, (row, col) of first cell, [(row, col), ...]) for runs of dates / counters."""
    seen: set[tuple[str, int]] = set()
    rows: dict[int, list[int]] = {}
    cols: dict[int, list[int]] = {}
    for (r, c), cell in sheet.cells.items():
        if _is_period(cell.value):
            rows.setdefault(r, []).append(c)
            cols.setdefault(c, []).append(r)
    for r, cs in sorted(rows.items()):
        run = _run(sheet, [(r, c) for c in sorted(cs)], along="row")
        if run and ("row", r) not in seen:
            seen.add(("row", r))
            yield "row", run[0], run
    for c, rs in sorted(cols.items()):
        run = _run(sheet, [(r, c) for r in sorted(rs)], along="col")
        if run and ("col", c) not in seen:
            seen.add(("col", c))
            yield "col", run[0], run


def _date(v) -> _dt.date | None:
    """A date cell, or a date serial in General format (an EDATE result left unformatted)."""
    return as_date(v) or serial_date(v)


def _is_period(v) -> bool:
    if as_date(v) is not None:
        return True
    return isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer()


def _run(sheet: Sheet, cells: list[tuple[int, int]], along: str) -> list[tuple[int, int]]:
    """The longest run of adjacent cells whose values increase steadily."""
    best: list[tuple[int, int]] = []
    cur: list[tuple[int, int]] = []
    for rc in cells:
        if cur:
            prev = cur[-1]
            adjacent = (rc[1] == prev[1] + 1) if along == "row" else (rc[0] == prev[0] + 1)
            if adjacent and _steps(sheet.get(*prev), sheet.get(*rc)):
                cur.append(rc)
                continue
            if len(cur) > len(best):
                best = cur
        cur = [rc]
    if len(cur) > len(best):
        best = cur
    return best if len(best) >= MIN_PERIODS else []


def _steps(a, b) -> bool:
    da, db = _date(a), _date(b)
    if da is not None and db is not None:
        return 20 <= (db - da).days <= 370
    if da is None and db is None and not isinstance(a, str) and not isinstance(b, str):
        return b - a == 1
    return False


def _schedule(sheet: Sheet, axis: str, start, cells) -> Schedule:
    values = [sheet.get(*rc) for rc in cells]
    dates = [as_date(v) for v in values]
    serials = [serial_date(v) for v in values]
    if (
        all(d is not None for d in dates)
        or all(d is not None for d in serials)
        and all(20 <= b - a <= 370 for a, b in zip(values, values[1:], strict=False))
    ):
        ds = dates if all(d is not None for d in dates) else serials
        gaps = [(b - a).days for a, b in zip(ds, ds[1:], strict=False)]
        ppy = max(1, min(12, round(365.25 / statistics.median(gaps))))
        how = "date spacing" if ds is dates else "date serials in General format"
    elif all(1900 <= v <= 2200 for v in values):
        ppy, ds, how = 1, [_dt.date(int(v), 12, 31) for v in values], "calendar years"
    else:
        ppy, ds, how = 1, None, "period counter"
    sch = Schedule(sheet.name, axis, cell_ref(sheet.name, *start), values, ds, ppy, {}, how)
    scored: dict[str, tuple[float, Series]] = {}
    said: list[int] = []  # frequencies the line labels state ("Rent per quarter")
    for label, lref, vals, errs, where in _lines(sheet, axis, cells):
        if vals:
            sch.body.update(where)
        f = label_frequency(label)
        if f is not None:
            said.append(f)
        toks = tokens(label)
        if not toks or len(toks) > 8:
            continue
        for kind, syns in SERIES.items():
            if kind == "balance" and _OPENING.intersection(toks):
                continue  # an opening balance is the previous period's closing one
            s = max(score(toks, tokens(x)) for x in syns)
            if s >= 0.66 and (kind not in scored or s > scored[kind][0]):
                scored[kind] = (s, Series(kind, label, lref, vals, errs))
    sch.series = {k: v[1] for k, v in scored.items()}
    head = _label_left(sheet, *start) if axis == "row" else _label_up(sheet, *start)
    if ds is not None:
        sch.ends = all(d.day >= 28 for d in ds) or bool(head and "end" in tokens(head[0]))
    if ds is None:  # a counter: the labels ("Quarter", "Rent per quarter") give the frequency
        f = label_frequency(head[0]) if head else None
        f = f or (max(set(said), key=said.count) if said else None)
        if f is not None:
            sch.periods_per_year, sch.frequency_from = f, "the labels (per-period wording)"
    return sch


def _lines(sheet: Sheet, axis: str, cells):
    """(label, label ref, values, error refs) of every line laid along the timeline."""
    if axis == "row":
        r0 = cells[0][0]
        cs = [c for _, c in cells]
        others = sorted({r for (r, c) in sheet.cells if r != r0 and cs[0] <= c <= cs[-1]})
        for r in others:
            label = _label_left(sheet, r, cs[0])
            if label:
                where = [(r, c) for c in cs]
                yield (label[0], cell_ref(sheet.name, r, label[1]),
                       *_values(sheet, where), where)  # fmt: skip
    else:
        c0 = cells[0][1]
        rs = [r for r, _ in cells]
        others = sorted({c for (r, c) in sheet.cells if c != c0 and rs[0] <= r <= rs[-1]})
        for c in others:
            label = _label_up(sheet, rs[0], c)
            if label:
                where = [(r, c) for r in rs]
                yield (label[0], cell_ref(sheet.name, label[1], c),
                       *_values(sheet, where), where)  # fmt: skip


def _label_left(sheet: Sheet, r: int, c0: int):
    for c in range(c0 - 1, 0, -1):
        v = sheet.get(r, c)
        if isinstance(v, str) and tokens(v):
            return v, c
    return None


def _label_up(sheet: Sheet, r0: int, c: int):
    for r in range(r0 - 1, max(0, r0 - 4), -1):
        v = sheet.get(r, c)
        if isinstance(v, str) and tokens(v):
            return v, r
    return None


def _values(sheet: Sheet, cells) -> tuple[list[float | None], list[str]]:
    vals: list[float | None] = []
    errs: list[str] = []
    numeric = 0
    for rc in cells:
        v = sheet.get(*rc)
        if isinstance(v, int | float) and not isinstance(v, bool):
            vals.append(float(v))
            numeric += 1
        else:
            vals.append(None)
            if is_error(v) or (isinstance(v, str) and v.strip()):
                errs.append(f"{cell_ref(sheet.name, *rc)} ({str(v).strip()!r})")
    if numeric < max(2, len(cells) // 2):  # sparse: a table that merely crosses the timeline
        return [], errs
    return vals, errs
