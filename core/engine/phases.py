"""Sources and uses of a deal with a construction phase, split into the construction (closing
to completion) and the operations (completion to the horizon), from a run's own columns.

Construction: the money raised at closing, the Treasury reserve's yield and the interest
capitalised fund the capex paid, the interest during construction (paid or capitalised), the
DSRA and the distribution at closing (or the funding gap), and what the Treasury still holds
at completion, which passes to the operations. Operations: CFADS, sale proceeds, equity
injections, the Treasury released and the DSRA held at completion fund interest, principal,
net swap payments, distributions and the reserves still held at the end. Each phase balances
by the waterfall's cash identity (tests/engine/test_construction.py).
"""

from __future__ import annotations

import pandas as pd

#: one phase: {"sources": {label: USD m}, "uses": {label: USD m}}
Phase = dict[str, dict[str, float]]


def _sum(series: pd.Series, lo: int, hi: int) -> float:
    return float(series.iloc[lo:hi].sum())


def phases(
    compiled, periods: pd.DataFrame, tranches: dict[str, pd.DataFrame]
) -> dict[str, Phase] | None:
    """``{"construction": Phase, "operations": Phase}``; None without a construction phase."""
    con = compiled.level.construction if compiled.level is not None else None
    if con is None:
        return None
    T, C = len(periods), min(con.completion, len(periods))
    p = periods

    def tranche_total(column: str, lo: int, hi: int) -> float:
        return float(sum(_sum(t[column], lo, hi) for t in tranches.values()))

    capitalised = tranche_total("pik", 0, C)
    build_interest = tranche_total("interest_paid", 0, C) + capitalised
    at_close = {k: v for k, v in compiled.uses.items() if k not in ("GPU fleet", "Facility")}
    at_close.pop("Interest reserve (net of Treasury yield)", None)
    treasury_left = float(p["treasury_balance"].iloc[C - 1]) if C > 0 else 0.0
    construction = {
        "sources": {
            **compiled.sources,
            "Treasury reserve yield": _sum(p["treasury_income"], 0, C),
            "Interest capitalised (added to the debt)": capitalised,
        },
        "uses": {
            "Capex (GPU fleet and facility)": _sum(p["capex_paid"], 0, C),
            "Interest during construction": build_interest,
            **at_close,
            "Treasury reserve left at completion": treasury_left,
        },
    }
    dsra_open = float(p["dsra_balance"].iloc[C - 1]) if C > 0 else compiled.inputs.dsra_initial
    swap = p["swap_cash"].iloc[C:]
    operations = {
        "sources": {
            "CFADS": _sum(p["cfads"], C, T),
            "Sale and liquidation proceeds": _sum(p["proceeds"], C, T),
            "Equity injections": _sum(p["injection"], C, T),
            "Treasury reserve released": _sum(p["treasury_draw"], C, T),
            "DSRA held at completion": dsra_open,
            "Net swap receipts": float(swap.clip(lower=0.0).sum()),
        },
        "uses": {
            "Interest": tranche_total("interest_paid", C, T),
            "Principal": tranche_total("principal_paid", C, T),
            "Net swap payments": float((-swap).clip(lower=0.0).sum()),
            "Distributions": _sum(p["distribution"], C, T),
            "Reserves held at the end": float(
                p["dsra_balance"].iloc[-1] + p["trap_balance"].iloc[-1]
            ),
        },
    }
    return {"construction": construction, "operations": operations}


def construction_summary(compiled) -> str | None:
    """One line of the construction's terms for the printed summary and ``run`` (None
    without a construction phase)."""
    con = compiled.level.construction if compiled.level is not None else None
    if con is None:
        return None
    tl, t = compiled.timeline, compiled.spv.terms
    late = f", {t['completion_delay_months']} months late" if t["completion_delay_months"] else ""
    funding = "capitalised" if con.capitalised else "paid from the Treasury reserve"
    return (
        f"capex from {tl.start(con.start).isoformat()} ({t['capex_profile'].replace('_', ' ')}), "
        f"completion {tl.start(con.completion).isoformat()}{late}; Treasury reserve yield "
        f"{t['treasury_yield'] * 100:.2f}%; interest during construction {funding}"
    )
