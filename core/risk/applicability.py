"""Which risk drivers can touch a deal at all: a driver a deal does not have is *not
applicable*, and the stress page and the Monte Carlo say so instead of printing a zero loss.

A driver applies when the deal holds what it acts on (docs/risk.md, "Not applicable"):

========================  =====================================================================
``lease``                 a lease or offtake (tenant default, early termination)
``renewal_option``        a lease with a renewal option (non-renewal)
``market_rent``           a lease whose cash follows market rent: a renewal option (repriced at
                          the lower of the expiring and the market rent), GPU-hour billing,
                          re-leasing (at expiry or after a default) or an economic walk-away
``gpu_fleet``             a GPU fleet (GPU value, generations, commercial life)
``collateral``            a GPU fleet or a facility the lenders can sell
``crypto``                crypto collateral (BTC)
``guarantee``             a guarantee, backstop or RVG (its guarantor's default)
``floating_debt``         a floating-rate tranche (base-rate moves)
``walk_away``             a lease with a walk-away term (sensitivity or gap)
``third_party_backstop``  a backstop given by someone other than the lease's tenant
``facility``              a facility (the tornado's sale haircut)
``gpu_hour_lease``        a lease billed per GPU-hour (the tornado's utilisation)
``refinancing``           a tranche with refinancing terms whose balloon falls due before the
                          deal ends (the refinancing market)
========================  =====================================================================

``why_not(deal, need)`` is None when the deal has it, else the reason in words;
``risk_applicability(deal, risk_id)`` does the same for a risk of ``core.risk.catalogue``
(``RISK_NEEDS``; a risk not listed there applies to every deal).
"""

from __future__ import annotations

from collections.abc import Callable

from core.model.deal import Deal


def _leases(deal: Deal) -> list:
    return deal.of_kind("lease")


def _refinancing(deal: Deal) -> bool:
    """A tranche with refinancing terms matures before the horizon (its balloon is rolled)."""
    spv = deal.of_kind("spv")
    horizon = spv[0].terms["horizon_years"] if spv else 0.0
    return any(
        b.terms.get("refinance") and b.terms["tenor_years"] < horizon
        for b in deal.of_kind("tranche")
    )


def _market_rent(deal: Deal) -> bool:
    return any(
        t["renewal_options"] > 0
        or t["rent_basis"] == "gpu_hour"
        or t.get("at_expiry") == "re_lease"
        or t.get("default_recovery") == "re_lease"
        or t.get("walk_away_gap", 0.0) > 0
        or t.get("walk_away_sensitivity", 0.0) > 0
        for t in (b.terms for b in _leases(deal))
    )


#: need -> (test on the deal, what the deal lacks when the test fails)
NEEDS: dict[str, tuple[Callable[[Deal], bool], str]] = {
    "lease": (lambda d: bool(_leases(d)), "no lease or offtake"),
    "renewal_option": (
        lambda d: any(b.terms["renewal_options"] > 0 for b in _leases(d)),
        "no lease has a renewal option",
    ),
    "market_rent": (
        _market_rent,
        "no lease cash follows market rent (no renewal option, GPU-hour billing, re-leasing "
        "or walk-away)",
    ),
    "gpu_fleet": (lambda d: bool(d.of_kind("gpu_fleet")), "no GPU fleet"),
    "collateral": (
        lambda d: bool(d.of_kind("gpu_fleet") or d.of_kind("facility")),
        "no GPU fleet or facility to sell",
    ),
    "crypto": (lambda d: bool(d.of_kind("crypto")), "no crypto collateral"),
    "guarantee": (lambda d: bool(d.of_kind("guarantee")), "no guarantee, backstop or RVG"),
    "floating_debt": (  # a refinanced balloon floats, or is fixed at the base rate then
        lambda d: (
            any(b.terms["rate_type"] == "floating" for b in d.of_kind("tranche")) or _refinancing(d)
        ),
        "all debt is fixed-rate",
    ),
    # --- refinancing (issue #12) ---
    "refinancing": (
        _refinancing,
        "no balloon is refinanced before the deal ends (no tranche with refinancing terms "
        "matures before the horizon)",
    ),
}

# ---- issue #11 (calibration): the walk-away and guarantor-default causes, the tornado's inputs


def _third_party_backstop(deal: Deal) -> bool:
    from core.engine.leases import guarantor_of, lease_backstops, tenant_of

    for lease in _leases(deal):
        tenant = tenant_of(deal, lease)
        for g in lease_backstops(deal, lease):
            gs = guarantor_of(deal, g)
            if gs is not None and (tenant is None or gs.id != tenant.id):
                return True
    return False


NEEDS["walk_away"] = (
    lambda d: any(
        b.terms.get("walk_away_sensitivity", 0.0) > 0 or b.terms.get("walk_away_gap", 0.0) > 0
        for b in _leases(d)
    ),
    "no lease has a walk-away term",
)
NEEDS["facility"] = (lambda d: bool(d.of_kind("facility")), "no facility")
NEEDS["gpu_hour_lease"] = (
    lambda d: any(b.terms["rent_basis"] == "gpu_hour" for b in _leases(d)),
    "no lease billed per GPU-hour",
)
NEEDS["third_party_backstop"] = (
    _third_party_backstop,
    "no backstop from a third party; a tenant's own guarantee fails with its lease, a tenant "
    "default",
)
# ---- end of the split
NEEDS["construction"] = (
    lambda d: any(b.terms.get("completion_month", 0) > 0 for b in d.of_kind("spv")),
    "no construction phase (the deal operates from closing)",
)

#: what each risk of core.risk.catalogue.RISKS acts on
RISK_NEEDS: dict[str, tuple[str, ...]] = {
    "rent_deflation": ("market_rent",),
    "walk_away": ("lease",),
    "obsolescence": ("gpu_fleet",),
    "lease": ("lease",),
    "correlation": ("crypto",),
    "liquidation": ("lease", "collateral"),
    "guarantor": ("guarantee",),
    "rates": ("floating_debt",),
    "construction_delay": ("construction",),
    "refinancing": ("refinancing",),
    "refinancing_terms": ("refinancing",),
}


def why_not(deal: Deal, need: str) -> str | None:
    """None when ``deal`` has what ``need`` (a key of ``NEEDS``) acts on, else the reason."""
    test, missing = NEEDS[need]
    return None if test(deal) else missing


def first_missing(deal: Deal, needs: tuple[str, ...]) -> str | None:
    """The reason of the first need ``deal`` lacks, or None when it has them all."""
    for need in needs:
        reason = why_not(deal, need)
        if reason is not None:
            return reason
    return None


def risk_applicability(deal: Deal, risk_id: str) -> str | None:
    """None when the catalogue risk ``risk_id`` applies to ``deal``; else why it does not."""
    return first_missing(deal, RISK_NEEDS.get(risk_id, ()))
