"""The scenario toolbar: sliders for the stresses credit desks run most (rent deflation,
residual haircut, early termination, base-rate shock), a Reset button and a label saying
which stress the results show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSlider, QToolBar, QWidget

from core.risk.stress import Stress

TIPS = {
    "rent": "Yearly fall of market compute rent on every lease (at 0: each lease's own)",
    "haircut": "Extra discount on the sale of the assets at lease end, added to the deal's",
    "termination": "Year after closing in which every lease is terminated early (0: none)",
    "rate": "Parallel shift of the base-rate curve (floating tranches)",
}


@dataclass(frozen=True)
class SliderSpec:
    key: str
    title: str
    limits: tuple[int, int, int]  # minimum, maximum, step
    text: Callable[[int], str]  # live value label

    @property
    def tip(self) -> str:
        return TIPS[self.key]


SLIDERS = (
    SliderSpec("rent", "Rent deflation", (0, 40, 1), lambda v: f"{v}%/yr" if v else "deal"),
    SliderSpec("haircut", "Residual haircut", (0, 80, 5), lambda v: f"+{v}%" if v else "deal"),
    SliderSpec("termination", "Termination year", (0, 30, 1), lambda v: f"yr {v}" if v else "off"),
    SliderSpec("rate", "Base-rate shock", (-200, 500, 25), lambda v: f"{v:+d} bp"),
)


class ScenarioBar(QToolBar):
    """Emits ``stressChanged(stress)`` with a :class:`Stress`, or None for the base case."""

    stressChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Scenario", parent)
        self.setObjectName("results.scenario_bar")
        self.sliders: dict[str, QSlider] = {}
        self.values: dict[str, QLabel] = {}
        self.addWidget(QLabel(" Scenario: "))
        for spec in SLIDERS:
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"scenario.{spec.key}")
            slider.setRange(spec.limits[0], spec.limits[1])
            slider.setSingleStep(spec.limits[2])
            slider.setPageStep(spec.limits[2] * 5)
            slider.setFixedWidth(100)
            slider.setToolTip(spec.tip)
            value = QLabel(spec.text(0))
            value.setMinimumWidth(62)
            self.addWidget(QLabel(f"  {spec.title} "))
            self.addWidget(slider)
            self.addWidget(value)
            self.sliders[spec.key] = slider
            self.values[spec.key] = value
            slider.valueChanged.connect(lambda v, s=spec: self._moved(s, v))
        self.addSeparator()
        self.reset_action = self.addAction("Reset")
        self.reset_action.setToolTip("Back to the deal's base case")
        self.reset_action.triggered.connect(self.reset)
        self.state = QLabel()
        self.state.setObjectName("scenario.state")
        self.addWidget(self.state)
        self._show_state()

    def stress(self) -> Stress | None:
        """The stress the sliders describe; None when every slider is at the base case."""
        v = {key: s.value() for key, s in self.sliders.items()}
        stress = Stress(
            rent_deflation=v["rent"] / 100 if v["rent"] else None,
            residual_haircut=v["haircut"] / 100 if v["haircut"] else None,
            termination_year=float(v["termination"]) if v["termination"] else None,
            base_rate_shock=v["rate"] / 10000,
        )
        return None if stress == Stress() else stress

    def set_horizon(self, years: float) -> None:
        """Let the termination slider reach the deal's horizon (whole years)."""
        self.sliders["termination"].setMaximum(max(1, int(years)))

    def reset(self) -> None:
        for slider in self.sliders.values():
            slider.blockSignals(True)
            slider.setValue(0)
            slider.blockSignals(False)
        for spec in SLIDERS:
            self.values[spec.key].setText(spec.text(0))
        self._show_state()
        self.stressChanged.emit(None)

    def _moved(self, spec: SliderSpec, value: int) -> None:
        snapped = round(value / spec.limits[2]) * spec.limits[2]
        if snapped != value:
            self.sliders[spec.key].setValue(snapped)  # re-enters with the snapped value
            return
        self.values[spec.key].setText(spec.text(value))
        self._show_state()
        self.stressChanged.emit(self.stress())

    def _show_state(self) -> None:
        stress = self.stress()
        if stress is None:
            self.state.setText("  Base case")
            self.state.setStyleSheet("color: #3b9e5a; font-weight: bold;")
        else:
            self.state.setText(f"  Stressed: {stress.describe()}")
            self.state.setStyleSheet("color: #c9403a; font-weight: bold;")
