"""What the result docks draw equals what the engine computed, for every sample deal."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMainWindow

from core.engine.results import run_deal
from gui.results.docks import ResultsDocks
from gui.results.formatting import fmt_money, fmt_pct, fmt_ratio
from gui.results.waterfall_chart import STACK
from tests.gui.test_results_support import (
    SAMPLES,
    FakeDocument,
    close_docks,
    open_docks,
    same,
    sample,
)

pytestmark = pytest.mark.gui


@pytest.fixture(params=SAMPLES)
def shown(request, qtbot):
    """(docks, independent engine run) for each sample deal."""
    deal = sample(request.param)
    _, _, docks = open_docks(qtbot, deal)
    yield docks, run_deal(deal)
    close_docks(docks)


def test_dscr_curve_and_covenant_levels(shown):
    docks, expected = shown
    chart = docks.views["dscr"]
    x, y = chart.dscr_curve.getData()
    assert same(y, expected.periods["dscr"])
    assert same(chart.test_curve.getData()[1], expected.periods["dscr_test"])
    assert len(x) == len(expected.periods)
    cov = expected.compiled.deal.of_kind("covenant")[0].terms
    levels = sorted(
        item.value()
        for item in chart.getPlotItem().items
        if type(item).__name__ == "InfiniteLine" and item.angle == 0
    )
    assert levels == pytest.approx(sorted([cov["default_dscr"], cov["lockup_dscr"]]))


def test_balances_one_curve_per_tranche(shown):
    docks, expected = shown
    curves = docks.views["balances"].curves
    assert list(curves) == list(expected.tranches)
    for name, frame in expected.tranches.items():
        assert same(curves[name].getData()[1], frame["balance"])


def test_ltv_chart_shows_debt_asset_value_and_ltv(shown):
    docks, expected = shown
    chart = docks.views["ltv"]
    debt = np.sum([t["balance"].to_numpy() for t in expected.tranches.values()], axis=0)
    assert same(chart.debt_curve.getData()[1], debt)
    assert same(chart.asset_curve.getData()[1], expected.periods["asset_value"])
    assert same(chart.ltv_curve.getData()[1], expected.periods["ltv"] * 100.0)


def test_waterfall_stacks_up_to_the_cash_available(shown):
    docks, expected = shown
    chart = docks.views["waterfall"]
    p = expected.periods
    total = sum(chart.uses[key] for key, _ in STACK)
    # what the bars stack to is the engine's cash: CFADS plus costs, proceeds and injections
    available = p["cfads"] + p["opex"] + p["fees"] + p["tax"] + p["proceeds"] + p["injection"]
    available = available + p["treasury_draw"]  # construction: the Treasury reserve pays in
    assert same(total, available)
    interest = sum(t["interest_paid"] for t in expected.tranches.values())
    assert same(chart.uses["interest"], interest)
    assert same(chart.uses["distribution"], p["distribution"])
    for key, bar in chart.bars.items():
        assert same(bar.opts["height"], np.abs(chart.uses[key]))


def test_metrics_table_shows_engine_metrics(shown):
    docks, expected = shown
    table = docks.views["metrics"]
    m = expected.metrics
    assert table.value_of("Min DSCR") == fmt_ratio(m["min_dscr"])
    assert table.value_of("Avg DSCR") == fmt_ratio(m["avg_dscr"])
    assert table.value_of("LLCR") == fmt_ratio(m["llcr"])
    assert table.value_of("Equity IRR") == fmt_pct(m["equity_irr"])
    # on a deal valued as a going concern (TeraWulf) the basis follows the value
    assert table.value_of("LTV at close").split(" (")[0] == fmt_pct(m["ltv_at_close"])
    for r in expected.tranche_metrics.to_dict("records"):
        assert table.value_of(f"{r['tranche']}: yield") == fmt_pct(r["yield"])
    for x in expected.look_through:
        assert table.value_of(f"{x.sponsor}: look-through leverage") == fmt_ratio(x.ratio)


@pytest.mark.parametrize("height", [150, 260, 600])
def test_capital_stack_labels_fit_and_do_not_overlap(qtbot, height):
    """Every layer label lies inside the plot and clear of the next one, whatever the dock's
    height (the default layout gives the plot about 100 px)."""
    from gui.results.capital_stack import CapitalStackView

    view = CapitalStackView()
    qtbot.addWidget(view)
    view.plot.setFixedHeight(height)
    view.show()
    qtbot.waitExposed(view)
    view.show_result(run_deal(sample("hyperion_jv.json")))
    qtbot.wait(50)
    box = view.plot.getPlotItem().getViewBox().sceneBoundingRect()
    rects = [label.sceneBoundingRect() for label in view.labels]
    assert len(rects) == 2
    for r in rects:
        assert box.top() - 1 <= r.top() and r.bottom() <= box.bottom() + 1, (r, box)
    assert not rects[0].intersects(rects[1])


def test_capital_stack_amounts_and_shares(shown):
    docks, expected = shown
    view = docks.views["capital_stack"]
    amounts = [amount for _, amount, _, _ in view.layers]
    total = expected.metrics["total_debt"] + expected.metrics["total_equity"]
    assert sum(amounts) == pytest.approx(total)
    tranche_layers = view.layers[-len(expected.tranche_metrics) :]
    shares = [share for _, _, share, _ in tranche_layers]
    assert shares == pytest.approx(list(expected.tranche_metrics["share_of_capital"])[::-1])
    sources_total = fmt_money(sum(expected.sources.values()))
    cells = [view.table.item(i, 1).text() for i in range(view.table.rowCount())]
    assert sources_total in cells


def _first_with_dscr(result) -> int:
    """The first period with a DSCR (a deal with a construction phase has none while building:
    Hyperion's first is its completion, period 16)."""
    return int(np.flatnonzero(result.periods["dscr"].notna().to_numpy())[0])


def test_period_table_copy_is_tab_separated_with_engine_numbers(shown):
    docks, expected = shown
    table = docks.views["periods"]
    text = table.copy_to_clipboard()
    assert QGuiApplication.clipboard().text() == text
    lines = text.splitlines()
    assert len(lines) == len(expected.periods) + 1
    header = lines[0].split("\t")
    r0 = _first_with_dscr(expected)
    first = dict(zip(header, lines[1 + r0].split("\t"), strict=True))
    p0 = expected.periods.iloc[r0]
    assert first["Period end"] == expected.periods.index[r0].date().isoformat()
    assert float(first["Revenue"]) == pytest.approx(p0["revenue"], rel=1e-12)
    assert float(first["CFADS"]) == pytest.approx(p0["cfads"], rel=1e-12)
    assert float(first["DSCR"]) == pytest.approx(p0["dscr"], rel=1e-12)
    assert float(first["LTV"]) == pytest.approx(p0["ltv"], rel=1e-12)
    name, frame = next(iter(expected.tranches.items()))
    assert float(first[f"{name}: balance"]) == pytest.approx(frame["balance"].iloc[r0], rel=1e-12)


def test_period_table_formats_like_an_analyst(shown):
    docks, expected = shown
    model = docks.views["periods"].model
    cols = list(model.frame.columns)
    r0 = _first_with_dscr(expected)
    p0 = expected.periods.iloc[r0]

    def cell(column: str) -> str:
        return model.data(model.index(r0, cols.index(column)))

    assert cell("Revenue") == fmt_money(p0["revenue"])
    assert "," in fmt_money(1234.5) and cell("DSCR").endswith("x")
    assert cell("LTV") == fmt_pct(p0["ltv"])


def test_copy_of_a_selection_copies_that_block(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, _, docks = open_docks(qtbot, deal)
    table = docks.views["periods"]
    model = table.model
    col = list(model.frame.columns).index("Distribution")
    table.view.selectionModel().select(
        model.index(2, col), table.view.selectionModel().SelectionFlag.Select
    )
    lines = table.copy_to_clipboard().splitlines()
    expected = run_deal(deal).periods["distribution"].iloc[2]
    assert lines[0] == "Period end\tDistribution"
    assert float(lines[1].split("\t")[1]) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    close_docks(docks)


def test_hover_read_out_names_date_and_values(qtbot):
    deal = sample("hyperion_jv.json")
    _, _, docks = open_docks(qtbot, deal)
    expected = run_deal(deal).periods
    chart = docks.views["dscr"]
    chart.hover.show_index(5)
    assert chart.hover.label.isVisible() and chart.hover.line.isVisible()
    text = chart.hover.text_at(5)
    assert expected.index[5].date().isoformat() in text
    assert fmt_ratio(expected["dscr"].iloc[5]) in text
    # the mouse over a period's date snaps the read-out to that period
    assert chart.hover.nearest(chart.hover.x[7] + 1000.0) == 7
    close_docks(docks)


@pytest.mark.parametrize(("height", "columns"), [(240, 2), (800, 1)])
def test_hover_read_out_fits_a_short_plot(qtbot, height, columns):
    """The waterfall's read-out has a dozen lines: on a short plot it goes to two columns
    rather than run off the bottom; on a tall one it stays a single column."""
    window, _, docks = open_docks(qtbot, sample("terawulf_backstop.json"))
    chart = docks.views["waterfall"]
    chart.setFixedHeight(height)
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    chart.hover.show_index(3)
    label = chart.hover.label.boundingRect().height()
    assert label <= chart.getPlotItem().vb.height()
    assert ("<table" in chart.hover.label.textItem.toHtml()) == (columns == 2)
    chart.hover.hide()
    close_docks(docks)


def test_render_docks_to_png(qtbot, tmp_path: Path):
    """Render the docks offscreen (the image is kept for a look with --basetemp)."""
    window, _, docks = open_docks(qtbot, sample("hyperion_jv.json"))
    window.show()
    qtbot.waitExposed(window)
    image = window.grab()
    path = tmp_path / "results_docks.png"
    assert image.save(str(path))
    assert image.width() == 1600 and image.height() == 1000
    assert path.stat().st_size > 20_000  # charts drew something, not an empty window
    close_docks(docks)


def test_mouse_over_a_chart_moves_the_read_out(qtbot):
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    deal = sample("xai_gpu_spv.json")
    window, _, docks = open_docks(qtbot, deal)
    window.show()
    docks.docks["dscr"].raise_()
    qtbot.waitExposed(window)
    chart = docks.views["dscr"]
    vb = chart.getPlotItem().vb
    qtbot.waitUntil(lambda: vb.height() > 50)
    expected = run_deal(deal).periods
    i = 12
    scene_point = vb.mapViewToScene(QPointF(chart.hover.x[i], float(expected["dscr"].iloc[i])))
    local = QPointF(chart.mapFromScene(scene_point))
    viewport = chart.viewport()
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        local,
        QPointF(viewport.mapToGlobal(local.toPoint())),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, move)
    qtbot.waitUntil(lambda: chart.hover.index == i, timeout=5000)
    assert chart.hover.label.isVisible()
    html = chart.hover.label.textItem.toPlainText()
    assert expected.index[i].date().isoformat() in html
    assert fmt_ratio(expected["dscr"].iloc[i]) in html
    close_docks(docks)


def test_ctrl_c_on_the_period_table_copies_for_excel(qtbot):
    from PySide6.QtGui import QKeySequence

    deal = sample("terawulf_backstop.json")
    _, _, docks = open_docks(qtbot, deal)
    table = docks.views["periods"]
    assert table.copy_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Copy)
    assert table.copy_action in table.view.actions()
    QGuiApplication.clipboard().clear()
    table.copy_action.trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    last = dict(zip(lines[0].split("\t"), lines[-1].split("\t"), strict=True))
    expected = run_deal(deal).periods.iloc[-1]
    assert float(last["Distribution"]) == pytest.approx(expected["distribution"], rel=1e-12)
    close_docks(docks)


def test_two_tranches_get_a_curve_a_layer_and_rows_each(qtbot):
    deal = sample("xai_gpu_spv.json")
    spv = deal.of_kind("spv")[0]
    mezz = deal.add_block(
        "tranche",
        {"name": "Mezzanine notes", "notional": 1500.0, "seniority": 2, "coupon": 0.11},
    )
    deal.connect("issues", spv.id, mezz.id)
    _, _, docks = open_docks(qtbot, deal)
    expected = run_deal(deal)
    assert len(expected.tranches) == 2
    curves = docks.views["balances"].curves
    for name, frame in expected.tranches.items():
        assert same(curves[name].getData()[1], frame["balance"])
    labels = [label for label, _, _, _ in docks.views["capital_stack"].layers]
    assert labels[-1].startswith(next(iter(expected.tranches)))  # the senior tranche on top
    assert labels[-2].startswith("Mezzanine notes")
    table = docks.views["metrics"]
    mezz_yield = expected.tranche_metrics.set_index("tranche").loc["Mezzanine notes", "yield"]
    assert table.value_of("Mezzanine notes: yield") == fmt_pct(mezz_yield)
    close_docks(docks)


def test_an_all_equity_deal_draws_every_view(qtbot):
    deal = sample("xai_gpu_spv.json")
    deal.remove_block(deal.of_kind("tranche")[0].id)
    expected = run_deal(deal)  # the engine runs it: no debt, all cash to equity
    window = QMainWindow()
    qtbot.addWidget(window)
    messages = []
    docks = ResultsDocks(window, FakeDocument(deal))
    docks.message.connect(messages.append)
    assert docks.wait_for_result(30000)
    assert not any(m.startswith("Could not draw") for m in messages), messages
    assert same(docks.views["ltv"].debt_curve.getData()[1], np.zeros(len(expected.periods)))
    assert docks.views["balances"].curves == {}
    assert same(docks.views["waterfall"].uses["distribution"], expected.periods["distribution"])
    close_docks(docks)


def test_annual_deal_charts_one_point_a_year(qtbot):
    """Annual periods (issue #12): the charts plot one point per year end, the waterfall's bars
    are a year wide, and the values are the engine's."""
    deal = sample("hyperion_jv.json")
    deal.set_term("spv", "period", "annual")
    expected = run_deal(deal)
    _, _, docks = open_docks(qtbot, deal)
    try:
        x, y = docks.views["dscr"].dscr_curve.getData()
        assert len(x) == len(expected.periods) == expected.compiled.timeline.n_periods
        assert same(y, expected.periods["dscr"])
        days = np.diff(x) / 86400.0
        assert np.all((days >= 365) & (days <= 366))
        bars = docks.views["waterfall"].bars
        width = next(iter(bars.values())).opts["width"] / 86400.0
        assert width == pytest.approx(0.8 * 365, abs=1.0)
    finally:
        close_docks(docks)
