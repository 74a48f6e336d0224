"""The portfolio window: a book of deals (core/files/portfolio_json.py) run on one simulated
world (core.portfolio). Lists the deals (double-click opens one on the main window's canvas),
the book's loss distribution, each deal's and counterparty's contribution to EL and ES, and
the counterparty concentration table; Export PDF prints the portfolio risk summary
(gui.report.portfolio_page). Opened from File > Open Portfolio. No financial logic here:
every number is the result's."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from core.model.errors import DealError
from core.portfolio.book import Book
from core.portfolio.run import PortfolioResult, run_portfolio
from core.portfolio.runner import PortfolioConfig
from core.risk.errors import RiskInputError
from gui.excel_io import run_in_background
from gui.portfolio_charts import ContributionChart, LossDistributionChart
from gui.results.formatting import fmt_money, fmt_pct
from gui.results.widgets import number_item, read_only_table

DEAL_COLUMNS = ("Deal", "Name", "Exposure", "EL", "ES 99% contr.", "ES 99.9% contr.", "Note")
CP_COLUMNS = (
    "Counterparty", "Roles", "PD (horizon)", "EL contr.", "ES 99% contr.", "Guarantee caps",
    "E[paid]", "P(called)", "P(called in 2+ deals)", "Paid in the 1% tail",
)  # fmt: skip


class PortfolioWindow(QDialog):
    """A book, its run and its results; ``open_deal(path)`` opens a deal on the canvas."""

    def __init__(
        self,
        book: Book,
        path: str,
        open_deal: Callable[[str], object] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.book, self.path, self.open_deal = book, path, open_deal
        self.result: PortfolioResult | None = None
        self.setWindowTitle(f"Portfolio: {book.name}")
        self.setModal(False)
        counts = f"{len(book.positions)} deals, {len(book.holdcos)} holdcos"
        self.summary = QLabel(f"<b>{book.name}</b>: {counts}. Run to see the book's risk.")
        self.summary.setWordWrap(True)
        self.deals = read_only_table(DEAL_COLUMNS)
        self.deals.setToolTip("Double-click a deal to open it on the canvas")
        self.deals.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self.counterparties = read_only_table(CP_COLUMNS)
        self.loss = LossDistributionChart()
        self.by_deal = ContributionChart("Contribution by deal")
        self.by_cp = ContributionChart("Contribution by counterparty default")
        charts = QTabWidget()
        charts.addTab(self.loss, "Loss distribution")
        charts.addTab(self.by_deal, "By deal")
        charts.addTab(self.by_cp, "By counterparty")
        tables = QTabWidget()
        tables.addTab(self.deals, "Deals")
        tables.addTab(self.counterparties, "Counterparty concentration")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(charts)
        split.addWidget(tables)
        split.setSizes([420, 360])
        self.paths = QSpinBox()
        self.paths.setRange(100, 200_000)
        self.paths.setSingleStep(1000)
        self.paths.setValue(5000)
        self.paths.setGroupSeparatorShown(True)
        self.paths.setSuffix(" paths")
        self.seed = QSpinBox()
        self.seed.setRange(0, 2**31 - 1)
        self.seed.setPrefix("seed ")
        run = QPushButton("Run")
        run.clicked.connect(self.run)
        self.pdf = QPushButton("Export PDF…")
        self.pdf.clicked.connect(lambda: self.export_pdf())
        self.pdf.setEnabled(False)
        buttons = QHBoxLayout()
        for w in (self.paths, self.seed, run):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.pdf)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self._list_deals()
        self.resize(1150, 860)

    # ----------------------------------------------------------------- deals
    def deal_path(self, row: int) -> str:
        """The file of the deal on ``row``, relative to the book's folder."""
        folder = os.path.dirname(os.path.abspath(self.path))
        return os.path.normpath(os.path.join(folder, self.book.positions[row].file))

    def open_row(self, row: int) -> bool:
        if self.open_deal is None or row >= len(self.book.positions):
            return False  # a holdco row has no canvas
        return bool(self.open_deal(self.deal_path(row)))

    def _list_deals(self) -> None:
        rows = [(p.id, p.deal.name) for p in self.book.positions]
        rows += [(h.id, h.name) for h in self.book.holdcos]
        self.deals.setRowCount(len(rows))
        for i, (pid, name) in enumerate(rows):
            self.deals.setItem(i, 0, QTableWidgetItem(pid))
            self.deals.setItem(i, 1, QTableWidgetItem(name))
        self.deals.resizeColumnsToContents()

    # ----------------------------------------------------------------- run
    def run(self) -> bool:
        config = PortfolioConfig(n_paths=self.paths.value(), seed=self.seed.value())
        try:
            result = run_in_background(
                lambda: run_portfolio(self.book, config), self, "Running the portfolio…"
            )
        except (DealError, RiskInputError, ValueError) as exc:
            self.summary.setText(f"<span style='color:#c9403a'>Cannot run: {exc}</span>")
            return False
        self.show_result(result)
        return True

    def show_result(self, result: PortfolioResult) -> None:
        self.result = result
        d = result.data
        conv = d.get("converged")
        text = (
            f"<b>{d['book']}</b>: {d['paths']:,} paths, exposure {fmt_money(d['exposure'])}; "
            f"EL {fmt_money(d['expected_loss'])}, VaR 99% {fmt_money(d['var']['99%'])}, "
            f"ES 99% {fmt_money(d['es']['99%'])}, ES 99.9% {fmt_money(d['es']['99.9%'])}; "
            f"diversification benefit at ES 99% {fmt_pct(d['diversification']['benefit']['99%'])}"
        )
        if conv:
            text += (
                f". Correlations converged (regime forced to stress): ES 99% "
                f"{fmt_money(conv['es']['99%'])}, benefit left {fmt_pct(conv['benefit']['99%'])}"
            )
        self.summary.setText(text)
        self.loss.show_result(d)
        self.by_deal.show_rows(d["deals"], "id")
        self.by_cp.show_rows(d["counterparties"], "name")
        self._fill_deals(d["deals"])
        self._fill_counterparties(d["counterparties"])
        self.pdf.setEnabled(True)

    def _fill_deals(self, rows: list[dict]) -> None:
        self.deals.setRowCount(len(rows))
        for i, r in enumerate(rows):
            note = ""
            if r.get("holdco"):
                note = (f"holdco PD {fmt_pct(r['probability_of_default'])}, with an SPV loss "
                        f"{fmt_pct(r['probability_with_spv_loss'])}")  # fmt: skip
            cells = [r["id"], r.get("deal", ""), fmt_money(r["exposure"]),
                     fmt_money(r["expected_loss"]), fmt_money(r["es_contribution"]["99%"]),
                     fmt_money(r["es_contribution"]["99.9%"]), note]  # fmt: skip
            for j, c in enumerate(cells):
                self.deals.setItem(i, j, number_item(c) if 1 < j < 6 else QTableWidgetItem(c))
        self.deals.resizeColumnsToContents()

    def _fill_counterparties(self, rows: list[dict]) -> None:
        t: QTableWidget = self.counterparties
        t.setRowCount(len(rows))
        for i, r in enumerate(rows):
            if "annual_pd" not in r:  # the market and deal events row
                cells = [r["name"], "", "", fmt_money(r["expected_loss"]),
                         fmt_money(r["es_contribution"]["99%"]), "", "", "", "", ""]  # fmt: skip
            else:
                roles = "; ".join(f"{k} of {', '.join(v)}" for k, v in r["roles"].items() if v)
                cells = [
                    r["name"], roles, fmt_pct(r["probability_of_default"]),
                    fmt_money(r["expected_loss"]), fmt_money(r["es_contribution"]["99%"]),
                    fmt_money(r["guarantee_caps"]), fmt_money(r["expected_guarantee_paid"]),
                    fmt_pct(r["probability_guarantee_called"]),
                    fmt_pct(r["probability_called_in_two_or_more_deals"]),
                    fmt_money(r["guarantee_paid_in_tail"]),
                ]  # fmt: skip
            for j, c in enumerate(cells):
                t.setItem(i, j, number_item(c) if j > 1 else QTableWidgetItem(c))
        t.resizeColumnsToContents()

    # ----------------------------------------------------------------- report
    def export_pdf(self, path: str | None = None) -> bool:
        if self.result is None:
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, "Export portfolio PDF", "portfolio.pdf", "PDF (*.pdf)"
            )
            if not path:
                return False
        from gui.report.document import ReportError
        from gui.report.portfolio_page import write_portfolio_report

        try:
            write_portfolio_report(self.result, path, self.path)
        except (ReportError, OSError) as exc:
            QMessageBox.critical(self, "Cannot export PDF", str(exc))
            return False
        return True
