"""``Leases``: lease revenue as formulas, restating ``core/engine/leases.py`` and the lease part
of ``core/engine/compile.py`` for the deterministic case.

Per lease (parameters ``p_l<j>_*``): first-period rent (fixed annual rent, or GPU-hours billed at
max(utilisation, take-or-pay) times the price); the initial term and each renewal option as
segments; a renewal reprices at ``renewal_rent_pct`` x min(expiring rent, market rent), the
market falling at ``market_rent_decline`` a year; the escalator applies per full year of a
segment. Rent is paid until the contract end (after the renewals exercised), an early
termination (plus its fee) or a tenant default; after a default a backstop pays the rent owed up
to its cap within its term. Re-leasing at market after the lease ends, to the end of the GPUs'
commercial life. Then the period operations stop and the assets are sold (``p_stop``,
``p_sale``), used by ``Schedules``.
"""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook

from core.files import excel_style as st
from core.files.excel_grid import FIRST_ROW, Context, Grid
from core.files.excel_timeline import Params


def _one(ctx: Context, kind: str):
    blocks = ctx.deal.of_kind(kind)
    return blocks[0] if blocks else None


def _period_of(month: str) -> str:
    """``month_period``: the period in which a month falls, or T when 0 (never)."""
    return f"IF({month}>0,INT({month}/p_mpp),p_T)"


def write_leases(wb: Workbook, ctx: Context, p: Params) -> Grid:
    n = ctx.name
    spv = ctx.deal.of_kind("spv")[0]
    leases = list(ctx.deal.links(spv.id, "leases_to"))
    fleet = _one(ctx, "gpu_fleet")
    tl = ctx.grids["tl"]
    g = Grid("Leases", ctx.T)
    g.add("t", "Period", lambda t, r: tl.ext("t", r), st.INT, width=7)
    t_ = lambda r: g.at("t", r)  # noqa: E731
    fleet_gpus = n(fleet, "count") if fleet else "0"
    comm = f"ROUND({n(fleet, 'commercial_life_years')}*p_ppy,0)" if fleet else "p_T"
    p.add("comm_end", "End of the GPUs' commercial life (period)", comm, st.INT)
    for j, ls in enumerate(leases):
        q = f"p_l{j}_"
        L = lambda f, ls=ls: n(ls, f)  # noqa: E731
        gpus = f"IF({L('gpus')}>0,{L('gpus')},{fleet_gpus})"
        hourly = (
            f"{L('price_per_gpu_hour')}*{gpus}*8760/p_ppy*MAX({L('utilisation')},"
            f"{L('take_or_pay')})/1000000"
        )
        lab = ls.terms["name"]
        p.add(
            f"l{j}_r0",
            f"{lab}: rent in the first period",
            f'IF({L("rent_basis")}="fixed",{L("annual_rent")}/p_ppy,{hourly})',
            st.MONEY,
        )
        p.add(
            f"l{j}_start",
            f"{lab}: first period with rent",
            f"INT({L('start_month')}/p_mpp)",
            st.INT,
        )
        p.add(
            f"l{j}_end0",
            f"{lab}: end of the initial term (exclusive)",
            f"{q}start+ROUND({L('term_years')}*p_ppy,0)",
            st.INT,
        )
        p.add(
            f"l{j}_rn",
            f"{lab}: periods per renewal",
            f"MAX(1,ROUND({L('renewal_term_years')}*p_ppy,0))",
            st.INT,
        )
        p.add(
            f"l{j}_endall",
            f"{lab}: end of the last renewal option",
            f"{q}end0+{L('renewal_options')}*{q}rn",
            st.INT,
        )
        p.add(
            f"l{j}_cend",
            f"{lab}: contract end after renewals exercised",
            f"{q}end0+MIN(MAX({L('renewals_exercised')},0),{L('renewal_options')})*{q}rn",
            st.INT,
        )
        p.add(
            f"l{j}_term",
            f"{lab}: early termination period (T: none)",
            _period_of(L("termination_month")),
            st.INT,
        )
        p.add(
            f"l{j}_dflt",
            f"{lab}: tenant default period (T: none)",
            _period_of(L("tenant_default_month")),
            st.INT,
        )
        p.add(
            f"l{j}_stop",
            f"{lab}: first period without the tenant's rent",
            f"MIN({q}cend,{q}term,{q}dflt)",
            st.INT,
        )
        p.add(
            f"l{j}_terminated",
            f"{lab}: terminated early",
            f"IF({q}term<MIN({q}cend,{q}dflt),1,0)",
            st.INT,
        )
        p.add(
            f"l{j}_defaulted",
            f"{lab}: tenant defaulted",
            f"IF({q}dflt<MIN({q}cend,{q}term),1,0)",
            st.INT,
        )
        backstops = [
            b
            for b in ctx.deal.links(ls.id, "guarantees", "in")
            if b.terms["guarantee_type"] == "backstop"
        ]
        grp = f"Lease {lab}"
        g.add(
            f"mkt{j}",
            f"{lab}: market rent index",
            lambda t, r, L=L: f"(1-{L('market_rent_decline')})^{tl.ext('ys', r)}",
            st.FRACTION,
            grp,
        )
        g.add(
            f"seg{j}",
            f"{lab}: segment (0 initial term)",
            lambda t, r, q=q: f"IF({t_(r)}<{q}end0,0,1+INT(({t_(r)}-{q}end0)/{q}rn))",
            st.INT,
            grp,
        )
        g.add(
            f"segstart{j}",
            f"{lab}: segment start",
            lambda t, r, q=q, j=j: (
                f"IF({g.at(f'seg{j}', r)}=0,{q}start,{q}end0+({g.at(f'seg{j}', r)}-1)*{q}rn)"
            ),
            st.INT,
            grp,
        )

        def level(t, r, q=q, j=j, L=L):
            prev_rent = g.prev(f"rent{j}", r, f"{q}r0")
            prev_level = g.prev(f"level{j}", r, f"{q}r0")
            return (
                f"IF({g.at(f'seg{j}', r)}=0,{q}r0,IF({t_(r)}={g.at(f'segstart{j}', r)},"
                f"{L('renewal_rent_pct')}*MIN({prev_rent},{q}r0*{g.at(f'mkt{j}', r)}),"
                f"{prev_level}))"
            )

        g.add(f"level{j}", f"{lab}: segment rent level", level, st.MONEY, grp)
        g.add(
            f"rent{j}",
            f"{lab}: contracted rent (all options)",
            lambda t, r, q=q, j=j, L=L: (
                f"IF(AND({t_(r)}>={q}start,{t_(r)}<{q}endall),"
                f"{g.at(f'level{j}', r)}*(1+{L('escalator')})^INT(({t_(r)}-"
                f"{g.at(f'segstart{j}', r)})/p_ppy),0)"
            ),
            st.MONEY,
            grp,
        )
        g.add(
            f"paid{j}",
            f"{lab}: rent and termination fee",
            lambda t, r, q=q, j=j, L=L: (
                f"IF({t_(r)}<{q}stop,{g.at(f'rent{j}', r)},0)+"
                f"IF(AND({q}terminated=1,{t_(r)}={q}term),{L('termination_fee')},0)"
            ),
            st.MONEY,
            grp,
        )
        if backstops:
            caps = ",".join(n(b, "cap") for b in backstops)
            ends = ",".join(
                f"IF({n(b, 'term_years')}>0,ROUND({n(b, 'term_years')}*p_ppy,0),p_T+1)"
                for b in backstops
            )
            p.add(f"l{j}_cap", f"{lab}: backstop cap", f"SUM({caps})", st.MONEY)
            p.add(
                f"l{j}_horizon",
                f"{lab}: backstop pays until (exclusive)",
                f"MIN({q}cend,{q}term,MIN({ends}))",
                st.INT,
            )
            g.add(
                f"owed{j}",
                f"{lab}: rent owed after default",
                lambda t, r, q=q, j=j: (
                    f"IF(AND({q}defaulted=1,{t_(r)}>={q}dflt,"
                    f"{t_(r)}<{q}horizon),{g.at(f'rent{j}', r)},0)"
                ),
                st.MONEY,
                grp,
            )
            g.add(
                f"before{j}",
                f"{lab}: owed in earlier periods",
                lambda t, r, j=j: (
                    "0" if t == 0 else f"{g.at(f'before{j}', r - 1)}+{g.at(f'owed{j}', r - 1)}"
                ),
                st.MONEY,
                grp,
            )
            g.add(
                f"bs{j}",
                f"{lab}: backstop paid",
                lambda t, r, q=q, j=j: (
                    f"MIN(MAX({q}cap-{g.at(f'before{j}', r)},0),{g.at(f'owed{j}', r)})"
                ),
                st.MONEY,
                grp,
            )
            g.add(
                f"exh{j}",
                f"{lab}: backstop exhausted in period",
                lambda t, r, q=q, j=j: (
                    f"IF(AND({g.at(f'owed{j}', r)}>0,{g.at(f'bs{j}', r)}<"
                    f"{g.at(f'owed{j}', r)}-1E-12),{t_(r)},{q}horizon)"
                ),
                st.INT,
                grp,
            )
            exh = g.col_range(f"exh{j}", sheet=True)
            end = f"IF({q}defaulted=1,MIN(MAX(MIN({exh}),{q}dflt),{q}horizon),{q}stop)"
        else:
            g.add(f"bs{j}", f"{lab}: backstop paid", lambda t, r: "0", st.MONEY, grp)
            end = f"{q}stop"
        p.add(f"l{j}_end", f"{lab}: lease end (first period without lease cash)", end, st.INT)
        g.add(
            f"relet{j}",
            f"{lab}: re-leasing at market",
            lambda t, r, q=q, j=j, L=L: (
                f'IF(AND({L("at_expiry")}="re_lease",{t_(r)}>={q}end,'
                f"{t_(r)}<p_comm_end),{q}r0*{g.at(f'mkt{j}', r)},0)"
            ),
            st.MONEY,
            grp,
        )
        p.add(
            f"l{j}_ends",
            f"{lab}: latest lease end so far",
            f"MAX({q}end,p_l{j - 1}_ends)" if j else f"{q}end",
            st.INT,
        )
        last = f'IF({L("at_expiry")}="sell",1,0)'
        p.add(
            f"l{j}_sell",
            f"{lab}: assets sold when the latest lease ends",
            f"IF({q}end>=p_l{j - 1}_ends,{last},p_l{j - 1}_sell)" if j else last,
            st.INT,
        )
    J = len(leases) - 1
    p.add(
        "stop",
        "First period without operations (T: never)",
        f"MIN(IF(p_l{J}_sell=1,p_l{J}_ends,MAX({comm if fleet else 'p_T'},p_l{J}_ends)),p_T)",
        st.INT,
    )
    p.add("sale", "Period of the planned asset sale", "MIN(p_stop,p_T-1)", st.INT)
    g.add(
        "revenue",
        "Revenue (rent, fees, backstop, re-leasing)",
        lambda t, r: "+".join(
            f"{g.at(f'paid{j}', r)}+{g.at(f'bs{j}', r)}+{g.at(f'relet{j}', r)}"
            for j in range(len(leases))
        ),
        st.MONEY,
        "Total",
        16,
    )
    ws = wb.create_sheet("Leases")
    st.title(ws, "Leases: revenue by formulas", "Every cell is a formula on Inputs / Parameters.")
    g.write(ws)
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    ctx.grids["ls"] = g
    return g


def rvg_formula(ctx: Context, sale_value: str) -> str:
    """What the residual value guarantees pay at the planned sale, given the sale value cell."""
    n = ctx.name
    fleet, fac = _one(ctx, "gpu_fleet"), _one(ctx, "facility")
    fleet_cost = f"({n(fleet, 'count')}*{n(fleet, 'unit_cost')}/1000)" if fleet else "0"
    fac_cost = n(fac, "cost") if fac else "0"
    parts = []
    for gb in ctx.deal.of_kind("guarantee"):
        if gb.terms["guarantee_type"] != "rvg":
            continue
        cost = []
        for b in ctx.deal.links(gb.id, "guarantees"):
            if b.kind == "gpu_fleet":
                cost.append(fleet_cost)
            elif b.kind == "facility":
                cost.append(fac_cost)
            elif b.kind == "lease":
                cost.append(f"{fleet_cost}+{fac_cost}")
        floor = f"{n(gb, 'floor_pct')}*({'+'.join(cost) or '0'})"
        term = f"IF({n(gb, 'term_years')}>0,ROUND({n(gb, 'term_years')}*p_ppy,0),p_T+1)"
        parts.append(
            f"IF(AND(p_stop<p_T,p_stop<{term}),MIN(MAX({floor}-{sale_value},0),{n(gb, 'cap')}),0)"
        )
    return "+".join(parts) or "0"
