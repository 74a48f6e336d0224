"""The stress page against the Monte Carlo (core.report.reconcile): the shares come from the
paths' losses and causes, risks the deal cannot have are not applicable, and where the two
pages disagree the report says so."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from core.files.deal_json import load_deal
from core.report.reconcile import SMALL, reconcile
from core.risk.catalogue import risk_summary
from core.risk.causes import CAUSES, CODES
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.paths import MarketModel

DEALS = Path(__file__).resolve().parents[1] / "resources" / "deals"


@pytest.fixture(scope="module")
def terawulf():
    deal = load_deal(DEALS / "terawulf_backstop.json")
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=3000, seed=1))
    return deal, risk_summary(deal), mc


def test_shares_are_the_paths_losses_by_cause(terawulf):
    deal, risks, mc = terawulf
    rec = reconcile(risks, mc)
    assert rec.basis == "expected loss"
    loss, cause = mc.stats.loss, mc.stats.cause  # (paths, tranches): USD m and cause code
    total = loss.sum()
    assert total > 0
    for o in risks:
        line = next(x for x in rec.lines if x.risk == o.risk.title)
        codes = [CODES[c.id] for c in CAUSES if o.risk.id in c.risks]
        if o.not_applicable:
            assert line.not_applicable == o.not_applicable
            assert line.verdict == f"not applicable: {o.not_applicable}"
            assert math.isnan(line.stress_loss) and rec.share_of(o.risk.title) is None
            continue
        want = loss[np.isin(cause, codes)].sum() / total
        assert line.mc_share == pytest.approx(want, rel=1e-9, abs=1e-12)
        debt = sum(t["notional"] for t in mc.tranches)
        assert line.stress_loss == pytest.approx(sum(o.loss_by_tranche.values()) / debt)
    # TeraWulf: no GPU fleet, no crypto; its fixed-rate notes refinance into a floating loan
    na = {x.risk: x.not_applicable for x in rec.lines if x.not_applicable}
    assert na["Technology obsolescence / residual value"] == "no GPU fleet"
    assert "Rates" not in na


def test_the_report_says_why_a_zero_loss_stress_meets_monte_carlo_losses(terawulf):
    """A stress with no loss whose drivers start Monte Carlo losses is called out; one that
    loses where the Monte Carlo does not go is too. TeraWulf's early terminations (outside
    Google's backstop) and defaults beyond the backstop's cap start its losses."""
    _, risks, mc = terawulf
    rec = reconcile(risks, mc)
    assert "Early termination" in rec.headline and "Tenant default" in rec.headline
    for line in rec.lines:  # each reading follows its two numbers
        if line.not_applicable or math.isnan(line.stress_loss):
            continue  # no stress of the catalogue tests it (the deal's own cash flows)
        lost = line.stress_loss > 1e-9
        if line.mc_share >= SMALL and not lost:
            assert line.verdict.startswith("the stress shows no loss")
        elif lost and line.mc_share < SMALL:
            assert line.verdict.startswith("the stress loses, but")
    lease = next(o for o in risks if o.risk.id == "lease")
    zero = replace(lease, loss_by_tranche=dict.fromkeys(lease.loss_by_tranche, 0.0))
    quiet = reconcile([zero if o is lease else o for o in risks], mc)
    line = next(x for x in quiet.lines if x.risk == lease.risk.title)
    assert line.stress_loss == 0.0 and line.mc_share > 0.1  # refinancing starts most of it
    assert line.verdict.startswith("the stress shows no loss")
    assert any(lease.risk.title in note for note in quiet.notes)
    liq = next(o for o in risks if o.risk.id == "liquidation")
    loud = replace(liq, loss_by_tranche=dict.fromkeys(liq.loss_by_tranche, 100.0))
    rec = reconcile([loud if o is liq else o for o in risks], mc)
    if rec.share_of(liq.risk.title) < SMALL:
        assert any(note.startswith(liq.risk.title) for note in rec.notes)


def test_no_default_no_driver(terawulf):
    deal, risks, _ = terawulf
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=50, model=MarketModel.deterministic()))
    rec = reconcile(risks, mc)
    assert rec.headline == "No Monte Carlo path defaults: no driver produces a loss."
    assert rec.basis.startswith("defaults of ")
    assert all(x.mc_share == 0.0 for x in rec.lines)


def test_each_cause_is_counted_once_and_the_shares_sum_to_one(terawulf):
    """TeraWulf: a tenant default is tested by the lease, liquidation and guarantor stresses
    and the walk-away by two; per-risk shares overlap, so the report prints each cause once."""
    _, risks, mc = terawulf
    rec = reconcile(risks, mc)
    loss, cause = mc.stats.loss, mc.stats.cause
    total = loss.sum()
    titles = [c.cause for c in rec.causes]
    assert len(titles) == len(set(titles))  # each cause once
    assert sum(c.share for c in rec.causes) == pytest.approx(1.0, abs=1e-12)
    assert [c.share for c in rec.causes] == sorted((c.share for c in rec.causes), reverse=True)
    by_title = {c.title: c for c in CAUSES}
    for line in rec.causes:  # each share: the paths' losses of that cause, by hand
        c = by_title[line.cause]
        assert line.share == pytest.approx(loss[cause == CODES[c.id]].sum() / total, rel=1e-9)
        tested = [o.risk.title for o in risks if o.risk.id in c.risks and not o.not_applicable]
        assert [r for r, _ in line.stresses] == tested
    tenant = next(x for x in rec.causes if x.cause == "Tenant default")
    assert [r for r, _ in tenant.stresses] == [
        "Lease termination / non-renewal / tenant default",
        "Liquidation into a missing repo market",
        "Guarantor default (wrong-way risk)",
    ]
    walk = next(x for x in rec.causes if x.cause.startswith("Economic walk-away"))
    assert {r for r, _ in walk.stresses} == {"Compute-rent deflation", "Economic walk-away"}
    # the per-risk shares double count exactly these: the notes name the cause once
    assert rec.share_of("Compute-rent deflation") == rec.share_of("Economic walk-away")
    silent = next(n for n in rec.notes if n.startswith("No loss under the single stress"))
    assert silent.count("Economic walk-away (rent above market)") == 1
    # the silent stresses (compute-rent deflation and both refinancing stresses: on the going-
    # concern value the forced sale repays the notes) test walk-away, market rent and the
    # refinancing: their shares, each counted once, are what the note totals
    named = [c for c in rec.causes if f"{c.cause} {c.share:.0%}" in silent]
    assert walk in named and len(named) >= 2
    assert f"start {sum(c.share for c in named):.0%} of" in silent
