"""Sources and uses of a deal with a construction phase, split into the construction (closing
to completion) and the operations (completion to the horizon), from a run's own columns.

Construction: the money raised at closing, the Treasury reserve's yield, the interest
capitalised, capex-linked draws and equity injections fund the capex paid (by the reserve, the
draws and equity: ``_capex_parts``), the interest during construction (paid or capitalised), the
DSRA and the distribution at closing (or the funding gap), and what the Treasury still holds
at completion, which passes to the operations. Operations: CFADS, sale proceeds, equity
injections, capex-linked draws, the Treasury released or paying capex and the DSRA held at
completion fund capex after the planned completion (a late completion moves the capex),
interest, principal, net swap payments, distributions and the reserves still held at the end.
Each phase balances by the waterfall's cash identity (tests/engine/test_construction.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.engine.arrays import FLAG_LIQUIDATED

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

    capex = _capex_parts(compiled, periods, tranches)

    def spent(lo: int, hi: int) -> float:
        return float(sum(part[lo:hi].sum() for part in capex.values()))

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
            "Capex-linked draws": float(capex["draws"][:C].sum()),
            "Equity injections": _sum(p["injection"], 0, C),
        },
        "uses": {
            "Capex (GPU fleet and facility)": spent(0, C),
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
            "Capex-linked draws": float(capex["draws"][C:].sum()),
            "Treasury reserve released": _sum(p["treasury_draw"], C, T),
            "Treasury reserve paying late capex": _sum(p["capex_paid"], C, T),
            "DSRA held at completion": dsra_open,
            "Net swap receipts": float(swap.clip(lower=0.0).sum()),
        },
        "uses": {
            "Capex after the planned completion (a late completion)": spent(C, T),
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


def _capex_parts(compiled, periods: pd.DataFrame, tranches: dict[str, pd.DataFrame]) -> dict:
    """(T,) arrays of the capex paid by the Treasury reserve, by capex-linked draws and by
    equity (an injection: the debt share a draw did not fund, capex the reserve could not pay)."""
    inp, w = compiled.inputs, compiled.level.draws
    T = len(periods)
    draws = np.zeros(T)
    if w is not None:
        for k, b in enumerate(compiled.tranches):
            if w.share[k] > 0.0:
                draws = draws + tranches[b.terms["name"]]["drawn"].to_numpy()
    liquidated = np.flatnonzero(periods["flags"].to_numpy().astype(int) & FLAG_LIQUIDATED)
    live = np.arange(T) <= (liquidated[0] if len(liquidated) else T)  # no capex once sold
    treasury = periods["capex_paid"].to_numpy()
    spend = np.zeros(T) if inp.capex is None else np.asarray(inp.capex, dtype=float)[0]
    share = w.debt_share if w is not None else 0.0
    equity = np.where(live, (spend * (1.0 - share) - treasury) + (spend * share - draws), 0.0)
    return {"treasury": treasury, "draws": draws, "equity": equity}


def construction_summary(compiled) -> str | None:
    """One line of the construction's terms for the printed summary and ``run`` (None
    without a construction phase)."""
    con = compiled.level.construction if compiled.level is not None else None
    if con is None:
        return None
    tl, t = compiled.timeline, compiled.spv.terms
    late = f", {t['completion_delay_months']} months late" if t["completion_delay_months"] else ""
    funding = "capitalised" if con.capitalised else "paid from the Treasury reserve"
    w = compiled.level.draws
    share = w.debt_share if w is not None else 0.0
    drawn = f"; capex-linked draws fund {share:.1%} of the capex as spent" if share > 0 else ""
    return (
        f"capex from {tl.start(con.start).isoformat()} ({t['capex_profile'].replace('_', ' ')}), "
        f"completion {tl.start(con.completion).isoformat()}{late}; Treasury reserve yield "
        f"{t['treasury_yield'] * 100:.2f}%; interest during construction {funding}{drawn}"
    )
