"""The scenario toolbar: a combo of named scenarios (base, downside, severe and the analyst's
own), sliders for the stresses credit desks move most (rent deflation, residual haircut, early
termination, base-rate shock, and the credit mechanics of issue #11: the fire-sale haircut, the
walk-away gap to the market rent and a guarantor default, off at 0), a button opening the
scenario editor, Reset, and a label saying which stress the results show.

Choosing a scenario applies its whole :class:`Stress` (every field, not only the sliders') and
moves the sliders to its values; moving a slider afterwards changes that one field and the
combo says "custom".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QMenu,
    QSlider,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from core.risk.stress import Stress
from gui.results.scenario_editor import ScenarioEditor
from gui.results.scenario_library import CUSTOM, ScenarioLibrary

TIPS = {
    "rent": "Yearly fall of market compute rent on every lease (at 0: each lease's own)",
    "haircut": "Extra discount on the sale of the assets at lease end, added to the deal's",
    "termination": "Year after closing in which every lease is terminated early (0: none)",
    "rate": "Parallel shift of the base-rate curve (floating tranches)",
    "fire_sale": "Whole forced-sale haircut of GPUs and facility when the lenders sell after "
    "a tenant default or an acceleration (deal: the fleet's own haircut, age and volume "
    "discounts); it changes nothing on a deal that never forces a sale",
    "walk_gap": "Every tenant walks away (paying its termination fee) the first period its "
    "rent is this far above the market rent (off: never)",
    "guarantor": "Year in which every sponsor that gives a guarantee defaults: its guarantees "
    "pay nothing from then and the leases it is tenant of stop (off: none)",
}


@dataclass(frozen=True)
class SliderSpec:
    key: str
    field: str  # the Stress field the slider sets
    title: str
    limits: tuple[int, int, int]  # minimum, maximum, step
    scale: float  # slider position = field value * scale
    text: Callable[[float | None], str]  # live value label, from the field value
    blank_at_zero: bool = True  # position 0 leaves the field to the deal (None)

    @property
    def tip(self) -> str:
        return TIPS[self.key]

    def value(self, position: int) -> float | None:
        """The field value at a slider position."""
        if position == 0 and self.blank_at_zero:
            return None
        return position / self.scale

    def position(self, value: float | None) -> int:
        """The slider position nearest a field value, within the slider's limits."""
        pos = 0 if value is None else round(value * self.scale)
        return min(max(pos, self.limits[0]), self.limits[1])


SLIDERS = (
    SliderSpec("rent", "rent_deflation", "Rent deflation", (0, 40, 1), 100,
               lambda v: "deal" if v is None else f"{v * 100:.4g}%/yr"),
    SliderSpec("haircut", "residual_haircut", "Residual haircut", (0, 80, 5), 100,
               lambda v: f"+{v * 100:.4g}%" if v else "deal"),
    SliderSpec("termination", "termination_year", "Termination year", (0, 30, 1), 1,
               lambda v: f"yr {v:g}" if v else "off"),
    SliderSpec("rate", "base_rate_shock", "Base-rate shock", (-200, 500, 25), 10000,
               lambda v: f"{(v or 0) * 10000:+.4g} bp", blank_at_zero=False),
    # the issue #11 mechanics: forced sale, economic walk-away, guarantor default
    SliderSpec("fire_sale", "forced_sale_haircut", "Fire-sale haircut", (0, 90, 5), 100,
               lambda v: "deal" if v is None else f"{v * 100:.4g}%"),
    SliderSpec("walk_gap", "walk_away_gap", "Walk-away gap", (0, 200, 10), 100,
               lambda v: f"+{v * 100:.4g}%" if v else "off"),
    SliderSpec("guarantor", "guarantor_default_year", "Guarantor default", (0, 30, 1), 1,
               lambda v: f"yr {v:g}" if v else "off"),
)  # fmt: skip
#: the sliders whose range is the deal's horizon in whole years
YEAR_SLIDERS = ("termination", "guarantor")
#: the sliders of the "Credit events" button's panel (the toolbar keeps the four most moved, so
#: it fits a 1280-pixel window)
CREDIT_SLIDERS = ("fire_sale", "walk_gap", "guarantor")


def slider_group(title: str, slider: QSlider, value: QLabel) -> QWidget:
    """A slider with its title above and its value beside it: two short lines, so the four
    sliders, Reset and the state fit a 1280-pixel window (at 150% scaling too)."""
    group = QWidget()
    grid = QGridLayout(group)
    grid.setContentsMargins(8, 0, 4, 0)
    grid.setHorizontalSpacing(4)
    grid.setVerticalSpacing(0)
    caption = QLabel(title)
    font = caption.font()
    font.setPointSizeF(font.pointSizeF() * 0.9)
    caption.setFont(font)
    grid.addWidget(caption, 0, 0, 1, 2)
    grid.addWidget(slider, 1, 0)
    grid.addWidget(value, 1, 1)
    return group


class ScenarioBar(QToolBar):
    """Emits ``stressChanged(stress)`` with a :class:`Stress`, or None for the base case."""

    stressChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Scenario", parent)
        self.setObjectName("results.scenario_bar")
        self.library = ScenarioLibrary(self)
        self._stress = Stress()
        self._origin = "base"  # the named scenario last chosen
        self.editor: ScenarioEditor | None = None
        self.sliders: dict[str, QSlider] = {}
        self.values: dict[str, QLabel] = {}
        self.addWidget(QLabel(" Scenario: "))
        self.combo = QComboBox()
        self.combo.setObjectName("scenario.combo")
        self.combo.setMinimumContentsLength(10)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setToolTip("Named scenario applied to the results (all its stresses)")
        self.combo.currentIndexChanged.connect(self._chosen)
        self.addWidget(self.combo)
        self.editor_action = self.addAction("Scenarios...")
        self.editor_action.setObjectName("scenario.edit")
        self.editor_action.setIconText("Scenarios...")  # Qt drops the dots from the text
        self.editor_action.setToolTip("Create, edit, load and save scenarios")
        self.editor_action.triggered.connect(self.open_editor)
        self.addSeparator()
        credit = QWidget()
        credit.setObjectName("scenario.credit_panel")
        QVBoxLayout(credit)
        for spec in SLIDERS:
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setObjectName(f"scenario.{spec.key}")
            slider.setRange(spec.limits[0], spec.limits[1])
            slider.setSingleStep(spec.limits[2])
            slider.setPageStep(spec.limits[2] * 5)
            slider.setFixedWidth(84)
            slider.setToolTip(spec.tip)
            value = QLabel(spec.text(spec.value(0)))
            value.setMinimumWidth(56)
            if spec.key in CREDIT_SLIDERS:
                credit.layout().addWidget(slider_group(spec.title, slider, value))
            else:
                self.addWidget(slider_group(spec.title, slider, value))
            self.sliders[spec.key] = slider
            self.values[spec.key] = value
            slider.valueChanged.connect(lambda v, s=spec: self._moved(s, v))
        self.credit_button = QToolButton()
        self.credit_button.setObjectName("scenario.credit")
        self.credit_button.setText("Credit events")
        self.credit_button.setToolTip(
            "Fire-sale haircut, walk-away gap to the market rent, guarantor default"
        )
        self.credit_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.credit_button)
        panel = QWidgetAction(menu)
        panel.setDefaultWidget(credit)
        menu.addAction(panel)
        self.credit_button.setMenu(menu)
        self.addWidget(self.credit_button)
        self.addSeparator()
        self.reset_action = self.addAction("Reset")
        self.reset_action.setToolTip("Back to the deal's base case")
        self.reset_action.triggered.connect(self.reset)
        self.state = QLabel()
        self.state.setObjectName("scenario.state")
        self.addWidget(self.state)
        self.library.listChanged.connect(self._fill_combo)
        self.library.edited.connect(self._scenario_edited)
        self.library.renamed.connect(self._scenario_renamed)
        self._fill_combo()
        self._show_state()

    # ------------------------------------------------------------------ public API
    def stress(self) -> Stress | None:
        """The stress the results show; None for the base case (no stress at all)."""
        return None if self._stress == Stress() else self._stress

    def scenario(self) -> str:
        """The name of the scenario shown, or "custom" after a slider moved away from it."""
        return self._origin if self._is_named() else CUSTOM

    def apply_scenario(self, name: str) -> None:
        """Show the results of scenario ``name`` (every field) and move the sliders to it."""
        self._origin = name
        self._set_stress(self.library.get(name))

    def set_horizon(self, years: float) -> None:
        """Let the termination and guarantor-default sliders reach the deal's horizon (whole
        years)."""
        for key in YEAR_SLIDERS:
            slider = self.sliders[key]
            slider.blockSignals(True)  # a shorter deal must not change the stress shown
            slider.setMaximum(max(1, int(years)))
            slider.blockSignals(False)
        self._sync_sliders()

    def reset(self) -> None:
        self.apply_scenario("base")

    def open_editor(self) -> ScenarioEditor:
        """The scenario editor (one per bar), shown on the scenario the results show."""
        if self.editor is None:
            self.editor = ScenarioEditor(self.library, self.apply_scenario, self)
        self.editor.refresh()
        if self._is_named():
            self.editor.select(self._origin)
        self.editor.show()
        self.editor.raise_()
        self.editor.activateWindow()
        return self.editor

    # ------------------------------------------------------------------ internals
    def _is_named(self) -> bool:
        return self._origin in self.library and self._stress == self.library.get(self._origin)

    def _set_stress(self, stress: Stress) -> None:
        self._stress = stress
        self._sync_sliders()
        self._fill_combo()
        self._show_state()
        self.stressChanged.emit(self.stress())

    def _sync_sliders(self) -> None:
        for spec in SLIDERS:
            value = getattr(self._stress, spec.field)
            slider = self.sliders[spec.key]
            slider.blockSignals(True)
            slider.setValue(spec.position(value))
            slider.blockSignals(False)
            self.values[spec.key].setText(spec.text(value))

    def _moved(self, spec: SliderSpec, position: int) -> None:
        snapped = round(position / spec.limits[2]) * spec.limits[2]
        if snapped != position:
            self.sliders[spec.key].setValue(snapped)  # re-enters with the snapped value
            return
        self._stress = replace(self._stress, **{spec.field: spec.value(position)})
        self.values[spec.key].setText(spec.text(spec.value(position)))
        self._fill_combo()
        self._show_state()
        self.stressChanged.emit(self.stress())

    def _fill_combo(self) -> None:
        """Built-ins, then user scenarios, then "custom" when the sliders left the scenario."""
        shown = self.scenario()
        self.combo.blockSignals(True)
        self.combo.clear()
        for name in self.library.names():
            self.combo.addItem(name)
            self.combo.setItemData(
                self.combo.count() - 1,
                self.library.get(name).describe(),
                Qt.ItemDataRole.ToolTipRole,
            )
        if self.library.user:
            self.combo.insertSeparator(len(self.library.builtin))
        if shown == CUSTOM:
            self.combo.addItem(CUSTOM)
        self.combo.setCurrentIndex(self.combo.findText(shown))
        self.combo.blockSignals(False)

    def _chosen(self, index: int) -> None:
        name = self.combo.itemText(index)
        if name in self.library and name != self.scenario():
            self.apply_scenario(name)

    def _scenario_edited(self, name: str) -> None:
        """A user scenario changed in the editor: follow it when it is the one shown."""
        if name == self._origin and self.combo.currentText() == name:
            self._set_stress(self.library.get(name))
        else:
            self._fill_combo()

    def _scenario_renamed(self, old: str, new: str) -> None:
        if self._origin == old:
            self._origin = new
        self._fill_combo()

    def _show_state(self, limit: int = 36) -> None:
        """ "Base case", or "Stressed: " and what; a long list is counted (in full as tooltip)."""
        fields = {spec.key: spec.field for spec in SLIDERS}
        n = sum(1 for k in CREDIT_SLIDERS if getattr(self._stress, fields[k]))
        self.credit_button.setText(f"Credit events ({n})" if n else "Credit events")
        stress = self.stress()
        if stress is None:
            text, color, tip = "Base case", "#3b9e5a", "No stress: the deal's own inputs"
        else:
            tip = f"Stressed: {stress.describe()}"
            count = len(stress.describe().split(", "))
            text = tip if len(tip) <= limit else f"Stressed: {count} inputs"
            color = "#c9403a"
        self.state.setText(f"  {text}")
        self.state.setToolTip(tip)
        self.state.setStyleSheet(f"color: {color}; font-weight: bold;")
