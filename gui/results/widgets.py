"""Small widgets the results views share: read-only tables, number cells, a plot stacked over a
table, and the label saying why results are stale."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def read_only_table(headers: Sequence[str], parent: QWidget | None = None) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    return table


def selectable_label(parent: QWidget | None = None) -> QLabel:
    """A wrapped label whose text can be selected and copied (a trace's definition)."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def number_item(text: str) -> QTableWidgetItem:
    """A right-aligned cell, as numbers are in Excel."""
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def plot_over_table(
    owner: QWidget, top: QWidget, bottom: QWidget, sizes: tuple[int, int], *above: QWidget
) -> None:
    """Lay out ``owner`` as ``above`` widgets, then ``top`` over ``bottom`` in a splitter."""
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(top)
    split.addWidget(bottom)
    split.setSizes(list(sizes))
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in above:
        layout.addWidget(widget)
    layout.addWidget(split)


class ProblemLabel(QLabel):
    """Red text saying the results shown are stale and why (empty when they are current)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("results.problem")
        self.setStyleSheet("color: #c9403a; font-weight: bold;")

    def show_problem(self, message: str | None, limit: int = 110) -> None:
        if not message:
            self.clear()
            self.setToolTip("")
            return
        short = message if len(message) <= limit else message[: limit - 3] + "..."
        self.setText(f"  Results not updated: {short}")
        self.setToolTip(message)
