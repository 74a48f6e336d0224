"""The parties: sponsors and tenants, the SPV that issues and borrows, and equity classes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.model.fields import Field, choice, flag, money, num, pct, text, whole
from core.model.kinds import construction_terms, show
from core.model.kinds.spec import BlockKind, Count, Link, LinkRule, PaletteSlot, Place, via

if TYPE_CHECKING:
    from core.model.deal import Block, Deal

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


def _sponsor_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    lines = [f"Rating {t['rating']}"]
    if t["jv_share"]:
        lines.append(f"JV share {show.pct(t['jv_share'])}")
    if t["consolidates_spv"]:
        lines.append("Consolidates the SPV")
    return lines


def _spv_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    lines = [
        f"Close {t['closing_date']}, {t['period']}",
        f"Horizon {show.years(t['horizon_years'])}",
    ]
    if t["completion_month"] > 0:
        lines.append(f"Construction to month {t['completion_month']}")
    if t["going_concern_yield"] > 0:
        lines.append(f"Going concern at {show.pct(t['going_concern_yield'])}")
    return lines


def _equity_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    owns = any(c.kind == "owns" and c.source == b.id for c in deal.connections.values())
    held = f"Owns {show.pct(t['ownership_share'])}" if owns else "Issued by the SPV"
    return [show.money(t["amount"]), f"{held}, loss order {t['first_loss_order']}"]


SPONSOR = BlockKind(
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
        whole(
            "default_month",
            "Default",
            0,
            "months",
            help="Month after closing in which this counterparty defaults: as tenant it stops "
            "paying every lease, as guarantor its guarantees pay nothing from then; 0 for none.",
        ),
    ),
    links=(
        Link("owns", ("spv", "crypto")),
        Link("guarantees", ("guarantee",)),
        Link("subsidiary_of", ("sponsor",), label="is a subsidiary of"),
    ),
    link_rules=(
        LinkRule(
            (via("subsidiary_of", "out", "sponsor"),),
            0,
            1,
            "a sponsor is a subsidiary of at most one parent",
        ),
    ),
    palette=PaletteSlot(0),
    colour="#2a7f7a",
    card=_sponsor_card,
    place=Place(column=0, row=0),
    owner_share="jv_share",
)


SPV = BlockKind(
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
        choice("period", "Period", "monthly", ("monthly", "quarterly", "annual")),
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
        *construction_terms.FIELDS,
        # the going-concern value sits on the SPV, not the facility: a lender forecloses on
        # the SPV's assets and contracts together (halls, GPUs and the lease that pays for
        # them), the costs are the deal's, and a GPU deal without a facility sells with its
        # lease too (docs/engine.md, "Going-concern value")
        pct(
            "going_concern_yield",
            "Going-concern yield",
            0.0,
            "A buyer's discount yield (effective annual) for the SPV's assets sold with a lease "
            "still performing: the sale or liquidation value is then at least the present "
            "value of the lease's remaining contracted rent less operating costs plus the "
            "assets' sale value at its end, and the collateral value the LTV, refinancing and "
            "draw advance tests read is at least that value. 0: off, physical values only.",
            unit="pct_per_year",
            maximum=1.0,
        ),
        pct(
            "going_concern_haircut",
            "Going-concern sale cost",
            0.05,
            "Taken off the going-concern value in a forced sale after acceleration (sale "
            "costs, the discount a buyer asks of a lender who must sell); used only with a "
            "going-concern yield.",
        ),
    ),
    links=(
        Link("owns", ("gpu_fleet", "facility", "reserve", "crypto")),
        Link("issues", ("tranche", "equity")),
        Link("leases_to", ("lease",)),
    ),
    palette=PaletteSlot(1),
    colour="#39465a",
    card=_spv_card,
    place=Place(column=2, row=1),
    count=Count(
        1,
        1,
        too_few="the deal has no {label} block; it needs exactly one",
        too_many="the deal has {n} SPV blocks ({listed}); multi-SPV deals are not supported "
        "yet, use exactly one SPV",
    ),
    link_rules=(
        LinkRule(
            (via("leases_to", "out", "lease"),),
            1,
            None,
            "the SPV has no lease: connect at least one lease from it ('leases to')",
        ),
    ),
    term_rules=construction_terms.RULES,
)


EQUITY = BlockKind(
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
            maximum=100,
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
    links=(Link("owns", ("spv",)),),
    palette=PaletteSlot(2),
    colour="#3c8d5a",
    card=_equity_card,
    place=Place(column=0, row=5),
    link_rules=(
        LinkRule(
            (via("owns", "out", "spv"), via("issues", "in", "spv")),
            1,
            None,
            "equity class is not connected to the SPV (it must own the SPV or be issued by it)",
        ),
    ),
    owner_share="ownership_share",
)

KINDS = (
    SPONSOR,
    SPV,
    EQUITY,
)
