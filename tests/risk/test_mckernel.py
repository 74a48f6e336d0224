"""The fused Monte Carlo kernel (core/risk/_mckernel.pyx) against its specifications.

- its per-path compile (the engine's, core/engine/_pathcompile.pxi, with the Monte Carlo's
  drawn lease events) gives the NumPy reference compile's input rows bit for bit
  (``compile_deal(deal, drivers, sized)`` compiles drivers with core.engine.reference_compile);
- its statistics equal the staged pipeline's (the same draws through make_drivers, the
  reference compile, the Cython waterfall and chunk_stats) exactly;
- it agrees with the NumPy reference (NumPy drivers and waterfall) to rounding;
- a run does not depend on chunk size, threads or workers;
on every sample deal and on a deal built to reach every branch of the per-path compile.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.engine.arrays import PATH_FIELDS
from core.engine.compile import Drivers, compile_deal
from core.files.deal_json import load_deal
from core.model.deal import Deal
from core.risk import causes
from core.risk.errors import RiskInputError
from core.risk.montecarlo import (
    MonteCarloConfig,
    _bisect_irr,
    path_model,
    run_chunk,
    run_montecarlo,
)
from core.risk.paths import MarketModel, make_drivers
from core.risk.streams import stream_key

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
ROWS = PATH_FIELDS  # the kernel input rows compile_rows returns, in this order


def kitchen_sink() -> Deal:
    """xAI's SPV grown to reach every branch of the per-path compile: a facility, a second
    (GPU-hour, take-or-pay, escalating, re-leased) lease starting later, renewal options
    repriced at market, a termination fee, a backstop of one lease and one of both, an RVG on
    the GPUs with a term and one on a lease, two crypto blocks, and four tranches (floating,
    pari passu seniors, PIK junior with a sweep)."""
    d = load_deal(DEALS / "xai_gpu_spv.json")
    d.blocks["spv"].terms["horizon_years"] = 8.0
    d.blocks["lease"].terms.update(
        renewal_options=2, renewal_term_years=1.5, renewal_rent_pct=0.95, renewals_exercised=1
    )
    d.blocks["loan"].terms.update(notional=6000.0, tenor_years=6.0)
    d.add_block(
        "tranche",
        dict(name="Senior B", notional=2000.0, coupon=0.072, tenor_years=6.0, seniority=1),
        block_id="senior_b",
    )
    d.add_block(
        "tranche",
        dict(name="Junior PIK", notional=800.0, coupon=0.12, pik=True, amortisation="bullet",
             tenor_years=7.0, seniority=2, sweep_pct=0.5),
        block_id="junior",
    )  # fmt: skip
    for bid in ("senior_b", "junior"):
        d.connect("issues", "spv", bid)
    d.add_block(
        "facility",
        {"cost": 900.0, "life_years": 20.0, "sale_haircut": 0.2, "liquidation_haircut": 0.5},
        block_id="dc",
    )
    d.connect("owns", "spv", "dc")
    d.add_block("sponsor", {"name": "Neo-cloud", "rating": "B"}, block_id="neo")
    d.add_block(
        "lease",
        {
            "name": "GPU-hour offtake",
            "start_month": 6,
            "term_years": 3.0,
            "rent_basis": "gpu_hour",
            "gpus": 150_000,
            "price_per_gpu_hour": 2.2,
            "utilisation": 0.85,
            "take_or_pay": 0.6,
            "escalator": 0.02,
            "renewal_options": 1,
            "renewal_term_years": 1.0,
            "renewal_rent_pct": 0.9,
            "termination_fee": 150.0,
            "at_expiry": "re_lease",
            "market_rent_decline": 0.2,
        },
        block_id="offtake",
    )
    d.connect("leases_to", "spv", "offtake")
    d.connect("leases_to", "offtake", "neo")
    d.add_block("sponsor", {"name": "Backstop A", "rating": "A"}, block_id="bsa")
    d.add_block("sponsor", {"name": "Backstop B", "rating": "BBB"}, block_id="bsb")
    d.add_block(
        "guarantee", {"guarantee_type": "backstop", "cap": 600.0, "term_years": 5.0}, block_id="g1"
    )
    d.add_block("guarantee", {"guarantee_type": "backstop", "cap": 400.0}, block_id="g2")
    d.connect("guarantees", "bsa", "g1")
    d.connect("guarantees", "g1", "offtake")
    d.connect("guarantees", "bsb", "g2")
    d.connect("guarantees", "g2", "offtake")
    d.connect("guarantees", "g2", "lease")
    d.add_block(
        "guarantee",
        {"guarantee_type": "rvg", "floor_pct": 0.25, "cap": 1500.0, "term_years": 6.5},
        block_id="rvg_gpus",
    )
    d.add_block(
        "guarantee", {"guarantee_type": "rvg", "floor_pct": 0.05, "cap": 300.0}, block_id="rvg_l"
    )
    d.connect("guarantees", "xai", "rvg_gpus")
    d.connect("guarantees", "rvg_gpus", "gpus")
    d.connect("guarantees", "xai", "rvg_l")
    d.connect("guarantees", "rvg_l", "lease")
    for bid, units in (("btc", 15_000.0), ("btc2", 5_000.0)):
        d.add_block("crypto", {"units": units, "price": 90_000.0}, block_id=bid)
        d.connect("owns", "spv", bid)
        d.connect("secures", bid, "loan")
    return d


@pytest.fixture(scope="module")
def deals() -> dict[str, Deal]:
    out = {p.stem: load_deal(p) for p in sorted(DEALS.glob("*.json"))}
    out["kitchen_sink"] = kitchen_sink()
    return out


MODELS = {
    "default": MarketModel(),
    "stressed": MarketModel(
        lease_events=True,
        gen_surprise_rate=3.0,
        value_beta=0.7,
        extra_rent_deflation=0.1,
        termination_hazard=0.2,
        p_non_renewal=0.5,
        residual_haircut_sd=0.4,
    ),
    "no_events": MarketModel(lease_events=False),
    "deterministic": MarketModel.deterministic(),
}
DEAL_NAMES = ["coreweave_ddtl", "hyperion_jv", "terawulf_backstop", "xai_gpu_spv", "kitchen_sink"]


def assert_compile_rows_equal(deal, sized, model, seed: int, first: int, n: int) -> None:
    """The kernel's input rows, RVG and backstop payments and stress shares of paths
    ``first .. first + n - 1`` equal the reference compile's on make_drivers' drivers, bit for
    bit."""
    T = sized.inputs.n_periods
    rows = np.empty((n, len(ROWS), T))
    rvg, backstop, share = np.empty(n), np.empty(n), np.empty(n)
    path_model(sized, model).compile_rows(stream_key(seed), first, rows, rvg, backstop, share)
    drv, want_share = make_drivers(sized, model, seed, n, first_path=first)
    c = compile_deal(deal, drv, sized=sized)
    for j, field in enumerate(ROWS):
        got = getattr(c.inputs, field)  # None: a mechanic the deal does not use (zeros)
        want = np.broadcast_to(np.zeros((1, T)) if got is None else got, (n, T))
        assert np.array_equal(rows[:, j], want), field
    want_rvg, want_bs = np.zeros(n), np.zeros(n)  # summed in deal order, as run_chunk does
    for g in deal.of_kind("guarantee"):
        if g.id in c.guarantee_paid:
            paid = np.broadcast_to(c.guarantee_paid[g.id], (n,))
            if g.terms["guarantee_type"] == "rvg":
                want_rvg += paid
            elif g.terms["guarantee_type"] == "backstop":
                want_bs += paid
    assert np.array_equal(rvg, want_rvg) and np.array_equal(backstop, want_bs)
    assert np.array_equal(share, want_share)


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("name", DEAL_NAMES)
def test_per_path_compile_equals_compile_deal(deals, name, model):
    deal = deals[name]
    assert_compile_rows_equal(deal, compile_deal(deal), MODELS[model], 4, 1000, 400)


def test_kitchen_sink_reaches_the_branches(deals):
    """The deal above really exercises what it is for (else the equality test proves little)."""
    deal, m = deals["kitchen_sink"], MODELS["stressed"]
    sized = compile_deal(deal)
    drv, _ = make_drivers(sized, m, 4, 2000)
    c = compile_deal(deal, drv, sized=sized)
    assert (c.guarantee_paid["g1"] > 0).any() and (c.guarantee_paid["g2"] > 0).any()
    assert (c.guarantee_paid["rvg_gpus"] > 0).any() and (c.guarantee_paid["rvg_l"] > 0).any()
    cash, T = c.lease_cash["offtake"], sized.timeline.n_periods
    assert (~cash.defaulted & (cash.end < T)).any()  # terminations (walk-away) and non-renewals
    assert cash.defaulted.any() and (drv.counterparties["neo"] < T).any()  # its tenant's default
    assert len(set(drv.leases["lease"]["renewals"].tolist())) == 3  # 0, 1 or 2 options
    assert len(np.unique(c.sale_period)) > 3


def _stats_equal(a, b) -> None:
    for f in ("loss", "default", "min_dscr", "equity_irr", "rvg_paid", "backstop_paid"):
        assert np.array_equal(getattr(a, f), getattr(b, f), equal_nan=f != "default"), f
    for f in ("stress_share", "dscr_hist", "cfads_hist", "cause"):
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    assert a.breaches.keys() == b.breaches.keys()
    for k in a.breaches:
        assert np.array_equal(a.breaches[k], b.breaches[k]), k


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("name", DEAL_NAMES)
def test_fused_statistics_equal_the_staged_pipeline(deals, name, model):
    deal = deals[name]
    sized = compile_deal(deal)
    cfg = MonteCarloConfig(n_paths=1200, seed=11, chunk_size=600, model=MODELS[model])
    fused = run_chunk(deal, sized, cfg, 1)
    staged = run_chunk(deal, sized, replace(cfg, engine="staged"), 1)
    _stats_equal(fused, staged)


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_fused_agrees_with_the_numpy_reference(deals, name):
    assert_fused_agrees_with_reference(deals[name])


def assert_fused_agrees_with_reference(deal: Deal) -> None:
    """NumPy's drivers differ from the compiled ones by a few ulps (its SIMD exp), so per-path
    values agree to rounding; a path whose default sits exactly on an edge could flip."""
    sized = compile_deal(deal)
    cfg = MonteCarloConfig(n_paths=300, seed=2, chunk_size=300)
    fused = run_chunk(deal, sized, cfg, 0)
    ref = run_chunk(deal, sized, replace(cfg, engine="reference"), 0)
    notional = sized.inputs.notional
    np.testing.assert_allclose(fused.loss, ref.loss, rtol=1e-7, atol=1e-6 * notional.max())
    assert (fused.default != ref.default).mean() <= 0.01
    np.testing.assert_allclose(fused.min_dscr, ref.min_dscr, rtol=1e-7, atol=1e-9)
    finite = np.isfinite(fused.equity_irr) & np.isfinite(ref.equity_irr)
    assert finite.mean() >= 0.99 * np.isfinite(ref.equity_irr).mean()
    np.testing.assert_allclose(fused.equity_irr[finite], ref.equity_irr[finite], atol=1e-7)
    assert np.array_equal(fused.stress_share, ref.stress_share)
    np.testing.assert_allclose(fused.rvg_paid, ref.rvg_paid, rtol=1e-7, atol=1e-6)


def _without_chunk(js: str) -> dict:
    d = json.loads(js)
    d.pop("chunk_size")
    return d


def test_result_depends_only_on_seed_and_paths(deals):
    """Every path has its own stream: chunk size, OpenMP threads, worker threads and chunk
    order change nothing, to the byte."""
    deal = deals["kitchen_sink"]
    base = MonteCarloConfig(n_paths=1500, seed=9, chunk_size=1500, workers=1)
    want = _without_chunk(run_montecarlo(deal, base).to_json())
    for cfg in (
        replace(base, chunk_size=256),
        replace(base, chunk_size=700, workers=2),
        replace(base, chunk_size=1500, n_threads=2),
        replace(base, chunk_size=333, workers=2, n_threads=1),
    ):
        assert _without_chunk(run_montecarlo(deal, cfg).to_json()) == want, cfg
    other = _without_chunk(run_montecarlo(deal, replace(base, seed=10)).to_json())
    assert other != want


def test_bisection_fallback_reruns_the_right_paths(deals):
    """Where Newton settles, bisection on the paths' cash flows rerun through the staged
    pipeline gives the same IRR: the fallback computes the IRR of the right paths."""
    deal = deals["xai_gpu_spv"]
    sized = compile_deal(deal)
    cfg = MonteCarloConfig(n_paths=200, seed=3, chunk_size=200)
    stats = run_chunk(deal, sized, cfg, 0)
    ppy = sized.timeline.periods_per_year
    paths = np.flatnonzero(np.isfinite(stats.equity_irr))[:6]
    assert len(paths) == 6
    periodic = (1.0 + stats.equity_irr[paths]) ** (1.0 / ppy) - 1.0
    np.testing.assert_allclose(_bisect_irr(deal, sized, cfg, paths), periodic, atol=1e-10)


def test_no_equity_gives_no_irr(deals):
    deal = load_deal(DEALS / "xai_gpu_spv.json")
    deal.blocks["valor"].terms["amount"] = 0.0
    sized = compile_deal(deal)
    stats = run_chunk(deal, sized, MonteCarloConfig(n_paths=50, seed=1, chunk_size=50), 0)
    assert np.isnan(stats.equity_irr).all()
    _stats_equal(stats, run_chunk(deal, sized, MonteCarloConfig(50, 1, 50, engine="staged"), 0))


def test_compile_decides_the_last_lease_per_path():
    """Two leases, one sold and one re-leased at expiry: on each path the one that ends last
    decides, and a path's rows do not depend on the other paths compiled with it."""
    d = load_deal(DEALS / "xai_gpu_spv.json")
    d.blocks["spv"].terms["horizon_years"] = 8.0
    d.blocks["lease"].terms["term_years"] = 4.0  # sold at expiry
    d.add_block(
        "lease",
        {"annual_rent": 500.0, "term_years": 5.0, "at_expiry": "re_lease"},
        block_id="relet",
    )
    d.connect("leases_to", "spv", "relet")
    d.connect("leases_to", "relet", "xai")
    sized = compile_deal(d)
    T = sized.timeline.n_periods
    early = np.array([T, 24])  # path 1: the re-leased lease ends at month 24, before the other
    drv = Drivers(n_paths=2, leases={"relet": {"termination": early}})
    both = compile_deal(d, drv, sized=sized)
    commercial_end = sized.timeline.periods(6.0)
    assert both.sale_period.tolist() == [commercial_end, 48]  # re-leased to its life; sold
    alone = compile_deal(
        d, Drivers(n_paths=1, leases={"relet": {"termination": early[1:]}}), sized=sized
    )
    for field in ROWS:
        if getattr(both.inputs, field) is None:
            continue
        got = np.broadcast_to(getattr(both.inputs, field), (2, T))[1]
        assert np.array_equal(got, np.broadcast_to(getattr(alone.inputs, field), (1, T))[0])


def test_bad_inputs_are_named(deals):
    sized = compile_deal(deals["xai_gpu_spv"])
    pm = path_model(sized, MarketModel())
    K, T = sized.inputs.n_tranches, sized.inputs.n_periods
    n = 4
    ok = dict(
        loss=np.empty((n, K)), default=np.empty((n, K), np.uint8), min_dscr=np.empty(n),
        anyflag=np.empty(n, np.int32), irr=np.empty(n), irr_sign=np.empty(n, np.uint8),
        rvg=np.empty(n), backstop=np.empty(n), share=np.empty(n),
        dscr_hist=np.zeros((1, T, 1002), np.int64), cfads_hist=np.zeros((1, T, 1602), np.int64),
    )  # fmt: skip
    facts = dict(
        first=np.empty((n, K), np.int32), events=np.empty((n, len(causes.EVENTS)), np.int32),
        gaps=np.empty((n, K, 3)),
    )  # fmt: skip
    key = stream_key(0)
    pm.run(key, 0, *ok.values(), 1, **facts)
    bad = dict(ok, irr=np.empty(n + 1))
    with pytest.raises(ValueError, match="irr must have 4 rows"):
        pm.run(key, 0, *bad.values(), 1, **facts)
    bad = dict(ok, cfads_hist=np.zeros((1, T, 7), np.int64))
    with pytest.raises(ValueError, match="cfads_hist"):
        pm.run(key, 0, *bad.values(), 1, **facts)
    with pytest.raises(ValueError, match="events"):
        pm.run(key, 0, *ok.values(), 1, **dict(facts, events=np.empty((n, 4), np.int32)))
    with pytest.raises(ValueError, match="gaps"):
        pm.run(key, 0, *ok.values(), 1, **dict(facts, gaps=np.empty((n, K, 2))))
    with pytest.raises(ValueError, match="key"):
        pm.run(key[:3], 0, *ok.values(), 1, **facts)
    with pytest.raises(ValueError, match="n_threads"):
        pm.run(key, 0, *ok.values(), 0, **facts)
    with pytest.raises(RiskInputError, match="engine"):
        run_montecarlo(deals["xai_gpu_spv"], MonteCarloConfig(n_paths=10, engine="fortran"))


def test_histograms_count_every_finite_value(deals):
    """One slab per thread, summed: each period's DSCR histogram counts the paths with a
    finite DSCR there and debt outstanding after it, whatever the number of threads."""
    deal = deals["hyperion_jv"]
    sized = compile_deal(deal)
    cfg = MonteCarloConfig(n_paths=500, seed=5, chunk_size=500, n_threads=2)
    a = run_chunk(deal, sized, cfg, 0)
    b = run_chunk(deal, sized, replace(cfg, n_threads=1), 0)
    assert np.array_equal(a.dscr_hist, b.dscr_hist)
    drv, _ = make_drivers(sized, cfg.model, 5, 500)
    from core.engine.kernel import run_waterfall

    out = run_waterfall(compile_deal(deal, drv, sized=sized).inputs)
    owed = out.balance.sum(axis=1) > 1e-6
    assert a.dscr_hist.sum(axis=1).tolist() == (np.isfinite(out.dscr) & owed).sum(0).tolist()
    assert a.cfads_hist.sum(axis=1).tolist() == owed.sum(axis=0).tolist()
    assert 0 < owed.sum() < 500 * sized.inputs.n_periods  # some paths repay before the end


@pytest.mark.parametrize("name", ["kitchen_sink", "terawulf_backstop"])
def test_fused_equals_staged_on_a_stressed_deal_sized_on_the_base_case(deals, name):
    """How the scenario bar and ``--scenario`` run it: the stressed deal against the
    unstressed deal's debt schedules (``sized_on``), with dates fixed on the deal."""
    from core.risk.montecarlo import base_case
    from core.risk.stress import Stress, apply_stress

    deal = deals[name]
    stress = Stress(rent_deflation=0.35, residual_haircut=0.2, termination_year=3.0,
                    tenant_default_year=5.0, base_rate_shock=0.02)  # fmt: skip
    stressed = apply_stress(deal, stress)
    sized = base_case(stressed, sized_on=deal)
    assert np.array_equal(
        sized.inputs.scheduled_principal, compile_deal(deal).inputs.scheduled_principal
    )
    cfg = MonteCarloConfig(n_paths=800, seed=13, chunk_size=800)
    fused = run_chunk(stressed, sized, cfg, 0)
    _stats_equal(fused, run_chunk(stressed, sized, replace(cfg, engine="staged"), 0))
    a = run_montecarlo(stressed, cfg, sized_on=deal)
    b = run_montecarlo(stressed, replace(cfg, engine="staged"), sized_on=deal)
    assert a.to_json() == b.to_json()


def test_bisection_fallback_in_spans_gives_each_path_the_same_irr(deals, monkeypatch):
    """Paths far apart are rerun in spans of at most IRR_RERUN_SPAN paths (bounded memory): the
    IRRs are the ones Newton found on the same paths, as with one span."""
    import core.risk.montecarlo as mc

    deal = deals["xai_gpu_spv"]
    sized = compile_deal(deal)
    cfg = MonteCarloConfig(n_paths=200, seed=3, chunk_size=200)
    stats = run_chunk(deal, sized, cfg, 0)
    ppy = sized.timeline.periods_per_year
    finite = np.flatnonzero(np.isfinite(stats.equity_irr))
    paths = np.concatenate([finite[:3], finite[-3:]])
    assert paths[-1] - paths[0] > 16
    periodic = (1.0 + stats.equity_irr[paths]) ** (1.0 / ppy) - 1.0
    calls = []
    span = mc._bisect_span
    monkeypatch.setattr(mc, "IRR_RERUN_SPAN", 16)
    monkeypatch.setattr(mc, "_bisect_span", lambda *a: calls.append(a[3]) or span(*a))
    np.testing.assert_allclose(_bisect_irr(deal, sized, cfg, paths), periodic, atol=1e-10)
    assert len(calls) >= 2 and all(c.max() - c.min() < 16 for c in calls)


def test_a_stress_sized_on_the_base_case_refinances_on_its_own_cash_flows(deals):
    """The refinancing lender sizes on the stressed contract as it stands (the deal's own base
    case), not on the unstressed deal its debt was sized on: a stressed TeraWulf whose
    terminated halls are re-let gave different losses on 110 of 800 paths in the fused kernel
    (which sized on the stressed base case) and the staged pipeline (which sized on the
    unstressed one)."""
    from core.risk.montecarlo import base_case
    from core.risk.stress import Stress, apply_stress

    deal = deals["terawulf_backstop"].copy()
    for lease in deal.of_kind("lease"):
        lease.terms["at_expiry"] = "re_lease"
    stressed = apply_stress(deal, Stress(rent_deflation=0.35, termination_year=3.0))
    sized = base_case(stressed, sized_on=deal)
    own, unstressed = compile_deal(stressed).inputs, compile_deal(deal).inputs
    ebitda = own.revenue[0] - own.opex[0] - own.fees[0]  # no tax on this deal
    assert own.tax_rate == 0.0
    np.testing.assert_array_equal(sized.inputs.refi_cfads, ebitda)
    assert not np.allclose(sized.inputs.refi_cfads, unstressed.refi_cfads)
    cfg = MonteCarloConfig(n_paths=800, seed=13, chunk_size=800)
    fused = run_chunk(stressed, sized, cfg, 0)
    _stats_equal(fused, run_chunk(stressed, sized, replace(cfg, engine="staged"), 0))
