"""Timeline, asset curves and lease cash against hand-worked numbers."""

import datetime as dt

import numpy as np
import pytest

from core.engine import assets
from core.engine.results import run_deal
from core.engine.timeline import add_months, timeline_for
from tests.engine.deal_builders import simple_deal


def test_add_months_clamps_to_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


def test_day_count_fractions():
    tl = timeline_for("2026-01-01", "monthly", 1.0)
    assert tl.n_periods == 12
    np.testing.assert_allclose(tl.year_fraction("30/360"), 1 / 12)
    act = tl.year_fraction("ACT/360")
    assert act[0] == pytest.approx(31 / 360)  # January
    assert act[1] == pytest.approx(28 / 360)  # February 2026
    assert act.sum() == pytest.approx(365 / 360)


def test_book_value_methods():
    years = np.array([1.0, 2.5, 5.0, 6.0])
    np.testing.assert_allclose(assets.book_value(100, years, "straight_line", 5.0), [80, 50, 0, 0])
    db = assets.book_value(100, years, "declining_balance", 5.0, salvage_pct=0.05, factor=2.0)
    np.testing.assert_allclose(db[:2], [60.0, 100 * 0.6**2.5])
    np.testing.assert_allclose(db[2:], 5.0)
    custom = assets.book_value(100, np.array([0.5, 1.0, 3.0]), "custom", 5.0, custom=[0.7, 0.4])
    np.testing.assert_allclose(custom, [85.0, 70.0, 40.0])
    np.testing.assert_allclose(assets.depreciation(100, np.array([80.0, 50.0])), [20.0, 30.0])


def test_gpu_market_value_steps_and_scrap():
    years = np.array([0.5, 1.0, 2.0, 3.5, 4.0])
    mv = assets.gpu_market_value(100, years, 0.2, [1.0, 3.0], 0.15, 4.0, 0.05)
    expect = [100 * 0.8**0.5, 100 * 0.8 * 0.85, 100 * 0.64 * 0.85, 100 * 0.8**3.5 * 0.85**2, 5.0]
    np.testing.assert_allclose(mv, expect)


def test_renewal_reprices_at_lower_of_expiring_and_market_rent():
    deal = simple_deal(
        annual_rent=120.0,
        horizon_years=2.0,
        tenor_years=2.0,
        lease={
            "term_years": 1.0,
            "renewal_options": 1,
            "renewals_exercised": 1,
            "market_rent_decline": 0.2,
            "renewal_rent_pct": 1.0,
        },
    )
    revenue = run_deal(deal).periods["revenue"].to_numpy()
    np.testing.assert_allclose(revenue[:12], 10.0)
    np.testing.assert_allclose(revenue[12:], 10.0 * 0.8)  # market fell 20% in a year


def test_termination_fee_and_tenant_default_with_capped_backstop():
    deal = simple_deal(
        annual_rent=120.0,
        horizon_years=1.0,
        lease={"termination_month": 6, "termination_fee": 25.0},
    )
    revenue = run_deal(deal).periods["revenue"].to_numpy()
    np.testing.assert_allclose(revenue[:6], 10.0)
    assert revenue[6] == pytest.approx(25.0)
    np.testing.assert_allclose(revenue[7:], 0.0)

    deal = simple_deal(annual_rent=120.0, horizon_years=1.0, lease={"tenant_default_month": 4})
    deal.add_block("sponsor", {"name": "Backstop provider"}, block_id="g_sp")
    deal.add_block("guarantee", {"guarantee_type": "backstop", "cap": 35.0}, block_id="bs")
    deal.connect("guarantees", "g_sp", "bs")
    deal.connect("guarantees", "bs", "lease")
    revenue = run_deal(deal).periods["revenue"].to_numpy()
    np.testing.assert_allclose(revenue[:4], 10.0)  # tenant pays
    np.testing.assert_allclose(revenue[4:7], 10.0)  # backstop pays 30 of its 35 cap
    assert revenue[7] == pytest.approx(5.0)  # the last 5 of the cap
    np.testing.assert_allclose(revenue[8:], 0.0)


def test_gpu_hour_rent_with_take_or_pay():
    deal = simple_deal(
        notional=1.0,
        lease={
            "rent_basis": "gpu_hour",
            "price_per_gpu_hour": 2.0,
            "gpus": 1000,
            "utilisation": 0.5,
            "take_or_pay": 0.8,
        },
    )
    revenue = run_deal(deal).periods["revenue"].to_numpy()
    np.testing.assert_allclose(revenue, 2.0 * 1000 * 8760 / 12 * 0.8 / 1e6)
