"""Monte Carlo from the results docks: a toolbar (paths, Run, progress, Cancel), a fan chart of
DSCR percentiles per period (over the paths with debt outstanding), the distribution of the
loss on the paths that lose, each tranche's PD and EL, and what its defaults and losses came
from (core.risk.causes; drivers the deal does not have are named as not applicable).

The run is :func:`core.risk.montecarlo.run_montecarlo` on a copy of the deal as shown (with
the scenario bar's stress), on a pool thread; every number drawn comes from its result.
"""

from __future__ import annotations

import html
import textwrap
import threading
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtGui import QAction, QColor, QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QProgressBar,
    QSpinBox,
    QSplitter,
    QTableWidgetItem,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from core.model.deal import Deal
from core.risk.fan_note import flat_fan
from core.risk.montecarlo import MonteCarloCancelled, MonteCarloConfig, MonteCarloResult
from core.risk.montecarlo import run_montecarlo as _run_montecarlo
from core.risk.stress import Stress, apply_stress
from core.structuring.implied_rating import meets, ratings_of
from core.structuring.implied_rating import short as short_rating
from gui.results.date_plot import TEXT, DatePlot, ThousandsAxis, style_axes
from gui.results.formatting import COLORS, fmt_money, fmt_pct, fmt_ratio, timestamps
from gui.results.hover import HoverSeries
from gui.results.widgets import number_item, read_only_table
from gui.results.worker import describe_failure

#: (low, high, alpha) of the shaded percentile bands, widest first
BANDS = (("p5", "p95", 50), ("p25", "p75", 110))


def run_montecarlo(
    deal: Deal,
    stress: Stress | None,
    config: MonteCarloConfig,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> MonteCarloResult:
    """The run the docks show: the deal (stressed when ``stress`` is set) through the engine."""
    if stress is None:
        return _run_montecarlo(deal, config, progress=progress, cancel=cancel)
    shown = apply_stress(deal, stress)
    return _run_montecarlo(shown, config, progress=progress, cancel=cancel, sized_on=deal)


class _Relay(QObject):
    progress = Signal(int, int)
    done = Signal(object, str)  # MonteCarloResult or None, message


class _Run(QRunnable):
    def __init__(self, deal, stress, config, relay: _Relay, stop: threading.Event) -> None:
        super().__init__()
        self.deal, self.stress, self.config = deal, stress, config
        self.relay, self.stop = relay, stop

    def run(self) -> None:
        done = [0, self.config.n_paths]  # paths finished, of how many (for the cancel message)

        def progress(finished: int, total: int) -> None:
            done[:] = [finished, total]
            self.relay.progress.emit(finished, total)

        try:
            result = run_montecarlo(self.deal, self.stress, self.config, progress, self.stop.is_set)
        except MonteCarloCancelled:  # its text counts chunks, an engine detail
            self.relay.done.emit(
                None, f"Monte Carlo cancelled after {done[0]:,} of {done[1]:,} paths"
            )
            return
        except Exception as exc:  # bad input comes back as a message, never a crash
            self.relay.done.emit(None, describe_failure(exc, "the Monte Carlo"))
            return
        self.relay.done.emit(result, "")


class FanChart(DatePlot):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Monte Carlo DSCR per period: percentile fan over the paths with debt outstanding",
            "DSCR (x)",
            parent,
        )
        self.median = None
        self.bands: dict[str, tuple[pg.PlotDataItem, pg.PlotDataItem]] = {}
        #: why the band is flat, when it is (core.risk.fan_note), under the legend
        self.note = pg.LabelItem(justify="left", color="#7a4a00", size="9pt")
        self.addItem(self.note, row=2, col=0)
        self.note_text = ""

    def _wrap_note(self) -> None:
        chars = max(40, int(self.width() / 6.5))  # about the 9 pt characters that fit
        lines = textwrap.wrap(self.note_text, chars)
        self.note.setText("<br>".join(html.escape(line) for line in lines))
        self.note.setVisible(bool(self.note_text))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if getattr(self, "closed", False):  # pyqtgraph's close() cleared the scene first
            return
        if getattr(self, "note_text", ""):  # (resized once inside DatePlot's __init__)
            self._wrap_note()

    def clear_result(self) -> None:
        super().clear_result()
        self.note_text = ""
        self._wrap_note()

    def show_result(self, mc: MonteCarloResult) -> None:
        self.reset()
        flat = flat_fan(mc)
        self.note_text = flat.text() if flat is not None else ""
        self._wrap_note()
        fan = mc.fan["dscr"]
        x = timestamps(pd.DatetimeIndex(mc.dates))
        self.bands = {}
        for lo, hi, alpha in BANDS:
            low = self.line(x, np.asarray(fan[lo], float), f"{lo}-{hi}", COLORS["dscr_test"], 0.5)
            high = pg.PlotDataItem(x, np.asarray(fan[hi], float), pen=low.opts["pen"])
            self.getPlotItem().addItem(high)
            color = pg.mkColor(COLORS["dscr"])
            color.setAlpha(alpha)
            self.getPlotItem().addItem(pg.FillBetweenItem(low, high, brush=color))
            self.bands[lo] = (low, high)
        self.median = self.line(x, np.asarray(fan["p50"], float), "median", COLORS["dscr"])
        series = [
            HoverSeries(p, np.asarray(fan[p], float), fmt_ratio, COLORS["dscr"])
            for p in ("p5", "p25", "p50", "p75", "p95")
        ]
        share = np.asarray(mc.fan["paths_outstanding"], float)
        series.append(HoverSeries("paths with debt", share, fmt_pct, COLORS["dscr_test"]))
        self.set_hover(x, list(mc.dates), series)
        finite = np.asarray(fan["p95"], float)
        finite = finite[np.isfinite(finite)]
        top = max(float(np.percentile(finite, 95)) * 1.25, 1.5) if finite.size else 3.0
        self.getPlotItem().setYRange(0.0, top, padding=0)


def _target(rating) -> str:  # noqa: ANN001 - ImpliedRating
    """``A+ (not met)``: the tranche's target rating against its implied one; "" without."""
    if not rating.target:
        return ""
    return f"{rating.target} ({'met' if meets(rating, rating.target) else 'not met'})"


def _fit_rows(table, most: int) -> None:
    """Make ``table`` as tall as its header and rows (at most ``most`` rows, then it scrolls)."""
    shown = min(table.rowCount(), most)
    rows = sum(table.rowHeight(i) for i in range(shown))
    bar = table.horizontalScrollBar().sizeHint().height()  # room for it when columns overflow
    table.setFixedHeight(
        table.horizontalHeader().height() + rows + 2 * table.frameWidth() + bar + 2
    )


class LossView(QWidget):
    """Histogram of total debt loss (share of debt) on the paths with a loss, the tranche
    PD / EL table and the causes of each tranche's defaults and losses."""

    COLUMNS = ("Tranche", "PD", "EL", "EL (USD m)", "LGD", "P(loss)", "Implied rating",
               "Target rating")  # fmt: skip
    CAUSE_COLUMNS = ("First cause of default",)  # then one column per tranche

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", axisItems={"left": ThousandsAxis("left")})
        item = self.plot.getPlotItem()
        style_axes(item)
        item.setTitle("Monte Carlo loss distribution", color=TEXT, size="10pt")
        item.setLabel("bottom", "Debt loss (% of total debt)", color=TEXT)
        item.setLabel("left", "Share of the paths with a loss (%)", color=TEXT)
        item.showGrid(y=True, alpha=0.15)
        item.setMenuEnabled(False)
        self.table = read_only_table(self.COLUMNS)
        self.causes = read_only_table(self.CAUSE_COLUMNS)
        self.causes.setObjectName("results.mc_causes")
        self.not_applicable = QLabel()
        self.not_applicable.setWordWrap(True)
        tables = QWidget()  # the tranche table over the causes, the n/a drivers below
        box = QVBoxLayout(tables)
        box.setContentsMargins(0, 0, 0, 0)
        for w in (self.table, self.causes, self.not_applicable):
            box.addWidget(w)
        box.addStretch(1)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        split = QSplitter(Qt.Orientation.Horizontal)  # a dock is wide and short: side by side
        split.addWidget(self.plot)
        split.addWidget(tables)
        split.setSizes([450, 550])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split)
        self.bars: pg.BarGraphItem | None = None

    def show_result(self, mc: MonteCarloResult, ratings: list | None = None) -> None:
        """``ratings``: the tranches' implied ratings (core.structuring.implied_rating)."""
        h = mc.loss_histogram
        edges = np.asarray(h["edges"], float) * 100.0
        prob = np.asarray(h["given_loss"], float) * 100.0
        item = self.plot.getPlotItem()
        item.clear()
        lossy = h["probability_of_loss"]
        item.setTitle(
            f"Debt loss on the {fmt_pct(lossy)} of paths with a loss"
            if lossy > 0
            else "No path loses any debt",
            color=TEXT,
            size="10pt",
        )
        self.bars = pg.BarGraphItem(
            x0=edges[:-1], x1=edges[1:], height=prob, brush=COLORS["trap"], pen=pg.mkPen("w")
        )
        item.addItem(self.bars)
        self._show_causes(mc)
        self.table.setRowCount(len(mc.tranches))
        for i, t in enumerate(mc.tranches):
            cells = (
                t["name"],
                fmt_pct(t["probability_of_default"]),
                fmt_pct(t["expected_loss"]),
                fmt_money(t["expected_loss_usd_m"]),
                fmt_pct(t["loss_given_default"]),
                fmt_pct(t["probability_of_loss"]),
                short_rating(ratings[i]) if ratings else "",
                _target(ratings[i]) if ratings else "",
            )
            for j, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if j:
                    cell.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(i, j, cell)
            if ratings:
                for j in (len(cells) - 2, len(cells) - 1):
                    self.table.item(i, j).setToolTip(ratings[i].describe())
                target = ratings[i].target
                if target and not meets(ratings[i], target):
                    self.table.item(i, len(cells) - 1).setForeground(QColor("#c9403a"))
        self.table.resizeColumnsToContents()
        _fit_rows(self.table, 6)
        m = mc.min_dscr
        self.summary.setText(
            f"{mc.config.n_paths:,} paths, seed {mc.config.seed}.  Min DSCR while debt is "
            f"outstanding p5 {fmt_ratio(m['p5'])}, median {fmt_ratio(m['p50'])}.  Lock-up "
            "probability "
            f"{fmt_pct(mc.covenant_breach.get('lockup'))}, acceleration "
            f"{fmt_pct(mc.covenant_breach.get('acceleration'))}."
        )

    def _show_causes(self, mc: MonteCarloResult) -> None:
        """One row per cause that starts a default of some tranche (largest share of the
        senior tranche's defaults first), one column per tranche: its share of that tranche's
        defaults / of its EL; the PD and EL contributions in the cell's tooltip."""
        att = mc.attribution
        tranches = att["tranches"]
        names = [t["name"] for t in tranches]
        self.causes.setColumnCount(1 + len(names))
        self.causes.setHorizontalHeaderLabels(["First cause of default", *names])
        for j, name in enumerate(names, start=1):
            self.causes.horizontalHeaderItem(j).setToolTip(f"{name}: share of defaults / of EL")

        def share(c: dict) -> float:
            return max(t["causes"].get(c["id"], {}).get("share_of_defaults", 0) for t in tranches)

        found = sorted((c for c in att["causes"] if share(c) > 0), key=lambda c: -share(c))
        self.causes.setRowCount(max(len(found), 1))
        if not found:
            self.causes.setItem(0, 0, QTableWidgetItem("no default on any path"))
        for i, c in enumerate(found):
            self.causes.setItem(i, 0, QTableWidgetItem(c["title"]))
            for j, t in enumerate(tranches, start=1):
                v = t["causes"].get(c["id"])
                if v is None or not v["share_of_defaults"] > 0:
                    self.causes.setItem(i, j, number_item("-"))
                    continue
                cell = number_item(
                    f"{fmt_pct(v['share_of_defaults'])} / {fmt_pct(v['share_of_expected_loss'])}"
                )
                cell.setToolTip(
                    f"{t['name']}, {c['title']}: PD {fmt_pct(v['probability_of_default'])}, "
                    f"EL {fmt_pct(v['expected_loss'])}"
                )
                self.causes.setItem(i, j, cell)
        self.causes.resizeColumnsToContents()
        _fit_rows(self.causes, 4)
        self.causes.setToolTip("First cause of each default: " + att["rule"])
        absent = [f"{c['title']} ({c['reason']})" for c in att["causes"] if not c["applicable"]]
        self.not_applicable.setText(
            "Not applicable to this deal: " + "; ".join(absent) + "." if absent else ""
        )

    def clear_result(self) -> None:
        self.plot.getPlotItem().clear()
        self.bars = None
        self.table.setRowCount(0)
        self.causes.setRowCount(0)
        self.not_applicable.clear()
        self.summary.clear()


class MonteCarloDocks(QObject):
    """Toolbar and docks of the Monte Carlo; ``source()`` gives the deal and stress to run."""

    resultReady = Signal(object)
    message = Signal(str)

    def __init__(
        self,
        window: QMainWindow,
        source: Callable[[], tuple[Deal, Stress | None]],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.progress.connect(self._progress)
        self._relay.done.connect(self._done)
        self._stop = threading.Event()
        self.running = False
        self.changed_during_run = False  # the deal or stress changed after the run started
        self._discard = False  # another deal was opened during the run
        self._run_deal: Deal | None = None  # the deal of the run in progress or shown
        self.last_result: MonteCarloResult | None = None
        self.chunk_size = 2048  # progress steps; a chunk of this size runs in a few ms

        self.toolbar = QToolBar("Monte Carlo", window)
        self.toolbar.setObjectName("results.montecarlo_bar")
        self.paths = QSpinBox()
        self.paths.setRange(100, 1_000_000)
        self.paths.setSingleStep(1000)
        self.paths.setValue(10_000)
        self.paths.setGroupSeparatorShown(True)
        self.paths.setSuffix(" paths")
        top = f"{self.paths.maximum():,}"
        self.paths.setToolTip(
            f"Paths to simulate: {self.paths.minimum():,} to {top} in the application "
            "(the command line takes more: python main.py montecarlo --paths N)"
        )
        self.paths.valueChanged.connect(
            lambda n: (
                n == self.paths.maximum()
                and self.message.emit(f"Monte Carlo: {top} paths is the most the application runs")
            )
        )
        self.run_action = QAction("Run Monte Carlo", self)
        self.run_action.triggered.connect(self.start)
        self.cancel_action = QAction("Cancel", self)
        self.cancel_action.setEnabled(False)
        self.cancel_action.triggered.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(180)
        self.progress.setFormat("%p%")
        self.progress.setValue(0)
        for widget in (QLabel(" Monte Carlo: "), self.paths):
            self.toolbar.addWidget(widget)
        self.toolbar.addAction(self.run_action)
        self.toolbar.addWidget(self.progress)
        self.toolbar.addAction(self.cancel_action)
        window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)  # its own row: never cut off
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        self.fan = FanChart()
        self.loss = LossView()
        self.docks: dict[str, QDockWidget] = {}
        self.titles = {"mc_fan": "Monte Carlo fan", "mc_loss": "Monte Carlo losses"}
        for key, view in (("mc_fan", self.fan), ("mc_loss", self.loss)):
            title = self.titles[key]
            dock = QDockWidget(title, window)
            dock.setObjectName(f"results.{key}")
            dock.setWidget(view)
            window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.docks[key] = dock

    def view_actions(self) -> list[QAction]:
        return [d.toggleViewAction() for d in self.docks.values()] + [
            self.toolbar.toggleViewAction()
        ]

    def mark_outdated(self) -> None:
        """The deal or stress changed since the run shown (or the one running): say so in the
        dock titles."""
        if self.running:
            self.changed_during_run = True
        if self.last_result is not None:
            for key, dock in self.docks.items():
                dock.setWindowTitle(f"{self.titles[key]} (earlier deal: run again)")

    def forget(self) -> None:
        """Another deal is shown: drop the run of the previous one (cancel it if running)."""
        self._stop.set()
        self._discard = self.running  # a run still finishing is of the previous deal
        self.last_result = None
        self.fan.clear_result()
        self.loss.clear_result()
        self.progress.setValue(0)
        for key, dock in self.docks.items():
            dock.setWindowTitle(self.titles[key])

    def config(self) -> MonteCarloConfig:
        return MonteCarloConfig(n_paths=self.paths.value(), chunk_size=self.chunk_size)

    def start(self) -> None:
        """Run the Monte Carlo of the deal as shown (ignored while one is running)."""
        if self.running:
            return
        deal, stress = self._source()
        self._stop = threading.Event()
        self.running = True
        self.changed_during_run = self._discard = False
        self.run_action.setEnabled(False)
        self.cancel_action.setEnabled(True)
        self.progress.setValue(0)
        self.message.emit(f"Monte Carlo: running {self.paths.value():,} paths...")
        self._run_deal = deal.copy()  # its base case gives the WALs of the implied ratings
        self._pool.start(_Run(deal.copy(), stress, self.config(), self._relay, self._stop))

    def cancel(self) -> None:
        self._stop.set()

    def wait(self, timeout_ms: int = 60000) -> bool:
        """Process events until the run in progress is reported; False on timeout."""
        deadline = QDeadlineTimer(timeout_ms)
        while self.running and not deadline.hasExpired():
            QCoreApplication.processEvents()
            self._pool.waitForDone(10)
        QCoreApplication.processEvents()
        return not self.running

    def shutdown(self) -> None:
        self._stop.set()
        self._pool.waitForDone(30000)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _ratings(self, result: MonteCarloResult) -> list | None:
        """The tranches' implied ratings; None (an empty column) if they cannot be had."""
        try:
            return ratings_of(self._run_deal, result)
        except Exception:  # the rating is an addition: never lose the table for it
            return None

    def _done(self, result: MonteCarloResult | None, text: str) -> None:
        if self._discard:
            result, text = None, "Monte Carlo cancelled: another deal was opened"
        self.running = False
        self.run_action.setEnabled(True)
        self.cancel_action.setEnabled(False)
        if result is None:
            self.progress.setValue(0)
            self.message.emit(text)
            return
        self.last_result = result
        for key, dock in self.docks.items():
            dock.setWindowTitle(self.titles[key])
        if self.changed_during_run:  # it ran on the deal as it was when Run was pressed
            self.mark_outdated()
        try:
            self.fan.show_result(result)
            self.loss.show_result(result, self._ratings(result))
        except Exception as exc:  # a drawing problem is reported, never a crash
            self.message.emit(f"Could not draw the Monte Carlo: {type(exc).__name__}: {exc}")
            return
        self.docks["mc_fan"].raise_()
        worst = max(result.tranches, key=lambda t: t["expected_loss"], default=None)
        tail = f", highest EL {fmt_pct(worst['expected_loss'])} ({worst['name']})" if worst else ""
        late = " (on the deal before the latest edit: run again)" if self.changed_during_run else ""
        self.message.emit(f"Monte Carlo done: {result.config.n_paths:,} paths{tail}{late}")
        self.resultReady.emit(result)
