"""The numbers derived from a run (core/engine/derived.py) against the deal file, the engine's
own output arrays, accounting identities and hand-worked cases."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from core.engine.derived import CASH_USES
from core.engine.results import DealResult, run_deal
from core.files.deal_json import load_deal, save_deal
from core.risk.scenarios import BUILTIN
from core.risk.stress import Stress, run_stressed
from tests.engine.test_random_deals import random_deal
from tests.risk.test_mckernel import kitchen_sink

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLES = sorted(p.stem for p in DEALS.glob("*.json"))
TOL = 1e-9


def stacked_deal():
    """The Monte Carlo tests' deal that reaches every branch (three tranches: pari passu
    seniors, a PIK junior; guarantees, crypto), with a second equity class and a lock-up that
    traps cash: every derived column has something to add up."""
    d = kitchen_sink()
    d.add_block(
        "equity",
        {"investor": "Preferred fund", "amount": 1500.0, "first_loss_order": 2,
         "preferred_return": 0.08, "ownership_share": 0.3},
        block_id="pref",
    )  # fmt: skip
    d.connect("owns", "pref", "spv")
    d.blocks["valor"].terms["ownership_share"] = 0.7
    d.blocks["cov"].terms.update(lockup_dscr=1.9, lockup_action="trap")
    return d


def _runs() -> dict[str, DealResult]:
    out = {}
    for name in SAMPLES:
        deal = load_deal(DEALS / f"{name}.json")
        out[name] = run_deal(deal)
        out[f"{name} severe"] = run_stressed(deal, BUILTIN["severe"])
        out[f"{name} terminated"] = run_stressed(deal, Stress(termination_year=2.0))
    out["stacked"] = run_deal(stacked_deal())
    out["stacked severe"] = run_stressed(stacked_deal(), BUILTIN["severe"])
    return out


RUNS = _runs()


def test_the_runs_reach_what_the_identities_are_about():
    """Releases, trapped cash, write-offs and several tranches and equity classes occur."""
    assert any((r.cash_uses["dsra"] < -TOL).any() for r in RUNS.values())
    assert any((r.periods["trap_balance"] > TOL).any() for r in RUNS.values())
    assert any(r.metrics["debt_loss"] > 1.0 for r in RUNS.values())
    assert len(RUNS["stacked"].tranches) == 3 and len(RUNS["stacked"].equity_classes) == 2


# ---------------------------------------------------------------- capital at closing
@pytest.mark.parametrize("name", [*SAMPLES, "stacked"])
def test_totals_are_the_deal_files_amounts(name, tmp_path):
    path = DEALS / f"{name}.json"
    if name == "stacked":
        path = tmp_path / "stacked.json"
        save_deal(stacked_deal(), path)
    blocks = json.loads(path.read_text())["blocks"]
    tranches = [b["terms"] for b in blocks if b["kind"] == "tranche"]
    notionals = [t["notional"] for t in tranches if not t.get("availability_months")]
    amounts = [b["terms"]["amount"] for b in blocks if b["kind"] == "equity"]
    r = RUNS[name]
    later = 0.0  # delayed draws: the capital stack holds what was lent, at closing and later
    for t, c in zip(
        [t for t in tranches if t.get("availability_months")],
        r.commitments.to_dict(orient="records"),
        strict=True,
    ):
        at_close = [a for m, a in zip(t["draw_months"], t["draw_amounts"], strict=True) if m == 0]
        assert c["commitment"] == t["notional"] and c["drawn_at_close"] == math.fsum(at_close)
        drawn = c["drawn_at_close"] + c["drawn_later"]
        assert drawn + c["lapsed"] == pytest.approx(c["commitment"])
        notionals += [c["drawn_at_close"] + c["drawn_later"]]
        later += c["drawn_later"]
    assert r.total_debt == pytest.approx(math.fsum(notionals), rel=1e-15)
    assert r.total_equity == pytest.approx(math.fsum(amounts), rel=1e-15)
    assert r.total_capital == pytest.approx(math.fsum(notionals) + math.fsum(amounts))
    # sources and uses balance, and debt and equity are among the sources
    assert r.total_sources == pytest.approx(r.total_uses, rel=1e-12)
    assert r.total_sources >= r.total_capital - later - TOL  # later draws come after closing
    # equity classes: the file's amounts, first loss first, and the whole stack is 100%
    eq = r.equity_classes
    assert sorted(eq["amount"]) == sorted(amounts)
    assert list(eq["first_loss_order"]) == sorted(eq["first_loss_order"])
    shares = r.tranche_metrics["share_of_capital"].sum() + eq["share_of_capital"].sum()
    assert shares == pytest.approx(1.0, rel=1e-12)


# ---------------------------------------------------------------- per period
def check_roll_forward(r: DealResult) -> None:
    """Closing debt = notionals - principal paid + interest capitalised - balance written off,
    from the engine's output arrays (not the result's frames). A write-off also carries
    unpaid interest arrears, which were never in the balance: until the first write-off the
    identity is exact, after it the debt is at least the rolled-forward figure."""
    o = r.outputs
    closing = r.total_debt - o.drawn[0].sum()  # delayed draws join the debt when drawn
    moves = o.drawn[0] + o.pik[0] - o.principal_paid[0] - o.writeoff[0]
    rolled = closing + np.cumsum(moves.sum(0))
    debt = r.debt_outstanding.to_numpy()
    tol = 1e-7 * max(r.total_debt, 1.0)
    written = np.cumsum(o.writeoff[0].sum(axis=0)) > 0
    np.testing.assert_allclose(debt[~written], rolled[~written], rtol=0, atol=tol)
    assert np.all(debt >= rolled - tol)
    np.testing.assert_allclose(debt, o.balance[0].sum(axis=0), rtol=1e-13)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_debt_outstanding_rolls_forward_from_the_notionals(name):
    r = RUNS[name]
    assert list(r.debt_outstanding.index) == list(r.periods.index)
    check_roll_forward(r)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_cash_uses_conserve_cash_every_period(name):
    """CFADS + proceeds + reserve release + injection
    = interest + principal + reserve top-up + trapped cash + distribution."""
    r = RUNS[name]
    o, inp = r.outputs, r.compiled.inputs
    u = r.cash_uses
    assert list(u.columns) == list(CASH_USES)
    cash_in = o.cfads[0] + o.proceeds[0] + o.injection[0] + o.treasury_draw[0]
    paid = u["interest"] + u["principal"] + u["dsra"] + u["swap"] + u["trap"] + u["gpus"]
    paid += u["distribution"]
    scale = np.maximum(1.0, np.abs(cash_in))
    assert np.all(np.abs(cash_in - paid.to_numpy()) <= 1e-9 * scale)
    # the reserve and lock-up columns are movements: they add back up to the engine's balances
    np.testing.assert_allclose(
        inp.dsra_initial + np.cumsum(u["dsra"]), o.dsra_balance[0], atol=1e-8 * r.total_debt
    )
    np.testing.assert_allclose(np.cumsum(u["trap"]), o.trap_balance[0], atol=1e-8 * r.total_debt)
    np.testing.assert_allclose(u["interest"], o.interest_paid[0].sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(u["principal"], o.principal_paid[0].sum(axis=0), rtol=1e-13)
    # costs are what separates revenue from CFADS, so the bars stack up to the cash in
    p = r.periods
    np.testing.assert_allclose(u["costs"], p["revenue"] - o.cfads[0], atol=1e-9 * scale.max())
    np.testing.assert_allclose(u.sum(axis=1), r.cash_in, atol=1e-9 * scale.max())
    np.testing.assert_allclose(r.operating_costs + p["tax"], u["costs"], rtol=1e-13)


@pytest.mark.parametrize("name", sorted(RUNS))
def test_net_equity_flow_is_what_the_equity_classes_share(name):
    """The equity classes' per-period flows (split by the waterfall's equity rules) add up to
    the net equity flow, which is distributions less injections."""
    r = RUNS[name]
    by_class = r.equity_flows.iloc[1:].sum(axis=1).to_numpy()
    np.testing.assert_allclose(r.net_equity_flow.to_numpy(), by_class, atol=1e-9)
    o = r.outputs
    np.testing.assert_array_equal(r.net_equity_flow, o.distribution[0] - o.injection[0])


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(deal=random_deal())
def test_identities_hold_on_random_deals(deal):
    r = run_deal(deal)
    o = r.outputs
    u = r.cash_uses
    cash_in = o.cfads[0] + o.proceeds[0] + o.injection[0] + o.treasury_draw[0]
    paid = (u["interest"] + u["principal"] + u["dsra"] + u["trap"] + u["gpus"]).to_numpy()
    paid = paid + u["distribution"].to_numpy()
    assert np.all(np.abs(cash_in - paid) <= 1e-9 * np.maximum(1.0, np.abs(cash_in)))
    check_roll_forward(r)


# ---------------------------------------------------------------- hand-worked cases
def _with(result: DealResult, **columns) -> DealResult:
    """``result`` with three hand-written periods (quarterly dates) and two tranches."""
    dates = pd.DatetimeIndex(["2026-03-31", "2026-06-30", "2026-09-30"], name="date")
    periods = pd.DataFrame(0.0, index=dates, columns=result.periods.columns)
    tranches = {}
    for name, value in columns.items():
        if name.startswith("a_") or name.startswith("b_"):
            tranches.setdefault(name[0], pd.DataFrame(0.0, index=dates, columns=["balance"]))
            tranches[name[0]][name[2:]] = value
        else:
            periods[name] = value
    return dataclasses.replace(result, periods=periods, tranches=tranches)


def test_max_ltv_only_counts_periods_with_debt_outstanding():
    base = RUNS["hyperion_jv"]
    r = _with(base, ltv=[0.5, 0.9, 2.0], a_balance=[60.0, 20.0, 0.0], b_balance=[40.0, 0.0, 0.0])
    assert r.max_ltv == (0.9, "2026-06-30")  # 2.0 is after the debt is repaid
    r = _with(base, ltv=[0.5, np.nan, 0.7], a_balance=[1.0, 1.0, 1.0], b_balance=[0, 0, 0.0])
    assert r.max_ltv == (0.7, "2026-09-30")  # NaN (no collateral) is skipped
    none = _with(base, ltv=[0.5, 0.6, 0.7], a_balance=[0.0, 0.0, 0.0])
    value, date = none.max_ltv
    assert math.isnan(value) and date is None


def test_cash_uses_by_hand():
    base = RUNS["terawulf_backstop"]  # DSRA funded at closing
    opening = float(base.compiled.inputs.dsra_initial)
    r = _with(
        base,
        opex=[10.0, 10.0, 10.0],
        fees=[1.0, 1.0, 1.0],
        tax=[2.0, 0.0, 3.0],
        dsra_balance=[opening + 5.0, opening + 5.0, 0.0],
        trap_balance=[0.0, 7.0, 0.0],
        distribution=[4.0, 0.0, 9.0],
        a_interest_paid=[3.0, 2.0, 1.0],
        b_interest_paid=[1.0, 1.0, 0.0],
        a_principal_paid=[20.0, 20.0, 0.0],
        b_principal_paid=[0.0, 5.0, 0.0],
    )
    u = r.cash_uses
    assert u["costs"].tolist() == [13.0, 11.0, 14.0]
    assert u["interest"].tolist() == [4.0, 3.0, 1.0]
    assert u["principal"].tolist() == [20.0, 25.0, 0.0]
    assert u["dsra"].tolist() == pytest.approx([5.0, 0.0, -(opening + 5.0)])  # top-up, release
    assert u["trap"].tolist() == [0.0, 7.0, -7.0]
    assert u["distribution"].tolist() == [4.0, 0.0, 9.0]
    assert r.debt_outstanding.tolist() == [0.0, 0.0, 0.0]  # no balances given


def test_annual_cash_flows_add_up_to_the_periods():
    for name in ("hyperion_jv", "coreweave_ddtl severe", "stacked"):
        r = RUNS[name]
        p = r.periods
        ppy = r.compiled.timeline.periods_per_year
        years = r.annual_cash_flows()
        assert list(years.index) == list(range(1, math.ceil(len(p) / ppy) + 1))
        for col in ("revenue", "opex", "fees", "cfads", "debt_service", "distribution"):
            assert years[col].sum() == pytest.approx(p[col].sum(), rel=1e-12, abs=1e-9)
        # (Hyperion builds for four years: no DSCR in year 1, NaN in both)
        first = p["dscr"].iloc[:ppy].min()  # skips NaN; NaN when all are
        assert years["min_dscr"].iloc[0] == pytest.approx(first, nan_ok=True)
        assert years["debt_end"].iloc[0] == pytest.approx(r.debt_outstanding.iloc[ppy - 1])
        assert years["debt_end"].iloc[-1] == pytest.approx(r.debt_outstanding.iloc[-1])
