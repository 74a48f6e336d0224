"""Monte Carlo attribution (core.risk.causes): the rule by hand, paths whose cause is known by
construction, the compiled facts against their NumPy specification, the fused kernel against
the staged pipeline, and the attribution's invariants."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from core.engine.compile import Drivers, compile_deal
from core.engine.kernel import run_waterfall
from core.risk import causes
from core.risk.applicability import risk_applicability, why_not
from core.risk.catalogue import RISKS
from core.risk.mcstats import EPS, causes_of, compiled_stats
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.paths import MarketModel, make_drivers
from tests.risk.conftest import SAMPLES

C = causes.CODES


def test_classify_by_hand():
    """T = 10 periods, 2 tranches; events and gaps chosen so each rule is hit once."""
    T, E = 10, len(causes.EVENTS)
    ev = np.full((6, E), T)
    first = np.full((6, 2), T)
    gaps = np.zeros((6, 2, len(causes.GAPS)))
    ix = {e: i for i, e in enumerate(causes.EVENTS)}
    g = {name: i for i, name in enumerate(causes.GAPS)}
    # path 0: no default
    # path 1: tenant default at 3, termination at 5; defaults at 4 and 6: both tenant default
    ev[1, ix["tenant_default"]], ev[1, ix["termination"]] = 3, 5
    first[1] = [4, 6]
    # path 2: termination and non-renewal both at 5; tranche 0 defaults at 5 (tie: the order of
    # CAUSES, termination), tranche 1 at 2, before any event: its larger gap (rates)
    ev[2, ix["termination"]], ev[2, ix["non_renewal"]] = 5, 5
    first[2] = [5, 2]
    gaps[2, 1, [g["rent"], g["rate"], g["collateral"]]] = [1.0, 3.0, 0.5]
    # path 3: a default with no event and no positive gap: the deal's own cash flows
    first[3] = [7, T]
    gaps[3, 0] = [-1.0, 0.0, -2.0]
    # path 4: a crypto margin call at 1, default at 3; an event after the default is ignored
    ev[4, ix["crypto"]], ev[4, ix["tenant_default"]] = 1, 8
    first[4] = [3, T]
    # path 5: no event, collateral gap the largest
    first[5] = [T, 9]
    gaps[5, 1] = [2.0, 1.0, 5.0]
    code = causes.classify(first, ev, gaps, T)
    assert code.tolist() == [
        [0, 0],
        [C["tenant_default"], C["tenant_default"]],
        [C["termination"], C["rates"]],
        [C["base_case"], 0],
        [C["crypto"], 0],
        [0, C["collateral_value"]],
    ]


def test_every_cause_is_declared_once_with_known_needs_and_risks():
    ids = [c.id for c in causes.CAUSES]
    assert len(ids) == len(set(ids))
    assert [c for c in causes.CAUSES if not c.events and c.gap is None] == [causes.CAUSES[-1]]
    from core.risk.applicability import NEEDS

    risk_ids = {r.id for r in RISKS}
    for c in causes.CAUSES:
        assert set(c.needs) <= set(NEEDS), c.id
        assert set(c.risks) <= risk_ids, c.id
        assert set(c.events) <= set(causes.EVENTS) and c.gap in (None, *causes.GAPS)


def _causes_for(deal, drv: Drivers) -> tuple[np.ndarray, np.ndarray]:
    """Cause codes and write-offs of hand-built driver paths through the staged steps."""
    sized = compile_deal(deal)
    c = compile_deal(deal, drv, sized=sized)
    inp = c.inputs
    if inp.n_paths < drv.n_paths:
        inp = inp.with_paths(revenue=np.broadcast_to(inp.revenue, (drv.n_paths, inp.n_periods)))
    out = run_waterfall(inp)
    code = causes_of(out, inp, sized, causes.lease_events(c, drv))
    return code[:, 0], out.writeoff.sum(axis=2)[:, 0]


def test_lease_events_by_construction(samples):
    """TeraWulf: a tenant default in year 2 is bridged: Google's backstop pays the rent for
    the 9-month search (3 quarters) and the halls are re-let from period 8 + 3 = 11 (no
    default); an early termination in year 3 is outside the backstop (a loss); CoreWeave: a
    tenant default."""
    deal = samples["terawulf_backstop"]
    sized = compile_deal(deal)
    T, ppy, lid = sized.timeline.n_periods, sized.timeline.periods_per_year, sized.leases[0].id
    drv = Drivers(
        n_paths=3,
        leases={
            lid: {
                "tenant_default": np.array([T, 2 * ppy, T]),
                "termination": np.array([T, T, 3 * ppy]),
                "renewals": np.ones(3, dtype=int),  # the base case's first extension
            }
        },
    )
    code, loss = _causes_for(deal, drv)
    assert code.tolist() == [0, 0, C["termination"]]
    assert loss[2] > 100.0
    c = compile_deal(deal, drv, sized=sized)
    ev = causes.lease_events(c, drv)
    assert ev[1, 0] == 2 * ppy + 3  # the backstop paid until the re-let, 9 months on
    assert ev[2].tolist() == [T, 3 * ppy, T, T, T, T]


def test_walk_away_and_guarantor_default_by_construction(samples):
    """TeraWulf: (1) a flat market under the leases' 3% escalator and a 20% walk-away gap: the
    tenant walks when its rent passes 1.2x the market (year 7: 1.03^7 = 1.23), an economic
    walk-away, not a drawn termination; (2) Google defaults in year 1 and Fluidstack in year
    2: the backstop pays nothing, the rent stops at Fluidstack's default, a guarantor default;
    (3) Fluidstack alone in year 2: no default (the backstop pays the 9-month search, the
    halls are re-let from period 8 + 3 = 11). The notes
    sculpted (no 2030 refinancing: sized on the base case, which walks away in year 7, the
    refinancing would be short in year 5 and come first)."""
    from tests.engine.deal_builders import sculpted_terawulf

    deal = sculpted_terawulf()
    deal.set_term("lease", "market_rent_decline", 0.0)
    deal.set_term("lease", "walk_away_gap", 0.2)
    sized = compile_deal(deal)
    T, ppy = sized.timeline.n_periods, sized.timeline.periods_per_year
    c = compile_deal(deal, Drivers(n_paths=1), sized=sized)
    ev = causes.lease_events(c, Drivers(n_paths=1))
    assert ev[0].tolist() == [T, T, T, 7 * ppy, T, T]
    code, loss = _causes_for(deal, Drivers(n_paths=1))
    assert code.tolist() == [C["walk_away"]]

    deal = samples["terawulf_backstop"]
    sized = compile_deal(deal)
    T = sized.timeline.n_periods  # the sample's 15-year horizon, not the sculpted copy's 10
    drv = Drivers(
        n_paths=2,
        counterparties={"google": np.array([ppy, T]), "fluid": np.array([2 * ppy, 2 * ppy])},
    )
    c = compile_deal(deal, drv, sized=sized)
    ev = causes.lease_events(c, drv)
    assert ev[0].tolist() == [T, T, T, T, 2 * ppy, T]  # the rent stopped at Fluidstack's default
    assert ev[1, 0] == 2 * ppy + 3 and ev[1, 1:].tolist() == [T, T, T, T, T]
    code, _ = _causes_for(deal, drv)
    assert code.tolist() == [C["guarantor_default"], 0]


def test_rates_market_rent_and_collateral_by_construction(samples):
    deal = samples["coreweave_ddtl"].copy()  # floating: SOFR + 4.00%, drawn at closing (its
    for b in deal.of_kind("tranche"):  # draws, cut by the borrowing base, survive +20%)
        b.terms.update(availability_months=0, draw_months=[], draw_amounts=[])
    base = compile_deal(deal).inputs.base_rate[0]
    code, loss = _causes_for(deal, Drivers(n_paths=2, base_rate=np.stack([base, base + 0.2])))
    assert code.tolist() == [0, C["rates"]] and loss[1] > 0

    deal = samples["hyperion_jv"].copy()  # every option exercised, repriced to a low market
    deal.set_term("lease", "renewal_pricing", "market")
    sized = compile_deal(deal)
    T, lease = sized.timeline.n_periods, sized.leases[0]
    opts = lease.terms["renewal_options"]
    drv = Drivers(
        n_paths=2,
        rent_factor=np.stack([np.ones(T), np.full(T, 0.3)]),
        leases={lease.id: {"renewals": np.array([opts, opts])}},
    )
    code, loss = _causes_for(deal, drv)
    assert code.tolist() == [0, C["market_rent"]] and loss[1] > 0

    deal = samples["xai_gpu_spv"].copy()  # a 2-year lease: the loan leans on the GPU sale
    deal.of_kind("lease")[0].terms["term_years"] = 2.0
    T = compile_deal(deal).timeline.n_periods
    drv = Drivers(n_paths=2, gpu_value_factor=np.stack([np.ones(T), np.full(T, 0.5)]))
    code, loss = _causes_for(deal, drv)
    assert code.tolist() == [0, C["collateral_value"]] and loss[1] > 0


def _only(m: MarketModel, **on) -> MarketModel:
    return replace(MarketModel.deterministic(), **on)


@pytest.mark.parametrize(
    ("name", "model", "cause"),
    [
        ("terawulf_backstop", _only(MarketModel(), lease_events=True), "tenant_default"),
        ("coreweave_ddtl", _only(MarketModel(), rate_vol=0.10), "rates"),
        (
            "hyperion_jv",
            _only(MarketModel(), facility_rent_vol=0.3, facility_rent_reversion=0.0),
            "market_rent",
        ),
    ],
)
def test_a_single_driver_takes_all_the_defaults(samples, name, model, cause):
    """A deal whose only driver is X attributes 100% of its defaults and losses to X. (On
    TeraWulf, lease events with no termination or non-renewal: the deterministic model has
    them at 0; the unrated tenant's default hazard remains.)"""
    model = replace(model, termination_hazard=0.0, termination_hazard_ig=0.0)
    deal = samples[name].copy()
    if name == "hyperion_jv":  # renewals repriced to the market rent, which the driver moves
        deal.set_term("lease", "renewal_pricing", "market")
    res = run_montecarlo(deal, MonteCarloConfig(n_paths=1500, seed=3, model=model))
    t = res.attribution["tranches"][0]
    assert t["defaults"] > 20
    # TeraWulf's lease events include the backstop's guarantor: over the 15-year horizon
    # Google (AA+) defaults on a few paths before Fluidstack does (a guarantor default)
    also = {"guarantor_default"} if name == "terawulf_backstop" else set()
    shares = {k: v["share_of_defaults"] for k, v in t["causes"].items()}
    assert shares[cause] + sum(shares[k] for k in also) == pytest.approx(1.0)
    assert shares[cause] > 0.99
    for other, v in t["causes"].items():
        if other != cause and other not in also:
            assert v["share_of_defaults"] == 0.0 and v["expected_loss"] == 0.0


@pytest.mark.parametrize("name", SAMPLES)
def test_attribution_adds_up_and_marks_what_does_not_apply(samples, name):
    res = run_montecarlo(samples[name], MonteCarloConfig(n_paths=3000, seed=1))
    att = res.attribution
    applicable = {c["id"] for c in att["causes"] if c["applicable"]}
    for c in att["causes"]:
        assert c["applicable"] == (c["reason"] is None)
    assert "crypto" not in applicable  # no sample deal holds crypto collateral
    for t, tr in zip(att["tranches"], res.tranches, strict=True):
        assert set(t["causes"]) == applicable
        by = t["causes"].values()
        pd_, el = tr["probability_of_default"], tr["expected_loss"]
        assert t["defaults"] == round(pd_ * 3000)
        assert math.isclose(sum(v["probability_of_default"] for v in by), pd_, abs_tol=1e-12)
        assert math.isclose(sum(v["expected_loss"] for v in by), el, rel_tol=1e-9, abs_tol=1e-15)
        if t["defaults"]:
            assert math.isclose(sum(v["share_of_defaults"] for v in by), 1.0)
        if el > 0:
            assert math.isclose(sum(v["share_of_expected_loss"] for v in by), 1.0)
    h = res.loss_histogram
    lossy = res.stats.loss.sum(axis=1) > EPS
    assert h["probability_of_loss"] == lossy.mean()
    if lossy.any():
        assert math.isclose(sum(h["given_loss"]), 1.0)


def test_not_applicable_drivers(samples):
    assert why_not(samples["hyperion_jv"], "floating_debt") == "all debt is fixed-rate"
    assert why_not(samples["coreweave_ddtl"], "floating_debt") is None
    assert risk_applicability(samples["hyperion_jv"], "obsolescence") == "no GPU fleet"
    assert risk_applicability(samples["xai_gpu_spv"], "obsolescence") is None
    for name in SAMPLES:
        assert risk_applicability(samples[name], "correlation") == "no crypto collateral"
        assert risk_applicability(samples[name], "lease") is None
    assert risk_applicability(samples["hyperion_jv"], "rates") == "all debt is fixed-rate"
    # TeraWulf's fixed-rate notes refinance their 2030 balloon into a floating loan (issue #12)
    assert risk_applicability(samples["terawulf_backstop"], "rates") is None
    assert risk_applicability(samples["hyperion_jv"], "unknown risk") is None


@pytest.mark.parametrize("name", SAMPLES)
def test_compiled_facts_equal_their_numpy_specification(samples, name):
    deal = samples[name]
    sized = compile_deal(deal)
    m = replace(MarketModel(), rate_vol=0.03, btc_vol=0.8)
    drv, _ = make_drivers(sized, m, 9, 400)
    c = compile_deal(deal, drv, sized=sized)
    inp = c.inputs
    n, T = 400, inp.n_periods
    if inp.n_paths < n:
        inp = inp.with_paths(revenue=np.broadcast_to(inp.revenue, (n, T)))
    out = run_waterfall(inp)
    K = inp.n_tranches
    args = causes.base_rows(sized)
    first, ltv, crypto, gaps = causes.path_facts_numpy(out, inp, *args, EPS)
    got_first, got_ltv, got_crypto = (
        np.empty((n, K), np.int32),
        np.empty(n, np.int32),
        np.empty(n, np.int32),
    )
    got_gaps = np.empty((n, K, len(causes.GAPS)))
    from core.engine.arrays import (
        FLAG_ACCELERATED,
        FLAG_CRYPTO_SOLD,
        FLAG_LTV_BREACH,
        FLAG_MARGIN_CALL,
    )

    def rows(a):
        return np.ascontiguousarray(np.broadcast_to(a, (n, T)), dtype=np.float64)

    from core.risk.mcstats import path_reduce

    default, _, _ = path_reduce(out, out.writeoff.sum(axis=2), inp.notional)
    compiled_stats().path_facts(
        out.writeoff, out.shortfall, out.balance, out.flags, inp.notional, EPS,
        FLAG_ACCELERATED, FLAG_LTV_BREACH, FLAG_MARGIN_CALL | FLAG_CRYPTO_SOLD,
        rows(inp.revenue), args[0], rows(inp.base_rate), args[1], inp.floating,
        inp.year_fraction, inp.swap_float_accrual, rows(inp.proceeds), args[2],
        rows(inp.asset_value), args[3], default.view(np.uint8), got_first, got_ltv,
        got_crypto, got_gaps, 2,
    )  # fmt: skip
    assert np.array_equal(got_first, first) and np.array_equal(got_ltv, ltv)
    assert np.array_equal(got_crypto, crypto)
    np.testing.assert_allclose(got_gaps, gaps, rtol=1e-12, atol=1e-9)
    # the default of the facts is the Monte Carlo's default
    assert np.array_equal(default, first < T)
    assert (first < T).any() or name == "coreweave_ddtl"


def test_fused_causes_equal_the_staged_pipeline_with_every_driver(samples):
    """Every event kind on (a crypto deal is not among the samples: the kitchen-sink deal of
    test_mckernel covers the other branches)."""
    m = replace(MarketModel(), rate_vol=0.03, termination_hazard=0.1, p_non_renewal=0.5)
    for name in SAMPLES:
        cfg = MonteCarloConfig(n_paths=1500, seed=21, chunk_size=700, model=m)
        a = run_montecarlo(samples[name], cfg)
        b = run_montecarlo(samples[name], replace(cfg, engine="staged"))
        assert np.array_equal(a.stats.cause, b.stats.cause), name
        assert a.attribution == b.attribution


def test_the_kitchen_sink_reaches_the_causes():
    """The deal test_mckernel builds to reach every branch (crypto, floating debt, backstops,
    RVGs, renewals) gives nearly every cause, the same in the fused kernel and the staged
    steps (its equality on every model is in test_mckernel's statistics test)."""
    from tests.risk.test_mckernel import kitchen_sink

    deal = kitchen_sink()
    cfg = MonteCarloConfig(n_paths=3000, seed=4)
    a = run_montecarlo(deal, cfg)
    b = run_montecarlo(deal, replace(cfg, engine="staged"))
    assert np.array_equal(a.stats.cause, b.stats.cause)
    found = set(np.unique(a.stats.cause).tolist())
    for cause in ("tenant_default", "termination", "non_renewal", "crypto"):
        assert C[cause] in found, cause  # (rates: by construction above, on CoreWeave)


def test_every_risk_of_the_catalogue_says_what_it_acts_on(samples):
    """A new risk declares its needs (core.risk.applicability.RISK_NEEDS), so a deal without
    them shows it as not applicable rather than as a zero-loss stress."""
    from core.risk.applicability import RISK_NEEDS
    from core.risk.catalogue import risk_summary

    assert {r.id for r in RISKS} <= set(RISK_NEEDS)
    outcomes = {o.risk.id: o for o in risk_summary(samples["hyperion_jv"])}
    assert outcomes["obsolescence"].not_applicable == "no GPU fleet"
    assert outcomes["rates"].to_dict()["not_applicable"] == "all debt is fixed-rate"
    assert outcomes["lease"].not_applicable is None


def test_hyperion_termination_while_building_is_its_own_first_cause(samples):
    """gc's path (construction Hyperion, MarketModel(), seed 11, chunk 1 of 300 paths): the
    lease is terminated in period 15, before completion (period 16), on a path whose
    completion is 5 months late; the senior tranche first defaults in period 16. The event
    is not moved by the delay (the rent never started), so it came before the default: the
    first cause is the termination. The fused kernel once moved it to 15 + 5 = 20, after the
    default, and fell back to the rates gap (fixed on main in 4732807)."""
    from core.engine.arrays import FLAG_ACCELERATED
    from core.risk.montecarlo import run_chunk

    deal = samples["hyperion_jv"]
    sized = compile_deal(deal)
    cfg = MonteCarloConfig(n_paths=600, seed=11, chunk_size=300, model=MarketModel())
    lo, hi = cfg.chunk_range(1)
    drivers, _ = make_drivers(sized, cfg.model, cfg.seed, hi - lo, first_path=lo)
    compiled = compile_deal(deal, drivers, sized=sized)
    p = 204
    assert compiled.level.construction.completion == 16
    assert drivers.completion_delay[p] == 5
    events = causes.lease_events(compiled, drivers)[p]
    assert events[causes.EVENTS.index("termination")] == 15
    others = [e for e in range(causes.N_COMPILE_EVENTS) if e != causes.EVENTS.index("termination")]
    assert (events[others] == compiled.timeline.n_periods).all()  # no other lease event
    o = run_waterfall(compiled.inputs)
    hit = (o.writeoff[p, 0] > 1e-9) | (o.shortfall[p, 0] > 1e-9)
    hit |= ((o.flags[p] & FLAG_ACCELERATED) != 0) & (o.balance[p, 0] > 1e-9)
    assert int(np.argmax(hit)) == 16  # the first default: after the event, before 15 + 5
    want = causes.CODES["termination"]
    assert run_chunk(deal, sized, cfg, 1).cause[p, 0] == want
    assert run_chunk(deal, sized, replace(cfg, engine="staged"), 1).cause[p, 0] == want
