"""Construction, a capex-linked delayed-draw loan and a refinanced balloon in one deal
(tests/engine/deal_builders.construction_ddtl_refi): the waterfall's invariants, the kernel
against its specifications, ``run`` against the deterministic Monte Carlo, and hand-checked
figures."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.arrays import FLAG_LIQUIDATED
from core.engine.compile import compile_deal
from core.engine.construction import s_curve
from core.engine.kernel import run_waterfall
from core.engine.reference import run_reference
from core.engine.results import run_deal
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.paths import MarketModel
from tests.engine.deal_builders import construction_ddtl_refi
from tests.engine.test_compile_parity import assert_compiled_equal

VARIANTS = [
    {},
    {"idc": "reserve"},
    {"delay_months": 6},
    {"max_advance": 0.5},
    {"availability_months": 6},
    {"refi_advance": 0.2},
]
C = 12  # completion: month 12
M = 59  # the construction loan's legal final maturity: month 60, period 59


def _ids(kw: dict) -> str:
    return ",".join(f"{k}={v}" for k, v in kw.items()) or "base"


@pytest.mark.parametrize("kw", VARIANTS, ids=_ids)
@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_invariants(kw, engine):
    cd = compile_deal(construction_ddtl_refi(**kw))
    inp = cd.inputs
    o = run_waterfall(inp, engine=engine)
    p = 0
    liquidated = np.cumsum((o.flags[p] & FLAG_LIQUIDATED) != 0)
    live = 1.0 - np.concatenate([[0], liquidated[:-1]])  # no capex once the assets are sold
    # cash in = cash out, every period: the draws and the Treasury reserve's release are
    # cash in; the capex not paid by the reserve (drawn, or injected by equity) is cash out
    capex = inp.capex[0]
    cash_in = (o.cfads[p] + o.proceeds[p] + o.injection[p] + o.treasury_draw[p]
               + o.drawn[p].sum(axis=0)
               + np.concatenate([[inp.dsra_initial], o.dsra_balance[p, :-1]])
               + np.concatenate([[0.0], o.trap_balance[p, :-1]]))  # fmt: skip
    cash_out = (o.interest_paid[p].sum(axis=0) + o.principal_paid[p].sum(axis=0)
                + o.dsra_balance[p] + o.trap_balance[p] + o.distribution[p]
                + inp.draw_capex * live + (capex - o.capex_paid[p]) * live)  # fmt: skip
    np.testing.assert_allclose(cash_in, cash_out, rtol=0, atol=1e-9)
    # the capex spent is the construction's, moved by the delay; the reserve pays 50% of it
    np.testing.assert_allclose(capex, cd.level.construction.spend, rtol=0, atol=0)
    np.testing.assert_allclose(o.capex_paid[p], 0.5 * capex * live, atol=1e-9)
    # no negative balance, undrawn commitment, reserve or payment
    for name in ("balance", "undrawn", "drawn", "interest_paid", "principal_paid", "writeoff",
                 "commitment_fee"):  # fmt: skip
        assert (getattr(o, name) >= -1e-12).all(), name
    for name in ("treasury_balance", "treasury_draw", "capex_paid", "injection", "distribution",
                 "dsra_balance", "trap_balance"):  # fmt: skip
        assert (getattr(o, name) >= -1e-12).all(), name
    # no junior paid while the senior is short; nothing for equity while any class is short
    # (interest is paid by rank before principal: a senior short of principal only stops the
    # junior's principal)
    unpaid_int = o.interest_due[p, 0] - o.interest_paid[p, 0]
    assert (o.interest_paid[p, 1][unpaid_int > 1e-9] == 0.0).all()
    senior_short = o.shortfall[p, 0] > 1e-9
    assert (o.principal_paid[p, 1][senior_short & (o.balance[p, 0] > 1e-9)] == 0.0).all()
    assert (o.distribution[p][o.shortfall[p].sum(axis=0) > 1e-9] <= 1e-9).all()
    # the draws stop with the availability period and never exceed the commitment
    end = kw.get("availability_months", 18)
    assert o.drawn[p, 0, end:].sum() == 0.0
    assert o.drawn[p, 0].sum() <= 150.0 + 1e-9


@pytest.mark.parametrize("kw", VARIANTS, ids=_ids)
def test_kernel_and_compile_equal_their_specifications(kw):
    deal = construction_ddtl_refi(**kw)
    cd = compile_deal(deal)
    assert_compiled_equal(cd, compile_deal(deal, engine="reference"))
    o, r = run_waterfall(cd.inputs), run_reference(cd.inputs)
    for name in ("balance", "drawn", "undrawn", "pik", "interest_paid", "principal_paid",
                 "refinanced", "treasury_balance", "treasury_draw", "capex_paid", "injection",
                 "distribution", "writeoff", "flags"):  # fmt: skip
        np.testing.assert_allclose(getattr(o, name), getattr(r, name), rtol=1e-9, atol=1e-9,
                                   err_msg=name)  # fmt: skip


def test_hand_checked_figures():
    r = run_deal(construction_ddtl_refi())
    cd, loan = r.compiled, r.tranches["Construction loan"]
    # capex: USD 300m on the S-curve 3x^2 - 2x^3 over 12 months; the loan draws 50% of it
    capex = 300.0 * np.diff(s_curve(np.arange(13) / 12))
    assert capex[0] == pytest.approx(300.0 * (3 / 144 - 2 / 1728), rel=1e-12)  # 5.903
    np.testing.assert_allclose(loan["drawn"].to_numpy()[:C], 0.5 * capex, rtol=1e-12)
    assert loan["drawn"].sum() == pytest.approx(150.0, rel=1e-12)
    assert loan["undrawn"].iloc[C - 1] == pytest.approx(0.0, abs=1e-12)  # drawn in full
    # the Treasury holds equity's and the mezzanine's 50% of capex (capitalised interest)
    assert cd.inputs.treasury_initial == pytest.approx(150.0, rel=1e-12)
    np.testing.assert_allclose(r.periods["capex_paid"].to_numpy()[:C], 0.5 * capex, rtol=1e-12)
    # the balance at completion: each draw + 8%/12 interest + the 0.5% fee, capitalised
    bal = 0.0
    for t in range(C):
        bal += 0.5 * capex[t]
        undrawn = 150.0 - 0.5 * capex[: t + 1].sum()
        bal += bal * 0.08 / 12 + max(undrawn, 0.0) * 0.005 / 12
    assert loan["balance"].iloc[C - 1] == pytest.approx(bal, rel=1e-10)
    # no principal before the 5-year bullet; at maturity the balloon is refinanced up to 65% of
    # the collateral's market value, the rest paid from cash
    assert loan["principal_paid"].iloc[:M].sum() == 0.0
    due = loan["balance"].iloc[M - 1]
    assert due == pytest.approx(bal, rel=1e-10)  # interest paid in cash from completion
    refinanced = min(due, 0.65 * float(cd.inputs.asset_value[0, M]))
    assert refinanced == due  # USD 248m of collateral: 65% of it covers the balloon
    assert r.periods["refinanced"].iloc[M] == pytest.approx(due, rel=1e-12)
    assert loan["principal_paid"].iloc[M] == 0.0
    assert loan["shortfall"].sum() == 0.0 and r.tranches["Mezzanine notes"]["shortfall"].sum() == 0
    # the new tranche: a 3-year annuity at the base rate + 4% (8% a year, 30/360) on the balloon
    pmt = due * (0.08 / 12) / (1 - (1 + 0.08 / 12) ** -36)
    assert loan["principal_paid"].iloc[M + 1] + loan["interest_paid"].iloc[M + 1] == pytest.approx(
        pmt, rel=1e-9
    )


@pytest.mark.parametrize("kw", [{}, {"idc": "reserve"}, {"max_advance": 0.5}], ids=_ids)
def test_run_equals_the_deterministic_monte_carlo(kw):
    deal = construction_ddtl_refi(**kw)
    res = run_deal(deal)
    irr = res.metrics["equity_irr"]
    assert np.isfinite(irr)
    for engine in ("cython", "staged", "reference"):
        cfg = MonteCarloConfig(n_paths=3, seed=1, model=MarketModel.deterministic(), engine=engine)
        mc = run_montecarlo(deal, cfg)
        for q in ("p1", "p50", "p99"):
            assert mc.equity_irr[q] == pytest.approx(irr, rel=1e-9), engine


def test_summary_line_and_phases_name_the_capex_linked_draws():
    from core.engine.phases import construction_summary

    r = run_deal(construction_ddtl_refi())
    line = construction_summary(r.compiled)
    assert line.endswith("capex-linked draws fund 50.0% of the capex as spent")
    ph = r.sources_uses_by_phase["construction"]
    assert ph["sources"]["Capex-linked draws"] == pytest.approx(150.0, rel=1e-12)
    assert ph["uses"]["Capex (GPU fleet and facility)"] == pytest.approx(300.0, rel=1e-12)
    assert sum(ph["sources"].values()) == pytest.approx(sum(ph["uses"].values()), rel=1e-12)
