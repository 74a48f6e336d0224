"""Refinancing of a balloon at maturity (issue #12; docs/engine.md, "Refinancing"): hand-worked
cases on the kernel and its NumPy reference, the sample deal, stresses and break-evens."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.arrays import (
    ACCELERATE,
    FLAG_ACCELERATED,
    FLAG_LIQUIDATED,
    FLAG_PAYMENT_DEFAULT,
    EngineInputs,
)
from core.engine.kernel import run_waterfall

T, M = 12, 4  # periods; the bullet's maturity


def _inputs(revenue: float, value: float, advance: float, cut: float = 0.0, **kw) -> EngineInputs:
    """One zero-coupon bullet of 100 due in period M, refinanced into a bullet due in period
    10 at an advance on the collateral's market value ``value``; no costs, no tax, no DSRA."""
    row = lambda v: np.full((1, T), float(v))  # noqa: E731
    base = dict(
        revenue=row(revenue),
        opex=row(0),
        fees=row(0),
        proceeds=row(0),
        asset_value=row(value),
        liquidation_value=row(kw.pop("liquidation", 30.0)),
        crypto_value=row(0),
        base_rate=row(0),
        depreciation=np.zeros(T),
        dsra_target=np.zeros(T),
        fixed_rate=np.zeros(1),
        spread=np.zeros(1),
        floating=np.zeros(1, np.int32),
        year_fraction=np.full((1, T), 0.25),
        notional=np.array([100.0]),
        scheduled_principal=np.zeros((1, T)),
        maturity=np.array([M], np.int32),
        sweep_pct=np.zeros(1),
        pik=np.zeros(1, np.int32),
        group_start=np.array([0, 1], np.int32),
        default_action=ACCELERATE,
        liquidation_lag=1,
        refi_on=np.array([1], np.int32),
        refi_maturity=np.array([10], np.int32),
        refi_spread=np.zeros(1),
        refi_advance=np.array([advance]),
        refi_dscr=np.zeros(1),
        refi_schedule=np.zeros((1, T)),
        refi_advance_cut=row(cut),
    )
    base.update(kw)
    return EngineInputs(**base)


def _both(inp: EngineInputs):
    return run_waterfall(inp, engine="cython"), run_waterfall(inp, engine="reference")


@pytest.mark.parametrize("engine", [0, 1])
def test_bullet_refinanced_at_advance_times_value_rest_paid_from_cash(engine):
    # advance 50% of a market value of 120: 60 refinanced, the other 40 paid from the
    # period's cash (revenue 70), no default; the 60 is due at the new maturity
    out = _both(_inputs(revenue=70.0, value=120.0, advance=0.5))[engine]
    assert out.refinanced[0, M] == pytest.approx(60.0)  # min(balloon 100, 0.5 x 120)
    assert out.principal_paid[0, 0, M] == pytest.approx(40.0)
    assert out.balance[0, 0, M] == pytest.approx(60.0)
    assert out.shortfall[0, 0, M] == 0.0
    assert not (out.flags[0] & FLAG_PAYMENT_DEFAULT).any()
    assert out.principal_paid[0, 0, 10] == pytest.approx(60.0)  # the new bullet
    assert out.writeoff.sum() == 0.0
    # cash in = cash out every period: CFADS = principal + distributions (no interest)
    np.testing.assert_allclose(
        out.cfads[0], out.principal_paid[0, 0] + out.distribution[0] + out.trap_balance[0]
    )


@pytest.mark.parametrize("engine", [0, 1])
def test_balloon_above_advance_is_capped_by_the_balloon(engine):
    out = _both(_inputs(revenue=50.0, value=400.0, advance=0.5))[engine]
    assert out.refinanced[0, M] == pytest.approx(100.0)  # min(100, 0.5 x 400)
    assert out.principal_paid[0, 0, M] == 0.0


@pytest.mark.parametrize("engine", [0, 1])
def test_shortfall_not_covered_is_a_payment_default(engine):
    # 60 refinanced, 40 due with 10 of cash: a payment default of 30 at maturity
    out = _both(_inputs(revenue=10.0, value=120.0, advance=0.5))[engine]
    assert out.refinanced[0, M] == pytest.approx(60.0)
    assert out.shortfall[0, 0, M] == pytest.approx(30.0)
    assert out.flags[0, M] & FLAG_PAYMENT_DEFAULT


@pytest.mark.parametrize("engine", [0, 1])
def test_market_shut_balloon_loss_is_balloon_less_recovery(engine):
    # the market is shut at maturity (cut 1): the whole 100 is due; the period's cash (10)
    # pays 10, the payment default accelerates, the collateral is sold a period later at its
    # liquidation value (30) with that period's cash (10): loss = 100 - 10 - 10 - 30 = 50
    out = _both(_inputs(revenue=10.0, value=120.0, advance=0.5, cut=1.0))[engine]
    assert out.refinanced.sum() == 0.0
    assert out.flags[0, M] & FLAG_PAYMENT_DEFAULT and out.flags[0, M] & FLAG_ACCELERATED
    assert out.flags[0, M + 1] & FLAG_LIQUIDATED
    assert out.writeoff.sum() == pytest.approx(100.0 - 10.0 - 10.0 - 30.0)


@pytest.mark.parametrize("engine", [0, 1])
def test_lower_maximum_advance_caps_the_advance(engine):
    # the market lends at most 1 - 0.8 = 20% of 120 = 24, below the tranche's own 50%
    out = _both(_inputs(revenue=100.0, value=120.0, advance=0.5, cut=0.8))[engine]
    assert out.refinanced[0, M] == pytest.approx(24.0)


@pytest.mark.parametrize("engine", [0, 1])
def test_dscr_test_sizes_the_new_tranche(engine):
    # DSCR-only sizing, new tranche at 8% (spread, base 0) amortising 1/6 a period over
    # periods 5-10 on contracted CFADS 12: per unit, debt service in period u is
    # out_u x 0.08 x 0.25 + 1/6; the tightest is the first (out 1): R = 12 / (1.25 x (0.02 +
    # 1/6))
    sched = np.zeros((1, T))
    sched[0, M + 1 : 11] = 1.0 / 6.0
    inp = _inputs(
        revenue=40.0,  # pays the 80 - 51.43 left of the balloon in cash
        value=0.0,
        advance=0.0,
        refi_dscr=np.array([1.25]),
        refi_spread=np.array([0.08]),
        refi_schedule=sched,
        refi_cfads=np.full(T, 12.0),  # the base case's contracted CFADS
        refi_revenue=np.full(T, 40.0),  # ... and revenue: the path's is the same (scale 1)
        notional=np.array([80.0]),
    )
    out = _both(inp)[engine]
    want = 12.0 / (1.25 * (0.02 + 1.0 / 6.0))  # 51.43, below the balloon of 80: it binds
    assert want < 80.0
    assert out.refinanced[0, M] == pytest.approx(want)
    assert out.principal_paid[0, 0, M] == pytest.approx(80.0 - want)  # the rest, from cash
    # the new tranche pays 8% on its balance and its schedule: period M + 1
    assert out.interest_due[0, 0, M + 1] == pytest.approx(want * 0.08 * 0.25)
    assert out.principal_paid[0, 0, M + 1] == pytest.approx(want / 6.0)


@pytest.mark.parametrize("engine", [0, 1])
def test_dscr_test_scales_the_contract_by_the_revenue_at_maturity(engine):
    # the path's revenue at maturity is half the base case's (a tenant re-let at half the
    # rent): the lender sizes on half the contracted CFADS; later events on the path (its
    # revenue after maturity) do not enter
    sched = np.zeros((1, T))
    sched[0, M + 1 : 11] = 1.0 / 6.0
    revenue = np.full((1, T), 6.0)
    revenue[0, M + 1 :] = 0.0  # the path loses its rent after maturity: not foreseen
    inp = _inputs(
        revenue=0.0, value=0.0, advance=0.0, refi_dscr=np.array([1.25]),
        refi_spread=np.array([0.08]), refi_schedule=sched, refi_cfads=np.full(T, 12.0),
        refi_revenue=np.full(T, 12.0), notional=np.array([50.0]),
    )  # fmt: skip
    inp.revenue = revenue
    out = _both(inp)[engine]
    want = 0.5 * 12.0 / (1.25 * (0.02 + 1.0 / 6.0))
    assert out.refinanced[0, M] == pytest.approx(want)


@pytest.mark.parametrize("engine", [0, 1])
def test_fixed_rate_refinancing_keeps_the_base_rate_at_maturity(engine):
    # the base rate is 4% to the maturity (period 4) and 10% after it; the 100 bullet is
    # refinanced in full (advance 100% of 200) at spread 2%. Fixed: 4% + 2% = 6% for the new
    # tranche's life, interest 100 x 0.06 x 0.25 = 1.50 a period; floating: (10% + 2%) x 0.25
    # x 100 = 3.00 a period. Both repay the 100 at the new maturity (period 10).
    base = np.where(np.arange(T) <= M, 0.04, 0.10)[None, :]
    kw = dict(base_rate=base, refi_spread=np.array([0.02]), fixed_rate=np.array([0.05]))
    fixed = _both(_inputs(120.0, 200.0, 1.0, refi_fixed=np.array([1], np.int32), **kw))[engine]
    floating = _both(_inputs(120.0, 200.0, 1.0, **kw))[engine]
    for out in (fixed, floating):
        assert out.refinanced[0, M] == pytest.approx(100.0)
        assert out.interest_paid[0, 0, M] == pytest.approx(100.0 * 0.05 * 0.25)  # the bullet's
        assert out.principal_paid[0, 0, 10] == pytest.approx(100.0)
    np.testing.assert_allclose(fixed.interest_paid[0, 0, M + 1 : 11], 1.5)
    np.testing.assert_allclose(floating.interest_paid[0, 0, M + 1 : 11], 3.0)


def test_fixed_rate_refinancing_of_a_deal_compiles_to_the_base_at_maturity():
    # the TeraWulf sample's notes refinanced at a fixed rate: the refinanced tranche's interest
    # is its opening balance x (base at maturity + spread) x its year fraction, the same rate
    # every period whatever the base-rate curve does after the maturity
    from core.engine.refinancing import refinancing_outcomes
    from core.engine.results import run_deal
    from core.files.deal_json import load_deal

    d = load_deal("resources/deals/terawulf_backstop.json")
    d.set_term("spv", "base_rate_curve", [0.03, 0.03, 0.03, 0.03, 0.03, 0.06])
    d.set_term("notes", "refi_rate_type", "fixed")
    res = run_deal(d)
    (r,) = refinancing_outcomes(res)
    assert r.rate_type == "fixed"
    spread = d.blocks["notes"].terms["refi_spread"]
    inp, out = res.compiled.inputs, res.outputs
    m = int(inp.maturity[0])
    assert r.rate == pytest.approx(float(inp.base_rate[0, m]) + spread)
    after = np.arange(m + 1, inp.n_periods)
    opening = out.balance[0, 0, after - 1]
    want = opening * r.rate * inp.year_fraction[0, after]
    np.testing.assert_allclose(out.interest_paid[0, 0, after], want, rtol=1e-12)
    assert "fixed" in r.rate_text()
