"""Small deals built in code for hand-worked engine tests."""

from __future__ import annotations

from core.model.deal import Deal


def simple_deal(
    *,
    notional: float = 100.0,
    coupon: float = 0.12,
    tenor_years: float = 1.0,
    amortisation: str = "annuity",
    annual_rent: float = 240.0,
    horizon_years: float = 1.0,
    period: str = "monthly",
    lease: dict | None = None,
    tranche: dict | None = None,
    extra: bool = False,
) -> Deal:
    """One SPV, one tranche, one equity class, one fixed-rent lease to a tenant."""
    d = Deal("hand-worked")
    d.add_block("spv", {"horizon_years": horizon_years, "period": period}, block_id="spv")
    d.add_block("sponsor", {"name": "Tenant"}, block_id="tenant")
    d.add_block("equity", {"amount": 10.0}, block_id="eq")
    terms = {
        "notional": notional,
        "coupon": coupon,
        "tenor_years": tenor_years,
        "amortisation": amortisation,
    }
    terms.update(tranche or {})
    d.add_block("tranche", terms, block_id="senior")
    lease_terms = {"annual_rent": annual_rent, "term_years": horizon_years, "at_expiry": "sell"}
    lease_terms.update(lease or {})
    d.add_block("lease", lease_terms, block_id="lease")
    d.connect("owns", "eq", "spv")
    d.connect("issues", "spv", "senior")
    d.connect("leases_to", "spv", "lease")
    d.connect("leases_to", "lease", "tenant")
    return d


def sculpted_terawulf() -> Deal:
    """The TeraWulf sample with its notes as they were before the sample refinanced their
    2030 balloon (issue #12): $2.64B sculpted to 1.30x over the 10-year lease after 12 months
    interest-only, equity $800m. For tests of tools that sculpt (sizing, tornado) and of
    sizing on the base case, whose point is not refinancing."""
    from core.files.deal_json import load_deal

    d = load_deal("resources/deals/terawulf_backstop.json")
    d.blocks["notes"].terms.update(
        notional=2640.0, tenor_years=10.0, io_months=12, amortisation="sculpted",
        custom_schedule=[], target_dscr=1.3, refinance=False,
    )  # fmt: skip
    d.blocks["equity"].terms["amount"] = 800.0
    return d
