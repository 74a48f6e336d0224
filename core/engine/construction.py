"""The construction phase, deal level: when operations start, the capex schedule, and how the
construction is funded (docs/engine.md, "Construction").

The capex schedule is the one place the deal's spending over time is written: ``capex`` is a
(T,) array of USD m paid in each period out of the Treasury (proceeds) reserve, summing to the
GPU fleet's and the facility's cost (the uses already in the deal). Other mechanics that follow
construction (a delayed-draw tranche drawn "linked to capex") read :attr:`Construction.capex`
or :attr:`Construction.capex_share` from ``DealLevel.construction``.

Without a completion month (the default) a deal has no construction phase and
:func:`construction_for` returns ``None``: nothing in the compile changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine.schedules import TrancheTerms
from core.engine.timeline import Timeline


@dataclass(frozen=True)
class Construction:
    """A deal's construction phase in period units; arrays are (T,)."""

    months: int  # completion month after closing: every lease's start counts from it
    start: int  # first period with capex
    completion: int  # first operating period (C): periods 0..C-1 are construction
    capex: np.ndarray  # USD m paid out of the Treasury reserve in each period
    delay: int  # periods by which completion slips (the deal's stress; 0 in the base case)
    treasury_yield: float  # periodic yield on the Treasury reserve (annual / periods a year)
    capitalised: bool  # interest during construction capitalised (else paid from the reserve)
    delay_probability: float  # Monte Carlo: probability that a path is late
    delay_mean: float  # Monte Carlo: mean delay of a late path, in periods (exponential)

    @property
    def capex_share(self) -> np.ndarray:
        """Share of total capex spent in each period (sums to 1)."""
        total = float(self.capex.sum())
        return self.capex / total if total > 0 else np.zeros_like(self.capex)

    @property
    def spend(self) -> np.ndarray:
        """The capex actually spent in each period: the schedule moved ``delay`` periods later
        from its start (works that start late complete late; what falls past the horizon is
        not spent). ``capex`` itself when on time."""
        if self.delay <= 0:
            return self.capex
        out = np.zeros_like(self.capex)
        n = len(out) - self.start - self.delay
        if n > 0:
            out[self.start + self.delay :] = self.capex[self.start : self.start + n]
        return out

    @property
    def build(self) -> np.ndarray:
        """1.0 in each planned construction period, 0.0 from completion."""
        flags = np.zeros(len(self.capex))
        flags[: self.completion] = 1.0
        return flags


#: the S-curve's coefficients: cumulative share a x² − b x³ (the Excel export names them)
S_CURVE_A, S_CURVE_B = 3.0, 2.0


def s_curve(x: np.ndarray) -> np.ndarray:
    """Cumulative share of capex spent after a share ``x`` of construction time: 3x² − 2x³
    (zero slope at both ends: slow mobilisation, peak spend mid-way, slow commissioning)."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (S_CURVE_A - S_CURVE_B * x)


def capex_shares(profile: str, n: int, custom: list[float]) -> np.ndarray:
    """Share of capex in each of ``n`` construction periods (sums to 1)."""
    if n <= 0:
        return np.zeros(0)
    if profile == "straight_line":
        return np.full(n, 1.0 / n)
    if profile == "s_curve":
        return np.diff(s_curve(np.arange(n + 1) / n))
    if profile == "custom":
        shares = np.zeros(n)
        m = min(n, len(custom))
        shares[:m] = custom[:m]
        return shares
    raise ValueError(f"unknown capex profile {profile!r}")


def operations_offset_months(spv_terms: dict) -> int:
    """Months from closing to the start of operations: a lease's ``start_month`` counts from
    there (the completion month; 0 without a construction phase)."""
    return int(spv_terms.get("completion_month", 0) or 0)


def construction_for(spv_terms: dict, tl: Timeline, total_capex: float) -> Construction | None:
    """The deal's construction phase (None when it has none)."""
    months = operations_offset_months(spv_terms)
    if months <= 0:
        return None
    T, mpp, ppy = tl.n_periods, tl.months_per_period, tl.periods_per_year
    completion = min(tl.period_of_month(months), T)
    start = min(tl.period_of_month(spv_terms["construction_start_month"]), completion)
    if completion == start:  # completion inside the first construction period
        start = max(completion - 1, 0)
    capex = np.zeros(T)
    n = completion - start
    if n > 0:
        shares = capex_shares(spv_terms["capex_profile"], n, list(spv_terms["capex_shares"]))
        capex[start:completion] = total_capex * shares
    else:  # completion in the closing period: spent at once
        capex[0] = total_capex
    return Construction(
        months,
        start,
        completion,
        capex,
        int(math.ceil(spv_terms["completion_delay_months"] / mpp)),
        spv_terms["treasury_yield"] / ppy,
        spv_terms["idc_funding"] == "capitalised",
        spv_terms["delay_probability"],
        spv_terms["delay_mean_months"] / mpp,
    )


def accreted(notional: float, periodic_rate: np.ndarray, periods: int) -> float:
    """Balance after ``periods`` of capitalised interest: notional × Π (1 + r_t)."""
    bal = notional
    for t in range(periods):
        bal = bal + bal * float(periodic_rate[t])
    return bal


def at_completion(tr: TrancheTerms, c: Construction) -> float:
    """A tranche's scheduled balance at completion: its notional (a delayed-draw tranche's
    draws until then included), accreted when interest is capitalised."""
    if tr.draws is not None:
        bal = tr.notional
        for t in range(c.completion):
            bal = bal + float(tr.draws[t])
            if c.capitalised:
                bal = bal + bal * float(tr.periodic_rate[t]) + float(tr.fee[t])
        return bal
    return accreted(tr.notional, tr.periodic_rate, c.completion) if c.capitalised else tr.notional


def construction_interest(terms: list[TrancheTerms], c: Construction) -> np.ndarray:
    """(T,) planned interest during construction at the base-case rates (no principal is paid
    before completion) on the notionals, and for a delayed-draw tranche on its drawn balance
    (its draws included from their period) plus its commitment fee; zero from completion."""
    C = c.completion
    out = np.zeros(len(c.capex))
    for tr in terms:
        if tr.draws is None:
            out[:C] += tr.notional * tr.periodic_rate[:C]
        else:
            drawn = tr.notional + np.cumsum(tr.draws)
            out[:C] += drawn[:C] * tr.periodic_rate[:C] + tr.fee[:C]
    return out


#: the Treasury reserve is funded this much above its exact need, so rounding never leaves it
#: a fraction of a cent short of the last construction period's interest
FUNDING_CUSHION = 1e-9


def treasury_funding(terms: list[TrancheTerms], c: Construction, debt_share: float = 0.0) -> float:
    """Treasury (proceeds) reserve funded at closing: what, with its yield, pays the capex (less
    the ``debt_share`` capex-linked draws fund) and (``idc_funding`` reserve) the planned
    interest during construction and is spent by completion: B0 with B(t+1) = B(t) (1 + y) −
    capex(t) − interest(t), B(C) = 0. With capitalised interest it is the capex at cost (the
    yield is released at completion). Funded on the plan: a completion delay is not foreseen."""
    planned = c.capex * (1.0 - debt_share) if debt_share > 0.0 else c.capex
    if c.capitalised:
        return float(planned.sum())
    need = planned + construction_interest(terms, c)
    bal = 0.0
    for t in range(c.completion - 1, -1, -1):
        bal = (bal + float(need[t])) / (1.0 + c.treasury_yield)
    return bal * (1.0 + FUNDING_CUSHION)


def interest_reserve(terms: list[TrancheTerms], c: Construction, debt_share: float = 0.0) -> float:
    """The interest reserve in the Treasury reserve (a use of funds at closing): the planned
    interest during construction net of the Treasury's yield (0 when it is capitalised)."""
    if c.capitalised:
        return 0.0
    return treasury_funding(terms, c, debt_share) - float(c.capex.sum()) * (1.0 - debt_share)


def financing_cost(terms: list[TrancheTerms], c: Construction, debt_share: float = 0.0) -> float:
    """Interest during construction the SPV funds (planned, base-case rates), the financing
    part of an all-in project cost: the interest capitalised into the debt by completion (a
    delayed-draw tranche's draws until then are not interest), or the interest reserve funded
    at closing (the planned interest net of the Treasury yield; ``debt_share``: the capex
    capex-linked draws fund, not in the reserve)."""
    if c.capitalised:
        drawn = [0.0 if tr.draws is None else float(tr.draws[: c.completion].sum()) for tr in terms]
        return float(
            sum(at_completion(tr, c) - tr.notional - d for tr, d in zip(terms, drawn, strict=True))
        )
    return interest_reserve(terms, c, debt_share)


def delay_interest(terms: list[TrancheTerms], c: Construction) -> np.ndarray:
    """(T,) interest owed in each period from completion on the balances at completion (the
    interest head of a completion guarantee's delay cost)."""
    T = len(c.capex)
    out = np.zeros(T)
    for tr in terms:
        bal = at_completion(tr, c)
        out[c.completion :] += bal * tr.periodic_rate[c.completion :]
    return out


def operating_terms(terms: list[TrancheTerms], c: Construction) -> list[TrancheTerms]:
    """Tranche terms for the schedules: interest-only until completion at least, and (with
    capitalised interest) amortising the balance accreted by completion."""
    out = []
    for tr in terms:
        if tr.draws is not None:  # its draws' schedules start at completion (core.engine.draws);
            out.append(tr)  # capitalised interest is left to its legal final maturity
            continue
        notional = at_completion(tr, c)
        out.append(
            TrancheTerms(
                notional,
                tr.periodic_rate,
                max(tr.io, c.completion),
                tr.maturity,
                tr.amortisation,
                tr.custom,
                tr.target_dscr,
            )
        )
    return out
