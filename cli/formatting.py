"""Number formats shared by the commands' text output."""

from __future__ import annotations

import math
from typing import Any


def fmt(v: Any, kind: str = "num") -> str:
    """``kind``: num (1,234.5), pct (12.34%) or x (1.23x); None, NaN and infinities as n/a."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    if kind == "pct":
        return f"{v * 100:.2f}%"
    if kind == "x":
        return f"{v:.2f}x"
    return f"{v:,.1f}"
