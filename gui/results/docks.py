"""The results docks of the main window, recomputed off the UI thread after every change.

Assembly only: the views (one module each) draw a :class:`DealResult`; the worker runs the
engine; the scenario bar picks the stress. A failed run keeps the last good result on screen,
marked stale, and says what is wrong through ``message``.
"""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from core.engine.results import DealResult
from core.model.deal import Deal
from core.risk.stress import Stress
from gui.results.balances_chart import BalancesChart
from gui.results.capital_stack import CapitalStackView
from gui.results.dscr_chart import DscrChart
from gui.results.formatting import fmt_pct, fmt_ratio
from gui.results.ltv_chart import LtvChart
from gui.results.metrics_table import MetricsTable
from gui.results.montecarlo_docks import MonteCarloDocks
from gui.results.period_table import PeriodTable
from gui.results.scenario_bar import ScenarioBar
from gui.results.waterfall_chart import WaterfallChart
from gui.results.widgets import ProblemLabel
from gui.results.worker import RecomputeWorker

#: dock key -> (title, area); bottom docks are tabbed, right ones stacked, in this order
DOCKS = {
    "waterfall": ("Cash-flow waterfall", Qt.DockWidgetArea.BottomDockWidgetArea),
    "dscr": ("DSCR", Qt.DockWidgetArea.BottomDockWidgetArea),
    "ltv": ("LTV and asset value", Qt.DockWidgetArea.BottomDockWidgetArea),
    "balances": ("Tranche balances", Qt.DockWidgetArea.BottomDockWidgetArea),
    "periods": ("Period table", Qt.DockWidgetArea.BottomDockWidgetArea),
    "capital_stack": ("Capital stack", Qt.DockWidgetArea.RightDockWidgetArea),
    "metrics": ("Key metrics", Qt.DockWidgetArea.RightDockWidgetArea),
}


class ResultsDocks(QObject):
    """Result docks and scenario bar of ``window``, following ``document.deal``."""

    resultReady = Signal(object)
    message = Signal(str)

    def __init__(self, window: QMainWindow, document: QObject, delay_ms: int = 250) -> None:
        super().__init__(window)
        self.window = window
        self.document = document
        self._result: DealResult | None = None
        self._stress: Stress | None = None
        self.stale = False
        self.views: dict[str, QWidget] = {
            "waterfall": WaterfallChart(),
            "dscr": DscrChart(),
            "ltv": LtvChart(),
            "balances": BalancesChart(),
            "periods": PeriodTable(),
            "capital_stack": CapitalStackView(),
            "metrics": MetricsTable(),
        }
        self.docks: dict[str, QDockWidget] = {}
        window.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)
        first_in_area: dict[Qt.DockWidgetArea, QDockWidget] = {}
        for key, (title, area) in DOCKS.items():
            dock = QDockWidget(title, window)
            dock.setObjectName(f"results.{key}")
            dock.setWidget(self.views[key])
            window.addDockWidget(area, dock)
            first_in_area.setdefault(area, dock)
            self.docks[key] = dock
        for key, (_, area) in DOCKS.items():
            if self.docks[key] is first_in_area[area]:
                continue
            if area == Qt.DockWidgetArea.RightDockWidgetArea:  # both visible, one over the other
                window.splitDockWidget(
                    first_in_area[area], self.docks[key], Qt.Orientation.Vertical
                )
            else:
                window.tabifyDockWidget(first_in_area[area], self.docks[key])
        for dock in first_in_area.values():
            dock.raise_()
        # charts get about 45% of the height, the metrics column (full height) 440 px
        window.resizeDocks(
            [self.docks["waterfall"]], [int(window.height() * 0.45)], Qt.Orientation.Vertical
        )
        window.resizeDocks([self.docks["metrics"]], [440], Qt.Orientation.Horizontal)
        right = [self.docks["capital_stack"], self.docks["metrics"]]
        window.resizeDocks(right, [45, 55], Qt.Orientation.Vertical)

        self.scenario_bar = ScenarioBar(window)
        window.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.scenario_bar)
        self.scenario_bar.stressChanged.connect(self._stress_changed)

        self.montecarlo = MonteCarloDocks(window, self._job, self)
        self.montecarlo.message.connect(self.message)
        self.problem = ProblemLabel()  # on the Monte Carlo row, which has room for it
        self.montecarlo.toolbar.addSeparator()
        self.montecarlo.toolbar.addWidget(self.problem)
        for dock in self.montecarlo.docks.values():
            window.tabifyDockWidget(self.docks["periods"], dock)
        self.docks["waterfall"].raise_()

        ltv = self.views["ltv"]
        charts = [self.views["waterfall"], self.views["dscr"], self.views["balances"]]
        for chart in [*charts, ltv.values, ltv.ltv]:  # a click drills down to the period row
            chart.periodClicked.connect(self.show_period)

        self.worker = RecomputeWorker(self._job, delay_ms, self)
        self.worker.finished.connect(self._show)
        self.worker.failed.connect(self._failed)
        replaced = getattr(document, "replaced", None)  # a whole other deal (New, Open...)
        if replaced is not None:
            replaced.connect(self._deal_replaced)
        document.changed.connect(self.recompute)
        self.recompute()

    # ------------------------------------------------------------------ public API
    def view_actions(self) -> list[QAction]:
        """Show/hide actions of the docks and the scenario bar, for the View menu."""
        actions = [dock.toggleViewAction() for dock in self.docks.values()]
        return actions + [self.scenario_bar.toggleViewAction()] + self.montecarlo.view_actions()

    def show_period(self, row: int, column: str = "") -> None:
        """Show period ``row`` in the period table (in the column headed ``column`` when the
        table has it): where a click on a chart drills down to."""
        self.docks["periods"].show()
        self.docks["periods"].raise_()
        self.views["periods"].show_period(row, column or None)

    def _get_last_result(self) -> DealResult | None:
        return self._result

    #: the result on screen (None before the first successful run)
    last_result = Property(object, _get_last_result)

    @property
    def stress(self) -> Stress | None:
        return self._stress

    def recompute(self) -> None:
        """Schedule a run of the current deal (debounced)."""
        deal = getattr(self.document, "deal", None)
        spv = deal.of_kind("spv") if isinstance(deal, Deal) else []
        if spv:
            self.scenario_bar.set_horizon(spv[0].terms["horizon_years"])
        self.montecarlo.mark_outdated()
        self.worker.request()

    def wait_for_result(self, timeout_ms: int = 10000) -> bool:
        """Process events until the newest request is answered; True if its result is shown."""
        return self.worker.wait_idle(timeout_ms) and self.worker.last_ok

    def shutdown(self) -> None:
        """Cancel the Monte Carlo, wait for runs in progress; call when the window closes."""
        self.montecarlo.shutdown()
        self.worker.shutdown()

    # ------------------------------------------------------------------ internals
    def _job(self) -> tuple[Deal, Stress | None]:
        return self.document.deal, self._stress

    def _deal_replaced(self) -> None:
        """Another deal: the last result (and Monte Carlo) is not of it, even as stale."""
        self._result = None
        for view in self.views.values():
            view.clear_result()
        self._set_stale(False)
        self.montecarlo.forget()

    def _stress_changed(self, stress: Stress | None) -> None:
        self._stress = stress
        self.montecarlo.mark_outdated()
        self.worker.request()

    def _show(self, result: DealResult) -> None:
        self._result = result
        broken = []
        for key, view in self.views.items():
            try:
                view.show_result(result)
            except Exception as exc:  # one view failing must not take the others down
                broken.append(f"{DOCKS[key][0]}: {type(exc).__name__}: {exc}")
        self._set_stale(False)
        if broken:
            self.message.emit("Could not draw " + "; ".join(broken))
        self.problem.show_problem(None)
        what = "base case" if self._stress is None else f"stressed: {self._stress.describe()}"
        self.message.emit(
            f"Results updated ({what}): min DSCR {fmt_ratio(result.metrics['min_dscr'])}, "
            f"equity IRR {fmt_pct(result.metrics['equity_irr'])}"
        )
        self.resultReady.emit(result)

    def _failed(self, text: str) -> None:
        self._set_stale(self._result is not None)
        self.problem.show_problem(text)
        self.message.emit(text)

    def _set_stale(self, stale: bool) -> None:
        self.stale = stale
        for key, view in self.views.items():
            title = DOCKS[key][0]
            self.docks[key].setWindowTitle(f"{title} (stale)" if stale else title)
            view.set_stale(stale)
