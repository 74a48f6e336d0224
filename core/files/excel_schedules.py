"""``Schedules``: the period arrays of ``core.engine.compile`` restated as formulas on Inputs.

Operating costs and senior fees with their escalator; GPU and facility book value (straight
line, declining balance, custom curve) and depreciation; GPU market value (yearly decline,
generation step-downs, scrap after the commercial life) and facility market value; asset value
for LTV, orderly-sale and forced-sale values, sale proceeds (+ residual value guarantee
payments); crypto collateral value; and the base-case debt schedules of
``core.engine.schedules``: bullet, straight line, annuity (closed form), custom, and sculpting
to a target DSCR on the base-case CFADS, with the DSRA target (next n periods of base-case
debt service).
"""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import (
    CN,
    has_construction,
    late_costs,
    sale_period,
    sale_proceeds,
)
from core.files.excel_credit import gpu_cost, rvg_rows
from core.files.excel_draws import (
    delayed,
    draw_base_schedule,
    is_delayed,
    ramp,
    vintage_depreciation,
)
from core.files.excel_going_concern import (
    forced_value_key,
    gc_on,
    going_concern_rows,
    held_value,
)
from core.files.excel_grid import Context, Grid, Section
from core.files.excel_keys import LS, SC, TL, P, TrancheParams, TrancheRate, TrancheSchedule
from core.files.excel_leases import sale_mode
from core.files.excel_refi import refi_schedules
from core.files.excel_swaps import swap_schedules
from core.files.excel_timeline import Params


def write_schedules(wb: Workbook, ctx: Context, params: Params) -> Grid:
    tl = ctx.grids[K.TIMELINE]
    g = Grid(K.SCHEDULES, ctx.T, band=tl)
    ctx.grids[K.SCHEDULES] = g
    g.add(SC.T, "Period", lambda t, r: tl.ext(TL.T, r), st.INT)
    _costs(g.section("Operating costs"), ctx)
    late_costs(g.section("Late completion"), ctx)  # a construction deal's delay
    assets = g.section("Assets")
    _gpu_values(assets, ctx, params)
    _facility_values(assets, ctx)
    _depreciation(assets, ctx)
    _sale_values(assets, ctx, params)
    _base_cfads(g, ctx)
    for k in range(ctx.K):
        section = g.section(f"Schedule {ctx.tranche_name(k)}")
        if is_delayed(ctx, k):
            draw_base_schedule(section, ctx, k)
        else:
            _fixed_schedule(section, ctx, k)
    _base_tax(g.section("Base case"), ctx)
    for k in range(ctx.K):
        _sculpted_schedule(g.section(f"Schedule {ctx.tranche_name(k)}"), ctx, k)
    _dsra_target(g.section("DSRA"), ctx)
    if ctx.compiled.swaps:
        swap_schedules(g.section("Interest-rate swaps"), ctx, params)
    refi_schedules(g, ctx, params)  # a deal that refinances a balloon (excel_refi)
    ws = wb.create_sheet(K.SCHEDULES)
    st.title(
        ws,
        "Schedules: costs, assets and base-case debt schedules",
        "Every cell is a formula on Inputs, Parameters, Timeline and Leases.",
    )
    g.write(ws)
    dsra0 = "0"
    if ctx.K and ctx.one("reserve"):
        ds, tcol = g.col_range(SC.DS_BASE, sheet=True), g.col_range(SC.T, sheet=True)
        n, whole = P.DSRA_N, f"INT({P.DSRA_N})"
        if has_construction(ctx):  # sized on the debt service from completion
            tcol = f"({tcol}-{CN.COMPLETION})"
        weight = f"(({tcol}<{whole})+({tcol}={whole})*({n}-{whole}))"
        dsra0 = f"IF({P.DSRA_FUNDED},SUMPRODUCT({weight}*{ds}),0)"
    params.add(P.DSRA0, "DSRA funded at closing (USD m)", dsra0, st.MONEY)
    return g


def _ye(ctx: Context, r: int) -> str:
    return ctx.grids[K.TIMELINE].ext(TL.YE, r)


def _costs(s: Section, ctx: Context) -> None:
    """Operating costs (power, maintenance, insurance, maintenance capex) and senior fees,
    escalated yearly, while operating."""
    a, n, tl = s.at, ctx.name, ctx.grids[K.TIMELINE]
    if has_construction(ctx):  # costs and fees start with operations, at completion
        s.flag(
            SC.OPERATING,
            "Operating (completion <= t < stop)",
            lambda t, r: f"AND({a(SC.T, r)}>={CN.COMPLETION},{a(SC.T, r)}<{P.STOP})",
            9,
        )
    else:
        s.flag(SC.OPERATING, "Operating (t < stop)", lambda t, r: f"{a(SC.T, r)}<{P.STOP}", 9)
    ox = ctx.one("opex")
    if not ox:
        s.add(SC.OPEX, "Operating costs", lambda t, r: "0", total=True)
        s.add(SC.FEES, "Senior fees", lambda t, r: "0", total=True)
        return
    power = (
        f"{n(ox, 'power_mw')}*{P.HOURS_PER_YEAR}/{P.PPY}*{n(ox, 'power_price')}"
        f"*{n(ox, 'pue')}/{P.USD_PER_M}"
    )
    fixed = f"({n(ox, 'maintenance')}+{n(ox, 'insurance')}+{n(ox, 'maintenance_capex')})/{P.PPY}"

    s.add(SC.POWER, "Power cost a period (unescalated)", lambda t, r: power)
    s.add(SC.FIXED_COSTS, "Maintenance, insurance, capex a period", lambda t, r: fixed)
    s.add(
        SC.GROWTH,
        "Escalation while operating",
        lambda t, r: f"(1+{n(ox, 'escalator')})^INT({tl.ext(TL.YS, r)})*{a(SC.OPERATING, r)}",
        st.FRACTION,
    )
    s.add(
        SC.OPEX,
        "Operating costs",
        lambda t, r: f"({a(SC.POWER, r)}+{a(SC.FIXED_COSTS, r)})*{a(SC.GROWTH, r)}{ramp(ctx, r)}",
        total=True,
    )
    s.add(
        SC.FEES,
        "Senior fees",
        lambda t, r: f"{n(ox, 'admin_fees')}/{P.PPY}*{a(SC.GROWTH, r)}",
        total=True,
    )


def _gpu_values(s: Section, ctx: Context, p: Params) -> None:
    """GPU book value (straight line, declining balance or custom curve) and market value
    (yearly decline, a step down at each generation launch, scrap after the commercial life)."""
    n, fleet = ctx.name, ctx.one("gpu_fleet")
    if not fleet:
        s.add(SC.GPU_BOOK, "GPU book value", lambda t, r: "0")
        s.add(SC.GPU_MV, "GPU market value", lambda t, r: "0")
        return
    a = s.at
    meth, life = n(fleet, "depreciation_method"), n(fleet, "accounting_life_years")
    cust = ctx.refs.lists[(fleet.id, "custom_depreciation")]
    launches = ctx.refs.lists[(fleet.id, "next_gen_years")]
    m = f"COUNT({cust})"

    def cost(r: int) -> str:
        return a(SC.GPU_COST, r)

    def salv(r: int) -> str:
        return a(SC.GPU_SALVAGE, r)

    def straight(t: int, r: int) -> str:
        return f"{cost(r)}-({cost(r)}-{salv(r)})*MIN({_ye(ctx, r)}/{life},1)"

    rate = f"MIN({n(fleet, 'declining_balance_factor')}/{life},1)"
    p.add(P.DB_RATE, "GPU declining-balance rate a year", rate, st.PCT)

    def declining(t: int, r: int) -> str:
        y = _ye(ctx, r)
        return f"IF({y}>={life},{salv(r)},MAX({cost(r)}*(1-{P.DB_RATE})^{y},{salv(r)}))"

    def curve(t: int, r: int) -> str:  # the custom curve between its yearly points
        y, i = _ye(ctx, r), a(SC.GPU_YEAR, r)
        pa, pb = a(SC.GPU_CURVE_A, r), a(SC.GPU_CURVE_B, r)
        return f"{cost(r)}*IF({y}>={m},IF({m}=0,1,INDEX({cust},{m})),{pa}+({pb}-{pa})*({y}-{i}))"

    s.add(SC.GPU_COST, "GPU fleet cost", lambda t, r: gpu_cost(ctx))
    s.add(SC.GPU_SALVAGE, "GPU salvage value (book)",
          lambda t, r: f"{cost(r)}*{n(fleet, 'salvage_pct')}")  # fmt: skip
    s.add(SC.GPU_SL, "GPU book value, straight line", straight)
    s.add(SC.GPU_DB, "GPU book value, declining balance", declining)
    s.add(SC.GPU_YEAR, "Custom curve: whole years", lambda t, r: f"INT({_ye(ctx, r)})", st.INT)
    s.add(
        SC.GPU_CURVE_A,
        "Custom curve: point at the year's start",
        lambda t, r: (
            f"IF({_ye(ctx, r)}>={m},0,IF({a(SC.GPU_YEAR, r)}=0,1,"
            f"INDEX({cust},{a(SC.GPU_YEAR, r)})))"
        ),
        st.FRACTION,
    )
    s.add(
        SC.GPU_CURVE_B,
        "Custom curve: point at the year's end",
        lambda t, r: f"IF({_ye(ctx, r)}>={m},0,INDEX({cust},{a(SC.GPU_YEAR, r)}+1))",
        st.FRACTION,
    )
    s.add(SC.GPU_CU, "GPU book value, custom curve", curve)
    s.add(
        SC.GPU_BOOK,
        "GPU book value",
        lambda t, r: (
            f'IF({meth}="straight_line",{a(SC.GPU_SL, r)},IF({meth}="declining_balance",'
            f"{a(SC.GPU_DB, r)},{a(SC.GPU_CU, r)}))"
        ),
    )
    s.add(
        SC.GPU_STEPS,
        "Generation launches so far",
        lambda t, r: f"SUMPRODUCT(ISNUMBER({launches})*({launches}<={_ye(ctx, r)}))",
        st.INT,
    )
    s.add(SC.GPU_SCRAP, "GPU scrap value", lambda t, r: f"{cost(r)}*{n(fleet, 'scrap_pct')}")

    def market(t: int, r: int) -> str:
        y, scrap = _ye(ctx, r), a(SC.GPU_SCRAP, r)
        val = (
            f"{cost(r)}*(1-{n(fleet, 'mv_decline')})^{y}"
            f"*(1-{n(fleet, 'next_gen_step')})^{a(SC.GPU_STEPS, r)}"
        )
        value = f"IF({y}>={n(fleet, 'commercial_life_years')},{scrap},MAX({val},{scrap}))"
        return f"{value}{ramp(ctx, r)}"  # with delayed draws: the GPUs delivered so far

    s.add(SC.GPU_MV, "GPU market value", market)


def _facility_values(s: Section, ctx: Context) -> None:
    """Facility book value (straight line) and market value."""
    fac = ctx.one("facility")
    if not fac:
        s.add(SC.FAC_BOOK, "Facility book value", lambda t, r: "0")
        s.add(SC.FAC_MV, "Facility market value", lambda t, r: "0")
        return
    fc, fl, pct = (
        ctx.name(fac, "cost"),
        ctx.name(fac, "life_years"),
        ctx.name(fac, "market_value_pct"),
    )
    # the facility ages from completion (placed in service; completion month 0: closing)
    done = ctx.name(ctx.one("spv"), "completion_month")

    def age(r: int) -> str:
        return f"MAX({_ye(ctx, r)}-{done}/{P.MONTHS_PER_YEAR},0)"

    s.add(SC.FAC_BOOK, "Facility book value", lambda t, r: f"{fc}-{fc}*MIN({age(r)}/{fl},1)")
    s.add(
        SC.FAC_MV,
        "Facility market value",
        lambda t, r: f"{fc}*MAX(1-{age(r)}/{fl},0)*{pct}",
    )


def _depreciation(s: Section, ctx: Context) -> None:
    """Depreciation: the fall in book value (from cost in the first period)."""
    g, a = s.grid, s.at
    fac = ctx.one("facility")
    gpu = gpu_cost(ctx) if ctx.one("gpu_fleet") else "0"
    fac_cost = ctx.name(fac, "cost") if fac else "0"

    def dep(key: str, cost: str):
        return lambda t, r: f"{g.prev(key, r, cost)}-{a(key, r)}"

    gpu_dep = vintage_depreciation(s, ctx, gpu) if delayed(ctx) else dep(SC.GPU_BOOK, gpu)
    s.add(SC.DEP_GPU, "GPU depreciation", gpu_dep)
    s.add(SC.DEP_FAC, "Facility depreciation", dep(SC.FAC_BOOK, fac_cost))
    s.add(SC.DEP, "Depreciation", lambda t, r: f"{a(SC.DEP_GPU, r)}+{a(SC.DEP_FAC, r)}", total=True)
    s.add(SC.MV, "Market value", lambda t, r: f"{a(SC.GPU_MV, r)}+{a(SC.FAC_MV, r)}")


def _sale_values(s: Section, ctx: Context, p: Params) -> None:
    """Orderly- and forced-sale values after haircuts; the asset value held (LTV), the
    liquidation value, the planned sale proceeds (+ RVG) and the crypto collateral value."""
    a, n = s.at, ctx.name
    fleet, fac = ctx.one("gpu_fleet"), ctx.one("facility")

    if fleet:  # the fire-sale discount for the fleet's age and its share of the market
        count, depth = n(fleet, "count"), n(fleet, "market_depth_gpus")
        share = f"IF({count}+{depth}>0,{count}/({count}+{depth}),0)"
        p.add(P.FIRE_SHARE, "The fleet's share of the GPU market (fire sale)", share, st.PCT)
        s.add(
            SC.FIRE_HAIRCUT,
            "GPU forced-sale haircut (with the fire-sale discount)",
            lambda t, r: (
                f"MIN(MAX({n(fleet, 'liquidation_haircut')}+{n(fleet, 'fire_sale_age_pct')}"
                f"*{_ye(ctx, r)}+{n(fleet, 'fire_sale_volume_pct')}*{P.FIRE_SHARE},0),1)"
            ),
            st.PCT,
        )

    def after_haircut(key: str, fire: bool = False):
        def gh(r: int) -> str:
            if not fleet:
                return "0"
            return a(SC.FIRE_HAIRCUT, r) if fire else f"MIN(MAX({n(fleet, key)},0),1)"

        fh = f"MIN(MAX({n(fac, key)},0),1)" if fac else "0"
        return lambda t, r: f"{a(SC.GPU_MV, r)}*(1-{gh(r)})+{a(SC.FAC_MV, r)}*(1-{fh})"

    s.add(SC.SALE_VALUE, "Orderly-sale value", after_haircut("sale_haircut"))
    s.add(
        SC.FORCED_VALUE,
        "Forced-sale value (GPUs: also the fire-sale discount for age and volume)",
        after_haircut("liquidation_haircut", fire=True),
    )

    def t_(r) -> str:
        return a(SC.T, r)

    if gc_on(ctx):  # the going-concern value of the leased assets (excel_going_concern)
        going_concern_rows(s, ctx)
    s.add(
        SC.ASSET_VALUE,
        "Asset value (held)",
        lambda t, r: f"IF({t_(r)}<={sale_period(ctx)},{held_value(ctx, s, r)},0)",
    )
    s.add(
        SC.SALE_GOT,
        "Sale value at the planned sale (forced after an enforcement, else orderly)",
        lambda t, r: (
            f"IF({sale_mode(ctx)}={P.MODE_FORCED},{a(SC.FORCED_VALUE, r)},{a(SC.SALE_VALUE, r)})"
        ),
    )
    forced = forced_value_key(ctx)  # with a performing lease: sold with it when that pays more
    at_sale, on_liq = rvg_rows(s, ctx, SC.SALE_GOT, forced)
    s.add(
        SC.LIQ_VALUE,
        "Liquidation value",
        lambda t, r: f"IF({t_(r)}<{sale_period(ctx)},{a(forced, r)}+{a(on_liq, r)},0)",
    )
    s.add(
        SC.PROCEEDS,
        "Planned sale proceeds + RVG",
        lambda t, r: sale_proceeds(s, ctx, SC.SALE_GOT, at_sale, r),
        total=True,
    )

    def crypto_value(t: int, r: int) -> str:
        def growth(c) -> str:
            return f"(1+{n(c, 'price_growth')})^{_ye(ctx, r)}"

        parts = [
            f"{n(c, 'units')}*{n(c, 'price')}*{growth(c)}/{P.USD_PER_M}"
            for c in ctx.deal.of_kind("crypto")
        ]
        return "+".join(parts) or "0"

    s.add(SC.CRYPTO, "Crypto collateral value", crypto_value)


# ------------------------------------------------------------------ base-case debt schedules
# ``core.engine.schedules.base_case_schedules`` and ``dsra_target`` as formulas.


def _base_cfads(g: Grid, ctx: Context) -> None:
    ls = ctx.grids[K.LEASES]
    g.add(
        SC.CFADS_PRE,
        "Base-case CFADS before tax",
        lambda t, r: f"{ls.ext(LS.REVENUE, r)}-{g.at(SC.OPEX, r)}-{g.at(SC.FEES, r)}",
        st.MONEY,
        "Base case",
    )


def _fixed_schedule(s: Section, ctx: Context, k: int) -> None:
    """Annuity (closed-form payment, level thereafter), straight line, custom or none; the
    scheduled balance and base-case interest; the non-sculpted principal."""
    a, tl = s.at, ctx.grids[K.TIMELINE]
    nm, kp, ks = ctx.tranche_name(k), TrancheParams(k), TrancheSchedule(k)
    io, am, N = kp.io, ctx.tr(k, "amortisation"), ctx.tr(k, "notional")
    if has_construction(ctx):  # the schedule amortises the balance at completion
        N = CN.at_completion(k)
    last = f"MIN({kp.mat},{P.T}-1)"
    nper = f"({kp.mat}-{io}+1)"
    per = tl.col_range(TrancheRate(k).per, sheet=True)
    s.add(
        ks.rate0,
        f"{nm}: periodic rate of the first amortising period",
        lambda t, r: f"IF({io}<{P.T},INDEX({per},{io}+1),0)",
        st.PCT4,
    )

    def rate(r: int) -> str:
        return a(ks.rate0, r)

    s.add(
        ks.pmt,
        f"{nm}: annuity payment",
        lambda t, r: f"IF({rate(r)}=0,{N}/MAX({nper},1),{N}*{rate(r)}/(1-(1+{rate(r)})^(-{nper})))",
    )

    def inside(r: int) -> str:
        return f"AND({a(SC.T, r)}>={io},{a(SC.T, r)}<={last})"

    s.add(
        ks.abal,
        f"{nm}: annuity balance (opening)",
        lambda t, r: f"{s.grid.prev(ks.abal, r, N)}-{s.grid.prev(ks.ann, r, '0')}",
    )
    s.add(
        ks.ann,
        f"{nm}: annuity principal",
        lambda t, r: (
            f"IF({inside(r)},MIN({a(ks.pmt, r)}-{a(ks.abal, r)}*{rate(r)},{a(ks.abal, r)}),0)"
        ),
    )
    cust = ctx.refs.lists[(ctx.tranches[k].id, "custom_schedule")]

    def custom(t: int, r: int) -> str:
        i = f"{a(SC.T, r)}-{io}"
        return f"IF(AND({inside(r)},{i}<COUNT({cust})),INDEX({cust},{i}+1)*{N},0)"

    s.add(ks.straight, f"{nm}: straight-line principal",
          lambda t, r: f"IF({inside(r)},{N}/{nper},0)")  # fmt: skip
    s.add(ks.custom, f"{nm}: custom-schedule principal", custom)

    def fixed(t: int, r: int) -> str:
        return (
            f'IF(OR({nper}<=0,{io}>={P.T}),0,IF({am}="straight_line",{a(ks.straight, r)},'
            f'IF({am}="annuity",{a(ks.ann, r)},IF({am}="custom",{a(ks.custom, r)},0))))'
        )

    s.add(ks.fixed, f"{nm}: fixed schedule", fixed)
    s.add(
        ks.open,
        f"{nm}: scheduled balance (opening)",
        lambda t, r: f"{s.grid.prev(ks.open, r, N)}-{s.grid.prev(ks.sched, r, '0')}",
    )
    per_k = TrancheRate(k).per
    s.add(
        ks.interest, f"{nm}: base-case interest", lambda t, r: f"{a(ks.open, r)}*{tl.ext(per_k, r)}"
    )
    s.add(
        ks.nonsculpted,
        f"{nm}: non-sculpted principal",
        lambda t, r: f'IF({am}="sculpted",0,MIN({a(ks.fixed, r)},{a(ks.open, r)}))',
    )


def _sum(g: Grid, r: int, keys: list[str]) -> str:
    """``a+b+...`` (``0`` when none), unbracketed."""
    return "+".join(g.at(key, r) for key in keys) or "0"


def _base_tax(s: Section, ctx: Context) -> None:
    a = s.at
    interest = [TrancheSchedule(k).interest for k in range(ctx.K)]
    s.add(
        SC.TAX_BASE,
        "Base-case tax",
        lambda t, r: (
            f"{P.TAX}*MAX({a(SC.CFADS_PRE, r)}-{a(SC.DEP, r)}-({_sum(s.grid, r, interest)}),0)"
        ),
    )
    s.add(
        SC.CFADS_BASE,
        "Base-case CFADS",
        lambda t, r: f"{a(SC.CFADS_PRE, r)}-{a(SC.TAX_BASE, r)}",
        total=True,
    )


def _sculpted_schedule(s: Section, ctx: Context, k: int) -> None:
    """Sculpted principal: MAX(0, MIN(CFADS / target - interest - other scheduled principal,
    balance)) on base-case CFADS after tax; the scheduled principal."""
    g, a = s.grid, s.at
    nm, kp, ks = ctx.tranche_name(k), TrancheParams(k), TrancheSchedule(k)
    am, target = ctx.tr(k, "amortisation"), ctx.tr(k, "target_dscr")
    interest = [TrancheSchedule(i).interest for i in range(ctx.K)]
    others = [TrancheSchedule(i).nonsculpted for i in range(ctx.K)]

    def sculpt(t: int, r: int) -> str:
        earlier = "".join(f"-{a(TrancheSchedule(j).sculpted, r)}" for j in range(k))
        room = (
            f"{a(SC.CFADS_BASE, r)}/{target}-({_sum(g, r, interest)})"
            f"-({_sum(g, r, others)}){earlier}"
        )
        return (
            f'IF(AND({am}="sculpted",{a(SC.T, r)}>={kp.io},{a(SC.T, r)}<={kp.mat}),'
            f"MIN(MAX({room},0),{a(ks.open, r)}),0)"
        )

    s.add(ks.sculpted, f"{nm}: sculpted principal", sculpt)
    s.add(
        ks.sched,
        f"{nm}: scheduled principal",
        lambda t, r: f"{a(ks.nonsculpted, r)}+{a(ks.sculpted, r)}",
    )


def _dsra_target(s: Section, ctx: Context) -> None:
    """Base-case debt service and the DSRA target: the next ``p_dsra_n`` periods of it, a
    fraction of a period pro rata (``schedules.dsra_target``)."""
    g, a = s.grid, s.at
    interest = [TrancheSchedule(k).interest for k in range(ctx.K)]
    principal = [TrancheSchedule(k).sched for k in range(ctx.K)]
    con = has_construction(ctx)

    def operating(ds: str, r: int) -> str:  # the construction pays the debt service before
        return f"({a(SC.T, r)}>={CN.COMPLETION})*({ds})" if con else ds

    def held(target: str, r: int) -> str:  # the DSRA funded at closing is held until then
        return f"MAX({target},IF({a(SC.T, r)}<{CN.COMPLETION},{P.DSRA0},0))" if con else target

    s.add(
        SC.DS_BASE,
        "Base-case debt service",
        lambda t, r: operating(f"{_sum(g, r, interest)}+{_sum(g, r, principal)}", r),
        total=True,
    )
    tcol, ds = g.col_range(SC.T), g.col_range(SC.DS_BASE)
    s.add(
        SC.DSRA_TARGET,
        "DSRA target",
        lambda t, r: held(
            f"SUMPRODUCT((({tcol}>{a(SC.T, r)})*({tcol}<={a(SC.T, r)}+INT({P.DSRA_N}))"
            f"+({tcol}={a(SC.T, r)}+INT({P.DSRA_N})+1)*({P.DSRA_N}-INT({P.DSRA_N})))*{ds})",
            r,
        ),
    )
