"""The drill-down of one cell of the period table: the column's definition and formula, the
workbook line and cell that compute it again, and the period's values of the columns its
formula reads, each with its own cell (``core.report.trace_periods``)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QTableWidgetItem, QVBoxLayout, QWidget

from core.engine.results import DealResult
from core.report.trace_periods import ExcelLayout, trace_of
from gui.results.formatting import KIND_MONEY, fmt_value
from gui.results.widgets import number_item, read_only_table, selectable_label

HEADERS = ("Line", "Value", "Excel cell")


def _value(result: DealResult, key: str, t: int, tranche: str | None) -> str:
    from gui.results.period_table import (
        PERIOD_COLUMNS,
        REFI_COLUMNS,
        SWAP_COLUMNS,
        TRANCHE_COLUMNS,
        flag_text,
    )

    if key == "flags":
        return flag_text(int(result.periods["flags"].iloc[t])) or "none"
    if tranche is not None:
        column = key.split(":", 1)[1]
        return fmt_value(result.tranches[tranche][column].iloc[t], TRANCHE_COLUMNS[column][1])
    kind = (PERIOD_COLUMNS | SWAP_COLUMNS | REFI_COLUMNS).get(key, ("", KIND_MONEY))[1]
    return fmt_value(result.periods[key].iloc[t], kind)


class PeriodTraceDialog(QDialog):
    """One cell of the period table, traced; non-modal, reused for the next cell."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.header = selectable_label(self)
        self.table = read_only_table(HEADERS, self)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.table, 1)
        self.resize(560, 260)

    def show_cell(
        self,
        result: DealResult,
        key: str,
        t: int,
        tranche: str | None = None,
        layout: ExcelLayout | None = None,
    ) -> None:
        trace = trace_of(key)
        date = result.periods.index[t].date().isoformat()
        label = f"{tranche}: {trace.label}" if tranche else trace.label
        self.setWindowTitle(f"Where it comes from: {label}, {date}")
        where = layout.where(key, tranche) if layout is not None else None
        reads = ", ".join(trace_of(k).label for k in trace.reads)
        note = f"\nIt reads {reads} of the same period (below)." if reads else ""
        self.header.setText(f"{date}\n{trace.describe(where)}{note}")
        rows = [(label, key, tranche)] + [(trace_of(k).label, k, None) for k in trace.reads]
        self.table.setRowCount(len(rows))
        for i, (name, k, tr) in enumerate(rows):
            cell = layout.cell(k, t, tr) if layout is not None else None
            items = [QTableWidgetItem(name), number_item(_value(result, k, t, tr)),
                     QTableWidgetItem(cell or "")]  # fmt: skip
            for j, item in enumerate(items):
                if i == 0:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        self.show()
        self.raise_()

    def row(self, i: int) -> list[str]:
        """The texts of row ``i`` (line, value, Excel cell)."""
        return [self.table.item(i, j).text() for j in range(self.table.columnCount())]
