"""The risks credit investors fear (DOMAIN.md), each with its deterministic stress and break-even.

``RISKS`` lists one entry per risk in the domain primer, with the severe-but-plausible stress
the report applies and the driver whose break-even answers "how far can this go before the
debt loses money". ``risk_summary(deal)`` runs them all through the same engine as the base
case (``run_stressed``: debt sized on the unstressed deal) and the break-even solver, and says
what comes back onto each sponsor's balance sheet.

Stress values and their DOMAIN.md source:

- rent deflation: market compute rent falls 30% a year (price-performance improves 25-28% a
  year; H100 rent fell from $8/hr to ~$2/hr in 2023-24), renewals at market; a data-centre
  (powered-shell) lease follows its own index, which falls 2% a year in this stress (a
  severe real-estate downturn: data-centre rents rose through 2021-25);
- economic walk-away: compute rent falls 30% a year and each tenant terminates once its rent
  is 50% above the market (a contract that costs the tenant 1.5x the spot price);
- obsolescence: GPU value falls 15% a year faster, commercial life 3 years (critics: 2-3 years
  against 5-6 of accounting life), 30% extra haircut on the residual at lease end;
- lease risk: no renewal and the tenant defaults after 3 years (Hyperion: 4-year initial
  term then options; backstops pay up to their caps);
- correlation convergence: BTC halves (one year at ~50% volatility, correlation 0.8 in stress)
  while compute rent falls 35% a year;
- liquidation: the tenant defaults after 2 years, the lenders enforce and, after a 12-month
  liquidation lag, sell into a missing repo market at a further 30% forced-sale haircut (on
  top of the fleet's own haircut and its age and volume discount); the break-even is the
  largest whole forced-sale haircut each tranche survives after that default;
- guarantor default (wrong-way risk): the tenant and every guarantor default in year 3, so
  no guarantee, backstop or RVG pays from then; a forced sale follows;
- rates: base rate +200 bp (floating coupons over SOFR);
- construction delay (issue #12): completion 12 months late (Hyperion's campus completes
  around 2029-30, a year's range in the reporting); the break-even is the longest delay, in
  whole months, each tranche survives.
- refinancing (issue #12): the refinancing market is shut on the maturity date of every
  balloon with refinancing terms (2008 Q4, March 2020: the high-yield primary market closed
  for weeks to months), so the balloon is due from cash and reserves; break-even: the widest
  rise in the refinancing spread each tranche survives;
- refinancing terms: the market is open at +300 bp (high-yield spreads about 350 bp in normal
  markets, 650-800 bp in stress) and lends at most 65% of the collateral's market value (the
  xAI follow-on's ~65% advance, DOMAIN.md); break-even: the lowest maximum advance survived.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.model.deal import Deal
from core.risk.applicability import risk_applicability
from core.risk.breakeven import BreakEven, solve_breakeven
from core.risk.lookthrough import SponsorStress, sponsor_stress
from core.risk.stress import Stress


@dataclass(frozen=True)
class Risk:
    id: str
    title: str
    description: str
    stress: Stress
    breakeven_driver: str
    #: what the break-even driver is applied on top of (e.g. a tenant default for liquidation)
    breakeven_base: Stress = field(default_factory=Stress)


RISKS: tuple[Risk, ...] = (
    Risk(
        "rent_deflation",
        "Compute-rent deflation",
        "Market rent per GPU-hour keeps falling (data-centre rent 2% a year); renewals and "
        "re-leasing reprice lower.",
        Stress(rent_deflation=0.30, building_rent_deflation=0.02),
        "rent_deflation",
    ),
    Risk(
        "walk_away",
        "Economic walk-away",
        "Compute rent falls 30% a year; each tenant terminates once its rent is 50% above "
        "the market rent.",
        Stress(rent_deflation=0.30, building_rent_deflation=0.02, walk_away_gap=0.5),
        "rent_deflation",
        Stress(walk_away_gap=0.5),
    ),
    Risk(
        "obsolescence",
        "Technology obsolescence / residual value",
        "GPUs lose commercial value faster than the debt amortises; the residual disappoints.",
        Stress(gpu_value_decline=0.15, gpu_commercial_life=3.0, residual_haircut=0.30),
        "residual_haircut",
    ),
    Risk(
        "lease",
        "Lease termination / non-renewal / tenant default",
        "No renewal and the tenant stops paying after 3 years; backstops pay up to their caps.",
        Stress(renewals=0, tenant_default_year=3.0),
        # the stress's own mechanic: the earliest tenant default survived, with no renewal (a
        # termination break-even beside a tenant-default stress read as a contradiction)
        "tenant_default_year",
        Stress(renewals=0),
    ),
    Risk(
        "correlation",
        "Correlation convergence (BTC and compute rent)",
        "BTC halves while compute rent falls: collateral and cash flow fail together.",
        Stress(crypto_price_shock=-0.5, rent_deflation=0.35),
        "rent_deflation",
    ),
    Risk(
        "liquidation",
        "Liquidation into a missing repo market",
        "Tenant default after 2 years; the lenders enforce and the seized assets sell after "
        "12 months at a steep forced-sale discount.",
        Stress(
            tenant_default_year=2.0, enforce=1, liquidation_lag_months=12, liquidation_haircut=0.30
        ),
        "forced_sale_haircut",
        Stress(tenant_default_year=2.0, enforce=1, liquidation_lag_months=12),
    ),
    Risk(
        "guarantor",
        "Guarantor default (wrong-way risk)",
        "The tenant and every guarantor default in year 3: guarantees, backstops and RVGs pay "
        "nothing from then; the lenders enforce.",
        Stress(tenant_default_year=3.0, guarantor_default_year=3.0, enforce=1),
        "forced_sale_haircut",
        Stress(tenant_default_year=3.0, guarantor_default_year=3.0, enforce=1),
    ),
    Risk(
        "rates",
        "Rates",
        "Base rate +200 bp: floating coupons rise while rent is fixed.",
        Stress(base_rate_shock=0.02),
        "base_rate_shock",
    ),
    Risk(
        "construction_delay",
        "Construction delay",
        "Completion 12 months late: rent starts a year later while debt service starts on "
        "schedule; a completion guarantee pays the delay costs up to its cap.",
        Stress(completion_delay_months=12),
        "completion_delay_months",
    ),
    # --- refinancing (issue #12) ---
    Risk(
        "refinancing",
        "Refinancing market shut at maturity",
        "No lender refinances the balloons due before the leases end: each is due from cash "
        "and reserves, or it is a payment default.",
        Stress(refi_advance_cut=1.0),
        "refi_spread_shock",
    ),
    Risk(
        "refinancing_terms",
        "Refinancing at stressed terms",
        "The refinancing market is open at +300 bp and lends at most 65% of the collateral's "
        "market value.",
        Stress(refi_spread_shock=0.03, refi_advance_cut=0.35),
        "refi_advance_cut",
    ),
    # --- end of refinancing ---
)


def risk(risk_id: str) -> Risk:
    for r in RISKS:
        if r.id == risk_id:
            return r
    raise KeyError(f"unknown risk {risk_id!r}; expected one of {[r.id for r in RISKS]}")


@dataclass
class RiskOutcome:
    risk: Risk
    stress_description: str
    min_dscr: float
    loss_by_tranche: dict[str, float]  # USD m written off, seniority order
    loss_pct_by_tranche: dict[str, float]  # share of notional
    equity_irr: float
    breakeven: BreakEven
    sponsors: list[SponsorStress] = field(default_factory=list)
    #: why the risk cannot touch this deal (core.risk.applicability), None when it can
    not_applicable: str | None = None
    #: the break-even of each tranche, seniority order (the edge for that tranche alone)
    breakeven_by_tranche: list[BreakEven] = field(default_factory=list)

    @property
    def breakeven_label(self) -> str:
        return self.breakeven.label

    def to_dict(self) -> dict:
        def num(v: float) -> float | None:
            return None if v is None or not math.isfinite(v) else v

        return {
            "risk": self.risk.id,
            "title": self.risk.title,
            "stress": self.stress_description,
            "min_dscr": num(self.min_dscr),
            "loss_by_tranche": self.loss_by_tranche,
            "loss_pct_by_tranche": {k: num(v) for k, v in self.loss_pct_by_tranche.items()},
            "equity_irr": num(self.equity_irr),
            "breakeven": {
                k: num(v) if isinstance(v, float) else v
                for k, v in self.breakeven.to_dict().items()
            },  # fmt: skip
            "sponsors": [s.to_dict() for s in self.sponsors],
            "not_applicable": self.not_applicable,
            "breakeven_by_tranche": [
                {k: num(v) if isinstance(v, float) else v for k, v in b.to_dict().items()}
                for b in self.breakeven_by_tranche
            ],
        }


def breakeven_driver(deal: Deal, r: Risk) -> str:
    """The risk's break-even driver for ``deal``: compute-rent deflation is searched on the
    data-centre index when no lease of the deal follows compute rent."""
    leases = deal.of_kind("lease")
    building = all(b.terms["rent_index"] == "data_centre" for b in leases)
    if r.breakeven_driver == "rent_deflation" and leases and building:
        return "building_rent_deflation"
    return r.breakeven_driver


def evaluate(deal: Deal, r: Risk, engine: str = "cython", tol: float = 1e-3) -> RiskOutcome:
    """Run one risk's stress (debt sized on the unstressed deal) and solve its break-even."""
    from core.engine.results import run_deal
    from core.risk.stress import run_stressed

    base = run_deal(deal, engine=engine)
    res = run_stressed(deal, r.stress, engine, base.compiled)
    tm = res.tranche_metrics
    driver = breakeven_driver(deal, r)
    be = solve_breakeven(deal, driver, None, tol=tol, base=r.breakeven_base)
    per_tranche = [
        solve_breakeven(deal, driver, k, tol=tol, base=r.breakeven_base) for k in range(len(tm))
    ]
    return RiskOutcome(
        r,
        r.stress.describe(),
        float(res.metrics["min_dscr"]),
        {row.tranche: float(row.loss) for row in tm.itertuples()},
        {row.tranche: float(row.loss_pct) for row in tm.itertuples()},
        float(res.metrics["equity_irr"]),
        be,
        sponsor_stress(res.compiled, base.look_through, r.title),
        breakeven_by_tranche=per_tranche,
        not_applicable=risk_applicability(deal, r.id),
    )


def risk_summary(deal: Deal, engine: str = "cython", tol: float = 1e-3) -> list[RiskOutcome]:
    """Every risk in ``RISKS`` applied to ``deal``: stressed metrics, break-even, look-through."""
    return [evaluate(deal, r, engine, tol) for r in RISKS]
