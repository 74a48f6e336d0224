"""The assets the SPV owns: its GPU fleet and the data-centre facility."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.model.fields import Field, choice, money, num, pct, text, whole
from core.model.kinds import show
from core.model.kinds.spec import BlockKind, Link, LinkRule, PaletteSlot, Place, via

if TYPE_CHECKING:
    from core.model.deal import Block, Deal

#: an asset the SPV does not own is neither its cost nor its collateral: the deal check says so
OWNED_BY_SPV = LinkRule(
    (via("owns", "in", "spv"),),
    1,
    None,
    "the SPV does not own this asset: connect the SPV to it (owns) or remove it (an asset the "
    "SPV does not own cannot count in its asset cost or collateral)",
)

GPU_GENERATIONS = ("A100", "H100", "H200", "B200", "GB200", "GB300", "Rubin", "other")


def _gpu_fleet_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [f"{t['count']:,} x {t['generation']}", f"USD {t['unit_cost']:,.1f}k per GPU"]


def _facility_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [
        f"Cost {show.money(t['cost'])}",
        f"{t['capacity_mw']:g} MW, life {show.years(t['life_years'])}",
    ]


GPU_FLEET = BlockKind(
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
        num("accounting_life_years", "Accounting life", 5.0, "years", minimum=0.5, maximum=30.0),
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
        whole(
            "liquidation_lag_months",
            "Liquidation lag",
            6,
            "months",
            help="Months from an acceleration or an enforcement to the forced sale; rounded up to "
            "whole periods.",
        ),
        pct(
            "fire_sale_age_pct",
            "Fire-sale discount per year of age",
            0.05,
            "Extra forced-sale haircut for each year since closing (older GPUs, fewer buyers).",
            unit="pct_per_year",
        ),
        pct(
            "fire_sale_volume_pct",
            "Fire-sale discount for volume",
            0.30,
            "Extra forced-sale haircut as the sale swamps the market: this times "
            "N / (N + market depth), N the GPUs sold.",
        ),
        whole(
            "market_depth_gpus",
            "Secondary-market depth",
            50000,
            "count",
            help="GPUs the used market absorbs before the volume discount reaches half.",
        ),
    ),
    links=(Link("secures", ("tranche",)),),
    palette=PaletteSlot(5),
    colour="#6a4c9c",
    card=_gpu_fleet_card,
    place=Place(column=1, row=6),
    link_rules=(OWNED_BY_SPV,),
)


FACILITY = BlockKind(
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
            "What a buyer pays as a share of depreciated cost (specialised assets recover little).",
        ),
        pct("sale_haircut", "Orderly-sale haircut", 0.10),
        pct("liquidation_haircut", "Forced-sale haircut", 0.50),
    ),
    links=(Link("secures", ("tranche",)),),
    palette=PaletteSlot(6),
    colour="#7a5a8c",
    card=_facility_card,
    place=Place(column=1, row=7),
    link_rules=(OWNED_BY_SPV,),
)

KINDS = (
    GPU_FLEET,
    FACILITY,
)
