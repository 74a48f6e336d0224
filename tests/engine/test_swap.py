"""The interest-rate swap step: net settlement ahead of interest, breakage on termination."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.arrays import FLAG_ACCELERATED, EngineInputs
from core.engine.kernel import run_waterfall
from tests.inputs_factory import random_inputs

T = 12


def _deal(base: float, fixed: float, revenue: float = 5.0, notional: float = 100.0):
    """One floating bullet tranche (base + 2%) of 100 over 12 monthly periods, hedged 100%
    by a swap paying ``fixed`` against the base rate; revenue ``revenue`` a period."""
    z = np.zeros((1, T))
    yf = np.full(T, 1 / 12)
    return EngineInputs(
        revenue=np.full((1, T), revenue),
        opex=z,
        fees=z,
        proceeds=z,
        asset_value=np.full((1, T), 200.0),
        liquidation_value=np.full((1, T), 150.0),
        crypto_value=z,
        base_rate=np.full((1, T), base),
        depreciation=np.zeros(T),
        dsra_target=np.zeros(T),
        fixed_rate=np.zeros(1),
        spread=np.array([0.02]),
        floating=np.ones(1, dtype=np.int32),
        year_fraction=yf[None, :],
        notional=np.array([notional]),
        scheduled_principal=np.zeros((1, T)),
        maturity=np.array([T - 1], dtype=np.int32),
        sweep_pct=np.zeros(1),
        pik=np.zeros(1, dtype=np.int32),
        group_start=np.array([0, 1], dtype=np.int32),
        liquidation_lag=2,
        swap_float_accrual=notional * yf,
        swap_fixed_leg=notional * fixed * yf,
        period_years=1 / 12,
    )


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_net_settlement_by_hand(engine):
    """Base 5%, fixed 4% on 100: the SPV receives 100 x 1% / 12 = 0.08333 a month, and its
    debt service is the tranche's interest (100 x 7% / 12) less that receipt."""
    out = run_waterfall(_deal(0.05, 0.04), engine=engine)
    np.testing.assert_allclose(out.swap_cash[0], 100 * 0.01 / 12)
    interest = 100 * 0.07 / 12
    np.testing.assert_allclose(out.debt_service[0, :-1], interest - 100 * 0.01 / 12)
    np.testing.assert_allclose(out.distribution[0, :-1], 5.0 - interest + 100 * 0.01 / 12)
    assert not out.swap_breakage.any() and not out.swap_writeoff.any()


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_a_payer_swap_costs_cash_when_rates_fall(engine):
    """Base 3%, fixed 4%: the SPV pays 100 x 1% / 12 a month ahead of the debt; DSCR falls."""
    hedged = run_waterfall(_deal(0.03, 0.04), engine=engine)
    np.testing.assert_allclose(hedged.swap_cash[0], -100 * 0.01 / 12)
    np.testing.assert_allclose(hedged.dscr[0, :-1], 5.0 / (100 * 0.05 / 12 + 100 * 0.01 / 12))


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_breakage_after_an_acceleration_by_hand(engine):
    """Revenue 0.1 a month cannot pay 0.42 of interest: a payment default in month 1
    accelerates; in month 2 the swap is terminated at the value of its 11 remaining
    settlements at the 3% base rate, discounted monthly at 3%: the SPV owes
    sum_{n=1..11} 100 x (3% - 4%) / 12 / (1 + 3%/12)^n, paid ahead of the debt."""
    out = run_waterfall(_deal(0.03, 0.04, revenue=0.1), engine=engine)
    accelerated = np.flatnonzero(out.flags[0] & FLAG_ACCELERATED)
    assert accelerated[0] == 0
    leg = 100 * (0.03 - 0.04) / 12
    want = sum(leg / (1 + 0.03 / 12) ** n for n in range(1, 12))
    assert out.swap_breakage[0, 1] == pytest.approx(want, rel=1e-12)
    assert not out.swap_breakage[0, 2:].any()
    # no regular settlement after the termination
    assert out.swap_cash[0, 2:].max() <= 0 and out.swap_arrears[0, -1] == 0
    # the sale at the end of the 2-month lag pays the swap arrears before the debt
    sold = 2  # accelerated in month 1, sold after the 2-month lag
    owed_before_sale = out.swap_arrears[0, sold - 1]
    assert owed_before_sale > 0
    assert out.swap_cash[0, sold] == pytest.approx(-owed_before_sale, rel=1e-12)
    assert out.swap_writeoff[0].sum() == 0.0


def test_cash_is_conserved_with_swaps_on_random_deals():
    """Every period: CFADS + proceeds + released reserves + injection + swap cash = interest +
    principal + reserve and lock-up movements + distribution; kernel = reference."""
    for seed in range(30):
        rng = np.random.default_rng(seed)
        inp = random_inputs(rng, n_paths=3)
        n = inp.n_periods
        notional = rng.uniform(0, 200) * rng.uniform(0.3, 1.0, n)
        inp.swap_float_accrual = notional / 12
        inp.swap_fixed_leg = notional * rng.uniform(0.0, 0.08) / 12
        inp.period_years = 1 / 12
        got = run_waterfall(inp)
        want = run_waterfall(inp, engine="reference")
        for name in ("swap_cash", "swap_breakage", "swap_arrears", "swap_writeoff", "dscr",
                     "distribution", "balance", "writeoff"):  # fmt: skip
            np.testing.assert_allclose(
                getattr(got, name), getattr(want, name), rtol=1e-9, atol=1e-9, err_msg=name
            )
        o = got
        dsra_prev = np.concatenate(
            [np.full((o.dsra_balance.shape[0], 1), inp.dsra_initial), o.dsra_balance[:, :-1]],
            axis=1,
        )
        trap_prev = np.concatenate(
            [np.zeros((o.trap_balance.shape[0], 1)), o.trap_balance[:, :-1]], axis=1
        )
        cash_in = o.cfads + o.proceeds + o.injection + o.swap_cash
        cash_out = (
            o.interest_paid.sum(axis=1)
            + o.principal_paid.sum(axis=1)
            + (o.dsra_balance - dsra_prev)
            + (o.trap_balance - trap_prev)
            + o.distribution
        )
        np.testing.assert_allclose(cash_in, cash_out, atol=1e-7, err_msg=f"seed {seed}")
