"""A deal with a construction phase in the GUI's capital-stack table and the printed summary:
sources and uses split into construction and operations, from the engine's result."""

from __future__ import annotations

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from gui.results.capital_stack import CapitalStackView

PATH = "resources/deals/hyperion_jv.json"


def test_capital_stack_table_shows_both_phases(qtbot):
    result = run_deal(load_deal(PATH))
    view = CapitalStackView()
    qtbot.addWidget(view)
    view.show_result(result)
    t = view.table
    rows = {t.item(i, 0).text().strip(): t.item(i, 1).text() for i in range(t.rowCount())}
    for title in ("Construction: sources", "Construction: uses", "Operations: sources",
                  "Operations: uses"):  # fmt: skip
        assert title in rows
    ph = result.sources_uses_by_phase["construction"]["uses"]
    capex = ph["Capex (GPU fleet and facility)"]
    assert rows["Capex (GPU fleet and facility)"] == f"{capex:,.1f}"


def test_no_phase_rows_without_construction(qtbot):
    view = CapitalStackView()
    qtbot.addWidget(view)
    view.show_result(run_deal(load_deal("resources/deals/xai_gpu_spv.json")))
    t = view.table
    assert not any("Construction" in t.item(i, 0).text() for i in range(t.rowCount()))
