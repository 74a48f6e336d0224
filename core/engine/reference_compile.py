"""The per-path half of a compile in NumPy: the specification of the compiled one.

``compile_deal`` compiles a deal's paths with the compiled per-path compile
(``core/engine/_pathcompile.pxi``, the code the Monte Carlo kernel runs for every path).
:func:`reference_paths` is the same arithmetic written plainly with NumPy, vectorised over the
paths of a :class:`~core.engine.compile.Drivers`: lease cash with renewals, termination, tenant
default and backstops, re-leasing, the sale and its RVG top-ups, what is held and operated,
asset, forced-sale and crypto values. It runs when asked for (``compile_deal(...,
engine="reference")``, ``run_deal(..., engine="reference")``), for drivers (the staged Monte
Carlo specification) and in the tests, which hold the compiled compile to it bit for bit.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from core.engine.compile import Drivers, PathRows
from core.engine.construction import delay_interest
from core.engine.delay import delay_lease_cash, delay_operations, shift_capex, shift_rows
from core.engine.going_concern import basis, going_concern_value, lease_rent_pv
from core.engine.leases import (
    ACCELERATION,
    BACKSTOP_SCOPE,
    LEASE_END,
    RECOVERY,
    RVG_TRIGGERS,
    TENANT_DEFAULT,
    LeaseCash,
    LeaseSchedule,
    billed_ratio,
    counterparty_index,
    guarantee_window_end,
    guarantor_of,
    lease_cash,
    lease_schedule,
    market_index,
    rvg_floor,
    rvg_payments,
    tenant_of,
)
from core.engine.plan import (
    DealLevel,
    credit_default,
    going_concern_plan,
    month_period,
    periods_ceil,
)


def _col(a: np.ndarray | None, default: np.ndarray, P: int) -> np.ndarray:
    return np.broadcast_to(default if a is None else a, (P, default.shape[-1]))


def _first(mask: np.ndarray, none: int) -> np.ndarray:
    """(P,) first column where ``mask`` (P, T) holds, ``none`` where it never does."""
    return np.where(mask.any(axis=1), mask.argmax(axis=1), none)


def walk_away_term(
    lt: dict,
    sched: LeaseSchedule,
    market: np.ndarray,
    contract_end: np.ndarray,
    term: np.ndarray,
    T: int,
) -> np.ndarray:
    """(P,) termination period ``term`` brought forward to the first period in which the
    tenant's rent is more than ``walk_away_gap`` above the market rent (the gap 0: never)."""
    gap = lt["walk_away_gap"]
    if gap <= 0:
        return term
    t = np.arange(T)[None, :]
    live = (t >= sched.start) & (t < contract_end[:, None])
    walk = live & (sched.rent > (1.0 + gap) * (sched.initial_rent * market))
    return np.where(walk.any(axis=1), np.minimum(term, walk.argmax(axis=1)), term)


def walk_away_hazard(
    sensitivity: float,
    sched: LeaseSchedule,
    market: np.ndarray,
    contract_end: np.ndarray,
    T: int,
    base: float,
) -> np.ndarray:
    """(P, T) termination hazard a year: ``base + sensitivity x max(0, rent / market rent -
    1)`` while the contract runs (``base`` outside it)."""
    t = np.arange(T)[None, :]
    mk = sched.initial_rent * market
    with np.errstate(divide="ignore", invalid="ignore"):
        gap = np.where(mk > 0, sched.rent / np.where(mk > 0, mk, 1.0) - 1.0,
                       np.where(sched.rent > 0, 1e9, 0.0))  # fmt: skip
    live = (t >= sched.start) & (t < contract_end[:, None])
    return base + np.where(live, sensitivity * np.maximum(gap, 0.0), 0.0)


def reference_paths(d: DealLevel, drv: Drivers) -> PathRows:
    """The kernel's per-path input rows and what each lease and guarantee pays, per path."""
    deal, tl = d.deal, d.timeline
    P, T = drv.n_paths, tl.n_periods
    fleet, facility = d.fleet, d.facility

    # ---------------------------------------------------------------- assets
    gpu_mv = d.gpu_value[None, :]
    if fleet and drv.gpu_value_factor is not None:
        gpu_mv = gpu_mv * drv.gpu_value_factor
    fac_mv = d.facility_value
    mv = np.broadcast_to(gpu_mv + fac_mv, (P, T))

    def haircut_value(key: str, g_add: np.ndarray | float, h_add: np.ndarray | float):
        g = np.clip((fleet.terms[key] if fleet else 0.0) + g_add, 0.0, 1.0)
        h = np.clip((facility.terms[key] if facility else 0.0) + h_add, 0.0, 1.0)
        return np.broadcast_to(gpu_mv * (1 - g) + fac_mv * (1 - h), (P, T))

    add = 0.0 if drv.sale_haircut_add is None else drv.sale_haircut_add
    sale_value = haircut_value("sale_haircut", add, add)
    fire = d.fire if drv.liquidation_haircut_add is None else drv.liquidation_haircut_add
    forced_value = haircut_value("liquidation_haircut", fire, 0.0)

    # ------------------------------------ counterparties: one default per credit (a parent
    # and its subsidiaries are one), keyed by the counterparty index of core.engine.plan
    t_idx = np.arange(T)[None, :]
    cp = counterparty_index(deal)
    cp_default = {
        cp[s.id]: np.full(P, credit_default(deal, s, tl))
        for s in deal.of_kind("sponsor")
        if cp[s.id] == list(cp).index(s.id)
    }
    for sid, when in drv.counterparties.items():
        cp_default[cp[sid]] = np.minimum(cp_default[cp[sid]], when)
    events = {}
    for lease in d.leases:
        lt = lease.terms
        ev = drv.leases.get(lease.id, {})
        dflt = ev.get("tenant_default", np.full(P, month_period(lt["tenant_default_month"], tl)))
        tenant = tenant_of(deal, lease)
        if tenant is not None:  # a lease's default is its tenant's
            cp_default[cp[tenant.id]] = np.minimum(cp_default[cp[tenant.id]], dflt)
        events[lease.id] = (ev, dflt, tenant)
    guarantor_default = {}
    for g in deal.of_kind("guarantee"):
        gs = guarantor_of(deal, g)
        if gs is not None and gs.id in cp:
            guarantor_default[g.id] = cp_default[cp[gs.id]]

    # ---------------------------------------------------------------- leases
    revenue = np.zeros((P, T))
    cash_by_lease: dict[str, LeaseCash] = {}
    scheds: dict[str, LeaseSchedule] = {}
    ends = np.zeros(P, dtype=int)
    guarantee_paid: dict[str, np.ndarray] = {}
    last_mode = np.zeros(P, dtype=int)  # per path, of the lease that ends last: 0 sell,
    last_default = np.zeros(P, dtype=bool)  # 1 hold and re-lease, 2 enforce; ended by default
    rent_factor = _col(drv.rent_factor, np.ones(T), P)
    commercial_end = d.commercial_end
    gc = d.spv.terms["going_concern_yield"] > 0
    gc_plan = going_concern_plan(d) if gc else {}
    gc_rent = np.zeros((P, T))  # the performing leases' rent PV (core.engine.going_concern)
    gc_end = np.zeros((P, T), dtype=np.int64)  # the latest end of a performing lease's term
    for lease in d.leases:
        lt = lease.terms
        driven = d.rent_driven[lease.id]
        market = market_index(lt, tl)[None, :] * (rent_factor if driven else np.ones((P, T)))
        offset = d.construction.months if d.construction else 0
        sched = lease_schedule(lt, tl, d.fleet_gpus, market, offset)
        ev, dflt, tenant = events[lease.id]
        if tenant is not None:
            dflt = cp_default[cp[tenant.id]]
        renewals = ev.get("renewals", np.full(P, lt["renewals_exercised"]))
        term = ev.get("termination", np.full(P, month_period(lt["termination_month"], tl)))
        ce = sched.end_after(renewals)
        walked = np.zeros(P, dtype=bool)  # core.risk.causes: the walk-away's termination
        if "termination_draw" in ev:  # drawn with a walk-away hazard (core.risk.paths)
            sens = ev["walk_sensitivity"]
            th = ev["termination_hazard"]
            lam = walk_away_hazard(sens, sched, market, ce, T, th)
            draw = ev["termination_draw"][:, None]
            drawn = _first(np.cumsum(lam / tl.periods_per_year, axis=1) > draw, T)
            base = np.cumsum(np.full(T, th) / tl.periods_per_year) > draw  # (P, T)
            at = np.minimum(drawn, T - 1)
            walked = (drawn < T) & (drawn < term) & ~base[np.arange(P), at]
            term = np.minimum(term, drawn)
        walk = walk_away_term(lt, sched, market, ce, term, T)
        walked = walked | (walk < term)
        term = walk
        util = 1.0
        billing = []  # the factors the rent is billed at (GPU-hours, GPUs delivered)
        if drv.utilisation_factor is not None:
            util = _col(drv.utilisation_factor, np.ones(T), P)
            if lt["rent_basis"] == "gpu_hour":
                billing.append(billed_ratio(lt, util))
        ramp = d.draws is not None and lt["rent_index"] == "compute"
        if gc:  # its going-concern rent while it performs
            performs = (t_idx >= sched.start) & (
                t_idx < np.minimum(np.minimum(ce, term), dflt)[:, None]
            )
            f = billing + ([d.draws.delivered[None, :]] if ramp else [])
            gc_rent, gc_end = lease_rent_pv(
                sched.rent, sched.term_ends, gc_plan["gc_v"][1], performs, f, gc_rent, gc_end
            )
        for ratio in billing:
            sched.rent = sched.rent * ratio
        billed = sched
        if ramp:  # rent on the GPUs delivered so far (core.engine.draws); the schedule kept
            billed = dataclasses.replace(sched, rent=sched.rent * d.draws.delivered)
        backstop = d.backstops[lease.id]
        scope = BACKSTOP_SCOPE[backstop[0].terms["backstop_scope"]] if backstop else 0
        cap = sum(g.terms["cap"] for g in backstop) if backstop else None
        if cap is not None and scope == 2:
            cap = np.inf
        bs_end = min((guarantee_window_end(deal, g, tl) for g in backstop), default=T)
        gd = None
        for g in backstop:
            if g.id in guarantor_default:
                gd = (
                    guarantor_default[g.id]
                    if gd is None
                    else np.minimum(gd, guarantor_default[g.id])
                )
        recovery = RECOVERY[lt["default_recovery"]]
        lag = periods_ceil(lt["search_lag_months"], tl.months_per_period)
        relet_lag = lag if recovery == 1 else None
        lc = lease_cash(
            billed,
            T,
            renewals,
            term,
            lt["termination_fee"],
            dflt,
            cap,
            bs_end,
            scope,
            gd,
            relet_lag,
        )
        lc.walked = walked
        g_nt = np.full(P, T)  # the earliest default of a backstop's guarantor not the tenant
        for g in backstop:
            gs = guarantor_of(deal, g)
            if g.id in guarantor_default and (tenant is None or gs.id != tenant.id):
                g_nt = np.minimum(g_nt, guarantor_default[g.id])
        lc.guarantor_cut = lc.defaulted & (g_nt <= lc.end) if backstop else np.zeros(P, bool)
        bs_total = lc.backstop_paid.sum(axis=1)
        for g in backstop:
            share = (
                g.terms["cap"] / d.backstop_caps[lease.id]
                if d.backstop_caps[lease.id]
                else (1.0 / len(backstop))
            )
            guarantee_paid[g.id] = guarantee_paid.get(g.id, 0.0) + bs_total * share
        revenue += lc.revenue
        re_let = (t_idx >= lc.end[:, None]) & (t_idx < commercial_end)
        if recovery == 1:  # after a default: re-let after the search lag, less remarketing
            # from the default (a scope-0 backstop pays until then, lease_cash), or from the
            # end of a backstop that covers a termination too or assumes the lease
            relet_from = (dflt if scope == 0 else lc.end) + lag
            after = (t_idx >= relet_from[:, None]) & (t_idx < commercial_end)
            if ramp:
                after = after * d.draws.delivered
            relet_default = (
                ((sched.initial_rent * market) * util) * (1.0 - lt["remarketing_cost_pct"]) * after
            )
            revenue += np.where(lc.defaulted[:, None], relet_default, 0.0)
        if lt["at_expiry"] == "re_lease":
            revenue += np.where(
                lc.defaulted[:, None],
                0.0,
                sched.initial_rent
                * market
                * util
                * (re_let * d.draws.delivered if ramp else re_let),
            )
        mode = np.where(lc.defaulted, 2 - recovery, 0 if lt["at_expiry"] == "sell" else 1)
        cash_by_lease[lease.id] = lc
        scheds[lease.id] = sched
        last = lc.end >= ends
        last_mode = np.where(last, mode, last_mode)
        last_default = np.where(last, lc.defaulted, last_default)
        ends = np.maximum(ends, lc.end)

    # operations stop when the lease that ends last on a path ends and the assets are sold
    # (orderly, or forced after the liquidation lag when the lenders enforce after a tenant
    # default), or when re-leased GPUs reach the end of their commercial life; else they run
    # to the horizon
    stop = np.where(last_mode == 1, np.maximum(commercial_end if fleet else T, ends), ends)
    stop = np.minimum(stop, T)
    sale_period = np.minimum(np.where(last_mode == 2, stop + d.enforce_lag, stop), T - 1)
    at_sale = t_idx == sale_period[:, None]
    got = np.take_along_axis(
        np.where(last_mode[:, None] == 2, forced_value, sale_value), sale_period[:, None], axis=1
    )[:, 0]
    cause = np.where(last_default, TENANT_DEFAULT, LEASE_END)
    cost = {"gpu_fleet": d.fleet_cost, "facility": d.facility_cost}
    rvg_sale = rvg_payments(
        deal,
        got,
        sale_period,
        stop,
        cause,
        cost,
        tl,
        guarantor_default,
        guarantee_paid,
        d.financing,
    )
    # a late completion moves the operating phase, so the sale, ``delay`` periods later
    # (within the horizon) at the value it has at its undelayed period (core.engine.delay)
    con = d.construction
    delay = np.zeros(P, dtype=int)
    if con is not None:
        delay = np.broadcast_to(
            con.delay if drv.completion_delay is None else drv.completion_delay, (P,)
        ).astype(int)
    sale_period = np.minimum(sale_period + delay, T - 1)
    at_sale = t_idx == sale_period[:, None]
    gc_value, performs = np.zeros((P, T)), np.zeros((P, T), dtype=bool)
    if gc:  # GC(t) where a lease performs, moved with a late completion's operations
        gc_value, performs = going_concern_value(
            gc_rent, gc_end, d.opex, gc_plan["gc_opex"], sale_value, gc_plan["gc_v"]
        )
        if con is not None and delay.any():
            gc_value = shift_rows(gc_value, con.completion, delay)
            performs = shift_rows(performs.astype(float), con.completion, delay) > 0
    # a forced sale after acceleration sells with a performing lease when that pays more
    base, held_value = forced_value, mv
    gc_basis = np.zeros((P, T), dtype=np.uint8)
    if gc:
        gc_basis = basis(gc_value, performs, mv, forced_value, gc_plan["gc_haircut"])
        base = np.where(
            performs, np.maximum(forced_value, gc_value * (1.0 - gc_plan["gc_haircut"])), base
        )
        held_value = np.where(performs, np.maximum(mv, gc_value), mv)
    proceeds = np.where(at_sale, (got + rvg_sale)[:, None], 0.0)
    rvg = np.where(at_sale, rvg_sale[:, None], 0.0)
    held = t_idx <= sale_period[:, None]
    operating = t_idx < stop[:, None]
    before_sale = t_idx < sale_period[:, None]
    liquidation = np.where(before_sale, base, 0.0)
    for g in deal.of_kind("guarantee"):  # an RVG that pays on a liquidation after acceleration
        if g.terms["guarantee_type"] != "rvg":
            continue
        if not RVG_TRIGGERS[g.terms["rvg_triggers"]] & ACCELERATION:
            continue
        gd = guarantor_default.get(g.id, np.full(P, T))
        ok = before_sale & (t_idx < guarantee_window_end(deal, g, tl)) & (t_idx < gd[:, None])
        top_up = np.minimum(
            np.maximum(rvg_floor(deal, g, cost, d.financing) - base, 0.0), g.terms["cap"]
        )
        liquidation = liquidation + np.where(ok, top_up, 0.0)

    crypto_value = np.zeros((P, T))
    for path in d.crypto_paths:
        crypto_value = crypto_value + _col(None, path, P) * (
            1.0 if drv.crypto_factor is None else drv.crypto_factor
        )
    opex = np.where(operating, d.opex, 0.0)
    fees = np.where(operating, d.fees, 0.0)
    if con is not None and delay.any():
        completion = [
            (g.id, g.terms["cap"], guarantor_default.get(g.id, np.full(P, T)))
            for g in deal.of_kind("guarantee")
            if g.terms["guarantee_type"] == "completion"
        ]
        plan_interest = delay_interest(d.terms, con)
        revenue, opex, fees, uncovered = delay_operations(
            revenue, opex, fees, con.completion, delay, plan_interest, completion, guarantee_paid
        )
        cash_by_lease = {
            k: delay_lease_cash(lc, con.completion, delay) for k, lc in cash_by_lease.items()
        }
    else:
        uncovered = np.full(P, T)
    for g in deal.of_kind("guarantee"):
        if g.terms["guarantee_type"] == "completion":
            guarantee_paid.setdefault(g.id, np.zeros(P))
    return PathRows(
        revenue=revenue,
        opex=opex,
        fees=fees,
        proceeds=proceeds,
        asset_value=np.where(held, held_value, 0.0),
        liquidation_value=liquidation,
        crypto_value=crypto_value,
        market_value=np.ascontiguousarray(mv),
        lease_cash=cash_by_lease,
        lease_schedules=scheds,
        guarantee_paid=guarantee_paid,
        rvg_paid=rvg,
        sale_period=sale_period,
        delay_uncovered=uncovered,
        going_concern=gc_value,
        gc_basis=gc_basis,
        capex=shift_capex(con.capex, con.start, delay) if con is not None else np.zeros((P, T)),
    )
