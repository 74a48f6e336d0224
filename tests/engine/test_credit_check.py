"""The credit half of the deal check (core.engine.credit_check) on hand-worked deals."""

from __future__ import annotations

import pytest

from core.engine.credit_check import credit_findings, not_meaningful
from core.engine.results import run_deal
from tests.engine.deal_builders import simple_deal


def codes(result) -> dict[str, object]:  # noqa: ANN001
    return {f.code: f for f in credit_findings(result)}


def with_facility(cost: float, **kw) -> object:  # noqa: ANN003
    d = simple_deal(**kw)
    d.add_block("facility", {"cost": cost}, block_id="dc")
    d.connect("owns", "spv", "dc")
    return d


def test_a_funding_gap_is_an_error_naming_the_capital_and_the_assets():
    # sources 100 debt + 10 equity = 110; uses: a 200 facility, no DSRA -> gap 90
    found = codes(run_deal(with_facility(200.0)))
    gap = found["funding_gap"]
    assert gap.severity == "error" and "USD 90.0m" in gap.message
    assert set(gap.blocks) == {"senior", "eq", "dc"}


def test_over_funding_beyond_ten_percent_is_a_warning():
    # 110 raised for a 50 facility: 60 over, 120% of the uses
    over = codes(run_deal(with_facility(50.0)))["over_funding"]
    assert over.severity == "warning" and "USD 60.0m" in over.message and "120.0%" in over.message
    assert "over_funding" not in codes(run_deal(with_facility(105.0)))  # 5/105: within 10%


def test_dscr_below_one_in_the_base_case_is_an_error_and_break_even_is_not_a_number():
    # rent 60 a year = 5 a month against an annuity on 100 at 1% a month over 12 months:
    # payment = 100 * 0.01 / (1 - 1.01**-12) = 8.885, so DSCR is about 5 / 8.885 = 0.563
    payment = 100 * 0.01 / (1 - 1.01**-12)
    result = run_deal(with_facility(105.0, annual_rent=60.0))
    found = codes(result)
    dscr = found["dscr_below_one"]
    assert dscr.severity == "error" and set(dscr.blocks) == {"senior", "lease"}
    assert result.metrics["min_dscr"] == pytest.approx(5 / payment, abs=0.01)
    assert f"{5 / payment:.2f}x" in dscr.message
    # no "negative break-even" beside it: a DSCR below 1.00x has no fall to break even (0),
    # the cash flow must rise 1 / DSCR - 1 (8.885 / 5 - 1 = 77.7%) to cover the debt service
    assert "negative_breakeven" not in found
    mn = result.metrics["min_dscr"]
    assert result.metrics["breakeven_cashflow_fall"] == 0.0
    assert result.metrics["cashflow_rise_needed"] == pytest.approx(1 / mn - 1)
    assert result.metrics["cashflow_rise_needed"] == pytest.approx(payment / 5 - 1, abs=0.03)
    assert f"rise {1 / mn - 1:.1%}" in dscr.message
    assert not_meaningful(result)["breakeven_cashflow_fall"] == (
        f"n/m: DSCR {mn:.2f}x below 1.00x (cash flow must rise {1 / mn - 1:.1%})"
    )


def test_ltv_above_100_percent_at_close_is_a_warning():
    # 100 of debt on a 50 facility: LTV at close at least 200% whatever its market value curve
    ltv = codes(run_deal(with_facility(50.0)))["ltv_above_100"]
    assert ltv.severity == "warning" and set(ltv.blocks) == {"senior", "dc"}
    pct = float(ltv.message.split("LTV at close ")[1].split("%")[0])
    assert pct >= 200


def test_a_sound_deal_has_no_credit_findings():
    # rent 240 a year = 20 a month against 8.885: DSCR about 2.25x; 110 raised for a 105 asset
    result = run_deal(with_facility(105.0, annual_rent=240.0))
    assert result.metrics["min_dscr"] > 2
    assert [f.code for f in credit_findings(result) if f.code != "ltv_above_100"] == []
    assert not_meaningful(result) == {}


def test_gpus_delivered_after_closing_with_delayed_draws_are_not_a_funding_gap():
    # CoreWeave sample: 82,500 GPUs at USD 40k = 3,300, delivered with four equal draws of
    # 650 (months 0, 3, 6, 9): a quarter (825) at closing, paid by the first draw and the
    # 230 of equity; the other 2,475 arrive later, paid by the later draws and equity's
    # injections. At closing 880 raised against 825 + the DSRA: neither a gap nor over 10%.
    from pathlib import Path

    from core.files.deal_json import load_deal

    deal = load_deal(Path(__file__).parents[2] / "resources" / "deals" / "coreweave_ddtl.json")
    result = run_deal(deal)
    assert result.deliveries_after_close["cost"] == pytest.approx(0.75 * 82_500 * 0.04)
    found = codes(result)
    assert "funding_gap" not in found and "over_funding" not in found
    assert result.total_sources == pytest.approx(650.0 + 230.0)
