"""Regressions found by driving the application as an analyst would (QA pass)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.test_results_support import close_docks, open_docks, sample

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "deals" / "hyperion_jv.json"

pytestmark = pytest.mark.gui


def test_an_edit_during_a_monte_carlo_run_marks_its_result_as_out_of_date(qtbot):
    """The run uses the deal as it was when Run was pressed: an edit made while the paths run
    must leave the result marked as being of an earlier deal, not shown as current."""
    _, document, docks = open_docks(qtbot, sample("terawulf_backstop.json"))
    messages = []
    docks.message.connect(messages.append)
    mc = docks.montecarlo
    mc.paths.setValue(2000)
    mc.chunk_size = 50  # 40 chunks: still running when the edit comes
    mc.run_action.trigger()
    assert mc.running
    document.changed.emit()  # the analyst edits the deal while the paths run
    assert mc.wait(60000)
    assert mc.last_result is not None
    assert "earlier deal" in mc.docks["mc_fan"].windowTitle()
    assert "earlier deal" in mc.docks["mc_loss"].windowTitle()
    assert "run again" in messages[-1], messages
    assert docks.wait_for_result(30000)
    mc.run_action.trigger()  # a run with no edit meanwhile is current again
    assert mc.wait(60000)
    assert mc.docks["mc_fan"].windowTitle() == "Monte Carlo fan"
    assert "run again" not in messages[-1], messages
    close_docks(docks)


def _plot_height(plot) -> float:  # noqa: ANN001 - a DatePlot
    return plot.getPlotItem().getViewBox().sceneBoundingRect().height()


def test_ltv_dock_keeps_both_plots_readable_in_a_wide_low_dock(qtbot):
    """In the default bottom dock (about 1090 x 280 px) the two plots were stacked and each
    plot area squeezed to about 20 px, without y ticks; wide and low they sit side by side."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QSplitter

    from gui.results.ltv_chart import LtvChart

    chart = LtvChart()
    qtbot.addWidget(chart)
    chart.resize(1090, 280)
    chart.show()
    qtbot.waitExposed(chart)
    qtbot.wait(50)
    assert _plot_height(chart.values) > 120 and _plot_height(chart.ltv) > 120
    assert chart.findChild(QSplitter).orientation() == Qt.Orientation.Horizontal
    assert chart.values.width() > 400 and chart.ltv.width() > 400
    chart.resize(600, 700)  # floated and tall: one over the other again
    qtbot.wait(50)
    assert chart.findChild(QSplitter).orientation() == Qt.Orientation.Vertical
    assert _plot_height(chart.values) > 120 and _plot_height(chart.ltv) > 120


def test_a_long_term_shows_its_start_in_the_property_panel(window, qtbot):
    """'144A senior secured bonds' in a narrow field showed as '44A senior secured bonds':
    the line edit scrolled to the end of the text."""
    window.scene.select_blocks(["bonds"])
    editor = window.properties.editors["name"]
    assert editor.widget.text() == "144A senior secured bonds"
    assert editor.widget.cursorPosition() == 0
    window.properties.apply("name")  # unchanged: nothing pushed
    editor.widget.setText("Series 2025-1 senior secured notes due 2049")
    assert window.properties.apply("name")
    assert editor.widget.cursorPosition() == 0


def test_new_deal_does_not_show_the_previous_deals_results_as_stale(qtbot, sample_deal):
    """File > New (or opening another deal) that cannot run yet kept the previous deal's
    capital stack, metrics, charts and Monte Carlo on screen, marked only 'stale'."""
    from gui.main_window import MainWindow

    w = MainWindow(sample_deal, None, offer_recovery=False, restore_layout=False)
    qtbot.addWidget(w)
    results = w.results
    assert results.wait_for_result(30000)
    mc = results.montecarlo
    mc.paths.setValue(200)
    mc.run_action.trigger()
    assert mc.wait(60000) and mc.last_result is not None
    assert results.views["metrics"].value_of("Min DSCR") is not None

    w.new_file()  # a lone SPV: the engine refuses it
    assert results.wait_for_result(30000) is False
    assert results.last_result is None
    assert results.views["metrics"].rowCount() == 0
    assert results.views["capital_stack"].table.rowCount() == 0
    assert results.views["periods"].model.rowCount() == 0
    assert not results.views["balances"].getPlotItem().listDataItems()
    assert not any("(stale)" in d.windowTitle() for d in results.docks.values())
    assert "Results not updated" in results.problem.text()
    assert mc.last_result is None and mc.loss.table.rowCount() == 0
    assert not mc.fan.getPlotItem().listDataItems()

    assert w.open_sample(str(SAMPLE))  # a deal that runs: everything is back
    assert results.wait_for_result(30000)
    assert results.views["metrics"].value_of("Min DSCR") is not None
    assert results.views["capital_stack"].table.rowCount() > 0
    results.shutdown()


def test_a_bad_item_of_a_percent_list_is_named_in_displayed_units(window):
    """'4, 4.5, 500' in the base-rate curve said 'must be at most 0.5 (got 4, 4.5, 500)':
    the bound in stored units and no word on which item."""
    window.scene.select_blocks(["spv"])
    panel = window.properties
    editor = panel.editors["base_rate_curve"]
    before = list(window.document.deal.blocks["spv"].terms["base_rate_curve"])
    editor.widget.setText("4, 4.5, 500")
    assert not panel.apply("base_rate_curve")
    assert editor.error.text() == "must be at most 50 % / yr (item 3: got 500)"
    editor.widget.setText("4, abc")
    assert not panel.apply("base_rate_curve")
    assert editor.error.text() == "must be a number (item 2: got abc)"
    assert window.document.deal.blocks["spv"].terms["base_rate_curve"] == before
    editor.widget.setText("4, 4.5")
    assert panel.apply("base_rate_curve")
    assert window.document.deal.blocks["spv"].terms["base_rate_curve"] == [0.04, 0.045]
    assert not editor.error.isVisible()


def test_undo_redo_toolbar_buttons_keep_their_label(window):
    """The toolbar's Undo button read 'Undo Remove 144A senior secured bonds' and pushed the
    buttons after it sideways with every edit; the menu entry and tooltip name the command."""
    from PySide6.QtWidgets import QToolButton

    undo, redo = window.actions_by_name["undo"], window.actions_by_name["redo"]
    button = window.toolbar.widgetForAction(undo)
    assert isinstance(button, QToolButton)
    window.scene.select_blocks(["bonds"])
    window.actions_by_name["delete"].trigger()
    assert button.text() == "Undo"
    assert "144A senior secured bonds" in undo.text()
    assert "144A senior secured bonds" in undo.toolTip()
    undo.trigger()
    assert window.toolbar.widgetForAction(redo).text() == "Redo"
    assert "144A senior secured bonds" in redo.toolTip()
    assert undo.toolTip() == "Undo"


def test_a_cancelled_monte_carlo_says_how_many_paths_ran(qtbot):
    """The cancel message said 'cancelled after 11 of 489 chunks' (an engine detail); the
    analyst chose a number of paths."""
    _, _, docks = open_docks(qtbot, sample("coreweave_ddtl.json"))
    messages = []
    docks.message.connect(messages.append)
    mc = docks.montecarlo
    mc.chunk_size = 50
    mc.paths.setValue(200_000)
    mc.run_action.trigger()
    mc.cancel_action.trigger()
    assert mc.wait(60000)
    last = messages[-1]
    assert last.startswith("Monte Carlo cancelled after ") and last.endswith(" of 200,000 paths")
    assert "chunk" not in last
    close_docks(docks)


def test_a_date_picked_in_the_calendar_popup_is_applied_at_once(window, qtbot, tmp_path):
    """Picking a closing date in the calendar changed the field but not the deal until the
    focus left the field: Save (Ctrl+S keeps the focus) wrote the old date."""
    from PySide6.QtCore import QDate

    from core.files.deal_json import load_deal

    window.scene.select_blocks(["spv"])
    edit = window.properties.editors["closing_date"].widget
    edit.setFocus()
    calendar = edit.calendarWidget()
    day = QDate(2025, 12, 15)
    calendar.setSelectedDate(day)
    calendar.clicked.emit(day)  # what a click on the day in the popup sends
    assert edit.date() == day
    qtbot.waitUntil(
        lambda: window.document.deal.blocks["spv"].terms["closing_date"] == "2025-12-15"
    )
    path = str(tmp_path / "picked.json")
    assert window.save_to(path)
    assert load_deal(path).blocks["spv"].terms["closing_date"] == "2025-12-15"
    assert window.document.undo_stack.count() == 1


def test_save_and_close_take_a_typed_but_unconfirmed_term(window, qtbot, tmp_path, isolated):
    """A notional typed in the property panel without Enter, then Ctrl+S (the focus stays in
    the field): the file got the old notional and the deal showed as saved."""
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QMessageBox

    from core.files.deal_json import load_deal

    window.scene.select_blocks(["bonds"])
    edit = window.properties.editors["notional"].widget
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, "20000")  # no Enter
    path = str(tmp_path / "typed.json")
    assert window.save_to(path)
    assert load_deal(path).blocks["bonds"].terms["notional"] == 20000.0
    assert not window.document.is_modified()

    edit.selectAll()
    QTest.keyClicks(edit, "21000")  # typed again, then the window is closed
    isolated.reply = QMessageBox.StandardButton.Cancel
    assert not window.close()  # the unsaved notional is asked about, not lost
    assert isolated.shown and isolated.shown[-1][1] == "Unsaved changes"
    assert window.document.deal.blocks["bonds"].terms["notional"] == 21000.0
    isolated.reply = QMessageBox.StandardButton.Discard

    edit.selectAll()
    QTest.keyClicks(edit, "-5")  # invalid: shown in red, the deal keeps its notional
    assert window.save_to(path)
    assert load_deal(path).blocks["bonds"].terms["notional"] == 21000.0
    assert window.properties.editors["notional"].error.isVisibleTo(window.properties)
