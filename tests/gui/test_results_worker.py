"""The recompute worker behind the results docks: reruns on change, off the UI thread, drops
stale runs, keeps the last good result on failure."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.results import run_deal
from tests.gui.test_results_support import bump_rate, close_docks, open_docks, same, sample

pytestmark = pytest.mark.gui


def test_change_reruns_and_dscr_follows_the_engine(qtbot):
    deal = sample("hyperion_jv.json")
    _, document, docks = open_docks(qtbot, deal)
    before = docks.views["dscr"].dscr_curve.getData()[1].copy()
    bump_rate(document.deal, 0.01)
    with qtbot.waitSignal(docks.resultReady, timeout=30000):
        document.changed.emit()
    expected = run_deal(document.deal).periods["dscr"].to_numpy()
    shown = docks.views["dscr"].dscr_curve.getData()[1]
    assert same(shown, expected)
    assert not same(shown, before)
    assert np.nanmin(shown) < np.nanmin(before)  # dearer debt, thinner cover
    close_docks(docks)


def test_quick_changes_are_debounced_into_one_run(qtbot):
    _, document, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))
    shown = []
    docks.resultReady.connect(shown.append)
    for _ in range(5):
        bump_rate(document.deal, 0.002)
        document.changed.emit()
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=30000)
    qtbot.wait(400)  # longer than the debounce delay: no second run comes
    assert len(shown) == 1
    expected = run_deal(document.deal).metrics["min_dscr"]
    assert shown[0].metrics["min_dscr"] == pytest.approx(expected, rel=1e-12)
    close_docks(docks)


def test_a_run_overtaken_by_a_newer_change_is_discarded(qtbot):
    _, document, docks = open_docks(qtbot, sample("coreweave_ddtl.json"))
    shown = []
    docks.resultReady.connect(shown.append)
    bump_rate(document.deal, 0.01)
    document.changed.emit()
    docks.worker.flush()  # the first run starts now, on the deal with +100 bp
    first_run_deal = document.deal.copy()
    bump_rate(document.deal, 0.02)  # edited while that run is going
    document.changed.emit()
    assert docks.wait_for_result(30000)
    assert len(shown) == 1  # the first run's result never reached the views
    latest = run_deal(document.deal)
    overtaken = run_deal(first_run_deal)
    assert same(shown[0].periods["dscr"], latest.periods["dscr"])
    assert not same(shown[0].periods["dscr"], overtaken.periods["dscr"])
    assert docks.last_result is shown[0]
    close_docks(docks)


def test_the_run_works_on_a_copy_so_edits_during_it_are_safe(qtbot):
    _, document, docks = open_docks(qtbot, sample("terawulf_backstop.json"))
    original = run_deal(document.deal)
    document.changed.emit()
    docks.worker.flush()
    tranche = document.deal.of_kind("tranche")[0]
    document.deal.set_term(tranche.id, "notional", tranche.terms["notional"] * 0.5)
    assert docks.worker.wait_idle(30000)
    # the run started before the edit shows the deal as it was when it started
    assert docks.worker.last_ok
    assert docks.last_result.metrics["total_debt"] == pytest.approx(original.metrics["total_debt"])
    close_docks(docks)


def test_a_broken_deal_keeps_the_last_result_marked_stale(qtbot):
    _, document, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))
    good = docks.last_result
    messages = []
    docks.message.connect(messages.append)
    spv = document.deal.of_kind("spv")[0]
    document.deal.remove_block(spv.id)
    document.changed.emit()
    assert not docks.wait_for_result(30000)  # answered, but with a failure
    assert docks.last_result is good
    assert docks.stale
    assert any("SPV" in m and "blocks" in m for m in messages), messages
    assert "stale" in docks.docks["dscr"].windowTitle()
    assert "SPV" in docks.problem.toolTip()
    # the DSCR chart still shows the last good numbers
    assert same(docks.views["dscr"].dscr_curve.getData()[1], good.periods["dscr"])
    close_docks(docks)


def test_a_repaired_deal_clears_the_stale_mark(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, document, docks = open_docks(qtbot, deal)
    spv = document.deal.of_kind("spv")[0]
    block, links = document.deal.remove_block(spv.id)
    document.changed.emit()
    docks.wait_for_result(30000)
    assert docks.stale
    document.deal.insert_block(block, links)
    document.changed.emit()
    assert docks.wait_for_result(30000)
    assert not docks.stale
    assert docks.problem.text() == ""
    assert "stale" not in docks.docks["dscr"].windowTitle()
    close_docks(docks)


def test_unexpected_errors_become_messages_not_crashes(qtbot, monkeypatch):
    import gui.results.worker as worker

    _, document, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))

    def boom(deal, stress):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(worker, "run_with_stress", boom)
    messages = []
    docks.message.connect(messages.append)
    document.changed.emit()
    assert not docks.wait_for_result(30000)
    assert messages and "ZeroDivisionError" in messages[-1]
    assert docks.last_result is not None
    close_docks(docks)


def test_view_actions_toggle_every_dock(qtbot):
    window, _, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))
    actions = docks.view_actions()
    every_dock = list(docks.docks.values()) + list(docks.montecarlo.docks.values())
    assert len(actions) == len(every_dock) + 2  # and the scenario and Monte Carlo bars
    names = {d.objectName() for d in every_dock}
    assert len(names) == len(every_dock) and all(n.startswith("results.") for n in names)
    assert window.restoreState(window.saveState())
    close_docks(docks)


def test_many_redraws_keep_the_charts_on_the_engine_numbers(qtbot):
    """Redrawing every view many times neither crashes nor drifts from the engine's numbers
    (PySide6 6.12.0 aborted here: see tests/gui/test_pyside_sanity.py)."""
    _, _, docks = open_docks(qtbot, sample("hyperion_jv.json"))
    result = docks.last_result
    for _ in range(80):
        for view in docks.views.values():
            view.show_result(result)
    assert same(docks.views["dscr"].dscr_curve.getData()[1], result.periods["dscr"])
    close_docks(docks)


def test_a_document_without_a_deal_is_reported(qtbot):
    _, document, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))
    good = docks.last_result
    messages = []
    docks.message.connect(messages.append)
    document.deal = None
    document.changed.emit()
    assert not docks.wait_for_result(30000)
    assert messages and "AttributeError" in messages[-1]
    assert docks.last_result is good and docks.stale
    close_docks(docks)


def test_a_view_that_fails_to_draw_is_reported_and_the_others_still_draw(qtbot, monkeypatch):
    _, document, docks = open_docks(qtbot, sample("xai_gpu_spv.json"))

    def broken(result):
        raise ValueError("cannot draw this")

    monkeypatch.setattr(docks.views["capital_stack"], "show_result", broken)
    messages = []
    docks.message.connect(messages.append)
    bump_rate(document.deal, 0.01)
    document.changed.emit()
    assert docks.wait_for_result(30000)
    assert any("Could not draw Capital stack" in m and "cannot draw this" in m for m in messages)
    expected = run_deal(document.deal).periods["dscr"]
    assert same(docks.views["dscr"].dscr_curve.getData()[1], expected)
    close_docks(docks)
