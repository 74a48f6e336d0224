"""``CashFlows`` steps that pay the tranches in order of seniority, pro rata within a rank:
interest (PIK or arrears for what is unpaid), scheduled principal (shortfalls, the controlling
class), and the prepayments (proceeds, cash sweeps) used by later steps. Steps of
:mod:`core.files.excel_waterfall`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.files import excel_style as st
from core.files.excel_construction import CN
from core.files.excel_grid import Context, Section
from core.files.excel_keys import CF, P, Prepayment, RankOpening, RankPayment, TrancheFlow

if TYPE_CHECKING:
    from core.files.excel_waterfall import Flow


def pay_rank(s: Section, flow: Flow, cols: RankPayment, label: str, owed: list[str]) -> str:
    """Rank columns paying ``owed`` (one column per tranche) from ``flow.cash``, then from
    ``flow.dsra``; moves the flow on to the cash and DSRA left and returns the share paid."""
    a, cash, dsra = s.at, flow.cash, flow.dsra
    s.add(cols.owed, f"{label}: owed", lambda t, r: s.grid.total(owed, r))
    s.add(
        cols.paid, f"{label}: paid from cash", lambda t, r: f"MIN({a(cash, r)},{a(cols.owed, r)})"
    )
    s.add(cols.cash, f"{label}: cash left", lambda t, r: f"{a(cash, r)}-{a(cols.paid, r)}")
    s.add(
        cols.draw,
        f"{label}: DSRA draw",
        lambda t, r: _no_draw_capitalising(
            s, r, f"MIN({a(dsra, r)},{a(cols.owed, r)}-{a(cols.paid, r)})"
        ),
    )
    s.add(cols.dsra, f"{label}: DSRA left", lambda t, r: f"{a(dsra, r)}-{a(cols.draw, r)}")
    s.add(
        cols.share,
        f"{label}: share paid",
        lambda t, r: (
            f"IF({a(cols.owed, r)}>{P.EPS},"
            f"MIN(({a(cols.paid, r)}+{a(cols.draw, r)})/{a(cols.owed, r)},1),1)"
        ),
        st.FRACTION,
    )
    flow.cash, flow.dsra = cols.cash, cols.dsra
    return cols.share


def _no_draw_capitalising(s: Section, r: int, draw: str) -> str:
    """``draw``, or 0 while building with interest capitalised (no DSRA draw then)."""
    if CN.CAP_BUILD not in s.grid.index:
        return draw
    return f"IF({s.at(CN.CAP_BUILD, r)}=1,0,{draw})"


def _capitalised(s: Section, r: int, pik: str) -> str:
    """Whether unpaid interest is capitalised: a PIK tranche, or while building with interest
    capitalised."""
    if CN.CAP_BUILD not in s.grid.index:
        return pik
    return f"OR({pik},{s.at(CN.CAP_BUILD, r)}=1)"


def interest(s: Section, ctx: Context, flow: Flow) -> None:
    """Interest owed (current + arrears) by rank; per tranche paid, capitalised (PIK) or left
    in arrears, and the balance after PIK."""
    a = s.at
    tks = [TrancheFlow(k) for k in range(ctx.K)]
    for i, (lo, hi) in enumerate(ctx.groups):
        for k in range(lo, hi):
            tk = tks[k]
            s.add(
                tk.owed,
                f"{ctx.tranche_name(k)}: interest owed (incl. arrears)",
                lambda t, r, tk=tk: f"{a(tk.interest_due, r)}+{a(tk.arrears_in, r)}",
            )
        owed = [tks[k].owed for k in range(lo, hi)]
        share = pay_rank(s, flow, RankPayment("i", i), f"Rank {i + 1}", owed)
        for k in range(lo, hi):
            _interest_received(s, ctx, k, share, flow.balances[k])
    flow.balances = [tk.after_pik for tk in tks]


def _interest_received(s: Section, ctx: Context, k: int, share: str, balance: str) -> None:
    a, tk = s.at, TrancheFlow(k)
    nm, pik = ctx.tranche_name(k), ctx.tr(k, "pik")

    def unpaid(r: int) -> str:
        return f"{a(tk.owed, r)}-{a(tk.interest_paid, r)}"

    s.add(
        tk.interest_paid,
        f"{nm}: interest paid",
        lambda t, r: f"{a(tk.owed, r)}*{a(share, r)}",
        total=True,
    )
    s.add(
        tk.pik,
        f"{nm}: interest capitalised (PIK)",
        lambda t, r: f"IF({_capitalised(s, r, pik)},{unpaid(r)},0)",
        total=True,
    )
    s.add(
        tk.arrears,
        f"{nm}: interest arrears",
        lambda t, r: f"IF({_capitalised(s, r, pik)},0,{unpaid(r)})",
    )
    s.add(tk.after_pik, f"{nm}: balance after PIK", lambda t, r: f"{a(balance, r)}+{a(tk.pik, r)}")


def scheduled_principal(s: Section, ctx: Context, flow: Flow) -> None:
    """Scheduled principal by rank; per tranche paid and unpaid, the balance after, the
    shortfall (arrears + unpaid principal) and whether the controlling class is short."""
    a = s.at
    tks = [TrancheFlow(k) for k in range(ctx.K)]
    for i, (lo, hi) in enumerate(ctx.groups):
        due = [tks[k].principal_due for k in range(lo, hi)]
        share = pay_rank(s, flow, RankPayment("p", i), f"Rank {i + 1}", due)
        for k in range(lo, hi):
            _principal_received(s, ctx, k, share, flow.balances[k])
    for k, tk in enumerate(tks):
        s.add(
            tk.shortfall,
            f"{ctx.tranche_name(k)}: shortfall",
            lambda t, r, tk=tk: f"{a(tk.arrears, r)}+{a(tk.unpaid, r)}",
        )
    s.add(CF.CONTROLLING, "Controlling class short", _controlling(s, ctx), st.FLAG, 9)
    flow.balances = [tk.after_sched for tk in tks]


def _principal_received(s: Section, ctx: Context, k: int, share: str, balance: str) -> None:
    a, tk, nm = s.at, TrancheFlow(k), ctx.tranche_name(k)
    s.add(
        tk.sched_paid,
        f"{nm}: scheduled principal paid",
        lambda t, r: f"{a(tk.principal_due, r)}*{a(share, r)}",
    )
    s.add(
        tk.unpaid,
        f"{nm}: scheduled principal unpaid",
        lambda t, r: f"{a(tk.principal_due, r)}-{a(tk.sched_paid, r)}",
    )
    s.add(
        tk.after_sched,
        f"{nm}: balance after scheduled principal",
        lambda t, r: f"{a(balance, r)}-{a(tk.sched_paid, r)}",
    )


def _controlling(s: Section, ctx: Context):
    """1 when the most senior rank with debt outstanding at the opening is short."""
    a = s.at

    def build(t: int, r: int) -> str:
        expr = "0"
        for i in reversed(range(len(ctx.groups))):
            lo, hi = ctx.groups[i]
            short = s.grid.total([TrancheFlow(k).shortfall for k in range(lo, hi)], r)
            opening = a(RankOpening(i).opening, r)
            expr = f"IF({opening}>{P.EPS},IF({short}>{P.EPS},1,0),{expr})"
        return expr

    return build


def prepay(s: Section, ctx: Context, cols: Prepayment, amount: str, flow: Flow) -> str:
    """Repay ``amount`` in order of seniority (pro rata within a rank) from ``flow.balances``;
    moves the balances on to those after the prepayment and returns the amount left."""
    a, left = s.at, amount
    for i, (lo, hi) in enumerate(ctx.groups):
        bal, pay, rest, share = cols.rank(i)
        rank = flow.balances[lo:hi]
        s.add(bal, f"Rank {i + 1}: balance", lambda t, r, rank=rank: s.grid.total(rank, r))
        s.add(
            pay,
            f"Rank {i + 1}: prepaid",
            lambda t, r, lf=left, b=bal, p=pay: f"MIN({a(lf, r)},{a(b, r)})",
        )
        s.add(
            rest, f"Rank {i + 1}: amount left", lambda t, r, lf=left, p=pay: f"{a(lf, r)}-{a(p, r)}"
        )
        s.add(
            share,
            f"Rank {i + 1}: share prepaid",
            lambda t, r, b=bal, p=pay: f"IF({a(b, r)}>{P.EPS},{a(p, r)}/{a(b, r)},0)",
            st.FRACTION,
        )
        for k in range(lo, hi):
            nm, before, paid = ctx.tranche_name(k), flow.balances[k], cols.paid(k)
            s.add(paid, f"{nm}: prepaid", lambda t, r, b=before, f=share: f"{a(b, r)}*{a(f, r)}")
            s.add(
                cols.balance_after(k),
                f"{nm}: balance after",
                lambda t, r, b=before, p=paid: f"{a(b, r)}-{a(p, r)}",
            )
        left = rest
    flow.balances = [cols.balance_after(k) for k in range(ctx.K)]
    return left
