"""Credit mechanics that decide who loses (issue #11): recovery after a tenant default,
guarantors that can fail, backstop scope, RVG triggers, terms from operations, economic
walk-away and the data-centre rent index.

Known answers are worked by hand from the deal's terms (not read back from the engine); every
new rule is also held to its NumPy specification bit for bit (production per-path compile =
reference_compile) on a deal built to reach every branch, on random drivers and in the Monte
Carlo (fused kernel = staged pipeline).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.engine.compile import Drivers, compile_deal
from core.engine.results import run_deal
from core.model.deal import Deal
from core.risk.catalogue import RISKS, evaluate
from core.risk.paths import MarketModel, make_drivers
from core.risk.stress import Stress, apply_stress, run_stressed
from tests.engine.deal_builders import simple_deal
from tests.engine.test_compile_parity import assert_compiled_equal, assert_random_paths_equal

COST = 300.0  # 10,000 GPUs at USD 30k


def gpu_deal(**lease) -> Deal:
    """A 5-year monthly bullet loan of 1,000 at 0% against 10,000 GPUs worth a flat 300 (no
    decline, no generation step) let for 120 a year: no tax, no opex, no reserves, no
    covenants, so every number after a default can be worked by hand."""
    d = simple_deal(
        notional=1000.0,
        coupon=0.0,
        tenor_years=5.0,
        amortisation="bullet",
        annual_rent=120.0,
        horizon_years=5.0,
        lease={"term_years": 5.0, "walk_away_sensitivity": 0.0, **lease},
    )
    d.blocks["spv"].terms["tax_rate"] = 0.0
    d.add_block(
        "gpu_fleet",
        {
            "count": 10_000,
            "unit_cost": 30.0,
            "mv_decline": 0.0,
            "next_gen_years": [],
            "next_gen_step": 0.0,
            "commercial_life_years": 10.0,
            "liquidation_haircut": 0.2,
            "liquidation_lag_months": 6,
            "fire_sale_age_pct": 0.05,
            "fire_sale_volume_pct": 0.3,
            "market_depth_gpus": 10_000,
        },
        block_id="gpus",
    )
    d.connect("owns", "spv", "gpus")
    return d


def _loss(deal: Deal) -> float:
    return float(run_deal(deal).outputs.writeoff[0].sum())


# ------------------------------------------------------------------ default and recovery
def test_forced_sale_after_a_tenant_default_loses_debt_less_forced_value():
    """Default in month 13 (period 13); the lenders enforce and sell 6 months later, in
    period 19 (20 months from closing): haircut 20% + 5%/yr x 20/12 + 30% x 10k/(10k+10k).
    Loss = debt - value x (1 - haircut) - reserves (none)."""
    deal = gpu_deal(tenant_default_month=13)
    res = run_deal(deal)
    haircut = 0.2 + 0.05 * 20 / 12 + 0.3 * 0.5
    assert res.compiled.sale_period[0] == 19
    assert res.compiled.inputs.proceeds[0, 19] == pytest.approx(COST * (1 - haircut), rel=1e-12)
    assert res.compiled.inputs.revenue[0, 13:].sum() == 0.0  # no rent after the default
    assert _loss(deal) == pytest.approx(1000.0 - COST * (1 - haircut), rel=1e-10)


def test_reserves_reduce_the_forced_sale_loss():
    """Straight-line 1,000 over 60 months (16.67 a month) with rent of 20 a month and a DSRA
    of 6 months' principal (100) funded at close: at the month-13 default 13 instalments are
    paid; the DSRA pays the next six; the forced sale in period 19 prepays; the loss is the
    debt at default - the reserve - the forced-sale value."""
    deal = gpu_deal(tenant_default_month=13)
    deal.blocks["lease"].terms["annual_rent"] = 240.0
    deal.blocks["senior"].terms["amortisation"] = "straight_line"
    deal.add_block("reserve", {"target_months": 6, "funded_at_close": True}, block_id="dsra")
    deal.connect("owns", "spv", "dsra")
    res = run_deal(deal)
    assert float(res.compiled.inputs.dsra_initial) == pytest.approx(100.0)
    haircut = 0.2 + 0.05 * 20 / 12 + 0.3 * 0.5
    debt_at_default = 1000.0 - 13 * 1000.0 / 60
    assert _loss(deal) == pytest.approx(debt_at_default - 100.0 - COST * (1 - haircut))


@pytest.mark.parametrize("extra", [0.0, 0.1, 0.4])
def test_the_haircut_and_the_lag_change_the_loss(extra):
    base = gpu_deal(tenant_default_month=13)
    base.blocks["gpus"].terms["liquidation_haircut"] = 0.2 + extra
    later = base.copy()
    later.blocks["gpus"].terms["liquidation_lag_months"] = 18  # older GPUs at the sale
    h = min(1.0, 0.2 + extra + 0.05 * 20 / 12 + 0.15)
    h_later = min(1.0, 0.2 + extra + 0.05 * 32 / 12 + 0.15)
    assert _loss(base) == pytest.approx(1000.0 - COST * (1 - h), rel=1e-10)
    assert _loss(later) == pytest.approx(1000.0 - COST * (1 - h_later), rel=1e-10)


def test_re_leasing_after_a_default_waits_the_search_lag_and_pays_market_less_costs():
    """Market rent falls 20% a year; after the month-13 default the capacity is re-let from
    period 13 + 4 at 10/month x 0.8^(t/12) x (1 - 25%) until the GPUs' life ends (beyond
    the horizon), then they are sold at the horizon."""
    deal = gpu_deal(
        tenant_default_month=13,
        default_recovery="re_lease",
        search_lag_months=4,
        remarketing_cost_pct=0.25,
        market_rent_decline=0.2,
    )
    rev = run_deal(deal).compiled.inputs.revenue[0]
    want = np.array([10.0 if t < 13 else 0.0 for t in range(60)])
    for t in range(17, 60):
        want[t] = 10.0 * 0.8 ** (t / 12) * 0.75
    np.testing.assert_allclose(rev, want, rtol=1e-12)


# ------------------------------------------------------------------ guarantors
def _with_rvg(deal: Deal, guarantor: str, **terms) -> Deal:
    deal.add_block(
        "guarantee",
        {"guarantee_type": "rvg", "floor_pct": 1.0, "cap": 500.0, **terms},
        block_id="rvg",
    )
    deal.connect("guarantees", "rvg", "gpus")
    if guarantor not in deal.blocks:
        deal.add_block("sponsor", {"name": guarantor, "rating": "AA"}, block_id=guarantor)
    deal.connect("guarantees", guarantor, "rvg")
    return deal


def test_a_guarantee_whose_guarantor_is_the_tenant_pays_nothing_after_its_default():
    """The tenant defaults in month 13: its own RVG pays nothing; a third party's pays the
    floor (cost 300) less the forced-sale proceeds."""
    haircut = 0.2 + 0.05 * 20 / 12 + 0.15
    own = run_deal(_with_rvg(gpu_deal(tenant_default_month=13), "tenant")).compiled
    other = run_deal(_with_rvg(gpu_deal(tenant_default_month=13), "insurer")).compiled
    assert own.guarantee_paid["rvg"][0] == 0.0
    assert other.guarantee_paid["rvg"][0] == pytest.approx(COST - COST * (1 - haircut))
    assert _loss(_with_rvg(gpu_deal(tenant_default_month=13), "tenant")) == pytest.approx(
        1000.0 - COST * (1 - haircut)
    )


def test_a_guarantors_own_default_stops_its_guarantee_and_the_same_credit_defaults_once():
    """The insurer defaults in month 40, after the lease ends (month 60 is the horizon): the
    RVG pays at the lease-end sale only while its guarantor stands."""
    d = _with_rvg(gpu_deal(term_years=2.0), "insurer")  # lease ends at period 24, sale then
    assert run_deal(d).compiled.guarantee_paid["rvg"][0] == pytest.approx(COST * 0.1)
    d.blocks["insurer"].terms["default_month"] = 20  # before the sale
    assert run_deal(d).compiled.guarantee_paid["rvg"][0] == 0.0
    # a second lease to the same tenant stops when the first one's tenant defaults
    two = gpu_deal(tenant_default_month=13)
    two.add_block("lease", {"annual_rent": 12.0, "term_years": 5.0}, block_id="lease2")
    two.connect("leases_to", "spv", "lease2")
    two.connect("leases_to", "lease2", "tenant")
    cash = run_deal(two).compiled.lease_cash
    assert cash["lease"].defaulted[0] and cash["lease2"].defaulted[0]
    assert cash["lease2"].end[0] == 13


def test_a_parent_and_its_subsidiary_default_once():
    """The tenant is a subsidiary of a parent that gives the RVG: the parent's default in
    month 13 stops the lease (the subsidiary defaults with it) and its RVG pays nothing; in the
    Monte Carlo the credit draws one default time, at the parent, with the parent's rating."""
    d = _with_rvg(gpu_deal(), "parent")
    d.connect("subsidiary_of", "tenant", "parent")
    d.blocks["parent"].terms["default_month"] = 13
    c = run_deal(d).compiled
    assert c.lease_cash["lease"].defaulted[0] and c.lease_cash["lease"].end[0] == 13
    assert c.guarantee_paid["rvg"][0] == 0.0
    assert _loss(d) == pytest.approx(1000.0 - COST * (1 - (0.2 + 0.05 * 20 / 12 + 0.15)))
    d.blocks["parent"].terms["default_month"] = 0
    drv, _ = make_drivers(compile_deal(d), MarketModel(), 1, 100)
    assert set(drv.counterparties) == {"parent"}


def _backstopped(scope: str, **lease) -> Deal:
    d = gpu_deal(**lease)
    d.add_block("sponsor", {"name": "Google", "rating": "AA+"}, block_id="google")
    d.add_block(
        "guarantee",
        {"guarantee_type": "backstop", "cap": 50.0, "backstop_scope": scope},
        block_id="bs",
    )
    d.connect("guarantees", "google", "bs")
    d.connect("guarantees", "bs", "lease")
    return d


def test_backstop_scope_default_termination_and_assumption():
    """Rent is 10 a month. Scope 'default' pays 50 after a default (5 months) but nothing
    after a termination; 'default_or_termination' pays after either; 'assumption' pays the
    rent to the contract end (month 60) whatever its cap; a guarantor default stops it."""
    paid = lambda d: run_deal(d).compiled.lease_cash["lease"].backstop_paid[0]  # noqa: E731
    assert paid(_backstopped("default", tenant_default_month=24)).sum() == pytest.approx(50.0)
    assert paid(_backstopped("default", termination_month=24)).sum() == 0.0
    got = paid(_backstopped("default_or_termination", termination_month=24))
    assert got.sum() == pytest.approx(50.0) and got[24] == pytest.approx(10.0)
    assert paid(_backstopped("assumption", tenant_default_month=24)).sum() == pytest.approx(360.0)
    d = _backstopped("assumption", tenant_default_month=24)
    d.blocks["google"].terms["default_month"] = 30
    assert paid(d).sum() == pytest.approx(60.0)  # periods 24..29


# ------------------------------------------------------------------ RVG terms
def test_rvg_triggers_and_term_from_operations():
    """An RVG paying on 'lease_end' only pays nothing on a sale after a default; a term of 1
    year from operations (the lease starts in month 12) covers a sale at period 20, one from
    closing does not; 'any_sale' adds the top-up to the liquidation value."""
    d = _with_rvg(gpu_deal(tenant_default_month=13), "insurer", rvg_triggers="lease_end")
    assert run_deal(d).compiled.guarantee_paid["rvg"][0] == 0.0
    ops = _with_rvg(gpu_deal(start_month=12, term_years=0.667), "insurer", term_years=1.0)
    assert run_deal(ops).compiled.sale_period[0] == 20
    assert run_deal(ops).compiled.guarantee_paid["rvg"][0] == 0.0  # 1 year from closing
    ops.blocks["rvg"].terms["term_from"] = "operations"  # runs to period 24
    assert run_deal(ops).compiled.guarantee_paid["rvg"][0] == pytest.approx(COST * 0.1)
    acc = _with_rvg(gpu_deal(), "insurer", rvg_triggers="any_sale", cap=40.0)
    liq = run_deal(acc).compiled.inputs.liquidation_value[0]
    forced = COST * (1 - (0.2 + 0.05 * np.arange(1, 61) / 12 + 0.15))
    np.testing.assert_allclose(liq[:59], forced[:59] + 40.0, rtol=1e-12)


# ------------------------------------------------------------------ walk-away and indices
def test_walk_away_at_a_given_gap_terminates_by_hand():
    """Market rent falls 20% a year: the tenant walks once 1 > 1.5 x 0.8^(t/12), i.e. the
    first t with t/12 > ln(2/3)/ln(0.8) = 1.817 years: period 22; it pays the fee then."""
    d = gpu_deal(market_rent_decline=0.2, walk_away_gap=0.5, termination_fee=7.0)
    c = run_deal(d).compiled
    assert c.lease_cash["lease"].end[0] == 22
    assert c.inputs.revenue[0, 22] == pytest.approx(7.0)
    assert c.inputs.revenue[0, 21] == pytest.approx(10.0)
    assert c.sale_period[0] == 22  # an orderly sale follows a termination


def test_walk_away_sensitivity_zero_reproduces_the_exponential_termination():
    """With sensitivity 0 the drawn termination is floor(e / h x ppy) of the path's
    exponential draw, exactly as before the walk-away; with a sensitivity the hazard rises
    with the rent's premium over the market and the survival matches the closed form
    exp(-sum(h + s x max(0, 1 / 0.85^y - 1)) / 12) (times the tenant's own survival)."""
    m = MarketModel.deterministic()
    m = MarketModel(**{**m.to_dict(), "lease_events": True, "walk_away_scale": 1.0})
    d0 = gpu_deal(market_rent_decline=0.15)
    d0.blocks["tenant"].terms["rating"] = "B"  # below investment grade: termination_hazard
    m = MarketModel(**{**m.to_dict(), "termination_hazard": 0.05})
    sized0 = compile_deal(d0)
    drv0, _ = make_drivers(sized0, m, 3, 20_000)
    assert "termination_draw" not in drv0.leases["lease"]
    d1 = d0.copy()
    d1.blocks["lease"].terms["walk_away_sensitivity"] = 1.0
    sized1 = compile_deal(d1)
    drv1, _ = make_drivers(sized1, m, 3, 20_000)
    e = drv1.leases["lease"]["termination_draw"]
    want0 = np.minimum(np.floor(e / 0.05 * 12), 60).astype(int)
    assert np.array_equal(drv0.leases["lease"]["termination"], want0)
    end1 = compile_deal(d1, drv1, sized=sized1).lease_cash["lease"].end
    y = np.arange(60) / 12
    cum = np.cumsum((0.05 + 1.0 * np.maximum(1.0 / 0.85**y - 1.0, 0.0)) / 12)
    n = len(end1)
    for k in (12, 24, 48):
        hd = -math.log(1.0 - 0.035)  # the B-rated tenant's own default, independent
        p = 1.0 - math.exp(-cum[k - 1] - hd * k / 12)
        freq = float((end1 < k).mean())
        assert abs(freq - p) < 4 * math.sqrt(p * (1 - p) / n), (k, freq, p)
    assert (end1 <= compile_deal(d0, drv0, sized=sized0).lease_cash["lease"].end).all()


def _relet_backstopped(cap: float, scope: str = "default", **lease) -> Deal:
    terms = {"tenant_default_month": 4, "search_lag_months": 3, "remarketing_cost_pct": 0.1}
    terms["market_rent_decline"] = 0.0  # market flat: the re-let pays 10 x (1 - 10%)
    d = _backstopped(scope, **{**terms, "default_recovery": "re_lease", **lease})
    d.blocks["bs"].terms["cap"] = cap
    return d


def test_a_backstop_pays_the_rent_until_the_re_let_starts():
    """Rent 10 a month, a 'default' backstop capped at 100, the tenant defaults in period 4,
    search lag 3 periods, re-let at market less 10% (market flat): the landlord re-lets from
    4 + 3 = 7 while the backstop pays the rent owed meanwhile, 10, 10, 10 in periods 4-6 (30
    of its cap); from period 7 the re-let pays 9 a month and the backstop stops.

    Before the fix the landlord waited for the cap to run out: the backstop paid 10 a month
    in periods 4-13 (all 100), the lease ended at period 14 and the re-let started at
    14 + 3 = 17, periods 14-16 vacant."""
    c = run_deal(_relet_backstopped(100.0)).compiled
    lc = c.lease_cash["lease"]
    want_bs = np.zeros(60)
    want_bs[4:7] = 10.0
    np.testing.assert_allclose(lc.backstop_paid[0], want_bs, rtol=1e-12)
    assert lc.defaulted[0] and lc.end[0] == 7
    want = np.full(60, 10.0)
    want[7:] = 9.0
    np.testing.assert_allclose(c.inputs.revenue[0], want, rtol=1e-12)
    assert c.guarantee_paid["bs"][0] == pytest.approx(30.0)


def test_a_backstop_exhausted_before_the_re_let_leaves_a_vacancy():
    """Cap 15: the backstop pays 10 in period 4 and the 5 left in period 5 (the lease ends
    there, partial), period 6 is vacant, the re-let still starts at 4 + 3 = 7 at 9."""
    c = run_deal(_relet_backstopped(15.0)).compiled
    assert c.lease_cash["lease"].end[0] == 5
    want = np.full(60, 9.0)
    want[:4], want[4], want[5], want[6] = 10.0, 10.0, 5.0, 0.0
    np.testing.assert_allclose(c.inputs.revenue[0], want, rtol=1e-12)


def test_enforcement_and_the_other_scopes_keep_the_backstop_to_its_cap_or_contract_end():
    """Enforce recovery: the 'default' backstop pays its whole cap of 100 (10 a month in
    periods 4-13); 'default_or_termination' with a re-let: the same 100, then the re-let at
    14 + 3 = 17; 'assumption': the rent to the contract end (periods 4-59), no re-let."""
    enf = run_deal(_relet_backstopped(100.0, default_recovery="enforce")).compiled
    assert enf.lease_cash["lease"].backstop_paid[0].sum() == pytest.approx(100.0)
    assert enf.lease_cash["lease"].end[0] == 14
    dot = run_deal(_relet_backstopped(100.0, "default_or_termination")).compiled
    want = np.full(60, 10.0)
    want[14:17], want[17:] = 0.0, 9.0
    np.testing.assert_allclose(dot.inputs.revenue[0], want, rtol=1e-12)
    ass = run_deal(_relet_backstopped(100.0, "assumption")).compiled
    np.testing.assert_allclose(ass.inputs.revenue[0], np.full(60, 10.0), rtol=1e-12)
    assert ass.lease_cash["lease"].backstop_paid[0].sum() == pytest.approx(560.0)


def test_a_data_centre_lease_follows_its_own_index():
    """Compute-rent deflation reprices a compute lease's renewal but not a data-centre one;
    the building stress does the reverse."""
    lease = {"term_years": 2.0, "renewal_options": 1, "renewal_term_years": 3.0,
             "renewals_exercised": 1, "market_rent_decline": 0.0}  # fmt: skip
    comp = gpu_deal(**lease)
    dc = gpu_deal(**lease, rent_index="data_centre")
    for deal, compute_hits in ((comp, True), (dc, False)):
        base = run_deal(deal).compiled.inputs.revenue[0, 30]
        hit = run_stressed(deal, Stress(rent_deflation=0.3)).compiled.inputs.revenue[0, 30]
        bld = run_stressed(deal, Stress(building_rent_deflation=0.3)).compiled.inputs.revenue
        assert (hit < base) == compute_hits
        assert (bld[0, 30] < base) != compute_hits
        assert hit == pytest.approx(base * 0.7**2) if compute_hits else hit == base


# ------------------------------------------------------------------ stresses
def test_the_catalogue_has_the_new_stresses_and_their_break_evens():
    ids = {r.id for r in RISKS}
    assert {"liquidation", "guarantor", "walk_away"} <= ids
    deal = gpu_deal()
    liq = evaluate(deal, next(r for r in RISKS if r.id == "liquidation"))
    # default in year 2 (period 24), sale 12 months later at period 36: the loan of 1,000
    # against 300 of GPUs loses whatever the haircut
    assert next(iter(liq.loss_by_tranche.values())) == pytest.approx(
        1000.0 - COST * (1 - min(1.0, 0.5 + 0.05 * 37 / 12 + 0.15))
    )
    assert liq.breakeven_by_tranche[0].status == "fails_in_base"
    # a smaller loan survives a forced-sale haircut up to 1 - debt / value
    small = gpu_deal()
    small.blocks["senior"].terms["notional"] = 150.0
    be = evaluate(small, next(r for r in RISKS if r.id == "liquidation"), tol=1e-6)
    assert be.breakeven_by_tranche[0].value == pytest.approx(0.5, abs=1e-5)


def test_guarantor_default_stress_sets_every_guarantor():
    d = _with_rvg(gpu_deal(), "insurer")
    s = apply_stress(d, Stress(guarantor_default_year=2.0, enforce=0, walk_away_gap=0.4))
    assert s.blocks["insurer"].terms["default_month"] == 24
    assert s.blocks["tenant"].terms["default_month"] == 0  # not a guarantor
    assert s.blocks["lease"].terms["default_recovery"] == "re_lease"
    assert s.blocks["lease"].terms["walk_away_gap"] == 0.4


# ------------------------------------------------------------------ specification parity
def credit_mechanics_deal() -> Deal:
    """Every new branch: two leases (compute with walk-away and enforcement; data-centre,
    re-let after a default), a tenant that also guarantees, a backstop with each scope, an
    RVG on any sale from operations, counterparty default dates."""
    d = gpu_deal(
        market_rent_decline=0.2,
        walk_away_gap=0.6,
        walk_away_sensitivity=0.5,
        termination_fee=5.0,
        renewal_options=1,
        renewal_term_years=1.0,
    )
    d.blocks["spv"].terms["horizon_years"] = 6.0
    d.blocks["tenant"].terms["rating"] = "B"
    d.add_block("sponsor", {"name": "Host", "rating": "BB"}, block_id="host")
    d.add_block(
        "lease",
        {"annual_rent": 30.0, "term_years": 3.0, "start_month": 6, "rent_index": "data_centre",
         "default_recovery": "re_lease", "search_lag_months": 5, "remarketing_cost_pct": 0.2,
         "at_expiry": "re_lease", "market_rent_decline": 0.05},
        block_id="dc",
    )  # fmt: skip
    d.connect("leases_to", "spv", "dc")
    d.connect("leases_to", "dc", "host")
    d.add_block("sponsor", {"name": "Google", "rating": "AA+"}, block_id="google")
    for i, scope in enumerate(("default", "default_or_termination", "assumption")):
        d.add_block(
            "guarantee",
            {"guarantee_type": "backstop", "cap": 20.0 + i, "backstop_scope": scope,
             "term_years": 3.0, "term_from": "operations"},
            block_id=f"bs{i}",
        )  # fmt: skip
        d.connect("guarantees", "google" if i else "host", f"bs{i}")
        d.connect("guarantees", f"bs{i}", "dc" if i == 1 else "lease")
    _with_rvg(d, "tenant", rvg_triggers="any_sale", term_from="operations", term_years=4.0)
    d.add_block("guarantee", {"guarantee_type": "rvg", "floor_pct": 0.9, "cap": 90.0,
                              "rvg_triggers": "lease_end"}, block_id="rvg2")  # fmt: skip
    d.connect("guarantees", "rvg2", "dc")
    d.connect("guarantees", "google", "rvg2")
    d.blocks["google"].terms["default_month"] = 50
    d.add_block("sponsor", {"name": "Host parent", "rating": "BBB"}, block_id="host_parent")
    d.connect("subsidiary_of", "host", "host_parent")
    return d


STRESSES = [
    Stress(),
    Stress(tenant_default_year=1.5),
    Stress(tenant_default_year=2.5, enforce=0, guarantor_default_year=3.0),
    Stress(termination_year=2.0, liquidation_lag_months=2),
    Stress(rent_deflation=0.5, building_rent_deflation=0.2, walk_away_gap=0.3),
    Stress(forced_sale_haircut=0.6, tenant_default_year=1.0),
]


@pytest.mark.parametrize("k", range(len(STRESSES)))
def test_production_compile_equals_the_reference_on_every_new_branch(k):
    deal = apply_stress(credit_mechanics_deal(), STRESSES[k])
    assert_compiled_equal(compile_deal(deal), compile_deal(deal, engine="reference"))


@pytest.mark.parametrize("seed", range(6))
def test_random_paths_equal_the_reference_on_every_new_branch(seed):
    assert_random_paths_equal(credit_mechanics_deal(), seed, 32)
    assert_random_paths_equal(apply_stress(credit_mechanics_deal(), STRESSES[2]), seed, 32)


def test_monte_carlo_compile_rows_equal_the_staged_drivers():
    """The fused kernel's per-path compile (counterparty draws, walk-away hazard) equals
    compile_deal of make_drivers' drivers, path by path."""
    from tests.risk.test_mckernel import assert_compile_rows_equal

    deal = credit_mechanics_deal()
    m = MarketModel(termination_hazard=0.3, p_non_renewal=0.4)
    assert_compile_rows_equal(deal, compile_deal(deal), m, 5, 0, 300)


def test_staged_drivers_carry_counterparty_defaults():
    deal = credit_mechanics_deal()
    sized = compile_deal(deal)
    drv, _ = make_drivers(sized, MarketModel(), 9, 4000)
    T = sized.timeline.n_periods
    assert set(drv.counterparties) == {"tenant", "google", "host_parent"}  # host: its parent
    c = compile_deal(deal, drv, sized=sized)
    # the tenant's own RVG never pays on a path where the tenant defaulted before the sale
    bad = (drv.counterparties["tenant"] <= c.sale_period) & (c.guarantee_paid["rvg"] > 0)
    assert not bad.any()
    assert (drv.counterparties["tenant"] < T).any()
    assert isinstance(Drivers().counterparties, dict)


def test_stress_risks_prints_each_tranches_break_even(tmp_path):
    """``stress --risks`` on a two-tranche deal: one break-even line per tranche under each
    risk, the same numbers as the JSON."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    from core.files.deal_json import save_deal

    deal = gpu_deal()
    deal.blocks["senior"].terms["notional"] = 100.0
    deal.add_block(
        "tranche",
        {"name": "Junior", "notional": 80.0, "coupon": 0.0, "tenor_years": 5.0,
         "amortisation": "bullet", "seniority": 2},
        block_id="junior",
    )  # fmt: skip
    deal.connect("issues", "spv", "junior")
    path = tmp_path / "two.json"
    save_deal(deal, path)
    root = Path(__file__).resolve().parents[2]

    def run(*extra: str) -> str:
        cmd = [sys.executable, str(root / "main.py"), "stress", "--risks", str(path), *extra]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=root, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    doc = json.loads(run("--json"))
    liq = next(r for r in doc["risks"] if r["risk"] == "liquidation")
    per = liq["breakeven_by_tranche"]  # seniority order
    assert [b["tranche"] for b in per] == ["Senior notes", "Junior"]
    # the senior (100) survives a forced-sale haircut up to 1 - 100/300, the junior (180 in
    # all ahead of and with it) up to 1 - 180/300
    assert per[0]["value"] == pytest.approx(1 - 100 / 300, abs=2e-3)
    assert per[1]["value"] == pytest.approx(1 - 180 / 300, abs=2e-3)
    text = run()
    assert f"    Junior: {per[1]['label']}" in text
