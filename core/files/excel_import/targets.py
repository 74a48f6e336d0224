"""What the importer looks for: every CapStack input (block kind + field) and workbook result,
with its value type and the names desks use for it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One thing the importer looks for: a deal input (block kind + field) or a workbook output
    (``kind == 'output'``) used for the reconciliation."""

    id: str
    kind: str  # block kind, 'derived' or 'output'
    field: str
    value_type: str  # money, rate, years, months, ratio, date, price
    synonyms: tuple[str, ...]
    required: bool = False
    label: str = ""
    # each group: the label must hold one of its words ("DSCR" alone is not a lock-up level)
    keys: tuple[tuple[str, ...], ...] = ()
    per_year: bool = False  # an amount a year: a "per quarter" label is scaled to a year


_KEYS = {
    "lockup_dscr": (("dscr", "coverage", "lock", "lockup"),
                    ("lock", "lockup", "covenant", "distribution", "trap")),
    "default_dscr": (("default",),),
    "target_dscr": (("dscr", "coverage"),),
    "dsra_months": (("dsra", "reserve", "dsrf"),),
    "base_rate": (("rate", "sofr", "libor", "euribor", "sonia", "estr", "swap", "reference"),),
}  # fmt: skip


TARGETS: tuple[Target, ...] = (
    Target("capex", "facility", "cost", "money",
           ("capex", "total capex", "capital expenditure", "total project cost", "project cost",
            "construction cost", "total capital cost", "total epc", "epc contract", "total uses",
            "development cost", "total investment", "capital cost", "gpu capex", "gpu cost",
            "fleet cost", "hardware cost", "facility cost"), True, "Capex"),
    Target("debt_amount", "tranche", "notional", "money",
           ("senior debt", "debt amount", "loan amount", "debt size", "target debt size",
            "senior loan", "opening debt balance", "debt", "loan facility", "facility amount",
            "construction loan facility", "senior notes", "balance"), True, "Senior debt"),
    Target("gearing", "derived", "gearing", "ratio",
           ("gearing", "debt share", "gearing ratio", "max debt gearing", "leverage",
            "maximum sizing percent of", "debt to capex", "ltv", "advance rate"), False, "Gearing"),
    Target("coupon", "tranche", "coupon", "rate",
           ("interest rate", "coupon", "all in rate", "debt rate", "cost of debt", "fixed rate",
            "senior interest rate", "loan rate"), True, "Coupon"),
    Target("margin", "tranche", "spread", "rate",
           ("margin", "spread", "credit spread", "loan margin"), False, "Margin"),
    Target("base_rate", "spv", "base_rate", "rate",
           ("base rate", "sofr", "libor", "euribor", "swap rate", "reference rate"), False,
           "Base rate"),
    Target("tenor", "tranche", "tenor_years", "years",
           ("tenor", "loan term", "debt tenor", "loan tenor", "maturity", "debt term",
            "repayment period", "amortization period", "amortisation period", "debt tenor periods"),
           True, "Tenor"),
    Target("revenue_price", "derived", "revenue_price", "price",
           ("ppa price", "tariff", "contracted price", "contract price", "offtake price",
            "unit price", "price per mwh", "price per gpu hour", "energy price", "strike price",
            "collateral wac"), False, "Revenue price"),
    Target("annual_rent", "lease", "annual_rent", "money",
           ("lease rent", "annual rent", "rent", "annual revenue", "contracted revenue",
            "revenue per year", "annual lease payment", "rent per year"), False, "Annual rent"),
    Target("opex", "opex", "maintenance", "money",
           ("opex", "annual opex", "operating costs", "operating expense", "fixed opex",
            "operation and maintenance", "o m"), False, "Opex"),
    Target("lockup_dscr", "covenant", "lockup_dscr", "ratio",
           ("dscr covenant", "lock up dscr", "lockup dscr", "distribution lock up",
            "lock up", "minimum dscr covenant", "dscr lock up"), False, "Lock-up DSCR"),
    Target("default_dscr", "covenant", "default_dscr", "ratio",
           ("default dscr", "event of default dscr"), False, "Default DSCR"),
    Target("target_dscr", "tranche", "target_dscr", "ratio",
           ("target dscr", "sizing dscr", "dscr target", "target dscr contracted",
            "dscr p50 minimum"), False, "Target DSCR"),
    Target("dsra_months", "reserve", "target_months", "months",
           ("dsra months", "dsra", "dsra months required", "debt service reserve",
            "dsra forward debt service", "dsra contribution"), False, "DSRA months"),
    Target("tax_rate", "spv", "tax_rate", "rate",
           ("tax rate", "corporate tax rate", "corporate tax", "income tax rate"), False,
           "Tax rate"),
    Target("start_date", "spv", "closing_date", "date",
           ("financial close", "start date", "closing date", "cod", "commercial operation",
            "model start date", "construction start"), False, "Start date"),
    Target("equity", "equity", "amount", "money",
           ("equity", "equity contribution", "sponsor equity", "equity amount"), False, "Equity"),
    Target("project_life", "spv", "horizon_years", "years",
           ("project life", "asset life", "useful life", "operation", "operating life"), False,
           "Project life"),
    Target("escalator", "lease", "escalator", "rate",
           ("escalator", "indexation", "price escalation", "cpi", "inflation"), False,
           "Escalator"),
    # the workbook's own results, for the reconciliation
    Target("wb_min_dscr", "output", "min_dscr", "ratio",
           ("min dscr", "minimum dscr", "min dscr x"), False, "Workbook min DSCR"),
    Target("wb_avg_dscr", "output", "avg_dscr", "ratio",
           ("avg dscr", "average dscr", "mean dscr"), False, "Workbook average DSCR"),
    Target("wb_equity_irr", "output", "equity_irr", "rate",
           ("equity irr", "e irr", "equity irr annualised", "levered irr", "equity irr levered"),
           False, "Workbook equity IRR"),
    Target("wb_project_irr", "output", "project_irr", "rate",
           ("project irr", "p irr", "project irr annualised", "unlevered irr"), False,
           "Workbook project IRR"),
    Target("wb_llcr", "output", "llcr", "ratio",
           ("llcr", "minimum llcr", "loan life coverage ratio"), False, "Workbook LLCR"),
)  # fmt: skip
TARGETS = tuple(
    Target(
        **{**t.__dict__, "keys": _KEYS.get(t.id, ()), "per_year": t.id in ("annual_rent", "opex")}
    )  # fmt: skip
    for t in TARGETS
)
TARGET_BY_ID = {t.id: t for t in TARGETS}
