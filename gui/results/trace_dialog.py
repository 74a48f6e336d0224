"""The drill-down of a key metric: its definition and formula, the Excel cells that compute it
and the period rows of the run it comes from, the rows that decide it highlighted
(``core.report.trace``)."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QDialog, QTableView, QVBoxLayout, QWidget

from core.engine.results import DealResult
from core.report.trace import TRACES, trace_rows
from gui.results.formatting import fmt_money, fmt_pct, fmt_ratio
from gui.results.widgets import selectable_label

HIGHLIGHT = QColor("#fff1c2")
#: how a traced column is shown
FORMATS = {"dscr": fmt_ratio, "ltv": fmt_pct}
HEADERS = {
    "excel_column": "CashFlows column",
    "cfads": "CFADS",
    "debt_service": "Debt service",
    "dscr": "DSCR",
    "distribution": "Distribution",
    "injection": "Injection",
    "net_equity_flow": "Net equity flow",
    "debt_outstanding": "Debt outstanding",
    "debt_open": "Debt at period start",
    "asset_value": "Asset value",
    "ltv": "LTV",
}


def _text(column: str, value: object) -> str:
    if column == "excel_column":
        return str(value)
    return FORMATS.get(column, fmt_money)(value)


class TraceDialog(QDialog):
    """One metric of one result, traced to its period rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.header = selectable_label(self)
        self.model = QStandardItemModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        self.decisive: list[int] = []
        self.columns: list[str] = []
        self.resize(720, 520)

    def show_metric(self, result: DealResult, key: str) -> None:
        trace = TRACES[key]
        frame, self.decisive = trace_rows(result, key)
        self.setWindowTitle(f"Where it comes from: {trace.label}")
        marked = "; the highlighted rows decide it" if self.decisive else ""
        self.header.setText(f"{trace.tooltip}\nPeriod rows of this run{marked}.")
        self._fill(frame)
        if self.decisive:
            self.table.scrollTo(self.model.index(self.decisive[0], 0))
            self.table.selectRow(self.decisive[0])
        self.show()
        self.raise_()

    def _fill(self, frame: pd.DataFrame) -> None:
        self.model.clear()
        self.columns = list(frame.columns)
        for i, row in enumerate(frame.itertuples(index=False)):
            items = []
            for column, value in zip(frame.columns, row, strict=True):
                item = QStandardItem(_text(column, value))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if i in self.decisive:
                    item.setBackground(HIGHLIGHT)
                items.append(item)
            self.model.appendRow(items)
        self.model.setHorizontalHeaderLabels([HEADERS.get(c, c) for c in frame.columns])
        self.model.setVerticalHeaderLabels([d.date().isoformat() for d in frame.index])
        self.table.resizeColumnsToContents()

    def cell_text(self, row: int, column: str) -> str:
        headers = [
            self.model.horizontalHeaderItem(j).text() for j in range(self.model.columnCount())
        ]
        return self.model.item(row, headers.index(HEADERS.get(column, column))).text()
