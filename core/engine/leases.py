"""Lease and offtake cash: contracted rent, renewals, termination, tenant default, backstop.

Everything is vectorised over paths so the Monte Carlo can give each path its own number of
renewals, termination date and tenant default date; the deterministic run is one path.
A period index of ``T`` (or more) means "never within the model horizon".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.constants import HOURS_PER_YEAR, TINY, USD_PER_MILLION
from core.engine.timeline import Timeline
from core.model.deal import Block, Deal


@dataclass
class LeaseSchedule:
    """The rent a lease can pay in each period if every renewal option were exercised."""

    rent: np.ndarray  # (P or 1, T) USD m per period
    start: int  # first period with rent
    term_ends: list[int]  # end (exclusive period) of the initial term, then of each renewal
    initial_rent: float  # rent per period at the start, before escalation

    def end_after(self, renewals: np.ndarray) -> np.ndarray:
        """Contract end (exclusive period) after ``renewals`` exercised options, per path."""
        ends = np.asarray(self.term_ends)
        return ends[np.clip(renewals, 0, len(ends) - 1)]


def rent_per_period(terms: dict, tl: Timeline, fleet_gpus: int) -> float:
    """Rent of the first period: fixed annual rent, or GPU-hours billed times the price."""
    ppy = tl.periods_per_year
    if terms["rent_basis"] == "fixed":
        return terms["annual_rent"] / ppy
    gpus = terms["gpus"] or fleet_gpus
    billed = max(terms["utilisation"], terms["take_or_pay"])
    return terms["price_per_gpu_hour"] * gpus * HOURS_PER_YEAR / ppy * billed / USD_PER_MILLION


def lease_schedule(
    terms: dict, tl: Timeline, fleet_gpus: int, market: np.ndarray | None = None
) -> LeaseSchedule:
    """Contracted rent through every renewal option.

    ``market`` (P or 1, T) is the market rent as a multiple of the initial rent; a renewal
    reprices at ``renewal_rent_pct`` times the lower of the expiring rent and the market rent
    (a tenant does not renew above market). Without it the market falls at the lease's
    ``market_rent_decline``.
    """
    T, ppy = tl.n_periods, tl.periods_per_year
    if market is None:
        market = market_index(terms, tl)[None, :]
    P = market.shape[0]
    start = tl.period_of_month(terms["start_month"])
    r0 = rent_per_period(terms, tl, fleet_gpus)
    rent = np.zeros((P, T))
    ends = [start + tl.periods(terms["term_years"])]
    renewal_n = max(1, tl.periods(terms["renewal_term_years"]))
    for _ in range(terms["renewal_options"]):
        ends.append(ends[-1] + renewal_n)
    esc = 1.0 + terms["escalator"]
    level = last_rent = np.full(P, r0)
    seg_start = start
    for i, end in enumerate(ends):
        if i > 0:
            seg_start = ends[i - 1]
            if seg_start >= T:
                break
            at_market = r0 * market[:, seg_start]
            level = terms["renewal_rent_pct"] * np.minimum(last_rent, at_market)
        idx = np.arange(seg_start, min(end, T))
        rent[:, idx] = level[:, None] * esc ** ((idx - seg_start) // ppy)
        last_rent = level * esc ** ((end - 1 - seg_start) // ppy)
    return LeaseSchedule(rent, start, ends, r0)


def billed_ratio(terms: dict, factor: np.ndarray) -> np.ndarray:
    """Billed share of GPU-hours with utilisation scaled by ``factor`` (P, T), relative to the
    lease's own: ``max(min(u * factor, 1), take_or_pay) / max(u, take_or_pay)``."""
    u, top = terms["utilisation"], terms["take_or_pay"]
    billed0 = max(u, top)
    if billed0 <= 0:
        return np.ones_like(factor)
    return np.maximum(np.minimum(u * factor, 1.0), top) / billed0


def market_index(terms: dict, tl: Timeline) -> np.ndarray:
    """Market rent relative to the initial rent: falls at ``market_rent_decline`` a year."""
    return (1.0 - terms["market_rent_decline"]) ** tl.years_start


@dataclass
class LeaseCash:
    revenue: np.ndarray  # (P, T) rent from the tenant, backstop payments and termination fees
    backstop_paid: np.ndarray  # (P, T)
    end: np.ndarray  # (P,) first period with no contracted rent (T or more: beyond horizon)
    defaulted: np.ndarray  # (P,) bool: ended by the tenant's default


def lease_cash(
    sched: LeaseSchedule,
    T: int,
    renewals: np.ndarray,
    termination: np.ndarray,
    termination_fee: float,
    tenant_default: np.ndarray,
    backstop_cap: float | None,
    backstop_end: int,
) -> LeaseCash:
    """Cash a lease pays on each path.

    ``renewals``, ``termination`` and ``tenant_default`` are per-path (P,) arrays: options
    exercised, period of early termination and period of tenant default (``T`` for none).
    ``backstop_cap`` (USD m) is what a third party pays in all after a tenant default, within
    ``backstop_end`` (exclusive period); ``None`` when nothing backs the lease.
    """
    t = np.arange(T)[None, :]
    contract_end = sched.end_after(renewals)
    terminated = termination < np.minimum(contract_end, tenant_default)
    stop = np.minimum(np.minimum(contract_end, termination), tenant_default)
    paying = t < stop[:, None]
    revenue = sched.rent * paying
    fee_period = np.where(terminated, termination, T)
    revenue = revenue + np.where(t == fee_period[:, None], termination_fee, 0.0)

    defaulted = tenant_default < np.minimum(contract_end, termination)
    end = stop.copy()
    backstop = np.zeros_like(revenue)
    if backstop_cap is not None:
        horizon = np.minimum(np.minimum(contract_end, termination), backstop_end)
        owed = sched.rent * (
            (t >= tenant_default[:, None]) & (t < horizon[:, None]) & defaulted[:, None]
        )
        before = np.cumsum(owed, axis=1) - owed
        backstop = np.clip(backstop_cap - before, 0.0, owed)
        short = (owed > 0) & (backstop < owed - TINY)
        exhausted = np.where(short.any(axis=1), short.argmax(axis=1), horizon)
        # the lease survives under the backstop until the cap runs out or the contract ends
        end = np.where(defaulted, np.minimum(np.maximum(exhausted, tenant_default), horizon), end)
        # after exhaustion the tenant's obligations are over; the period of exhaustion is partial
        revenue = revenue + backstop
    return LeaseCash(revenue, backstop, end, defaulted)


def lease_backstops(deal: Deal, lease: Block) -> list[Block]:
    """The backstop guarantees of ``lease``, in link order."""
    return [
        g
        for g in deal.links(lease.id, "guarantees", "in")
        if g.terms["guarantee_type"] == "backstop"
    ]


def guarantee_end(terms: dict, tl: Timeline) -> int:
    """End (exclusive period) of a guarantee's term; beyond the horizon when it has none."""
    years = terms["term_years"]
    return tl.periods(years) if years > 0 else tl.n_periods + 1


def rvg_floor(deal: Deal, g: Block, cost: dict[str, float]) -> float:
    """An RVG's floor in USD m: its share of the cost of what it covers (a lease covers both
    the GPU fleet and the facility)."""
    covered = sum(
        cost.get(b.kind, sum(cost.values()) if b.kind == "lease" else 0.0)
        for b in deal.links(g.id, "guarantees")
    )
    return g.terms["floor_pct"] * covered


def rvg_payments(
    deal: Deal,
    proceeds: np.ndarray,
    sale_period: np.ndarray,
    stop: np.ndarray,
    cost: dict[str, float],
    tl: Timeline,
    paid: dict[str, np.ndarray],
) -> np.ndarray:
    """(P, T) residual value guarantee payments at the sale: floor (share of the covered
    assets' cost; a lease covers both) less the sale proceeds, up to the cap, when the sale
    falls within the guarantee's term. Adds each guarantee's total per path to ``paid``."""
    T = proceeds.shape[1]
    at_sale = np.arange(T)[None, :] == sale_period[:, None]
    got = np.take_along_axis(proceeds, sale_period[:, None], axis=1)[:, 0]
    rvg = np.zeros(proceeds.shape)
    for g in deal.of_kind("guarantee"):
        if g.terms["guarantee_type"] != "rvg":
            continue
        floor = rvg_floor(deal, g, cost)
        eligible = (stop < T) & (stop < guarantee_end(g.terms, tl))
        pay = np.where(eligible, np.minimum(np.maximum(floor - got, 0.0), g.terms["cap"]), 0.0)
        rvg += np.where(at_sale, pay[:, None], 0.0)
        paid[g.id] = paid.get(g.id, 0.0) + pay
    return rvg
