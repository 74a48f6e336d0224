"""Hypothesis strategies built from the field declarations (core/model/fields.py, kinds/).

Every bound comes from a ``Field`` or from ``core.limits``, so a field added to a block kind
(the interest-rate swap's, the next one's) is drawn here without a change to this module.

- :func:`field_value`: a value the declaration accepts;
- :func:`hostile_value`: a value just inside, on, or beyond the declaration's bounds, of the
  wrong type, huge, or text with a control character: what a mutated file may hold;
- :func:`deal_mutations`: (sample file name, JSON document with one or more terms mutated).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

from hypothesis import strategies as st

from core import limits
from core.model.blocks import REGISTRY
from core.model.fields import Field

SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "deals"
SAMPLE_NAMES = tuple(sorted(p.name for p in SAMPLES.glob("*.json")))
_SAMPLE_DOCS = {n: json.loads((SAMPLES / n).read_text()) for n in SAMPLE_NAMES}

#: text without the characters a deal refuses (core.limits.text_problem)
safe_text = st.text(
    st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\t\n"), max_size=40
)
coordinate = st.integers(-(10**7), 10**7).map(lambda n: n / 10)
dates = st.dates(dt.date(limits.EARLIEST_YEAR, 1, 1), dt.date(limits.LATEST_YEAR, 12, 31))


def _number(lo: float, hi: float) -> st.SearchStrategy:
    return st.floats(min_value=lo, max_value=hi, allow_nan=False, allow_infinity=False)


def field_value(f: Field) -> st.SearchStrategy:
    """A value ``f`` accepts: drawn between its declared bounds (every number has both)."""
    if f.type == "float":
        return _number(f.minimum, f.maximum)
    if f.type == "int":
        return st.integers(int(f.minimum), int(f.maximum))
    if f.type == "str":
        return safe_text
    if f.type == "bool":
        return st.booleans()
    if f.type == "date":
        return dates.map(dt.date.isoformat)
    if f.type == "choice":
        return st.sampled_from(f.choices)
    return st.lists(_number(f.item_minimum, f.item_maximum), max_size=8)


def _edges(lo: float, hi: float, integer: bool) -> list:
    span = max(abs(lo), abs(hi), 1.0)
    out = [lo, hi, hi * 10 + 1, lo - span, span * 1e6, 1e308, -1e308, 2**31, 2**63 - 1, 2**64]
    return [int(v) if integer and abs(v) < 1e30 else v for v in out]


def hostile_value(f: Field) -> st.SearchStrategy:
    """A value a mutated file may hold for ``f``: valid, on a bound, beyond it, huge, of the
    wrong type, or text with a control character."""
    wrong = st.sampled_from([None, "five", "1,2OO", '=HYPERLINK("x")', [], {}, True, "\x1b"])
    if f.type in ("float", "int"):
        edges = st.sampled_from(_edges(f.minimum, f.maximum, f.type == "int"))
        return st.one_of(field_value(f), edges, wrong)
    if f.type == "list":
        edges = st.sampled_from(_edges(f.item_minimum, f.item_maximum, False))
        long = st.just([f.item_maximum] * (limits.MAX_LIST_ITEMS + 1))
        return st.one_of(field_value(f), st.lists(edges, min_size=1, max_size=4), long, wrong)
    if f.type == "str":
        bad = st.sampled_from(["a\x00b", "\x1b[31m", "=1+1", "@SUM(A1)", "x" * 5000, ""])
        return st.one_of(field_value(f), bad, wrong)
    if f.type == "date":
        bad = st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "20260101", "1949-12-31"])
        return st.one_of(field_value(f), bad, wrong)
    return st.one_of(field_value(f), wrong)


@st.composite
def deal_mutations(draw: st.DrawFn, max_terms: int = 3) -> tuple[str, dict]:
    """A sample deal's JSON document with 1 to ``max_terms`` of its blocks' terms replaced by
    :func:`hostile_value` s of their declarations (any declared field of the block's kind,
    set in the file or not)."""
    name = draw(st.sampled_from(SAMPLE_NAMES))
    doc = copy.deepcopy(_SAMPLE_DOCS[name])
    for _ in range(draw(st.integers(1, max_terms))):
        block = draw(st.sampled_from(doc["blocks"]))
        f = draw(st.sampled_from(REGISTRY[block["kind"]].fields))
        block.setdefault("terms", {})[f.name] = draw(hostile_value(f))
    return name, doc


def mutate_randomly(rng: object, max_terms: int = 3) -> tuple[str, dict, list[str]]:
    """The same mutations without Hypothesis, from a ``random.Random``: for the fuzz script.
    Returns the sample name, the document and what was changed (``block.field = value``)."""
    name = rng.choice(SAMPLE_NAMES)
    doc = copy.deepcopy(_SAMPLE_DOCS[name])
    changed = []
    for _ in range(rng.randint(1, max_terms)):
        block = rng.choice(doc["blocks"])
        f = rng.choice(REGISTRY[block["kind"]].fields)
        value = _random_value(rng, f)
        block.setdefault("terms", {})[f.name] = value
        changed.append(f"{block['id']}.{f.name} = {value!r:.60}")
    return name, doc, changed


def _random_value(rng: object, f: Field) -> object:
    wrong = [None, "five", "1,2OO", '=HYPERLINK("x")', [], True, "\x1b"]
    pick = rng.random()
    if f.type in ("float", "int"):
        if pick < 0.5:
            v = rng.uniform(f.minimum, f.maximum)
            return int(v) if f.type == "int" else v
        if pick < 0.9:
            return rng.choice(_edges(f.minimum, f.maximum, f.type == "int"))
        return rng.choice(wrong)
    if f.type == "list":
        if pick < 0.6:
            n = rng.randint(0, 6)
            return [rng.uniform(f.item_minimum, f.item_maximum) for _ in range(n)]
        if pick < 0.9:
            return [rng.choice(_edges(f.item_minimum, f.item_maximum, False))]
        return rng.choice(wrong)
    if f.type == "str":
        return rng.choice(["Senior A", "a\x00b", "\x1b[31m", "=1+1", "@SUM(A1)", "x" * 5000, 7])
    if f.type == "date":
        return rng.choice(["2027-06-30", "9999-12-31", "0001-01-01", "2026-02-30", "2200-12-31"])
    if f.type == "choice":
        return rng.choice([*f.choices, "nonsense", None])
    return rng.choice([True, False, "yes", 1])
