"""Credit support: guarantees and backstops, and crypto pledged as collateral."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.model.fields import choice, money, num, pct, text
from core.model.kinds import show
from core.model.kinds.spec import BlockKind, Link, LinkRule, PaletteSlot, Place, TermRule, via

if TYPE_CHECKING:
    from core.model.deal import Block, Deal


def _guarantee_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    kind = {"rvg": "Residual value guarantee", "completion": "Completion guarantee"}.get(
        t["guarantee_type"], "Lease backstop"
    )
    lines = [kind]
    if t["guarantee_type"] == "rvg":
        basis = " all-in" if t.get("floor_basis") == "all_in_cost" else ""
        lines.append(f"Floor {show.pct(t['floor_pct'])}{basis}, cap {show.money(t['cap'])}")
    else:
        lines.append(f"Cap {show.money(t['cap'])}")
    return lines


def _crypto_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [
        f"{t['units']:,.0f} units at USD {t['price']:,.0f}",
        f"Margin call at {show.pct(t['margin_call_ltv'])} LTV",
    ]


GUARANTEE = BlockKind(
    "guarantee",
    "Guarantee / backstop",
    "A residual value guarantee, a third party's backstop of a tenant's lease, or a sponsor's "
    "completion guarantee of the construction.",
    (
        text("name", "Name", "Guarantee"),
        choice(
            "guarantee_type",
            "Type",
            "rvg",
            ("rvg", "backstop", "completion"),
            "rvg: residual value; backstop: a tenant's lease; completion: pays the costs of a "
            "late completion (the rent lost and the interest owed in each period of delay) up "
            "to its cap, while its guarantor has not defaulted.",
        ),
        pct(
            "floor_pct",
            "RVG floor",
            0.0,
            "Guaranteed value at lease end as a share of the cost on its floor basis.",
        ),
        choice(
            "floor_basis",
            "RVG floor basis",
            "cost",
            ("cost", "all_in_cost"),
            "What the floor is a share of. cost: the covered assets' cost (GPU fleet, "
            "facility). all_in_cost: that cost plus its share of the interest during "
            "construction the SPV funds (the interest reserve net of the Treasury yield, or "
            "the interest capitalised into the debt by completion), i.e. the project cost "
            "the debt funded; the same as cost on a deal without a construction phase.",
        ),
        money("cap", "Cap", 0.0, "Most the guarantor pays in all."),
        num(
            "term_years",
            "Term",
            0.0,
            "years",
            help="Years during which the guarantee can be called, from closing or from the "
            "start of operations (see 'Term runs from'); 0 for no limit.",
        ),
        choice(
            "term_from",
            "Term runs from",
            "closing",
            ("closing", "operations"),
            "operations: from the first rent of the leases it covers (the start of operations).",
        ),
        choice(
            "rvg_triggers",
            "RVG pays on",
            "lease_end_or_default",
            ("lease_end", "lease_end_or_default", "any_sale"),
            "lease_end: a sale after non-renewal or termination; lease_end_or_default: also "
            "after a tenant default; any_sale: also a liquidation after acceleration.",
        ),
        choice(
            "backstop_scope",
            "Backstop covers",
            "default",
            ("default", "default_or_termination", "assumption"),
            "default: the rent after a tenant default, up to the cap; "
            "default_or_termination: also after an early termination; assumption: the "
            "guarantor takes over the lease to its end (no cap).",
        ),
    ),
    links=(Link("guarantees", ("lease", "gpu_fleet", "facility", "tranche")),),
    palette=PaletteSlot(8),
    colour="#a66a12",
    card=_guarantee_card,
    place=Place(column=1, row=3),
    link_rules=(
        LinkRule(
            (via("guarantees", "out", "lease"),),
            1,
            None,
            "a backstop guarantee must guarantee a lease",
            when=lambda t: t["guarantee_type"] == "backstop",
        ),
        LinkRule(
            (via("guarantees", "out", "gpu_fleet", "facility", "lease"),),
            1,
            None,
            "a residual value guarantee (rvg) must guarantee a GPU fleet, facility or lease",
            when=lambda t: t["guarantee_type"] == "rvg",
        ),
        LinkRule(
            (via("guarantees", "in", "sponsor"),),
            1,
            1,
            "a guarantee names one guarantor (a sponsor that 'guarantees' it); without one it "
            "is treated as a guarantor that never fails",
            "warning",
        ),
    ),
)


CRYPTO = BlockKind(
    "crypto",
    "Crypto collateral",
    "BTC pledged by a miner borrower.",
    (
        text("name", "Name", "BTC collateral"),
        num("units", "Units", 0.0, "units"),
        num("price", "Price", 90000.0, "usd"),
        pct("price_growth", "Price growth", 0.0, unit="pct_per_year", minimum=-0.9, maximum=5.0),
        pct("margin_call_ltv", "Margin-call LTV", 0.70, maximum=2.0),
        pct("liquidation_ltv", "Liquidation LTV", 0.80, maximum=2.0),
    ),
    links=(Link("secures", ("tranche",)),),
    palette=PaletteSlot(9),
    colour="#b35a1f",
    card=_crypto_card,
    place=Place(column=3, row=9),
    link_rules=(
        LinkRule(
            (via("secures", "out", "tranche"),), 1, None, "crypto collateral must secure a tranche"
        ),
    ),
    term_rules=(
        TermRule(
            "margin_call_ltv",
            "error",
            lambda t: (
                f"margin-call LTV must be below the liquidation LTV ({t['liquidation_ltv']:g})"
                if t["margin_call_ltv"] >= t["liquidation_ltv"]
                else None
            ),
        ),
    ),
)

KINDS = (
    GUARANTEE,
    CRYPTO,
)
