"""Key metrics traced to their period rows and to the exported workbook's cells
(core.report.trace): the cells hold the metric's own formula, the decisive rows are the ones
that give the metric's value."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.files.excel_export import build_workbook
from core.files.excel_grid import FIRST_COL
from core.report.trace import TRACES, trace_rows

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "deals" / "xai_gpu_spv.json"


@pytest.fixture(scope="module")
def result():
    return run_deal(load_deal(SAMPLE))


def test_every_traced_metric_names_its_own_cell_in_the_workbook(result):
    wb = build_workbook(result.compiled.deal, result, scenarios=False, mc_paths=0)
    for key, trace in TRACES.items():
        sheet, cell = trace.excel_cell.split("!")
        assert wb[sheet][cell.replace("B", "D")].value == key  # column D holds the metric key
        assert str(wb[sheet][cell].value).startswith("=")  # column B: the live formula


def test_the_decisive_row_gives_the_metric(result):
    frame, rows = trace_rows(result, "min_dscr")
    assert len(rows) == 1
    row = frame.iloc[rows[0]]
    # the row's own DSCR is the metric, and it is its CFADS over its debt service
    assert row["dscr"] == pytest.approx(result.metrics["min_dscr"])
    assert row["cfads"] / row["debt_service"] == pytest.approx(row["dscr"])
    assert row["excel_column"] == get_column_letter(FIRST_COL + rows[0])  # time across columns
    frame, rows = trace_rows(result, "ltv_at_close")
    first = frame.iloc[0]
    assert rows == [0]
    assert first["debt_open"] == result.total_debt  # nothing repaid before period 1
    assert first["debt_open"] / first["asset_value"] == pytest.approx(
        result.metrics["ltv_at_close"], rel=1e-6
    )


def test_tooltips_give_definition_formula_and_cells():
    tip = TRACES["llcr"].tooltip
    assert "loan life cover" in tip and "Formula: (NPV of CFADS" in tip
    assert "Metrics!B" in tip and "p_debt0" in tip


def test_every_key_metrics_row_has_a_definition_not_its_label(result):
    from core.report.trace import definition_of
    from gui.results.metrics_table import metric_rows

    for label, value in metric_rows(result):
        if value is not None:  # section headings have none
            tip = definition_of(label)
            assert tip and len(tip) > len(label) + 10, label
