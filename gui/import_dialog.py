"""The Excel import mapping dialog: every CapStack input the importer knows (found or not) is a
row (input <- sheet!cell, value, confidence) that can be unticked, pointed at any cell of any
sheet or given a typed value; the timeline's frequency (inferred from the workbook) can be
overridden; "Apply" rebuilds the deal and refreshes the reconciliation; "Save mapping…" keeps
the mapping (and the frequency) for the next workbook of the same layout. Warnings (a funding
gap, results far from the workbook's) are shown above the table. All reading, building and
reconciling is done by ``core.files.excel_import``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.files.excel_import import ImportResult, WorkbookError, rebuild
from core.files.excel_import.frequency import FREQUENCY_NAMES
from core.files.excel_import.mapping import MappingEntry, fingerprint, parse_ref, read_entry
from core.files.excel_import.reader import parse_number_text
from core.files.excel_import.targets import TARGET_BY_ID, TARGETS
from gui.file_guard import refused
from gui.reconcile_view import ReconcileView

COLUMNS = ("Use", "CapStack input", "Sheet!cell", "Value", "Confidence", "Workbook label")
USE, TARGET, CELL, VALUE, CONF, LABEL = range(6)


class ImportDialog(QDialog):
    """Confirm or correct the mapping of an imported workbook; ``deal`` after ``accept``."""

    def __init__(
        self, result: ImportResult, parent: QWidget | None = None, source: str | None = None
    ) -> None:
        """``source``: the workbook's path (a mapping is never saved over it)."""
        super().__init__(parent)
        self.source = source
        self.setWindowTitle("Import Excel – confirm the mapping")
        self.resize(1040, 820)
        self.imported = result
        self.entries: list[MappingEntry] = _with_unfound(result.mapping.entries)
        self._filling = False
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.itemChanged.connect(self._edited)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #b00020;")
        self.frequency = QComboBox()
        self.frequency.addItem("as inferred", None)
        for ppy, name in FREQUENCY_NAMES.items():
            self.frequency.addItem(name, ppy)
        if result.mapping.periods_per_year:
            self.frequency.setCurrentIndex(self.frequency.findData(result.mapping.periods_per_year))
        self.frequency.currentIndexChanged.connect(self._frequency_changed)
        self.inferred = QLabel()
        self.reconcile = ReconcileView()
        self.apply_button = QPushButton("Apply changes")
        self.apply_button.clicked.connect(self.apply)
        self.save_button = QPushButton("Save mapping…")
        self.save_button.clicked.connect(self.save_mapping)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        wb = result.workbook
        intro = QLabel(
            f"<b>{wb.path if wb else ''}</b><br>Proposed mapping: untick an input to drop it, "
            "edit <i>Sheet!cell</i> to read any cell of any sheet (also for an input not found), "
            "or type a value. Macros are never run."
        )
        intro.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.reconcile)
        split.setSizes([300, 420])
        freq = QHBoxLayout()
        freq.addWidget(QLabel("Timeline:"))
        freq.addWidget(self.frequency)
        freq.addWidget(self.inferred, 1)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(freq)
        lay.addWidget(self.warnings)
        lay.addWidget(split, 1)
        lay.addWidget(self.status)
        lay.addWidget(buttons)
        self._fill()
        self._present(result)
        self.deal = result.deal

    def _present(self, res: ImportResult) -> None:
        """Reconciliation, warnings, the frequency used and what the deal uses."""
        used = [f"{what}: {_show(value)}  ({source})" for what, value, source in res.used]
        notes = (["Inputs the deal uses:"] + used + [""] if used else []) + list(res.notes)
        self.reconcile.show_result(res.reconciliation, res.unmapped, notes)
        self.warnings.setText("\n".join(f"⚠ {w}" for w in res.warnings))
        self.warnings.setVisible(bool(res.warnings))
        name = FREQUENCY_NAMES.get(res.periods_per_year, "?")
        self.inferred.setText(f"{name} ({res.periods_per_year} a year), {res.frequency}")

    def _frequency_changed(self) -> None:
        self.imported.mapping.periods_per_year = self.frequency.currentData()
        self._say("Frequency changed; press Apply changes to rebuild the deal.")

    # ------------------------------------------------------------------ table
    def _fill(self) -> None:
        self._filling = True
        self.table.setRowCount(len(self.entries))
        for row, e in enumerate(self.entries):
            use = QTableWidgetItem()
            use.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            use.setCheckState(Qt.CheckState.Checked if e.enabled else Qt.CheckState.Unchecked)
            self.table.setItem(row, USE, use)
            self.table.setItem(row, TARGET, _fixed(_target_text(e)))
            self.table.setItem(row, CELL, QTableWidgetItem(e.ref))
            if e.source == "none":
                self.table.item(row, CELL).setToolTip("not found: type Sheet!cell to map it")
            self.table.setItem(row, VALUE, QTableWidgetItem(_show(e.value, e.target)))
            conf = _fixed(f"{e.confidence:.2f}" if e.source == "label" else e.source)
            if e.source == "none":
                conf = _fixed("not found")
            if e.source == "label" and e.confidence < 0.8:
                conf.setBackground(QColor(255, 229, 153))
            self.table.setItem(row, CONF, conf)
            self.table.setItem(row, LABEL, _fixed(e.label))
        self._filling = False

    def _edited(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        row, col = item.row(), item.column()
        e = self.entries[row]
        try:
            if col == USE:
                e.enabled = item.checkState() == Qt.CheckState.Checked and e.source != "none"
            elif col == CELL:
                sheet, cell = parse_ref(item.text())
                moved = MappingEntry(**{**e.__dict__, "sheet": sheet, "cell": cell, "enabled": True,
                                        "label_cell": ""})  # fmt: skip
                self.entries[row] = read_entry(self.imported.workbook, moved)
                self.entries[row].source = "user"
            elif col == VALUE:
                self.entries[row] = _with_value(e, item.text())
            else:
                return
        except (ValueError, WorkbookError) as exc:
            self._say(str(exc), error=True)
        else:
            self._say("Changed; press Apply changes to rebuild the deal and the reconciliation.")
        self._fill()

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setStyleSheet("color: #b00020;" if error else "")
        self.status.setText(text)

    # ------------------------------------------------------------------ actions
    def apply(self) -> bool:
        """Rebuild the deal from the edited mapping; False (and a message) when it fails."""
        self.imported.mapping.entries = _mapped(self.entries)
        try:
            keep = [n for n in self.imported.notes if n.startswith(("macro", "sheet"))]
            res = rebuild(
                self.imported.workbook, self.imported.mapping, self.imported.schedules, keep
            )
        except (WorkbookError, ValueError) as exc:
            self._say(str(exc), error=True)
            return False
        self.imported = res
        self.deal = res.deal
        self._present(res)
        self._say("Deal rebuilt from the mapping.")
        return True

    def save_mapping(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Save mapping", "",
                                                  "Mapping (*.json)")  # fmt: skip
        if not path or refused(self, path, [self.source], "mapping to save", "Save mapping"):
            return
        self.imported.mapping.entries = _mapped(self.entries)
        self.imported.mapping.fingerprint = fingerprint(
            self.imported.workbook, self.imported.mapping.entries
        )
        try:
            self.imported.mapping.save(path)
        except OSError as exc:
            self._say(f"Could not save the mapping: {exc}", error=True)
            return
        self._say(f"Mapping saved to {path}; use it for the next workbook of this template.")

    def accept(self) -> None:
        if self.apply():
            super().accept()


def _target_text(e: MappingEntry) -> str:
    t = TARGET_BY_ID[e.target]
    if t.kind == "output":
        return f"{t.label}  (for the reconciliation)"
    if e.target == "gearing":
        return f"{t.label}  (derives debt or capex)"
    if t.kind == "derived":
        return f"{t.label}  (shown for reference)"
    return f"{t.label}  ({e.block_field})"


def _with_unfound(entries: list[MappingEntry]) -> list[MappingEntry]:
    """The mapping's entries, then one empty row per input the importer did not find, so the
    analyst can point it at a cell."""
    found = {e.target for e in entries}
    empty = [MappingEntry(t.id, "", "", None, 0.0, enabled=False, source="none")
             for t in TARGETS if t.id not in found]  # fmt: skip
    return list(entries) + empty


def _mapped(entries: list[MappingEntry]) -> list[MappingEntry]:
    """Entries with a cell or a value (the empty rows of inputs not found are left out)."""
    return [e for e in entries if e.source != "none"]


def _fixed(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


#: value types shown as percent (stored as decimals; typing "6.58%" reads back as 0.0658)
PERCENT_TYPES = ("rate",)


def _show(v, target: str = "") -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        t = TARGET_BY_ID.get(target)
        if t is not None and (t.value_type in PERCENT_TYPES or target == "gearing"):
            return f"{v * 100:,.6g}%"
        return f"{v:,.6g}"
    return str(v)


def _with_value(e: MappingEntry, text: str) -> MappingEntry:
    t = TARGET_BY_ID[e.target]
    if t.value_type == "date":
        value = text.strip()
    else:
        value = parse_number_text(text)
        if value is None:
            raise ValueError(f"{t.label}: {text!r} is not a number")
    return MappingEntry(**{**e.__dict__, "value": value, "source": "user", "enabled": True})
