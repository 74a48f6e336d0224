"""Scheduled principal of each tranche: bullet, level annuity, straight line, custom, sweep,
and sculpting to a target DSCR on the base-case CFADS.

Schedules are fixed at sizing, on the base case; under stress the kernel pays what it can
against them, so a sculpted deal shows its DSCR falling when the cash flow falls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class TrancheTerms:
    """What the schedule builder needs of a tranche, in period units."""

    notional: float
    periodic_rate: np.ndarray  # (T,) base-case rate for one period (annual rate x year fraction)
    io: int  # interest-only periods
    maturity: int  # index of the period in which everything left is due
    amortisation: str
    custom: list[float]
    target_dscr: float
    #: delayed-draw tranche (core.engine.draws): notional is the draw at closing, ``draws`` the
    #: later draws (T,), ``schedule`` the sum of every draw's own schedule, ``fee`` the
    #: commitment fee (T,) when every draw is made; None for a tranche drawn at closing
    draws: np.ndarray | None = None
    schedule: np.ndarray | None = None
    fee: np.ndarray | None = None


def annuity_payment(notional: float, rate: float, n: int) -> float:
    """Closed-form level payment repaying ``notional`` over ``n`` periods at ``rate`` each."""
    if n <= 0:
        return notional
    if rate == 0.0:
        return notional / n
    # 1 - (1 + r)^-n written with expm1/log1p so tiny rates keep full precision
    return notional * rate / -np.expm1(-n * np.log1p(rate))


def fixed_schedule(tr: TrancheTerms, T: int) -> np.ndarray:
    """Scheduled principal for every amortisation type except sculpted (which needs CFADS)."""
    sched = np.zeros(T)
    last = min(tr.maturity, T - 1)
    n = tr.maturity - tr.io + 1  # amortising periods up to legal final maturity
    if tr.amortisation in ("bullet", "sweep", "sculpted") or n <= 0 or tr.io >= T:
        return sched
    if tr.amortisation == "straight_line":
        sched[tr.io : last + 1] = tr.notional / n
    elif tr.amortisation == "annuity":
        rate = float(tr.periodic_rate[tr.io]) if tr.io < T else 0.0
        pmt = annuity_payment(tr.notional, rate, n)
        bal = tr.notional
        for t in range(tr.io, last + 1):
            p = min(pmt - bal * rate, bal)
            sched[t] = p
            bal -= p
    elif tr.amortisation == "custom":
        for i, share in enumerate(tr.custom):
            if tr.io + i <= last:
                sched[tr.io + i] = share * tr.notional
    else:
        raise ValueError(f"unknown amortisation {tr.amortisation!r}")
    return sched


def base_case_schedules(
    tranches: list[TrancheTerms],
    cfads_before_tax: np.ndarray,
    depreciation: np.ndarray,
    tax_rate: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scheduled principal (K, T), base-case interest (K, T) and opening balances (K, T).

    Sculpted tranches take, each period, what brings the DSCR to their target:
    ``CFADS / target - interest - other scheduled principal``, never below zero or above the
    balance. Interest accrues on the scheduled balances, so the base case is exact.
    """
    K, T = len(tranches), len(cfads_before_tax)
    sched = np.zeros((K, T))
    interest = np.zeros((K, T))
    opening = np.zeros((K, T))
    fixed = [fixed_schedule(tr, T) if tr.schedule is None else tr.schedule for tr in tranches]
    bal = np.array([tr.notional for tr in tranches], dtype=float)
    delayed = [k for k, tr in enumerate(tranches) if tr.draws is not None]
    for t in range(T):
        for k in delayed:
            bal[k] += tranches[k].draws[t]
        opening[:, t] = bal
        interest[:, t] = bal * np.array([tr.periodic_rate[t] for tr in tranches])
        for k in delayed:
            interest[k, t] += tranches[k].fee[t]
        tax = tax_rate * max(cfads_before_tax[t] - depreciation[t] - interest[:, t].sum(), 0.0)
        cfads = cfads_before_tax[t] - tax
        for k, tr in enumerate(tranches):
            if tr.amortisation != "sculpted":
                sched[k, t] = min(fixed[k][t], bal[k])
        for k, tr in enumerate(tranches):
            if tr.amortisation == "sculpted" and tr.io <= t <= tr.maturity:
                room = cfads / tr.target_dscr - interest[:, t].sum() - sched[:, t].sum()
                sched[k, t] = min(max(room, 0.0), bal[k])
        bal = bal - sched[:, t]
    return sched, interest, opening


def sculpted_capacity(
    cfads: np.ndarray, periodic_rate: np.ndarray, target_dscr: float, start: int, end: int
) -> float:
    """Debt a sculpted tranche can raise: NPV at the debt rate of CFADS / target over its life."""
    ds = cfads[start : end + 1] / target_dscr
    discount = np.cumprod(1.0 / (1.0 + periodic_rate[start : end + 1]))
    return float(np.sum(ds * discount))


def dsra_target(debt_service: np.ndarray, periods: float) -> np.ndarray:
    """Target DSRA balance at the end of each period: the next ``periods`` of debt service,
    a fraction of a period pro rata (6 months in annual periods: half of next year's debt
    service, as NREL SAM's reserve of months of debt service)."""
    T = len(debt_service)
    whole = int(math.floor(periods))
    frac = periods - whole
    padded = np.concatenate([debt_service, np.zeros(whole + 1)])
    csum = np.concatenate([[0.0], np.cumsum(padded)])
    idx = np.arange(T)
    target = csum[idx + 1 + whole] - csum[idx + 1]
    if frac > 0.0:
        target = target + frac * padded[idx + 1 + whole]
    return target


def dsra_at_close(debt_service: np.ndarray, periods: float) -> float:
    """The DSRA funded at closing: the first ``periods`` of debt service (pro rata)."""
    whole = int(math.floor(periods))
    frac = periods - whole
    first = float(debt_service[:whole].sum())
    if frac > 0.0 and whole < len(debt_service):
        first += frac * float(debt_service[whole])
    return first
