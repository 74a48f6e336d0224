"""The stress page against the Monte Carlo (core.report.reconcile): the shares come from the
paths' losses and causes, risks the deal cannot have are not applicable, and where the two
pages disagree the report says so."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from core.files.deal_json import load_deal
from core.report.reconcile import reconcile
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
    # TeraWulf: no GPU fleet, no crypto, fixed-rate notes
    na = {x.risk: x.not_applicable for x in rec.lines if x.not_applicable}
    assert na["Technology obsolescence / residual value"] == "no GPU fleet"
    assert na["Rates"] == "all debt is fixed-rate"


def test_the_report_says_why_a_zero_loss_stress_meets_monte_carlo_losses(terawulf):
    """TeraWulf's lease stress (tenant default in year 3: the backstop pays) loses nothing
    while early terminations and defaults beyond the backstop make the Monte Carlo's losses."""
    _, risks, mc = terawulf
    rec = reconcile(risks, mc)
    lease = next(x for x in rec.lines if x.risk.startswith("Lease"))
    assert lease.stress_loss == 0.0 and lease.mc_share > 0.5
    assert lease.verdict.startswith("the stress shows no loss")
    assert any(lease.risk in note for note in rec.notes)
    assert "Early termination" in rec.headline and "Tenant default" in rec.headline


def test_no_default_no_driver(terawulf):
    deal, risks, _ = terawulf
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=50, model=MarketModel.deterministic()))
    rec = reconcile(risks, mc)
    assert rec.headline == "No Monte Carlo path defaults: no driver produces a loss."
    assert rec.basis.startswith("defaults of ")
    assert all(x.mc_share == 0.0 for x in rec.lines)
