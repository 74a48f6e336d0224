"""Interest-rate swaps in the workbook: each swap's notional schedule and legs (``Schedules``)
and the waterfall's swap step (``CashFlows``), restating core/engine/hedges.py and the kernel's
step core/engine/steps/swap.pxi as formulas.

Schedules, per swap: the notional (hedge ratio x the hedged tranche's scheduled opening
balance, capped, from its start to its end), its floating accrual (notional x year fraction)
and fixed leg (x the fixed rate); then both summed over swaps. CashFlows, after CFADS: the
breakage when the swap is terminated (the period after an acceleration, or once the debt is
repaid: the remaining settlements at the period's base rate, discounted at it), else the net
settlement, which joins the debt service and the DSCR; a receipt joins the cash, a payment
ranks ahead of the debt and what is unpaid is carried, then written off when the cash ends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_cfads import dscr_column
from core.files.excel_grid import Context, Section
from core.files.excel_keys import CF, SC, SW, TL, P, SwapCols, TrancheParams, TrancheRate
from core.files.excel_keys import TrancheSchedule as TS

if TYPE_CHECKING:
    from core.files.excel_timeline import Params
    from core.files.excel_waterfall import Flow


def swap_schedules(s: Section, ctx: Context, params: Params) -> None:
    """Each swap's notional, floating accrual and fixed leg; the legs summed over swaps."""
    a, tl = s.at, ctx.grids[K.TIMELINE]
    params.add(SW.PERIOD_YEARS, "Length of a period (years)", f"1/{P.PPY}")
    index = {b.id: k for k, b in enumerate(ctx.tranches)}
    cols = []
    for j, sched in enumerate(ctx.compiled.swaps):
        b, c, k = sched.block, SwapCols(j), index[ctx.tranches[sched.tranche].id]
        nm = b.terms["name"]

        def term(f: str, b=b) -> str:
            return ctx.name(b, f)

        s.add(
            c.start,
            f"{nm}: first period",
            lambda t, r, term=term: f"ROUNDUP({term('start_months')}/{P.MPP},0)",
            st.INT,
        )
        s.add(
            c.end,
            f"{nm}: end period (exclusive)",
            lambda t, r, term=term, c=c, k=k: (
                f"IF({term('term_years')}>0,{a(c.start, r)}+ROUND({term('term_years')}*{P.PPY},0),"
                f"{TrancheParams(k).mat}+1)"
            ),
            st.INT,
        )
        s.add(
            c.notional,
            f"{nm}: notional",
            lambda t, r, term=term, c=c, k=k: (
                f"IF(AND({a(SC.T, r)}>={a(c.start, r)},{a(SC.T, r)}<{a(c.end, r)}),"
                f"IF({term('notional_cap')}>0,MIN({term('hedge_ratio')}*{a(TS(k).open, r)},"
                f"{term('notional_cap')}),{term('hedge_ratio')}*{a(TS(k).open, r)}),0)"
            ),
        )
        s.add(
            c.accrual,
            f"{nm}: floating accrual (notional x year fraction)",
            lambda t, r, c=c, k=k: f"{a(c.notional, r)}*{tl.ext(TrancheRate(k).yf, r)}",
        )
        s.add(
            c.fixed,
            f"{nm}: fixed leg",
            lambda t, r, term=term, c=c: f"{a(c.accrual, r)}*{term('fixed_rate')}",
        )
        cols.append(c)
    s.add(SW.FLOAT_ACCRUAL, "Swaps: floating accrual", lambda t, r: _sum(s, cols, "accrual", r))
    s.add(SW.FIXED_LEG, "Swaps: fixed leg", lambda t, r: _sum(s, cols, "fixed", r))


def _sum(s: Section, cols: list[SwapCols], attr: str, r: int) -> str:
    return "+".join(s.at(getattr(c, attr), r) for c in cols) or "0"


def swap_step(s: Section, ctx: Context, flow: Flow) -> None:
    """The swap step of the waterfall (after CFADS, ahead of interest)."""
    _termination(s, ctx)
    _settlement(s, ctx)
    _payment(s, flow)


def _termination(s: Section, ctx: Context) -> None:
    """Terminated the period after an acceleration or once the debt is repaid; breakage."""
    g, a = s.grid, s.at
    sc, tl = ctx.grids[K.SCHEDULES], ctx.grids[K.TIMELINE]
    s.add(SW.DONE_OPEN, "Swap terminated (opening)", lambda t, r: g.prev(SW.DONE, r, "0"), st.FLAG)
    s.add(SW.OWING_OPEN, "Swap arrears (opening)", lambda t, r: g.prev(SW.OWING, r, "0"))
    s.flag(
        SW.ENDS,
        "Swap terminated now",
        lambda t, r: (
            f"AND({a(CF.ALIVE, r)}=1,{a(SW.DONE_OPEN, r)}=0,OR(AND({a(CF.ACCEL_OPEN, r)}>=0,"
            f"{a(CF.T, r)}>{a(CF.ACCEL_OPEN, r)}),"
            f"AND({a(CF.T, r)}>0,{a(CF.DEBT_OPEN, r)}<={P.EPS})))"
        ),
    )
    ts = sc.col_range(SC.T, sheet=True)
    fa, fl = sc.col_range(SW.FLOAT_ACCRUAL, sheet=True), sc.col_range(SW.FIXED_LEG, sheet=True)

    def breakage(t: int, r: int) -> str:
        b, now = tl.ext(TL.BASE, r), a(CF.T, r)
        return (
            f"IF({a(SW.ENDS, r)}=1,SUMPRODUCT(({ts}>={now})*({b}*{fa}-{fl})"
            f"/(1+{b}*{SW.PERIOD_YEARS})^({ts}-{now}+1)),0)"
        )

    s.add(SW.BREAKAGE, "Swap breakage (to the SPV + / counterparty -)", breakage)


def _settlement(s: Section, ctx: Context) -> None:
    """The net settlement, and the debt service and DSCR with it."""
    a, sc, tl = s.at, ctx.grids[K.SCHEDULES], ctx.grids[K.TIMELINE]
    s.add(
        SW.SETTLE,
        "Swap net settlement (received + / paid -)",
        lambda t, r: (
            f"IF(AND({a(CF.ALIVE, r)}=1,{a(SW.DONE_OPEN, r)}=0,{a(SW.ENDS, r)}=0),"
            f"{tl.ext(TL.BASE, r)}*{sc.ext(SW.FLOAT_ACCRUAL, r)}-{sc.ext(SW.FIXED_LEG, r)},0)"
        ),
    )
    s.add(CF.DS, "Debt service due", lambda t, r: f"{a(SW.DS_PRE, r)}-{a(SW.SETTLE, r)}")
    dscr_column(s, CF.DSCR, CF.DS, "DSCR")


def _payment(s: Section, flow: Flow) -> None:
    """A receipt joins the cash; what the SPV owes is paid ahead of the debt, the rest carried
    and written off when the cash ends."""
    a, cash = s.at, flow.cash
    s.add(
        SW.IN,
        "Swap cash received",
        lambda t, r: f"MAX({a(SW.SETTLE, r)},0)+MAX({a(SW.BREAKAGE, r)},0)",
    )
    s.add(
        SW.OWED,
        "Swap payments owed",
        lambda t, r: f"{a(SW.OWING_OPEN, r)}+MAX(-{a(SW.SETTLE, r)},0)+MAX(-{a(SW.BREAKAGE, r)},0)",
    )
    s.add(
        SW.PAY,
        "Swap payments made",
        lambda t, r: f"MIN({a(cash, r)}+{a(SW.IN, r)},{a(SW.OWED, r)})",
    )
    s.add(
        SW.CASH,
        "Cash after the swap",
        lambda t, r: f"{a(cash, r)}+{a(SW.IN, r)}-{a(SW.PAY, r)}",
    )
    s.add(SW.NET, "Swap net cash", lambda t, r: f"{a(SW.IN, r)}-{a(SW.PAY, r)}")
    s.add(
        SW.LOST,
        "Swap arrears written off",
        lambda t, r: f"IF({a(CF.RELEASE, r)}=1,{a(SW.OWED, r)}-{a(SW.PAY, r)},0)",
    )
    s.add(
        SW.OWING,
        "Swap arrears (closing)",
        lambda t, r: f"IF({a(CF.RELEASE, r)}=1,0,{a(SW.OWED, r)}-{a(SW.PAY, r)})",
    )
    s.flag(
        SW.DONE,
        "Swap terminated (closing)",
        lambda t, r: f"OR({a(SW.DONE_OPEN, r)}=1,{a(SW.ENDS, r)}=1)",
    )
    flow.cash = SW.CASH
