"""Build the sample deals in resources/deals/ from public reporting (see each description).

Run ``python scripts/build_sample_deals.py`` after changing the deal model; the files are
committed so the application and the tests can open them without running this.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.files.deal_json import save_deal  # noqa: E402
from core.model.deal import Deal  # noqa: E402
from core.model.layout import auto_layout  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "resources" / "deals"


class Builder:
    def __init__(self, name: str, description: str) -> None:
        self.deal = Deal(name, description)

    def add(self, block_id: str, kind: str, **terms) -> str:
        self.deal.add_block(kind, terms, block_id=block_id)
        return block_id

    def link(self, kind: str, source: str, target: str) -> None:
        self.deal.connect(kind, source, target)


def hyperion() -> Deal:
    b = Builder(
        "Hyperion-style data-centre JV (Meta / Blue Owl)",
        "Modelled on the Hyperion financing of October 2025 (public reporting, DOMAIN.md "
        "'Public facts'): an 80/20 joint venture of Blue Owl funds and Meta owns a ~$27B "
        "Louisiana campus, issues $27.3B of 144A bonds at 6.58% (rated A+, fully amortising to "
        "2049) and leases the campus to Meta on a 4-year initial term with extension options, "
        "with a capped residual value guarantee covering the first 16 years of operations. "
        "Construction (DOMAIN.md, 'How these deals behave'): the bonds are funded at closing "
        "(October 2025) and parked in Treasuries until spent, earning 4% a year (approx.: 2025 "
        "Treasury bill yields); the campus completes in month 48, October 2029 ('completion "
        "2029-30'); capex follows an S-curve (approx.); interest during construction is paid "
        "from the Treasury reserve (an interest reserve funded at closing, net of the yield); "
        "the lease starts at completion and the bonds are interest-only until then and amortise "
        "to the 2049 final maturity. The ~$27B development cost is read as all-in: ~$21B of "
        "hard capex (the facility cost, approx.), ~$4.9B of construction interest net of the "
        "Treasury yield and the $1.2B DSRA, which with the $27.3B bonds and ~$2.5B equity "
        "(approx.) leaves ~$2.6B for Meta's reported ~$3B distribution at close. The RVG is "
        "Meta's (tenant and guarantor are one credit and default once) and pays on a sale after "
        "non-renewal or termination within 16.25 years of the start of operations (so a "
        "non-renewal at the year-16 renewal date is covered); its floor is 100% of the all-in "
        "project cost (floor_basis all_in_cost: hard cost plus the construction interest the "
        "bonds funded, ~$25.9B), as the public deal's RVG protects the bondholders' principal; "
        "floor share and the $12B cap are approximations. Rent ($2.85B a year, approx.) follows "
        "a data-centre rent index; the base case assumes Meta exercises five 4-year extensions "
        "at the contract rent (a walk-away calls the RVG). Meta's completion guarantee (cap "
        "$10B, about two years of lost rent plus interest) is an assumption (approx., not in "
        "the reporting we hold); it pays nothing once Meta has defaulted. The Monte Carlo draws "
        "a late completion on 30% of paths, 6 months on average (approx.: '2029-30'). After a "
        "tenant default the campus is re-let after a 12-month search at market rent less 15% "
        "remarketing costs (approx.; a specialised building has little forced-sale value).",
    )
    b.add(
        "meta",
        "sponsor",
        name="Meta Platforms",
        rating="AA-",
        jv_share=0.20,
        balance_sheet_debt=58700.0,
        borrowing_rate=0.05,
    )
    b.add("blue_owl", "equity", investor="Blue Owl funds", amount=2500.0, ownership_share=0.80)
    b.add(
        "spv",
        "spv",
        name="Beignet Investor LLC (JV)",
        closing_date="2025-10-01",
        period="quarterly",
        horizon_years=24.0,
        completion_month=48,
        capex_profile="s_curve",
        treasury_yield=0.04,
        idc_funding="reserve",
        delay_probability=0.3,
        delay_mean_months=6.0,
    )
    b.add(
        "bonds",
        "tranche",
        name="144A senior secured bonds",
        seniority=1,
        notional=27300.0,
        coupon=0.0658,
        tenor_years=24.0,
        amortisation="annuity",
    )
    b.add(
        "lease",
        "lease",
        name="Operating lease to Meta",
        term_years=4.0,
        annual_rent=2850.0,
        escalator=0.0,
        renewal_options=5,
        renewal_term_years=4.0,
        renewals_exercised=5,
        renewal_pricing="contract",
        at_expiry="sell",
        market_rent_decline=0.0,
        rent_index="data_centre",
        default_recovery="re_lease",
        search_lag_months=12,
        remarketing_cost_pct=0.15,
    )
    b.add(
        "campus",
        "facility",
        name="Hyperion campus (2 GW)",
        cost=21000.0,  # hard capex; the ~$27B development cost is all-in (description)
        life_years=40.0,
        capacity_mw=2000.0,
        market_value_pct=0.75,
        liquidation_haircut=0.5,
    )
    b.add(
        "rvg",
        "guarantee",
        name="Meta residual value guarantee",
        guarantee_type="rvg",
        floor_pct=1.0,
        floor_basis="all_in_cost",  # hard cost + the construction interest the bonds funded
        cap=12000.0,
        term_years=16.25,  # the year-16 renewal date is inside the guarantee
        term_from="operations",
        rvg_triggers="lease_end",
    )
    b.add(
        "completion",
        "guarantee",
        name="Meta completion guarantee",
        guarantee_type="completion",
        cap=10000.0,
    )
    b.add("dsra", "reserve", target_months=6)
    b.add("opex", "opex", admin_fees=20.0, escalator=0.025)
    b.add("cov", "covenant", lockup_dscr=1.10, default_dscr=1.02, lookback_months=12)
    for kind, s, t in [
        ("owns", "meta", "spv"),
        ("owns", "blue_owl", "spv"),
        ("issues", "spv", "bonds"),
        ("leases_to", "spv", "lease"),
        ("leases_to", "lease", "meta"),
        ("owns", "spv", "campus"),
        ("guarantees", "meta", "rvg"),
        ("guarantees", "rvg", "campus"),
        ("owns", "spv", "dsra"),
        ("secures", "campus", "bonds"),
        ("secures", "lease", "bonds"),
        ("applies_to", "opex", "spv"),
        ("applies_to", "cov", "spv"),
        ("guarantees", "meta", "completion"),
        ("guarantees", "completion", "campus"),
    ]:
        b.link(kind, s, t)
    return b.deal


def xai_gpu_spv() -> Deal:
    b = Builder(
        "AI-lab GPU SPV (xAI / Valor / Apollo style)",
        "Modelled on the xAI GPU vehicle reported in October 2025: $20B = $7.5B equity + $12.5B "
        "debt; the SPV buys Nvidia GPUs and leases them to xAI for 5 years; lenders look to the "
        "hardware, not xAI's credit. GPU count, unit cost, rent, spread and the market-value "
        "curve are approximations (GB200-class at ~$50k per GPU; Rubin expected about a year "
        "after closing). At lease end the GPUs are sold at market value less a 10% haircut. "
        "Credit terms (DOMAIN.md): the lenders' recovery after a tenant default is a forced "
        "sale of used GPUs into a thin market, with no repo market: the lenders enforce and "
        "sell after a 9-month lag at the forced-sale haircut (35%) plus a discount of 5% a year "
        "of age and 30% x N / (N + 50,000 GPUs) for volume (approx.). xAI is unrated (its "
        "default hazard is the single-B table rate); the lease is on the compute-rent index, "
        "so falling GPU-hour rents raise xAI's incentive to walk away.",
    )
    b.add(
        "xai", "sponsor", name="xAI", rating="NR", balance_sheet_debt=5000.0, borrowing_rate=0.125
    )
    b.add("valor", "equity", investor="Valor-led equity", amount=7500.0)
    b.add(
        "spv",
        "spv",
        name="Colossus GPU SPV",
        closing_date="2025-11-01",
        period="monthly",
        horizon_years=5.0,
        base_rate_curve=[0.037, 0.035, 0.034, 0.034, 0.035],
    )
    b.add(
        "loan",
        "tranche",
        name="Apollo-led senior loan",
        seniority=1,
        notional=12500.0,
        rate_type="floating",
        spread=0.04,
        day_count="ACT/360",
        tenor_years=5.0,
        amortisation="annuity",
    )
    b.add(
        "lease",
        "lease",
        name="5-year GPU lease to xAI",
        term_years=5.0,
        annual_rent=4500.0,
        at_expiry="sell",
        market_rent_decline=0.25,
        default_recovery="enforce",
    )
    b.add(
        "gpus",
        "gpu_fleet",
        name="GB200 fleet",
        generation="GB200",
        count=400000,
        unit_cost=50.0,
        accounting_life_years=6.0,
        mv_decline=0.20,
        next_gen_years=[1.0, 3.0],
        next_gen_step=0.15,
        commercial_life_years=6.0,
        scrap_pct=0.05,
        liquidation_lag_months=9,
    )
    b.add("dsra", "reserve", target_months=3, funded_at_close=False)
    b.add("opex", "opex", admin_fees=10.0, escalator=0.025)
    b.add("cov", "covenant", lockup_dscr=1.20, default_dscr=1.05, ltv_max=0.85, ltv_action="sweep")
    for kind, s, t in [
        ("owns", "valor", "spv"),
        ("issues", "spv", "loan"),
        ("leases_to", "spv", "lease"),
        ("leases_to", "lease", "xai"),
        ("owns", "spv", "gpus"),
        ("secures", "gpus", "loan"),
        ("owns", "spv", "dsra"),
        ("applies_to", "opex", "spv"),
        ("applies_to", "cov", "spv"),
    ]:
        b.link(kind, s, t)
    return b.deal


def terawulf() -> Deal:
    b = Builder(
        "Miner-hosted AI campus with a hyperscaler backstop (TeraWulf / Fluidstack / Google style)",
        "Modelled on TeraWulf's Lake Mariner leases to Fluidstack (Aug-Oct 2025): 10-year leases, "
        "~360 MW, $6.7B contracted (up to $16B with two 5-year extensions); Google backstops $3.2B "
        "of Fluidstack's obligations; site NOI margin about 85%; build cost about $9M per MW; "
        "$3.2B senior secured notes at 7.75%. The real notes are due 2030 and rely on refinancing; "
        "here the notes are sized by sculpting to a 1.30x DSCR over the lease after a 12-month "
        "construction period, which supports about $2.64B of the $3.2B. Equity is the balance. "
        "Credit terms (DOMAIN.md): Google's backstop covers Fluidstack's lease payments if "
        "Fluidstack defaults, up to $3.2B, for the 10-year term from the start of operations; "
        "it does not cover an early termination (in the Cipher deal Google may also assume the "
        "lease: backstop scope 'assumption'); Google's own default (AA+) ends it. The leases "
        "follow a data-centre rent index; after a default not covered by the backstop the "
        "halls are re-let after a 9-month search at market rent less 10% (approx.).",
    )
    b.add(
        "wulf",
        "sponsor",
        name="TeraWulf",
        rating="B",
        jv_share=0.0,
        balance_sheet_debt=1500.0,
        borrowing_rate=0.08,
    )
    b.add("fluid", "sponsor", name="Fluidstack", rating="NR", borrowing_rate=0.12)
    b.add("google", "sponsor", name="Google (Alphabet)", rating="AA+", borrowing_rate=0.045)
    b.add("equity", "equity", investor="TeraWulf equity", amount=800.0)
    b.add(
        "spv",
        "spv",
        name="Lake Mariner AI SPV",
        closing_date="2025-10-01",
        period="quarterly",
        horizon_years=10.0,
    )
    b.add(
        "notes",
        "tranche",
        name="7.75% senior secured notes",
        seniority=1,
        notional=2640.0,
        coupon=0.0775,
        tenor_years=10.0,
        io_months=12,
        amortisation="sculpted",
        target_dscr=1.30,
    )
    b.add(
        "lease",
        "lease",
        name="Fluidstack 10-year leases (360 MW)",
        term_years=10.0,
        annual_rent=585.0,
        escalator=0.03,
        renewal_options=2,
        renewal_term_years=5.0,
        at_expiry="sell",
        market_rent_decline=0.0,  # data-centre rent: flat in the base case (approx.)
        rent_index="data_centre",
        default_recovery="re_lease",
        search_lag_months=9,
        remarketing_cost_pct=0.10,
    )
    b.add(
        "backstop",
        "guarantee",
        name="Google backstop",
        guarantee_type="backstop",
        cap=3200.0,
        term_years=10.0,
        term_from="operations",
        backstop_scope="default",
    )
    b.add(
        "site",
        "facility",
        name="Lake Mariner data halls",
        cost=3300.0,
        life_years=25.0,
        capacity_mw=360.0,
        market_value_pct=0.4,
        liquidation_haircut=0.5,
    )
    b.add("dsra", "reserve", target_months=6)
    b.add("opex", "opex", maintenance=55.0, insurance=15.0, admin_fees=12.0, escalator=0.025)
    b.add("cov", "covenant", lockup_dscr=1.15, default_dscr=1.05, lookback_months=12)
    for kind, s, t in [
        ("owns", "equity", "spv"),
        ("issues", "spv", "notes"),
        ("leases_to", "spv", "lease"),
        ("leases_to", "lease", "fluid"),
        ("guarantees", "google", "backstop"),
        ("guarantees", "backstop", "lease"),
        ("owns", "spv", "site"),
        ("secures", "site", "notes"),
        ("owns", "spv", "dsra"),
        ("applies_to", "opex", "spv"),
        ("applies_to", "cov", "spv"),
    ]:
        b.link(kind, s, t)
    return b.deal


def coreweave() -> Deal:
    b = Builder(
        "GPU-backed delayed-draw term loan (CoreWeave DDTL 3.0 style)",
        "Modelled on CoreWeave's DDTL 3.0 (2025): $2.6B at SOFR + 4.00% for 5 years, tied to one "
        "large take-or-pay contract; lenders fall back on the GPUs if the contract fails. The "
        "loan is modelled as fully drawn at closing (draws are not yet scheduled). GPU count, "
        "price per GPU-hour, power, colocation cost and equity are approximations (H200 at ~$40k; "
        "$2.10/GPU-hr; colocation ~$150/kW-month in maintenance). Credit terms (DOMAIN.md): "
        "lenders fall back on the GPUs if the contract fails: after a customer default they "
        "enforce and sell after a 6-month lag at the 40% forced-sale haircut plus the age and "
        "volume discount (approx.); the contract is on the compute-rent index.",
    )
    b.add(
        "cw",
        "sponsor",
        name="CoreWeave",
        rating="B+",
        jv_share=1.0,
        consolidates_spv=True,
        balance_sheet_debt=8000.0,
        borrowing_rate=0.10,
    )
    b.add("client", "sponsor", name="Investment-grade AI customer", rating="A", borrowing_rate=0.05)
    b.add(
        "spv",
        "spv",
        name="CoreWeave Compute Acquisition Co.",
        closing_date="2025-07-01",
        period="monthly",
        horizon_years=5.0,
        base_rate=0.036,
    )
    b.add("equity", "equity", investor="CoreWeave", amount=860.0, ownership_share=0.0)
    b.add(
        "ddtl",
        "tranche",
        name="DDTL 3.0",
        seniority=1,
        notional=2600.0,
        rate_type="floating",
        spread=0.04,
        day_count="ACT/360",
        tenor_years=5.0,
        amortisation="annuity",
    )
    b.add(
        "contract",
        "lease",
        name="5-year compute contract",
        term_years=5.0,
        rent_basis="gpu_hour",
        price_per_gpu_hour=2.10,
        utilisation=0.85,
        take_or_pay=0.85,
        at_expiry="sell",
        market_rent_decline=0.25,
        default_recovery="enforce",
    )
    b.add(
        "gpus",
        "gpu_fleet",
        name="H200 fleet",
        generation="H200",
        count=82500,
        unit_cost=40.0,
        accounting_life_years=6.0,
        mv_decline=0.22,
        next_gen_years=[0.5, 2.0],
        next_gen_step=0.12,
        commercial_life_years=5.0,
        scrap_pct=0.05,
        liquidation_haircut=0.40,
    )
    b.add("dsra", "reserve", target_months=3)
    b.add(
        "opex",
        "opex",
        power_mw=120.0,
        power_price=65.0,
        pue=1.25,
        maintenance=280.0,
        insurance=8.0,
        admin_fees=6.0,
        escalator=0.03,
    )
    b.add("cov", "covenant", lockup_dscr=1.15, default_dscr=1.05, ltv_max=0.90, ltv_action="sweep")
    for kind, s, t in [
        ("owns", "cw", "spv"),
        ("issues", "spv", "equity"),
        ("issues", "spv", "ddtl"),
        ("leases_to", "spv", "contract"),
        ("leases_to", "contract", "client"),
        ("owns", "spv", "gpus"),
        ("secures", "gpus", "ddtl"),
        ("secures", "contract", "ddtl"),
        ("owns", "spv", "dsra"),
        ("applies_to", "opex", "spv"),
        ("applies_to", "cov", "spv"),
    ]:
        b.link(kind, s, t)
    return b.deal


SAMPLES = {
    "hyperion_jv": hyperion,
    "xai_gpu_spv": xai_gpu_spv,
    "terawulf_backstop": terawulf,
    "coreweave_ddtl": coreweave,
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in SAMPLES.items():
        deal = build()
        for block_id, position in auto_layout(deal).items():
            deal.move_block(block_id, position)
        save_deal(deal, OUT / f"{name}.json")
        print(f"wrote {OUT / (name + '.json')}")


if __name__ == "__main__":
    main()
