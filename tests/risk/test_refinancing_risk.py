"""Refinancing risk (issue #12): the stresses, break-evens, applicability and the Monte Carlo's
refinancing market and attribution, on the TeraWulf sample (its 2030 balloon refinanced on a
1.20x DSCR, docs/engine.md "Refinancing", docs/risk.md)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.engine.arrays import FLAG_DSCR_DEFAULT, FLAG_PAYMENT_DEFAULT
from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.risk.applicability import risk_applicability
from core.risk.breakeven import solve_breakeven
from core.risk.catalogue import evaluate, risk
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.paths import MarketModel, make_drivers
from core.risk.stress import Stress, compile_stressed, run_stressed

TW = "terawulf_backstop"


def _no_covenants(deal):
    d = deal.copy()
    d.blocks["cov"].terms.update(default_dscr=0.0, lockup_dscr=0.0)
    return d


def _physical(deal):
    """The sample with its collateral on its physical (liquidation-view) value only: no
    going-concern value, so a failed refinancing loses money (docs/engine.md)."""
    d = deal.copy()
    d.blocks["spv"].terms.update(going_concern_yield=0.0)
    return d


def _dscr_capacity(inp, s: float, balloon: float) -> float:
    """The DSCR test written out: min over the new tranche's periods of CFADS / (DSCR x
    debt service per unit), at the base rate at maturity + spread + ``s``."""
    m, T = int(inp.maturity[0]), inp.n_periods
    cf = inp.revenue[0] - inp.opex[0] - inp.fees[0]  # the sample has no tax
    rate = inp.base_rate[0, m] + inp.refi_spread[0] + s
    left, best = 1.0, np.inf
    for u in range(m + 1, min(int(inp.refi_maturity[0]), T - 1) + 1):
        ds = left * rate * inp.year_fraction[0, u] + inp.refi_schedule[0, u]
        best = min(best, max(cf[u], 0.0) / (inp.refi_dscr[0] * ds))
        left -= inp.refi_schedule[0, u]
    return min(best, balloon)


def test_sample_refinances_its_2030_balloon(samples):
    c = compile_deal(samples[TW])
    out = run_waterfall(c.inputs)
    m = int(c.inputs.maturity[0])
    assert c.timeline.start(m).year == 2030 and m == 19  # due October 2030
    balloon = out.balance[0, 0, m - 1]
    assert balloon == pytest.approx(3200.0 * (1 - 8 * 0.02))  # 8 semi-annual payments of 2%
    refinanced = out.refinanced[0, m]
    # sized on the base case's CFADS to 2039 (the first extension's included) at 1.20x: the
    # DSCR test allows more than the balloon, so all of it is rolled, nothing paid from cash
    assert _dscr_capacity(c.inputs, 0.0, np.inf) > balloon
    assert refinanced == pytest.approx(balloon)
    assert out.principal_paid[0, 0, m] == pytest.approx(0.0, abs=1e-9)
    # fixed at the base rate at maturity + 3.50% for the new tranche's life (a 9-year annuity)
    rate = c.inputs.base_rate[0, m] + c.inputs.refi_spread[0]
    after = np.arange(m + 1, int(c.inputs.refi_maturity[0]) + 1)
    want = out.balance[0, 0, after - 1] * rate * c.inputs.year_fraction[0, after]
    np.testing.assert_allclose(out.interest_paid[0, 0, after], want, rtol=1e-12)
    assert out.balance[0, 0, int(c.inputs.refi_maturity[0])] == pytest.approx(0.0, abs=1e-6)
    assert out.writeoff.sum() == 0.0


def test_breakeven_spread_is_where_the_dscr_test_just_fails(samples):
    # without covenants the edge is where the DSCR-sized refinancing plus the cash and DSRA
    # of the maturity period no longer cover the balloon: solved here by its own bisection
    # (on the physical collateral value: with the going-concern value a failed refinancing
    # of a performing lease is repaid by the forced sale, test below)
    deal = _no_covenants(_physical(samples[TW]))
    c = compile_deal(deal)
    out = run_waterfall(c.inputs)
    m = int(c.inputs.maturity[0])
    balloon = out.balance[0, 0, m - 1]
    cash = out.cfads[0, m] - out.interest_paid[0, 0, m] + out.dsra_balance[0, m - 1]
    lo, hi = 0.0, 0.3
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        covered = _dscr_capacity(c.inputs, mid, balloon) + cash >= balloon
        lo, hi = (mid, hi) if covered else (lo, mid)
    be = solve_breakeven(deal, "refi_spread_shock", 0, tol=1e-5)
    assert be.status == "edge" and be.value <= lo <= be.fails_at + 1e-9
    assert be.value == pytest.approx(lo, abs=1e-5)  # ~155 bp
    assert be.loss_at_fail > 0 and be.loss_at_value == 0


def test_the_balloon_is_not_tested_by_the_dscr_covenant(samples):
    # the balloon's cash part is debt service but not scheduled debt service: the trailing
    # DSCR covenant does not test it (docs/engine.md, "DSCR"), so the covenants do not move
    # the edge; past it the notes fail by a payment default at maturity, not a DSCR default
    deal = _physical(samples[TW])
    be = solve_breakeven(deal, "refi_spread_shock", 0, tol=1e-5)
    free = solve_breakeven(_no_covenants(deal), "refi_spread_shock", 0, tol=1e-5)
    assert be.value == pytest.approx(free.value, abs=2e-5)
    out = run_waterfall(compile_stressed(deal, Stress(refi_spread_shock=be.fails_at)).inputs)
    m = int(compile_deal(deal).inputs.maturity[0])
    assert not (out.flags[0, : m + 1] & FLAG_DSCR_DEFAULT).any()
    assert out.flags[0, m] & FLAG_PAYMENT_DEFAULT and out.writeoff.sum() > 0


def test_market_shut_defaults_the_notes(samples):
    # the market shut in 2030: the balloon is not paid, a payment default; on the physical
    # value the forced sale loses money; valued as a going concern (the leases perform, Google
    # backstops Fluidstack) the buyer of the leased campus pays enough to repay the notes
    shut = Stress(refi_advance_cut=1.0)
    for deal, loses in ((_physical(samples[TW]), True), (samples[TW], False)):
        out = run_waterfall(compile_stressed(deal, shut).inputs)
        m = int(compile_deal(deal).inputs.maturity[0])
        assert out.refinanced.sum() == 0.0 and out.flags[0, m] & FLAG_PAYMENT_DEFAULT
        assert (run_stressed(deal, shut).tranche_metrics["loss"].iloc[0] > 0) == loses
        outcome = evaluate(deal, risk("refinancing"))
        assert outcome.not_applicable is None
        assert (next(iter(outcome.loss_by_tranche.values())) > 0) == loses


def test_advance_cut_does_not_bind_a_dscr_sized_refinancing(samples):
    # TeraWulf's refinancing is sized on the DSCR only: no maximum advance short of a shut
    # market changes it
    be = solve_breakeven(samples[TW], "refi_advance_cut", 0)
    assert be.status == "never_fails" and be.value == pytest.approx(0.999)


def test_refinancing_not_applicable_without_a_balloon_before_the_end(samples):
    for name in ("hyperion_jv", "xai_gpu_spv", "coreweave_ddtl"):
        for rid in ("refinancing", "refinancing_terms"):
            assert risk_applicability(samples[name], rid) is not None, (name, rid)
    assert risk_applicability(samples[TW], "refinancing") is None


def test_no_refinancing_terms_compile_to_the_inputs_of_before(samples):
    for name in ("hyperion_jv", "xai_gpu_spv", "coreweave_ddtl"):
        inp = compile_deal(samples[name]).inputs
        assert inp.refi_on is None and inp.refi_advance_cut is None, name


def test_refinancing_due_in_the_last_period_changes_nothing(samples):
    deal = samples["xai_gpu_spv"].copy()
    tranche = next(b for b in deal.blocks.values() if b.kind == "tranche")
    before = run_waterfall(compile_deal(deal).inputs)
    horizon = deal.of_kind("spv")[0].terms["horizon_years"]
    tranche.terms.update(refinance=True, tenor_years=horizon)
    after = run_waterfall(compile_deal(deal).inputs)
    for f in ("balance", "writeoff", "distribution", "interest_paid", "principal_paid"):
        np.testing.assert_array_equal(getattr(before, f), getattr(after, f))


def _refi_only(p_shut: float) -> MarketModel:
    """Every driver off but the data-centre rent (so the market has a downturn to follow)
    and the refinancing market."""
    return replace(
        MarketModel.deterministic(), facility_rent_vol=0.05, refi_shut_prob=p_shut,
        refi_wide_prob=p_shut,
    )  # fmt: skip


def test_market_is_shut_with_its_probability_on_the_worst_rent_paths(samples):
    sized = compile_deal(samples[TW])
    m = int(sized.inputs.maturity[0])
    n = 20_000
    drv, _ = make_drivers(sized, _refi_only(0.10), seed=5, n=n)
    shut = drv.refi_advance_cut[:, m] == 1.0
    assert shut.mean() == pytest.approx(0.10, abs=4 * np.sqrt(0.1 * 0.9 / n))
    # the shut paths are the lowest-rent ones: every shut path's rent is below every open one's
    rent = drv.rent_factor[:, m]
    assert rent[shut].max() < rent[~shut].min()


@pytest.mark.parametrize("engine", ["cython", "staged"])
def test_monte_carlo_refinancing_only_defaults_are_the_shut_paths(samples, engine):
    n = 4000
    cfg = MonteCarloConfig(n_paths=n, seed=2, model=_refi_only(0.2), engine=engine)
    res = run_montecarlo(samples[TW], cfg)
    pd = res.tranches[0]["probability_of_default"]
    assert pd == pytest.approx(0.2, abs=4 * np.sqrt(0.2 * 0.8 / n))
    causes = res.attribution["tranches"][0]["causes"]
    # the market shuts on the lowest-rent paths, where the extension's market rent is lowest
    # too: a handful of those defaults come first from the rent (the extension re-prices)
    assert causes["refinancing"]["share_of_defaults"] > 0.98
    both = causes["refinancing"]["share_of_defaults"] + causes["market_rent"]["share_of_defaults"]
    assert both == pytest.approx(1.0)
