"""The construction phase's terms, declared on the SPV block (where an analyst looks for the
deal's dates: closing, period, horizon, and here construction start and completion).

With ``completion_month`` 0 (the default) the deal has no construction phase: it operates and
is fully drawn from closing, exactly as before. With a completion month the bonds are funded at
closing into a Treasury (proceeds) reserve earning ``treasury_yield``, capex (the GPU fleet and
facility costs already in the deal: no new use) is paid out of it on the capex profile, interest
during construction is capitalised or paid from the reserve (``idc_funding``), and every lease's
``start_month`` counts from completion (docs/engine.md, "Construction").
"""

from __future__ import annotations

from typing import Any

from core.model.fields import Field, choice, num, pct, whole
from core.model.kinds.spec import TermRule

CAPEX_PROFILES = ("s_curve", "straight_line", "custom")
IDC_FUNDING = ("reserve", "capitalised")

FIELDS: tuple[Field, ...] = (
    whole(
        "completion_month",
        "Construction completion",
        0,
        "months",
        minimum=0,
        maximum=240,
        help="Months after closing in which construction completes and operations (rent) "
        "start; 0 for no construction phase (the deal operates from closing).",
    ),
    whole(
        "construction_start_month",
        "Construction start",
        0,
        "months",
        minimum=0,
        maximum=240,
        help="Months after closing in which capex starts to be spent (before completion).",
    ),
    choice(
        "capex_profile",
        "Capex profile",
        "s_curve",
        CAPEX_PROFILES,
        "How the capex (GPU fleet + facility cost) is spent between construction start and "
        "completion: s_curve, cumulative share 3x^2 - 2x^3 of elapsed construction time x; "
        "straight_line, equal shares; custom, the shares listed per period.",
    ),
    Field(
        "capex_shares",
        "Custom capex shares",
        "list",
        [],
        unit="pct",
        item_minimum=0.0,
        item_maximum=1.0,
        help="capex_profile custom: the share of capex spent in each period from "
        "construction start (summing to 100%, at most one per construction period).",
    ),
    pct(
        "treasury_yield",
        "Treasury reserve yield",
        0.04,
        "Yield a year on the unspent proceeds parked in Treasuries during construction "
        "(simple, per period: yield / periods a year).",
        unit="pct_per_year",
        maximum=0.2,
    ),
    choice(
        "idc_funding",
        "Interest during construction",
        "reserve",
        IDC_FUNDING,
        "reserve: an interest reserve funded at closing (a use of funds) pays it from the "
        "Treasury reserve; capitalised: added to the tranches' balances (PIK) until completion.",
    ),
    whole(
        "completion_delay_months",
        "Completion delay",
        0,
        "months",
        minimum=0,
        maximum=120,
        help="Months by which completion slips past the planned date (a stress; 0 in the "
        "base case): operations and rent start that much later while debt service starts on "
        "the planned schedule.",
    ),
    pct(
        "delay_probability",
        "Monte Carlo: delay probability",
        0.0,
        "Probability that a path's completion is late (0: the Monte Carlo draws no delay).",
    ),
    num(
        "delay_mean_months",
        "Monte Carlo: mean delay",
        6.0,
        "months",
        minimum=0.0,
        maximum=120.0,
        help="Mean of the exponential delay a late path draws (rounded up to whole periods).",
    ),
)


def _custom_shares(t: dict[str, Any]) -> str | None:
    if t["completion_month"] <= 0 or t["capex_profile"] != "custom":
        return None
    total = sum(t["capex_shares"])
    if not t["capex_shares"] or abs(total - 1.0) > 1e-6:
        return f"custom capex shares must sum to 100% (they sum to {total:.4%})"
    return None


def _start_before_completion(t: dict[str, Any]) -> str | None:
    if t["completion_month"] > 0 and t["construction_start_month"] >= t["completion_month"]:
        return (
            f"construction start (month {t['construction_start_month']}) must be before "
            f"completion (month {t['completion_month']})"
        )
    return None


RULES: tuple[TermRule, ...] = (
    TermRule("capex_shares", "error", _custom_shares),
    TermRule("construction_start_month", "error", _start_before_completion),
)
