"""The SPV's running terms: operating costs, the reserve account and the covenants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.model.fields import choice, flag, money, num, pct, text, whole
from core.model.kinds import show
from core.model.kinds.spec import BlockKind, Count, Link, PaletteSlot, Place, TermRule

if TYPE_CHECKING:
    from core.model.deal import Block, Deal


def _opex_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [
        f"Power {t['power_mw']:g} MW at USD {t['power_price']:g}/MWh",
        f"Maintenance {show.money(t['maintenance'])} / yr",
        f"Fees {show.money(t['admin_fees'])} / yr",
    ]


def _reserve_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    funded = "funded at close" if t["funded_at_close"] else "built from cash flow"
    return [f"{t['target_months']} months of debt service", funded]


def _covenant_card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    lines = [f"Lock-up DSCR {t['lockup_dscr']:.2f}x", f"Default DSCR {t['default_dscr']:.2f}x"]
    lines.append(f"Max LTV {show.pct(t['ltv_max'])}" if t["ltv_max"] else "No LTV test")
    return lines


OPEX = BlockKind(
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
    links=(Link("applies_to", ("spv",)),),
    palette=PaletteSlot(10),
    colour="#6b6f76",
    card=_opex_card,
    place=Place(column=3, row=10),
    count=Count(0, 1),
)


RESERVE = BlockKind(
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
            help="Months of scheduled debt service held in reserve; part of a period pro rata "
            "(6 months in annual periods: half of next year's).",
        ),
        flag(
            "funded_at_close",
            "Funded at close",
            True,
            "Funded from sources at closing; otherwise built up from cash flow.",
        ),
    ),
    links=(Link("secures", ("tranche",)),),
    palette=PaletteSlot(7),
    colour="#5b6b7a",
    card=_reserve_card,
    place=Place(column=3, row=8),
    count=Count(0, 1),
)


COVENANT = BlockKind(
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
            help="DSCR is tested on the trailing window of this length, rounded up to whole "
            "periods (6 months in annual periods: the last year).",
        ),
    ),
    links=(Link("applies_to", ("spv", "tranche")),),
    palette=PaletteSlot(11),
    colour="#8a4b5a",
    card=_covenant_card,
    place=Place(column=2, row=11),
    count=Count(0, 1),
    term_rules=(
        TermRule(
            "default_dscr",
            "error",
            lambda t: (
                f"default DSCR must not exceed the lock-up DSCR ({t['lockup_dscr']:g}x)"
                if t["default_dscr"] > t["lockup_dscr"]
                else None
            ),
        ),
    ),
)

KINDS = (
    OPEX,
    RESERVE,
    COVENANT,
)
