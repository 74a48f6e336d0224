"""Deal compare: two structures side by side (core.compare). Structure diagrams and capital
stacks of A and B, then one table of key metrics, stresses and (on request) a Monte Carlo
with B - A and the lender's verdict highlighted (green better, red worse), and what changed.
Opened from File > Compare (with another file, or the saved file against the deal as edited);
File > Export PDF in the window prints the compare page (gui.report.compare_page)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.compare import BETTER, WORSE, Comparison, Row, compare_deals, show, show_delta
from core.model.deal import Deal
from core.model.errors import DealError
from gui.file_guard import refused
from gui.report.diagram import diagram_image
from gui.results.capital_stack import CapitalStackView

SHADES = {BETTER: QColor("#dff3e4"), WORSE: QColor("#fbe0dd")}
COLUMNS = ("", "A", "B", "B - A", "for lenders")


class CompareWindow(QDialog):
    """Deals ``a`` and ``b`` (named ``names``) side by side; non-modal. ``inputs``: the files
    the two deals were read from (the PDF is never written over them); ``apply``: when given,
    an "Apply B" button calls it (B is a proposal, e.g. the optimiser's structure)."""

    def __init__(
        self,
        a: Deal,
        b: Deal,
        names: tuple[str, str],
        parent: QWidget | None = None,
        inputs: Iterable[str] = (),
        apply: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.inputs = [p for p in inputs if p]
        self.setWindowTitle(f"Compare: A {names[0]}  |  B {names[1]}")
        self.setModal(False)
        self.deals, self.names = (a, b), names
        self.comparison: Comparison | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.diagrams = (QLabel(), QLabel())
        self.stacks = (CapitalStackView(), CapitalStackView())
        top = QWidget()
        grid = QGridLayout(top)
        grid.setContentsMargins(0, 0, 0, 0)
        for col, (name, diagram, stack) in enumerate(
            zip(names, self.diagrams, self.stacks, strict=True)
        ):
            heading = QLabel(f"<b>{'AB'[col]}</b>: {name} ({self.deals[col].name})")
            heading.setWordWrap(True)
            diagram.setAlignment(Qt.AlignmentFlag.AlignCenter)
            diagram.setMinimumHeight(140)
            grid.addWidget(heading, 0, col)
            grid.addWidget(diagram, 1, col)
            grid.addWidget(stack, 2, col)
        grid.setRowStretch(1, 2)
        grid.setRowStretch(2, 3)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for j in range(1, len(COLUMNS)):
            header.setSectionResizeMode(j, QHeaderView.ResizeMode.ResizeToContents)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.table)
        split.setSizes([520, 420])
        self.paths = QSpinBox()
        self.paths.setRange(0, 200_000)
        self.paths.setSingleStep(1000)
        self.paths.setValue(0)
        self.paths.setGroupSeparatorShown(True)
        self.paths.setSuffix(" Monte Carlo paths")
        self.paths.setToolTip(
            "0: no Monte Carlo; otherwise each deal runs that many paths, same seed"
        )
        rerun = QPushButton("Compare again")
        rerun.clicked.connect(self.refresh)
        pdf = QPushButton("Export PDF…")
        pdf.clicked.connect(self.export_pdf)
        buttons = QHBoxLayout()
        buttons.addWidget(self.paths)
        buttons.addWidget(rerun)
        buttons.addStretch(1)
        buttons.addWidget(pdf)
        self.apply_button: QPushButton | None = None
        if apply is not None:
            self.apply_button = QPushButton(f"Apply B ({names[1]}) to the deal")
            self.apply_button.setToolTip("One undoable edit; Edit > Undo takes it back")
            self.apply_button.clicked.connect(lambda: (apply(), self.close()))
            buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(1200, 900)

    def refresh(self) -> bool:
        """Run both deals and show the comparison; False (with a message) if one cannot run."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            c = compare_deals(*self.deals, self.names, mc_paths=self.paths.value())
        except (DealError, ValueError) as exc:
            self.summary.setText(f"<span style='color:#c9403a'>Cannot compare: {exc}</span>")
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.comparison = c
        for label, deal in zip(self.diagrams, c.deals, strict=True):
            pixmap = QPixmap.fromImage(diagram_image(deal, max_width=900))
            width = max(200, label.width() or 560)
            label.setPixmap(pixmap.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation))
        for view, result in zip(self.stacks, c.results, strict=True):
            view.show_result(result)
        sections = [("Key metrics (base case)", c.metrics)]
        sections += [(f"Stress: {name}", rows) for name, rows in c.stress.items()]
        if c.montecarlo:
            sections.append((f"Monte Carlo ({c.mc_paths:,} paths, same seed)", c.montecarlo))
        sections.append(("What changed from A to B", []))
        self._fill(sections, c)
        worse = c.worse()
        self.summary.setText(
            f"B is worse for lenders on {len(worse)} number(s)"
            + (": " + ", ".join(r.label for r in worse[:8]) if worse else ".")
        )
        return True

    def _fill(self, sections: list[tuple[str, list[Row]]], c: Comparison) -> None:
        rows: list[tuple[list[str], str | None, bool]] = []
        for title, items in sections:
            rows.append(([title, *self.names, "", ""], None, True))
            rows += [([r.label, show(r.kind, r.a), show(r.kind, r.b), show_delta(r), r.verdict],
                      r.verdict, False) for r in items]  # fmt: skip
        rows += [([f"{ch.block}: {ch.what}", ch.a, ch.b, "", ""], None, False) for ch in c.changes]
        if not c.changes:
            rows.append((["No change in blocks, terms or links", "", "", "", ""], None, False))
        self.table.setRowCount(len(rows))
        for i, (cells, verdict, heading) in enumerate(rows):
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if heading:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                    item.setBackground(QColor("#e8edf4"))
                elif verdict in SHADES:
                    item.setBackground(QBrush(SHADES[verdict]))
                self.table.setItem(i, j, item)

    def row_of(self, label: str) -> list[str] | None:
        """The cells shown on the first row named ``label`` (label, A, B, B - A, verdict)."""
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).text() == label:
                return [self.table.item(i, j).text() for j in range(self.table.columnCount())]
        return None

    def verdict_of(self, label: str) -> str | None:
        """The verdict shown for the first row named ``label``."""
        for i in range(self.table.rowCount()):
            if self.table.item(i, 0).text() == label:
                return self.table.item(i, 4).text()
        return None

    def export_pdf(self, path: str | None = None) -> bool:
        if self.comparison is None:
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Export compare PDF", "compare.pdf",
                                                  "PDF (*.pdf)")  # fmt: skip
            if not path:
                return False
        if refused(self, path, self.inputs, "compare PDF", "Cannot export PDF"):
            return False
        from gui.report.compare_page import write_compare_pdf
        from gui.report.document import ReportError

        try:
            write_compare_pdf(self.comparison, path)
        except (ReportError, OSError) as exc:
            QMessageBox.critical(self, "Cannot export PDF", str(exc))
            return False
        return True
