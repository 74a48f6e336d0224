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

import numpy as np

from core.engine.compile import Drivers, PathRows
from core.engine.leases import (
    LeaseCash,
    LeaseSchedule,
    billed_ratio,
    guarantee_end,
    lease_cash,
    lease_schedule,
    market_index,
    rvg_payments,
)
from core.engine.plan import DealLevel, month_period


def _col(a: np.ndarray | None, default: np.ndarray, P: int) -> np.ndarray:
    return np.broadcast_to(default if a is None else a, (P, default.shape[-1]))


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

    def haircut_value(key: str, extra: np.ndarray | None) -> np.ndarray:
        add = 0.0 if extra is None else extra
        g = np.clip((fleet.terms[key] if fleet else 0.0) + add, 0.0, 1.0)
        h = np.clip((facility.terms[key] if facility else 0.0) + add, 0.0, 1.0)
        return np.broadcast_to(gpu_mv * (1 - g) + fac_mv * (1 - h), (P, T))

    sale_value = haircut_value("sale_haircut", drv.sale_haircut_add)
    forced_value = haircut_value("liquidation_haircut", drv.liquidation_haircut_add)

    # ---------------------------------------------------------------- leases
    revenue = np.zeros((P, T))
    cash_by_lease: dict[str, LeaseCash] = {}
    scheds: dict[str, LeaseSchedule] = {}
    ends = np.zeros(P, dtype=int)
    guarantee_paid: dict[str, np.ndarray] = {}
    last_sells = np.zeros(P, dtype=bool)  # per path: the lease that ends last is sold at expiry
    rent_factor = _col(drv.rent_factor, np.ones(T), P)
    commercial_end = d.commercial_end
    for lease in d.leases:
        lt = lease.terms
        market = market_index(lt, tl)[None, :] * rent_factor
        sched = lease_schedule(lt, tl, d.fleet_gpus, market)
        util = 1.0
        if drv.utilisation_factor is not None:
            util = _col(drv.utilisation_factor, np.ones(T), P)
            if lt["rent_basis"] == "gpu_hour":
                sched.rent = sched.rent * billed_ratio(lt, util)
        ev = drv.leases.get(lease.id, {})
        renewals = ev.get("renewals", np.full(P, lt["renewals_exercised"]))
        term = ev.get("termination", np.full(P, month_period(lt["termination_month"], tl)))
        dflt = ev.get("tenant_default", np.full(P, month_period(lt["tenant_default_month"], tl)))
        backstop = d.backstops[lease.id]
        cap = sum(g.terms["cap"] for g in backstop) if backstop else None
        bs_end = min((guarantee_end(g.terms, tl) for g in backstop), default=T)
        lc = lease_cash(sched, T, renewals, term, lt["termination_fee"], dflt, cap, bs_end)
        bs_total = lc.backstop_paid.sum(axis=1)
        for g in backstop:
            share = g.terms["cap"] / cap if cap else 1.0 / len(backstop)
            guarantee_paid[g.id] = guarantee_paid.get(g.id, 0.0) + bs_total * share
        revenue += lc.revenue
        if lt["at_expiry"] == "re_lease":
            t_idx = np.arange(T)[None, :]
            revenue += (
                sched.initial_rent
                * market
                * util
                * ((t_idx >= lc.end[:, None]) & (t_idx < commercial_end))
            )
        cash_by_lease[lease.id] = lc
        scheds[lease.id] = sched
        last_sells = np.where(lc.end >= ends, lt["at_expiry"] == "sell", last_sells)
        ends = np.maximum(ends, lc.end)

    # operations stop when the lease that ends last on a path ends and the assets are sold, or
    # when re-leased GPUs reach the end of their commercial life; else they run to the horizon
    stop = np.where(last_sells, ends, np.maximum(commercial_end if fleet else T, ends))
    stop = np.minimum(stop, T)
    sale_period = np.minimum(stop, T - 1)
    t_idx = np.arange(T)[None, :]
    at_sale = t_idx == sale_period[:, None]
    proceeds = np.where(at_sale, sale_value, 0.0)
    rvg = rvg_payments(
        deal, proceeds, sale_period, stop, {"gpu_fleet": d.fleet_cost, "facility": d.facility_cost},
        tl, guarantee_paid,
    )  # fmt: skip
    proceeds = proceeds + rvg
    held = t_idx <= sale_period[:, None]
    operating = t_idx < stop[:, None]

    crypto_value = np.zeros((P, T))
    for path in d.crypto_paths:
        crypto_value = crypto_value + _col(None, path, P) * (
            1.0 if drv.crypto_factor is None else drv.crypto_factor
        )
    return PathRows(
        revenue=revenue,
        opex=np.where(operating, d.opex, 0.0),
        fees=np.where(operating, d.fees, 0.0),
        proceeds=proceeds,
        asset_value=np.where(held, mv, 0.0),
        liquidation_value=np.where(t_idx < sale_period[:, None], forced_value, 0.0),
        crypto_value=crypto_value,
        market_value=np.ascontiguousarray(mv),
        lease_cash=cash_by_lease,
        lease_schedules=scheds,
        guarantee_paid=guarantee_paid,
        rvg_paid=rvg,
        sale_period=sale_period,
    )
