"""Periodicity words: what a label or unit says about how often an amount falls
("Rent per quarter (USD m)", "Quarter", "monthly")."""

from __future__ import annotations

import re

FREQUENCY_NAMES = {1: "annual", 2: "semi-annual", 4: "quarterly", 12: "monthly"}
_LABEL_FREQUENCY = (
    (12, ("per month", "monthly", "/month", "/mth", "p.m.", "month")),
    (4, ("per quarter", "quarterly", "/quarter", "/qtr", "quarter", "qtr")),
    (2, ("per half", "half-year", "half year", "semi-annual", "semiannual", "semi annual",
         "half-yearly", "/half", "6-month", "six-month")),
    (1, ("per annum", "per year", "annual", "yearly", "/year", "/yr", "p.a.")),
)  # fmt: skip


def label_frequency(text: str) -> int | None:
    """Periods per year a label or unit says ("Rent per quarter (USD m)" -> 4), else None."""
    low = f" {str(text).lower()} "
    for ppy, words in _LABEL_FREQUENCY:
        for w in words:
            if w.isalpha() and re.search(rf"\b{w}s?\b", low) or not w.isalpha() and w in low:
                return ppy
    return None
