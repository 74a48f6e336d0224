"""Numbers as analysts type them: thousands separators, a trailing %, underscores.

A comma must group thousands (``1,250.5``); ``1,2`` is refused rather than read as 12 (it
most likely means 1.2 written with a decimal comma)."""

from __future__ import annotations

import re


class CommaError(ValueError):
    """A comma that does not group thousands (``1,2``)."""


_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def read_number(text: str) -> float:
    """The value of ``text``; raises ``CommaError`` for a misplaced comma, ``ValueError`` for
    anything else that is not a number."""
    t = text.strip().removesuffix("%").strip().replace("_", "")
    if "," in t:
        if not _GROUPED.match(t):
            raise CommaError(
                "a comma must separate thousands (1,250.5); write decimals with a point"
            )
        t = t.replace(",", "")
    return float(t)
