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

from core.files import excel_style as st
from core.files.excel_grid import FIRST_ROW, Context, Grid
from core.files.excel_leases import rvg_formula
from core.files.excel_timeline import Params


def _one(ctx: Context, kind: str):
    blocks = ctx.deal.of_kind(kind)
    return blocks[0] if blocks else None


def write_schedules(wb: Workbook, ctx: Context, params: Params) -> Grid:
    g = Grid("Schedules", ctx.T)
    tl = ctx.grids["tl"]
    n = ctx.name
    g.add("t", "Period", lambda t, r: tl.ext("t", r), st.INT, width=7)

    def ye(r: int) -> str:
        return tl.ext("ye", r)

    def t_(r: int) -> str:
        return g.at("t", r)

    # ---------------------------------------------------------------- costs
    grp = "Operating costs"
    g.add(
        "operating", "Operating (t < stop)", lambda t, r: f"IF({t_(r)}<p_stop,1,0)", st.FLAG, grp, 9
    )
    ox = _one(ctx, "opex")
    if ox:
        grow = f"(1+{n(ox, 'escalator')})^INT({tl.ext('ys', '{r}')})"
        power = f"{n(ox, 'power_mw')}*8760/p_ppy*{n(ox, 'power_price')}*{n(ox, 'pue')}/1000000"
        fixed = f"({n(ox, 'maintenance')}+{n(ox, 'insurance')}+{n(ox, 'maintenance_capex')})/p_ppy"
        g.add(
            "opex",
            "Operating costs",
            lambda t, r: f"({power}+{fixed})*{grow.format(r=r)}*{g.at('operating', r)}",
            st.MONEY,
            grp,
        )
        g.add(
            "fees",
            "Senior fees",
            lambda t, r: f"{n(ox, 'admin_fees')}/p_ppy*{grow.format(r=r)}*{g.at('operating', r)}",
            st.MONEY,
            grp,
        )
    else:
        g.add("opex", "Operating costs", lambda t, r: "0", st.MONEY, grp)
        g.add("fees", "Senior fees", lambda t, r: "0", st.MONEY, grp)

    # ---------------------------------------------------------------- assets
    grp = "Assets"
    fleet, fac = _one(ctx, "gpu_fleet"), _one(ctx, "facility")
    if fleet:
        cost = f"({n(fleet, 'count')}*{n(fleet, 'unit_cost')}/1000)"
        meth, life = n(fleet, "depreciation_method"), n(fleet, "accounting_life_years")
        salv = f"{cost}*{n(fleet, 'salvage_pct')}"
        cust = ctx.refs.lists[(fleet.id, "custom_depreciation")]
        launches = ctx.refs.lists[(fleet.id, "next_gen_years")]

        def gpu_book(t: int, r: int) -> str:
            y = ye(r)
            sl = f"{cost}-({cost}-{salv})*MIN({y}/{life},1)"
            rate = f"MIN({n(fleet, 'declining_balance_factor')}/{life},1)"
            db = f"IF({y}>={life},{salv},MAX({cost}*(1-{rate})^{y},{salv}))"
            m, i = f"COUNT({cust})", f"INT({y})"
            pj = f"IF({i}=0,1,INDEX({cust},{i}))"
            pj1 = f"INDEX({cust},{i}+1)"
            cu = f"{cost}*IF({y}>={m},IF({m}=0,1,INDEX({cust},{m})),{pj}+({pj1}-{pj})*({y}-{i}))"
            return f'IF({meth}="straight_line",{sl},IF({meth}="declining_balance",{db},{cu}))'

        def gpu_mv(t: int, r: int) -> str:
            y = ye(r)
            steps = f"SUMPRODUCT(ISNUMBER({launches})*({launches}<={y}))"
            val = f"{cost}*(1-{n(fleet, 'mv_decline')})^{y}*(1-{n(fleet, 'next_gen_step')})^{steps}"
            scrap = f"{cost}*{n(fleet, 'scrap_pct')}"
            return f"IF({y}>={n(fleet, 'commercial_life_years')},{scrap},MAX({val},{scrap}))"

        g.add("gpu_book", "GPU book value", gpu_book, st.MONEY, grp)
        g.add("gpu_mv", "GPU market value", gpu_mv, st.MONEY, grp)
        gpu_cost = cost
    else:
        g.add("gpu_book", "GPU book value", lambda t, r: "0", st.MONEY, grp)
        g.add("gpu_mv", "GPU market value", lambda t, r: "0", st.MONEY, grp)
        gpu_cost = "0"
    if fac:
        fc, fl = n(fac, "cost"), n(fac, "life_years")
        g.add(
            "fac_book",
            "Facility book value",
            lambda t, r: f"{fc}-{fc}*MIN({ye(r)}/{fl},1)",
            st.MONEY,
            grp,
        )
        g.add(
            "fac_mv",
            "Facility market value",
            lambda t, r: f"{fc}*MAX(1-{ye(r)}/{fl},0)*{n(fac, 'market_value_pct')}",
            st.MONEY,
            grp,
        )
        fac_cost = fc
    else:
        g.add("fac_book", "Facility book value", lambda t, r: "0", st.MONEY, grp)
        g.add("fac_mv", "Facility market value", lambda t, r: "0", st.MONEY, grp)
        fac_cost = "0"

    def dep(key: str, cost: str):
        return lambda t, r: f"{g.prev(key, r, cost)}-{g.at(key, r)}"

    g.add("dep_gpu", "GPU depreciation", dep("gpu_book", gpu_cost), st.MONEY, grp)
    g.add("dep_fac", "Facility depreciation", dep("fac_book", fac_cost), st.MONEY, grp)
    g.add(
        "dep",
        "Depreciation",
        lambda t, r: f"{g.at('dep_gpu', r)}+{g.at('dep_fac', r)}",
        st.MONEY,
        grp,
    )
    g.add(
        "mv", "Market value", lambda t, r: f"{g.at('gpu_mv', r)}+{g.at('fac_mv', r)}", st.MONEY, grp
    )

    def haircut_value(key: str):
        gh = f"MIN(MAX({n(fleet, key)},0),1)" if fleet else "0"
        fh = f"MIN(MAX({n(fac, key)},0),1)" if fac else "0"
        return lambda t, r: f"{g.at('gpu_mv', r)}*(1-{gh})+{g.at('fac_mv', r)}*(1-{fh})"

    g.add("sale_value", "Orderly-sale value", haircut_value("sale_haircut"), st.MONEY, grp)
    g.add("forced_value", "Forced-sale value", haircut_value("liquidation_haircut"), st.MONEY, grp)
    g.add(
        "asset_value",
        "Asset value (held)",
        lambda t, r: f"IF({t_(r)}<=p_sale,{g.at('mv', r)},0)",
        st.MONEY,
        grp,
    )
    g.add(
        "liq_value",
        "Liquidation value",
        lambda t, r: f"IF({t_(r)}<p_sale,{g.at('forced_value', r)},0)",
        st.MONEY,
        grp,
    )
    g.add(
        "proceeds",
        "Planned sale proceeds + RVG",
        lambda t, r: (
            f"IF({t_(r)}=p_sale,{g.at('sale_value', r)}+"
            f"{rvg_formula(ctx, g.at('sale_value', r))},0)"
        ),
        st.MONEY,
        grp,
    )
    crypto = ctx.deal.of_kind("crypto")

    def crypto_value(t: int, r: int) -> str:
        parts = [
            f"{n(c, 'units')}*{n(c, 'price')}*(1+{n(c, 'price_growth')})^{ye(r)}/1000000"
            for c in crypto
        ]
        return "+".join(parts) or "0"

    g.add("crypto", "Crypto collateral value", crypto_value, st.MONEY, grp)
    _debt_schedules(g, ctx)
    ws = wb.create_sheet("Schedules")
    st.title(
        ws,
        "Schedules: costs, assets and base-case debt schedules",
        "Every cell is a formula on Inputs, Parameters, Timeline and Leases.",
    )
    g.write(ws)
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    ctx.grids["sc"] = g
    if ctx.tranches and _one(ctx, "reserve"):
        ds = g.col_range("ds_base", sheet=True)
        tcol = g.col_range("t", sheet=True)
        params.add(
            "dsra0",
            "DSRA funded at closing (USD m)",
            f"IF(p_dsra_funded,SUMPRODUCT(({tcol}<p_dsra_n)*{ds}),0)",
            st.MONEY,
        )
    else:
        params.add("dsra0", "DSRA funded at closing (USD m)", "0", st.MONEY)
    return g


def _debt_schedules(g: Grid, ctx: Context) -> None:
    """``core.engine.schedules.base_case_schedules`` and ``dsra_target`` as formulas."""
    tl, ls = ctx.grids["tl"], ctx.grids["ls"]
    K = len(ctx.tranches)
    t_ = lambda r: g.at("t", r)  # noqa: E731
    grp = "Base case"
    g.add(
        "cfads_pre",
        "Base-case CFADS before tax",
        lambda t, r: f"{ls.ext('revenue', r)}-{g.at('opex', r)}-{g.at('fees', r)}",
        st.MONEY,
        grp,
    )
    for k in range(K):
        nm = ctx.tranches[k].terms["name"]
        grp = f"Schedule {nm}"
        io, mat, am, N = (
            f"p_k{k}_io",
            f"p_k{k}_mat",
            ctx.tr(k, "amortisation"),
            ctx.tr(k, "notional"),
        )
        last = f"MIN({mat},p_T-1)"
        nper = f"({mat}-{io}+1)"
        per = tl.col_range(f"per{k}", sheet=True)
        rate = f"IF({io}<p_T,INDEX({per},{io}+1),0)"
        g.add(
            f"pmt{k}",
            f"{nm}: annuity payment",
            lambda t, r, rate=rate, nper=nper, N=N: (
                f"IF({rate}=0,{N}/MAX({nper},1),{N}*{rate}/(1-(1+{rate})^(-{nper})))"
            ),
            st.MONEY,
            grp,
        )
        inside = lambda r, io=io, last=last: f"AND({t_(r)}>={io},{t_(r)}<={last})"  # noqa: E731
        g.add(
            f"abal{k}",
            f"{nm}: annuity balance (opening)",
            lambda t, r, k=k, N=N: (
                g.prev(f"abal{k}", r, N)
                if t == 0
                else f"{g.at(f'abal{k}', r - 1)}-{g.at(f'ann{k}', r - 1)}"
            ),
            st.MONEY,
            grp,
        )
        g.add(
            f"ann{k}",
            f"{nm}: annuity principal",
            lambda t, r, k=k, rate=rate, inside=inside: (
                f"IF({inside(r)},"
                f"MIN({g.at(f'pmt{k}', r)}-{g.at(f'abal{k}', r)}*{rate},{g.at(f'abal{k}', r)}),0)"
            ),
            st.MONEY,
            grp,
        )
        cust = ctx.refs.lists[(ctx.tranches[k].id, "custom_schedule")]

        def fixed(t, r, k=k, am=am, N=N, io=io, nper=nper, inside=inside, cust=cust):
            i = f"{t_(r)}-{io}"
            sl = f"IF({inside(r)},{N}/{nper},0)"
            cu = f"IF(AND({inside(r)},{i}<COUNT({cust})),INDEX({cust},{i}+1)*{N},0)"
            return (
                f'IF(OR({nper}<=0,{io}>=p_T),0,IF({am}="straight_line",{sl},'
                f'IF({am}="annuity",{g.at(f"ann{k}", r)},IF({am}="custom",{cu},0))))'
            )

        g.add(f"fixed{k}", f"{nm}: fixed schedule", fixed, st.MONEY, grp)
        g.add(
            f"open{k}",
            f"{nm}: scheduled balance (opening)",
            lambda t, r, k=k, N=N: (
                N if t == 0 else f"{g.at(f'open{k}', r - 1)}-{g.at(f'sched{k}', r - 1)}"
            ),
            st.MONEY,
            grp,
        )
        g.add(
            f"int{k}",
            f"{nm}: base-case interest",
            lambda t, r, k=k: f"{g.at(f'open{k}', r)}*{tl.ext(f'per{k}', r)}",
            st.MONEY,
            grp,
        )
        g.add(
            f"nons{k}",
            f"{nm}: non-sculpted principal",
            lambda t, r, k=k, am=am: (
                f'IF({am}="sculpted",0,MIN({g.at(f"fixed{k}", r)},{g.at(f"open{k}", r)}))'
            ),
            st.MONEY,
            grp,
        )
    grp = "Base case"
    ints = lambda r: "+".join(g.at(f"int{k}", r) for k in range(K)) or "0"  # noqa: E731
    nons = lambda r: "+".join(g.at(f"nons{k}", r) for k in range(K)) or "0"  # noqa: E731
    g.add(
        "tax_base",
        "Base-case tax",
        lambda t, r: f"p_tax*MAX({g.at('cfads_pre', r)}-{g.at('dep', r)}-({ints(r)}),0)",
        st.MONEY,
        grp,
    )
    g.add(
        "cfads_base",
        "Base-case CFADS",
        lambda t, r: f"{g.at('cfads_pre', r)}-{g.at('tax_base', r)}",
        st.MONEY,
        grp,
    )
    for k in range(K):
        nm = ctx.tranches[k].terms["name"]
        am, io, mat = ctx.tr(k, "amortisation"), f"p_k{k}_io", f"p_k{k}_mat"

        def sculpt(t, r, k=k, am=am, io=io, mat=mat):
            earlier = "".join(f"-{g.at(f'sc{j}', r)}" for j in range(k))
            room = (
                f"{g.at('cfads_base', r)}/{ctx.tr(k, 'target_dscr')}-({ints(r)})"
                f"-({nons(r)}){earlier}"
            )
            return (
                f'IF(AND({am}="sculpted",{t_(r)}>={io},{t_(r)}<={mat}),'
                f"MIN(MAX({room},0),{g.at(f'open{k}', r)}),0)"
            )

        g.add(f"sc{k}", f"{nm}: sculpted principal", sculpt, st.MONEY, f"Schedule {nm}")
        g.add(
            f"sched{k}",
            f"{nm}: scheduled principal",
            lambda t, r, k=k: f"{g.at(f'nons{k}', r)}+{g.at(f'sc{k}', r)}",
            st.MONEY,
            f"Schedule {nm}",
        )
    scheds = lambda r: "+".join(g.at(f"sched{k}", r) for k in range(K)) or "0"  # noqa: E731
    g.add(
        "ds_base", "Base-case debt service", lambda t, r: f"{ints(r)}+{scheds(r)}", st.MONEY, "DSRA"
    )
    tcol, ds = g.col_range("t"), g.col_range("ds_base")
    g.add(
        "dsra_target",
        "DSRA target",
        lambda t, r: f"SUMPRODUCT(({tcol}>{t_(r)})*({tcol}<={t_(r)}+p_dsra_n)*{ds})",
        st.MONEY,
        "DSRA",
    )
