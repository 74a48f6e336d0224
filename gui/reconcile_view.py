"""The reconciliation after an Excel import: the workbook's own DSCR / IRR / balances next to
CapStack's numbers for the same inputs, differences in red (beyond tolerance) or amber (close).
Every number comes from :mod:`core.files.excel_import.reconcile`; nothing is computed here."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QPlainTextEdit, QTableView, QVBoxLayout, QWidget

from core.files.excel_import.reconcile import ReconRow

COLUMNS = ("Metric", "Workbook", "CapStack", "Difference", "Flag", "Workbook cell")
FLAG_COLOURS = {"red": QColor(244, 199, 195), "amber": QColor(255, 229, 153),
                "ok": QColor(217, 234, 211)}  # fmt: skip
TIPS = {"ok": "within 2% (0.25pp for rates)", "amber": "within 10% (2pp)",
        "red": "beyond 10% (2pp)", "n/a": "one side has no value"}  # fmt: skip
Index = QModelIndex | QPersistentModelIndex


def fmt(value: float | None, kind: str, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    if kind == "pct":
        return f"{value * 100:+.2f}pp" if signed else f"{value * 100:.2f}%"
    text = f"{value:+,.3f}" if signed else f"{value:,.3f}"
    return text + ("x" if kind == "x" and not signed else "")


class ReconcileModel(QAbstractTableModel):
    def __init__(self, rows: list[ReconRow] | None = None) -> None:
        super().__init__()
        self.rows: list[ReconRow] = list(rows or [])

    def set_rows(self, rows: list[ReconRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (r.metric, fmt(r.workbook, r.kind), fmt(r.capstack, r.kind),
                    fmt(r.difference, r.kind, signed=True), r.status, r.where)[col]  # fmt: skip
        if role == Qt.ItemDataRole.BackgroundRole and col in (3, 4) and r.status in FLAG_COLOURS:
            return QBrush(FLAG_COLOURS[r.status])
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (1, 2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col == 4:
            return TIPS[r.status]
        return None


class ReconcileView(QWidget):
    """Table of reconciliation rows plus what could not be mapped and the import notes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ReconcileModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(130)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("Reconciliation: the workbook's own results vs CapStack's engine "
                             "for the same inputs"))  # fmt: skip
        lay.addWidget(self.table, 1)
        lay.addWidget(QLabel("Not mapped, defaulted, and notes"))
        lay.addWidget(self.details)

    def show_result(self, rows: list[ReconRow], unmapped: list[str], notes: list[str]) -> None:
        self.model.set_rows(rows)
        self.details.setPlainText("\n".join(list(unmapped) + [""] + list(notes)))
