"""A tranche's refinancing terms: its balloon at legal final maturity refinanced into a new
tranche (issue #12). Declared here, spread into the tranche kind (``core.model.kinds.debt``);
the mechanics are in docs/engine.md, "Refinancing", and the kernel's ``_refi_size``."""

from __future__ import annotations

from typing import Any

from core.model.fields import choice, flag, num, pct
from core.model.kinds.spec import TermRule

#: which tests size the refinancing: the least of those that apply
SIZINGS = ("advance_and_dscr", "advance", "dscr")
#: the new tranche's amortisation
REFI_AMORTISATION = ("annuity", "straight_line", "bullet")
#: the new tranche's rate: the base rate + spread each period, or fixed at refinancing
REFI_RATE_TYPES = ("floating", "fixed")

REFI_FIELDS = (
    flag(
        "refinance",
        "Refinance at maturity",
        False,
        "At legal final maturity the balance left is refinanced into a new tranche (floating "
        "or fixed, base rate + refinancing spread), up to what the refinancing sizing allows; "
        "the rest is paid from cash and reserves, or it is a payment default.",
    ),
    choice(
        "refi_sizing",
        "Refinancing sizing",
        "advance_and_dscr",
        SIZINGS,
        "The tests that cap the refinanced amount: an advance rate on the collateral's market "
        "value at maturity, a minimum DSCR of the new tranche on the CFADS to its maturity, or "
        "the lower of both.",
    ),
    pct(
        "refi_advance",
        "Refinancing advance rate",
        0.65,
        "The new lender lends at most this share of the GPUs' and facility's market value at "
        "maturity (approx. 65%: Apollo's GB200 loan to xAI, DOMAIN.md).",
    ),
    num(
        "refi_dscr",
        "Refinancing minimum DSCR",
        1.30,
        "x",
        "The new tranche's debt service (interest at the base rate + spread at refinancing, "
        "its scheduled principal) must be covered this many times by the CFADS of each period "
        "to its maturity (1.25-1.35x for contracted assets, DOMAIN.md).",
        minimum=1.0,
        maximum=10.0,
    ),
    choice(
        "refi_rate_type",
        "Refinancing rate type",
        "floating",
        REFI_RATE_TYPES,
        "Floating: the new tranche pays the base rate of each period + the refinancing "
        "spread. Fixed: it pays one rate for its life, set at refinancing: the base rate at "
        "the original maturity (on a Monte Carlo path, that path's) + the refinancing spread "
        "(+ the market's stressed add-on), as a fixed-rate bond priced at the swap rate then.",
    ),
    pct(
        "refi_spread",
        "Refinancing spread",
        0.04,
        "The new tranche's spread over the base rate (floating), or over the base rate at "
        "refinancing (fixed).",
        unit="bp",
        maximum=0.5,
    ),
    num(
        "refi_tenor_years",
        "Refinancing tenor",
        5.0,
        "years",
        "Years from the original maturity to the new tranche's legal final maturity (capped "
        "at the deal's horizon).",
        minimum=0.25,
        maximum=50.0,
    ),
    choice(
        "refi_amortisation",
        "Refinancing amortisation",
        "annuity",
        REFI_AMORTISATION,
        "The new tranche repays as a level annuity over its tenor (at the base rate at "
        "maturity + the refinancing spread on the base case, fixed when the deal is "
        "compiled), in equal parts, or all at its maturity.",
    ),
)


def _refi_dscr(t: dict[str, Any]) -> str | None:
    if t.get("refinance") and t["refi_sizing"] != "advance" and not t["refi_dscr"] >= 1.0:
        return "refinancing sized on a DSCR needs a minimum DSCR of at least 1.0x"
    return None


def _refi_advance(t: dict[str, Any]) -> str | None:
    if t.get("refinance") and t["refi_sizing"] != "dscr" and t["refi_advance"] <= 0:
        return "refinancing sized on an advance rate of 0 raises nothing: the balloon is due"
    return None


REFI_RULES = (
    TermRule("refi_dscr", "error", _refi_dscr),
    TermRule("refi_advance", "warning", _refi_advance),
)
