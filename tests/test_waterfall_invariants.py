"""Accounting and priority invariants of the waterfall (compiled kernel), plus worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.engine.arrays import (
    ACCELERATE,
    FLAG_ACCELERATED,
    FLAG_LIQUIDATED,
    FLAG_LOCKUP,
    PKT_FIELDS,
    TRAP,
    EngineInputs,
    EngineOutputs,
)
from core.engine.constants import EPS
from core.engine.kernel import run_waterfall
from tests.inputs_factory import SWITCHES, random_inputs

TOL = 1e-9


# ----------------------------------------------------------------------------- invariants
def _scale(*arrays: np.ndarray) -> np.ndarray:
    return np.maximum(1.0, np.maximum.reduce([np.abs(a) for a in arrays]))


def _unpaid_interest(inp: EngineInputs, o: EngineOutputs) -> np.ndarray:
    """Interest owed (current + arrears) minus interest paid, per path, tranche and period.

    Arrears are rebuilt from the outputs: unpaid interest of a non-PIK tranche is carried to
    the next period; a PIK tranche's is capitalised (and must equal ``o.pik``); both are
    cleared when the path ends (liquidation, a planned sale or the last period).
    """
    P, K, T = o.balance.shape
    pik = inp.pik.astype(bool)
    unpaid = np.zeros((P, K, T))
    arrears = np.zeros((P, K))
    for t in range(T):
        owed = o.interest_due[:, :, t] + arrears
        unpaid[:, :, t] = owed - o.interest_paid[:, :, t]
        np.testing.assert_allclose(
            np.where(pik, unpaid[:, :, t], 0.0), o.pik[:, :, t], rtol=1e-9, atol=TOL
        )
        assert np.all(o.shortfall[:, :, t][:, ~pik] >= unpaid[:, :, t][:, ~pik] - 1e-8)
        arrears = np.where(pik, 0.0, unpaid[:, :, t])
        arrears[(o.flags[:, t] & FLAG_LIQUIDATED) != 0] = 0.0
        # a planned sale winds the SPV up: what is left unpaid is written off (kernel ``last``)
        arrears[np.broadcast_to(inp.proceeds[:, t], (P,)) > EPS] = 0.0
    return unpaid


def check_invariants(inp: EngineInputs, o: EngineOutputs) -> None:
    P, K, T = o.balance.shape
    groups = [(int(inp.group_start[g]), int(inp.group_start[g + 1]))
              for g in range(len(inp.group_start) - 1)]  # fmt: skip

    # cash in = cash out, every path and period
    dsra_open = np.concatenate([np.full((P, 1), inp.dsra_initial), o.dsra_balance[:, :-1]], 1)
    trap_open = np.concatenate([np.zeros((P, 1)), o.trap_balance[:, :-1]], 1)
    cash_in = o.cfads + o.proceeds + o.injection + dsra_open + trap_open
    cash_out = (o.interest_paid.sum(1) + o.principal_paid.sum(1) + o.dsra_balance
                + o.trap_balance + o.distribution)  # fmt: skip
    gap = np.abs(cash_in - cash_out)
    assert np.all(gap <= 1e-8 * _scale(cash_in, cash_out)), f"cash leak {gap.max()}"

    # nothing that is an amount of money held or paid is negative
    for name in ("dsra_balance", "trap_balance", "distribution", "injection", "proceeds"):
        assert np.all(getattr(o, name) >= -TOL), name
    for name in ("balance", "interest_paid", "principal_paid", "pik", "shortfall", "writeoff"):
        assert np.all(getattr(o, name) >= -TOL), name
    assert np.all(o.pik[:, inp.pik == 0, :] == 0.0), "only PIK tranches capitalise"

    unpaid = _unpaid_interest(inp, o)
    unpaid_principal = o.shortfall - np.where(inp.pik.astype(bool)[None, :, None], 0.0, unpaid)
    for g, (s, e) in enumerate(groups):
        owed_g = o.interest_paid[:, s:e].sum(1) + unpaid[:, s:e].sum(1)
        short_int = unpaid[:, s:e].sum(1) > TOL * _scale(owed_g)
        short_prin = unpaid_principal[:, s:e].sum(1) > 1e-8 * _scale(o.balance[:, s:e].sum(1))
        senior_left = (o.balance[:, :e] + o.writeoff[:, :e]).sum(1)  # groups 0..g, pre write-off
        for s2, e2 in groups[g + 1 :]:
            # (a) a senior rank short of interest: no junior rank receives interest
            junior_int = o.interest_paid[:, s2:e2].sum(1)
            assert np.all(junior_int[short_int] <= 2 * TOL), (
                "junior interest paid while senior short"
            )
            # (b) a senior rank short of scheduled principal: a junior rank receives principal
            #     only once every senior rank is repaid (an acceleration sweep)
            junior_prin = o.principal_paid[:, s2:e2].sum(1)
            bad = short_prin & (junior_prin > 2 * TOL) & (senior_left > 1e-8)
            assert not bad.any(), "junior principal paid while a senior rank is short"
    # (c) a shortfall anywhere: nothing for equity
    shortfall_any = o.shortfall.sum(1) > 1e-8 * _scale(o.balance.sum(1))
    assert np.all(o.distribution[shortfall_any] <= 1e-8), "equity paid while a class is short"

    # (d) balance never exceeds notional + PIK capitalised so far
    cap = inp.notional[None, :, None] + np.cumsum(o.pik, axis=2)
    assert np.all(o.balance <= cap * (1 + 1e-12) + TOL)

    # (e) a tranche repaid to exactly zero stays at zero
    zero = o.balance == 0.0
    assert np.all(np.cumsum(~zero[:, :, ::-1], axis=2)[:, :, ::-1][zero] == 0)

    # (f) write-off ends the tranche; after a liquidation everything is zero
    wo_seen = np.cumsum(o.writeoff > 0, axis=2) > 0
    assert np.all(o.balance[wo_seen] == 0.0)
    liq = (o.flags & FLAG_LIQUIDATED) != 0
    assert np.all(liq.sum(1) <= 1), "liquidated at most once"
    after = np.cumsum(liq, axis=1) - liq > 0  # strictly after the liquidation period
    for name in ("cfads", "tax", "debt_service", "proceeds", "injection", "dsra_balance",
                 "trap_balance", "distribution"):  # fmt: skip
        assert np.all(getattr(o, name)[after] == 0.0), name
    assert np.all(o.flags[after] == 0)
    for name in PKT_FIELDS:
        assert np.all(getattr(o, name).transpose(0, 2, 1)[after] == 0.0), name
    # in the last period (or at liquidation) nothing is left outstanding
    assert np.all(o.balance[:, :, -1] == 0.0)


@st.composite
def deals(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    n_paths = draw(st.integers(1, 6))
    n_tranches = draw(st.integers(1, 6))
    n_periods = draw(st.integers(1, 40))
    switches = {name: draw(st.booleans()) | (draw(st.integers(0, 2)) > 0) for name in SWITCHES}
    rng = np.random.default_rng(seed)
    return random_inputs(rng, n_paths, n_tranches, n_periods, **switches)


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(deals())
def test_invariants_hold(inp):
    check_invariants(inp, run_waterfall(inp))


@pytest.mark.parametrize("seed", range(60))
def test_invariants_hold_on_many_paths(seed):
    rng = np.random.default_rng(123_000 + seed)
    inp = random_inputs(rng, 64, None, int(rng.integers(12, 90)))
    check_invariants(inp, run_waterfall(inp))


@pytest.mark.parametrize("ppy", [12, 4, 1])
@pytest.mark.parametrize("seed", range(20))
def test_invariants_hold_in_each_period_length(seed, ppy):
    """Monthly, quarterly and annual year fractions and debt-service levels (issue #12)."""
    rng = np.random.default_rng(456_000 + seed)
    inp = random_inputs(rng, 16, None, int(rng.integers(3, 40)), ppy=ppy)
    check_invariants(inp, run_waterfall(inp))


# ----------------------------------------------------------------------------- worked cases
def _deal(T: int, **kw) -> EngineInputs:
    """One fixed-rate tranche of 100, monthly 30/360, no covenants; ``kw`` overrides."""
    zeros = np.zeros((1, T))
    base = dict(
        revenue=np.full((1, T), 50.0),
        opex=zeros,
        fees=zeros,
        proceeds=zeros,
        asset_value=np.full((1, T), 1000.0),
        liquidation_value=zeros,
        crypto_value=zeros,
        base_rate=zeros,
        depreciation=np.zeros(T),
        dsra_target=np.zeros(T),
        fixed_rate=np.array([0.06]),
        spread=np.zeros(1),
        floating=np.zeros(1, np.int32),
        year_fraction=np.full((1, T), 1 / 12),
        notional=np.array([100.0]),
        scheduled_principal=np.zeros((1, T)),
        maturity=np.array([T - 1], np.int32),
        sweep_pct=np.zeros(1),
        pik=np.zeros(1, np.int32),
        group_start=np.array([0, 1], np.int32),
    )
    base.update(kw)
    return EngineInputs(**base)


def test_annuity_pays_the_closed_form_level_payment():
    T, N, r = 24, 100.0, 0.06 / 12
    level = N * r / (1 - (1 + r) ** -T)
    t = np.arange(T)
    sched = level * (1 + r) ** -(T - t)  # principal part of payment t+1
    o = run_waterfall(_deal(T, scheduled_principal=sched[None, :]))
    paid = o.interest_paid[0, 0] + o.principal_paid[0, 0]
    np.testing.assert_allclose(paid, level, rtol=1e-10)
    closing = N * ((1 + r) ** T - (1 + r) ** (t + 1)) / ((1 + r) ** T - 1)
    np.testing.assert_allclose(o.balance[0, 0], closing, atol=1e-9)
    np.testing.assert_allclose(o.distribution[0], 50.0 - level, rtol=1e-10)
    assert np.all(o.shortfall == 0.0) and np.all(o.writeoff <= 1e-9)
    np.testing.assert_allclose(o.dscr[0], 50.0 / level, rtol=1e-10)
    check_invariants(_deal(T, scheduled_principal=sched[None, :]), o)


def test_bullet_pays_interest_then_the_notional_at_maturity():
    T, m = 24, 11
    revenue = np.full((1, T), 50.0)
    revenue[0, m] = 150.0
    inp = _deal(T, revenue=revenue, maturity=np.array([m], np.int32))
    o = run_waterfall(inp)
    np.testing.assert_allclose(o.interest_paid[0, 0, : m + 1], 100.0 * 0.06 / 12, rtol=1e-12)
    assert np.all(o.principal_paid[0, 0, :m] == 0.0)
    assert o.principal_paid[0, 0, m] == 100.0
    assert np.all(o.balance[0, 0, m:] == 0.0) and np.all(o.interest_paid[0, 0, m + 1 :] == 0.0)
    check_invariants(inp, o)


def test_pik_with_no_cash_capitalises_balance_times_rate_times_year_fraction():
    T, rate, yf = 12, 0.10, 0.25
    inp = _deal(
        T,
        revenue=np.zeros((1, T)),
        fixed_rate=np.array([rate]),
        year_fraction=np.full((1, T), yf),
        maturity=np.array([T + 5], np.int32),
        pik=np.ones(1, np.int32),
    )
    o = run_waterfall(inp)
    opening = np.concatenate([[100.0], o.balance[0, 0, :-1]])
    np.testing.assert_allclose(o.pik[0, 0, :-1], opening[:-1] * rate * yf, rtol=1e-12)
    np.testing.assert_allclose(o.balance[0, 0, :-1], 100.0 * (1 + rate * yf) ** np.arange(1, T))
    assert np.all(o.interest_paid == 0.0) and np.all(o.injection == 0.0)
    assert np.all(o.shortfall[0, 0, :-1] == 0.0)  # capitalised interest is not a shortfall
    # last period: everything falls due, nothing is paid, all of it is written off
    np.testing.assert_allclose(o.writeoff[0, 0, -1], 100.0 * (1 + rate * yf) ** T, rtol=1e-12)
    check_invariants(inp, o)


def test_dsra_covers_a_one_period_revenue_hole_exactly():
    T, interest = 12, 100.0 * 0.06 / 12
    revenue = np.full((1, T), 10.0)
    revenue[0, 5] = 0.0
    revenue[0, -1] = 200.0  # enough to repay the bullet at the end
    inp = _deal(
        T,
        revenue=revenue,
        dsra_target=np.full(T, interest),
        dsra_initial=interest,
        maturity=np.array([T + 3], np.int32),
    )
    o = run_waterfall(inp)
    np.testing.assert_allclose(o.interest_paid[0, 0], interest, rtol=1e-12)
    assert np.all(o.shortfall == 0.0) and np.all(o.injection == 0.0)
    np.testing.assert_allclose(o.dsra_balance[0, :5], interest)
    assert o.dsra_balance[0, 5] == 0.0 and o.distribution[0, 5] == 0.0  # drawn, not refilled
    np.testing.assert_allclose(o.dsra_balance[0, 6], interest)  # topped up next period
    np.testing.assert_allclose(o.distribution[0, 6], 10.0 - 2 * interest, rtol=1e-12)
    np.testing.assert_allclose(o.distribution[0, :5], 10.0 - interest, rtol=1e-12)
    check_invariants(inp, o)


def test_lockup_traps_cash_and_releases_it_when_the_dscr_recovers():
    T, interest = 10, 100.0 * 0.06 / 12  # 0.5 a month, interest only
    revenue = np.full((1, T), 1.0)  # DSCR 2.0
    revenue[0, 3:5] = 0.55  # DSCR 1.1 < 1.2: lock-up, but the debt is still paid
    revenue[0, -1] = 200.0
    inp = _deal(
        T,
        revenue=revenue,
        maturity=np.array([T + 3], np.int32),
        lockup_dscr=1.2,
        lockup_action=TRAP,
        lookback=1,
    )
    o = run_waterfall(inp)
    lock = (o.flags[0] & FLAG_LOCKUP) != 0
    assert lock.tolist() == [t in (3, 4) for t in range(T)]
    np.testing.assert_allclose(o.trap_balance[0, 3], 0.05, rtol=1e-12)
    np.testing.assert_allclose(o.trap_balance[0, 4], 0.10, rtol=1e-12)
    assert o.distribution[0, 3] == 0.0 and o.distribution[0, 4] == 0.0
    assert o.trap_balance[0, 5] == 0.0
    np.testing.assert_allclose(o.distribution[0, 5], 0.5 + 0.10, rtol=1e-12)
    np.testing.assert_allclose(o.interest_paid[0, 0, :-1], interest, rtol=1e-12)
    check_invariants(inp, o)


def test_acceleration_liquidates_after_the_lag_and_writes_off_the_rest():
    T, lag = 10, 2
    revenue = np.full((1, T), 5.0)
    revenue[0, 3:] = 0.5  # interest is 1.0 a month: DSCR 0.5, interest in arrears
    inp = _deal(
        T,
        revenue=revenue,
        fixed_rate=np.array([0.12]),
        liquidation_value=np.full((1, T), 60.0),
        maturity=np.array([T + 3], np.int32),
        default_dscr=1.0,
        default_action=ACCELERATE,
        liquidation_lag=lag,
        lookback=1,
    )
    o = run_waterfall(inp)
    accel = (o.flags[0] & FLAG_ACCELERATED) != 0
    liq = (o.flags[0] & FLAG_LIQUIDATED) != 0
    assert accel.tolist() == [t in (3, 4) for t in range(T)]
    assert liq.tolist() == [t == 3 + lag for t in range(T)]
    np.testing.assert_allclose(o.interest_paid[0, 0, 3:5], 0.5)
    np.testing.assert_allclose(o.shortfall[0, 0, 3:5], [0.5, 1.0])
    # liquidation: 60 + 0.5 cash pays the 2.0 of interest owed, 58.5 prepays principal
    np.testing.assert_allclose(o.proceeds[0, 5], 60.0)
    np.testing.assert_allclose(o.interest_paid[0, 0, 5], 2.0)
    np.testing.assert_allclose(o.principal_paid[0, 0, 5], 58.5)
    np.testing.assert_allclose(o.writeoff[0, 0, 5], 100.0 - 58.5)
    assert np.all(o.balance[0, 0, 5:] == 0.0)
    assert np.all(o.distribution[0] == np.where(np.arange(T) < 3, 5.0 - 1.0, 0.0))
    assert np.all(o.cfads[0, 6:] == 0.0) and np.all(o.flags[0, 6:] == 0)
    check_invariants(inp, o)


def test_trapped_cash_never_reaches_equity_while_a_class_is_short():
    """Regression for the spec fix: an acceleration sweep that repays all principal from the
    lock-up account used to pay the rest to equity although interest was still in arrears."""
    T = 8
    revenue = np.full((1, T), 0.9)  # DSCR 1.8 on 0.5 interest: below the 2.0 lock-up
    revenue[0, 4] = 0.2  # short of interest: payment default, acceleration
    inp = _deal(
        T,
        revenue=revenue,
        notional=np.array([1.0]),
        fixed_rate=np.array([6.0]),  # 0.5 a month on 1.0
        maturity=np.array([T + 3], np.int32),
        lockup_dscr=2.0,
        lockup_action=TRAP,
        default_action=ACCELERATE,
        liquidation_lag=3,
    )
    o = run_waterfall(inp)
    np.testing.assert_allclose(o.trap_balance[0, 3], 1.6)  # 4 x 0.4 trapped
    assert o.shortfall[0, 0, 4] > 0.29  # 0.3 of interest in arrears
    np.testing.assert_allclose(o.principal_paid[0, 0, 4], 1.0)  # trap repays all principal
    assert o.distribution[0, 4] == 0.0  # the old spec paid the remaining 0.6 to equity
    np.testing.assert_allclose(o.trap_balance[0, 4], 0.6)  # held instead
    np.testing.assert_allclose(o.interest_paid[0, 0, 5], 0.3)  # arrears paid next period
    check_invariants(inp, o)
