"""Hedges: interest-rate swaps that fix the base rate a floating tranche pays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.model.fields import money, num, pct, text, whole
from core.model.kinds import show
from core.model.kinds.spec import BlockKind, Link, LinkRule, PaletteSlot, Place, TermRule, via

if TYPE_CHECKING:
    from core.model.deal import Block, Deal


def _card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    hedged = list(deal.links(b.id, "hedges"))
    name = hedged[0].terms["name"] if hedged else "no tranche linked"
    return [
        f"Pay {show.pct(t['fixed_rate'])} fixed, receive base rate",
        f"{show.pct(t['hedge_ratio'])} of {name}",
    ]


SWAP = BlockKind(
    "swap",
    "Interest-rate swap",
    "Pays a fixed rate and receives the base rate on a notional that follows a floating "
    "tranche's scheduled balance; settled net ahead of interest, broken on acceleration.",
    (
        text("name", "Name", "Interest-rate swap"),
        text("counterparty", "Counterparty", "Hedge bank"),
        pct("fixed_rate", "Fixed rate paid", 0.04, unit="pct_per_year", maximum=0.5),
        pct(
            "hedge_ratio",
            "Hedge ratio",
            1.0,
            "Share of the hedged tranche's scheduled balance the swap's notional follows.",
            maximum=1.5,
        ),
        whole(
            "start_months",
            "Start",
            0,
            "months",
            help="Months after closing when the swap's first period starts.",
            maximum=600,
        ),
        num(
            "term_years",
            "Term",
            0.0,
            "years",
            minimum=0.0,
            maximum=50.0,
            help="Years from its start; 0 to run to the hedged tranche's maturity.",
        ),
        money(
            "notional_cap",
            "Notional cap",
            0.0,
            "Largest notional, USD m; 0 for no cap (the tranche's balance times the ratio).",
        ),
    ),
    links=(Link("hedges", ("tranche",), label="hedges"),),
    palette=PaletteSlot(12),
    colour="#3d7f8c",
    card=_card,
    place=Place(column=4, row=5),
    link_rules=(
        LinkRule((via("hedges", "out", "tranche"),), 1, 1, "a swap must hedge one tranche"),
    ),
    term_rules=(
        TermRule(
            "hedge_ratio",
            "warning",
            lambda t: (
                "a hedge ratio above 100% over-hedges: the excess is a rate position"
                if t["hedge_ratio"] > 1.0
                else None
            ),
        ),
    ),
)

KINDS = (SWAP,)
