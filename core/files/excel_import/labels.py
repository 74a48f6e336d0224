"""Find labelled inputs anywhere in a workbook: a label a desk would write, and its value.

Each CapStack input has a table of the names desks use for it. A text cell is scored against
every synonym by token overlap (Dice), with typo-tolerant token equality (difflib); the value is
the nearest number to the right of the label on its row, or just below it. Units come from the
number format (%), nearby unit text ("€m", "US$'000", "AUD", "months") and magnitude.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from core.files.excel_import.frequency import label_frequency
from core.files.excel_import.reader import Sheet, Workbook, as_date, cell_ref, parse_number_text
from core.files.excel_import.targets import TARGETS, Target
from core.files.excel_keys import ROUNDTRIP

THRESHOLD = 0.62
_PREFERRED_SHEETS = ("input", "assumption", "summary", "term", "dealsummary", "cover")
# where a desk keeps its assumptions: a formula there is a labelled assumption, not a result
INPUT_SHEETS = ("input", "assumption", "parameter", "term", "driver", "setup")
# sensitivity and scenario tables flex the inputs: nothing on them is an input or a base result
SENSITIVITY_SHEETS = ("sensitiv", "scenario", "whatif", "tornado", "datatable", "flex")
# words of a result: a label holding one is never an amount, tenor or rate input
RESULT_WORDS = {"irr", "npv", "llcr", "plcr", "moic", "multiple", "payback", "yield", "return",
                "returns", "wacc", "dscr", "coverage", "xirr"}  # fmt: skip


@dataclass
class Candidate:
    target: str
    sheet: str
    label_cell: tuple[int, int]
    value_cell: tuple[int, int]
    label: str
    raw: Any
    value: Any
    scale: float
    confidence: float
    note: str = ""

    @property
    def ref(self) -> str:
        return cell_ref(self.sheet, *self.value_cell)

    @property
    def label_ref(self) -> str:
        return cell_ref(self.sheet, *self.label_cell)


def tokens(text: str) -> tuple[str, ...]:
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(text))
    text = text.lower().replace("&", " ").replace("/", " ")
    return tuple(t for t in re.split(r"[^a-z0-9]+", text) if t and t not in _STOP)


_STOP = {
    "the",
    "of",
    "in",
    "per",
    "on",
    "a",
    "an",
    "to",
    "for",
    "and",
    "m",
    "mm",
    "eur",
    "usd",
    "aud",
    "gbp",
    "k",
    "x",
    "pa",
    "p",
    "yrs",
    "yr",
    "years",
    "year",
    "less",
    "add",
    "total",
}
_STOP.discard("p")


@lru_cache(maxsize=50_000)
def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) < 5 or len(b) < 5:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= 0.85


def score(label: tuple[str, ...], synonym: tuple[str, ...]) -> float:
    """Dice overlap of two token lists with typo-tolerant matching (1.0 = same words)."""
    if not label or not synonym:
        return 0.0
    used: set[int] = set()
    hits = 0
    for s in synonym:
        for i, t in enumerate(label):
            if i not in used and _same(s, t):
                used.add(i)
                hits += 1
                break
    return 2.0 * hits / (len(label) + len(synonym))


def best_target(label: str) -> tuple[Target, float] | None:
    toks = tokens(label)
    if not toks or len(toks) > 8:
        return None
    best: tuple[Target, float] | None = None
    for t in TARGETS:
        if not _has_keys(toks, t):
            continue
        for syn in t.synonyms:
            s = score(toks, _syn_tokens(syn))
            if best is None or s > best[1]:
                best = (t, s)
    return best if best and best[1] >= THRESHOLD else None


def _has_keys(toks: tuple[str, ...], t: Target) -> bool:
    """The label holds a word of each of the target's key groups, and no result word unless
    the target is a result or a ratio."""
    if t.kind != "output" and t.value_type != "ratio" and RESULT_WORDS.intersection(toks):
        return False
    return all(any(tok.startswith(k) for tok in toks for k in group) for group in t.keys)


def sheet_role(name: str) -> str:
    """'sensitivity' (a table that flexes inputs), 'inputs' (where assumptions are kept) or
    'calculation'."""
    low = re.sub(r"[^a-z]", "", name.lower())
    if any(w in low for w in SENSITIVITY_SHEETS):
        return "sensitivity"
    if any(w in low for w in INPUT_SHEETS):
        return "inputs"
    return "calculation"


@lru_cache(maxsize=1000)
def _syn_tokens(syn: str) -> tuple[str, ...]:
    return tokens(syn)


def find_labels(
    wb: Workbook, body: set[tuple[str, int, int]] | None = None
) -> dict[str, list[Candidate]]:
    """Every plausible (label, value) pair per target, best first. ``body``: (sheet, row, col)
    of per-period values along a timeline, never taken as an input."""
    found: dict[str, list[Candidate]] = {}
    for sheet in wb.sheets.values():
        if sheet.name == ROUNDTRIP or sheet_role(sheet.name) == "sensitivity":
            continue
        for (r, c), cell in sheet.cells.items():
            if not isinstance(cell.value, str) or cell.formula and cell.value.startswith("="):
                continue
            hit = best_target(cell.value)
            if hit is None:
                continue
            target, conf = hit
            cand = _value_for(sheet, target, r, c, cell.value, conf, body or set())
            if cand is None and conf >= 0.99 and not _on_timeline(sheet.name, r, c, body):
                _report_bad_value(wb, sheet, target, r, c, cell.value)
            if cand is not None:
                found.setdefault(target.id, []).append(cand)
    for cands in found.values():
        cands.sort(key=_rank)
    return found


def _on_timeline(sheet: str, r: int, c: int, body: set[tuple[str, int, int]] | None) -> bool:
    """The label heads a per-period line (values to its right or below it on a timeline): a
    schedule's label, whose cells are periods, not one input."""
    near = [(r, c + k) for k in (1, 2, 3)] + [(r + k, c) for k in (1, 2)]
    return bool(body) and any((sheet, rr, cc) in body for rr, cc in near)


def _report_bad_value(wb: Workbook, sheet: Sheet, t: Target, r: int, c: int, label: str) -> None:
    """An exact label whose value cell holds an error or text: say which cell and what."""
    for cc in range(c + 1, c + 4):
        v = sheet.get(r, cc)
        if v is None or v == "":
            continue
        what = None
        if isinstance(v, str) and (v.strip().startswith("#") or parse_number_text(v) is None):
            if _unit_text(v) and not v.strip().startswith("#"):
                continue
            what = (
                f"holds the error {v.strip()}" if v.strip().startswith("#") else f"holds text {v!r}"
            )
            what += ", not a number"
        elif (
            isinstance(v, int | float | str)
            and not isinstance(v, bool)
            and t.kind != "output"
            and convert(t, v, sheet.fmt(r, cc), _unit_context(sheet, r, c, r, cc, label)) is None
        ):
            what = f"holds {v!r}, outside the range a {t.label.lower()} can take"
        if what:
            problem = f"{cell_ref(sheet.name, r, cc)}: {t.label} (label {label.strip()!r}) {what}"
            wb.cell_problems.append(problem)
            if t.kind != "output" and t.id != "revenue_price":  # the price is shown only
                wb.input_problems.setdefault(t.id, problem)
        return


def _rank(c: Candidate) -> tuple:
    pref = any(p in c.sheet.lower().replace(" ", "") for p in _PREFERRED_SHEETS)
    return (-round(c.confidence, 2), not pref, c.sheet, c.label_cell)


_NOT_AMOUNT = (
    "escalat",
    "inflation",
    "flag",
    "factor",
    "check",
    "test",
    "growth",
    "index",
    "%",
    "payback",
    "capacity",
    " per ",
    "kwp",
    "mwh",
    "/",
)


def _value_for(sheet: Sheet, t: Target, r: int, c: int, label: str, conf: float,
               body: set[tuple[str, int, int]]):  # fmt: skip
    low = label.lower()
    if t.value_type in ("money", "years") and any(w in low for w in _NOT_AMOUNT):
        conf -= 0.2
        if conf < THRESHOLD:
            return None
    spots = [(r, c + k) for k in range(1, 7)] + [(r + k, c) for k in (1, 2)]
    blocked = False
    for rr, cc in spots:
        v = sheet.get(rr, cc)
        if v is None or v == "" or (blocked and rr == r):
            continue
        if isinstance(v, str) and (rr, cc) != spots[0] and parse_number_text(v) is None:
            if rr == r and tokens(v) and not _unit_text(v):
                blocked = True  # another label on the row: stop looking right
            continue
        context = _unit_context(sheet, r, c, rr, cc, label)
        got = convert(t, v, sheet.fmt(rr, cc), context)
        if got is None:
            continue
        value, scale = got
        if rr != r:
            if t.kind != "output" and _table_axis(sheet, rr, cc):
                return None  # the first of a row of values: a table's axis, not an input
            conf -= 0.05  # a value below its label is a weaker reading than one to its right
        note = ""
        if t.kind == "output" and not _is_formula(sheet, rr, cc):
            return None  # a result is computed: a typed number next to "minimum DSCR" is input
        if t.kind != "output":
            why = not_an_input(sheet, rr, cc, t, body)
            if why is None:
                return None
            if why:
                note, conf = why, conf - 0.1
            f = label_frequency(context) if t.per_year else None
            if f and f != 1:  # "Rent per quarter": a year is f periods
                value, scale = value * f, scale * f
                note = (note + "; " if note else "") + f"per-period amount x {f} a year"
        return Candidate(t.id, sheet.name, (r, c), (rr, cc), label, v, value, scale, conf, note)
    return None


def _table_axis(sheet: Sheet, r: int, c: int) -> bool:
    """The cell is in a row of at least three values stepping evenly (a sensitivity or data
    table's axis: 76.75, 72.75, 68.75, ...)."""
    for lo in (c - 2, c - 1, c):
        vals = [sheet.get(r, k) for k in range(lo, lo + 3)]
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):
            step = vals[1] - vals[0]
            if step and abs(vals[2] - vals[1] - step) <= 1e-9 * max(abs(step), 1.0):
                return True
    return False


def _is_formula(sheet: Sheet, r: int, c: int) -> bool:
    cell = sheet.cells.get((r, c))
    return cell is not None and cell.formula


def not_an_input(sheet: Sheet, r: int, c: int, t: Target,
                 body: set[tuple[str, int, int]]) -> str | None:  # fmt: skip
    """None when the cell cannot be an input (a per-period value on a calculation sheet's
    timeline, or a formula result outside the inputs sheets); '' when it is one; a caution
    when it is a total."""
    role = sheet_role(sheet.name)
    if (sheet.name, r, c) in body and role != "inputs":  # assumptions by period: the first
        return None
    cell = sheet.cells.get((r, c))
    if cell is None or not cell.formula or role == "inputs":
        return ""
    if t.id == "capex":  # the project's cost is often a labelled sum of cost lines
        return "a formula total on a calculation sheet"
    return None


_UNIT_WORDS = {
    "usd",
    "eur",
    "aud",
    "gbp",
    "m",
    "mm",
    "k",
    "bn",
    "x",
    "pa",
    "p",
    "a",
    "yr",
    "yrs",
    "year",
    "years",
    "month",
    "months",
    "mw",
    "mwh",
    "mwac",
    "mwdc",
    "kwh",
    "kwp",
    "per",
    "days",
    "day",
    "hrs",
    "date",
    "000",
    "000s",
    "bps",
    "bp",
    "times",
}


def _unit_text(v: str) -> bool:
    """Unit text next to a value ("USD m", "%", "years", "AUD/MWh", "US$'000")."""
    low = v.strip().lower()
    if not low or len(low) > 16:
        return False
    if re.search(r"[$€£%#]", low):
        return True
    words = [w for w in re.split(r"[^a-z0-9]+", low) if w]
    return bool(words) and all(w in _UNIT_WORDS for w in words)


def _unit_context(sheet: Sheet, r: int, c: int, rr: int, cc: int, label: str) -> str:
    parts = [label]
    between = range(c + 1, cc) if rr == r else ()  # unit columns between label and value
    for col in [*between, cc + 1, cc + 2, cc + 3]:
        v = sheet.get(rr, col)
        if isinstance(v, str):
            parts.append(v)
    return " ".join(parts).lower()


def money_scale(raw: float, context: str) -> float:
    """Factor that turns a workbook amount into millions."""
    if re.search(r"(\bm\b|€m|\$m|£m|mn\b|million|\bmm\b|\(m\))", context):
        return 1.0
    if re.search(r"('000|000s|thousand|\bk\b|\$k|€k)", context):
        return 1e-3
    if re.search(r"\bbn\b|billion", context):
        return 1e3
    return 1e-6 if abs(raw) >= 100_000 else 1.0


def convert(t: Target, v: Any, number_format: str, context: str):
    """``(value in CapStack's units, scale applied)`` or ``None`` when ``v`` does not fit."""
    if t.value_type == "date":
        d = as_date(v)
        return (d.isoformat(), 1.0) if d else None
    if isinstance(v, bool):
        return None
    if isinstance(v, str):
        x = parse_number_text(v)
        if x is None:
            return None
        if "month" in v.lower() and t.value_type == "years":
            return x / 12.0, 1 / 12
        v = x
    if not isinstance(v, int | float) or as_date(v) is not None:
        return None
    x = float(v)
    if t.value_type == "rate":
        if "%" in number_format or abs(x) <= 1.0:
            return (x, 1.0) if abs(x) <= 1.0 else None
        return (x / 100.0, 0.01) if abs(x) <= 100 else None
    if t.value_type == "ratio":
        if t.id == "gearing":
            if 0 < x <= 1:
                return x, 1.0
            return (x / 100.0, 0.01) if 1 < x <= 100 else None
        return (x, 1.0) if 0.5 <= x <= 10 else None
    if t.value_type == "years":
        if "month" in context:
            return (x / 12.0, 1 / 12) if 1 <= x <= 600 else None
        return (x, 1.0) if 0.25 <= x <= 60 else None
    if t.value_type == "months":
        return (x, 1.0) if 0 <= x <= 36 and float(x).is_integer() else None
    if t.value_type == "money":
        if x <= 0 or "%" in number_format or re.search(r"(^|\s)%", context):
            return None
        s = money_scale(x, context)
        return x * s, s
    if t.value_type == "price":
        return (x, 1.0) if x > 0 else None
    return None
