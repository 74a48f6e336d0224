"""IRR on long deals whose flows end in zeros (issue #12 defect): the bracket's low end used to
underflow ((1 - 0.99)^162 = 0, then 0 / 0) and the IRR came back null."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine import metrics as m


def _npv(cf: np.ndarray, r: float) -> float:
    """NPV by a plain Python sum (an independent formula, fine at the root's rate)."""
    return sum(float(c) / (1.0 + r) ** i for i, c in enumerate(cf))


def test_equity_flows_of_a_180_month_deal_ending_in_zeros():
    """-100 at close, 12 a month for 168 months (a lease ending in year 14), then 12 zero months."""
    cf = np.concatenate([[-100.0], np.full(168, 12.0), np.zeros(11)])
    assert len(cf) == 180
    r = float(m.irr(cf)[0])
    assert np.isfinite(r)
    assert _npv(cf, r) == pytest.approx(0.0, abs=1e-8)
    # the perpetuity bound: 12 / 100 a month is the IRR of an endless stream, a bit above ours
    assert 0.1199 < r < 0.12


def test_par_annuity_yield_is_its_coupon_on_a_long_horizon():
    """A 6% 30/360 monthly annuity of 100 over 15 years, in a 20-year horizon: bought at par,
    its yield is the coupon, 0.5% a month (6.00% nominal)."""
    rate, n = 0.06 / 12, 180
    pmt = 100 * rate / (1 - (1 + rate) ** -n)
    cf = np.concatenate([[-100.0], np.full(n, pmt), np.zeros(60)])
    r = float(m.irr(cf)[0])
    assert r == pytest.approx(rate, abs=1e-12)
    assert float(m.annualise(np.array(r), 12, effective=False)) == pytest.approx(0.06, abs=1e-10)


def test_rows_of_different_lengths_of_trailing_zeros_and_no_sign_change():
    rows = np.zeros((3, 200))
    rows[0, 0], rows[0, 1:50] = -100.0, 3.0
    rows[1, 0], rows[1, 1:190] = -100.0, 1.0
    rows[2, :10] = 5.0  # never negative: no IRR
    r = m.irr(rows)
    assert np.isnan(r[2])
    for k in (0, 1):
        assert _npv(rows[k], float(r[k])) == pytest.approx(0.0, abs=1e-8)
