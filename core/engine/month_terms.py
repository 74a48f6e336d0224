"""How each term given in months becomes periods in quarterly and annual deals, and what the deal
check says when a term is not a whole number of periods (docs/engine.md, "Terms in months in
quarterly and annual periods").

Three rules: an *event* month falls in the period holding it (``floor(month / m)``, m the
months a period), a *duration* is rounded up to whole periods (``ceil``: never shorter than
stated), the DSRA target is *pro rata* (exact, so never reported). The compile applies them
(``Timeline.period_of_month``, ``plan.periods_ceil``, ``schedules.dsra_target``); this table
names the terms for the deal check.
"""

from __future__ import annotations

import math

from core.model.deal import Deal

EVENT, DURATION = "event", "duration"

#: (block kind, term) -> rule, for every term in months that is not pro rata
MONTH_TERMS: dict[tuple[str, str], str] = {
    ("lease", "start_month"): EVENT,
    ("lease", "termination_month"): EVENT,
    ("lease", "tenant_default_month"): EVENT,
    ("sponsor", "default_month"): EVENT,
    ("spv", "completion_month"): EVENT,  # core/engine/construction.py
    ("spv", "construction_start_month"): EVENT,
    ("spv", "completion_delay_months"): DURATION,
    ("tranche", "io_months"): DURATION,
    ("covenant", "lookback_months"): DURATION,
    ("gpu_fleet", "liquidation_lag_months"): DURATION,
    ("lease", "search_lag_months"): DURATION,  # only used when re-letting (below)
    ("swap", "start_months"): DURATION,
}


def rounded_terms(deal: Deal, months_per_period: int) -> list[tuple[str, str, str]]:
    """(block id, term, what the engine makes of it) for each term in months of ``deal`` that
    is not a whole number of periods of ``months_per_period`` months (none when monthly)."""
    m = int(months_per_period)
    out: list[tuple[str, str, str]] = []
    if m <= 1:
        return out
    for (kind, term), rule in MONTH_TERMS.items():
        for b in deal.of_kind(kind):
            v = b.terms.get(term, 0)
            if not v or v % m == 0:
                continue
            if term == "search_lag_months" and b.terms.get("default_recovery") != "re_lease":
                continue  # no re-letting after a default: the lag is not used
            if rule == EVENT:
                start = (int(v) // m) * m
                what = (
                    f"falls in the period from month {start} to {start + m} (it holds month {v:g})"
                )
            else:
                what = f"is rounded up to {math.ceil(v / m) * m} months (whole periods)"
            out.append((b.id, term, f"{b.title}: {term} of {v:g} months {what}"))
    return out
