"""The registry of block kinds a deal is built from, with their declared terms.

Each kind has a stable id (used in deal files and the palette's drag MIME data), a label,
a one-line description and its fields. Defaults are reasonable for a 2025-26 AI
infrastructure deal (see ``../shared/DOMAIN.md``); users change them per deal.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.model.fields import Field, choice, flag, money, num, pct, text, whole

RATINGS = (
    "AAA",
    "AA+",
    "AA",
    "AA-",
    "A+",
    "A",
    "A-",
    "BBB+",
    "BBB",
    "BBB-",
    "BB+",
    "BB",
    "BB-",
    "B+",
    "B",
    "B-",
    "CCC",
    "NR",
)
GPU_GENERATIONS = ("A100", "H100", "H200", "B200", "GB200", "GB300", "Rubin", "other")


@dataclass(frozen=True)
class BlockKind:
    id: str
    label: str
    description: str
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def defaults(self) -> dict:
        return {
            f.name: (list(f.default) if isinstance(f.default, list) else f.default)
            for f in self.fields
        }


_KINDS = [
    BlockKind(
        "sponsor",
        "Sponsor / tenant",
        "A hyperscaler, AI lab, neo-cloud or miner: owns part of the SPV, leases from it, "
        "or guarantees its obligations.",
        (
            text("name", "Name", "Sponsor"),
            choice("rating", "Credit rating", "NR", RATINGS),
            flag(
                "consolidates_spv",
                "Consolidates the SPV",
                False,
                "True when the sponsor controls the SPV or bears most of its risk.",
            ),
            pct(
                "jv_share",
                "Share of the SPV / JV",
                0.0,
                "Ownership share when this sponsor owns the SPV (owns connection).",
            ),
            money(
                "balance_sheet_debt",
                "On-balance-sheet debt",
                0.0,
                "Debt on the sponsor's own balance sheet, for look-through leverage.",
            ),
            pct(
                "borrowing_rate",
                "Incremental borrowing rate",
                0.05,
                "Discount rate for the present value of its lease payments.",
                unit="pct_per_year",
            ),
        ),
    ),
    BlockKind(
        "spv",
        "SPV / JV",
        "The bankruptcy-remote issuer that owns the assets, signs the lease and borrows.",
        (
            text("name", "Name", "SPV"),
            flag("bankruptcy_remote", "Bankruptcy remote", True),
            Field(
                "closing_date",
                "Closing date",
                "date",
                "2026-01-01",
                help="First period starts on this date.",
            ),
            choice("period", "Period", "monthly", ("monthly", "quarterly")),
            num("horizon_years", "Model horizon", 10.0, "years", minimum=0.25, maximum=50.0),
            pct(
                "base_rate",
                "Base rate (SOFR)",
                0.037,
                "Flat base rate for floating tranches.",
                unit="pct_per_year",
                minimum=-0.05,
                maximum=0.5,
            ),
            Field(
                "base_rate_curve",
                "Base-rate curve",
                "list",
                [],
                unit="pct_per_year",
                item_minimum=-0.05,
                item_maximum=0.5,
                help="Optional yearly base rates (year 1, year 2, ...); overrides the flat rate; "
                "the last value holds thereafter.",
            ),
            pct(
                "tax_rate",
                "Tax rate",
                0.0,
                "Entity-level tax on (EBITDA - depreciation - interest); 0 for a pass-through SPV.",
            ),
        ),
    ),
    BlockKind(
        "equity",
        "Equity",
        "An equity class: first loss, paid from what is left after debt service.",
        (
            text("investor", "Investor", "Equity investor"),
            money("amount", "Amount", 100.0),
            whole(
                "first_loss_order",
                "First-loss order",
                1,
                minimum=1,
                help="1 absorbs losses first; higher numbers are more senior within equity.",
            ),
            pct("preferred_return", "Preferred return", 0.0, unit="pct_per_year"),
            pct(
                "ownership_share",
                "Ownership share",
                1.0,
                "Share of the SPV this class holds (owns connection).",
            ),
        ),
    ),
    BlockKind(
        "tranche",
        "Debt tranche",
        "A class of debt issued by the SPV, paid in order of seniority.",
        (
            text("name", "Name", "Senior notes"),
            whole(
                "seniority",
                "Seniority rank",
                1,
                minimum=1,
                help="1 is paid first; equal ranks are paid pro rata.",
            ),
            money("notional", "Notional", 100.0),
            choice("rate_type", "Rate type", "fixed", ("fixed", "floating")),
            pct("coupon", "Fixed coupon", 0.065, unit="pct_per_year", maximum=0.5),
            pct("spread", "Spread over base rate", 0.0, unit="pct_per_year", maximum=0.5),
            choice("day_count", "Day count", "30/360", ("30/360", "ACT/360")),
            num(
                "tenor_years",
                "Legal final maturity",
                5.0,
                "years",
                minimum=0.25,
                maximum=50.0,
                help="Years from closing; any balance left is due then.",
            ),
            whole("io_months", "Interest-only period", 0, "months"),
            choice(
                "amortisation",
                "Amortisation",
                "annuity",
                ("bullet", "annuity", "straight_line", "custom", "sculpted", "sweep"),
            ),
            Field(
                "custom_schedule",
                "Custom schedule",
                "list",
                [],
                unit="pct",
                item_minimum=0.0,
                item_maximum=1.0,
                help="Share of the original notional repaid in each period after the "
                "interest-only period; any rest is due at maturity.",
            ),
            num("target_dscr", "Sculpting target DSCR", 1.30, "x", minimum=1.0, maximum=10.0),
            pct(
                "sweep_pct",
                "Cash sweep",
                0.0,
                "Share of the cash left after scheduled debt service and reserves that prepays "
                "this tranche.",
            ),
            flag(
                "pik",
                "PIK toggle",
                False,
                "Unpaid interest is capitalised instead of falling into arrears.",
            ),
        ),
    ),
    BlockKind(
        "lease",
        "Lease / offtake",
        "The contract that pays the SPV: a fixed rent or GPU-hours sold at a price.",
        (
            text("name", "Name", "Lease"),
            whole("start_month", "Start", 0, "months", help="Months after closing."),
            num("term_years", "Initial term", 5.0, "years", minimum=0.25, maximum=50.0),
            choice("rent_basis", "Rent basis", "fixed", ("fixed", "gpu_hour")),
            money("annual_rent", "Annual rent", 100.0, unit="usd_m_per_year"),
            num("price_per_gpu_hour", "Price per GPU-hour", 2.0, "usd_per_hour"),
            whole(
                "gpus",
                "GPUs contracted",
                0,
                "count",
                help="0 takes the count of the GPU fleet the SPV owns.",
            ),
            pct("utilisation", "Utilisation", 0.9),
            pct(
                "take_or_pay",
                "Take-or-pay minimum",
                0.0,
                "Minimum share of contracted GPU-hours billed whatever the utilisation.",
            ),
            pct("escalator", "Annual escalator", 0.0, unit="pct_per_year", minimum=-0.5),
            whole("renewal_options", "Renewal options", 0, "count"),
            num("renewal_term_years", "Renewal term", 1.0, "years", minimum=0.25),
            pct(
                "renewal_rent_pct",
                "Renewal rent",
                1.0,
                "Renewal rent as a share of the expiring rent.",
                maximum=3.0,
            ),
            whole(
                "renewals_exercised",
                "Renewals assumed",
                0,
                "count",
                help="How many renewal options the base case assumes the tenant exercises.",
            ),
            whole(
                "termination_month",
                "Early termination",
                0,
                "months",
                help="Month after closing in which the tenant terminates; 0 for none.",
            ),
            money("termination_fee", "Termination fee", 0.0),
            whole(
                "tenant_default_month",
                "Tenant default",
                0,
                "months",
                help="Month after closing in which the tenant stops paying; 0 for none.",
            ),
            choice(
                "at_expiry",
                "At lease end",
                "sell",
                ("sell", "re_lease"),
                "Sell the assets at market value, or re-lease them at the market rent.",
            ),
            pct(
                "market_rent_decline",
                "Market rent decline",
                0.15,
                unit="pct_per_year",
                help="Yearly fall of the market rent for re-leasing (compute-rent deflation).",
            ),
        ),
    ),
    BlockKind(
        "gpu_fleet",
        "GPU fleet",
        "The GPUs the SPV owns: cost, book and market value.",
        (
            text("name", "Name", "GPU fleet"),
            choice("generation", "Generation", "H100", GPU_GENERATIONS),
            whole("count", "GPUs", 10000, "count"),
            num("unit_cost", "Cost per GPU", 30.0, "usd_k"),
            choice(
                "depreciation_method",
                "Depreciation",
                "straight_line",
                ("straight_line", "declining_balance", "custom"),
            ),
            num(
                "accounting_life_years", "Accounting life", 5.0, "years", minimum=0.5, maximum=30.0
            ),
            num("declining_balance_factor", "Declining-balance factor", 2.0, "x", minimum=0.5),
            Field(
                "custom_depreciation",
                "Custom book curve",
                "list",
                [],
                unit="pct",
                item_minimum=0.0,
                item_maximum=1.0,
                help="Book value as a share of cost at the end of each year.",
            ),
            pct("salvage_pct", "Salvage value", 0.0, "Book value left at the end of its life."),
            pct(
                "mv_decline",
                "Market-value decline",
                0.20,
                unit="pct_per_year",
                help="Smooth yearly fall in market value between generation steps.",
            ),
            Field(
                "next_gen_years",
                "Next-generation launches",
                "list",
                [2.0],
                unit="years",
                item_minimum=0.0,
                item_maximum=50.0,
                help="Years after closing when a new generation ships.",
            ),
            pct(
                "next_gen_step",
                "Step-down per launch",
                0.15,
                "Immediate fall in market value when each new generation ships.",
            ),
            num("commercial_life_years", "Commercial life", 4.0, "years", minimum=0.25),
            pct("scrap_pct", "Value after commercial life", 0.05, "Share of cost."),
            pct(
                "sale_haircut",
                "Orderly-sale haircut",
                0.10,
                "Discount to market value in a planned sale at lease end.",
            ),
            pct(
                "liquidation_haircut",
                "Forced-sale haircut",
                0.35,
                "Discount to market value when a lender must sell after default.",
            ),
            whole("liquidation_lag_months", "Liquidation lag", 6, "months"),
        ),
    ),
    BlockKind(
        "facility",
        "Facility",
        "Data-centre shell, power and cooling: long-lived, specialised.",
        (
            text("name", "Name", "Facility"),
            money("cost", "Cost", 0.0),
            num("life_years", "Life", 25.0, "years", minimum=1.0, maximum=60.0),
            num("capacity_mw", "Capacity", 100.0, "mw"),
            pct(
                "market_value_pct",
                "Market value",
                0.6,
                "What a buyer pays as a share of depreciated cost "
                "(specialised assets recover little).",
            ),
            pct("sale_haircut", "Orderly-sale haircut", 0.10),
            pct("liquidation_haircut", "Forced-sale haircut", 0.50),
        ),
    ),
    BlockKind(
        "opex",
        "Operating costs",
        "Power, maintenance, insurance and SPV fees.",
        (
            num(
                "power_mw",
                "IT load paid by the SPV",
                0.0,
                "mw",
                help="0 under a triple-net lease where the tenant pays power.",
            ),
            num("power_price", "Power price", 60.0, "usd_per_mwh"),
            num("pue", "PUE", 1.3, "x", minimum=1.0, maximum=3.0),
            money("maintenance", "Maintenance", 0.0, unit="usd_m_per_year"),
            money("insurance", "Insurance", 0.0, unit="usd_m_per_year"),
            money("maintenance_capex", "Maintenance capex", 0.0, unit="usd_m_per_year"),
            money(
                "admin_fees",
                "SPV admin and trustee fees",
                0.0,
                unit="usd_m_per_year",
                help="Senior fees, paid before interest.",
            ),
            pct("escalator", "Cost escalator", 0.025, unit="pct_per_year", minimum=-0.5),
        ),
    ),
    BlockKind(
        "reserve",
        "Reserve account",
        "Debt service reserve account (DSRA).",
        (
            text("name", "Name", "DSRA"),
            whole(
                "target_months",
                "Target",
                6,
                "months",
                maximum=36,
                help="Months of scheduled debt service held in reserve.",
            ),
            flag(
                "funded_at_close",
                "Funded at close",
                True,
                "Funded from sources at closing; otherwise built up from cash flow.",
            ),
        ),
    ),
    BlockKind(
        "covenant",
        "Covenants",
        "DSCR and LTV tests and what a breach does.",
        (
            num("lockup_dscr", "Lock-up DSCR", 1.15, "x"),
            choice("lockup_action", "Lock-up action", "trap", ("trap", "sweep")),
            num("default_dscr", "Default DSCR", 1.05, "x"),
            choice("default_action", "Default action", "accelerate", ("accelerate", "sweep")),
            pct("ltv_max", "Maximum LTV", 0.0, "0 for no LTV test.", maximum=5.0),
            choice("ltv_action", "LTV breach action", "sweep", ("trap", "sweep", "accelerate")),
            whole(
                "lookback_months",
                "Test look-back",
                12,
                "months",
                minimum=1,
                maximum=24,
                help="DSCR is tested on the trailing window of this length.",
            ),
        ),
    ),
    BlockKind(
        "guarantee",
        "Guarantee / backstop",
        "A residual value guarantee, or a third party's backstop of a tenant's lease.",
        (
            text("name", "Name", "Guarantee"),
            choice("guarantee_type", "Type", "rvg", ("rvg", "backstop")),
            pct(
                "floor_pct",
                "RVG floor",
                0.0,
                "Guaranteed value at lease end as a share of original asset cost.",
            ),
            money("cap", "Cap", 0.0, "Most the guarantor pays in all."),
            num(
                "term_years",
                "Term",
                0.0,
                "years",
                help="Years from closing during which the guarantee can be called; 0 for no limit.",
            ),
        ),
    ),
    BlockKind(
        "crypto",
        "Crypto collateral",
        "BTC pledged by a miner borrower.",
        (
            text("name", "Name", "BTC collateral"),
            num("units", "Units", 0.0, "units"),
            num("price", "Price", 90000.0, "usd"),
            pct(
                "price_growth", "Price growth", 0.0, unit="pct_per_year", minimum=-0.9, maximum=5.0
            ),
            pct("margin_call_ltv", "Margin-call LTV", 0.70, maximum=2.0),
            pct("liquidation_ltv", "Liquidation LTV", 0.80, maximum=2.0),
        ),
    ),
]

REGISTRY: dict[str, BlockKind] = {}
for _kind in _KINDS:
    if _kind.id in REGISTRY:  # pragma: no cover - guarded at import
        raise ValueError(f"duplicate block kind {_kind.id}")
    REGISTRY[_kind.id] = _kind


def kind(kind_id: str) -> BlockKind:
    """The declaration of a block kind; ``KeyError`` for an unknown id."""
    return REGISTRY[kind_id]
