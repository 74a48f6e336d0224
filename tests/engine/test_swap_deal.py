"""An interest-rate swap block on a deal: compile, run, stresses and the Monte Carlo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.engine.results import run_deal
from core.files.deal_json import dump_deal, load_deal, loads_deal
from core.model.validate import check_deal
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.stress import Stress, apply_stress, compile_stressed

SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "deals" / "xai_gpu_spv.json"


def hedged(fixed: float = 0.035, ratio: float = 1.0, **terms):
    """The xAI-style SPV with its floating senior loan (base + 4%) swapped to ``fixed``."""
    deal = load_deal(SAMPLE)
    (loan,) = deal.of_kind("tranche")
    swap = deal.add_block("swap", {"fixed_rate": fixed, "hedge_ratio": ratio, **terms})
    deal.connect("hedges", swap.id, loan.id)
    check_deal(deal)
    return deal


def test_the_notional_follows_the_tranche_scheduled_balance():
    deal = hedged(ratio=0.8)
    c = compile_deal(deal)
    (s,) = c.swaps
    inp = c.inputs
    sched = inp.scheduled_principal[s.tranche]
    opening = inp.notional[s.tranche] - np.concatenate([[0.0], np.cumsum(sched)[:-1]])
    live = np.arange(inp.n_periods) <= inp.maturity[s.tranche]
    np.testing.assert_allclose(s.notional, np.where(live, 0.8 * opening, 0.0))
    np.testing.assert_allclose(inp.swap_float_accrual, s.notional * inp.year_fraction[s.tranche])
    np.testing.assert_allclose(inp.swap_fixed_leg, inp.swap_float_accrual * 0.035)


def test_settlements_on_the_base_case_by_hand():
    """While the loan pays on schedule, each period's swap cash is (base - 3.5%) x notional x
    year fraction, and the debt service is the loan's interest and principal less it."""
    deal = hedged()
    c = compile_deal(deal)
    out = run_waterfall(c.inputs)
    base = c.inputs.base_rate[0]
    want = (base - 0.035) * c.inputs.swap_float_accrual
    ok = ~np.isnan(out.dscr[0]) & (np.arange(c.inputs.n_periods) <= c.inputs.maturity[0])
    np.testing.assert_allclose(out.swap_cash[0][ok], want[ok], rtol=1e-12, atol=1e-12)
    interest_and_principal = out.interest_due[0, 0] + out.principal_paid[0, 0]
    np.testing.assert_allclose(
        out.debt_service[0][ok], (interest_and_principal - want)[ok], rtol=1e-9, atol=1e-9
    )


def test_the_swap_takes_the_base_rate_shock_out_of_the_equity_return():
    """+300 bp: unhedged, the loan costs 3% a year more on its balance; swapped 100%, the swap
    pays that back, so the equity IRR barely moves."""
    shock = Stress(base_rate_shock=0.03)
    plain = load_deal(SAMPLE)
    swapped = hedged()
    irr = {}
    for name, deal in (("plain", plain), ("swapped", swapped)):
        base = run_deal(deal).metrics["equity_irr"]
        c = compile_stressed(deal, shock)
        from core.engine.results import summarise

        stressed = summarise(c, run_waterfall(c.inputs)).metrics["equity_irr"]
        irr[name] = base - stressed
    assert irr["plain"] > 0.01
    assert abs(irr["swapped"]) < 0.1 * irr["plain"]


def test_the_swap_survives_a_deal_file_round_trip():
    deal = hedged(fixed=0.031, start_months=3, term_years=2.0, notional_cap=5000.0)
    again = loads_deal(dump_deal(deal))
    (s,) = again.of_kind("swap")
    assert s.terms["fixed_rate"] == 0.031 and s.terms["notional_cap"] == 5000.0
    c = compile_deal(again)
    n = c.swaps[0].notional
    assert not n[:3].any() and n[3:27].max() <= 5000.0 and not n[27:].any()


@pytest.mark.parametrize("engine", ["cython", "staged"])
def test_the_monte_carlo_settles_the_swap_on_each_path_base_rate(engine):
    """Paying 6% fixed against a base rate drawn around a 3.4-3.7% curve costs the equity the
    rate gap on the loan's balance on every path: the median equity IRR falls by several
    points; a swap struck at the curve's level moves it by much less."""
    cfg = MonteCarloConfig(n_paths=2000, seed=3, engine=engine)
    p50 = {
        name: run_montecarlo(deal, cfg).equity_irr["p50"]
        for name, deal in (
            ("plain", load_deal(SAMPLE)),
            ("at_curve", hedged(fixed=0.035)),
            ("off_market", hedged(fixed=0.06)),
        )
    }
    assert p50["plain"] - p50["off_market"] > 0.015
    assert abs(p50["at_curve"] - p50["plain"]) < 0.3 * (p50["plain"] - p50["off_market"])


def test_fused_equals_staged_with_a_swap():
    deal = hedged()
    a = run_montecarlo(deal, MonteCarloConfig(n_paths=3000, seed=5, engine="cython")).to_dict()
    b = run_montecarlo(deal, MonteCarloConfig(n_paths=3000, seed=5, engine="staged")).to_dict()
    assert a["tranches"] == b["tranches"]
    assert a["equity_irr"] == pytest.approx(b["equity_irr"], rel=1e-9)


def test_apply_stress_keeps_the_swap():
    stressed = apply_stress(hedged(), Stress(base_rate_shock=0.01))
    assert len(stressed.of_kind("swap")) == 1


def test_cash_uses_include_the_swap_and_conserve_cash():
    """On a swapped deal that pays net (fixed 6% above the curve): CFADS + proceeds +
    injection = interest + principal + reserves + net swap payment + lock-up + distribution."""
    r = run_deal(hedged(fixed=0.06))
    o, u = r.outputs, r.cash_uses
    assert (u["swap"] > 0).any()
    paid = u.sum(axis=1).to_numpy() - u["costs"].to_numpy()
    np.testing.assert_allclose(o.cfads[0] + o.proceeds[0] + o.injection[0], paid, atol=1e-9)
    assert r.metrics["swap_net_cash"] == pytest.approx(float(o.swap_cash[0].sum()))
    assert r.metrics["swap_net_cash"] < 0


def test_the_reference_engine_is_numpy_end_to_end_and_agrees():
    """run_deal(engine="reference") compiles with the NumPy per-path compile and runs the NumPy
    waterfall; on a swapped deal it gives the production numbers."""
    deal = hedged(fixed=0.05)
    got, want = run_deal(deal), run_deal(deal, engine="reference")
    for name in ("swap_cash", "debt_service", "distribution", "balance"):
        np.testing.assert_allclose(
            getattr(got.outputs, name), getattr(want.outputs, name), rtol=1e-9, atol=1e-9
        )
