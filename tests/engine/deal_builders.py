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
    interest-only, equity $800m, on the 10-year lease alone (no extension in the base case,
    a 10-year horizon, the physical collateral value: the sample as it was then). For tests of
    tools that sculpt (sizing, tornado) and of sizing on the base case, whose point is not
    refinancing."""
    from core.files.deal_json import load_deal

    d = load_deal("resources/deals/terawulf_backstop.json")
    d.blocks["spv"].terms.update(horizon_years=10.0, going_concern_yield=0.0)
    d.blocks["lease"].terms["renewals_exercised"] = 0
    d.blocks["notes"].terms.update(
        notional=2640.0, tenor_years=10.0, io_months=12, amortisation="sculpted",
        custom_schedule=[], target_dscr=1.3, refinance=False,
    )  # fmt: skip
    d.blocks["equity"].terms["amount"] = 800.0
    return d


def construction_ddtl_refi(
    *,
    idc: str = "capitalised",
    delay_months: int = 0,
    max_advance: float = 0.0,
    availability_months: int = 18,
    refi_advance: float = 0.65,
) -> Deal:
    """A construction funded by a capex-linked delayed-draw loan whose balloon is refinanced
    (issue #12), monthly over 8 years:

    * capex: 1,000 GPUs at USD 200k (USD 200m) and a USD 100m facility, spent over the 12
      months to completion on the S-curve from closing; rent of USD 66m a year for 7 years
      from completion;
    * senior construction loan (rank 1): USD 150m commitment (a 50% debt share of the USD
      300m capex), 8% fixed 30/360, 0.5% commitment fee, drawn as capex is spent within its
      availability period; each draw a bullet at the 5-year legal final maturity, the balloon
      refinanced (65% advance rate on the market value, 4% over the base rate, 3-year annuity:
      USD 248m of collateral then refinances all of it on the base case);
    * mezzanine notes (rank 2): USD 40m, 11% fixed, drawn at closing, interest-only to an
      8-year bullet paid from the sale of the assets at the lease's end;
    * equity USD 110m; the Treasury reserve (capitalised interest: the USD 150m equity +
      mezzanine share of capex) funds 50% of each period's capex.
    """
    d = Deal("construction + capex-linked DDTL + refinancing")
    d.add_block("spv", {
        "horizon_years": 8.0, "period": "monthly", "base_rate": 0.04,
        "completion_month": 12, "construction_start_month": 0, "capex_profile": "s_curve",
        "treasury_yield": 0.045, "idc_funding": idc, "completion_delay_months": delay_months,
    }, block_id="spv")  # fmt: skip
    d.add_block("sponsor", {"name": "Tenant"}, block_id="tenant")
    d.add_block("equity", {"amount": 110.0}, block_id="eq")
    d.add_block("tranche", {
        "name": "Construction loan", "notional": 150.0, "coupon": 0.08, "tenor_years": 5.0,
        "seniority": 1, "amortisation": "bullet", "day_count": "30/360",
        "availability_months": availability_months, "draw_basis": "capex",
        "commitment_fee": 0.005, "max_advance": max_advance,
        "refinance": True, "refi_sizing": "advance", "refi_advance": refi_advance,
        "refi_spread": 0.04, "refi_tenor_years": 3.0, "refi_amortisation": "annuity",
    }, block_id="senior")  # fmt: skip
    d.add_block("tranche", {
        "name": "Mezzanine notes", "notional": 40.0, "coupon": 0.11, "tenor_years": 8.0,
        "seniority": 2, "amortisation": "bullet", "day_count": "30/360",
    }, block_id="mezz")  # fmt: skip
    d.add_block("gpu_fleet", {
        "count": 1000, "unit_cost": 200.0, "mv_decline": 0.0, "next_gen_step": 0.0,
        "commercial_life_years": 8.0,
    }, block_id="fleet")  # fmt: skip
    d.add_block("facility", {"cost": 100.0, "life_years": 25.0}, block_id="plant")
    d.add_block("lease", {"annual_rent": 66.0, "term_years": 7.0, "at_expiry": "sell"},
                block_id="lease")  # fmt: skip
    d.connect("owns", "eq", "spv")
    d.connect("owns", "spv", "fleet")
    d.connect("owns", "spv", "plant")
    d.connect("issues", "spv", "senior")
    d.connect("issues", "spv", "mezz")
    d.connect("leases_to", "spv", "lease")
    d.connect("leases_to", "lease", "tenant")
    return d
