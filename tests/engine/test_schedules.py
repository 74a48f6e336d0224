"""Debt schedules against closed forms and hand-worked numbers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.engine.compile import compile_deal
from core.engine.results import run_deal
from core.engine.schedules import annuity_payment, dsra_target, sculpted_capacity
from tests.engine.deal_builders import simple_deal


def test_annuity_payment_closed_form():
    # 100 at 1% a month over 12 months: the textbook level payment
    assert annuity_payment(100.0, 0.01, 12) == pytest.approx(8.884878867834166, rel=1e-12)
    assert annuity_payment(120.0, 0.0, 12) == pytest.approx(10.0)


@settings(deadline=None, max_examples=40)
@given(
    notional=st.floats(10, 5000),
    coupon=st.floats(0.0, 0.2),
    years=st.integers(1, 8),
    quarterly=st.booleans(),
)
def test_annuity_debt_service_equals_closed_form_payment(notional, coupon, years, quarterly):
    period = "quarterly" if quarterly else "monthly"
    ppy = 4 if quarterly else 12
    deal = simple_deal(
        notional=notional,
        coupon=coupon,
        tenor_years=years,
        horizon_years=years,
        period=period,
        annual_rent=3 * notional,
    )
    r = run_deal(deal)
    pmt = annuity_payment(notional, coupon / ppy, years * ppy)
    df = r.tranches["Senior notes"]
    paid = (df.interest_paid + df.principal_paid).to_numpy()
    np.testing.assert_allclose(paid, pmt, rtol=1e-9)
    assert df.balance.iloc[-1] == pytest.approx(0.0, abs=1e-7)
    assert r.tranche_metrics["yield"].iloc[0] == pytest.approx(coupon, abs=1e-9)


def test_bullet_pays_interest_then_notional():
    r = run_deal(simple_deal(amortisation="bullet", tenor_years=1.0, annual_rent=1300.0))
    df = r.tranches["Senior notes"]
    np.testing.assert_allclose(df.interest_paid, 1.0)  # 100 x 12% / 12
    np.testing.assert_allclose(df.principal_paid.iloc[:-1], 0.0)
    assert df.principal_paid.iloc[-1] == pytest.approx(100.0)


def test_straight_line_after_interest_only_period():
    deal = simple_deal(amortisation="straight_line", tenor_years=1.0, tranche={"io_months": 4})
    df = run_deal(deal).tranches["Senior notes"]
    np.testing.assert_allclose(df.principal_paid.iloc[:4], 0.0)
    np.testing.assert_allclose(df.principal_paid.iloc[4:], 100.0 / 8)


def test_custom_schedule_and_balloon_at_maturity():
    deal = simple_deal(
        amortisation="custom", annual_rent=1300.0, tranche={"custom_schedule": [0.1, 0.2, 0.3]}
    )
    df = run_deal(deal).tranches["Senior notes"]
    np.testing.assert_allclose(df.principal_paid.iloc[:3], [10.0, 20.0, 30.0])
    np.testing.assert_allclose(df.principal_paid.iloc[3:-1], 0.0)
    assert df.principal_paid.iloc[-1] == pytest.approx(40.0)


def _sculpted(rent, escalator, target, coupon, years, io_months=0):
    probe = simple_deal(
        amortisation="sculpted",
        notional=1.0,
        coupon=coupon,
        tenor_years=years,
        horizon_years=years,
        annual_rent=rent,
        lease={"escalator": escalator},
        tranche={"target_dscr": target, "io_months": io_months},
    )
    c = compile_deal(probe)
    cfads = (c.inputs.revenue - c.inputs.opex - c.inputs.fees)[0]
    rate = np.full(len(cfads), coupon / 12)
    size = sculpted_capacity(cfads, rate, target, 0, len(cfads) - 1)
    probe.set_term("senior", "notional", size)
    return probe, size, rate


@settings(deadline=None, max_examples=40)
@given(
    rent=st.floats(20, 2000),
    escalator=st.floats(-0.05, 0.08),
    target=st.floats(1.05, 2.0),
    coupon=st.floats(0.01, 0.15),
    years=st.integers(1, 6),
)
def test_sculpted_debt_has_flat_dscr_and_npv_equal_to_size(rent, escalator, target, coupon, years):
    deal, size, rate = _sculpted(rent, escalator, target, coupon, years)
    r = run_deal(deal)
    np.testing.assert_allclose(r.periods["dscr"], target, rtol=1e-9)
    ds = r.periods["debt_service"].to_numpy()
    npv = np.sum(ds * np.cumprod(1 / (1 + rate)))
    assert npv == pytest.approx(size, rel=1e-9)
    assert r.tranches["Senior notes"].balance.iloc[-1] == pytest.approx(0.0, abs=1e-6 * size)


def test_dsra_target_is_next_periods_debt_service():
    ds = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_allclose(dsra_target(ds, 2), [5.0, 7.0, 9.0, 5.0, 0.0])
