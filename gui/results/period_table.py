"""The period-by-period table (dates down, engine columns across) with analysts' number formats
and Copy to clipboard as tab-separated text that pastes into Excel. Every column's header
tooltip gives its definition, formula and the exported workbook's line
(``core.report.trace_periods``); a cell's tooltip its workbook cell; a double-click opens
what the cell is computed from (``gui.results.period_trace``)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QTableView, QVBoxLayout, QWidget

from core.engine.arrays import FLAG_NAMES
from core.engine.results import DealResult
from core.files.excel_keys import CASHFLOWS
from core.report.trace_periods import trace_of
from gui.results.excel_cells import ExcelCells
from gui.results.formatting import KIND_MONEY, KIND_PCT, KIND_RATIO, KIND_TEXT, fmt_value
from gui.results.period_trace import PeriodTraceDialog

#: deal-level columns: engine column -> (header, kind)
PERIOD_COLUMNS: dict[str, tuple[str, str]] = {
    "revenue": ("Revenue", KIND_MONEY),
    "opex": ("Opex", KIND_MONEY),
    "fees": ("Fees", KIND_MONEY),
    "tax": ("Tax", KIND_MONEY),
    "cfads": ("CFADS", KIND_MONEY),
    "debt_service": ("Debt service", KIND_MONEY),
    "balloon": ("Balloon", KIND_MONEY),
    "dscr": ("DSCR", KIND_RATIO),
    "dscr_test": ("DSCR tested", KIND_RATIO),
    "ltv": ("LTV", KIND_PCT),
    "asset_value": ("Asset value", KIND_MONEY),
    "proceeds": ("Sale proceeds", KIND_MONEY),
    "injection": ("Equity injection", KIND_MONEY),
    "dsra_balance": ("DSRA balance", KIND_MONEY),
    "trap_balance": ("Lock-up account", KIND_MONEY),
    "distribution": ("Distribution", KIND_MONEY),
}
#: shown on a deal with interest-rate swaps
SWAP_COLUMNS: dict[str, tuple[str, str]] = {
    "swap_cash": ("Swap net cash", KIND_MONEY),
    "swap_breakage": ("Swap breakage", KIND_MONEY),
    "swap_arrears": ("Swap arrears", KIND_MONEY),
}
#: shown on a deal with refinancing terms
REFI_COLUMNS: dict[str, tuple[str, str]] = {"refinanced": ("Refinanced at maturity", KIND_MONEY)}
#: per-tranche columns, prefixed with the tranche's name
TRANCHE_COLUMNS: dict[str, tuple[str, str]] = {
    "balance": ("balance", KIND_MONEY),
    "interest_paid": ("interest paid", KIND_MONEY),
    "principal_paid": ("principal paid", KIND_MONEY),
    "shortfall": ("shortfall", KIND_MONEY),
    "writeoff": ("write-off", KIND_MONEY),
}


def flag_text(flags: int) -> str:
    return ", ".join(label for bit, label in FLAG_NAMES.items() if int(flags) & bit)


def period_frame(result: DealResult) -> tuple[pd.DataFrame, list[str]]:
    """The table's data (engine columns, renamed) and each column's kind."""
    p = result.periods
    columns = deal_columns(result)
    data = {header: p[col] for col, (header, _) in columns.items()}
    kinds = [kind for _, kind in columns.values()]
    for name, frame in result.tranches.items():
        for col, (header, kind) in TRANCHE_COLUMNS.items():
            data[f"{name}: {header}"] = frame[col]
            kinds.append(kind)
    data["Events"] = p["flags"].map(flag_text)
    kinds.append(KIND_TEXT)
    return pd.DataFrame(data, index=p.index), kinds


def deal_columns(result: DealResult) -> dict[str, tuple[str, str]]:
    """The deal-level columns ``result`` shows: engine column -> (header, kind)."""
    columns = PERIOD_COLUMNS | (SWAP_COLUMNS if result.compiled.swaps else {})
    return columns | (REFI_COLUMNS if result.compiled.inputs.refi_on is not None else {})


def column_keys(result: DealResult) -> list[tuple[str, str | None]]:
    """(trace key, tranche name or None) of each column of :func:`period_frame`, in order."""
    keys: list[tuple[str, str | None]] = [(col, None) for col in deal_columns(result)]
    for name in result.tranches:
        keys += [(f"tranche:{col}", name) for col in TRANCHE_COLUMNS]
    return keys + [("flags", None)]


def _raw(v: object) -> str:
    """A cell as Excel should read it: plain numbers at full precision, blanks for NaN."""
    if isinstance(v, float | np.floating | int | np.integer):
        return repr(float(v)) if math.isfinite(v) else ""
    return str(v)


class PeriodModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.frame = pd.DataFrame()
        self.kinds: list[str] = []
        self.text: list[list[str]] = []  # by column, then row
        self.keys: list[tuple[str, str | None]] = []  # trace key, tranche of each column
        self.result: DealResult | None = None
        self.excel = ExcelCells(self)  # the workbook's cells, found when first asked for

    def set_result(self, result: DealResult) -> None:
        self.beginResetModel()
        self.result = result
        self.excel.reset(result)
        self.frame, self.kinds = period_frame(result)
        self.keys = column_keys(result)
        # formatted once here: views ask for cells many times while scrolling and sizing
        self.text = [
            [fmt_value(v, kind) for v in self.frame.iloc[:, c]] for c, kind in enumerate(self.kinds)
        ]
        self.endResetModel()

    def clear(self) -> None:
        self.beginResetModel()
        self.frame, self.kinds, self.text, self.keys = pd.DataFrame(), [], [], []
        self.result = None
        self.excel.reset(None)
        self.endResetModel()

    def column_of(self, header: str) -> int | None:
        """The position of the column headed ``header`` (None: not shown for this deal)."""
        columns = list(self.frame.columns)
        return columns.index(header) if header in columns else None

    def _where(self, column: int, t: int | None = None) -> str:
        key, tranche = self.keys[column]
        layout = self.excel.get()
        if layout is None:
            reason = self.excel.error or "finding the cells…"
            return f"Excel: {CASHFLOWS} sheet ({reason})"
        if t is not None:
            cell = layout.cell(key, t, tranche)
            return f"Excel: {cell}" if cell else "Excel: not a line of the workbook"
        return layout.where(key, tranche) or "not a line of the workbook"

    def column_tooltip(self, column: int) -> str:
        """The column's definition, formula and the workbook's line."""
        key, tranche = self.keys[column]
        trace = trace_of(key)
        text = trace.describe(self._where(column).removeprefix("Excel: "))
        if tranche is not None:
            text = f"{tranche}: {text}"
        return text + "\nDouble-click a cell for what it is computed from."

    def cell_tooltip(self, row: int, column: int) -> str:
        """``CFADS on 2027-03-31: 12.3`` and the workbook's cell."""
        date = self.frame.index[row].date().isoformat()
        head = f"{self.frame.columns[column]} on {date}: {self.text[column][row]}"
        return f"{head}\n{self._where(column, row)}\nDouble-click: what it is computed from."

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.frame)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.frame.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text[index.column()][index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and self.kinds[index.column()] != KIND_TEXT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.cell_tooltip(index.row(), index.column())
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return self.column_tooltip(section)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            header = self.frame.columns[section]
            unit = {KIND_MONEY: "USD m", KIND_RATIO: "x", KIND_PCT: "%"}.get(self.kinds[section])
            return f"{header}\n({unit})" if unit else header
        return self.frame.index[section].date().isoformat()

    def to_tsv(self, rows: list[int] | None = None, cols: list[int] | None = None) -> str:
        """Tab-separated text with a header row; ``rows`` / ``cols`` pick a block (default all).

        Numbers are raw (USD m, ratios and LTV as decimals) so Excel reads them as numbers.
        """
        rows = list(range(len(self.frame))) if rows is None else rows
        cols = list(range(len(self.frame.columns))) if cols is None else cols
        header = ["Period end"] + [str(self.frame.columns[c]) for c in cols]
        lines = ["\t".join(header)]
        for r in rows:
            cells = [self.frame.index[r].date().isoformat()]
            cells += [_raw(self.frame.iat[r, c]) for c in cols]
            lines.append("\t".join(cells))
        return "\n".join(lines) + "\n"


class PeriodTable(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = PeriodModel(self)
        self.view = QTableView()
        self.view.horizontalHeader().setResizeContentsPrecision(24)  # size on the first rows
        self.view.setModel(self.model)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectItems)
        self.copy_button = QPushButton("Copy to clipboard")
        self.copy_button.setToolTip(
            "Copy the selected cells (or the whole table) as tab-separated text for Excel"
        )
        self.copy_button.clicked.connect(self.copy_to_clipboard)
        self.copy_action = QAction("Copy (tab-separated, for Excel)", self.view)
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.copy_action.triggered.connect(self.copy_to_clipboard)
        self.view.addAction(self.copy_action)  # Ctrl+C and the right-click menu
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        bar = QHBoxLayout()
        bar.addStretch(1)
        bar.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addLayout(bar)
        layout.addWidget(self.view)
        self.trace: PeriodTraceDialog | None = None
        self.view.doubleClicked.connect(lambda index: self.trace_cell(index.row(), index.column()))

    def show_result(self, result: DealResult) -> None:
        self.model.set_result(result)
        self.view.resizeColumnsToContents()

    def trace_cell(self, row: int, column: int) -> PeriodTraceDialog | None:
        """Open what the cell is computed from (None when nothing is shown)."""
        if self.model.result is None or not 0 <= column < len(self.model.keys):
            return None
        if self.trace is None:
            self.trace = PeriodTraceDialog(self)
        key, tranche = self.model.keys[column]
        self.trace.show_cell(self.model.result, key, row, tranche, self.model.excel.wait())
        return self.trace

    def show_period(self, row: int, header: str | None = None) -> None:
        """Select period ``row`` (in the column headed ``header`` when there is one): where a
        click on a chart drills down to."""
        if not 0 <= row < self.model.rowCount():
            return
        column = self.model.column_of(header) if header else None
        index = self.model.index(row, 0 if column is None else column)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QTableView.ScrollHint.PositionAtCenter)
        self.view.setFocus()

    def copy_to_clipboard(self) -> str:
        """Put the selection (or everything) on the clipboard; returns the text copied."""
        picked = self.view.selectionModel().selectedIndexes()
        if picked:
            rows = sorted({i.row() for i in picked})
            cols = sorted({i.column() for i in picked})
            text = self.model.to_tsv(rows, cols)
        else:
            text = self.model.to_tsv()
        QGuiApplication.clipboard().setText(text)
        return text

    def clear_result(self) -> None:
        self.model.clear()

    def set_stale(self, stale: bool) -> None:
        self.view.setStyleSheet("QTableView { color: #8a8a8a; }" if stale else "")
