"""Compile a deal graph into the arrays the waterfall kernel reads.

A compile has two halves. The deal-level half (:func:`core.engine.plan.deal_level`: timeline,
asset curves, lease schedules, costs, tranche terms, crypto paths) does not depend on the
path. The per-path half (lease cash with renewals, termination, tenant default and
backstops, re-leasing, the sale and its RVG, what is held and operated) runs in compiled
code, ``core/engine/_pathcompile.pxi`` through :mod:`core.engine._compile`: the same code
the Monte Carlo kernel runs for each of its paths. Debt is then sized on the base case.

``engine="reference"`` runs the per-path half in NumPy instead
(:mod:`core.engine.reference_compile`, the specification the tests hold the compiled one to,
bit for bit); so do :class:`Drivers` (rent and market-value shocks, base rates, crypto prices,
lease events, per path), which the staged Monte Carlo specification passes.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from core.engine.arrays import ACCELERATE, SWEEP, TRAP, EngineInputs
from core.engine.construction import interest_reserve, operating_terms, treasury_funding
from core.engine.finite import check_finite_inputs
from core.engine.hedges import SwapSchedule, swap_legs, swap_schedules
from core.engine.leases import LeaseCash, LeaseSchedule
from core.engine.plan import DealLevel, build_plan, deal_level, first_of_kind, periods_ceil
from core.engine.refinancing import refi_base, refi_inputs
from core.engine.schedules import (
    TrancheTerms,
    base_case_schedules,
    dsra_at_close,
    dsra_target,
)
from core.engine.timeline import Timeline
from core.model.deal import Block, Deal

ACTIONS = {"trap": TRAP, "sweep": SWEEP, "accelerate": ACCELERATE}
ENGINES = ("cython", "reference")
COMPILE_MODULE = "core.engine._compile"


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
    #: per sponsor id: (P,) period of its drawn default (T: none in the horizon); it stops
    #: every lease it is tenant of and every guarantee it gives
    counterparties: dict[str, np.ndarray] = field(default_factory=dict)
    #: (P,) periods by which each path's completion slips (None: the deal's own delay)
    completion_delay: np.ndarray | None = None
    #: the refinancing market per path and period (EngineInputs.refi_advance_cut /
    #: refi_spread_add; core.risk.refimarket); None: open at the tranches' own terms
    refi_advance_cut: np.ndarray | None = None
    refi_spread_add: np.ndarray | None = None


@dataclass
class PathRows:
    """What the per-path half of a compile makes of P paths; arrays are (P, T) unless noted."""

    revenue: np.ndarray
    opex: np.ndarray
    fees: np.ndarray
    proceeds: np.ndarray
    asset_value: np.ndarray
    liquidation_value: np.ndarray
    crypto_value: np.ndarray
    market_value: np.ndarray  # GPUs and facility before any sale
    lease_cash: dict[str, LeaseCash]
    lease_schedules: dict[str, LeaseSchedule]
    guarantee_paid: dict[str, np.ndarray]  # (P,) per guarantee that can pay
    rvg_paid: np.ndarray
    sale_period: np.ndarray  # (P,)
    #: (P,) first late period whose delay cost no completion guarantee paid (T: none)
    delay_uncovered: np.ndarray | None = None
    #: the going-concern value where a lease performs, 0 elsewhere and with the SPV's
    #: going_concern_yield 0 (core.engine.going_concern)
    going_concern: np.ndarray | None = None
    #: (P, T) uint8: which values are GC(t) (going_concern.COLLATERAL, LIQUIDATION)
    gc_basis: np.ndarray | None = None
    #: capex spent on each path: the construction's moved by the path's completion delay
    capex: np.ndarray | None = None


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
    #: the deal-level half of the compile (the Monte Carlo's per-path compile starts from it)
    level: DealLevel | None = None
    #: its plan for the compiled per-path compile (core.engine.plan.build_plan), when built
    plan: dict | None = None
    #: the interest-rate swaps' notional schedules (core.engine.hedges), in deal order
    swaps: list[SwapSchedule] = field(default_factory=list)
    #: (P,) first late period of a late completion whose delay cost no completion guarantee
    #: paid (T: none, or no delay): the compile event core.risk.causes reads
    delay_uncovered: np.ndarray | None = None
    #: (P, T) the going-concern value of the leased assets where a lease performs (0
    #: elsewhere; None with the SPV's going_concern_yield 0): core.engine.going_concern
    going_concern: np.ndarray | None = None
    #: (P, T) uint8: where the collateral value (bit 1) and the forced-sale value (bit 2) are
    #: the going-concern value (core.engine.going_concern; None with the term off)
    gc_basis: np.ndarray | None = None

    def path_plan(self) -> dict:
        """The deal's plan for the compiled per-path compile (built once, then kept)."""
        if self.plan is None:
            self.plan = build_plan(self.level)
        return self.plan


def compile_deal(
    deal: Deal,
    drivers: Drivers | None = None,
    sized: CompiledDeal | None = None,
    engine: str | None = None,
) -> CompiledDeal:
    """Compile ``deal``: its own path, or with ``drivers`` one path per driver row.

    ``engine``: ``"cython"`` (the default without drivers) runs the per-path half compiled;
    ``"reference"`` (the only one for drivers) in NumPy. Both give the same arrays.

    Debt schedules (sculpting included), base-case interest and the DSRA target are fixed at
    sizing on the BASE CASE, so every stochastic path runs against the same schedules. With
    drivers they are taken from ``sized`` (the deal compiled without drivers), which is compiled
    here when not given; a Monte Carlo compiles it once and passes it to every chunk. A
    stressed copy of a deal is compiled with ``sized`` = the unstressed deal's compilation,
    so the stress hits debt that was sized before it (core.risk.stress.compile_stressed).
    """
    from core.model.validate import check_deal

    engine = engine or ("cython" if drivers is None else "reference")
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if drivers is not None and engine != "reference":
        raise ValueError("drivers are compiled by the NumPy reference (engine='reference')")
    if drivers is not None and sized is None:
        sized = compile_deal(deal)
    elif drivers is None:
        check_deal(deal)
    d = deal_level(deal)
    plan = None
    if engine == "cython":
        plan = build_plan(d)
        rows = compiled_path(d, plan)
    else:
        from core.engine.reference_compile import reference_paths

        rows = reference_paths(d, drivers or Drivers())
    check_finite_inputs(rows, deal)  # before sizing reads them
    P = rows.revenue.shape[0]
    base_p = np.broadcast_to(
        d.base_rate if drivers is None or drivers.base_rate is None else drivers.base_rate,
        (P, d.timeline.n_periods),
    )
    st = d.spv.terms
    if sized is not None:  # sized on the base case, shared by every path
        sched, base_int = sized.inputs.scheduled_principal, sized.base_interest
        target, dsra0 = sized.inputs.dsra_target, sized.inputs.dsra_initial
    else:
        base_cfads = rows.revenue[0] - rows.opex[0] - rows.fees[0]
        sched, base_int, target, dsra0 = _sizing(d, base_cfads, st["tax_rate"])
    K, T = len(d.tranches), d.timeline.n_periods
    maturity = np.array([tr.maturity for tr in d.terms], dtype=np.int32)
    swaps = swap_schedules(
        deal, d.timeline, d.tranches, np.reshape(sched, (K, T)), maturity, d.draws
    )
    inputs = _inputs(d, rows, base_p, sched, target, dsra0, swaps)
    if inputs.refi_on is not None:  # the refinancing's DSCR test sizes on this deal's base
        # case: its own single path, or (with drivers) ``sized``, the deal compiled without
        # them; never a deal it was only sized on (a stress sized on the unstressed deal)
        inputs = refi_base(inputs, inputs if drivers is None else sized.inputs)
    if drivers is not None and inputs.refi_on is not None:
        market = {"refi_advance_cut": drivers.refi_advance_cut}
        market["refi_spread_add"] = drivers.refi_spread_add
        inputs = inputs.with_paths(**{k: v for k, v in market.items() if v is not None})
    check_finite_inputs(inputs, deal)
    equity = deal.of_kind("equity")
    sources = {
        b.terms["name"] + (" (drawn at close)" if tr.draws is not None else ""): tr.notional
        for b, tr in zip(d.tranches, d.terms, strict=True)
    }
    sources.update({b.terms["investor"]: b.terms["amount"] for b in equity})
    # with delayed draws, the GPUs delivered at closing (the later ones: draws and equity);
    # capex-linked draws fund their share of the construction as it is spent, not at closing
    fleet_at_close = d.fleet_cost if d.draws is None else d.draws.closing_capex
    linked = debt_share(d)
    uses = {"GPU fleet": fleet_at_close, "Facility": d.facility_cost}
    if linked > 0.0:
        uses = {k: v * (1.0 - linked) for k, v in uses.items()}
    uses["DSRA funded at close"] = dsra0
    if d.construction and not d.construction.capitalised:
        uses["Interest reserve (net of Treasury yield)"] = interest_reserve(
            d.terms, d.construction, linked
        )
    gap = sum(sources.values()) - sum(uses.values())
    uses["Other uses / distribution at close" if gap >= 0 else "Funding gap"] = gap
    return CompiledDeal(
        deal,
        d.timeline,
        inputs,
        d.spv,
        d.tranches,
        equity,
        d.leases,
        deal.of_kind("sponsor"),
        d.fleet_cost + d.facility_cost,
        rows.market_value,
        d.book,
        rows.lease_cash,
        rows.lease_schedules,
        base_int,
        rows.rvg_paid,
        rows.sale_period,
        sources,
        uses,
        rows.guarantee_paid,
        d,
        plan,
        swaps,
        rows.delay_uncovered,
        rows.going_concern if st["going_concern_yield"] > 0 else None,
        rows.gc_basis if st["going_concern_yield"] > 0 else None,
    )


def compiled_kernel():
    """The compiled per-path compile (core.engine._compile), or ``ImportError`` saying how to
    build it."""
    from core.engine.kernel import BUILD_HELP

    try:
        return importlib.import_module(COMPILE_MODULE)
    except ImportError as exc:
        problem = f"cannot be imported ({exc})"
        raise ImportError(BUILD_HELP.format(module=COMPILE_MODULE, problem=problem)) from exc


def compiled_path(d: DealLevel, plan: dict) -> PathRows:
    """The deal's own path through the compiled per-path compile: every driver factor 1, no
    residual haircut, the deal's own lease dates."""
    T = d.timeline.n_periods
    ones = np.ones((1, T))
    out = compiled_kernel().compile_paths(plan, ones, ones, ones, ones, np.zeros(1))
    return path_rows(d, out)


def path_rows(d: DealLevel, out: dict) -> PathRows:
    """:class:`PathRows` of ``core.engine._compile.compile_paths``' arrays."""
    T = d.timeline.n_periods
    P = out["revenue"].shape[0]
    cash = {
        lease.id: LeaseCash(
            out["lease_revenue"][:, i],
            out["lease_backstop"][:, i],
            out["lease_end"][:, i].astype(np.int64),
            out["lease_defaulted"][:, i],
        )
        for i, lease in enumerate(d.leases)
    }
    linked = {g.id for backstops in d.backstops.values() for g in backstops}
    paid = {}  # the guarantees that can pay: every RVG, each backstop of a lease
    for i, g in enumerate(d.deal.of_kind("guarantee")):
        if g.terms["guarantee_type"] in ("rvg", "completion") or g.id in linked:
            paid[g.id] = out["guarantee_paid"][:, i]
    sale_period = out["sale_period"].astype(np.int64)
    at_sale = np.arange(T)[None, :] == sale_period[:, None]
    mv = np.broadcast_to(d.gpu_value + d.facility_value, (P, T))
    return PathRows(
        out["revenue"],
        out["opex"],
        out["fees"],
        out["proceeds"],
        out["asset_value"],
        out["liquidation_value"],
        out["crypto_value"],
        np.ascontiguousarray(mv),
        cash,
        d.schedules,
        paid,
        np.where(at_sale, out["rvg_paid"][:, None], 0.0),
        sale_period,
        out["event_at"][:, 5].astype(np.int64),
        out["going_concern"],
        out["gc_basis"],
        out["capex"],
    )


def _inputs(
    d: DealLevel,
    rows: PathRows,
    base_p: np.ndarray,
    sched: np.ndarray,
    target: np.ndarray,
    dsra0: float,
    swaps: list[SwapSchedule],
) -> EngineInputs:
    """The kernel's inputs: the per-path rows, the deal's tranches, covenants and sizing."""
    deal, tl, tranches = d.deal, d.timeline, d.tranches
    T, mpp, K = tl.n_periods, tl.months_per_period, len(tranches)
    cov = first_of_kind(deal, "covenant")
    ct = cov.terms if cov else {}
    crypto = deal.of_kind("crypto")
    c0 = crypto[0].terms if crypto else None
    ranks = [b.terms["seniority"] for b in tranches]
    group_start = [0] + [k for k in range(1, len(ranks)) if ranks[k] != ranks[k - 1]] + [len(ranks)]
    float_accrual, fixed_leg = swap_legs(swaps, T)
    con = d.construction
    return EngineInputs(
        revenue=_c2(rows.revenue),
        opex=_c2(rows.opex),
        fees=_c2(rows.fees),
        proceeds=_c2(rows.proceeds),
        asset_value=_c2(rows.asset_value),
        liquidation_value=_c2(rows.liquidation_value),
        crypto_value=_c2(rows.crypto_value),
        base_rate=_c2(base_p),
        depreciation=np.ascontiguousarray(d.depreciation, dtype=float),
        dsra_target=np.ascontiguousarray(target, dtype=float),
        fixed_rate=np.array([b.terms["coupon"] for b in tranches], dtype=float),
        spread=np.array([b.terms["spread"] for b in tranches], dtype=float),
        floating=np.array([b.terms["rate_type"] == "floating" for b in tranches], dtype=np.int32),
        year_fraction=np.ascontiguousarray(
            np.array([tl.year_fraction(b.terms["day_count"]) for b in tranches]).reshape(K, T)
        ),
        notional=np.array([tr.notional for tr in d.terms], dtype=float),
        scheduled_principal=np.ascontiguousarray(sched.reshape(K, T)),
        maturity=np.array([tr.maturity for tr in d.terms], dtype=np.int32),
        sweep_pct=np.array(
            [1.0 if b.terms["amortisation"] == "sweep" else b.terms["sweep_pct"] for b in tranches],
            dtype=float,
        ),
        pik=np.array([b.terms["pik"] for b in tranches], dtype=np.int32),
        group_start=np.array(group_start, dtype=np.int32),
        dsra_initial=dsra0,
        tax_rate=d.spv.terms["tax_rate"],
        lockup_dscr=ct.get("lockup_dscr", 0.0),
        default_dscr=ct.get("default_dscr", 0.0),
        ltv_max=ct.get("ltv_max", 0.0),
        lockup_action=ACTIONS[ct.get("lockup_action", "trap")],
        default_action=ACTIONS[ct.get("default_action", "accelerate")],
        ltv_action=ACTIONS[ct.get("ltv_action", "sweep")],
        lookback=periods_ceil(ct.get("lookback_months", mpp), mpp),
        liquidation_lag=max(
            1, periods_ceil(d.fleet.terms["liquidation_lag_months"], mpp) if d.fleet else 1
        ),
        margin_call_ltv=c0["margin_call_ltv"] if c0 else 0.0,
        crypto_liquidation_ltv=c0["liquidation_ltv"] if c0 else 0.0,
        swap_float_accrual=float_accrual,
        swap_fixed_leg=fixed_leg,
        period_years=1.0 / tl.periods_per_year,
        build=con.build if con else None,
        capex=_c2(rows.capex) if con else None,
        treasury_initial=treasury_funding(d.terms, con, debt_share(d)) if con else 0.0,
        treasury_yield=con.treasury_yield if con else 0.0,
        idc_capitalised=int(con.capitalised) if con else 0,
        **_draw_inputs(d),
        **refi_inputs(tranches, [tr.maturity for tr in d.terms], tl, np.asarray(d.base_rate)),
    )


def debt_share(d: DealLevel) -> float:
    """The share of the construction's capex capex-linked draws fund (their commitments / the
    total capex; core.engine.draws); 0 without them."""
    return d.draws.debt_share if d.draws is not None else 0.0


def _draw_inputs(d: DealLevel) -> dict:
    """The kernel's delayed-draw inputs (core.engine.draws); none when every tranche is drawn
    at closing (the kernel then skips the step)."""
    w = d.draws
    if w is None:
        return {}
    return {
        "draw_amount": np.ascontiguousarray(w.amount),
        "draw_maturity": np.ascontiguousarray(w.maturity, dtype=np.int32),
        "draw_rate": np.ascontiguousarray(w.rate),
        "draw_amort": w.amort,
        "draw_io": w.io,
        "draw_end": w.end,
        "draw_share": w.share,
        "draw_first": w.first,
        "commitment": w.commitment,
        "commitment_fee_rate": w.fee,
        "max_advance": w.advance,
        "draw_capex": np.ascontiguousarray(w.capex),
    }


def _sizing(
    d: DealLevel, base_cfads: np.ndarray, tax_rate: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Scheduled principal, base-case interest, DSRA target and opening DSRA (base case)."""
    con = d.construction
    terms: list[TrancheTerms] = operating_terms(d.terms, con) if con else d.terms
    sched, base_int, _ = base_case_schedules(terms, base_cfads, d.depreciation, tax_rate)
    T = len(base_cfads)
    reserve = first_of_kind(d.deal, "reserve")
    target = np.zeros(T)
    dsra0 = 0.0
    if reserve and terms:
        n = reserve.terms["target_months"] / d.timeline.months_per_period  # pro rata
        ds = base_int.sum(axis=0) + sched.sum(axis=0)
        c0 = 0
        if con:  # the debt service the construction funds is not the DSRA's: it covers the
            c0 = con.completion  # first debt service from completion and holds until then
            ds[:c0] = 0.0
        target = dsra_target(ds, n)
        funded = reserve.terms["funded_at_close"]
        dsra0 = dsra_at_close(ds[c0:], n) if funded else 0.0  # from completion, pro rata
        if con:
            target[:c0] = np.maximum(target[:c0], dsra0)
    return sched, base_int, target, dsra0


def _c2(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim == 2 and a.shape[0] > 1 and np.all(a == a[:1]):
        a = a[:1]
    return np.ascontiguousarray(np.atleast_2d(a))
