"""The scenario bar re-runs the deal live under a stress or a named scenario, shows which,
and resets."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.engine.results import run_deal
from core.risk.scenarios import BUILTIN
from core.risk.stress import Stress, run_stressed
from tests.gui.test_results_support import close_docks, open_docks, same, sample

pytestmark = pytest.mark.gui


def _move(docks, key: str, value: int) -> None:
    slider = docks.scenario_bar.sliders[key]
    slider.setValue(value)
    assert docks.wait_for_result(30000)


@pytest.mark.parametrize(
    ("deal_name", "key", "value", "stress"),
    [
        ("hyperion_jv.json", "rent", 20, Stress(rent_deflation=0.20)),
        ("coreweave_ddtl.json", "termination", 3, Stress(termination_year=3.0)),
        ("xai_gpu_spv.json", "rate", 300, Stress(base_rate_shock=0.03)),
        ("terawulf_backstop.json", "haircut", 40, Stress(residual_haircut=0.40)),
        ("xai_gpu_spv.json", "fire_sale", 60, Stress(forced_sale_haircut=0.60)),
        ("xai_gpu_spv.json", "walk_gap", 50, Stress(walk_away_gap=0.50)),
        ("hyperion_jv.json", "guarantor", 3, Stress(guarantor_default_year=3.0)),
    ],
)
def test_slider_reruns_the_stressed_deal(qtbot, deal_name, key, value, stress):
    deal = sample(deal_name)
    if key == "rent":  # the slider moves compute rent; Hyperion's lease is on the DC index
        deal.set_term("lease", "rent_index", "compute")
        deal.set_term("lease", "renewal_pricing", "market")  # and renews at contract rent
    if key == "fire_sale":  # a forced sale needs a default: xAI's in month 20, enforced
        deal.set_term("lease", "tenant_default_month", 20)
    original = {k: b.terms.copy() for k, b in deal.blocks.items()}
    _, _, docks = open_docks(qtbot, deal)
    base = run_deal(deal)
    _move(docks, key, value)
    expected = run_stressed(deal, stress)
    assert docks.stress == stress
    shown = docks.last_result
    assert same(shown.periods["dscr"], expected.periods["dscr"])
    assert same(docks.views["dscr"].dscr_curve.getData()[1], expected.periods["dscr"])
    for name, frame in expected.tranches.items():
        assert same(docks.views["balances"].curves[name].getData()[1], frame["balance"])
    assert shown.metrics["equity_irr"] == pytest.approx(
        expected.metrics["equity_irr"], rel=1e-9, nan_ok=True
    )
    # the stress changes the numbers, and the bar says which stress is shown
    columns = ("revenue", "cfads", "dscr", "proceeds", "distribution")
    assert any(not same(shown.periods[c], base.periods[c]) for c in columns)
    assert docks.scenario_bar.state.text().strip() == f"Stressed: {stress.describe()}"
    assert {k: b.terms for k, b in deal.blocks.items()} == original  # the deal is never edited
    close_docks(docks)


def test_value_labels_follow_the_sliders(qtbot):
    _, _, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))
    bar = docks.scenario_bar
    bar.sliders["rent"].setValue(15)
    bar.sliders["rate"].setValue(-150)
    bar.sliders["termination"].setValue(3)
    assert bar.values["rent"].text() == "15%/yr"
    assert bar.values["rate"].text() == "-150 bp"
    assert bar.values["termination"].text() == "yr 3"
    assert bar.stress() == Stress(rent_deflation=0.15, termination_year=3.0, base_rate_shock=-0.015)
    docks.wait_for_result(30000)
    close_docks(docks)


def test_credit_mechanics_sliders_label_and_set_their_stress(qtbot):
    _, _, docks = open_docks(qtbot, sample("terawulf_backstop.json"))
    bar = docks.scenario_bar
    assert [bar.values[k].text() for k in ("fire_sale", "walk_gap", "guarantor")] == [
        "deal",
        "off",
        "off",
    ]
    bar.sliders["fire_sale"].setValue(35)
    bar.sliders["walk_gap"].setValue(40)
    bar.sliders["guarantor"].setValue(4)
    assert [bar.values[k].text() for k in ("fire_sale", "walk_gap", "guarantor")] == [
        "35%",
        "+40%",
        "yr 4",
    ]
    assert bar.stress() == Stress(
        forced_sale_haircut=0.35, walk_away_gap=0.40, guarantor_default_year=4.0
    )
    assert bar.sliders["guarantor"].maximum() == 15  # TeraWulf's 15-year horizon
    assert bar.credit_button.text() == "Credit events (3)"  # its panel holds the three
    docks.wait_for_result(30000)
    close_docks(docks)


def test_termination_slider_reaches_the_deal_horizon(qtbot):
    deal = sample("hyperion_jv.json")
    _, _, docks = open_docks(qtbot, deal)
    horizon = deal.of_kind("spv")[0].terms["horizon_years"]
    assert docks.scenario_bar.sliders["termination"].maximum() == int(horizon)
    close_docks(docks)


def test_rate_slider_snaps_to_its_step(qtbot):
    _, _, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))
    bar = docks.scenario_bar
    bar.sliders["rate"].setValue(110)
    assert bar.sliders["rate"].value() == 100
    assert bar.stress() == Stress(base_rate_shock=0.01)
    docks.wait_for_result(30000)
    close_docks(docks)


def test_reset_returns_to_the_base_case(qtbot):
    deal = sample("coreweave_ddtl.json")
    _, _, docks = open_docks(qtbot, deal)
    _move(docks, "rent", 30)
    _move(docks, "rate", 200)
    docks.scenario_bar.reset_action.trigger()
    assert docks.wait_for_result(30000)
    assert docks.stress is None
    assert all(s.value() == 0 for s in docks.scenario_bar.sliders.values())
    assert docks.scenario_bar.state.text().strip() == "Base case"
    assert same(docks.last_result.periods["dscr"], run_deal(deal).periods["dscr"])
    close_docks(docks)


def test_edits_under_a_stress_stay_stressed(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, document, docks = open_docks(qtbot, deal)
    _move(docks, "rent", 25)
    tranche = document.deal.of_kind("tranche")[0]
    document.deal.set_term(tranche.id, "spread", tranche.terms["spread"] + 0.01)
    document.changed.emit()
    assert docks.wait_for_result(30000)
    expected = run_stressed(document.deal, Stress(rent_deflation=0.25))
    assert same(docks.last_result.periods["dscr"], expected.periods["dscr"])
    close_docks(docks)


# ---------------------------------------------------------------- named scenarios (combo)
def _choose(docks, name: str) -> None:
    combo = docks.scenario_bar.combo
    index = combo.findText(name)
    assert index >= 0, f"{name!r} is not in the combo"
    combo.setCurrentIndex(index)
    assert docks.wait_for_result(30000)


def test_combo_lists_the_builtin_scenarios(qtbot):
    _, _, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))
    combo = docks.scenario_bar.combo
    assert [combo.itemText(i) for i in range(combo.count())] == list(BUILTIN)
    assert combo.currentText() == "base"
    close_docks(docks)


def test_choosing_severe_shows_the_core_result(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, _, docks = open_docks(qtbot, deal)
    _choose(docks, "severe")
    severe = BUILTIN["severe"]
    expected = run_stressed(deal, severe)
    assert docks.stress == severe  # every field, not only the four sliders
    assert docks.montecarlo._source() == (docks.document.deal, severe)
    dscr = docks.views["dscr"].dscr_curve.getData()[1]
    assert same(dscr, expected.periods["dscr"])
    assert np.nanmin(dscr) == pytest.approx(expected.metrics["min_dscr"], rel=1e-12)
    assert docks.last_result.metrics["min_dscr"] == expected.metrics["min_dscr"]
    assert docks.last_result.metrics["min_dscr"] != run_deal(deal).metrics["min_dscr"]
    bar = docks.scenario_bar
    positions = {key: s.value() for key, s in bar.sliders.items()}
    assert positions == {
        "rent": 35,
        "haircut": 30,
        "termination": 0,
        "rate": 200,
        # severe adds to the fleet's forced-sale haircut (liquidation_haircut), it does not
        # set the whole haircut the fire-sale slider sets
        "fire_sale": 0,
        "walk_gap": 0,
        "guarantor": 0,
    }
    assert [bar.values[k].text() for k in ("rent", "haircut", "rate")] == [
        "35%/yr",
        "+30%",
        "+200 bp",
    ]
    assert bar.state.toolTip() == f"Stressed: {severe.describe()}"
    assert bar.state.text().strip() == "Stressed: 8 inputs"  # the list is too long to show
    close_docks(docks)


def test_moving_a_slider_after_a_scenario_is_custom(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, _, docks = open_docks(qtbot, deal)
    bar = docks.scenario_bar
    _choose(docks, "downside")
    _move(docks, "rent", 10)
    assert bar.combo.currentText() == "custom"
    assert bar.scenario() == "custom"
    custom = replace(BUILTIN["downside"], rent_deflation=0.10)  # the other fields stay
    assert docks.stress == custom
    assert same(docks.last_result.periods["dscr"], run_stressed(deal, custom).periods["dscr"])
    _move(docks, "rent", 25)  # back on the scenario's value: its name again
    assert bar.combo.currentText() == "downside"
    assert bar.combo.findText("custom") == -1
    _move(docks, "rate", 0)
    _choose(docks, "downside")  # choosing it again restores every field
    assert docks.stress == BUILTIN["downside"]
    bar.reset_action.trigger()
    assert docks.wait_for_result(30000)
    assert bar.combo.currentText() == "base" and docks.stress is None
    close_docks(docks)


def test_off_grid_values_are_applied_exactly(qtbot):
    """A user scenario between slider steps: the slider shows the nearest step, the label and
    the results the exact value."""
    deal = sample("coreweave_ddtl.json")
    _, _, docks = open_docks(qtbot, deal)
    bar = docks.scenario_bar
    stress = Stress(rent_deflation=0.125, base_rate_shock=0.0130, renewals=0)
    bar.library.add("odd", stress)
    _choose(docks, "odd")
    assert docks.stress == stress
    assert bar.sliders["rate"].value() == 130 and bar.values["rate"].text() == "+130 bp"
    assert bar.values["rent"].text() == "12.5%/yr"
    assert same(docks.last_result.periods["dscr"], run_stressed(deal, stress).periods["dscr"])
    close_docks(docks)
