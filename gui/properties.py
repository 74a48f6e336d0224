"""The property panel: editors for the selected block's terms, generated from the field
declarations. Percent fields are shown x100 with a % suffix. An invalid entry is shown in red
with the reason and not applied; each applied edit is one undoable ``SetTerm``."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from core.model.deal import Block
from core.model.errors import DealError
from core.model.fields import Field
from gui.commands import push_set_term
from gui.document import DealDocument
from gui.icons import icon
from gui.number_input import CommaError, read_number


def format_number(value: float, factor: float) -> str:
    return f"{value * factor:.10g}"


def parse_number(text: str, f: Field, path: str) -> float | int:
    """The stored value for what the analyst typed (``7.00`` in a % field -> 0.07)."""
    try:
        shown = read_number(text)
    except CommaError as exc:
        raise DealError(path, text, str(exc)) from None
    except ValueError:
        raise DealError(path, text, "must be a number") from None
    if f.type == "int":
        if not shown.is_integer():
            raise DealError(path, text, "must be a whole number")
        return int(shown)
    return shown / f.display_factor


def parse_list(text: str, f: Field, path: str) -> list[float]:
    items = [s.strip().replace("%", "") for s in text.split(",") if s.strip()]
    out = []
    for i, item in enumerate(items):
        try:
            out.append(float(item) / f.display_factor)
        except ValueError:
            raise DealError(f"{path}[{i}]", item, "must be a number") from None
    return out


def shown_reason(reason: str, f: Field) -> str:
    """The model's reason with bounds in displayed units (``at most 0.5`` -> ``at most 50 %``)."""
    if f.display_factor == 1.0:
        return reason
    for word, bound in (("at least", f.minimum), ("at most", f.maximum)):
        if bound is not None and reason.startswith(f"must be {word}"):
            return f"must be {word} {bound * f.display_factor:g} {f.unit_label}"
    match = re.fullmatch(r"must be (at least|at most) (\S+)", reason)  # a list's item bound
    if match:
        try:
            bound = float(match[2])
        except ValueError:
            return reason
        return f"must be {match[1]} {bound * f.display_factor:g} {f.unit_label}"
    return reason


def shown_problem(exc: DealError, f: Field, text: str) -> str:
    """The message under a field: the reason in displayed units and what was typed; for a
    list, which item (``must be at most 50 % / yr (item 3: got 500)``)."""
    reason = shown_reason(exc.reason, f)
    item = re.search(r"\[(\d+)\]$", exc.path)
    if f.type == "list" and item:
        i = int(item[1])
        items = [s.strip() for s in text.split(",") if s.strip()]
        if i < len(items):
            return f"{reason} (item {i + 1}: got {items[i]})"
    return f"{reason} (got {text})"


class FieldEditor:
    """One field's widget, its unit label and its error line."""

    def __init__(self, f: Field, on_edit: Any) -> None:
        self.field = f
        self.shown = ""
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        if f.type == "choice":
            self.widget: QWidget = QComboBox()
            self.widget.addItems(list(f.choices))
            self.widget.activated.connect(lambda _i: on_edit(self))
        elif f.type == "bool":
            self.widget = QCheckBox(f.label)
            self.widget.clicked.connect(lambda _c: on_edit(self))
        elif f.type == "date":
            self.widget = QDateEdit()
            self.widget.setCalendarPopup(True)
            self.widget.setDisplayFormat("yyyy-MM-dd")
            self.widget.editingFinished.connect(lambda: on_edit(self))
            # a day picked in the calendar popup is applied at once (editingFinished only
            # comes when the focus leaves the field: Save would have missed the new date);
            # queued, so it runs after the popup has set the date
            calendar = self.widget.calendarWidget()
            for signal in (calendar.clicked, calendar.activated):
                signal.connect(lambda _date: QTimer.singleShot(0, lambda: on_edit(self)))
        else:
            self.widget = QLineEdit()
            self.widget.editingFinished.connect(lambda: on_edit(self))
        self.widget.setToolTip(f.help)
        self.row = QWidget()
        box = QHBoxLayout(self.row)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.widget, 1)
        if f.unit_label and f.type in ("float", "int", "list"):
            unit = QLabel(f.unit_label)
            unit.setObjectName("unitLabel")
            box.addWidget(unit)

    def set_value(self, value: Any) -> None:
        w, f = self.widget, self.field
        w.blockSignals(True)
        if isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QDateEdit):
            w.setDate(QDate.fromString(value, "yyyy-MM-dd"))
        elif f.type == "list":
            w.setText(", ".join(format_number(v, f.display_factor) for v in value))
        elif f.type in ("float", "int"):
            w.setText(format_number(value, f.display_factor))
        else:
            w.setText(str(value))
        if isinstance(w, QLineEdit):
            w.setCursorPosition(0)  # a long value shows its start, not its end, when cut off
        w.blockSignals(False)
        self.shown = self.text()
        self.show_error(None)

    def text(self) -> str:
        w = self.widget
        if isinstance(w, QComboBox):
            return w.currentText()
        if isinstance(w, QCheckBox):
            return str(w.isChecked())
        if isinstance(w, QDateEdit):
            return w.date().toString("yyyy-MM-dd")
        return w.text()

    def value(self, path: str) -> Any:
        """The value to store for what is shown; ``DealError`` if it cannot be read."""
        w, f = self.widget, self.field
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if f.type in ("float", "int"):
            return parse_number(self.text(), f, path)
        if f.type == "list":
            return parse_list(self.text(), f, path)
        return self.text()

    def show_error(self, reason: str | None) -> None:
        self.widget.setProperty("invalid", reason is not None)
        self.widget.style().unpolish(self.widget)
        self.widget.style().polish(self.widget)
        self.error.setText(reason or "")
        self.error.setVisible(reason is not None)


class PropertyPanel(QScrollArea):
    """Edits the block ``show_block`` was given (nothing selected: a hint)."""

    def __init__(self, document: DealDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("properties")
        self.setWidgetResizable(True)
        self.document = document
        self.block_id: str | None = None
        self.editors: dict[str, FieldEditor] = {}
        document.termsChanged.connect(self._on_terms_changed)
        document.blockRemoved.connect(self._on_block_removed)
        document.replaced.connect(lambda: self.show_block(None))
        self.show_block(None)

    def show_block(self, block_id: str | None) -> None:
        """Build the editors for one block (``None``: the empty hint)."""
        self.block_id = block_id if block_id in self.document.deal.blocks else None
        self.editors = {}
        page = QWidget()
        page.setObjectName("propertyPage")
        outer = QVBoxLayout(page)
        outer.setAlignment(Qt.AlignmentFlag.AlignTop)
        if self.block_id is None:
            hint = QLabel("Select a block on the canvas to edit its terms.")
            hint.setObjectName("hint")
            hint.setWordWrap(True)
            outer.addWidget(hint)
            self.setWidget(page)
            return
        block = self.document.deal.blocks[self.block_id]
        outer.addWidget(self._header(block))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        for f in block.spec.fields:
            editor = FieldEditor(f, self._apply)
            editor.set_value(block.terms[f.name])
            self.editors[f.name] = editor
            label = QLabel("" if f.type == "bool" else f.label)
            label.setToolTip(f.help)
            form.addRow(label, editor.row)
            form.addRow("", editor.error)
        outer.addLayout(form)
        self.setWidget(page)

    def _header(self, block: Block) -> QWidget:
        box = QWidget()
        box.setObjectName("propertyHeader")
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 6)
        row = QHBoxLayout()
        pix = QLabel()
        pix.setPixmap(icon(block.kind).pixmap(20, 20))
        title = QLabel(f"{block.spec.label}  ·  {block.id}")
        title.setObjectName("propertyTitle")
        row.addWidget(pix)
        row.addWidget(title, 1)
        desc = QLabel(block.spec.description)
        desc.setObjectName("hint")
        desc.setWordWrap(True)
        lay.addLayout(row)
        lay.addWidget(desc)
        return box

    def commit_pending(self) -> bool:
        """Apply what was typed but not yet confirmed (Enter / leaving the field), as Save,
        Close and the exports do; False if some of it is invalid (shown in red, not applied)."""
        pending = [e for e in list(self.editors.values()) if e.text() != e.shown]
        return all([self._apply(e) for e in pending])

    def apply(self, name: str) -> bool:
        """Apply what the editor of ``name`` shows; False (shown in red) if it is invalid."""
        return self._apply(self.editors[name])

    def _apply(self, editor: FieldEditor) -> bool:
        if self.editors.get(editor.field.name) is not editor:
            return False  # an editor of a block no longer shown (focus left it on rebuild)
        if self.block_id is None or editor.text() == editor.shown:
            return editor.shown == editor.text()
        path = f"blocks[{self.block_id}].terms.{editor.field.name}"
        try:
            push_set_term(self.document, self.block_id, editor.field.name, editor.value(path))
        except DealError as exc:
            editor.show_error(shown_problem(exc, editor.field, editor.text()))
            return False
        block = self.document.deal.blocks[self.block_id]
        editor.set_value(block.terms[editor.field.name])
        return True

    def _on_terms_changed(self, block: Block, name: str) -> None:
        if block.id == self.block_id and name in self.editors:
            self.editors[name].set_value(block.terms[name])

    def _on_block_removed(self, block: Block) -> None:
        if block.id == self.block_id:
            self.show_block(None)
