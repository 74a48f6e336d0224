"""``CashFlows`` before the waterfall pays anyone: the period's opening position, the collateral
(crypto margin calls, the lenders' liquidation after the lag, reserves released) and the cash
generated (revenue, costs, tax, CFADS, debt service due, DSCR, proceeds, equity injection).
Steps of :mod:`core.files.excel_waterfall`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import capex_injection, not_building, operating_row
from core.files.excel_draws import equity_share, fee, is_delayed, opening_balance
from core.files.excel_grid import Context, Section
from core.files.excel_keys import (
    CF,
    LS,
    SC,
    SN,
    SW,
    TL,
    P,
    RankOpening,
    TrancheDraws,
    TrancheFlow,
    TrancheParams,
    TrancheRate,
    TrancheSchedule,
)
from core.files.excel_refi import refi_balloon, refi_cashflows, refi_due, refi_rate

if TYPE_CHECKING:
    from core.files.excel_waterfall import Flow


def opening(s: Section, ctx: Context, flow: Flow) -> None:
    """Where the period starts: last period's closing balances, accounts and states."""
    g, tl, a = s.grid, ctx.grids[K.TIMELINE], s.at
    s.add(CF.T, "Period", lambda t, r: tl.ext(TL.T, r), st.INT, 7)
    sc = ctx.grids[K.SCHEDULES]
    # the SPV's last period: the horizon's, or the planned sale of its assets (it winds up)
    s.add(
        CF.LAST,
        "Last period (horizon or planned sale)",
        lambda t, r: (
            f"IF(OR({tl.ext(TL.LAST, r)}=1,AND({a(CF.ALIVE, r)}=1,"
            f"{sc.ext(SC.PROCEEDS, r)}>{P.EPS})),1,0)"
        ),
        st.FLAG,
        6,
    )
    s.add(
        CF.ALIVE,
        "Assets held (not liquidated)",
        lambda t, r: f"1-{g.prev(CF.DEAD, r, '0')}",
        st.FLAG,
        8,
    )
    s.add(
        CF.ACCEL_OPEN,
        "Accelerated in period (opening; -1 none)",
        lambda t, r: g.prev(CF.ACCEL_T, r, "-1"),
        st.INT,
        10,
    )
    s.add(CF.CHELD_OPEN, "Crypto held (opening)", lambda t, r: g.prev(CF.CHELD, r, "1"), st.FLAG, 8)
    tks = [TrancheFlow(k) for k in range(ctx.K)]
    for k, tk in enumerate(tks):
        s.add(
            tk.opening,
            f"{ctx.tranche_name(k)}: opening balance",
            lambda t, r, k=k: opening_balance(ctx, k, g, r),
        )
        s.add(
            tk.arrears_in,
            f"{ctx.tranche_name(k)}: arrears brought forward",
            lambda t, r, tk=tk: g.prev(tk.arrears_out, r, "0"),
        )
    s.add(CF.DSRA_OPEN, "DSRA (opening)", lambda t, r: g.prev(CF.DSRA, r, P.DSRA0))
    s.add(CF.TRAP_OPEN, "Lock-up account (opening)", lambda t, r: g.prev(CF.TRAP, r, "0"))
    balances = [tk.opening for tk in tks]
    s.add(CF.DEBT_OPEN, "Debt outstanding (opening)", lambda t, r: g.total(balances, r))
    for i, (lo, hi) in enumerate(ctx.groups):
        s.add(
            RankOpening(i).opening,
            f"Rank {i + 1}: opening balance",
            lambda t, r, rank=balances[lo:hi]: g.total(rank, r),
        )
    flow.dsra, flow.trap, flow.balances = CF.DSRA_OPEN, CF.TRAP_OPEN, balances


def collateral(s: Section, ctx: Context, flow: Flow) -> None:
    """Collateral value and LTV, crypto margin call and sale, the lenders' liquidation
    ``p_lag`` periods after an acceleration, and the reserves released by the last period or a
    liquidation."""
    _collateral_value(s, ctx)
    _liquidation(s, ctx)
    _reserves_released(s, flow)


def _collateral_value(s: Section, ctx: Context) -> None:
    """Crypto (while held) and asset value, LTV; a crypto margin call or sale."""
    a, sc = s.at, ctx.grids[K.SCHEDULES]
    debt, coll = CF.DEBT_OPEN, CF.COLL
    s.add(
        CF.CRYPTO,
        "Crypto collateral",
        lambda t, r: (
            f"IF(AND({a(CF.CHELD_OPEN, r)}=1,{a(CF.ALIVE, r)}=1),{sc.ext(SC.CRYPTO, r)},0)"
        ),
    )
    s.add(
        CF.ASSET_VALUE,
        "Asset value",
        lambda t, r: f"{sc.ext(SC.ASSET_VALUE, r)}*{a(CF.ALIVE, r)}",
    )
    s.add(coll, "Collateral value", lambda t, r: f"{a(CF.ASSET_VALUE, r)}+{a(CF.CRYPTO, r)}")
    s.add(
        CF.LTV,
        "LTV",
        lambda t, r: f'IF({a(coll, r)}>{P.EPS},{a(debt, r)}/{a(coll, r)},"")',
        st.PCT,
    )

    def watch(level: str):
        return lambda t, r: (
            f"AND({P.MARGIN_LTV}>0,{a(CF.CRYPTO, r)}>{P.EPS},{a(debt, r)}>{P.EPS},"
            f"{a(debt, r)}>{level}*{a(coll, r)})"
        )

    s.flag(CF.MARGIN, "Margin call", watch(P.MARGIN_LTV), 7)
    s.flag(CF.SELL, "Crypto sold", watch(P.CRYPTO_LIQ_LTV), 7)
    s.add(
        CF.CRYPTO_SALE,
        "Crypto sale proceeds",
        lambda t, r: f"IF({a(CF.SELL, r)}=1,{a(CF.CRYPTO, r)},0)",
    )


def _liquidation(s: Section, ctx: Context) -> None:
    """The lenders sell the assets ``p_lag`` periods after an acceleration (forced-sale value,
    with any crypto still held)."""
    a, sc = s.at, ctx.grids[K.SCHEDULES]
    s.flag(
        CF.LIQ,
        "Liquidation (forced sale)",
        lambda t, r: (
            f"AND({a(CF.ALIVE, r)}=1,{a(CF.ACCEL_OPEN, r)}>=0,"
            f"{a(CF.T, r)}>={a(CF.ACCEL_OPEN, r)}+{P.LAG})"
        ),
    )
    s.add(
        CF.LIQ_CASH,
        "Liquidation proceeds",
        lambda t, r: (
            f"IF({a(CF.LIQ, r)}=1,{sc.ext(SC.LIQ_VALUE, r)}+IF(AND({a(CF.CHELD_OPEN, r)}=1,"
            f"{a(CF.SELL, r)}=0),{sc.ext(SC.CRYPTO, r)},0),0)"
        ),
    )
    s.flag(
        CF.CHELD,
        "Crypto held (closing)",
        lambda t, r: f"AND({a(CF.CHELD_OPEN, r)}=1,{a(CF.SELL, r)}=0,{a(CF.LIQ, r)}=0)",
    )


def _reserves_released(s: Section, flow: Flow) -> None:
    """The DSRA and lock-up account are released to cash in the last period or a liquidation."""
    a = s.at
    s.flag(
        CF.RELEASE,
        "Reserves released (last period or liquidation)",
        lambda t, r: f"OR({a(CF.LAST, r)}=1,{a(CF.LIQ, r)}=1)",
        9,
    )
    dsra, trap = flow.dsra, flow.trap
    s.add(
        CF.RESERVE_CASH,
        "Reserves released to cash",
        lambda t, r: f"IF({a(CF.RELEASE, r)}=1,{a(dsra, r)}+{a(trap, r)},0)",
    )
    s.add(CF.DSRA1, "DSRA after release", lambda t, r: f"IF({a(CF.RELEASE, r)}=1,0,{a(dsra, r)})")
    s.add(
        CF.TRAP1,
        "Lock-up account after release",
        lambda t, r: f"IF({a(CF.RELEASE, r)}=1,0,{a(trap, r)})",
    )
    flow.dsra, flow.trap = CF.DSRA1, CF.TRAP1


def cfads(s: Section, ctx: Context, flow: Flow) -> None:
    """Revenue, costs, interest due, tax, CFADS, scheduled principal due, debt service, DSCR,
    proceeds and the cash available (an equity injection covers a deficit). After a
    liquidation the SPV has no operations: zero, as in ``DealResult.periods``."""
    _operating_cash(s, ctx)
    refi_cashflows(s, ctx)  # a balloon refinanced at maturity (excel_refi)
    _debt_service(s, ctx)
    _cash_available(s, ctx)
    flow.cash = CF.CASH2


def _interest_due(ctx: Context) -> list[str]:
    return [TrancheFlow(k).interest_due for k in range(ctx.K)]


def _operating_cash(s: Section, ctx: Context) -> None:
    """Revenue, opex and fees while the assets are held; interest due; tax; CFADS."""
    g, a = s.grid, s.at
    tl, ls, sc = ctx.grids[K.TIMELINE], ctx.grids[K.LEASES], ctx.grids[K.SCHEDULES]
    # the Sensitivity sheet's scenario switch flexes revenue and operating costs
    for key, label, src, col, flex in (
        (CF.REVENUE, "Revenue", ls, operating_row(ctx, LS.REVENUE), f"*(1-{SN.REVENUE_CUT})"),
        (CF.OPEX, "Operating costs", sc, operating_row(ctx, SC.OPEX), f"*(1+{SN.OPEX_UP})"),
        (CF.FEES, "Senior fees", sc, operating_row(ctx, SC.FEES), ""),
    ):
        s.add(
            key,
            label,
            lambda t, r, x=src, c=col, f=flex: f"{x.ext(c, r)}{f}*{a(CF.ALIVE, r)}",
            total=True,
        )
    for k in range(ctx.K):
        tk, per = TrancheFlow(k), TrancheRate(k).per
        s.add(
            tk.interest_due,
            f"{ctx.tranche_name(k)}: interest due",
            lambda t, r, tk=tk, per=per, k=k: (
                f"{a(tk.opening, r)}*{refi_rate(s, ctx, k, r, tl.ext(per, r))}{fee(ctx, k, a, r)}"
            ),
            total=True,
        )
    s.add(
        CF.EBITDA,
        "Revenue - costs - fees",
        lambda t, r: f"{a(CF.REVENUE, r)}-{a(CF.OPEX, r)}-{a(CF.FEES, r)}",
        total=True,
    )
    interest = _interest_due(ctx)
    s.add(
        CF.TAX,
        "Tax",
        lambda t, r: (
            f"{P.TAX}*MAX({a(CF.EBITDA, r)}-{sc.ext(SC.DEP, r)}*{a(CF.ALIVE, r)}"
            f"-{g.total(interest, r)},0)"
        ),
        total=True,
    )
    s.add(CF.CFADS, "CFADS", lambda t, r: f"{a(CF.EBITDA, r)}-{a(CF.TAX, r)}", total=True)


def _debt_service(s: Section, ctx: Context) -> None:
    """Scheduled principal due (everything at maturity or in the last period), debt service
    and the period's DSCR."""
    g, a, sc = s.grid, s.at, ctx.grids[K.SCHEDULES]
    for k in range(ctx.K):
        bal, mat, due = TrancheFlow(k).opening, TrancheParams(k).mat, TrancheSchedule(k).sched
        # a delayed-draw tranche owes the schedules of the draws it made (step "draws")
        made = TrancheDraws(k).principal if is_delayed(ctx, k) else None
        s.add(
            TrancheFlow(k).principal_due,
            f"{ctx.tranche_name(k)}: scheduled principal due",
            lambda t, r, k=k, b=bal, mat=mat, due=due, made=made: refi_due(
                s,
                ctx,
                k,
                r,
                f"IF(OR({a(CF.T, r)}>={mat},{a(CF.LAST, r)}=1),{a(b, r)},"
                f"MIN({a(made, r) if made else sc.ext(due, r)},{a(b, r)}))",
            ),
        )
    for k in range(ctx.K):
        s.add(
            TrancheFlow(k).balloon,
            f"{ctx.tranche_name(k)}: balloon or bullet due (beyond the schedule)",
            lambda t, r, k=k: _balloon(s, ctx, k, r),
        )
    balloons = [TrancheFlow(k).balloon for k in range(ctx.K)]
    s.add(
        CF.BALLOON,
        "Balloon or bullet due (not in the DSCR)",
        lambda t, r: g.total(balloons, r),
        total=True,
    )
    interest = _interest_due(ctx)
    principal = [TrancheFlow(k).principal_due for k in range(ctx.K)]
    # with interest-rate swaps, the swap step adds the net settlement to these
    swapped = bool(ctx.compiled.swaps)
    ds, dscr = (SW.DS_PRE, SW.DSCR_PRE) if swapped else (CF.DS, CF.DSCR)
    before = " before swaps" if swapped else ""
    s.add(
        ds,
        "Debt service due" + before,
        lambda t, r: f"{g.total(interest, r)}+{g.total(principal, r)}",
        total=True,
    )
    dscr_column(s, dscr, ds, "DSCR" + before)


def dscr_column(s: Section, key: str, ds: str, header: str) -> None:
    """``key``: CFADS / the scheduled debt service (line ``ds`` less the balloon), blank when
    none is due (docs/engine.md, "DSCR")."""
    a = s.at

    def ratio(t: int, r: int) -> str:
        sched = f"({a(ds, r)}-{a(CF.BALLOON, r)})"
        cond = not_building(s, r, f"{sched}>{P.EPS}")  # no DSCR while building
        return f'IF({cond},{a(CF.CFADS, r)}/{sched},"")'

    s.add(key, header, ratio, st.RATIO)


def _balloon(s: Section, ctx: Context, k: int, r: int) -> str:
    """Tranche ``k``'s principal due in row ``r`` beyond its schedule in a period it has
    matured (its final maturity or the last period; a refinanced tranche's, once rolled):
    the kernel's ``bln``."""
    a, sc = s.at, ctx.grids[K.SCHEDULES]
    bal, due, mat = TrancheFlow(k).opening, TrancheFlow(k).principal_due, TrancheParams(k).mat
    made = TrancheDraws(k).principal if is_delayed(ctx, k) else None
    sched = a(made, r) if made else sc.ext(TrancheSchedule(k).sched, r)
    last = f"{a(CF.LAST, r)}=1"
    old = f"IF(OR({a(CF.T, r)}>={mat},{last}),MAX({a(due, r)}-MIN({sched},{a(bal, r)}),0),0)"
    return refi_balloon(s, ctx, k, r, old)


def _cash_available(s: Section, ctx: Context) -> None:
    """Proceeds (planned sale while held, crypto sold, liquidation) and reserves released join
    CFADS; an equity injection covers a deficit."""
    a, sc = s.at, ctx.grids[K.SCHEDULES]
    s.add(
        CF.SALE,
        "Sale, liquidation and crypto proceeds",
        lambda t, r: (
            f"{sc.ext(SC.PROCEEDS, r)}*{a(CF.ALIVE, r)}+{a(CF.CRYPTO_SALE, r)}+{a(CF.LIQ_CASH, r)}"
        ),
        total=True,
    )
    s.add(
        CF.CASH0,
        "Cash available",
        lambda t, r: f"{a(CF.CFADS, r)}+{a(CF.SALE, r)}+{a(CF.RESERVE_CASH, r)}",
    )
    s.add(
        CF.INJECTION,
        "Equity injection",
        lambda t, r: (
            f"MAX(-{a(CF.CASH0, r)},0){equity_share(ctx, a, r)}{capex_injection(ctx, a, r)}"
        ),
        total=True,
    )
    s.add(CF.CASH2, "Cash after injection", lambda t, r: f"MAX({a(CF.CASH0, r)},0)")
