"""Each convention docs/engine.md states ("Conventions"), checked against the engine with a case
worked by hand (issue #12: the conventions the engine follows must be written and true)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from core.engine.results import run_deal
from tests.engine.deal_builders import simple_deal

N = 100.0


def _deal(**kw):
    d = simple_deal(**kw)
    d.set_term("spv", "tax_rate", 0.0)
    return d


def _days(closing: dt.date, months: int) -> np.ndarray:
    """Days in each month from ``closing`` (the 1st), by the calendar."""
    out, day = [], closing
    for _ in range(months):
        nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        out.append((nxt - day).days)
        day = nxt
    return np.array(out, dtype=float)


def test_year_fractions_30_360_and_act_360():
    """30/360: months / 12; ACT/360: actual days / 360 (here on bullet interest)."""
    for day_count in ("30/360", "ACT/360"):
        res = run_deal(_deal(notional=N, coupon=0.09, amortisation="bullet", tenor_years=1,
                             horizon_years=1, tranche={"day_count": day_count}))  # fmt: skip
        got = res.tranches["Senior notes"]["interest_due"].to_numpy()
        closing = res.compiled.timeline.closing
        yf = np.full(12, 1 / 12) if day_count == "30/360" else _days(closing, 12) / 360.0
        np.testing.assert_allclose(got, N * 0.09 * yf, rtol=1e-12)


def test_act_360_annuity_payment_uses_the_first_amortising_period_rate():
    """The level payment is the closed form on the first period's rate (31 days of January at
    9% ACT/360); interest is then each month's own days, so debt service is not level."""
    res = run_deal(_deal(notional=N, coupon=0.09, tenor_years=1, horizon_years=1,
                         tranche={"day_count": "ACT/360"}))  # fmt: skip
    days = _days(res.compiled.timeline.closing, 12)
    r0 = 0.09 * days[0] / 360.0
    pmt = N * r0 / (1 - (1 + r0) ** -12)
    sched = res.compiled.inputs.scheduled_principal[0]
    bal, principal, service = N, [], []
    for t in range(12):
        p = pmt - bal * r0 if t < 11 else bal  # scheduled: payment less the first rate
        interest = bal * 0.09 * days[t] / 360.0  # charged at the period's own days
        principal.append(p)
        service.append(p + interest)
        bal -= p
    np.testing.assert_allclose(sched, principal, rtol=1e-10, atol=1e-12)
    ds = res.periods["debt_service"].to_numpy()
    np.testing.assert_allclose(ds, service, rtol=1e-10)
    assert ds.max() - ds.min() > 0.01  # not level: February's 28 days against 31


def test_opex_escalates_on_closing_anniversaries_rent_on_the_lease_s_own():
    """A lease starting in month 6 escalates in month 18, 30, ...; costs in month 12, 24.
    (A zero-coupon bullet repaid in month 30 from rent: nothing is due before the rent.)"""
    lease = {"start_month": 6, "escalator": 0.10, "term_years": 2}
    d = _deal(notional=1.0, coupon=0.0, amortisation="bullet", tenor_years=2.5, horizon_years=3,
              annual_rent=120.0, lease=lease)  # fmt: skip
    d.add_block("opex", {"maintenance": 12.0, "escalator": 0.05}, block_id="ox")
    d.connect("applies_to", "ox", "spv")
    p = run_deal(d).periods
    months = np.arange(36)
    rent = np.where((months >= 6) & (months < 30), 10.0 * 1.10 ** ((months - 6) // 12), 0.0)
    np.testing.assert_allclose(p["revenue"].to_numpy(), rent, rtol=1e-12)
    # costs run until operations stop when the lease ends (month 30, assets sold)
    opex = np.where(months < 30, 1.0 * 1.05 ** (months // 12), 0.0)
    np.testing.assert_allclose(p["opex"].to_numpy(), opex, rtol=1e-12)


def _bisect(cf: np.ndarray) -> float:
    def npv(r: float) -> float:
        return sum(float(c) / (1 + r) ** i for i, c in enumerate(cf))

    lo, hi = -0.5, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if (npv(mid) > 0) == (npv(lo) > 0) else (lo, mid)
    return 0.5 * (lo + hi)


def test_equity_irr_is_effective_annual_on_the_full_amount_invested():
    """-equity at closing (all of it, though sources exceed uses: the excess distributed at
    close is not in the flows) and distributions less injections, made (1 + r)^ppy - 1."""
    for period, ppy in (("monthly", 12), ("quarterly", 4), ("annual", 1)):
        d = _deal(notional=N, coupon=0.08, tenor_years=4, horizon_years=5, annual_rent=40.0,
                  period=period)  # fmt: skip
        d.set_term("eq", "amount", 30.0)
        res = run_deal(d)
        # no assets: sources (130) exceed uses, and the flows still start at -30
        assert sum(res.sources.values()) > sum(v for k, v in res.uses.items() if "close" not in k)
        out = res.outputs
        flows = np.concatenate([[-30.0], out.distribution[0] - out.injection[0]])
        np.testing.assert_allclose(res.equity_flows.sum(axis=1).to_numpy(), flows, rtol=1e-12)
        assert res.metrics["equity_irr"] == pytest.approx((1 + _bisect(flows)) ** ppy - 1, rel=1e-9)


def test_tranche_yield_is_the_nominal_periodic_irr_times_periods_a_year():
    """A bond bought at par yields its coupon in every period length (nominal, not effective:
    the effective rate of a 6% monthly annuity would be 6.17%)."""
    for period in ("monthly", "quarterly", "annual"):
        res = run_deal(_deal(notional=N, coupon=0.06, tenor_years=5, horizon_years=5,
                             annual_rent=40.0, period=period))  # fmt: skip
        assert res.tranche_metrics["yield"].iloc[0] == pytest.approx(0.06, abs=1e-10)
