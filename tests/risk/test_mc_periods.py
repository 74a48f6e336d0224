"""The Monte Carlo in every period length (issue #12): annual runs, its fused kernel equals the
staged specification, and with every driver off (``--model deterministic``) it gives the equity
IRR ``run`` gives on every sample deal and on the issue's long deals, monthly, quarterly and
annual; its Newton IRR gives each tranche's yield as ``run`` does.

Expected IRRs come from a bisection written here on the flows, not from the code under test."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.model.deal import Deal
from core.risk.mcstats import compiled_stats
from core.risk.montecarlo import MonteCarloConfig, run_chunk, run_montecarlo
from core.risk.paths import MarketModel
from tests.engine.deal_builders import simple_deal
from tests.risk.test_mckernel import _stats_equal, assert_fused_agrees_with_reference, kitchen_sink

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLES = sorted(p.stem for p in DEALS.glob("*.json"))
PERIODS = ("monthly", "quarterly", "annual")


def in_period(deal: Deal, period: str) -> Deal:
    deal.set_term(deal.of_kind("spv")[0].id, "period", period)
    return deal


def long_deal(period: str) -> Deal:
    """The issue's shape: 180 months (15 years) whose lease ends in year 14, so the flows end
    in zeros; 100 of 8% debt over 10 years, equity 25, rent 30 a year."""
    d = simple_deal(horizon_years=15, tenor_years=10, notional=100.0, coupon=0.08,
                    annual_rent=30.0, period=period, lease={"term_years": 14})  # fmt: skip
    d.set_term("eq", "amount", 25.0)
    return d


def par_annuity(period: str) -> Deal:
    """A 6% 30/360 annuity of 100 over 15 years in a 20-year horizon, fully paid: bought at par
    its yield is its coupon."""
    return simple_deal(horizon_years=20, tenor_years=15, notional=100.0, coupon=0.06,
                       annual_rent=40.0, period=period, lease={"term_years": 20})  # fmt: skip


def bisect_irr(cf: np.ndarray) -> float:
    """Periodic IRR by plain bisection on the NPV, written for the test (float64 NPV by a
    Python sum of c * v^i with v = 1 / (1 + r), fine at any rate a deal's IRR takes)."""

    def npv(r: float) -> float:
        v = 1.0 / (1.0 + r)
        return sum(float(c) * v**i for i, c in enumerate(cf))

    lo, hi = -0.9, 5.0
    if npv(lo) * npv(hi) >= 0:  # TeraWulf monthly: its notes default, equity loses 91% a month
        lo = -0.99
    assert npv(lo) * npv(hi) < 0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if (npv(mid) > 0) == (npv(lo) > 0):
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _deal(name: str, period: str) -> Deal:
    if name == "long_deal":
        return long_deal(period)
    if name == "par_annuity":
        return par_annuity(period)
    return in_period(load_deal(DEALS / f"{name}.json"), period)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("name", [*SAMPLES, "long_deal", "par_annuity"])
def test_deterministic_monte_carlo_equity_irr_equals_run(name, period):
    deal = _deal(name, period)
    res = run_deal(deal)
    ppy = res.compiled.timeline.periods_per_year
    flows = res.equity_flows.sum(axis=1).to_numpy()
    by_hand = (1.0 + bisect_irr(flows)) ** ppy - 1.0
    assert res.metrics["equity_irr"] == pytest.approx(by_hand, rel=1e-9)
    for engine in ("cython", "staged", "reference"):
        cfg = MonteCarloConfig(n_paths=3, seed=1, model=MarketModel.deterministic(), engine=engine)
        mc = run_montecarlo(deal, cfg)
        for q in ("p1", "p50", "p99"):
            assert mc.equity_irr[q] == pytest.approx(res.metrics["equity_irr"], rel=1e-9), engine
        assert mc.equity_irr_undefined == 0.0


def test_long_deal_flows_end_in_zeros_and_par_annuity_yields_its_coupon():
    """The issue's two cases are what they claim: the 180-month deal's equity flows end in
    zeros (the lease ends in year 14), and the annuity's yield is 6.00% in every period."""
    res = run_deal(long_deal("monthly"))
    flows = res.equity_flows.sum(axis=1).to_numpy()
    assert len(flows) == 181 and np.all(flows[-12:] == 0.0) and flows[-13] != 0.0
    for period in PERIODS:
        res = run_deal(par_annuity(period))
        assert res.tranche_metrics["yield"].iloc[0] == pytest.approx(0.06, abs=1e-10)


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("name", [*SAMPLES, "long_deal", "par_annuity"])
def test_monte_carlo_newton_gives_run_s_tranche_yields(name, period):
    """The Monte Carlo's IRR (Newton in _pathmath.pxi) on each tranche's flows gives the yield
    ``run`` reports (bisection in core.engine.metrics), both equal to a bisection here."""
    res = run_deal(_deal(name, period))
    out, inp = res.outputs, res.compiled.inputs
    ppy = res.compiled.timeline.periods_per_year
    flows = out.interest_paid[0] + out.principal_paid[0] - out.drawn[0]  # draws lent later
    rows = [np.concatenate([[-inp.notional[k]], flows[k]]) for k in range(len(inp.notional))]
    cf = np.ascontiguousarray(np.stack(rows))
    newton = np.empty(len(rows))
    compiled_stats().irr_newton(cf, newton, 50, 1)
    for k, row in enumerate(rows):
        by_hand = bisect_irr(row) * ppy
        assert res.tranche_metrics["yield"].iloc[k] == pytest.approx(by_hand, abs=1e-10)
        assert newton[k] * ppy == pytest.approx(by_hand, abs=1e-10)


MODELS = {"default": MarketModel(), "deterministic": MarketModel.deterministic()}


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("name", [*SAMPLES, "kitchen_sink"])
def test_annual_fused_statistics_equal_the_staged_pipeline(name, model):
    """Annual periods: draws month by month, read at year ends; the fused kernel and the staged
    specification (drivers, compile, waterfall, statistics) agree bit for bit."""
    deal = in_period(
        kitchen_sink() if name == "kitchen_sink" else load_deal(DEALS / f"{name}.json"), "annual"
    )
    sized = compile_deal(deal)
    assert sized.timeline.periods_per_year == 1
    cfg = MonteCarloConfig(n_paths=400, seed=11, chunk_size=400, model=MODELS[model])
    fused = run_chunk(deal, sized, cfg, 0)
    staged = run_chunk(deal, sized, replace(cfg, engine="staged"), 0)
    _stats_equal(fused, staged)
    if model == "default":
        assert np.isfinite(fused.equity_irr).mean() > 0.5  # it ran: most paths have an IRR


def test_annual_monte_carlo_runs_and_reports_yearly_dates():
    deal = in_period(load_deal(DEALS / "hyperion_jv.json"), "annual")
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=500, seed=3))
    doc = mc.to_dict()
    dates = doc["dates"]
    assert len(dates) == compile_deal(deal).timeline.n_periods  # one per year end
    assert dates[1][:4] == str(int(dates[0][:4]) + 1) and dates[1][4:] == dates[0][4:]
    assert 0.0 <= doc["tranches"][0]["probability_of_default"] <= 1.0


@pytest.mark.parametrize("name", SAMPLES)
def test_annual_fused_agrees_with_the_numpy_reference(name):
    """The NumPy reference drivers (a few ulps from the compiled ones: NumPy's SIMD exp) give
    the same per-path results in annual periods, to rounding."""
    assert_fused_agrees_with_reference(in_period(load_deal(DEALS / f"{name}.json"), "annual"))
