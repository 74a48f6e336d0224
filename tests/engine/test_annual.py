"""Annual periods (issue #12): hand-worked annual cases, the same deal monthly, and the rule for
each term given in months (docs/engine.md, "Terms in months in quarterly and annual periods").

Expected values are worked here by hand or by closed form, never read from the engine."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.engine.results import run_deal
from core.engine.timeline import timeline_for
from tests.engine.deal_builders import simple_deal

N, COUPON, RENT = 100.0, 0.08, 40.0


def annual_deal(**kw):
    """100 of 8% 30/360 debt over 5 years, rent 40 a year, no costs, no tax, 5 annual periods."""
    base = dict(notional=N, coupon=COUPON, tenor_years=5, annual_rent=RENT, horizon_years=5,
                period="annual")  # fmt: skip
    base.update(kw)
    d = simple_deal(**base)
    d.set_term("spv", "tax_rate", 0.0)
    return d


def add_opex(d, **terms):
    d.add_block("opex", terms, block_id="opex")
    d.connect("applies_to", "opex", "spv")
    return d


def test_annual_timeline_dates_and_year_fractions():
    tl = timeline_for("2026-01-01", "annual", 5)
    assert tl.periods_per_year == 1 and tl.months_per_period == 12 and tl.n_periods == 5
    assert tl.start(0) == dt.date(2026, 1, 1) and tl.end(0) == dt.date(2027, 1, 1)
    assert tl.end(4) == dt.date(2031, 1, 1)
    np.testing.assert_array_equal(tl.year_fraction("30/360"), np.ones(5))
    # ACT/360: 365 or 366 days / 360 (2028 is a leap year)
    days = [365, 365, 366, 365, 365]
    np.testing.assert_allclose(tl.year_fraction("ACT/360"), np.array(days) / 360.0, rtol=0)
    # years are rounded half up, as Excel's ROUND: 7.5 years is 8 annual periods, not 8 by
    # banker's rounding by luck: 2.5 years is 3 periods (Python's round gives 2)
    assert timeline_for("2026-01-01", "annual", 2.5).n_periods == 3
    assert tl.periods(2.5) == 3 and tl.periods(7.5) == 8


def test_hand_worked_annual_annuity_interest_payment_and_dscr():
    res = run_deal(annual_deal())
    pmt = N * COUPON / (1 - (1 + COUPON) ** -5)  # 25.0456...
    bal, interest = N, []
    for _ in range(5):
        interest.append(bal * COUPON)
        bal -= pmt - bal * COUPON
    tr = res.tranches["Senior notes"]
    np.testing.assert_allclose(tr["interest_paid"].to_numpy(), interest, rtol=1e-12)
    np.testing.assert_allclose(res.periods["debt_service"].to_numpy(), pmt, rtol=1e-12)
    assert interest[0] == pytest.approx(8.0)  # the first year's interest on 100 at 8%
    assert pmt == pytest.approx(25.04564545, rel=1e-9)
    np.testing.assert_allclose(res.periods["cfads"].to_numpy(), RENT, rtol=1e-12)
    np.testing.assert_allclose(res.periods["dscr"].to_numpy(), RENT / pmt, rtol=1e-12)
    assert res.metrics["min_dscr"] == pytest.approx(1.59708, rel=1e-5)
    assert tr["balance"].to_numpy()[-1] == pytest.approx(0.0, abs=1e-9)
    # the tranche bought at par yields its coupon (nominal x 1 period a year)
    assert res.tranche_metrics["yield"].iloc[0] == pytest.approx(COUPON, abs=1e-10)


def test_annual_act_360_interest_is_days_over_360():
    res = run_deal(annual_deal(amortisation="bullet", tranche={"day_count": "ACT/360"}))
    days = np.array([365, 365, 366, 365, 365])  # 2026-2030 from 1 January, 2028 leap
    interest = res.tranches["Senior notes"]["interest_paid"].to_numpy()
    np.testing.assert_allclose(interest, N * COUPON * days / 360.0, rtol=1e-12)


def _yearly(values: np.ndarray, ppy: int) -> np.ndarray:
    return values.reshape(-1, ppy).sum(axis=1)


def test_same_deal_monthly_has_the_same_annual_totals_where_period_independent():
    """Rent, costs (escalated on closing anniversaries), CFADS and a bullet's 30/360 interest
    are the same a year whatever the period; an annuity is not (monthly amortisation lowers
    the balance within the year, so less interest: a documented difference)."""
    costs = dict(maintenance=6.0, insurance=1.2, admin_fees=0.6, escalator=0.03)
    lease = {"escalator": 0.02}
    runs = {}
    for period in ("annual", "monthly"):
        d = add_opex(annual_deal(period=period, amortisation="bullet", lease=lease), **costs)
        runs[period] = run_deal(d)
    a, m = runs["annual"].periods, runs["monthly"].periods
    for col in ("revenue", "opex", "fees", "cfads"):
        np.testing.assert_allclose(_yearly(m[col].to_numpy(), 12), a[col].to_numpy(), rtol=1e-12)
    # by hand: year y rent 40 x 1.02^y, costs 7.2 x 1.03^y, fees 0.6 x 1.03^y
    y = np.arange(5)
    np.testing.assert_allclose(a["revenue"], RENT * 1.02**y, rtol=1e-12)
    np.testing.assert_allclose(a["opex"], 7.2 * 1.03**y, rtol=1e-12)
    np.testing.assert_allclose(a["cfads"], RENT * 1.02**y - 7.8 * 1.03**y, rtol=1e-12)
    ia = runs["annual"].tranches["Senior notes"]["interest_paid"].to_numpy()
    im = runs["monthly"].tranches["Senior notes"]["interest_paid"].to_numpy()
    np.testing.assert_allclose(_yearly(im, 12), ia, rtol=1e-12)
    np.testing.assert_allclose(ia, N * COUPON, rtol=1e-12)

    ann = run_deal(annual_deal()).tranches["Senior notes"]["interest_paid"].to_numpy()
    mon = (
        run_deal(annual_deal(period="monthly")).tranches["Senior notes"]["interest_paid"].to_numpy()
    )
    r = COUPON / 12  # monthly annuity: first year's interest by the closed form
    pmt = N * r / (1 - (1 + r) ** -60)
    bal, first_year = N, 0.0
    for _ in range(12):
        first_year += bal * r
        bal -= pmt - bal * r
    assert _yearly(mon, 12)[0] == pytest.approx(first_year, rel=1e-12)
    assert first_year < ann[0] == pytest.approx(8.0)


def test_month_terms_in_annual_periods():
    """The documented rule for each term in months: durations round up to whole periods
    (interest-only, covenant window, lags), events fall in the period holding their month,
    the DSRA target is pro rata."""
    d = annual_deal(tenor_years=6, horizon_years=6, tranche={"io_months": 18})
    d.add_block(
        "covenant", {"lookback_months": 6, "lockup_dscr": 1.0, "default_dscr": 0.0}, block_id="cov"
    )
    d.connect("applies_to", "cov", "spv")
    c = compile_deal(d)
    inp = c.inputs
    # io_months 18 -> 2 interest-only years, then a 4-year annuity
    sched = inp.scheduled_principal[0]
    assert sched[:2].tolist() == [0.0, 0.0] and sched[2] > 0
    pmt = N * COUPON / (1 - (1 + COUPON) ** -4)
    assert sched[2] == pytest.approx(pmt - N * COUPON, rel=1e-12)
    assert int(inp.lookback) == 1  # 6 months -> a 1-year trailing window
    # a termination in month 30 falls in year 3 (index 2): rent stops, the fee is paid there
    d2 = annual_deal(lease={"termination_month": 30, "termination_fee": 5.0})
    rev = run_deal(d2).periods["revenue"].to_numpy()
    np.testing.assert_allclose(rev, [RENT, RENT, 5.0, 0.0, 0.0], rtol=1e-12)
    # a lease starting in month 6 pays from the period holding month 6: the first year
    d3 = annual_deal(lease={"start_month": 6, "term_years": 4})
    rev = run_deal(d3).periods["revenue"].to_numpy()
    np.testing.assert_allclose(rev, [RENT] * 4 + [0.0], rtol=1e-12)


@pytest.mark.parametrize(
    ("period", "months", "share"), [("annual", 6, 0.5), ("quarterly", 4, 4 / 3)]
)
def test_dsra_target_is_pro_rata_within_a_period(period, months, share):
    """6 months of debt service in annual periods is half of next year's (NREL SAM's reserve
    of months of debt service); 4 months quarterly is 1 1/3 quarters."""
    d = annual_deal(period=period)
    d.add_block("reserve", {"target_months": months, "funded_at_close": True}, block_id="dsra")
    d.connect("owns", "spv", "dsra")
    d.connect("secures", "dsra", "senior")
    c = compile_deal(d)
    ppy = c.timeline.periods_per_year
    r = COUPON / ppy
    n = 5 * ppy
    pmt = N * r / (1 - (1 + r) ** -n)  # level debt service of the annuity
    whole = int(share)
    expect0 = pmt * share  # every period's debt service is the same level payment
    assert c.inputs.dsra_initial == pytest.approx(expect0, rel=1e-12)
    assert c.uses["DSRA funded at close"] == pytest.approx(expect0, rel=1e-12)
    target = c.inputs.dsra_target
    assert target[0] == pytest.approx(expect0, rel=1e-12)
    # in the last periods the target covers only the debt service left
    left = n - 1 - np.arange(n)
    by_hand = pmt * np.minimum(left, whole) + pmt * (share - whole) * (left > whole)
    np.testing.assert_allclose(target, by_hand, rtol=1e-12, atol=1e-12)


def test_gpu_value_generations_and_commercial_life_at_year_ends():
    """Market value is read at each period's end: a generation launched at 2.5 years lowers it
    from the end of year 3; a 4.5-year commercial life leaves scrap from the end of year 5."""
    d = annual_deal(horizon_years=6, tenor_years=5)
    fleet = {"count": 1000, "unit_cost": 30.0, "mv_decline": 0.2, "next_gen_years": [2.5],
             "next_gen_step": 0.1, "commercial_life_years": 4.5, "scrap_pct": 0.05}  # fmt: skip
    d.add_block("gpu_fleet", fleet, block_id="gpus")
    d.connect("owns", "spv", "gpus")
    c = compile_deal(d)
    cost = 1000 * 30.0 / 1000.0  # USD 30m
    years = np.arange(1, 7)
    value = cost * 0.8**years * np.where(years >= 2.5, 0.9, 1.0)
    value = np.where(years >= 4.5, cost * 0.05, np.maximum(value, cost * 0.05))
    np.testing.assert_allclose(c.level.gpu_value, value, rtol=1e-12)


def test_run_text_says_annual_periods():
    from cli.cmd_run import result_to_text

    text = result_to_text(run_deal(annual_deal()))
    assert "5 annual periods" in text


def test_deal_check_says_how_month_terms_are_rounded():
    """Switching a deal to annual periods: each term in months that is not a whole number of
    years is listed in the deal check with what the engine makes of it."""
    from core.engine.credit_check import credit_findings

    d = annual_deal(tranche={"io_months": 6}, lease={"start_month": 18})
    found = [f for f in credit_findings(run_deal(d)) if f.code == "months_rounded"]
    by_block = {f.blocks: f.message for f in found}
    assert "io_months of 6 months is rounded up to 12 months" in by_block[("senior",)]
    assert (
        "start_month of 18 months falls in the period from month 12 to 24" in by_block[("lease",)]
    )
    assert all(f.severity == "warning" and "annual periods" in f.message for f in found)
    monthly = annual_deal(period="monthly", tranche={"io_months": 6})
    assert not [f for f in credit_findings(run_deal(monthly)) if f.code == "months_rounded"]


def test_construction_months_follow_the_event_rule_in_annual_periods():
    """A completion in month 30 falls in year 3 (index 2): rent starts there (a lease's start
    counts from completion), and the deal check says so."""
    from core.engine.credit_check import credit_findings

    d = annual_deal(horizon_years=8, tenor_years=7)
    d.set_term("spv", "completion_month", 30)
    res = run_deal(d)
    assert res.compiled.level.construction.completion == 2
    rev = res.periods["revenue"].to_numpy()
    assert rev[:2].tolist() == [0.0, 0.0] and rev[2] == pytest.approx(RENT)
    found = [f for f in credit_findings(res) if f.code == "months_rounded"]
    assert any("completion_month of 30 months falls in the period from month 24 to 36" in
               f.message for f in found)  # fmt: skip
