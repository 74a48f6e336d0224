"""The deal check panel: ``validate_deal``'s structural findings for the open deal and the
credit findings of its last base-case run (``core.engine.credit_check``), errors in red and
warnings in amber; clicking one selects the blocks to fix."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from core.engine.credit_check import CreditFinding
from core.model.deal import Deal
from core.model.validate import validate_deal

RED, AMBER = Qt.GlobalColor.darkRed, Qt.GlobalColor.darkYellow


class DealCheck(QListWidget):
    """Structural issues and credit findings of the open deal; click one to select its
    blocks. ``set_credit(None)``: no base-case run of the deal as it stands yet."""

    def __init__(self, select_blocks: Callable[[list[str]], None]) -> None:
        super().__init__()
        self.setObjectName("dealCheck")
        self.setWordWrap(True)
        self._select_blocks = select_blocks
        self._deal: Deal | None = None
        self._credit: list[CreditFinding] | None = None
        self.itemActivated.connect(self._select)
        self.itemClicked.connect(self._select)

    def refresh(self, deal: Deal) -> tuple[int, int]:
        """Check ``deal`` again (its credit findings wait for the next run)."""
        self._deal = deal
        return self._fill()

    def set_credit(self, findings: list[CreditFinding] | None) -> tuple[int, int]:
        """Show the credit findings of the deal's last base-case run."""
        self._credit = findings
        return self._fill()

    def counts(self) -> tuple[int, int]:
        errors = warnings = 0
        for i in range(self.count()):
            severity = self.item(i).data(Qt.ItemDataRole.UserRole + 1)
            errors += severity == "error"
            warnings += severity == "warning"
        return errors, warnings

    def _fill(self) -> tuple[int, int]:
        self.clear()
        issues = validate_deal(self._deal) if self._deal is not None else []
        for issue in issues:
            ids = []
            if issue.path.startswith("blocks[") and "]" in issue.path:
                ids = [issue.path[7 : issue.path.index("]")]]
            where = self._title_of(ids[0]) if ids else issue.path
            self._add(issue.severity, f"{where}: {issue.message}", ids, str(issue))
        structural_errors = any(i.severity == "error" for i in issues)
        credit = [] if structural_errors else (self._credit or [])
        for finding in credit:
            names = ", ".join(self._title_of(b) for b in finding.blocks[:4])
            tip = f"Credit check (base case). Blocks to look at: {names}"
            self._add(finding.severity, f"Credit: {finding.message}", list(finding.blocks), tip)
        if not issues and not credit:
            text = (
                "No issues: the deal is ready to run."
                if self._credit is None
                else "No issues: the deal funds, base-case DSCR is at least 1.00x, "
                "LTV at close is at most 100%."
            )
            self.addItem(QListWidgetItem(text))
        return self.counts()

    def _title_of(self, block_id: str) -> str:
        deal = self._deal
        return deal.blocks[block_id].title if deal and block_id in deal.blocks else block_id

    def _add(self, severity: str, text: str, ids: list[str], tip: str) -> None:
        item = QListWidgetItem(f"{severity.upper()}  {text}")
        item.setForeground(RED if severity == "error" else AMBER)
        item.setData(Qt.ItemDataRole.UserRole, ids)
        item.setData(Qt.ItemDataRole.UserRole + 1, severity)
        item.setToolTip(tip)
        self.addItem(item)

    def _select(self, item: QListWidgetItem) -> None:
        ids = item.data(Qt.ItemDataRole.UserRole) or []
        if ids:
            self._select_blocks(list(ids))
