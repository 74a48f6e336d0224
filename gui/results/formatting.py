"""Display formats and the one colour palette every results chart shares.

Numbers arrive from the engine in the deal's units (USD millions, decimal rates and ratios);
this module only turns them into text and picks colours, it computes nothing.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd

MISSING = "n/a"

#: one colour per series, used by every chart and its legend
COLORS: dict[str, str] = {
    "revenue": "#1b1b1b",
    "sources": "#6b6b6b",
    "costs": "#9e9e9e",  # opex, fees and tax
    "interest": "#e6862e",
    "principal": "#2f6db5",
    "dsra": "#8a5fbf",
    "swap": "#3d7f8c",
    "trap": "#c9403a",
    "gpus": "#7b6a4f",  # equity's share of GPUs delivered with delayed draws
    "distribution": "#3b9e5a",
    "dscr": "#2f6db5",
    "dscr_test": "#7aa6dc",
    "lockup": "#e6a23c",
    "default": "#c9403a",
    "debt": "#2f6db5",
    "asset_value": "#3b9e5a",
    "ltv": "#1f3f73",
    "ltv_max": "#c9403a",
}

#: tranches in seniority order take these (senior = darkest blue); equity classes the greens
TRANCHE_COLORS = ("#1f3f73", "#2f6db5", "#5b8fd0", "#8fb4e3", "#6b4fa0", "#9b7fd0", "#c0a8e8")
EQUITY_COLORS = ("#3b9e5a", "#74c18b", "#a9dbb6", "#2e7d46")

#: what a column of the period table holds: money, ratio (x), percent, or text
KIND_MONEY, KIND_RATIO, KIND_PCT, KIND_TEXT = "money", "ratio", "pct", "text"


def tranche_color(k: int) -> str:
    return TRANCHE_COLORS[k % len(TRANCHE_COLORS)]


def equity_color(k: int) -> str:
    return EQUITY_COLORS[k % len(EQUITY_COLORS)]


def _bad(v: Any) -> bool:
    return v is None or (isinstance(v, float | np.floating) and not math.isfinite(v))


def fmt_money(v: Any, decimals: int = 1) -> str:
    """USD millions with thousands separators: ``27,300.0``; negatives in brackets."""
    if _bad(v):
        return MISSING
    v = float(v)
    text = f"{abs(v):,.{decimals}f}"
    return f"({text})" if v < 0 and text.strip("0.,") else text


def fmt_ratio(v: Any) -> str:
    """Cover ratios as analysts write them: ``1.24x``."""
    return MISSING if _bad(v) else f"{float(v):.2f}x"


def fmt_pct(v: Any, decimals: int = 2) -> str:
    """A decimal share as a percentage: 0.6367 -> ``63.67%``."""
    return MISSING if _bad(v) else f"{float(v) * 100:.{decimals}f}%"


def fmt_years(v: Any) -> str:
    return MISSING if _bad(v) else f"{float(v):.2f} yrs"


def fmt_window(periods: int, months_per_period: int) -> str:
    """A covenant test window in words: ``trailing 12 months``, ``trailing month``."""
    months = periods * months_per_period
    return "trailing month" if months == 1 else f"trailing {months} months"


def fmt_date(v: Any) -> str:
    """ISO date from a date, a timestamp or a string; ``none`` for a missing event date."""
    if v is None:
        return "none"
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date().isoformat()
    return str(v)


def fmt_value(v: Any, kind: str) -> str:
    """Format ``v`` by column kind (see ``KIND_*``)."""
    if kind == KIND_MONEY:
        return fmt_money(v)
    if kind == KIND_RATIO:
        return fmt_ratio(v)
    if kind == KIND_PCT:
        return fmt_pct(v)
    return MISSING if _bad(v) else str(v)


def timestamps(index: pd.DatetimeIndex) -> np.ndarray:
    """Seconds since the epoch (UTC) of each date, the x values of every date axis."""
    return (index.as_unit("s").asi8).astype(float)
