"""``CashFlows`` steps 3-4, per tranche: what a tranche receives once its rank's share paid
is known (pro rata within the rank), PIK or arrears for unpaid interest, unpaid principal."""

from __future__ import annotations

from core.files import excel_style as st
from core.files.excel_grid import Context, Grid


def tranche_after_payment(g: Grid, ctx: Context, k: int, step: int, frac: str, G: str) -> None:
    """Per-tranche columns once rank ``frac`` is known: step 0 (interest) paid, PIK, arrears,
    balance after PIK; step 1 (scheduled principal) paid, unpaid, balance after."""
    a = g.at
    nm = ctx.tranches[k].terms["name"]
    pik = ctx.tr(k, "pik")
    if step == 0:
        g.add(
            f"ipaid{k}",
            f"{nm}: interest paid",
            lambda t, r: f"{a(f'ow{k}', r)}*{a(frac, r)}",
            st.MONEY,
            G,
        )
        g.add(
            f"pik{k}",
            f"{nm}: interest capitalised (PIK)",
            lambda t, r: f"IF({pik},{a(f'ow{k}', r)}-{a(f'ipaid{k}', r)},0)",
            st.MONEY,
            G,
        )
        g.add(
            f"arr2_{k}",
            f"{nm}: interest arrears",
            lambda t, r: f"IF({pik},0,{a(f'ow{k}', r)}-{a(f'ipaid{k}', r)})",
            st.MONEY,
            G,
        )
        g.add(
            f"b2_{k}",
            f"{nm}: balance after PIK",
            lambda t, r: f"{a(f'bo{k}', r)}+{a(f'pik{k}', r)}",
            st.MONEY,
            G,
        )
    else:
        g.add(
            f"spaid{k}",
            f"{nm}: scheduled principal paid",
            lambda t, r: f"{a(f'due{k}', r)}*{a(frac, r)}",
            st.MONEY,
            G,
        )
        g.add(
            f"unp{k}",
            f"{nm}: scheduled principal unpaid",
            lambda t, r: f"{a(f'due{k}', r)}-{a(f'spaid{k}', r)}",
            st.MONEY,
            G,
        )
        g.add(
            f"b3_{k}",
            f"{nm}: balance after scheduled principal",
            lambda t, r: f"{a(f'b2_{k}', r)}-{a(f'spaid{k}', r)}",
            st.MONEY,
            G,
        )
