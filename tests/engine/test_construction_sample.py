"""The Hyperion sample with its construction phase (resources/deals/hyperion_jv.json):
the public facts it encodes and the numbers a lender reads (docs/engine.md, "Construction")."""

from __future__ import annotations

import pytest

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.risk.stress import Stress, run_stressed

PATH = "resources/deals/hyperion_jv.json"


def test_hyperion_construction_facts_and_credit():
    deal = load_deal(PATH)
    r = run_deal(deal)
    t = deal.of_kind("spv")[0].terms
    assert t["closing_date"] == "2025-10-01" and t["completion_month"] == 48  # Oct 2029
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
    assert "Construction: capex from 2025-10-01 (s curve), completion 2029-10-01" in text
    assert "Sources and uses: construction" in text and "Sources and uses: operations" in text
    plain = result_to_text(run_deal(load_deal("resources/deals/xai_gpu_spv.json")))
    assert "Construction:" not in plain


def test_deal_check_counts_the_interest_reserve_as_a_use():
    """The deal check's uses at closing include the interest reserve: 21,000 of capex + the
    DSRA + the reserve leave 29,800 - uses, Meta's ~2,649 distribution, under 10% of the uses
    (no over-funding warning; it warned of 7,568 when the reserve was left out)."""
    from core.engine.credit_check import credit_findings

    r = run_deal(load_deal(PATH))
    uses = (
        21000.0
        + r.uses["DSRA funded at close"]
        + r.uses["Interest reserve (net of Treasury yield)"]
    )
    excess = 27300.0 + 2500.0 - uses
    assert excess == pytest.approx(r.uses["Other uses / distribution at close"], abs=1e-3)
    assert excess / uses < 0.10
    assert not [f for f in credit_findings(r) if f.code in ("over_funding", "funding_gap")]
