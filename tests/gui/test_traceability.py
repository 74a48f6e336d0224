"""Every number traceable (issue #15): each period-table column's tooltip gives its definition
and formula (from core.report.trace_periods) and the exported workbook's line, each cell its
workbook cell, a double-click what it is computed from; hovering a chart names the series
under the pointer with its definition, and a click drills down to that period's row."""

from __future__ import annotations

import re

import pytest
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from core.engine.results import run_deal
from core.files.excel_export import build_workbook
from core.report.trace_periods import PERIOD_TRACES, TRANCHE_TRACES, trace_of
from gui.results.formatting import fmt_money, fmt_ratio
from gui.results.period_table import PeriodTable
from tests.gui.test_results_support import close_docks, open_docks, sample

H = Qt.Orientation.Horizontal
TIP = Qt.ItemDataRole.ToolTipRole


@pytest.fixture
def table(qtbot):  # noqa: ANN201
    deal = sample("xai_gpu_spv.json")
    view = PeriodTable()
    qtbot.addWidget(view)
    result = run_deal(deal)
    view.show_result(result)
    return view, deal, result


def _cell(address: str) -> str:
    return address.split("!", 1)[1].replace("$", "")


def test_every_column_has_its_definition_formula_and_workbook_line(table, qtbot):
    view, deal, result = table
    model = view.model
    first = model.headerData(0, H, TIP)  # the cells are found off the UI thread
    assert "Formula: " in first and "finding the cells" in first
    qtbot.waitUntil(lambda: model.excel.layout is not None, timeout=30_000)
    wb = build_workbook(deal, result, scenarios=False, mc_paths=0)
    sheet = wb["CashFlows"]
    for c, (key, tranche) in enumerate(model.keys):
        tip = model.headerData(c, H, TIP)
        trace = trace_of(key)
        assert trace.definition in tip and f"Formula: {trace.formula}" in tip
        line = re.search(
            r"CashFlows line '([^']+)' \((CashFlows!\$[A-Z]+\$\d+:\$[A-Z]+\$\d+)\)", tip
        )
        assert line, tip
        label = line.group(1)
        assert label == model.excel.layout.label(key, tranche)
        if tranche is not None:
            assert label.startswith(f"{tranche}: ")
        # each period's cell lies on that line, and the workbook has something in it
        for t in (0, len(result.periods) - 1):
            cell = _cell(model.excel.layout.cell(key, t, tranche))
            lo_col, lo_row, hi_col, hi_row = range_boundaries(_cell(line.group(2)))
            col, row = coordinate_to_tuple(cell)[1], coordinate_to_tuple(cell)[0]
            assert lo_col <= col <= hi_col and lo_row <= row <= hi_row
            assert sheet[cell].value is not None
    optional = {"swap_cash", "swap_breakage", "swap_arrears", "refinanced"}  # swaps, refinancing
    assert {k for k, t in model.keys if t is None} == set(PERIOD_TRACES) - optional
    assert {k.split(":")[1] for k, t in model.keys if t} == set(TRANCHE_TRACES)


def test_a_dscr_cell_drills_down_to_cfads_and_debt_service(table, qtbot):
    """DSCR of period 12: its cell, and the CFADS and debt-service cells its formula reads;
    the workbook's DSCR formula in that cell divides exactly those two cells, and the values
    shown are the run's own (CFADS / debt service = DSCR)."""
    view, deal, result = table
    model = view.model
    c, t = model.column_of("DSCR"), 12
    dialog = view.trace_cell(t, c)  # an explicit click waits for the cells
    dscr, cfads, ds = dialog.row(0), dialog.row(1), dialog.row(2)
    p = result.periods
    assert dscr[:2] == ["DSCR", fmt_ratio(p["dscr"].iloc[t])]
    assert cfads[:2] == ["CFADS", fmt_money(p["cfads"].iloc[t])]
    assert ds[:2] == ["Debt service", fmt_money(p["debt_service"].iloc[t])]
    assert p["cfads"].iloc[t] / p["debt_service"].iloc[t] == pytest.approx(p["dscr"].iloc[t])
    wb = build_workbook(deal, result, scenarios=False, mc_paths=0)
    formula = wb["CashFlows"][_cell(dscr[2])].value
    # =IF((DS - balloon)>eps, CFADS/(DS - balloon), ""): the balloon is not scheduled
    assert f"{_cell(cfads[2])}/({_cell(ds[2])}-" in formula
    assert f"CashFlows!{_cell(dscr[2])}" in model.data(model.index(t, c), TIP)
    assert "CFADS / (debt service - balloon)" in dialog.header.text()


def test_hover_names_the_series_under_the_pointer_and_a_click_drills_down(qtbot):
    deal = sample("xai_gpu_spv.json")
    window, _, docks = open_docks(qtbot, deal)
    window.show()
    qtbot.waitExposed(window)
    expected = run_deal(deal)
    chart = docks.views["dscr"]
    i = 12
    dscr, test = expected.periods["dscr"].iloc[i], expected.periods["dscr_test"].iloc[i]
    chart.hover.show_index(i, dscr)
    assert chart.hover.focus.key == "dscr"
    assert trace_of("dscr").definition in chart.hover.text_at(i)
    chart.hover.show_index(i, test + 10.0)  # far above both: the tested line is nearer
    nearer = "dscr_test" if abs(test - (test + 10)) < abs(dscr - (test + 10)) else "dscr"
    assert chart.hover.focus.key == nearer
    # the waterfall: a pointer inside the interest layer of period i names Interest
    water = docks.views["waterfall"]
    uses = expected.cash_uses
    base = max(uses["costs"].iloc[i], 0.0)
    water.hover.show_index(i, base + 0.5 * uses["interest"].iloc[i])
    assert water.hover.focus.key == "use:interest"
    assert "interest paid to every tranche" in water.hover.text_at(i)
    # a real click on the DSCR curve at period i selects that row and the DSCR column
    docks.docks["dscr"].raise_()
    vb = chart.getPlotItem().vb
    qtbot.waitUntil(lambda: vb.height() > 50)
    point = chart.mapFromScene(vb.mapViewToScene(QPointF(chart.hover.x[i], dscr)))
    QTest.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=point)
    table = docks.views["periods"]
    qtbot.waitUntil(lambda: table.view.currentIndex().row() == i, timeout=5000)
    assert table.model.frame.columns[table.view.currentIndex().column()] == "DSCR"
    assert docks.docks["periods"].isVisible()
    close_docks(docks)


def test_each_tranche_column_cites_its_own_line(qtbot):
    """Two tranches: the mezzanine's columns cite the mezzanine's lines of the workbook, whose
    cells are not the senior's; its balance cell holds the mezzanine's closing balance
    formula (the workbook's label says so)."""
    deal = sample("xai_gpu_spv.json")
    spv = deal.of_kind("spv")[0]
    mezz = deal.add_block("tranche", {"name": "Mezzanine notes", "notional": 1500.0,
                                      "seniority": 2, "coupon": 0.11})  # fmt: skip
    deal.connect("issues", spv.id, mezz.id)
    view = PeriodTable()
    qtbot.addWidget(view)
    result = run_deal(deal)
    view.show_result(result)
    senior = next(iter(result.tranches))
    layout = view.model.excel.wait()
    a = layout.cell("tranche:balance", 3, senior)
    b = layout.cell("tranche:balance", 3, "Mezzanine notes")
    assert a != b
    assert layout.label("tranche:balance", "Mezzanine notes") == "Mezzanine notes: closing balance"
    tip = view.model.headerData(view.model.column_of("Mezzanine notes: balance"), H, TIP)
    assert tip.startswith("Mezzanine notes: balance: principal outstanding")
    assert "'Mezzanine notes: closing balance'" in tip


def test_every_part_of_the_waterfall_and_every_column_has_a_definition():
    """A new cash use or period column must come with its trace (core.report.trace_periods):
    the hover and the tooltips read them."""
    from core.engine.derived import CASH_USES
    from gui.results.period_table import (
        PERIOD_COLUMNS,
        REFI_COLUMNS,
        SWAP_COLUMNS,
        TRANCHE_COLUMNS,
    )

    for key in CASH_USES:
        assert trace_of(f"use:{key}").label == CASH_USES[key]
    for key in PERIOD_COLUMNS | SWAP_COLUMNS | REFI_COLUMNS:
        assert trace_of(key).definition
    for key in TRANCHE_COLUMNS:
        assert trace_of(f"tranche:{key}").definition


def test_a_refinancing_deal_keys_every_column(qtbot):
    """TeraWulf refinances its balloon: the table's extra column is keyed too, so every
    column's tooltip is its own (the keys follow the frame's columns one for one)."""
    view = PeriodTable()
    qtbot.addWidget(view)
    result = run_deal(sample("terawulf_backstop.json"))
    view.show_result(result)
    model = view.model
    assert len(model.keys) == len(model.frame.columns)
    c = model.column_of("Refinanced at maturity")
    assert c is not None and model.keys[c] == ("refinanced", None)
    assert model.headerData(c, H, TIP).startswith("Refinanced at maturity: the balloon")
    last = len(model.keys) - 1
    assert model.frame.columns[last] == "Events" and model.keys[last] == ("flags", None)
