"""The deal check panel: ``validate_deal``'s findings for the open deal, errors in red and
warnings in amber; clicking one selects the block it is about."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from core.model.deal import Deal
from core.model.validate import validate_deal


class DealCheck(QListWidget):
    """The ``validate_deal`` findings for the open deal; click one to select its block."""

    def __init__(self, select_blocks: Callable[[list[str]], None]) -> None:
        super().__init__()
        self.setObjectName("dealCheck")
        self.setWordWrap(True)
        self._select_blocks = select_blocks
        self.itemActivated.connect(self._select)
        self.itemClicked.connect(self._select)

    def refresh(self, deal: Deal) -> tuple[int, int]:
        self.clear()
        issues = validate_deal(deal)
        for issue in issues:
            item = QListWidgetItem(f"{issue.severity.upper()}  {issue.path}: {issue.message}")
            item.setForeground(
                Qt.GlobalColor.darkRed if issue.severity == "error" else Qt.GlobalColor.darkYellow
            )
            item.setData(Qt.ItemDataRole.UserRole, issue.path)
            item.setToolTip(str(issue))
            self.addItem(item)
        if not issues:
            self.addItem(QListWidgetItem("No issues: the deal is ready to run."))
        errors = sum(i.severity == "error" for i in issues)
        return errors, len(issues) - errors

    def _select(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole) or ""
        if path.startswith("blocks[") and "]" in path:
            self._select_blocks([path[7 : path.index("]")]])
