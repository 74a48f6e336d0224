"""Lease and offtake cash: contracted rent, renewals, termination, tenant default, backstop.

Everything is vectorised over paths so the Monte Carlo can give each path its own number of
renewals, termination date and tenant default date; the deterministic run is one path.
A period index of ``T`` (or more) means "never within the model horizon".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.constants import HOURS_PER_YEAR, TINY, USD_PER_MILLION
from core.engine.construction import operations_offset_months
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
    terms: dict,
    tl: Timeline,
    fleet_gpus: int,
    market: np.ndarray | None = None,
    offset_months: int = 0,
) -> LeaseSchedule:
    """Contracted rent through every renewal option.

    ``market`` (P or 1, T) is the market rent as a multiple of the initial rent; a renewal
    reprices at ``renewal_rent_pct`` times the lower of the expiring rent and the market rent
    (a tenant does not renew above market), or with ``renewal_pricing`` "contract" at that share
    of the expiring rent whatever the market. Without it the market falls at the lease's
    ``market_rent_decline``. ``offset_months``: months from closing from which the lease's
    ``start_month`` counts (the completion of a construction phase; 0 without one).
    """
    T, ppy = tl.n_periods, tl.periods_per_year
    if market is None:
        market = market_index(terms, tl)[None, :]
    P = market.shape[0]
    start = tl.period_of_month(terms["start_month"] + offset_months)
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
            if terms["renewal_pricing"] == "contract":  # the tenant's option, at contract rent
                level = terms["renewal_rent_pct"] * last_rent
            else:
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
    #: (P,) bool: a termination the economic walk-away brought forward (the Monte Carlo's
    #: walk-away hazard or the walk_away_gap); None: not recorded (core.risk.causes)
    walked: np.ndarray | None = None
    #: (P,) bool: a default whose backstop stopped at its guarantor's default, a guarantor
    #: other than the tenant; None: not recorded
    guarantor_cut: np.ndarray | None = None


def lease_cash(
    sched: LeaseSchedule,
    T: int,
    renewals: np.ndarray,
    termination: np.ndarray,
    termination_fee: float,
    tenant_default: np.ndarray,
    backstop_cap: float | None,
    backstop_end: int,
    scope: int = 0,
    guarantor_default: np.ndarray | int | None = None,
    relet_lag: int | None = None,
) -> LeaseCash:
    """Cash a lease pays on each path.

    ``renewals``, ``termination`` and ``tenant_default`` are per-path (P,) arrays: options
    exercised, period of early termination and period of tenant default (``T`` for none).
    ``backstop_cap`` (USD m) is what a third party pays in all after a tenant default, within
    ``backstop_end`` (exclusive period); ``None`` when nothing backs the lease. ``scope``
    (:data:`BACKSTOP_SCOPE`): 0 the rent after a default; 1 also after an early termination
    (to the contract end); 2 the guarantor assumes the lease after a default (to the contract
    end, whatever its cap and term). The backstop pays nothing from ``guarantor_default``
    (per path; ``None``: its guarantor never defaults).

    ``relet_lag`` (periods; ``None``: the lenders enforce) is the search lag of a
    ``re_lease`` recovery: the landlord re-lets from ``tenant_default + relet_lag``, so a
    scope-0 backstop pays the rent owed only until then (mitigation; the re-let replaces the
    lease, no top-up of contract over market rent) and ``end`` is at most that period.
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
        if scope == 1:
            called = defaulted | terminated
            start = np.minimum(tenant_default, termination)
            horizon = np.minimum(contract_end, backstop_end)
        elif scope == 2:
            called, start, horizon = defaulted, tenant_default, contract_end
        else:
            called, start = defaulted, tenant_default
            horizon = np.minimum(np.minimum(contract_end, termination), backstop_end)
            if relet_lag is not None:  # it pays until the re-let starts
                horizon = np.minimum(horizon, tenant_default + relet_lag)
        owed = sched.rent * ((t >= start[:, None]) & (t < horizon[:, None]) & called[:, None])
        before = np.cumsum(owed, axis=1) - owed
        backstop = np.clip(backstop_cap - before, 0.0, owed)
        if guarantor_default is not None:
            alive = t < np.broadcast_to(guarantor_default, (owed.shape[0],))[:, None]
            backstop = np.where(alive, backstop, 0.0)
        short = (owed > 0) & (backstop < owed - TINY)
        exhausted = np.where(short.any(axis=1), short.argmax(axis=1), horizon)
        # the lease survives under the backstop until the cap runs out (or its guarantor
        # fails) or the contract ends; the period of exhaustion is partial
        end = np.where(called, np.minimum(np.maximum(exhausted, start), horizon), end)
        revenue = revenue + backstop
    return LeaseCash(revenue, backstop, end, defaulted)


def lease_backstops(deal: Deal, lease: Block) -> list[Block]:
    """The backstop guarantees of ``lease``, in link order."""
    return [
        g
        for g in deal.links(lease.id, "guarantees", "in")
        if g.terms["guarantee_type"] == "backstop"
    ]


#: how the SPV recovers after a tenant default (lease term ``default_recovery``)
RECOVERY = {"enforce": 0, "re_lease": 1}
#: what a backstop covers (guarantee term ``backstop_scope``)
BACKSTOP_SCOPE = {"default": 0, "default_or_termination": 1, "assumption": 2}
#: causes of a sale an RVG can pay on, as bits
LEASE_END, TENANT_DEFAULT, ACCELERATION = 1, 2, 4
#: guarantee term ``rvg_triggers`` -> the causes it pays on
RVG_TRIGGERS = {
    "lease_end": LEASE_END,
    "lease_end_or_default": LEASE_END | TENANT_DEFAULT,
    "any_sale": LEASE_END | TENANT_DEFAULT | ACCELERATION,
}


def tenant_of(deal: Deal, lease: Block) -> Block | None:
    """The sponsor ``lease`` is let to (None: no tenant block)."""
    return next((b for b in deal.links(lease.id, "leases_to") if b.kind == "sponsor"), None)


def guarantor_of(deal: Deal, g: Block) -> Block | None:
    """The sponsor that gives guarantee ``g`` (None: no guarantor block, it never fails)."""
    return next((b for b in deal.links(g.id, "guarantees", "in") if b.kind == "sponsor"), None)


def credit_root(deal: Deal, sponsor: Block) -> Block:
    """The parent at the top of ``sponsor``'s ``subsidiary_of`` chain (itself when it has
    none): a parent and its subsidiaries are one credit and default once."""
    seen = {sponsor.id}
    while True:
        parent = next(
            (b for b in deal.links(sponsor.id, "subsidiary_of") if b.kind == "sponsor"), None
        )
        if parent is None or parent.id in seen:
            return sponsor
        seen.add(parent.id)
        sponsor = parent


def counterparty_index(deal: Deal) -> dict[str, int]:
    """Sponsor block id -> the counterparty index of its credit (the position of its
    :func:`credit_root` among the sponsors, deal order): one default time per credit."""
    sponsors = deal.of_kind("sponsor")
    pos = {b.id: i for i, b in enumerate(sponsors)}
    return {b.id: pos[credit_root(deal, b).id] for b in sponsors}


def credit_members(deal: Deal, root: Block) -> list[Block]:
    """The sponsors whose credit is ``root`` (itself and its subsidiaries), deal order."""
    return [b for b in deal.of_kind("sponsor") if credit_root(deal, b).id == root.id]


def guarantee_start(deal: Deal, g: Block, tl: Timeline) -> int:
    """Period from which a guarantee's term runs: closing, or the start of operations (the
    first rent of the leases it covers; of every lease of the deal when it covers assets)."""
    if g.terms["term_from"] != "operations":
        return 0
    covered = [b for b in deal.links(g.id, "guarantees") if b.kind == "lease"]
    leases = covered or deal.of_kind("lease")
    spv = deal.of_kind("spv")
    off = operations_offset_months(spv[0].terms) if spv else 0
    return min((tl.period_of_month(b.terms["start_month"] + off) for b in leases), default=0)


def guarantee_end(terms: dict, tl: Timeline, start: int = 0) -> int:
    """End (exclusive period) of a guarantee's term that runs from period ``start``; beyond
    the horizon when it has none."""
    years = terms["term_years"]
    return start + tl.periods(years) if years > 0 else tl.n_periods + 1


def guarantee_window_end(deal: Deal, g: Block, tl: Timeline) -> int:
    """End (exclusive period) of guarantee ``g``'s term, from closing or operations."""
    return guarantee_end(g.terms, tl, guarantee_start(deal, g, tl))


def rvg_floor(deal: Deal, g: Block, cost: dict[str, float], financing: float = 0.0) -> float:
    """An RVG's floor in USD m: ``floor_pct`` of the cost of what it covers (a lease covers
    both the GPU fleet and the facility); on the ``all_in_cost`` basis that cost grows by its
    pro-rata share of ``financing`` (the interest during construction the SPV funds,
    ``construction.financing_cost``) in the total asset cost: covered × (1 + financing /
    total)."""
    total = sum(cost.values())
    covered = sum(
        cost.get(b.kind, total if b.kind == "lease" else 0.0)
        for b in deal.links(g.id, "guarantees")
    )
    if g.terms.get("floor_basis") == "all_in_cost" and total > 0.0:
        covered = covered * (1.0 + financing / total)
    return g.terms["floor_pct"] * covered


def rvg_payments(
    deal: Deal,
    got: np.ndarray,
    sale_period: np.ndarray,
    stop: np.ndarray,
    cause: np.ndarray,
    cost: dict[str, float],
    tl: Timeline,
    guarantor_default: dict[str, np.ndarray],
    paid: dict[str, np.ndarray],
    financing: float = 0.0,
) -> np.ndarray:
    """(P,) residual value guarantee payments at the sale: floor (:func:`rvg_floor`; the
    all-in basis adds ``financing``) less the sale proceeds ``got``, up to the cap, when the
    sale's ``cause`` (:data:`LEASE_END` or :data:`TENANT_DEFAULT`, per path) is one the
    guarantee pays on, operations stop within its term and its guarantor has not defaulted
    by the sale. Adds each guarantee's total per path to ``paid``."""
    T = tl.n_periods
    rvg = np.zeros(got.shape)
    for g in deal.of_kind("guarantee"):
        if g.terms["guarantee_type"] != "rvg":
            continue
        floor = rvg_floor(deal, g, cost, financing)
        eligible = (
            ((RVG_TRIGGERS[g.terms["rvg_triggers"]] & cause) != 0)
            & (stop < T)
            & (stop < guarantee_window_end(deal, g, tl))
            & (sale_period < guarantor_default.get(g.id, T))
        )
        pay = np.where(eligible, np.minimum(np.maximum(floor - got, 0.0), g.terms["cap"]), 0.0)
        rvg = rvg + pay
        paid[g.id] = paid.get(g.id, 0.0) + pay
    return rvg
