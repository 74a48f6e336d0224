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


class LimitError(DealError):
    """A size beyond a documented limit; ``path`` names the field, file or option."""

    def __init__(self, path: str, value: Any, what: str, limit: float) -> None:
        reason = f"{what} is more than the limit of {limit:,} (docs/limits.md)"
        super().__init__(path, value, reason)


class FileRefused(DealError):
    """An input or output file refused before it is opened; the message names the file."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(path, None, reason)
        self.args = (f"{path}: {reason}",)


class ConnectionRefused(ValueError):
    """A connection between two blocks that makes no sense (wrong kinds, duplicate, self-loop)."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
