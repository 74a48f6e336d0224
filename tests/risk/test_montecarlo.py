"""Monte Carlo: zero volatility = deterministic engine, reproducibility, exact chunk merge,
monotone expected loss, statistics against raw per-path values, progress and cancel."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.engine.arrays import (
    FLAG_ACCELERATED,
    FLAG_DSCR_DEFAULT,
    FLAG_PAYMENT_DEFAULT,
)
from core.engine.compile import Drivers, compile_deal
from core.engine.kernel import run_waterfall
from core.engine.metrics import annualise, irr
from core.engine.results import run_deal
from core.risk.mcstats import DSCR_EDGES, Bins, equity_irr, merge
from core.risk.montecarlo import (
    MonteCarloCancelled,
    MonteCarloConfig,
    build_result,
    run_chunk,
    run_montecarlo,
)
from core.risk.paths import MarketModel
from core.risk.stress import Stress, apply_stress
from tests.risk.conftest import SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_zero_volatility_reproduces_the_deterministic_engine(samples, name):
    deal = samples[name]
    base = run_deal(deal)
    cfg = MonteCarloConfig(n_paths=7, seed=1, chunk_size=3, model=MarketModel.deterministic())
    res = run_montecarlo(deal, cfg)
    s = res.stats
    assert s.n == 7 and s.min_dscr.shape == (7,) and s.loss.shape[0] == 7
    # min DSCR over the periods after which debt is outstanding (the base case's own table)
    owed = base.debt_outstanding.to_numpy() > 1e-6
    assert np.all(s.min_dscr == np.nanmin(np.where(owed, base.periods["dscr"], np.nan)))
    assert np.allclose(s.equity_irr, base.metrics["equity_irr"], rtol=0, atol=1e-10)
    assert np.all(s.loss == base.tranche_metrics["loss"].to_numpy()[None, :])
    # every compiled input is the base case's, on every path
    sized = compile_deal(deal)
    drv_cfg = MonteCarloConfig(n_paths=4, model=MarketModel.deterministic())
    from core.risk.paths import make_drivers

    drv, _ = make_drivers(sized, drv_cfg.model, 0, 4)
    compiled = compile_deal(deal, drv, sized=sized)
    for f in ("revenue", "opex", "proceeds", "asset_value", "liquidation_value", "base_rate"):
        a, b = getattr(compiled.inputs, f), getattr(sized.inputs, f)
        assert np.array_equal(
            np.broadcast_to(a, (4, a.shape[1])), np.broadcast_to(b, (4, a.shape[1]))
        )


def test_paths_share_the_base_case_sizing(samples):
    """Sculpted schedules and the DSRA target come from the base case, not from path 0."""
    deal = samples["hyperion_jv"]
    sized = compile_deal(deal)
    T = sized.timeline.n_periods
    rent = np.ones((3, T))
    rent[0] = 0.3  # path 0 is a disaster; sizing must not see it
    compiled = compile_deal(deal, Drivers(n_paths=3, rent_factor=rent))
    assert np.array_equal(compiled.inputs.scheduled_principal, sized.inputs.scheduled_principal)
    assert np.array_equal(compiled.inputs.dsra_target, sized.inputs.dsra_target)
    assert compiled.inputs.dsra_initial == sized.inputs.dsra_initial


def test_same_seed_byte_identical_and_chunk_order_irrelevant(samples):
    deal = samples["terawulf_backstop"]
    cfg = MonteCarloConfig(n_paths=900, seed=42, chunk_size=250)
    a = run_montecarlo(deal, cfg).to_json()
    assert a == run_montecarlo(deal, cfg).to_json()
    assert a != run_montecarlo(deal, replace(cfg, seed=43)).to_json()
    sized = compile_deal(deal)
    chunks = [run_chunk(deal, sized, cfg, i) for i in reversed(range(cfg.n_chunks))]
    assert build_result(sized, cfg, merge(chunks)).to_json() == a
    # neither kernel threads nor chunks run at once change anything
    assert run_montecarlo(deal, replace(cfg, n_threads=1, workers=1)).to_json() == a
    assert run_montecarlo(deal, replace(cfg, n_threads=2, workers=1)).to_json() == a
    assert run_montecarlo(deal, replace(cfg, workers=2)).to_json() == a


def test_pd_el_lgd_match_raw_per_path_outputs(samples):
    """The chunk statistics against the engine's raw outputs for the same drivers."""
    deal = samples["xai_gpu_spv"]
    cfg = MonteCarloConfig(n_paths=600, seed=5, chunk_size=600)
    res = run_montecarlo(deal, cfg)
    sized = compile_deal(deal)
    from core.risk.paths import make_drivers

    drv, _ = make_drivers(sized, cfg.model, 5, 600)  # paths 0..599 of the run with seed 5
    out = run_waterfall(compile_deal(deal, drv, sized=sized).inputs)
    loss = out.writeoff[:, 0].sum(axis=1)
    n0 = sized.inputs.notional[0]
    t = res.tranches[0]
    assert t["expected_loss"] == pytest.approx(loss.mean() / n0, rel=1e-12)
    short = (out.shortfall[:, 0] > 1e-6).any(axis=1)
    accel = ((out.flags & 16) != 0).any(axis=1)  # one tranche: outstanding until repaid
    assert t["probability_of_default"] >= max(short.mean(), (loss > 1e-6).mean())
    assert t["probability_of_default"] <= (short | accel | (loss > 1e-6)).mean()
    assert t["loss_given_default"] == pytest.approx(
        t["expected_loss"] / t["probability_of_default"]
    )
    owed = out.balance.sum(axis=1) > 1e-6  # debt outstanding after the period
    dscr = np.where(owed & np.isfinite(out.dscr), out.dscr, np.nan)
    some = np.isfinite(dscr).any(axis=1)  # paths with a coverage test while debt is owed
    mn = np.nanmin(dscr[some], axis=1)
    assert res.min_dscr["p50"] == pytest.approx(np.percentile(mn, 50))
    # fan chart from fixed bins: within one bin (0.005x) of the exact per-period median
    periods = np.isfinite(dscr).any(axis=0)
    exact = np.full(dscr.shape[1], np.nan)
    exact[periods] = np.nanpercentile(dscr[:, periods], 50, axis=0)
    fan = np.array(res.fan["dscr"]["p50"], dtype=float)
    ok = np.isfinite(exact) & (exact > 0) & (exact < 5)
    assert np.all(np.abs(fan[ok] - exact[ok]) <= DSCR_EDGES[1] + 1e-12)


def test_equity_irr_newton_matches_bisection():
    rng = np.random.default_rng(1)
    flows = np.concatenate([-np.full((50, 1), 100.0), rng.uniform(0, 3, (50, 120))], axis=1)
    flows[0, 1:] = 0.0  # no sign change -> NaN
    got = equity_irr(flows, 12)
    want = annualise(irr(flows), 12, effective=True)
    assert np.isnan(got[0]) and np.isnan(want[0])
    assert np.allclose(got[1:], want[1:], rtol=0, atol=1e-9)


def test_histogram_quantiles_on_known_values():
    b = Bins(np.linspace(0.0, 1.0, 101))
    v = np.linspace(0.0, 0.999, 1000)[:, None]
    q = b.quantiles(b.counts(v), [0.1, 0.5, 0.9])
    assert np.allclose(q[:, 0], [0.1, 0.5, 0.9], atol=0.01)


def _el(deal, cfg, sized_on=None):
    return run_montecarlo(deal, cfg, sized_on=sized_on).tranches[0]["expected_loss"]


def test_expected_loss_increases_with_haircut_and_rent_deflation(samples):
    """Common random numbers (same seed): EL is non-decreasing in each input and rises overall."""
    deal = samples["hyperion_jv"]
    # random-walk data-centre rent (no mean reversion): some paths breach the DSCR default
    # covenant mid-life and are liquidated, so the forced-sale haircut reaches the loss
    model = replace(MarketModel(), facility_rent_reversion=0.0)
    cfg = MonteCarloConfig(n_paths=400, seed=8, chunk_size=400, model=model)
    hair = [
        _el(apply_stress(deal, Stress(liquidation_haircut=h)), cfg, deal)
        for h in (0, 0.3, 0.6, 0.9)
    ]
    assert all(b >= a - 1e-12 for a, b in zip(hair, hair[1:], strict=False))
    assert hair[-1] > hair[0]
    xai = samples["xai_gpu_spv"]
    cfg = replace(cfg, model=MarketModel())
    rents = [
        _el(xai, replace(cfg, model=replace(cfg.model, extra_rent_deflation=r)))
        for r in (0.0, 0.2, 0.4, 0.6)
    ]
    assert all(b >= a - 1e-12 for a, b in zip(rents, rents[1:], strict=False))
    assert rents[-1] > rents[0]


def test_progress_and_cancel(samples):
    deal = samples["coreweave_ddtl"]
    cfg = MonteCarloConfig(n_paths=250, seed=1, chunk_size=100, workers=1)
    seen = []
    run_montecarlo(deal, cfg, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(100, 250), (200, 250), (250, 250)]
    seen.clear()  # threaded: chunks finish in any order, the count still rises to the total
    run_montecarlo(deal, replace(cfg, workers=2), progress=lambda d, t: seen.append(d))
    assert len(seen) == 3 and seen == sorted(seen) and seen[-1] == 250
    with pytest.raises(MonteCarloCancelled):
        run_montecarlo(deal, replace(cfg, workers=2), cancel=lambda: True)
    calls = []

    def cancel():
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(MonteCarloCancelled, match="after 1 of 3"):
        run_montecarlo(deal, cfg, cancel=cancel)


@pytest.mark.parametrize(
    "kw",
    [
        {"n_paths": 0},
        {"chunk_size": -1},
        {"seed": -3},
        {"n_paths": 2.5},
        {"workers": 0},
        {"n_threads": 0},
    ],
)
def test_bad_config_is_a_clear_error(samples, kw):
    with pytest.raises(ValueError, match="must be"):
        run_montecarlo(samples["coreweave_ddtl"], MonteCarloConfig(**kw))


def test_bad_market_model_names_the_parameter():
    with pytest.raises(ValueError, match="rho_stress"):
        MarketModel.from_dict({"rho_stress": 1.5})
    with pytest.raises(ValueError, match="unknown parameter 'btc'"):
        MarketModel.from_dict({"btc": 0.5})
    with pytest.raises(ValueError, match="rent_vol must be a number"):
        MarketModel.from_dict({"rent_vol": "high"})
    with pytest.raises(ValueError, match="lease_events must be true or false"):
        MarketModel.from_dict({"lease_events": "yes"})
    with pytest.raises(ValueError, match="gen_surprise_rate must be at most 12 a year"):
        MarketModel.from_dict({"gen_surprise_rate": 1e6})


def test_memory_does_not_grow_with_paths(samples):
    """Peak traced memory is one chunk's worth plus ~100 bytes of statistics a path."""
    import tracemalloc

    deal = samples["xai_gpu_spv"]
    peaks = []
    for n in (512, 4096):
        tracemalloc.start()
        run_montecarlo(deal, MonteCarloConfig(n_paths=n, seed=1, chunk_size=256, workers=1))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    per_path_kept = 200  # bytes: generous bound on the per-path scalars
    assert peaks[1] - peaks[0] < (4096 - 512) * per_path_kept + 2_000_000


def test_histogram_counts_match_numpy_histogram():
    rng = np.random.default_rng(4)
    v = rng.normal(0.5, 0.4, (3000, 7))
    v[::50, 2] = np.nan
    b = Bins(np.linspace(0.0, 1.0, 41))
    c = b.counts(v)
    for t in range(7):
        col = v[:, t][np.isfinite(v[:, t])]
        inner = np.histogram(col[(col >= 0) & (col < 1)], b.edges)[0]
        assert np.array_equal(c[t, 1:-1], inner)
        assert c[t, 0] == (col < 0).sum() and c[t, -1] == (col >= 1).sum()


def test_a_planned_sale_redeems_the_bonds_without_an_acceleration(samples):
    """Hyperion with the lease ending at each renewal date (years 4 to 20 of operations) and
    the RVG set back to a 70% floor, $8B cap, 16 years, so that early lease ends lose money.
    The planned sale winds the SPV up: the sale, the RVG and the released DSRA redeem the
    bonds in the sale quarter and what they leave unpaid is written off then (a payment
    default on the redemption). A redemption is not accelerated, so no path is. Before, the
    DSRA stayed back, the trailing DSCR of the sale quarter accelerated what was left and the
    DSRA repaid it a quarter later: an acceleration with nothing missed, counted in PD. A
    path defaults exactly when it loses."""
    deal = samples["hyperion_jv"].copy()
    for name, value in (("floor_pct", 0.7), ("cap", 8000.0), ("term_years", 16.0)):
        deal.set_term("rvg", name, value)
    sized = compile_deal(deal)
    T = sized.timeline.n_periods
    P = 6
    never = np.full(P, T)
    leases = {"lease": {"renewals": np.arange(P), "termination": never, "tenant_default": never}}
    compiled = compile_deal(deal, Drivers(n_paths=P, leases=leases), sized=sized)
    out = run_waterfall(compiled.inputs)
    from core.risk.mcstats import chunk_stats
    from core.risk.montecarlo import cfads_bins

    s = chunk_stats(
        0, out, sized.inputs.notional, 2500.0, 4, cfads_bins(sized), np.zeros(P), np.zeros(P),
        np.zeros(P),
    )  # fmt: skip
    assert not (out.flags & FLAG_ACCELERATED).any()
    loss = s.loss[:, 0] > 1e-6
    assert np.array_equal(s.default[:, 0], loss)
    # a redemption the sale cannot pay is a payment default (and its DSCR is below the level)
    missed = (out.flags & FLAG_PAYMENT_DEFAULT) != 0
    assert np.array_equal(missed.any(axis=1), loss)
    assert np.array_equal((out.flags & FLAG_DSCR_DEFAULT) != 0, missed)
    assert loss[0] and not loss[-1]  # year 4 of operations loses; the lease to the horizon not
    proceeds = np.broadcast_to(compiled.inputs.proceeds, (P, T))
    for p in np.flatnonzero(loss):
        (sale,) = np.flatnonzero(proceeds[p])
        assert out.cfads[p, sale] == 0.0  # the lease has ended: no rent in the sale quarter
        # hand: what is owed (balance + the quarter's coupon) less the sale + RVG and the DSRA
        owed = out.balance[p, 0, sale - 1] + out.interest_due[p, 0, sale]
        left = owed - proceeds[p, sale] - out.dsra_balance[p, sale - 1]
        assert out.writeoff[p, 0, sale] == pytest.approx(left, rel=1e-12)
        assert out.balance[p, 0, sale] == 0.0 and out.dsra_balance[p, sale] == 0.0


@pytest.mark.parametrize("name", SAMPLES)
def test_compiled_path_reduce_equals_the_numpy_reference(samples, name):
    from core.risk.mcstats import path_reduce, path_reduce_numpy
    from core.risk.paths import make_drivers

    deal = samples[name]
    sized = compile_deal(deal)
    model = replace(MarketModel(), facility_rent_reversion=0.0)  # more breaches and defaults
    drv, _ = make_drivers(sized, model, 3, 500)
    out = run_waterfall(compile_deal(deal, drv, sized=sized).inputs)
    loss = out.writeoff.sum(axis=2)
    want = path_reduce_numpy(out, loss, sized.inputs.notional)
    for threads in (1, 2):
        got = path_reduce(out, loss, sized.inputs.notional, threads)
        assert np.array_equal(got[0], want[0])
        assert np.array_equal(got[1], want[1], equal_nan=True)
        assert np.array_equal(got[2], want[2])
    assert want[0].any()  # the comparison covers defaulting paths


def test_histogram_counts_do_not_depend_on_threads():
    from core.risk import mcstats

    rng = np.random.default_rng(6)
    v = rng.normal(1.2, 0.8, (2000, 30))
    v[::7, 3] = np.nan
    v[::11, 5] = np.inf
    b = Bins(np.linspace(0.0, 5.0, 1001))
    counts = []
    for threads in (1, 2):
        out = np.empty((30, 1002), dtype=np.int64)
        e = b.edges
        mcstats.compiled_stats().hist_counts(v, 0.0, (e[-1] - e[0]) / 1000, 1001, out, threads)
        counts.append(out)
    assert np.array_equal(counts[0], counts[1])
    assert np.array_equal(counts[0], b.counts(v))
