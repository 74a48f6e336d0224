"""Break-even: the edge really is the edge; DSCR headroom; the risk catalogue; look-through."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.engine.results import run_deal
from core.risk.breakeven import LOSS_EPS, dscr_headroom, solve_breakeven, tranche_losses
from core.risk.catalogue import RISKS, breakeven_driver, risk_summary
from core.risk.lookthrough import sponsor_stress
from core.risk.stress import Stress, apply_stress, compile_stressed, run_stressed

CASES = [  # Hyperion: test_hyperion_contract_renewals_never_fail_on_building_rent
    ("terawulf_backstop", "termination_year", 0),
    ("xai_gpu_spv", "base_rate_shock", None),
    ("coreweave_ddtl", "termination_year", "DDTL 3.0"),  # its draws survive +20% rates
]


def test_hyperion_contract_renewals_never_fail_on_building_rent(samples):
    """Meta's extensions are at the contract rent: a falling data-centre market costs the bonds
    nothing at any rate; repriced to market at each renewal, some fall does."""
    deal = samples["hyperion_jv"]
    assert solve_breakeven(deal, "building_rent_deflation", None).status == "never_fails"
    market = deal.copy()
    market.set_term("lease", "renewal_pricing", "market")
    assert solve_breakeven(market, "building_rent_deflation", None).status == "edge"


def test_hyperion_rvg_covers_a_walk_away_at_any_date_within_its_term(samples):
    """Meta's RVG (floor 100% of the all-in cost, cap $12B, 16.25 years from operations, which
    start at completion in year 4) repays the bonds whenever the lease ends early from the
    second operating year; later, past its term, the bonds have amortised below what the
    campus sells for. A termination in the first operating year loses the part of the bonds
    above the all-in cost that the DSRA does not cover (the bonds also funded the DSRA and
    the distribution at close), as the scan of every period finds (termination_year counts
    from closing). With a 70% floor an early end inside the term loses money."""
    deal = samples["hyperion_jv"]
    for quarter in range(21, 97):  # every quarter from year 5.25 to the horizon
        assert tranche_losses(deal, Stress(termination_year=quarter / 4)).sum() <= LOSS_EPS
    # at completion (year 4): bonds + the quarter's coupon - (all-in floor + DSRA released)
    r = run_deal(deal)
    floor = 21000.0 + r.uses["Interest reserve (net of Treasury yield)"]
    short = 27300.0 * (1 + 0.0658 / 4) - floor - r.uses["DSRA funded at close"]
    assert short == pytest.approx(598.08, abs=0.01)
    at_completion = tranche_losses(deal, Stress(termination_year=4.0)).sum()
    assert at_completion == pytest.approx(short, abs=1e-3)  # (the reserve's 1e-9 cushion)
    be = solve_breakeven(deal, "termination_year", None, tol=1e-3)
    assert be.status == "edge" and be.fails_at == 5.0 and be.loss_at_fail > LOSS_EPS
    weaker = deal.copy()
    weaker.set_term("rvg", "floor_pct", 0.7)
    be = solve_breakeven(weaker, "termination_year", None, tol=1e-3)
    assert be.status == "edge" and be.loss_at_fail > 0


@pytest.mark.parametrize(("name", "driver", "tranche"), CASES)
def test_breakeven_is_the_edge(samples, name, driver, tranche):
    deal = samples[name]
    be = solve_breakeven(deal, driver, tranche, tol=1e-4)
    assert be.status == "edge"
    k = 0  # every sample deal has one tranche
    stress = Stress()

    def loss(v):
        from dataclasses import replace

        return tranche_losses(deal, replace(stress, **{driver: v}))[k]

    # independently re-run both sides of the edge
    assert loss(be.value) <= LOSS_EPS
    assert loss(be.fails_at) > LOSS_EPS
    if driver == "termination_year":
        assert be.value - be.fails_at == pytest.approx(1 / 12)  # one month earlier fails
        assert loss(be.value + 1.0) <= LOSS_EPS  # later still survives
    else:
        assert 0 < be.fails_at - be.value <= 1e-4
        assert loss(be.value / 2) <= LOSS_EPS  # milder still survives
        assert loss(min(be.fails_at * 1.5, 1.0)) > LOSS_EPS


def test_breakeven_whole_range_and_bad_inputs(samples):
    # Hyperion's RVG makes the residual irrelevant (TeraWulf's no longer: the refinanced
    # notes' last 2/7 are repaid from the sale of the halls, tests/risk/test_refinancing_risk)
    be = solve_breakeven(samples["hyperion_jv"], "residual_haircut")
    assert be.status == "never_fails" and be.value == 1.0
    assert tranche_losses(samples["hyperion_jv"], Stress(residual_haircut=1.0))[0] == 0
    with pytest.raises(ValueError, match="unknown break-even driver 'foo'"):
        solve_breakeven(samples["terawulf_backstop"], "foo")
    with pytest.raises(ValueError, match="unknown tranche 'nope'"):
        solve_breakeven(samples["terawulf_backstop"], "rent_deflation", "nope")


def test_dscr_headroom_is_one_minus_level_over_min(samples):
    deal = samples["terawulf_backstop"]
    h = dscr_headroom(deal)
    compiled = compile_deal(deal)
    from core.engine.kernel import run_waterfall

    test = run_waterfall(compiled.inputs).dscr_test[0]
    mn = np.nanmin(test)
    assert h.min_test_dscr == pytest.approx(mn)
    assert h.cfads_fall_to_lockup == pytest.approx(1 - compiled.inputs.lockup_dscr / mn)
    assert h.cfads_fall_to_default == pytest.approx(1 - compiled.inputs.default_dscr / mn)
    # a uniform CFADS fall just short of the lock-up headroom keeps the test at the level
    assert mn * (1 - h.cfads_fall_to_lockup) == pytest.approx(compiled.inputs.lockup_dscr)


def test_catalogue_covers_the_domain_risks_and_runs(samples):
    ids = {r.id for r in RISKS}
    assert {"rent_deflation", "obsolescence", "lease", "correlation", "liquidation"} <= ids
    deal = samples["hyperion_jv"]
    out = risk_summary(deal)
    assert [o.risk.id for o in out] == [r.id for r in RISKS]
    for o in out:  # each outcome is exactly the stressed run, debt sized on the base case
        res = run_stressed(deal, o.risk.stress)
        # (NaN in both when the stressed deal never reaches a DSCR: a default while building)
        np.testing.assert_equal(o.min_dscr, res.metrics["min_dscr"])
        assert list(o.loss_by_tranche.values()) == res.tranche_metrics["loss"].tolist()
        assert o.breakeven.driver == breakeven_driver(deal, o.risk)  # DC index: building rent
        assert [b.tranche for b in o.breakeven_by_tranche] == list(o.loss_by_tranche)
        assert o.to_dict()["risk"] == o.risk.id


def test_backstop_paid_is_capped_remaining_rent(samples):
    """TeraWulf tenant default at year 3: the backstop pays the lesser of its cap and the rent
    owed until the halls are re-let 9 months (3 quarters) later (worked from the lease
    schedule); it paid the rent to the contract end before the re-let started at the
    default."""
    deal = samples["terawulf_backstop"]
    stress = Stress(tenant_default_year=3.0, renewals=0)
    stressed = apply_stress(deal, stress)
    compiled = compile_stressed(deal, stress)
    base = run_deal(deal)
    rows = sponsor_stress(compiled, base.look_through, "lease")
    expect = 0.0
    for lease in compiled.leases:
        sched = compiled.lease_schedules[lease.id]
        t0 = compiled.timeline.period_of_month(36)
        lag = -(-lease.terms["search_lag_months"] // compiled.timeline.months_per_period)
        owed = sched.rent[0, t0 : min(t0 + lag, sched.term_ends[0])].sum()
        caps = sum(
            g.terms["cap"]
            for g in stressed.links(lease.id, "guarantees", "in")
            if g.terms["guarantee_type"] == "backstop"
        )
        expect += min(caps, owed)
    total = sum(r.backstop_paid for r in rows)
    assert total == pytest.approx(expect, rel=1e-9)
    assert total > 0
    assert all(r.rvg_paid == 0 for r in rows)


def test_tenant_default_break_even_when_an_early_default_loses_less_than_a_later_one():
    """CoreWeave's delayed-draw facility has lent 650 of 2,600 in month 1 and most of it by
    year 1: a tenant default in month 1 loses nothing but one in year 3 loses (the catalogue's
    stress). The break-even must not say 'never fails': it is the date after which every
    later default is survived, with a loss one period before it."""
    from pathlib import Path

    from core.files.deal_json import load_deal

    deal = load_deal(Path(__file__).parents[2] / "resources" / "deals" / "coreweave_ddtl.json")
    assert tranche_losses(deal, Stress(tenant_default_year=1 / 12)).sum() <= 1e-6
    assert tranche_losses(deal, Stress(tenant_default_year=3.0)).sum() > 1e-6
    be = solve_breakeven(deal, "tenant_default_year", None)
    assert be.status == "edge" and be.fails_at >= 3.0
    assert be.loss_at_value <= 1e-6 and be.loss_at_fail > 1e-6
    assert be.value == pytest.approx(be.fails_at + 1 / 12)  # monthly periods
    for m in range(int(round(be.value * 12)), 60):  # every later default survived
        assert tranche_losses(deal, Stress(tenant_default_year=m / 12)).sum() <= 1e-6
