"""Debt: the tranches the SPV issues, paid in order of seniority."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.limits import MAX_TRANCHES
from core.model.fields import Field, choice, flag, money, num, pct, text, whole
from core.model.kinds import show
from core.model.kinds.parties import RATINGS
from core.model.kinds.refinancing import REFI_FIELDS, REFI_RULES
from core.model.kinds.spec import (
    BlockKind,
    Count,
    LinkRule,
    PaletteSlot,
    Place,
    Preset,
    TermRule,
    via,
)

if TYPE_CHECKING:
    from core.model.deal import Block, Deal


#: rating targets: Moody's symbols (met on the implied EL rating), then S&P's (met on the PD
#: rating), as in resources/rating_tables.json (core.structuring.implied_rating)
TARGET_RATINGS = (
    "none",
    "Aaa",
    "Aa1",
    "Aa2",
    "Aa3",
    "A1",
    "A2",
    "A3",
    "Baa1",
    "Baa2",
    "Baa3",
    "Ba1",
    "Ba2",
    "Ba3",
    "B1",
    "B2",
    "B3",
    "Caa",
    *(r for r in RATINGS if r != "NR"),
)


def _card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    rate = (
        show.pct(t["coupon"]) + " fixed"
        if t["rate_type"] == "fixed"
        else f"SOFR + {show.pct(t['spread'])}"
    )
    amort = t["amortisation"].replace("_", " ")
    if t.get("availability_months", 0) > 0:
        n = len(t["draw_months"])
        how = "drawn with capex" if t.get("draw_basis") == "capex" else f"{n} draws"
        return [
            f"{show.money(t['notional'])} delayed draw, {rate}",
            f"{how} over {t['availability_months']} months, {amort}, rank {t['seniority']}",
        ]
    return [
        f"{show.money(t['notional'])}, {rate}",
        f"{amort}, {show.years(t['tenor_years'])}, rank {t['seniority']}",
    ]


def _custom_schedule(t: dict[str, Any]) -> str | None:
    if t["amortisation"] != "custom":
        return None
    if not t["custom_schedule"]:
        return "custom amortisation needs a non-empty custom schedule"
    total = sum(t["custom_schedule"])
    if total > 1 + 1e-9:
        return f"custom schedule repays {total:.6g} of the notional; it must sum to at most 1"
    return None


#: amortisation types a delayed-draw tranche's draws may follow (each draw its own schedule)
DRAW_AMORTISATION = ("annuity", "straight_line", "bullet")
#: what a delayed-draw tranche draws on: its own schedule, or the construction's capex
DRAW_BASES = ("schedule", "capex")


def _draws(t: dict[str, Any]) -> str | None:
    """The draw schedule of a delayed-draw tranche agrees with its commitment and terms."""
    months, amounts = t["draw_months"], t["draw_amounts"]
    if t["availability_months"] <= 0:
        if months or amounts:
            return "draw_months / draw_amounts need an availability period (availability_months)"
        if t.get("draw_basis", "schedule") == "capex":
            return "draw_basis capex needs an availability period (availability_months)"
        return None
    if t.get("draw_basis", "schedule") == "capex":
        if months or amounts:
            return (
                "a tranche drawn on capex (draw_basis capex) has no draw schedule: leave "
                "draw_months and draw_amounts empty"
            )
        if t["amortisation"] not in DRAW_AMORTISATION:
            return (
                "the draws of a delayed-draw tranche amortise as annuity, straight_line or "
                f"bullet, not {t['amortisation']}"
            )
        return None
    if not months:
        return "a delayed-draw tranche needs a draw schedule (draw_months and draw_amounts)"
    if len(months) != len(amounts):
        return (
            f"draw_months has {len(months)} dates and draw_amounts {len(amounts)} amounts; "
            "each draw needs both"
        )
    if any(m != int(m) for m in months):
        return "draw_months must be whole months after closing"
    if list(months) != sorted(set(months)):
        return "draw_months must be increasing, one draw a month"
    if months[-1] >= t["availability_months"]:
        return (
            f"a draw in month {months[-1]:g} falls after the availability period "
            f"({t['availability_months']} months)"
        )
    total = sum(amounts)
    if total > t["notional"] * (1 + 1e-9):
        return (
            f"the draws sum to {total:,.6g}, more than the commitment (notional) "
            f"{t['notional']:,.6g}"
        )
    if t["amortisation"] not in DRAW_AMORTISATION:
        return (
            "the draws of a delayed-draw tranche amortise as annuity, straight_line or bullet, "
            f"not {t['amortisation']}"
        )
    return None


def _preset(key: str, label: str, rank: int, coupon: float, name: str) -> Preset:
    return Preset(key, label, {"name": name, "seniority": rank, "coupon": coupon})


TRANCHE = BlockKind(
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
            maximum=100,
            help="1 is paid first; equal ranks are paid pro rata.",
        ),
        money("notional", "Notional", 100.0),
        choice("rate_type", "Rate type", "fixed", ("fixed", "floating")),
        pct("coupon", "Fixed coupon", 0.065, unit="pct_per_year", maximum=0.5),
        pct("spread", "Spread over base rate", 0.0, unit="bp", maximum=0.5),
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
        whole(
            "io_months",
            "Interest-only period",
            0,
            "months",
            help="Rounded up to whole periods (18 months in annual periods: 2 years).",
        ),
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
        whole(
            "availability_months",
            "Availability period",
            0,
            "months",
            minimum=0,
            maximum=600,
            help="Delayed-draw term loan: months after closing during which the commitment "
            "(notional) may be drawn; what is undrawn at its end lapses. 0: drawn in full at "
            "closing.",
        ),
        choice(
            "draw_basis",
            "Draw basis",
            "schedule",
            DRAW_BASES,
            "Delayed draws: schedule, on the draw_months and draw_amounts; capex, linked to "
            "the construction's capex (SPV completion_month): in each period of the availability "
            "period the tranche draws its debt share (commitment / total capex) of that period's "
            "capex, pro rata with equity, whose share the Treasury reserve funded at closing "
            "pays; never more than the undrawn commitment. The debt share of capex a draw does "
            "not fund (borrowing base, default stop, after the availability period) is paid by "
            "equity (an injection). A completion delay moves the capex and so the draws.",
        ),
        Field(
            "draw_months",
            "Draw months",
            "list",
            [],
            unit="months",
            item_minimum=0,
            item_maximum=600,
            help="Delayed draws: the month after closing of each draw (0 = at closing), "
            "increasing, inside the availability period.",
        ),
        Field(
            "draw_amounts",
            "Draw amounts",
            "list",
            [],
            unit="usd_m",
            item_minimum=0.0,
            help="Delayed draws: the amount of each draw (USD m), one per draw month; the GPUs "
            "it finances enter service with it.",
        ),
        num(
            "draw_term_years",
            "Term of each draw",
            0.0,
            "years",
            minimum=0.0,
            maximum=50.0,
            help="Delayed draws: each draw amortises over this term from its own draw to its own "
            "maturity (capped at the legal final maturity). 0: to the legal final maturity.",
        ),
        pct(
            "commitment_fee",
            "Commitment fee",
            0.0,
            "Delayed draws: a year on the undrawn commitment, paid with the tranche's interest "
            "until the availability period ends.",
            unit="bp",
            maximum=0.1,
        ),
        pct(
            "max_advance",
            "Maximum advance (borrowing base)",
            0.0,
            "Delayed draws: condition precedent of each draw: the deal's debt after the draw may "
            "not exceed this share of the market value of the delivered collateral (a draw is "
            "cut to that headroom, blocked when there is none). 0: no borrowing-base test.",
        ),
        choice(
            "target_rating",
            "Target rating",
            "none",
            TARGET_RATINGS,
            "The rating the desk aims for; shown next to the implied rating from the Monte "
            "Carlo (a Moody's symbol is compared with the EL rating, an S&P one with the PD).",
        ),
        *REFI_FIELDS,
    ),
    links=(),
    palette=PaletteSlot(
        3,
        (
            _preset("senior", "Senior tranche", 1, 0.065, "Senior notes"),
            _preset("mezzanine", "Mezzanine tranche", 2, 0.095, "Mezzanine notes"),
            _preset("junior", "Junior tranche", 3, 0.13, "Junior notes"),
        ),
    ),
    colour="#2f5f9e",
    card=_card,
    place=Place(column=4, row=4, rank_by="seniority"),
    count=Count(
        0,
        MAX_TRANCHES,
        too_many="a deal has at most {maximum} tranches (docs/limits.md); found {n}",
    ),
    link_rules=(LinkRule((via("issues", "in", "spv"),), 1, None, "tranche has no issuer"),),
    term_rules=(
        TermRule("custom_schedule", "error", _custom_schedule),
        TermRule("draw_months", "error", _draws),
        TermRule(
            "target_dscr",
            "error",
            lambda t: (
                "sculpted amortisation needs a target DSCR of at least 1.0x"
                if t["amortisation"] == "sculpted" and not (t["target_dscr"] or 0) >= 1.0
                else None
            ),
        ),
        TermRule(
            "spread",
            "warning",
            lambda t: (
                "floating tranche pays base rate + spread and its spread is 0 (the fixed coupon is "
                "not used)"
                if t["rate_type"] == "floating" and t["spread"] == 0
                else None
            ),
        ),
        TermRule(
            "spread",
            "warning",
            lambda t: (
                "fixed-rate tranche pays its coupon; the spread is not used"
                if t["rate_type"] == "fixed" and t["spread"] > 0
                else None
            ),
        ),
        *REFI_RULES,
    ),
)

KINDS = (TRANCHE,)
