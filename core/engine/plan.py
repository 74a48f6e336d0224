"""The deal-level half of a compile, and its flat plan for the compiled per-path compile.

:func:`deal_level` computes, once per deal, what no path changes: the timeline, asset curves
(GPU and facility market value, book value, depreciation), each lease's rent schedule in the
base case, the backstops of each lease, operating costs and senior fees, the base-rate curve,
the tranches' terms and each crypto block's units x price path.

:func:`build_plan` lays that out as flat NumPy arrays, the fields of ``Plan`` in
``core/engine/_pathplan.pxi``: everything the compiled per-path compile needs to turn one
path's drivers into the kernel's input rows (rent segments, escalation powers, billing,
termination and backstop terms, each guarantee's floor, cap and term). The Monte Carlo adds
its market model's fields (core.risk.mcplan); without them the plan compiles the deal's own
dates with no residual haircut, which is what ``compile_deal`` does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine import assets, going_concern
from core.engine.constants import MONTHS_PER_YEAR
from core.engine.construction import (
    Construction,
    construction_for,
    delay_interest,
    financing_cost,
    operations_offset_months,
)
from core.engine.draws import DrawPlan, draw_plan, vintage_book
from core.engine.leases import (
    BACKSTOP_SCOPE,
    RECOVERY,
    RVG_TRIGGERS,
    LeaseSchedule,
    counterparty_index,
    credit_members,
    credit_root,
    guarantee_window_end,
    guarantor_of,
    lease_backstops,
    lease_schedule,
    market_index,
    rvg_floor,
    tenant_of,
)
from core.engine.schedules import TrancheTerms
from core.engine.timeline import Timeline, timeline_for
from core.model.deal import Block, Deal


@dataclass
class DealLevel:
    """What a deal's compile computes whatever the path; curves are (T,)."""

    deal: Deal
    spv: Block
    timeline: Timeline
    fleet: Block | None
    facility: Block | None
    fleet_gpus: int
    fleet_cost: float
    facility_cost: float
    gpu_value: np.ndarray  # GPU market value of the base case (zeros without a fleet)
    facility_value: np.ndarray  # facility market value (zeros without a facility)
    book: np.ndarray  # book value of both
    depreciation: np.ndarray
    commercial_end: int  # first period after the GPUs' commercial life (T without a fleet)
    leases: list[Block]  # in compile order
    schedules: dict[str, LeaseSchedule]  # base case: the market falls at the lease's decline
    backstops: dict[str, list[Block]]  # backstop guarantees of each lease
    opex: np.ndarray  # before the operating mask
    fees: np.ndarray
    base_rate: np.ndarray  # base-rate curve
    tranches: list[Block]  # in kernel order (seniority)
    terms: list[TrancheTerms]
    crypto_paths: list[np.ndarray]  # units x price path of each crypto block, USD m
    fire: np.ndarray  # (T,) fire-sale add to the GPUs' forced-sale haircut (age and volume)
    enforce_lag: int  # periods from an enforcement to the forced sale (liquidation lag)
    #: per lease: whether the path's rent driver moves its market rent (every lease but a
    #: data-centre lease in a deal with a GPU fleet, whose driver is compute rent)
    rent_driven: dict[str, bool]
    backstop_caps: dict[str, float]  # per lease: the caps of its backstops summed (0: none)
    #: the construction phase (core.engine.construction): completion, the capex schedule
    #: (``construction.capex``, USD m per period) and its funding; None: operating from closing
    construction: Construction | None = None
    #: delayed-draw tranches' plan (core.engine.draws); None when every tranche is drawn at close
    draws: DrawPlan | None = None

    @property
    def financing(self) -> float:
        """Interest during construction the SPV funds (0 without a construction phase): what
        an RVG's all-in floor basis adds to the assets' cost (``leases.rvg_floor``)."""
        c = self.construction
        share = self.draws.debt_share if self.draws is not None else 0.0
        return financing_cost(self.terms, c, share) if c is not None else 0.0


def first_of_kind(deal: Deal, kind: str) -> Block | None:
    """The deal's first block of ``kind`` (None when it has none)."""
    blocks = deal.of_kind(kind)
    return blocks[0] if blocks else None


def periods_ceil(months: float, mpp: int) -> int:
    return int(math.ceil(months / mpp))


def month_period(month: int, tl: Timeline) -> int:
    """Period of a 1-based month of the deal; ``T`` (never, in the horizon) for month 0."""
    return tl.period_of_month(month) if month > 0 else tl.n_periods


def deal_level(deal: Deal) -> DealLevel:
    """The deal-level half of ``compile_deal`` (the deal is assumed valid)."""
    spv = deal.of_kind("spv")[0]
    st = spv.terms
    tl = timeline_for(st["closing_date"], st["period"], st["horizon_years"])
    T, ppy, mpp = tl.n_periods, tl.periods_per_year, tl.months_per_period
    y_end, y_start = tl.years_end, tl.years_start

    fleet, facility = first_of_kind(deal, "gpu_fleet"), first_of_kind(deal, "facility")
    fleet_cost = fleet_gpus = 0
    gpu_mv, gpu_book = np.zeros(T), np.zeros(T)
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
        )
    fac_cost = facility.terms["cost"] if facility else 0.0
    fac_book, fac_mv = np.zeros(T), np.zeros(T)
    if facility:
        ft = facility.terms
        # the facility ages from completion (placed in service): new until then
        age = np.maximum(y_end - operations_offset_months(st) / MONTHS_PER_YEAR, 0.0)
        fac_book = assets.book_value(fac_cost, age, "straight_line", ft["life_years"])
        fac_mv = assets.facility_market_value(
            fac_cost, age, ft["life_years"], ft["market_value_pct"]
        )
    depreciation = assets.depreciation(fleet_cost, gpu_book) + assets.depreciation(
        fac_cost, fac_book
    )

    con = construction_for(st, tl, fleet_cost + fac_cost)
    offset = con.months if con else 0
    leases = list(deal.links(spv.id, "leases_to"))
    schedules = {b.id: lease_schedule(b.terms, tl, fleet_gpus, None, offset) for b in leases}

    opex_block = first_of_kind(deal, "opex")
    opex, fees = np.zeros(T), np.zeros(T)
    if opex_block:
        o = opex_block.terms
        grow = (1 + o["escalator"]) ** np.floor(y_start)
        power = o["power_mw"] * 8760.0 / ppy * o["power_price"] * o["pue"] / 1e6
        opex = (power + (o["maintenance"] + o["insurance"] + o["maintenance_capex"]) / ppy) * grow
        fees = o["admin_fees"] / ppy * grow
    if con:  # operating costs and senior fees start with operations, at completion
        opex[: con.completion] = 0.0
        fees[: con.completion] = 0.0

    curve = st["base_rate_curve"]
    if curve:
        base = np.array(curve)[np.minimum(np.floor(y_start).astype(int), len(curve) - 1)]
    else:
        base = np.full(T, st["base_rate"])
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
                periods_ceil(t["io_months"], mpp),
                tl.periods(t["tenor_years"]) - 1,
                t["amortisation"],
                list(t["custom_schedule"]),
                t["target_dscr"],
            )
        )
    draws = draw_plan(
        tranches,
        [tr.periodic_rate for tr in terms],
        [tr.maturity for tr in terms],
        tl,
        fleet_cost,
        con,
    )
    if draws is not None:  # the fleet is delivered with the draws (core.engine.draws)
        gpu_mv = gpu_mv * draws.delivered
        gpu_dep = vintage_book(assets.depreciation(fleet_cost, gpu_book), draws.delivered)
        gpu_book = vintage_book(gpu_book, draws.delivered)
        depreciation = gpu_dep + assets.depreciation(fac_cost, fac_book)
        opex = opex * draws.delivered
        for k, tr in enumerate(terms):
            if draws.amort[k]:
                tr.notional = float(draws.closing[k])
                planned = draws.planned[k].copy()
                planned[0] -= draws.closing[k]  # the later draws (the closing one: notional)
                tr.draws, tr.schedule = planned, draws.schedule[k]
                tr.fee = draws.base_fee[k]
    crypto = [
        c.terms["units"] * c.terms["price"] * (1 + c.terms["price_growth"]) ** y_end / 1e6
        for c in deal.of_kind("crypto")
    ]
    backstops = {b.id: lease_backstops(deal, b) for b in leases}
    fire = assets.fire_sale_add(fleet.terms, y_end) if fleet else np.zeros(T)
    lag = periods_ceil(fleet.terms["liquidation_lag_months"], mpp) if fleet else 0
    return DealLevel(
        deal,
        spv,
        tl,
        fleet,
        facility,
        fleet_gpus,
        fleet_cost,
        fac_cost,
        gpu_mv,
        fac_mv,
        gpu_book + fac_book,
        depreciation,
        tl.periods(fleet.terms["commercial_life_years"]) if fleet else T,
        leases,
        schedules,
        backstops,
        opex,
        fees,
        base,
        tranches,
        terms,
        crypto,
        np.ascontiguousarray(fire, dtype=np.float64),
        lag,
        {b.id: not (fleet and b.terms["rent_index"] == "data_centre") for b in leases},
        {k: float(sum(g.terms["cap"] for g in v)) for k, v in backstops.items()},
        con,
        draws,
    )


# per-lease fields of the plan, by C type
_LEASE_FLOATS = (
    "r0",
    "renewal_pct",
    "renew_contract",
    "util0",
    "top",
    "billed0",
    "fee",
    "bs_cap",
    "remarket",
    "walk_gap",
    "walk_sens",
)
_LEASE_INTS = (
    "n_seg",
    "n_ends",
    "gpu_hour",
    "re_lease",
    "sell",
    "has_bs",
    "bs_end",
    "ren_default",
    "term_default",
    "dflt_default",
    "recovery",
    "search_lag",
    "bs_scope",
    "tenant_cp",
    "rent_driven",
    "ramps",
)


def _f(values) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _i(values) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.int32)


def credit_default(deal: Deal, sponsor: Block, tl: Timeline) -> int:
    """The deal's own default period of ``sponsor``'s credit: the earliest ``default_month``
    of it and its subsidiaries (T: none); read at the credit's root."""
    root = credit_root(deal, sponsor)
    if root.id != sponsor.id:
        return tl.n_periods
    return min(month_period(b.terms["default_month"], tl) for b in credit_members(deal, root))


def _cp_of(cp: dict[str, int], sponsor: Block | None) -> int:
    return cp[sponsor.id] if sponsor is not None else -1


def going_concern_plan(d: DealLevel) -> dict:
    """The plan's going-concern fields (core.engine.going_concern): on with the SPV's
    ``going_concern_yield`` > 0, its sale cost, the discount factors and the operating costs'
    suffix PV."""
    st, T, ppy = d.spv.terms, d.timeline.n_periods, d.timeline.periods_per_year
    y = st["going_concern_yield"]
    v = going_concern.discount_factors(y, ppy, T)
    return {
        "gc_on": int(y > 0),
        "gc_haircut": st["going_concern_haircut"],
        "gc_v": v,
        "gc_opex": going_concern.suffix_pv(d.opex, v[1]) if y > 0 else np.zeros(T),
    }


def build_plan(d: DealLevel) -> dict:
    """Plan arrays and scalars of the deal (keys are the fields of ``Plan``), with the
    Monte Carlo's fields neutral: no lease events or counterparty defaults drawn, no residual
    haircut (the fire-sale discount is the fleet's own, as on every path)."""
    deal, tl = d.deal, d.timeline
    T, ppy = tl.n_periods, tl.periods_per_year
    ft = d.fleet.terms if d.fleet else {}
    fac = d.facility.terms if d.facility else {}
    L = len(d.leases)
    S = max(len(d.schedules[b.id].term_ends) for b in d.leases)
    seg_start = np.zeros((L, S), dtype=np.int32)
    seg_stop = np.zeros((L, S), dtype=np.int32)
    ends = np.zeros((L, S), dtype=np.int32)
    lastpow = np.zeros((L, S))
    market = np.zeros((L, T))
    esc_np = np.zeros((L, T + 1))
    per_lease: dict[str, list] = {k: [] for k in _LEASE_FLOATS + _LEASE_INTS}
    guarantees = deal.of_kind("guarantee")
    cp = counterparty_index(deal)
    share = np.full((len(guarantees), L), -1.0)
    g_index = {g.id: i for i, g in enumerate(guarantees)}
    for li, lease in enumerate(d.leases):
        lt = lease.terms
        sched = d.schedules[lease.id]
        esc = 1.0 + lt["escalator"]
        # the segments lease_schedule walks: the initial term, then each renewal in the horizon
        n_seg = 0
        for i, end in enumerate(sched.term_ends):
            start = sched.start if i == 0 else sched.term_ends[i - 1]
            if i > 0 and start >= T:
                break
            seg_start[li, i], seg_stop[li, i] = start, min(end, T)
            lastpow[li, i] = esc ** ((end - 1 - start) // ppy)  # a Python float power, as there
            n_seg += 1
        ends[li, : len(sched.term_ends)] = sched.term_ends
        market[li] = market_index(lt, tl)
        esc_np[li] = esc ** np.arange(T + 1)  # the NumPy power lease_schedule uses
        backstops = d.backstops[lease.id]
        cap = sum(g.terms["cap"] for g in backstops) if backstops else None
        for g in backstops:
            share[g_index[g.id], li] = g.terms["cap"] / cap if cap else 1.0 / len(backstops)
        scope = BACKSTOP_SCOPE[backstops[0].terms["backstop_scope"]] if backstops else 0
        tenant = tenant_of(deal, lease)
        u, top = lt["utilisation"], lt["take_or_pay"]
        vals = {
            "r0": sched.initial_rent,
            "renewal_pct": lt["renewal_rent_pct"],
            "renew_contract": float(lt["renewal_pricing"] == "contract"),
            "util0": u,
            "top": top,
            "billed0": max(u, top),
            "fee": lt["termination_fee"],
            "bs_cap": (np.inf if scope == 2 else cap) if cap is not None else 0.0,
            "n_seg": n_seg,
            "n_ends": len(sched.term_ends),
            "gpu_hour": lt["rent_basis"] == "gpu_hour",
            "re_lease": lt["at_expiry"] == "re_lease",
            "sell": lt["at_expiry"] == "sell",
            "has_bs": bool(backstops),
            "bs_end": min((guarantee_window_end(deal, g, tl) for g in backstops), default=T),
            "ren_default": lt["renewals_exercised"],
            "term_default": month_period(lt["termination_month"], tl),
            "dflt_default": month_period(lt["tenant_default_month"], tl),
            "recovery": RECOVERY[lt["default_recovery"]],
            "search_lag": periods_ceil(lt["search_lag_months"], tl.months_per_period),
            "remarket": lt["remarketing_cost_pct"],
            "walk_gap": lt["walk_away_gap"],
            "walk_sens": lt["walk_away_sensitivity"],
            "bs_scope": scope,
            "tenant_cp": cp[tenant.id] if tenant is not None else -1,
            "rent_driven": d.rent_driven[lease.id],
            # the rent of a lease on compute ramps with the GPUs delivered (core.engine.draws)
            "ramps": d.draws is not None and lt["rent_index"] == "compute",
        }
        for k, v in vals.items():
            per_lease[k].append(v)
    cost = {"gpu_fleet": d.fleet_cost, "facility": d.facility_cost}
    g_rvg = [g.terms["guarantee_type"] == "rvg" for g in guarantees]
    con = d.construction
    plan = {
        "T": T,
        "L": L,
        "NG": len(guarantees),
        "NC": len(d.crypto_paths),
        "S": S,
        "E": 0,
        "NCP": len(cp),
        "enforce_lag": d.enforce_lag,
        "ppy": ppy,
        "commercial_end": d.commercial_end,
        "has_fleet": int(d.fleet is not None),
        "lease_events": 0,
        "residual_sd": 0.0,
        "g_sale": ft.get("sale_haircut", 0.0),
        "g_liq": ft.get("liquidation_haircut", 0.0),
        "h_sale": fac.get("sale_haircut", 0.0),
        "h_liq": fac.get("liquidation_haircut", 0.0),
        "gpu_mv0": _f(d.gpu_value),
        "fac_mv": _f(d.facility_value),
        "fire": d.fire,
        "has_ramp": int(d.draws is not None),
        "ramp": _f(d.draws.delivered if d.draws is not None else np.ones(T)),
        "opex": _f(d.opex),
        "fees": _f(d.fees),
        "crypto_path": _f(np.array(d.crypto_paths).reshape(-1)),
        "hazard": np.zeros(L),
        "term_hazard": np.zeros(L),
        "p_refuse": np.zeros(L),
        "ev_off": np.zeros(L, dtype=np.int32),
        "seg_start": seg_start.ravel(),
        "seg_stop": seg_stop.ravel(),
        "ends": ends.ravel(),
        "seg_lastpow": lastpow.ravel(),
        "market_idx": market.ravel(),
        "esc_np": esc_np.ravel(),
        "g_rvg": _i(g_rvg),
        "g_linked": _i([not r and (share[i] >= 0).any() for i, r in enumerate(g_rvg)]),
        "g_floor": _f(
            [
                rvg_floor(deal, g, cost, d.financing) if r else 0.0
                for g, r in zip(guarantees, g_rvg, strict=True)
            ]
        ),
        "g_cap": _f([g.terms["cap"] for g in guarantees]),
        "g_end": _i([min(guarantee_window_end(deal, g, tl), 2**31 - 1) for g in guarantees]),
        "g_share": share.ravel(),
        "g_trig": _i([RVG_TRIGGERS[g.terms["rvg_triggers"]] for g in guarantees]),
        "g_cp": _i([_cp_of(cp, guarantor_of(deal, g)) for g in guarantees]),
        "cp_default": _i([credit_default(deal, s, tl) for s in deal.of_kind("sponsor")]),
        "cp_hazard": np.zeros(len(cp)),
        "cp_off": np.zeros(len(cp), dtype=np.int32),
        # construction (core.engine.construction): first operating period (0: none), the
        # path's delay in periods, the interest head of a delay cost, completion guarantees
        "completion": con.completion if con else 0,
        "delay": con.delay if con else 0,
        "delay_interest": _f(delay_interest(d.terms, con) if con else np.zeros(T)),
        "g_completion": _i([g.terms["guarantee_type"] == "completion" for g in guarantees]),
        **going_concern_plan(d),
        # the capex on the plan: a path's moves by its delay from cx_start (the kernel's capex)
        "capex": _f(con.capex if con else np.zeros(T)),
        "cx_start": con.start if con else 0,
    }
    for k, v in per_lease.items():
        plan[k] = _i(v) if k in _LEASE_INTS else _f(v)
    return plan
