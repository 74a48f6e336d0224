"""Field declarations: the typed, unit-carrying terms every block kind is made of.

One declaration drives validation, the JSON schema, the docs table, the GUI property
editor and the Excel ``Inputs`` sheet, so a field is described exactly once.

Storage conventions (see ``docs/deal-format.md``): money in USD millions unless the unit
says otherwise; rates and percentages as decimals (0.0658 = 6.58%); dates ISO ``YYYY-MM-DD``.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

from core import limits
from core.model.errors import DealError

#: unit id -> (label shown to analysts, factor from stored value to displayed value)
UNITS: dict[str, tuple[str, float]] = {
    "": ("", 1.0),
    "usd_m": ("USD m", 1.0),
    "usd_m_per_year": ("USD m / yr", 1.0),
    "usd_k": ("USD k", 1.0),
    "usd": ("USD", 1.0),
    "usd_per_hour": ("USD / GPU-hr", 1.0),
    "usd_per_mwh": ("USD / MWh", 1.0),
    "pct": ("%", 100.0),
    "pct_per_year": ("% / yr", 100.0),
    "bp": ("bp", 10_000.0),  # spreads, as desks quote them
    "x": ("x", 1.0),
    "years": ("years", 1.0),
    "months": ("months", 1.0),
    "mw": ("MW", 1.0),
    "count": ("", 1.0),
    "units": ("units", 1.0),
    "date": ("", 1.0),
}

#: unit id -> the largest magnitude a term in that unit may take when its declaration sets no
#: bound of its own: every number of a deal is bounded, so no input can overflow the engine
#: (a USD 10 trillion tranche, USD 10,000 a GPU-hour, 100 years, 1,200 months, ...).
UNIT_CEILINGS: dict[str, float] = {
    "": 1e6,
    "usd_m": 1e7,
    "usd_m_per_year": 1e7,
    "usd_k": 1e5,
    "usd": 1e9,
    "usd_per_hour": 1e4,
    "usd_per_mwh": 1e5,
    "pct": 1.0,
    "pct_per_year": 1.0,
    "bp": 1.0,
    "x": 100.0,
    "years": 100.0,
    "months": 1200,
    "mw": 1e5,
    "count": 1e8,
    "units": 1e9,
    "date": 0.0,
}

FIELD_TYPES = ("float", "int", "str", "bool", "date", "choice", "list")


@dataclass(frozen=True)
class Field:
    """One term of a block: name, type, unit, default, bounds and help text."""

    name: str
    label: str
    type: str
    default: Any
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    #: for ``list`` fields: bounds that apply to every element
    item_minimum: float | None = None
    item_maximum: float | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        if self.unit not in UNITS:
            raise ValueError(f"field {self.name}: unknown unit {self.unit!r}")
        # every number is bounded both ways: the unit's ceiling where the declaration sets none
        ceiling = UNIT_CEILINGS[self.unit]
        if self.type in ("float", "int"):
            self._default_bounds("minimum", "maximum", ceiling)
        elif self.type == "list":
            self._default_bounds("item_minimum", "item_maximum", ceiling)

    def _default_bounds(self, lo: str, hi: str, ceiling: float) -> None:
        if self.type == "int":
            ceiling = int(ceiling)
        if getattr(self, hi) is None:
            object.__setattr__(self, hi, ceiling)
        if getattr(self, lo) is None:
            object.__setattr__(self, lo, -ceiling)

    @property
    def unit_label(self) -> str:
        return UNITS[self.unit][0]

    @property
    def display_factor(self) -> float:
        return UNITS[self.unit][1]

    def validate(self, value: Any, path: str) -> Any:
        """Return ``value`` coerced to this field's type, or raise :class:`DealError`."""
        if self.type in ("float", "int"):
            v = _number(value, path, integer=self.type == "int")
            self._check_bounds(v, path, self.minimum, self.maximum, value)
            return v
        if self.type == "str":
            if not isinstance(value, str):
                raise DealError(path, value, "must be text")
            if problem := limits.text_problem(value):
                raise DealError(path, value, problem)
            return value
        if self.type == "bool":
            if not isinstance(value, bool):
                raise DealError(path, value, "must be true or false")
            return value
        if self.type == "date":
            if not isinstance(value, str):
                raise DealError(path, value, "must be a date written YYYY-MM-DD")
            try:
                # fromisoformat also takes "20260101" and "2026-W01-1": insist on YYYY-MM-DD
                ok = _dt.date.fromisoformat(value).isoformat() == value
            except ValueError:
                ok = False
            if not ok:
                raise DealError(path, value, "must be a date written YYYY-MM-DD")
            if not limits.EARLIEST_YEAR <= int(value[:4]) <= limits.LATEST_YEAR:
                span = f"{limits.EARLIEST_YEAR} to {limits.LATEST_YEAR}"
                raise DealError(path, value, f"must be a date in the years {span}")
            return value
        if self.type == "choice":
            if value not in self.choices:
                raise DealError(path, value, "must be one of " + ", ".join(self.choices))
            return value
        # list of numbers
        if not isinstance(value, list | tuple):
            raise DealError(path, value, "must be a list of numbers")
        if len(value) > limits.MAX_LIST_ITEMS:
            why = f"must hold at most {limits.MAX_LIST_ITEMS:,} numbers (docs/limits.md)"
            raise DealError(path, f"a list of {len(value):,} numbers", why)
        out = []
        for i, item in enumerate(value):
            v = _number(item, f"{path}[{i}]", integer=False)
            self._check_bounds(v, f"{path}[{i}]", self.item_minimum, self.item_maximum)
            out.append(v)
        return out

    @staticmethod
    def _check_bounds(
        v: float, path: str, lo: float | None, hi: float | None, shown: Any = None
    ) -> None:
        shown = v if shown is None else shown
        if lo is not None and v < lo:
            raise DealError(path, shown, f"must be at least {lo:g}")
        if hi is not None and v > hi:
            raise DealError(path, shown, f"must be at most {hi:g}")


def _number(value: Any, path: str, *, integer: bool) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DealError(path, value, "must be a whole number" if integer else "must be a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise DealError(path, value, "must be a finite number")
    if integer:
        if isinstance(value, float):
            if not value.is_integer():
                raise DealError(path, value, "must be a whole number")
            return int(value)
        return value
    try:
        return float(value)
    except OverflowError:  # an integer too large for a float, e.g. from a JSON file
        raise DealError(path, value, "must be a finite number") from None


# Short constructors keep the block declarations readable.
def money(name: str, label: str, default: float, help: str = "", **kw: Any) -> Field:
    kw.setdefault("minimum", 0.0)
    return Field(name, label, "float", default, unit=kw.pop("unit", "usd_m"), help=help, **kw)


def pct(name: str, label: str, default: float, help: str = "", **kw: Any) -> Field:
    kw.setdefault("minimum", 0.0)
    kw.setdefault("maximum", 1.0)
    return Field(name, label, "float", default, unit=kw.pop("unit", "pct"), help=help, **kw)


def num(name: str, label: str, default: float, unit: str, help: str = "", **kw: Any) -> Field:
    kw.setdefault("minimum", 0.0)
    return Field(name, label, "float", default, unit=unit, help=help, **kw)


def whole(name: str, label: str, default: int, unit: str = "", help: str = "", **kw: Any) -> Field:
    kw.setdefault("minimum", 0)
    return Field(name, label, "int", default, unit=unit, help=help, **kw)


def text(name: str, label: str, default: str, help: str = "") -> Field:
    return Field(name, label, "str", default, help=help)


def flag(name: str, label: str, default: bool, help: str = "") -> Field:
    return Field(name, label, "bool", default, help=help)


def choice(name: str, label: str, default: str, choices: tuple[str, ...], help: str = "") -> Field:
    return Field(name, label, "choice", default, choices=choices, help=help)
