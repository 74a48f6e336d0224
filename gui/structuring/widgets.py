"""Widgets the structuring dialogs share: the paths box, the result table, the summary line,
the Run / Apply / Close buttons, a wait cursor and right-aligned cells."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
)


def run_busy(fn):  # noqa: ANN001, ANN201
    """``fn()`` under a wait cursor."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return fn()
    finally:
        QGuiApplication.restoreOverrideCursor()


def right(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def paths_box(paths: int = 2000) -> QSpinBox:
    box = QSpinBox()
    box.setRange(100, 200_000)
    box.setValue(paths)
    box.setGroupSeparatorShown(True)
    return box


def result_parts(
    dialog: QDialog, hint: str, action: str, run: Callable[[], None], apply: Callable[[], None]
) -> tuple[QTableWidget, QLabel, QDialogButtonBox, QPushButton, QPushButton]:
    """A read-only table, a summary label showing ``hint`` and Close / ``action`` / Apply
    buttons (Apply disabled until there is a result)."""
    table = QTableWidget(0, 0)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    summary = QLabel(hint)
    summary.setWordWrap(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    run_button = buttons.addButton(action, QDialogButtonBox.ButtonRole.ActionRole)
    apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.ApplyRole)
    apply_button.setEnabled(False)
    run_button.clicked.connect(run)
    apply_button.clicked.connect(apply)
    buttons.rejected.connect(dialog.reject)
    return table, summary, buttons, run_button, apply_button
