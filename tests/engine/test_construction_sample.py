"""The Hyperion sample with its construction phase (resources/deals/construction/hyperion_jv.json):
the public facts it encodes and the numbers a lender reads (docs/engine.md, "Construction")."""

from __future__ import annotations

import pytest

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.risk.stress import Stress, run_stressed

PATH = "resources/deals/construction/hyperion_jv.json"


def test_hyperion_construction_facts_and_credit():
    deal = load_deal(PATH)
    r = run_deal(deal)
    t = deal.of_kind("spv")[0].terms
    assert t["closing_date"] == "2025-11-01" and t["completion_month"] == 48  # Nov 2029
    assert t["idc_funding"] == "reserve"
    ph = r.sources_uses_by_phase
    c = ph["construction"]
    assert c["uses"]["Capex (GPU fleet and facility)"] == pytest.approx(21000.0)
    assert c["uses"]["Treasury reserve left at completion"] == pytest.approx(0.0, abs=1e-3)
    # ~$27B all-in: hard capex + interest reserve (net of the yield) + DSRA
    all_in = (
        21000.0
        + r.uses["Interest reserve (net of Treasury yield)"]
        + r.uses["DSRA funded at close"]
    )
    assert 26500.0 < all_in < 27500.0
    assert 2000.0 < r.uses["Other uses / distribution at close"] < 3000.0  # Meta's ~$3B
    m = r.metrics
    assert m["debt_loss"] == 0.0 and 1.10 < m["min_dscr"] < 1.20 and 1.1 < m["llcr"] < 1.3
    # a year late: Meta's completion guarantee pays the delay costs, the bonds lose nothing
    late = run_stressed(deal, Stress(completion_delay_months=12))
    assert late.metrics["debt_loss"] == 0.0


def test_run_prints_the_construction_and_both_phases():
    from cli.cmd_run import result_to_text

    text = result_to_text(run_deal(load_deal(PATH)))
    assert "Construction: capex from 2025-11-01 (s curve), completion 2029-11-01" in text
    assert "Sources and uses: construction" in text and "Sources and uses: operations" in text
    plain = result_to_text(run_deal(load_deal("resources/deals/hyperion_jv.json")))
    assert "Construction:" not in plain
