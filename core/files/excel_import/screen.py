"""Is the workbook a single-asset project or lease financing CapStack can model? A
securitisation (a pool of receivables, a tranche structure, a data tape) or a corporate model
(three financial statements, no debt service or coverage) is refused with the reason."""

from __future__ import annotations

import re

from core.files.excel_import.reader import Workbook, WorkbookError
from core.files.excel_import.schedules import Schedule

_ABS_WORDS = ("securiti", "tranchestructure", "priorityofpayments", "datatape", "collateral",
              "poolcashflow", "prepayment", "classa", "classb", "advancerate")  # fmt: skip
_CORPORATE_SHEETS = ("incomestatement", "balancesheet", "cashflowstatement", "profitandloss")
_LABEL_ROWS = 40  # the first rows of each sheet are searched for the words above


class NotAFinancing(WorkbookError):
    """The workbook is not a single-asset financing; ``reason`` says what it is."""

    def __init__(self, name: str, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"{name}: not a single-asset project or lease financing: {reason}. CapStack models "
            "one SPV's assets, lease and debt; nothing was imported (map the workbook by hand "
            "with a saved mapping if it really is one)"
        )


def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", str(text).lower())


def screen(wb: Workbook, schedules: list[Schedule]) -> None:
    """Raise :class:`NotAFinancing` for a securitisation or a corporate model."""
    import os

    name = os.path.basename(wb.path)
    abs_hits: set[str] = set()
    for sheet in wb.sheets.values():
        words = [_squash(sheet.name)]
        words += [
            _squash(c.value)
            for (r, _c), c in sheet.cells.items()
            if r <= _LABEL_ROWS and isinstance(c.value, str) and len(c.value) < 40
        ]
        for w in _ABS_WORDS:
            if any(w in x for x in words):
                abs_hits.add(w)
    if len(abs_hits) >= 3:
        found = ", ".join(sorted(abs_hits)[:5])
        raise NotAFinancing(
            name,
            f"a securitisation ({found} found): a pool of receivables paying a tranche structure",
        )
    statements = [s for s in wb.sheets if any(w in _squash(s) for w in _CORPORATE_SHEETS)]
    coverage = any(k in s.series for s in schedules for k in ("dscr", "debt_service", "cfads"))
    if len(statements) >= 2 and not coverage:
        raise NotAFinancing(name, "a corporate model (sheets " + ", ".join(map(repr, statements))
                            + "; no CFADS, debt service or DSCR line)")  # fmt: skip
