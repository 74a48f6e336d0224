"""Monte Carlo from the results docks: runs off the UI thread with progress, can be cancelled,
and draws exactly what core.risk.montecarlo computed."""

from __future__ import annotations

import numpy as np
import pytest

from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.stress import Stress, apply_stress
from gui.results.formatting import fmt_money, fmt_pct
from tests.gui.test_results_support import close_docks, open_docks, same, sample

pytestmark = pytest.mark.gui

PATHS, CHUNK = 600, 150


def _start(docks, paths: int = PATHS, chunk: int = CHUNK):
    mc = docks.montecarlo
    mc.paths.setValue(paths)
    mc.chunk_size = chunk
    mc.run_action.trigger()
    return mc


def test_monte_carlo_shows_the_risk_engine_numbers(qtbot):
    deal = sample("hyperion_jv.json")
    _, _, docks = open_docks(qtbot, deal)
    steps = []
    mc = docks.montecarlo
    mc._relay.progress.connect(lambda done, total: steps.append((done, total)))
    _start(docks)
    assert mc.running and mc.cancel_action.isEnabled() and not mc.run_action.isEnabled()
    assert mc.wait(60000)
    expected = run_montecarlo(deal, MonteCarloConfig(n_paths=PATHS, chunk_size=CHUNK))
    assert steps == [(150, 600), (300, 600), (450, 600), (600, 600)]
    assert mc.progress.value() == mc.progress.maximum() == PATHS
    shown = mc.last_result
    assert shown.to_json() == expected.to_json()
    assert same(mc.fan.median.getData()[1], expected.fan["dscr"]["p50"])
    low, high = mc.fan.bands["p5"]
    assert same(low.getData()[1], expected.fan["dscr"]["p5"])
    assert same(high.getData()[1], expected.fan["dscr"]["p95"])
    h = expected.loss_histogram
    assert same(mc.loss.bars.opts["height"], np.array(h["given_loss"]) * 100)
    assert f"{fmt_pct(h['probability_of_loss'])} of paths with a loss" in (
        mc.loss.plot.getPlotItem().titleLabel.text
    )
    # what the defaults came from: one row per cause with a default, the engine's shares
    att = expected.attribution
    titles = {c["id"]: c["title"] for c in att["causes"]}
    causes = att["tranches"][0]["causes"]
    found = {titles[k]: v for k, v in causes.items() if v["share_of_defaults"] > 0}
    table = mc.loss.causes  # one row per cause, one column per tranche: defaults / EL
    assert table.rowCount() == len(found) >= 2 and table.columnCount() == 2
    for i in range(table.rowCount()):
        v = found[table.item(i, 0).text()]
        assert table.item(i, 1).text() == (
            f"{fmt_pct(v['share_of_defaults'])} / {fmt_pct(v['share_of_expected_loss'])}"
        )
        assert fmt_pct(v["probability_of_default"]) in table.item(i, 1).toolTip()
    assert "Rates (all debt is fixed-rate)" in mc.loss.not_applicable.text()
    t0 = expected.tranches[0]
    row = [mc.loss.table.item(0, j).text() for j in range(mc.loss.table.columnCount())]
    assert row[:4] == [
        t0["name"],
        fmt_pct(t0["probability_of_default"]),
        fmt_pct(t0["expected_loss"]),
        fmt_money(t0["expected_loss_usd_m"]),
    ]
    assert mc.run_action.isEnabled() and not mc.cancel_action.isEnabled()
    close_docks(docks)


def test_monte_carlo_runs_the_stressed_deal_when_a_stress_is_set(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, _, docks = open_docks(qtbot, deal)
    docks.scenario_bar.sliders["rate"].setValue(200)
    assert docks.wait_for_result(30000)
    mc = _start(docks, 300, 300)
    assert mc.wait(60000)
    config = MonteCarloConfig(n_paths=300, chunk_size=300)
    shocked = apply_stress(deal, Stress(base_rate_shock=0.02))
    stressed = run_montecarlo(shocked, config, sized_on=deal)
    assert mc.last_result.to_json() == stressed.to_json()
    close_docks(docks)


def test_cancel_stops_the_run_and_keeps_the_last_result(qtbot):
    deal = sample("coreweave_ddtl.json")
    _, _, docks = open_docks(qtbot, deal)
    mc = _start(docks, 300, 300)
    assert mc.wait(60000)
    previous = mc.last_result
    messages = []
    docks.message.connect(messages.append)
    mc.cancel()  # nothing running: harmless
    mc.chunk_size = 50
    mc.paths.setValue(200_000)  # 4,000 chunks: far longer than the cancel takes
    mc.run_action.trigger()
    mc.cancel_action.trigger()
    assert mc.wait(60000)
    assert mc.last_result is previous
    assert any("cancelled" in m for m in messages), messages
    assert mc.run_action.isEnabled()
    close_docks(docks)


def test_a_bad_deal_reports_instead_of_crashing(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, document, docks = open_docks(qtbot, deal)
    messages = []
    docks.message.connect(messages.append)
    document.deal.remove_block(document.deal.of_kind("spv")[0].id)
    mc = _start(docks, 200, 100)
    assert mc.wait(60000)
    assert mc.last_result is None
    assert any("Cannot run the Monte Carlo" in m and "SPV" in m for m in messages), messages
    close_docks(docks)


def test_a_later_edit_marks_the_monte_carlo_as_out_of_date(qtbot):
    _, document, docks = open_docks(qtbot, sample("terawulf_backstop.json"))
    mc = _start(docks, 200, 200)
    assert mc.wait(60000)
    assert mc.docks["mc_fan"].windowTitle() == "Monte Carlo fan"
    document.changed.emit()
    assert "earlier deal" in mc.docks["mc_fan"].windowTitle()
    assert docks.wait_for_result(30000)
    mc.run_action.trigger()
    assert mc.wait(60000)
    assert mc.docks["mc_loss"].windowTitle() == "Monte Carlo losses"
    close_docks(docks)


def test_the_fan_says_why_a_flat_band_is_flat(qtbot):
    """TeraWulf's fan is flat (core.risk.fan_note): the chart says so with the run's numbers;
    a fan with a spread (xAI) says nothing."""
    from core.risk.fan_note import flat_fan
    from gui.results.montecarlo_docks import FanChart

    chart = FanChart()
    qtbot.addWidget(chart)
    chart.resize(1200, 420)
    from tests.engine.deal_builders import sculpted_terawulf

    # the notes sculpted (the sample refinances its 2030 balloon since issue #12); the lenders
    # enforce after a tenant default, as in tests/risk/test_fan_note.py (the sample's re-let
    # at market after the search lag spreads the fan)
    deal = sculpted_terawulf()
    deal.set_term("lease", "default_recovery", "enforce")
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=800, seed=2))
    chart.show_result(mc)
    assert chart.note_text == flat_fan(mc).text()
    shown = chart.note.text.replace("<br>", " ")
    assert "Flat band" in shown and f"{mc.tranches[0]['probability_of_default']:.1%}" in shown
    assert chart.note.isVisible()
    chart.show_result(run_montecarlo(sample("xai_gpu_spv.json"), MonteCarloConfig(n_paths=800)))
    assert chart.note_text == "" and not chart.note.isVisible()
