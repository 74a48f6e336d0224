"""The scenario editor: every stress field of one scenario, in analysts' units.

Built-in scenarios are read-only (duplicate one to change it). Values are checked by the core
(:func:`core.risk.scenarios.stress_from_dict`, ranges from ``RANGES``); a field in red says why
and nothing is applied until every field is valid. Blank keeps the deal's own value.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from core.risk.errors import RiskInputError
from core.risk.scenarios import FIELD_INFO, RANGES, STRESS_FIELDS, stress_from_dict
from core.risk.stress import Stress
from gui.number_input import CommaError, read_number
from gui.results.scenario_library import ScenarioLibrary

#: FIELD_INFO unit -> (shown unit, factor from the stored value to the shown one)
UNITS = {"pct": ("%", 100.0), "pct_per_year": ("% / yr", 100.0), "years": ("years", 1.0)}
UNITS["bp"] = ("bp", 10_000.0)  # rate shifts as desks quote them, as on the scenario bar
UNITS["count"] = ("count", 1.0)
RED = "QLineEdit { border: 1px solid #c9403a; background: #fde8e6; }"
BLANK = Stress()


def shown(name: str, value: float) -> str:
    return f"{value * UNITS[FIELD_INFO[name][1]][1]:.10g}"


def field_text(name: str, stress: Stress) -> str:
    """The text of a field: blank when it keeps the deal's value (or the no-stress default)."""
    value = getattr(stress, name)
    return "" if value is None or value == getattr(BLANK, name) else shown(name, value)


def parse_field(name: str, text: str) -> tuple[float | None, str | None]:
    """(value in the core's units or None for blank, error naming the field or None)."""
    label, unit = FIELD_INFO[name]
    text = text.strip()
    if not text:
        return None, None
    try:
        value = read_number(text) / UNITS[unit][1]
    except CommaError as exc:
        return None, f"{label} ({name}): {text!r}: {exc}"
    except ValueError:
        return None, f"{label} ({name}): {text!r} is not a number"
    try:
        stress_from_dict({name: value}, label)
    except RiskInputError as exc:
        lo, hi = RANGES[name]
        if lo <= value <= hi:
            return None, str(exc)
        return None, (
            f"{label} ({name}): {shown(name, value)} is outside "
            f"{shown(name, lo)} to {shown(name, hi)} {UNITS[unit][0]}"
        )
    return value, None


class ScenarioEditor(QDialog):
    """List of scenarios on the left, the fields of the selected one on the right.

    ``apply`` is called with a scenario name by "Apply to results".
    """

    def __init__(
        self, library: ScenarioLibrary, apply: Callable[[str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scenarios")
        self.setObjectName("scenario.editor")
        self.library, self._apply = library, apply
        self._loading = self._renaming = False
        self.list = QListWidget()
        self.list.setObjectName("scenario.list")
        self.list.currentItemChanged.connect(lambda *_: self._load_fields())
        self.list.itemChanged.connect(self._item_renamed)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.edits: dict[str, QLineEdit] = {}
        self.problem = QLabel()
        self.problem.setObjectName("scenario.problem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c9403a;")
        self.buttons: dict[str, QPushButton] = {}
        self._layout()
        library.listChanged.connect(self.refresh)
        library.edited.connect(self._edited_elsewhere)
        self.refresh()
        self.resize(760, 440)

    # ------------------------------------------------------------------ layout
    def _button(self, key: str, text: str, slot: Callable[[], object], tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(lambda _checked=False: slot())
        self.buttons[key] = button
        return button

    def _layout(self) -> None:
        left = QVBoxLayout()
        left.addWidget(QLabel("Scenarios"))
        left.addWidget(self.list)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        row1.addWidget(self._button("new", "New", self.new, "A new blank scenario"))
        row1.addWidget(self._button("duplicate", "Duplicate", self.duplicate, "Copy to edit"))
        row2.addWidget(self._button("rename", "Rename", self.rename, "Rename (user scenarios)"))
        row2.addWidget(self._button("delete", "Delete", self.delete, "Delete (user scenarios)"))
        left.addLayout(row1)
        left.addLayout(row2)
        grid = QGridLayout()
        for col, head in enumerate(("Stress", "Value", "Unit", "Accepted")):
            grid.addWidget(QLabel(f"<b>{head}</b>"), 0, col)
        for row, name in enumerate(STRESS_FIELDS, start=1):
            label, unit = FIELD_INFO[name]
            edit = QLineEdit()
            edit.setObjectName(f"scenario.field.{name}")
            edit.setPlaceholderText("deal's own")
            edit.setAlignment(Qt.AlignmentFlag.AlignRight)
            edit.setFixedWidth(110)
            edit.textChanged.connect(lambda _text: self._field_edited())
            lo, hi = RANGES[name]
            grid.addWidget(QLabel(label), row, 0)
            grid.addWidget(edit, row, 1)
            grid.addWidget(QLabel(UNITS[unit][0]), row, 2)
            grid.addWidget(QLabel(f"{shown(name, lo)} to {shown(name, hi)}"), row, 3)
            self.edits[name] = edit
        grid.setColumnStretch(3, 1)
        right = QVBoxLayout()
        right.addWidget(self.title)
        right.addLayout(grid)
        note = QLabel("Blank keeps the deal's own value. Built-in scenarios are read-only.")
        note.setStyleSheet("color: #666;")
        right.addWidget(note)
        right.addWidget(self.problem)
        right.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addLayout(right, 3)
        bottom = QHBoxLayout()
        bottom.addWidget(self._button("load", "Load set...", self.load_set, "Add a JSON set"))
        bottom.addWidget(self._button("save", "Save set...", self.save_set, "Save your scenarios"))
        bottom.addStretch(1)
        bottom.addWidget(
            self._button("apply", "Apply to results", self.apply, "Show this scenario's results")
        )
        bottom.addWidget(self._button("close", "Close", self.accept, "Close the editor"))
        outer = QVBoxLayout(self)
        outer.addLayout(top)
        outer.addLayout(bottom)

    # ------------------------------------------------------------------ public API
    def selected(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def select(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)
                return

    def refresh(self) -> None:
        """Rebuild the list from the library, keeping the selection when it still exists."""
        if self._renaming:
            return
        keep = self.selected()
        self.list.blockSignals(True)
        self.list.clear()
        for name in self.library.names():
            builtin = self.library.is_builtin(name)
            item = QListWidgetItem(f"{name} (built-in)" if builtin else name)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(self.library.get(name).describe())
            if not builtin:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.select(keep if keep in self.library else self.library.names()[0])
        self._load_fields()

    def values(self) -> tuple[Stress | None, dict[str, str]]:
        """The stress the fields describe (None when any is invalid) and the errors by field."""
        data, errors = {}, {}
        for name, edit in self.edits.items():
            value, error = parse_field(name, edit.text())
            if error:
                errors[name] = error
            elif value is not None:
                data[name] = value
        return (None if errors else stress_from_dict(data)), errors

    def new(self) -> None:
        self.select(self.library.add("scenario"))

    def duplicate(self) -> None:
        name = self.selected()
        if name is not None:
            self.select(self.library.add(f"{name} copy", self.library.get(name)))

    def rename(self) -> None:
        item = self.list.currentItem()
        if item is not None and not self.library.is_builtin(self.selected() or ""):
            self.list.editItem(item)

    def delete(self) -> None:
        name = self.selected()
        if name is None or self.library.is_builtin(name):
            return
        answer = QMessageBox.question(self, "Delete scenario", f"Delete the scenario {name!r}?")
        if answer == QMessageBox.StandardButton.Yes:
            self.library.delete(name)

    def apply(self) -> None:
        name = self.selected()
        if name is not None and self.values()[0] is not None:
            self._apply(name)

    def load_set(self, path: str | None = None) -> list[str]:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Load scenario set", "", "JSON (*.json)")
            if not path:
                return []
        try:
            names = self.library.load(path)
        except (OSError, RiskInputError) as exc:
            QMessageBox.warning(self, "Load scenario set", str(exc))
            return []
        if names:
            self.select(names[0])
        return names

    def save_set(self, path: str | None = None) -> bool:
        if not self.library.user:
            QMessageBox.information(self, "Save scenario set", "There are no user scenarios yet.")
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Save scenario set", "", "JSON (*.json)")
            if not path:
                return False
        try:
            self.library.save(path)
        except OSError as exc:
            QMessageBox.warning(self, "Save scenario set", str(exc))
            return False
        return True

    # ------------------------------------------------------------------ internals
    def _load_fields(self) -> None:
        name = self.selected()
        builtin = name is None or self.library.is_builtin(name)
        stress = self.library.get(name) if name is not None else BLANK
        self._loading = True
        for field, edit in self.edits.items():
            edit.setText(field_text(field, stress))
            edit.setReadOnly(builtin)
            edit.setStyleSheet("")
            edit.setToolTip("")
        self._loading = False
        self._show_title()
        for key in ("rename", "delete"):
            self.buttons[key].setEnabled(not builtin)
        self.problem.clear()

    def _show_title(self) -> None:
        name = self.selected() or ""
        read_only = self.library.is_builtin(name)
        text = f"{name} (built-in, read-only: duplicate it to edit)" if read_only else name
        self.title.setText(text)

    def _field_edited(self) -> None:
        if self._loading:
            return
        stress, errors = self.values()
        for field, edit in self.edits.items():
            edit.setStyleSheet(RED if field in errors else "")
            edit.setToolTip(errors.get(field, ""))
        if errors:
            self.problem.setText("Not applied: " + "; ".join(errors.values()))
            return
        self.problem.clear()
        name = self.selected()
        if stress is not None and name is not None and not self.library.is_builtin(name):
            self.library.set(name, stress)
            self.list.currentItem().setToolTip(stress.describe())

    def _edited_elsewhere(self, name: str) -> None:
        if name == self.selected() and self.values()[0] != self.library.get(name):
            self._load_fields()

    def _item_renamed(self, item: QListWidgetItem) -> None:
        old, new = item.data(Qt.ItemDataRole.UserRole), item.text()
        self.list.blockSignals(True)
        try:
            self._renaming = True  # the item already shows the new name: no list rebuild
            self.library.rename(old, new)
            item.setData(Qt.ItemDataRole.UserRole, new)
            self.problem.clear()
        except ValueError as exc:
            item.setText(old)
            self.problem.setText(f"Not renamed: {exc}")
        finally:
            self._renaming = False
            self.list.blockSignals(False)
        self._show_title()
