"""``CashFlows`` steps 8-10 as formulas: acceleration and cash sweeps, the lock-up account,
the distribution to equity, write-offs and closing balances (after :mod:`excel_covenants`).
"""

from __future__ import annotations

from core.files import excel_style as st
from core.files.excel_covenants import EPS, prepay
from core.files.excel_grid import Context, Grid
from core.files.excel_grid import flag01 as b01


def write_sweeps(g: Grid, ctx: Context) -> None:
    a = g.at
    K = len(ctx.tranches)
    names = [b.terms["name"] for b in ctx.tranches]

    add = g.add

    def total(prefix: str, r: int) -> str:
        return g.total(prefix, r, range(K))

    # ------------------------------------------------------------ 8. sweeps
    G = "8. Acceleration and sweeps"
    add(
        "cash8",
        "Cash incl. trapped cash released to an acceleration",
        lambda t, r: f"{a('cash6', r)}+IF({a('accel', r)}=1,{a('trap1', r)},0)",
        st.MONEY,
        G,
    )
    add(
        "trap8",
        "Lock-up account after acceleration",
        lambda t, r: f"IF({a('accel', r)}=1,0,{a('trap1', r)})",
        st.MONEY,
        G,
    )
    add(
        "swept",
        "Cash swept to debt",
        lambda t, r: f"IF({a('sweep_all', r)}=1,{a('cash8', r)},0)",
        st.MONEY,
        G,
    )
    left = prepay(g, ctx, "s", "swept", "b4_", "b5_", G)
    cash = "cash8b"
    add(
        cash,
        "Cash after sweep",
        lambda t, r, lf=left: f"{a('cash8', r)}-{a('swept', r)}+{a(lf, r) if K else a('swept', r)}",
        st.MONEY,
        G,
    )
    for k in range(K):
        add(
            f"psw{k}",
            f"{names[k]}: percentage sweep",
            lambda t, r, k=k, c=cash: (
                f"IF(AND({a('sweep_all', r)}=0,p_k{k}_sweep>0),"
                f"MIN({a(c, r)}*p_k{k}_sweep,{a(f'b5_{k}', r)}),0)"
            ),
            st.MONEY,
            G,
        )
        add(
            f"cs{k}",
            "Cash after sweep",
            lambda t, r, k=k, c=cash: f"{a(c, r)}-{a(f'psw{k}', r)}",
            st.MONEY,
            G,
        )
        add(
            f"b6_{k}",
            f"{names[k]}: balance after sweeps",
            lambda t, r, k=k: f"{a(f'b5_{k}', r)}-{a(f'psw{k}', r)}",
            st.MONEY,
            G,
        )
        cash = f"cs{k}"

    # ------------------------------------------------------------ 9. lock-up account
    G = "9. Lock-up account"
    add(
        "short_any",
        "Any class short",
        lambda t, r: b01(f"{total('short', r)}>{EPS}"),
        st.FLAG,
        G,
        8,
    )
    add(
        "hold",
        "Cash held in lock-up account",
        lambda t, r: b01(
            f"OR({a('trap_mode', r)}=1,AND({a('short_any', r)}=1,{a('release', r)}=0))"
        ),
        st.FLAG,
        G,
        8,
    )
    add(
        "trap9",
        "Lock-up account after trap",
        lambda t, r, c=cash: f"{a('trap8', r)}+IF({a('hold', r)}=1,{a(c, r)},0)",
        st.MONEY,
        G,
    )
    add(
        "cured",
        "Tests pass: release lock-up account",
        lambda t, r: b01(
            f"AND({a('hold', r)}=0,{a('lock', r)}=0,{a('ltvb', r)}=0,{a('sweep_all', r)}=0)"
        ),
        st.FLAG,
        G,
        8,
    )
    add(
        "trap",
        "Lock-up account (closing)",
        lambda t, r: f"IF({a('cured', r)}=1,0,{a('trap9', r)})",
        st.MONEY,
        G,
    )

    # ------------------------------------------------------------ 10. distribution, balances
    G = "10. Distribution and balances"
    add(
        "distribution",
        "Distribution to equity",
        lambda t, r, c=cash: (
            f"IF({a('hold', r)}=1,0,{a(c, r)})+IF({a('cured', r)}=1,{a('trap9', r)},0)"
        ),
        st.MONEY,
        G,
    )
    add(
        "ends",
        "Debt ends (release or last period)",
        lambda t, r: b01(f"AND(OR({a('release', r)}=1,{a('last', r)}=1),{a('alive', r)}=1)"),
        st.FLAG,
        G,
        8,
    )
    add(
        "dead",
        "Assets liquidated (closing)",
        lambda t, r: b01(f"OR({a('alive', r)}=0,{a('liq', r)}=1)"),
        st.FLAG,
        G,
        8,
    )
    for k in range(K):
        nm = names[k]
        add(
            f"wo{k}",
            f"{nm}: written off",
            lambda t, r, k=k: f"IF({a('ends', r)}=1,{a(f'b6_{k}', r)}+{a(f'arr2_{k}', r)},0)",
            st.MONEY,
            G,
        )
        add(
            f"bal{k}",
            f"{nm}: closing balance",
            lambda t, r, k=k: f"IF({a('ends', r)}=1,0,{a(f'b6_{k}', r)})",
            st.MONEY,
            G,
        )
        add(
            f"arr{k}",
            f"{nm}: arrears carried forward",
            lambda t, r, k=k: f"IF({a('ends', r)}=1,0,{a(f'arr2_{k}', r)})",
            st.MONEY,
            G,
        )
        add(
            f"prin{k}",
            f"{nm}: principal paid",
            lambda t, r, k=k: (
                f"{a(f'spaid{k}', r)}+{a(f'ppm_{k}', r)}+{a(f'pps_{k}', r)}+{a(f'psw{k}', r)}"
            ),
            st.MONEY,
            G,
        )
        add(
            f"flow{k}",
            f"{nm}: cash to lenders",
            lambda t, r, k=k: f"{a(f'ipaid{k}', r)}+{a(f'prin{k}', r)}",
            st.MONEY,
            G,
        )
    add(
        "equity_cf",
        "Net equity cash flow",
        lambda t, r: f"{a('distribution', r)}-{a('injection', r)}",
        st.MONEY,
        G,
    )
