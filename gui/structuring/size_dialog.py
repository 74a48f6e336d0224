"""Structure > Size debt…: the largest notional of a tranche under the ticked constraints
(core.structuring.sizing), each constraint's capacity with the binding one in bold, and Apply
as one undoable edit."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.model.errors import DealError
from core.structuring.candidate import tranches
from core.structuring.implied_rating import SCALE
from gui.document import DealDocument
from gui.results.formatting import fmt_money
from gui.structuring.apply import push_changes
from gui.structuring.widgets import paths_box, result_parts, right, run_busy

#: name -> (label, default, suffix, decimals, maximum); percentages are entered in percent
NUMBERS = {
    "sculpt": ("Sculpt to target DSCR", 1.30, "x", 2, 10.0),
    "min_dscr": ("Minimum DSCR", 1.25, "x", 2, 10.0),
    "avg_dscr": ("Minimum average DSCR", 1.35, "x", 2, 10.0),
    "llcr": ("Minimum LLCR", 1.35, "x", 2, 10.0),
    "max_ltv": ("Maximum LTV at close", 80.0, "%", 1, 500.0),
    "advance_rate": ("Maximum advance rate on cost", 70.0, "%", 1, 500.0),
    "max_pd": ("Maximum Monte Carlo PD", 1.0, "%", 2, 100.0),
    "max_el": ("Maximum Monte Carlo EL", 0.25, "%", 3, 100.0),
}
CASES = ("base", "downside", "severe")


class SizeDialog(QDialog):
    def __init__(
        self, doc: DealDocument, tranche: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Size debt")
        self.doc, self.result = doc, None
        grid = QGridLayout()
        self.tranche = QComboBox()
        for b in tranches(doc.deal):
            self.tranche.addItem(b.terms["name"], b.id)
        if tranche is not None and self.tranche.findData(tranche) >= 0:
            self.tranche.setCurrentIndex(self.tranche.findData(tranche))
        grid.addWidget(QLabel("Tranche"), 0, 0)
        grid.addWidget(self.tranche, 0, 1)
        self.checks: dict[str, QCheckBox] = {}
        self.values: dict[str, QDoubleSpinBox] = {}
        row = 1
        for name, (label, default, suffix, decimals, top) in NUMBERS.items():
            box, spin = QCheckBox(label), QDoubleSpinBox()
            spin.setRange(0.0, top)
            spin.setDecimals(decimals)
            spin.setValue(default)
            spin.setSuffix(f" {suffix}")
            self.checks[name], self.values[name] = box, spin
            grid.addWidget(box, row, 0)
            grid.addWidget(spin, row, 1)
            row += 1
        self.checks["min_dscr"].setChecked(True)
        self.repaid = QCheckBox("Repaid by the end of the contracted lease")
        grid.addWidget(self.repaid, row, 0, 1, 2)
        self.rating_box, self.rating = QCheckBox("Implied rating at least"), QComboBox()
        self.rating.addItems(list(SCALE[:-1]))
        self.rating.setCurrentText("Baa3")
        grid.addWidget(self.rating_box, row + 1, 0)
        grid.addWidget(self.rating, row + 1, 1)
        self.case = QComboBox()
        self.case.addItems(CASES)
        grid.addWidget(QLabel("Cash flow case"), row + 2, 0)
        grid.addWidget(self.case, row + 2, 1)
        self.paths = paths_box()
        grid.addWidget(QLabel("Monte Carlo paths (PD, EL, rating)"), row + 3, 0)
        grid.addWidget(self.paths, row + 3, 1)

        self.table, self.summary, buttons, self.size_button, self.apply_button = result_parts(
            self, "Tick the constraints and press Size.", "Size", self.run_sizing, self.apply
        )
        self.table.setColumnCount(3)
        self.table.setHorizontalHeaderLabels(["Constraint", "Capacity", "Note"])
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.table)
        layout.addWidget(self.summary)
        layout.addWidget(buttons)
        self.resize(620, 640)

    def constraint_texts(self) -> list[str]:
        from core.structuring.constraints import SHORTCUTS

        out = []
        for name, box in self.checks.items():
            if name == "sculpt" or not box.isChecked():
                continue
            v = self.values[name].value()
            value = f"{v}%" if NUMBERS[name][2] == "%" else f"{v}"
            out.append(SHORTCUTS[name].format(t="senior", v=value))
        if self.repaid.isChecked():
            out.append(SHORTCUTS["repaid_by"].format(t="senior", v="lease"))
        if self.rating_box.isChecked():
            out.append(SHORTCUTS["rating"].format(t="senior", v=self.rating.currentText()))
        tid = self.tranche.currentData()
        return [t.replace("senior.", f"{tid}.", 1) for t in out]

    def run_sizing(self) -> None:
        from core.risk.montecarlo import MonteCarloConfig
        from core.risk.scenarios import BUILTIN
        from core.structuring.constraints import parse_constraint
        from core.structuring.sizing import size_tranche

        deal = self.doc.deal.copy()
        tid = self.tranche.currentData()
        sculpt = self.values["sculpt"].value() if self.checks["sculpt"].isChecked() else None
        case = self.case.currentText()
        try:
            cons = [parse_constraint(t, deal) for t in self.constraint_texts()]
            self.result = run_busy(
                lambda: size_tranche(
                    deal,
                    tid,
                    cons,
                    sculpt_dscr=sculpt,
                    case=None if case == "base" else BUILTIN[case],
                    case_name=case,
                    mc=MonteCarloConfig(n_paths=self.paths.value(), seed=1),
                )
            )
        except (DealError, ValueError) as exc:
            self.result = None
            self.summary.setText(f"Cannot size: {exc}")
            self.apply_button.setEnabled(False)
            return
        self.show_result()

    def show_result(self) -> None:
        r = self.result
        self.table.setRowCount(len(r.capacities))
        bold = QFont()
        bold.setBold(True)
        for i, c in enumerate(r.capacities):
            cells = (QTableWidgetItem(c.constraint), right(fmt_money(c.capacity)),
                     QTableWidgetItem(c.note))  # fmt: skip
            for j, cell in enumerate(cells):
                if c.constraint == r.binding:
                    cell.setFont(bold)
                self.table.setItem(i, j, cell)
        self.table.resizeColumnsToContents()
        fails = [c["constraint"] for c in r.checks if not c["holds"]]
        self.summary.setText(
            f"{r.name}: sized {fmt_money(r.notional)} (now {fmt_money(r.current)}); binding: "
            f"{r.binding}."
            + (f" Still failing at that size: {'; '.join(fails)}." if fails else "")
            + " Apply sets the notional (and the sculpting, if ticked) and rebalances the equity"
            " so that sources equal uses, as one undoable edit."
        )
        self.apply_button.setEnabled(True)

    def apply(self) -> None:
        from core.structuring.optimise import diff

        if self.result is None:
            return
        changes = diff(self.doc.deal, self.result.deal)
        push_changes(self.doc, changes, f"Size {self.result.name}")
        self.doc.sizing = self.result.to_dict()  # Export Excel records it (Sizing sheet)
        self.apply_button.setEnabled(False)
        self.summary.setText(self.summary.text() + " Applied.")
