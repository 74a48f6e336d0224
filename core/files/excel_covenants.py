"""``CashFlows`` steps 5-7 as formulas: proceeds prepayment, DSRA top-up / release, covenant
tests (trailing DSCR window, LTV) and their actions; steps 8-10 are in
:mod:`core.files.excel_sweeps`. Continues the grid built by :mod:`core.files.excel_waterfall`.
"""

from __future__ import annotations

from core.files import excel_style as st
from core.files.excel_grid import Context, Grid
from core.files.excel_grid import flag01 as b01

EPS = "1E-09"


def prepay(g: Grid, ctx: Context, tag: str, amount: str, bal: str, out: str, G: str) -> str:
    """Repay ``amount`` in order of seniority (pro rata within a rank) from balances ``bal<k>``;
    writes ``<out><k>`` (balance after) and ``pp<tag>_<k>`` (paid); returns the unused key."""
    a = g.at
    left = amount
    for i, (s, e) in enumerate(ctx.groups):
        ks = range(s, e)
        gb, pay, rest, frac = (f"{x}{tag}{i}" for x in ("gb", "ppay", "pleft", "pfrac"))
        g.add(
            gb,
            f"Rank {i + 1}: balance",
            lambda t, r, ks=ks: "(" + "+".join(a(f"{bal}{k}", r) for k in ks) + ")",
            st.MONEY,
            G,
        )
        g.add(
            pay,
            f"Rank {i + 1}: prepaid",
            lambda t, r, lf=left, gb=gb: f"MIN({a(lf, r)},{a(gb, r)})",
            st.MONEY,
            G,
        )
        g.add(
            rest,
            f"Rank {i + 1}: amount left",
            lambda t, r, lf=left, p=pay: f"{a(lf, r)}-{a(p, r)}",
            st.MONEY,
            G,
        )
        g.add(
            frac,
            f"Rank {i + 1}: share prepaid",
            lambda t, r, gb=gb, p=pay: f"IF({a(gb, r)}>{EPS},{a(p, r)}/{a(gb, r)},0)",
            st.FRACTION,
            G,
        )
        for k in ks:
            nm = ctx.tranches[k].terms["name"]
            g.add(
                f"pp{tag}_{k}",
                f"{nm}: prepaid",
                lambda t, r, k=k, f=frac: f"{a(f'{bal}{k}', r)}*{a(f, r)}",
                st.MONEY,
                G,
            )
            g.add(
                f"{out}{k}",
                f"{nm}: balance after",
                lambda t, r, k=k: f"{a(f'{bal}{k}', r)}-{a(f'pp{tag}_{k}', r)}",
                st.MONEY,
                G,
            )
        left = rest
    return left


def write_rest(g: Grid, ctx: Context, cash: str, dsra: str) -> None:
    a = g.at
    sc = ctx.grids["sc"]
    K = len(ctx.tranches)

    add = g.add

    def total(prefix: str, r: int) -> str:
        return g.total(prefix, r, range(K))

    # ------------------------------------------------------------ 5. proceeds prepay debt
    G = "5. Proceeds prepay debt"
    add(
        "mand",
        "Mandatory prepayment from proceeds",
        lambda t, r, c=cash: f"MIN({a(c, r)},{a('sale', r)})",
        st.MONEY,
        G,
    )
    left = prepay(g, ctx, "m", "mand", "b3_", "b4_", G)
    add(
        "cash5",
        "Cash after prepayment",
        lambda t, r, c=cash, lf=left: f"{a(c, r)}-{a('mand', r)}+{a(lf, r) if K else a('mand', r)}",
        st.MONEY,
        G,
    )

    # ------------------------------------------------------------ 6. DSRA
    G = "6. DSRA"
    add(
        "dsra_tgt",
        "DSRA target",
        lambda t, r: (
            f"IF(AND({total('b4_', r)}>{EPS},{a('release', r)}=0),{sc.ext('dsra_target', r)},0)"
        ),
        st.MONEY,
        G,
    )
    add(
        "top",
        "DSRA top-up",
        lambda t, r: (
            f"IF({a(dsra, r)}<{a('dsra_tgt', r)},MIN({a('cash5', r)},"
            f"{a('dsra_tgt', r)}-{a(dsra, r)}),0)"
        ),
        st.MONEY,
        G,
    )
    add(
        "excess",
        "DSRA release (excess over target)",
        lambda t, r: f"MAX({a(dsra, r)}+{a('top', r)}-{a('dsra_tgt', r)},0)",
        st.MONEY,
        G,
    )
    add(
        "dsra",
        "DSRA balance (closing)",
        lambda t, r: f"{a(dsra, r)}+{a('top', r)}-{a('excess', r)}",
        st.MONEY,
        G,
    )
    add(
        "cash6",
        "Cash after DSRA",
        lambda t, r: f"{a('cash5', r)}-{a('top', r)}+{a('excess', r)}",
        st.MONEY,
        G,
    )

    # ------------------------------------------------------------ 7. covenants
    G = "7. Covenant tests"
    tcol = g.to_row("t", "{r}")

    def window(key: str, r: int) -> str:
        rng = g.to_row(key, r)
        return f"SUMPRODUCT(({tcol.format(r=r)}>={a('t', r)}-p_lookback+1)*{rng})"

    add("scf", "CFADS in test window", lambda t, r: window("cfads", r), st.MONEY, G)
    add("sds", "Debt service in test window", lambda t, r: window("ds", r), st.MONEY, G)
    add(
        "test",
        "DSCR test (trailing window)",
        lambda t, r: f'IF({a("sds", r)}>{EPS},{a("scf", r)}/{a("sds", r)},"")',
        st.RATIO,
        G,
    )
    add(
        "has_debt",
        "Debt outstanding",
        lambda t, r: b01(f"AND({a('alive', r)}=1,{a('debt_open', r)}>{EPS})"),
        st.FLAG,
        G,
        8,
    )

    add(
        "owing",
        "Debt owed after payments and proceeds (DSCR tested)",
        lambda t, r: b01(f"AND({a('alive', r)}=1,{total('b4_', r)}>{EPS})"),
        st.FLAG,
        G,
        8,
    )

    def below(level: str):
        return lambda t, r: (
            f"IF(AND({a('owing', r)}=1,{level}>0,{a('sds', r)}>{EPS}),"
            f"IF({a('scf', r)}/{a('sds', r)}<{level},1,0),0)"
        )

    add("lock", "Lock-up (DSCR test below lock-up level)", below("p_lockup_dscr"), st.FLAG, G, 9)
    add("ddef", "DSCR default", below("p_default_dscr"), st.FLAG, G, 9)
    add(
        "ltvb",
        "LTV breach",
        lambda t, r: (
            f"IF(AND({a('has_debt', r)}=1,p_ltv_max>0),IF(OR({a('coll', r)}<={EPS},"
            f"{a('debt_open', r)}>p_ltv_max*{a('coll', r)}),1,0),0)"
        ),
        st.FLAG,
        G,
        9,
    )
    add(
        "pdef",
        "Payment default",
        lambda t, r: b01(f"AND({a('has_debt', r)}=1,{a('controlling', r)}=1)"),
        st.FLAG,
        G,
        9,
    )
    add(
        "dflt",
        "Default (DSCR or payment)",
        lambda t, r: b01(f"OR({a('ddef', r)}=1,{a('pdef', r)}=1)"),
        st.FLAG,
        G,
        9,
    )
    add(
        "go_accel",
        "Acceleration triggered",
        lambda t, r: b01(
            f'OR(AND({a("dflt", r)}=1,p_default_action="accelerate"),'
            f'AND({a("ltvb", r)}=1,p_ltv_action="accelerate"))'
        ),
        st.FLAG,
        G,
        9,
    )
    add(
        "accel_t",
        "Accelerated in period (-1 none)",
        lambda t, r: (
            f"IF(AND({a('go_accel', r)}=1,{a('accel_open', r)}<0,{a('release', r)}=0),"
            f"{a('t', r)},{a('accel_open', r)})"
        ),
        st.INT,
        G,
        10,
    )
    add(
        "accel",
        "Accelerated",
        lambda t, r: b01(f"AND({a('alive', r)}=1,{a('accel_t', r)}>=0,{a('liq', r)}=0)"),
        st.FLAG,
        G,
        9,
    )
    add(
        "sweep_all",
        "All spare cash swept",
        lambda t, r: b01(
            f"OR({a('accel', r)}=1,{a('liq', r)}=1,"
            f'AND({a("dflt", r)}=1,p_default_action="sweep"),'
            f'AND({a("lock", r)}=1,p_lockup_action="sweep"),'
            f'AND({a("ltvb", r)}=1,p_ltv_action="sweep"))'
        ),
        st.FLAG,
        G,
        9,
    )
    add(
        "trap_mode",
        "Cash trapped",
        lambda t, r: b01(
            f"AND({a('sweep_all', r)}=0,{a('release', r)}=0,"
            f'OR(AND({a("lock", r)}=1,p_lockup_action="trap"),'
            f'AND({a("ltvb", r)}=1,p_ltv_action="trap")))'
        ),
        st.FLAG,
        G,
        9,
    )
    add(
        "flags",
        "Flags (bitmask)",
        lambda t, r: (
            f"{a('lock', r)}+2*{a('ddef', r)}+4*{a('ltvb', r)}+8*{a('pdef', r)}+"
            f"16*{a('accel', r)}+32*{a('liq', r)}+64*{a('margin', r)}+128*{a('sell', r)}"
        ),
        st.INT,
        G,
        8,
    )

    from core.files.excel_sweeps import write_sweeps

    write_sweeps(g, ctx)
