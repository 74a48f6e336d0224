"""The Monte Carlo's calibrated parameters against independent computations (docs/risk.md,
"Calibration")."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.paths import MarketModel, lease_event_specs, walk_away_credit_scale


def _only_lease_events(**kw) -> MarketModel:
    return replace(MarketModel.deterministic(), lease_events=True, **kw)


def test_tenant_default_alone_gives_the_rating_hazards_default_probability(samples):
    """xAI (unrated: the single-B 3.5% a year), every driver off but the tenant's default, the
    GPUs sold at market value without any haircut: the loan defaults exactly when xAI defaults
    before the DSRA's last 3 months of the 60-month loan (the reserve pays those), so
    PD = 1 - exp(-lambda x 57 / 12) with lambda = -ln(1 - 0.035), and loses nothing (the
    orderly sale covers a loan at 62.5% of cost)."""
    deal = samples["xai_gpu_spv"].copy()
    for field in ("liquidation_haircut", "fire_sale_age_pct", "fire_sale_volume_pct"):
        deal.set_term("gpus", field, 0.0)
    deal.set_term("gpus", "sale_haircut", 0.0)
    n = 40_000
    res = run_montecarlo(deal, MonteCarloConfig(n_paths=n, seed=5, model=_only_lease_events()))
    lam = -math.log(1.0 - 0.035)
    expected = 1.0 - math.exp(-lam * 57 / 12)  # 0.1557
    pd = res.tranches[0]["probability_of_default"]
    se = math.sqrt(expected * (1 - expected) / n)
    assert abs(pd - expected) < 3 * se, (pd, expected, se)
    assert res.tranches[0]["expected_loss"] == 0.0
    att = res.attribution["tranches"][0]["causes"]
    assert att["tenant_default"]["share_of_defaults"] == 1.0


@pytest.mark.parametrize(
    ("rating", "scale"),
    [
        ("NR", 1.0),
        ("B", 1.0),
        ("CCC", 1.0),  # capped: a weaker tenant's defaults are its rating's
        ("A", math.log(1 - 0.0006) / math.log(1 - 0.035)),  # 0.0169
        ("BB", math.log(1 - 0.0055) / math.log(1 - 0.035)),  # 0.155
    ],
)
def test_walk_away_scales_with_the_tenants_default_hazard(rating, scale):
    assert walk_away_credit_scale(rating) == pytest.approx(scale, rel=1e-12)


def test_an_investment_grade_tenant_keeps_its_small_walk_away_without_a_termination_hazard(
    samples,
):
    """The former scale (termination_hazard_ig / termination_hazard) fell back to 1 when the
    termination hazard was 0, so CoreWeave's A-rated customer walked away as an unrated one
    (PD 4% -> 21%); the credit scale does not depend on the termination hazards."""
    from core.engine.compile import compile_deal

    sized = compile_deal(samples["coreweave_ddtl"])
    for m in (MarketModel(), MarketModel(termination_hazard=0.0, termination_hazard_ig=0.0)):
        (spec,) = lease_event_specs(sized, m)
        assert spec.walk_sens == pytest.approx(0.25 * walk_away_credit_scale("A"), rel=1e-12)


def test_a_lease_whose_escalator_matches_the_market_carries_no_walk_away(samples):
    """TeraWulf's leases escalate 3% a year and its data-centre market rent grows 3% a year:
    with no rent volatility the contract is never above the market, so the walk-away adds no
    default (the former flat market made the escalator alone a 34% premium by year 10)."""
    deal = samples["terawulf_backstop"]
    runs = [
        run_montecarlo(
            deal, MonteCarloConfig(n_paths=4000, seed=2, model=_only_lease_events(**kw))
        ).tranches[0]
        for kw in ({}, {"walk_away_scale": 1.0})
    ]
    assert runs[0]["probability_of_default"] > 0.05  # the tenant's defaults remain
    assert runs[1] == runs[0]
    flat = deal.copy()
    flat.set_term("lease", "market_rent_decline", 0.0)
    walked = run_montecarlo(
        flat,
        MonteCarloConfig(n_paths=4000, seed=2, model=_only_lease_events(walk_away_scale=1.0)),
    ).tranches[0]
    assert walked["probability_of_default"] > runs[0]["probability_of_default"] + 0.05
