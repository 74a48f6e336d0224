"""Structure > Optimise structure…: objective, constraints (one a line), the tranches to size
and optional amortisation profiles / DSRA months; Run shows the best structure and the
frontier explored (core.structuring.optimise); Compare opens the deal as it is beside the
deal with the optimised structure (gui.compare_window: diagrams, capital stacks, key metrics,
stresses, Monte Carlo, differences highlighted) before anything is applied; Apply (here or in
that window) sets it as one undoable edit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.model.deal import Deal
from core.model.errors import DealError
from core.structuring.candidate import tranches
from core.structuring.optimise import OBJECTIVES
from gui.compare_window import CompareWindow
from gui.document import DealDocument
from gui.results.formatting import fmt_money, fmt_pct, fmt_ratio
from gui.structuring.apply import push_changes
from gui.structuring.widgets import paths_box, result_parts, right, run_busy

DEFAULT_CONSTRAINTS = "min_dscr>=1.30\n"


class OptimiseDialog(QDialog):
    def __init__(self, doc: DealDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Optimise structure")
        self.doc, self.result = doc, None
        form = QFormLayout()
        self.objective = QComboBox()
        for key, (direction, label) in OBJECTIVES.items():
            self.objective.addItem(f"{'Maximise' if direction == 'max' else 'Minimise'} {label}",
                                   key)  # fmt: skip
        form.addRow("Objective", self.objective)
        self.constraints = QPlainTextEdit(DEFAULT_CONSTRAINTS)
        self.constraints.setPlaceholderText("one a line: min_dscr>=1.30, senior.rating>=A3, ...")
        self.constraints.setFixedHeight(90)
        form.addRow("Constraints", self.constraints)
        self.tranches = QListWidget()
        for b in tranches(doc.deal):
            item = QListWidgetItem(b.terms["name"])
            item.setData(Qt.ItemDataRole.UserRole, b.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.tranches.addItem(item)
        self.tranches.setFixedHeight(70)
        form.addRow("Tranches to size", self.tranches)
        self.amortisations = QLineEdit()
        self.amortisations.setPlaceholderText("as is; or e.g. annuity,sculpted")
        form.addRow("Amortisation profiles", self.amortisations)
        self.dsra = QLineEdit()
        self.dsra.setPlaceholderText("as is; or e.g. 0,6,12")
        form.addRow("DSRA months", self.dsra)
        self.spreads = QLineEdit()
        self.spreads.setPlaceholderText("coupons as is; or e.g. A2=1.5%,Baa2=2.5%,Ba2=4%")
        form.addRow("Spreads by rating", self.spreads)
        self.paths = paths_box()
        form.addRow("Monte Carlo paths", self.paths)
        self.table, self.summary, buttons, self.run_button, self.apply_button = result_parts(
            self, "Set the objective and constraints and press Run.", "Run", self.run_search,
            self.apply,
        )  # fmt: skip
        self.compare_button = buttons.addButton(
            "Compare with the deal…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.compare_button.setToolTip(
            "The deal as it is (A) beside the deal with the optimised structure (B), before "
            "applying it"
        )
        self.compare_button.setEnabled(False)
        self.compare_button.clicked.connect(self.compare)
        self.compare_window: CompareWindow | None = None
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(820, 700)

    def chosen(self) -> list[str]:
        items = (self.tranches.item(i) for i in range(self.tranches.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items
                if i.checkState() == Qt.CheckState.Checked]  # fmt: skip

    def run_search(self) -> None:
        from core.risk.montecarlo import MonteCarloConfig
        from core.structuring.constraints import parse_constraint
        from core.structuring.optimise import optimise
        from core.structuring.pricing import parse_grid

        deal = self.doc.deal.copy()
        texts = [t.strip() for t in self.constraints.toPlainText().splitlines() if t.strip()]
        try:
            cons = [parse_constraint(t, deal) for t in texts]
            amort = [a.strip() for a in self.amortisations.text().split(",") if a.strip()]
            months = [float(m) for m in self.dsra.text().split(",") if m.strip()]
            if not self.chosen():
                raise ValueError("tick at least one tranche to size")
            text = self.spreads.text().strip()
            spreads = parse_grid(text, "spreads by rating") if text else None
            self.result = run_busy(
                lambda: optimise(
                    deal,
                    self.objective.currentData(),
                    cons,
                    tranche_ids=self.chosen(),
                    amortisations=amort,
                    dsra_months=months,
                    mc=MonteCarloConfig(n_paths=self.paths.value(), seed=1),
                    spread_grid=spreads,
                )
            )
        except (DealError, ValueError) as exc:
            self.result = None
            self.summary.setText(f"Cannot optimise: {exc}")
            self.apply_button.setEnabled(False)
            self.compare_button.setEnabled(False)
            return
        self.show_result()

    def show_result(self) -> None:
        r = self.result
        names = {b.id: b.terms["name"] for b in self.doc.deal.of_kind("tranche")}
        ids = list(r.frontier[0].notionals) if r.frontier else []
        heads = ["Option", *(names[t] for t in ids), "Objective", "Min DSCR", "Equity IRR",
                 "Proceeds", "Cost of debt", "Meets all", "Fails"]  # fmt: skip
        self.table.setColumnCount(len(heads))
        self.table.setHorizontalHeaderLabels(heads)
        self.table.setRowCount(len(r.frontier))
        show = fmt_money if r.objective == "proceeds" else fmt_pct
        for i, p in enumerate(r.frontier):
            m = p.metrics
            cells = [QTableWidgetItem(p.option)]
            cells += [right(fmt_money(p.notionals[t])) for t in ids]
            cells += [right(show(p.objective)), right(fmt_ratio(m["min_dscr"])),
                      right(fmt_pct(m["equity_irr"])), right(fmt_money(m["proceeds"])),
                      right(fmt_pct(m["wacd"])), QTableWidgetItem("yes" if p.feasible else "no"),
                      QTableWidgetItem("; ".join(p.failed))]  # fmt: skip
            for j, cell in enumerate(cells):
                if p is r.best:
                    font = cell.font()
                    font.setBold(True)
                    cell.setFont(font)
                self.table.setItem(i, j, cell)
        self.table.resizeColumnsToContents()
        if r.best is None:
            self.summary.setText("No structure explored meets every constraint.")
            self.apply_button.setEnabled(False)
            self.compare_button.setEnabled(False)
            return
        sizes = ", ".join(f"{names[t]} {fmt_money(n)}" for t, n in r.best.notionals.items())
        self.summary.setText(
            f"Best ({r.best.option}): {sizes}; {OBJECTIVES[r.objective][1]} "
            f"{show(r.best.objective)}. {len(r.frontier)} structures explored "
            f"({r.runs} engine runs, {r.mc_runs} Monte Carlo runs on the same seed). Apply "
            f"changes {len(r.changes)} terms as one undoable edit; Compare shows the deal "
            "with and without them."
        )
        self.apply_button.setEnabled(bool(r.changes))
        self.compare_button.setEnabled(bool(r.changes))

    def proposed(self) -> Deal:
        """The open deal with the best structure's changes: what Apply would make it."""
        deal = self.doc.deal.copy()
        for block_id, name, _old, new in self.result.changes:
            if block_id in deal.blocks:
                deal.set_term(block_id, name, new)
        return deal

    def compare(self) -> CompareWindow | None:
        """A: the deal as it is; B: with the optimised structure (Apply there applies it).
        A Monte Carlo constraint's paths are compared too (same seed)."""
        if self.result is None or not self.result.changes:
            return None
        best = self.result.best
        option = "" if best.option == "as is" else f" ({best.option})"
        names = ("deal as it is", f"optimised structure{option}")
        window = CompareWindow(
            self.doc.deal.copy(), self.proposed(), names, self, inputs=self.doc.read_from,
            apply=self.apply,
        )  # fmt: skip
        window.paths.setValue(self.paths.value() if self.result.mc_runs else 0)
        self.compare_window = window
        window.show()
        window.refresh()
        return window

    def apply(self) -> None:
        if self.result is None or not self.result.changes or not self.apply_button.isEnabled():
            return  # applied already (here or from the compare window)
        push_changes(self.doc, self.result.changes, "Optimise structure")
        self.apply_button.setEnabled(False)
        self.compare_button.setEnabled(False)
