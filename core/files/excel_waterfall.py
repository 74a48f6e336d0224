"""``CashFlows``: the engine's period-by-period waterfall (``core/engine/reference.py``) as live
Excel formulas, one row per period, helper columns per step, tranches in seniority order.

Steps, as in the reference: 1 collateral, margin call, liquidation after the lag, reserves
released; 2 CFADS, tax, debt service due, DSCR, equity injection; 3 interest by seniority (pro
rata within a rank), DSRA draws, PIK or arrears; 4 scheduled principal, DSRA draws, shortfalls,
payment default of the controlling class; 5 proceeds prepay debt; 6 DSRA top-up / release;
7 covenant tests on the trailing DSCR window and LTV, actions; 8 acceleration and cash sweeps;
9 lock-up account; 10 distributions and write-offs. Booleans are 1/0 cells.
"""

from __future__ import annotations

from openpyxl.workbook.workbook import Workbook

from core.files import excel_style as st
from core.files.excel_grid import FIRST_ROW, Context, Grid
from core.files.excel_grid import flag01 as b01
from core.files.excel_payments import tranche_after_payment

EPS = "1E-09"


def write_cashflows(wb: Workbook, ctx: Context) -> Grid:
    g = Grid("CashFlows", ctx.T)
    tl, ls, sc = ctx.grids["tl"], ctx.grids["ls"], ctx.grids["sc"]
    K, groups = len(ctx.tranches), ctx.groups
    names = [b.terms["name"] for b in ctx.tranches]
    a = g.at

    add = g.add

    def total(prefix: str, r: int, ks=None) -> str:
        return g.total(prefix, r, range(K) if ks is None else ks)

    # ------------------------------------------------------------ opening
    G = "Opening"
    add("t", "Period", lambda t, r: tl.ext("t", r), st.INT, G, 7)
    add("date", "Period end", lambda t, r: tl.ext("end", r), st.DATE, G, 11)
    add("last", "Last period", lambda t, r: tl.ext("last", r), st.FLAG, G, 6)
    add(
        "alive",
        "Assets held (not liquidated)",
        lambda t, r: "1" if t == 0 else f"1-{a('dead', r - 1)}",
        st.FLAG,
        G,
        8,
    )
    add(
        "accel_open",
        "Accelerated in period (opening; -1 none)",
        lambda t, r: g.prev("accel_t", r, "-1"),
        st.INT,
        G,
        10,
    )
    add("cheld_open", "Crypto held (opening)", lambda t, r: g.prev("cheld", r, "1"), st.FLAG, G, 8)
    for k in range(K):
        add(
            f"bo{k}",
            f"{names[k]}: opening balance",
            lambda t, r, k=k: g.prev(f"bal{k}", r, ctx.tr(k, "notional")),
            st.MONEY,
            G,
        )
        add(
            f"ao{k}",
            f"{names[k]}: arrears brought forward",
            lambda t, r, k=k: g.prev(f"arr{k}", r, "0"),
            st.MONEY,
            G,
        )
    add("dsra_open", "DSRA (opening)", lambda t, r: g.prev("dsra", r, "p_dsra0"), st.MONEY, G)
    add("trap_open", "Lock-up account (opening)", lambda t, r: g.prev("trap", r, "0"), st.MONEY, G)
    add("debt_open", "Debt outstanding (opening)", lambda t, r: total("bo", r), st.MONEY, G)
    for i, (s, e) in enumerate(groups):
        add(
            f"gopen{i}",
            f"Rank {i + 1}: opening balance",
            lambda t, r, s=s, e=e: total("bo", r, range(s, e)),
            st.MONEY,
            G,
        )

    # ------------------------------------------------------------ 1. collateral
    G = "1. Collateral"
    add(
        "crypto",
        "Crypto collateral",
        lambda t, r: f"IF(AND({a('cheld_open', r)}=1,{a('alive', r)}=1),{sc.ext('crypto', r)},0)",
        st.MONEY,
        G,
    )
    add(
        "asset_value",
        "Asset value",
        lambda t, r: f"{sc.ext('asset_value', r)}*{a('alive', r)}",
        st.MONEY,
        G,
    )
    add(
        "coll",
        "Collateral value",
        lambda t, r: f"{a('asset_value', r)}+{a('crypto', r)}",
        st.MONEY,
        G,
    )
    add(
        "ltv",
        "LTV",
        lambda t, r: f'IF({a("coll", r)}>{EPS},{a("debt_open", r)}/{a("coll", r)},"")',
        st.PCT,
        G,
    )

    def watch(r: int, level: str) -> str:
        return (
            f"AND(p_margin_ltv>0,{a('crypto', r)}>{EPS},{a('debt_open', r)}>{EPS},"
            f"{a('debt_open', r)}>{level}*{a('coll', r)})"
        )

    add("margin", "Margin call", lambda t, r: b01(watch(r, "p_margin_ltv")), st.FLAG, G, 7)
    add("sell", "Crypto sold", lambda t, r: b01(watch(r, "p_crypto_liq_ltv")), st.FLAG, G, 7)
    add(
        "crypto_sale",
        "Crypto sale proceeds",
        lambda t, r: f"IF({a('sell', r)}=1,{a('crypto', r)},0)",
        st.MONEY,
        G,
    )
    add(
        "liq",
        "Liquidation (forced sale)",
        lambda t, r: b01(
            f"AND({a('alive', r)}=1,{a('accel_open', r)}>=0,"
            f"{a('t', r)}>={a('accel_open', r)}+p_lag)"
        ),
        st.FLAG,
        G,
        8,
    )
    add(
        "liq_cash",
        "Liquidation proceeds",
        lambda t, r: (
            f"IF({a('liq', r)}=1,{sc.ext('liq_value', r)}+IF(AND({a('cheld_open', r)}=1,"
            f"{a('sell', r)}=0),{sc.ext('crypto', r)},0),0)"
        ),
        st.MONEY,
        G,
    )
    add(
        "cheld",
        "Crypto held (closing)",
        lambda t, r: b01(f"AND({a('cheld_open', r)}=1,{a('sell', r)}=0,{a('liq', r)}=0)"),
        st.FLAG,
        G,
        8,
    )
    add(
        "release",
        "Reserves released (last period or liquidation)",
        lambda t, r: b01(f"OR({a('last', r)}=1,{a('liq', r)}=1)"),
        st.FLAG,
        G,
        9,
    )
    add(
        "reserve_cash",
        "Reserves released to cash",
        lambda t, r: f"IF({a('release', r)}=1,{a('dsra_open', r)}+{a('trap_open', r)},0)",
        st.MONEY,
        G,
    )
    add(
        "dsra1",
        "DSRA after release",
        lambda t, r: f"IF({a('release', r)}=1,0,{a('dsra_open', r)})",
        st.MONEY,
        G,
    )
    add(
        "trap1",
        "Lock-up account after release",
        lambda t, r: f"IF({a('release', r)}=1,0,{a('trap_open', r)})",
        st.MONEY,
        G,
    )

    # ------------------------------------------------------------ 2. CFADS
    G = "2. CFADS"
    # after a liquidation the SPV has no operations: shown as zero, as in DealResult.periods
    for key, label, src in (
        ("revenue", "Revenue", ls),
        ("opex", "Operating costs", sc),
        ("fees", "Senior fees", sc),
    ):
        add(key, label, lambda t, r, k=key, s=src: f"{s.ext(k, r)}*{a('alive', r)}", st.MONEY, G)
    for k in range(K):
        add(
            f"ic{k}",
            f"{names[k]}: interest due",
            lambda t, r, k=k: f"{a(f'bo{k}', r)}*{tl.ext(f'per{k}', r)}",
            st.MONEY,
            G,
        )
    add(
        "ebitda",
        "Revenue - costs - fees",
        lambda t, r: (
            f"({ls.ext('revenue', r)}-{sc.ext('opex', r)}-{sc.ext('fees', r)})*{a('alive', r)}"
        ),
        st.MONEY,
        G,
    )
    add(
        "tax",
        "Tax",
        lambda t, r: (
            f"p_tax*MAX({a('ebitda', r)}-{sc.ext('dep', r)}*{a('alive', r)}-{total('ic', r)},0)"
        ),
        st.MONEY,
        G,
    )
    add("cfads", "CFADS", lambda t, r: f"{a('ebitda', r)}-{a('tax', r)}", st.MONEY, G)
    for k in range(K):
        add(
            f"due{k}",
            f"{names[k]}: scheduled principal due",
            lambda t, r, k=k: (
                f"IF(OR({a('t', r)}>=p_k{k}_mat,{a('last', r)}=1),{a(f'bo{k}', r)},"
                f"MIN({sc.ext(f'sched{k}', r)},{a(f'bo{k}', r)}))"
            ),
            st.MONEY,
            G,
        )
    add("ds", "Debt service due", lambda t, r: f"{total('ic', r)}+{total('due', r)}", st.MONEY, G)
    add(
        "dscr",
        "DSCR",
        lambda t, r: f'IF({a("ds", r)}>{EPS},{a("cfads", r)}/{a("ds", r)},"")',
        st.RATIO,
        G,
    )
    add(
        "sale",
        "Sale, liquidation and crypto proceeds",
        lambda t, r: (
            f"{sc.ext('proceeds', r)}*{a('alive', r)}+{a('crypto_sale', r)}+{a('liq_cash', r)}"
        ),
        st.MONEY,
        G,
    )
    add(
        "cash0",
        "Cash available",
        lambda t, r: f"{a('cfads', r)}+{a('sale', r)}+{a('reserve_cash', r)}",
        st.MONEY,
        G,
    )
    add("injection", "Equity injection", lambda t, r: f"MAX(-{a('cash0', r)},0)", st.MONEY, G)
    add("cash2", "Cash after injection", lambda t, r: f"MAX({a('cash0', r)},0)", st.MONEY, G)

    # ------------------------------------------------------------ 3./4. interest, principal
    cash, dsra = "cash2", "dsra1"
    for step, (due, prefix) in enumerate((("ow", "i"), ("due", "p"))):
        G = "3. Interest" if step == 0 else "4. Scheduled principal"
        for i, (s, e) in enumerate(groups):
            ks = range(s, e)
            if step == 0:
                for k in ks:
                    add(
                        f"ow{k}",
                        f"{names[k]}: interest owed (incl. arrears)",
                        lambda t, r, k=k: f"{a(f'ic{k}', r)}+{a(f'ao{k}', r)}",
                        st.MONEY,
                        G,
                    )
            gd, pay, cash_n, draw, dsra_n, frac = (
                f"{prefix}{x}{i}" for x in ("gdue", "pay", "cash", "draw", "dsra", "frac")
            )
            rk = f"Rank {i + 1}"
            add(gd, f"{rk}: owed", lambda t, r, ks=ks, due=due: total(due, r, ks), st.MONEY, G)
            add(
                pay,
                f"{rk}: paid from cash",
                lambda t, r, c=cash, gd=gd: f"MIN({a(c, r)},{a(gd, r)})",
                st.MONEY,
                G,
            )
            add(
                cash_n,
                f"{rk}: cash left",
                lambda t, r, c=cash, p=pay: f"{a(c, r)}-{a(p, r)}",
                st.MONEY,
                G,
            )
            add(
                draw,
                f"{rk}: DSRA draw",
                lambda t, r, d=dsra, gd=gd, p=pay: f"MIN({a(d, r)},{a(gd, r)}-{a(p, r)})",
                st.MONEY,
                G,
            )
            add(
                dsra_n,
                f"{rk}: DSRA left",
                lambda t, r, d=dsra, dr=draw: f"{a(d, r)}-{a(dr, r)}",
                st.MONEY,
                G,
            )
            add(
                frac,
                f"{rk}: share paid",
                lambda t, r, gd=gd, p=pay, dr=draw: (
                    f"IF({a(gd, r)}>{EPS},MIN(({a(p, r)}+{a(dr, r)})/{a(gd, r)},1),1)"
                ),
                st.FRACTION,
                G,
            )
            cash, dsra = cash_n, dsra_n
            for k in ks:
                tranche_after_payment(g, ctx, k, step, frac, G)
        if step == 1:
            for k in range(K):
                add(
                    f"short{k}",
                    f"{names[k]}: shortfall",
                    lambda t, r, k=k: f"{a(f'arr2_{k}', r)}+{a(f'unp{k}', r)}",
                    st.MONEY,
                    G,
                )

    def controlling(t: int, r: int) -> str:
        expr = "0"
        for i in reversed(range(len(groups))):
            s, e = groups[i]
            expr = (
                f"IF({a(f'gopen{i}', r)}>{EPS},IF({total('short', r, range(s, e))}>{EPS},1,0),"
                f"{expr})"
            )
        return expr

    add("controlling", "Controlling class short", controlling, st.FLAG, G, 9)
    ctx.grids["cf"] = g
    from core.files.excel_covenants import write_rest

    write_rest(g, ctx, cash, dsra)
    ws = wb.create_sheet("CashFlows")
    st.title(
        ws,
        "CashFlows: the CapStack waterfall as live formulas",
        "One row per period; money in USD millions. Steps follow core/engine/reference.py. "
        "Flags: 1 lock-up, 2 DSCR default, 4 LTV breach, 8 payment default, "
        "16 accelerated, 32 liquidated, 64 margin call, 128 crypto sold.",
    )
    g.write(ws)
    ws.freeze_panes = ws.cell(FIRST_ROW, 3)
    return g
