"""How terms are written on cards, the way analysts write them. Plain Python (no Qt), so the
kind declarations and the GUI share it."""

from __future__ import annotations


def money(v: float) -> str:
    """USD millions: ``USD 27,300m``, ``USD 12.5m``."""
    return f"USD {v:,.0f}m" if abs(v) >= 100 else f"USD {v:,.1f}m"


def pct(v: float) -> str:
    """A decimal share as a percentage: 0.0658 -> ``6.58%``."""
    return f"{v * 100:.2f}%"


def years(v: float) -> str:
    """``5y``, ``2.5y``."""
    return f"{v:g}y"
