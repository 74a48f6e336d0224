"""The scenario bar re-runs the deal live under a stress, shows which, and resets."""

from __future__ import annotations

import pytest

from core.engine.results import run_deal
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
    ],
)
def test_slider_reruns_the_stressed_deal(qtbot, deal_name, key, value, stress):
    deal = sample(deal_name)
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
    assert deal.blocks == sample(deal_name).blocks  # the document's deal is never edited
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
