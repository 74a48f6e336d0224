"""Bad risk inputs (scenario files, stress values, Monte Carlo settings): one clear message."""

from __future__ import annotations

from core.model.errors import DealError


class RiskInputError(DealError):
    """A risk input is invalid; the message names the field (or option, file, line) and value.

    A :class:`DealError`, so the command line reports it like any bad deal input (exit 2).
    """

    def __init__(self, message: str) -> None:
        ValueError.__init__(self, message)
        self.path, self.value, self.reason = "", None, message
