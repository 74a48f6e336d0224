"""Compile a deal graph into the arrays the waterfall kernel reads.

The deal is validated first (one SPV, issued tranches, leases...). Drivers that the Monte
Carlo varies path by path (rent and market-value shocks, base rates, crypto prices, lease
events) come in as a :class:`Drivers` object; without one the base case is compiled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.engine import assets
from core.engine.arrays import ACCELERATE, SWEEP, TRAP, EngineInputs
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
from core.engine.schedules import TrancheTerms, base_case_schedules, dsra_target
from core.engine.timeline import Timeline, timeline_for
from core.model.deal import Block, Deal

ACTIONS = {"trap": TRAP, "sweep": SWEEP, "accelerate": ACCELERATE}


@dataclass
class Drivers:
    """Per-path risk drivers; every field is optional and defaults to the base case.

    Arrays are ``(P, T)`` multipliers or levels (or shapes that broadcast to it, e.g. ``(P, 1)``
    for one value per path, ``(1, T)`` for one path shared by all), or ``(P,)`` period indices;
    ``leases`` maps a lease block id to per-path ``renewals``, ``termination`` and
    ``tenant_default`` arrays.
    """

    n_paths: int = 1
    rent_factor: np.ndarray | None = None  # multiplies the market (re-leasing) rent
    gpu_value_factor: np.ndarray | None = None  # multiplies the GPU market value
    base_rate: np.ndarray | None = None  # replaces the base-rate curve
    crypto_factor: np.ndarray | None = None  # multiplies the crypto price path
    liquidation_haircut_add: np.ndarray | None = None  # added to the forced-sale haircut
    sale_haircut_add: np.ndarray | None = None  # added to the orderly-sale haircut
    #: multiplies utilisation: GPU-hour rent above take-or-pay and re-leasing revenue
    utilisation_factor: np.ndarray | None = None
    leases: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


@dataclass
class CompiledDeal:
    deal: Deal
    timeline: Timeline
    inputs: EngineInputs
    spv: Block
    tranches: list[Block]  # in kernel order (seniority)
    equity: list[Block]
    leases: list[Block]
    sponsors: list[Block]
    asset_cost: float
    asset_value: np.ndarray  # (P, T) before any sale
    book_value: np.ndarray  # (T,)
    lease_cash: dict[str, LeaseCash]
    lease_schedules: dict[str, LeaseSchedule]
    base_interest: np.ndarray  # (K, T) base-case scheduled interest
    rvg_paid: np.ndarray  # (P, T)
    sale_period: np.ndarray  # (P,) period of the planned sale (T: none in horizon)
    sources: dict[str, float]
    uses: dict[str, float]
    #: total paid by each guarantee over the horizon, per path (P,): RVG top-ups at the sale
    #: and backstop payments (shared among a lease's backstops in proportion to their caps)
    guarantee_paid: dict[str, np.ndarray] = field(default_factory=dict)
    #: deal-level curves before any driver or operating mask, (T,) each: the GPU market value
    #: of the base case, the facility's, operating costs and senior fees, and one units x price
    #: path per crypto block (the Monte Carlo's per-path compile starts from these)
    gpu_value_base: np.ndarray | None = None
    facility_value: np.ndarray | None = None
    opex_full: np.ndarray | None = None
    fees_full: np.ndarray | None = None
    crypto_paths: list[np.ndarray] = field(default_factory=list)


def _one(deal: Deal, kind: str) -> Block | None:
    blocks = deal.of_kind(kind)
    return blocks[0] if blocks else None


def _col(a: np.ndarray | None, default: np.ndarray, P: int) -> np.ndarray:
    return np.broadcast_to(default if a is None else a, (P, default.shape[-1]))


def compile_deal(
    deal: Deal, drivers: Drivers | None = None, sized: CompiledDeal | None = None
) -> CompiledDeal:
    """Compile ``deal``; with ``drivers``, one path per driver row.

    Debt schedules (sculpting included), base-case interest and the DSRA target are fixed at
    sizing on the BASE CASE, so every stochastic path runs against the same schedules. With
    drivers they are taken from ``sized`` (the deal compiled without drivers), which is compiled
    here when not given; a Monte Carlo compiles it once and passes it to every chunk. A
    stressed copy of a deal is compiled with ``sized`` = the unstressed deal's compilation,
    so the stress hits debt that was sized before it (core.risk.stress.compile_stressed).
    """
    from core.model.validate import check_deal

    if drivers is not None and sized is None:
        sized = compile_deal(deal)
    elif drivers is None:
        check_deal(deal)
    drv = drivers or Drivers()
    P = drv.n_paths
    spv = deal.of_kind("spv")[0]
    st = spv.terms
    tl = timeline_for(st["closing_date"], st["period"], st["horizon_years"])
    T, ppy, mpp = tl.n_periods, tl.periods_per_year, tl.months_per_period
    y_end, y_start = tl.years_end, tl.years_start
    esc_years = np.floor(y_start)

    # ---------------------------------------------------------------- assets
    fleet = _one(deal, "gpu_fleet")
    facility = _one(deal, "facility")
    fleet_cost = fleet_gpus = 0
    gpu_mv = np.zeros((1, T))
    gpu_value_base = gpu_mv[0]
    gpu_book = np.zeros(T)
    if fleet:
        f = fleet.terms
        fleet_gpus = f["count"]
        fleet_cost = assets.fleet_cost(f["count"], f["unit_cost"])
        gpu_book = assets.book_value(
            fleet_cost,
            y_end,
            f["depreciation_method"],
            f["accounting_life_years"],
            f["salvage_pct"],
            f["declining_balance_factor"],
            f["custom_depreciation"],
        )
        gpu_mv = assets.gpu_market_value(
            fleet_cost,
            y_end,
            f["mv_decline"],
            f["next_gen_years"],
            f["next_gen_step"],
            f["commercial_life_years"],
            f["scrap_pct"],
        )[None, :]
        gpu_value_base = gpu_mv[0]
        if drv.gpu_value_factor is not None:
            gpu_mv = gpu_mv * drv.gpu_value_factor
    fac_cost = facility.terms["cost"] if facility else 0.0
    fac_book = np.zeros(T)
    fac_mv = np.zeros(T)
    if facility:
        ft = facility.terms
        fac_book = assets.book_value(fac_cost, y_end, "straight_line", ft["life_years"])
        fac_mv = assets.facility_market_value(
            fac_cost, y_end, ft["life_years"], ft["market_value_pct"]
        )
    book = gpu_book + fac_book
    depreciation = assets.depreciation(fleet_cost, gpu_book) + assets.depreciation(
        fac_cost, fac_book
    )
    mv = np.broadcast_to(gpu_mv + fac_mv, (P, T))

    def haircut_value(key: str, extra: np.ndarray | None) -> np.ndarray:
        add = 0.0 if extra is None else extra
        g = np.clip((fleet.terms[key] if fleet else 0.0) + add, 0.0, 1.0)
        h = np.clip((facility.terms[key] if facility else 0.0) + add, 0.0, 1.0)
        return np.broadcast_to(gpu_mv * (1 - g) + fac_mv * (1 - h), (P, T))

    sale_value = haircut_value("sale_haircut", drv.sale_haircut_add)
    forced_value = haircut_value("liquidation_haircut", drv.liquidation_haircut_add)

    # ---------------------------------------------------------------- leases
    leases = list(deal.links(spv.id, "leases_to"))
    revenue = np.zeros((P, T))
    cash_by_lease: dict[str, LeaseCash] = {}
    scheds: dict[str, LeaseSchedule] = {}
    ends = np.zeros(P, dtype=int)
    guarantee_paid: dict[str, np.ndarray] = {}
    last_sells = np.zeros(P, dtype=bool)  # per path: the lease that ends last is sold at expiry
    rent_factor = _col(drv.rent_factor, np.ones(T), P)
    commercial_end = tl.periods(fleet.terms["commercial_life_years"]) if fleet else T
    for lease in leases:
        lt = lease.terms
        market = market_index(lt, tl)[None, :] * rent_factor
        sched = lease_schedule(lt, tl, fleet_gpus, market)
        util = 1.0
        if drv.utilisation_factor is not None:
            util = _col(drv.utilisation_factor, np.ones(T), P)
            if lt["rent_basis"] == "gpu_hour":
                sched.rent = sched.rent * billed_ratio(lt, util)
        ev = drv.leases.get(lease.id, {})
        renewals = ev.get("renewals", np.full(P, lt["renewals_exercised"]))
        term = ev.get("termination", np.full(P, month_period(lt["termination_month"], tl)))
        dflt = ev.get("tenant_default", np.full(P, month_period(lt["tenant_default_month"], tl)))
        backstop = [
            g
            for g in deal.links(lease.id, "guarantees", "in")
            if g.terms["guarantee_type"] == "backstop"
        ]
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
        deal, proceeds, sale_period, stop, {"gpu_fleet": fleet_cost, "facility": fac_cost}, tl,
        guarantee_paid,
    )  # fmt: skip
    proceeds = proceeds + rvg
    held = t_idx <= sale_period[:, None]
    operating = t_idx < stop[:, None]
    asset_value = np.where(held, mv, 0.0)
    liquidation_value = np.where(t_idx < sale_period[:, None], forced_value, 0.0)

    # ---------------------------------------------------------------- costs
    opex_block = _one(deal, "opex")
    opex = np.zeros(T)
    fees = np.zeros(T)
    if opex_block:
        o = opex_block.terms
        grow = (1 + o["escalator"]) ** esc_years
        power = o["power_mw"] * 8760.0 / ppy * o["power_price"] * o["pue"] / 1e6
        opex = (power + (o["maintenance"] + o["insurance"] + o["maintenance_capex"]) / ppy) * grow
        fees = o["admin_fees"] / ppy * grow
    opex_p = np.where(operating, opex, 0.0)
    fees_p = np.where(operating, fees, 0.0)

    # ---------------------------------------------------------------- rates and tranches
    curve = st["base_rate_curve"]
    if curve:
        base = np.array(curve)[np.minimum(np.floor(y_start).astype(int), len(curve) - 1)]
    else:
        base = np.full(T, st["base_rate"])
    base_p = _col(drv.base_rate, base, P)
    issued = [b for b in deal.links(spv.id, "issues") if b.kind == "tranche"]
    tranches = sorted(issued, key=lambda b: b.terms["seniority"])
    terms = []
    for b in tranches:
        t = b.terms
        yf = tl.year_fraction(t["day_count"])
        annual = base + t["spread"] if t["rate_type"] == "floating" else np.full(T, t["coupon"])
        terms.append(
            TrancheTerms(
                t["notional"],
                annual * yf,
                _periods_ceil(t["io_months"], mpp),
                tl.periods(t["tenor_years"]) - 1,
                t["amortisation"],
                list(t["custom_schedule"]),
                t["target_dscr"],
            )
        )
    if sized is not None:  # sized on the base case, shared by every path
        sched, base_int = sized.inputs.scheduled_principal, sized.base_interest
        target, dsra0 = sized.inputs.dsra_target, sized.inputs.dsra_initial
    else:
        sched, base_int, target, dsra0 = _sizing(
            deal, terms, revenue[0] - opex_p[0] - fees_p[0], depreciation, st["tax_rate"], mpp
        )

    cov = _one(deal, "covenant")
    ct = cov.terms if cov else {}
    crypto_blocks = deal.of_kind("crypto")
    crypto_value = np.zeros((P, T))
    crypto_paths = []
    for c in crypto_blocks:
        ctm = c.terms
        path = ctm["units"] * ctm["price"] * (1 + ctm["price_growth"]) ** y_end / 1e6
        crypto_paths.append(path)
        crypto_value = crypto_value + _col(None, path, P) * (
            1.0 if drv.crypto_factor is None else drv.crypto_factor
        )
    c0 = crypto_blocks[0].terms if crypto_blocks else None

    ranks = [b.terms["seniority"] for b in tranches]
    group_start = [0] + [k for k in range(1, len(ranks)) if ranks[k] != ranks[k - 1]] + [len(ranks)]
    K = len(tranches)
    inputs = EngineInputs(
        revenue=_c2(revenue),
        opex=_c2(opex_p),
        fees=_c2(fees_p),
        proceeds=_c2(proceeds),
        asset_value=_c2(asset_value),
        liquidation_value=_c2(liquidation_value),
        crypto_value=_c2(crypto_value),
        base_rate=_c2(base_p),
        depreciation=np.ascontiguousarray(depreciation, dtype=float),
        dsra_target=np.ascontiguousarray(target, dtype=float),
        fixed_rate=np.array([b.terms["coupon"] for b in tranches], dtype=float),
        spread=np.array([b.terms["spread"] for b in tranches], dtype=float),
        floating=np.array([b.terms["rate_type"] == "floating" for b in tranches], dtype=np.int32),
        year_fraction=np.ascontiguousarray(
            np.array([tl.year_fraction(b.terms["day_count"]) for b in tranches]).reshape(K, T)
        ),
        notional=np.array([b.terms["notional"] for b in tranches], dtype=float),
        scheduled_principal=np.ascontiguousarray(sched.reshape(K, T)),
        maturity=np.array([tr.maturity for tr in terms], dtype=np.int32),
        sweep_pct=np.array(
            [1.0 if b.terms["amortisation"] == "sweep" else b.terms["sweep_pct"] for b in tranches],
            dtype=float,
        ),
        pik=np.array([b.terms["pik"] for b in tranches], dtype=np.int32),
        group_start=np.array(group_start, dtype=np.int32),
        dsra_initial=dsra0,
        tax_rate=st["tax_rate"],
        lockup_dscr=ct.get("lockup_dscr", 0.0),
        default_dscr=ct.get("default_dscr", 0.0),
        ltv_max=ct.get("ltv_max", 0.0),
        lockup_action=ACTIONS[ct.get("lockup_action", "trap")],
        default_action=ACTIONS[ct.get("default_action", "accelerate")],
        ltv_action=ACTIONS[ct.get("ltv_action", "sweep")],
        lookback=_periods_ceil(ct.get("lookback_months", mpp), mpp),
        liquidation_lag=max(
            1, _periods_ceil(fleet.terms["liquidation_lag_months"], mpp) if fleet else 1
        ),
        margin_call_ltv=c0["margin_call_ltv"] if c0 else 0.0,
        crypto_liquidation_ltv=c0["liquidation_ltv"] if c0 else 0.0,
    )
    equity = [b for b in deal.of_kind("equity")]
    sponsors = deal.of_kind("sponsor")
    sources = {b.terms["name"]: b.terms["notional"] for b in tranches}
    sources.update({b.terms["investor"]: b.terms["amount"] for b in equity})
    uses = {"GPU fleet": fleet_cost, "Facility": fac_cost, "DSRA funded at close": dsra0}
    gap = sum(sources.values()) - sum(uses.values())
    uses["Other uses / distribution at close" if gap >= 0 else "Funding gap"] = gap
    return CompiledDeal(
        deal,
        tl,
        inputs,
        spv,
        tranches,
        equity,
        leases,
        sponsors,
        fleet_cost + fac_cost,
        np.ascontiguousarray(mv),
        book,
        cash_by_lease,
        scheds,
        base_int,
        rvg,
        sale_period,
        sources,
        uses,
        guarantee_paid,
        gpu_value_base,
        fac_mv,
        opex,
        fees,
        crypto_paths,
    )


def _sizing(
    deal: Deal,
    terms: list[TrancheTerms],
    base_cfads: np.ndarray,
    depreciation: np.ndarray,
    tax_rate: float,
    mpp: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Scheduled principal, base-case interest, DSRA target and opening DSRA (base case)."""
    sched, base_int, _ = base_case_schedules(terms, base_cfads, depreciation, tax_rate)
    T = len(base_cfads)
    reserve = _one(deal, "reserve")
    target = np.zeros(T)
    dsra0 = 0.0
    if reserve and terms:
        n = _periods_ceil(reserve.terms["target_months"], mpp)
        ds = base_int.sum(axis=0) + sched.sum(axis=0)
        target = dsra_target(ds, n)
        dsra0 = float(ds[:n].sum()) if reserve.terms["funded_at_close"] else 0.0
    return sched, base_int, target, dsra0


def _c2(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim == 2 and a.shape[0] > 1 and np.all(a == a[:1]):
        a = a[:1]
    return np.ascontiguousarray(np.atleast_2d(a))


def _periods_ceil(months: float, mpp: int) -> int:
    return int(math.ceil(months / mpp))


def month_period(month: int, tl: Timeline) -> int:
    """Period of a 1-based month of the deal; ``T`` (never, in the horizon) for month 0."""
    return tl.period_of_month(month) if month > 0 else tl.n_periods
