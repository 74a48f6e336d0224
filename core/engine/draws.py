"""Delayed-draw term loans: the deal-level half (what the waterfall's ``draws`` step reads).

A tranche with an availability period (``availability_months`` > 0) is a commitment
(``notional``) drawn on a schedule (``draw_months``, ``draw_amounts``). Its conventions:

* a draw in month *m* after closing is made at the start of period ``m // months per period``
  (several draws in one period are one draw); the draw at closing is the tranche's opening
  balance, later draws are the kernel's ``draw_amount``;
* each draw is its own loan: interest-only for the tranche's ``io_months``, then amortising
  (level annuity at the tranche's periodic rate of its first amortising period, straight
  line, or bullet) to its own maturity, ``draw_term_years`` after the draw (capped at the
  legal final maturity; 0: the legal final maturity). The tranche's scheduled principal is the
  sum of its draws' schedules (:func:`add_draw_schedule`, which the kernel's
  ``_add_draw_schedule`` follows operation by operation);
* the GPU fleet is delivered with the draws: the share in service after period *t* is the
  draws made so far / all scheduled draws (of every delayed-draw tranche), so the fleet's
  market value, book value, operating costs and the rent of the leases on it ramp with the
  draws. Each delivery costs ``fleet cost x draw / all draws``; the draw pays its part and
  equity the rest (an injection in the period); the deliveries at closing are a use at close;
* the undrawn commitment bears ``commitment_fee`` a year (x the tranche's year fraction), paid
  with its interest, until the availability period ends, when what is undrawn lapses.

A tranche with ``draw_basis`` ``capex`` funds a construction (core.engine.construction) as it
is spent instead: its debt share is its commitment / the total capex, and in each period of
the availability period it draws that share of the period's capex (pro rata with equity, whose
share the Treasury reserve funded at closing pays), never more than its undrawn commitment.
The capex follows the construction's schedule, moved by the path's completion delay (the
kernel's ``capex`` row; ``Construction.spend`` on the deal's own delay). The GPU fleet is then
delivered by the construction, not with these draws. A draw the borrowing base or the default
stop blocks, and the debt share of capex after the availability period, is paid by equity (an
injection). On a construction deal no draw
amortises before completion (``first``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from core.engine.timeline import Timeline
from core.model.deal import Block

if TYPE_CHECKING:
    from core.engine.construction import Construction

#: amortisation of each draw -> the kernel's draw_amort code (0: not a delayed-draw tranche)
AMORT_CODES = {"bullet": 1, "annuity": 2, "straight_line": 3}


def exposure(inp) -> np.ndarray:
    """(K,) what each tranche lends on the base case: the closing balance plus its scheduled
    delayed draws (losses and expected loss are shares of it)."""
    if inp.draw_amount is None:
        return np.asarray(inp.notional, dtype=float)
    return inp.notional + np.asarray(inp.draw_amount).sum(axis=1)


def is_delayed_draw(tranche: Block) -> bool:
    """A tranche drawn over an availability period rather than in full at closing."""
    return tranche.terms.get("availability_months", 0) > 0


def is_capex_linked(tranche: Block) -> bool:
    """A delayed-draw tranche drawn as the construction's capex is spent (``draw_basis``)."""
    return is_delayed_draw(tranche) and tranche.terms.get("draw_basis", "schedule") == "capex"


def capex_draws(commitment: float, share: float, spend: np.ndarray, end: int) -> np.ndarray:
    """(T,) the draws of a capex-linked tranche: ``share`` of each period's capex ``spend``
    before the availability period ``end``s, within the undrawn commitment (what is left of it
    at the last draw is drawn exactly, so it ends at 0, not at a rounding residue)."""
    out = np.zeros(len(spend))
    left = commitment
    live = np.flatnonzero(spend[:end] > 0.0)
    for t in live:
        a = min(share * float(spend[t]), left)
        if t == live[-1] and abs(left - a) <= 1e-9 * max(commitment, 1.0):
            a = left
        out[t] = a
        left = left - a
    return out


@dataclass
class DrawPlan:
    """Every delayed-draw term of a deal's tranches (kernel order), period by period."""

    amount: np.ndarray  # (K, T) scheduled draws after closing (column 0 is zero)
    closing: np.ndarray  # (K,) drawn at closing: the opening balance (notional for the others)
    maturity: np.ndarray  # (K, T) int32: last period of a draw made in that period
    rate: np.ndarray  # (K, T) periodic annuity rate of a draw made in that period
    amort: np.ndarray  # (K,) int32 AMORT_CODES, 0 for a tranche drawn at closing
    io: np.ndarray  # (K,) int32 interest-only periods after each draw
    end: np.ndarray  # (K,) int32 first period after the availability period
    first: np.ndarray  # (K,) int32 first period a draw may amortise (completion; else 0)
    share: np.ndarray  # (K,) debt share of each period's capex (capex-linked tranches; else 0)
    commitment: np.ndarray  # (K,) 0 for a tranche drawn at closing
    fee: np.ndarray  # (K,) commitment fee a year
    advance: np.ndarray  # (K,) maximum advance (0: no borrowing-base test)
    delivered: np.ndarray  # (T,) share of the GPU fleet in service in each period
    capex: np.ndarray  # (T,) cost of the GPUs delivered at the start of period t >= 1
    closing_capex: float  # cost of the GPUs delivered at closing
    planned: np.ndarray  # (K, T) draws on plan, closing column included (``amount`` but for
    # a capex-linked tranche's on the undelayed capex): sizing and the interest reserve
    schedule: np.ndarray  # (K, T) scheduled principal when every draw is made (base case)
    base_fee: np.ndarray  # (K, T) commitment fee when every draw is made (base case)

    @property
    def debt_share(self) -> float:
        """The share of the construction's capex capex-linked draws fund (0: none)."""
        return float(self.share.sum())

    @property
    def undrawn(self) -> np.ndarray:
        """(K, T) undrawn commitment after each period's draw when every draw is made on plan."""
        drawn = np.cumsum(self.planned, axis=1)
        open_ = np.arange(self.amount.shape[1])[None, :] < self.end[:, None]
        return np.where((self.amort[:, None] != 0) & open_, self.commitment[:, None] - drawn, 0.0)


def add_draw_schedule(
    row: np.ndarray, start: int, mat: int, amort: int, rate: float, amount: float
) -> None:
    """Add to ``row`` (one tranche's scheduled principal) the schedule of a draw of ``amount``
    amortising from period ``start`` to its maturity ``mat`` (bullet: all at ``mat``; what is
    left at ``mat`` falls due then). The kernel's ``_add_draw_schedule`` is this, operation by
    operation."""
    T = len(row)
    last = mat if mat < T - 1 else T - 1
    n = mat - start + 1
    if amort == 1 or n <= 0:
        if mat <= T - 1:
            row[mat] += amount
        return
    if amort == 3 or rate == 0.0:
        pmt = amount / n
    else:
        pmt = amount * rate / -math.expm1(-n * math.log1p(rate))
    left = amount
    for u in range(start, last + 1):
        if u == mat:
            p = left
        elif amort == 3:
            p = pmt if pmt < left else left
        else:
            a = pmt - left * rate
            p = a if a < left else left
        row[u] += p
        left -= p


def draw_plan(
    tranches: list[Block],
    periodic_rates: list[np.ndarray],
    maturities: list[int],
    tl: Timeline,
    fleet_cost: float,
    con: Construction | None = None,
) -> DrawPlan | None:
    """The draw plan of ``tranches`` (kernel order; their base-case periodic rates and legal
    final maturity periods), or None when none is a delayed-draw tranche. ``con``: the
    construction capex-linked tranches draw on (their draws need one: the deal check)."""
    if not any(is_delayed_draw(b) for b in tranches):
        return None
    K, T, mpp = len(tranches), tl.n_periods, tl.months_per_period
    first = np.zeros(K, dtype=np.int32)
    share = np.zeros(K)
    spend = con.spend if con is not None else np.zeros(T)
    total_capex = float(con.capex.sum()) if con is not None else 0.0
    linked = np.zeros(K, dtype=bool)
    amount = np.zeros((K, T))
    closing = np.array([b.terms["notional"] for b in tranches], dtype=float)
    maturity = np.zeros((K, T), dtype=np.int32)
    rate = np.zeros((K, T))
    amort = np.zeros(K, dtype=np.int32)
    io = np.zeros(K, dtype=np.int32)
    end = np.zeros(K, dtype=np.int32)
    commitment, fee, advance = np.zeros(K), np.zeros(K), np.zeros(K)
    schedule = np.zeros((K, T))
    by_period = np.zeros((K, T))  # every draw, the one at closing included
    for k, b in enumerate(tranches):
        t = b.terms
        if not is_delayed_draw(b):
            continue
        amort[k] = AMORT_CODES[t["amortisation"]]
        io[k] = int(math.ceil(t["io_months"] / mpp))
        end[k] = min(int(math.ceil(t["availability_months"] / mpp)), T)
        commitment[k], fee[k], advance[k] = t["notional"], t["commitment_fee"], t["max_advance"]
        first[k] = con.completion if con is not None else 0
        if is_capex_linked(b):
            linked[k] = True
            share[k] = t["notional"] / total_capex if total_capex > 0 else 0.0
            # planned on the capex schedule (sizing, the Treasury's interest reserve); the
            # kernel draws share x the path's capex (``draw_share``; a delay moves it), and
            # ``amount`` is that on the deal's own delay
            by_period[k] = capex_draws(t["notional"], share[k], con.capex, int(end[k]))
            closing[k] = 0.0  # the kernel draws the closing period's share too
            amount[k] = capex_draws(t["notional"], share[k], spend, int(end[k]))
        else:
            for month, amt in zip(t["draw_months"], t["draw_amounts"], strict=True):
                s = tl.period_of_month(month)
                if s < T:
                    by_period[k, s] += amt
            closing[k] = by_period[k, 0]
            amount[k, 1:] = by_period[k, 1:]
        term = tl.periods(t["draw_term_years"]) if t["draw_term_years"] > 0 else T + maturities[k]
        for s in range(T):
            maturity[k, s] = min(s + term - 1, maturities[k])
            a0 = max(s + int(io[k]), int(first[k]))  # the draw's first amortising period
            rate[k, s] = periodic_rates[k][a0] if a0 < T else 0.0
        for s in np.flatnonzero(by_period[k]):
            add_draw_schedule(
                schedule[k], max(s + int(io[k]), int(first[k])), int(maturity[k, s]),
                int(amort[k]), float(rate[k, s]), float(by_period[k, s]),
            )  # fmt: skip
    # the GPUs are delivered with the scheduled draws; the construction delivers the rest
    on_schedule = by_period[~linked]
    total = on_schedule.sum()
    cum = np.cumsum(on_schedule.sum(axis=0))
    delivered = cum / total if total > 0 else np.ones(T)
    factor = fleet_cost / total if total > 0 else 0.0
    capex = factor * amount[~linked].sum(axis=0)
    at_close = factor * float(closing[(amort != 0) & ~linked].sum()) if total > 0 else fleet_cost
    plan = DrawPlan(
        amount, closing, maturity, rate, amort, io, end, first, share, commitment, fee, advance,
        delivered, capex, at_close, by_period, schedule, np.zeros((K, T)),
    )  # fmt: skip
    yf = np.array([tl.year_fraction(b.terms["day_count"]) for b in tranches]).reshape(K, T)
    plan.base_fee = fee[:, None] * plan.undrawn * yf
    return plan


def vintage_book(book_curve: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """Book value of a fleet delivered in vintages: each period's delivery (its share of the
    fleet) follows the whole fleet's book curve from its own delivery."""
    T = len(book_curve)
    share = np.diff(np.concatenate([[0.0], delivered]))
    out = np.zeros(T)
    for v in np.flatnonzero(share):
        out[v:] += share[v] * book_curve[: T - v]
    return out
