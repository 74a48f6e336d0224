"""Errors raised by the deal model: each names the field path and the offending value."""

from __future__ import annotations

from typing import Any


class DealError(ValueError):
    """A deal input is invalid. ``path`` is a dotted/indexed path such as
    ``blocks[senior_a].terms.notional``; ``value`` is what was found there."""

    def __init__(self, path: str, value: Any, reason: str) -> None:
        self.path = path
        self.value = value
        self.reason = reason
        super().__init__(f"{path}: {reason} (got {_show(value)})")


class ConnectionRefused(ValueError):
    """A connection between two blocks that makes no sense (wrong kinds, duplicate, self-loop)."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
