"""Delayed-draw term loans in the workbook (``core/engine/draws.py``, step "draws").

``Parameters``: each tranche's draw at closing (``p_k<k>_n0``: the notional, or a delayed-draw
tranche's draws in period 0), its availability end and the periods of each draw's own term.
``Timeline``: each delayed-draw tranche's scheduled draws per period (from the Inputs lists
``draw_months`` / ``draw_amounts``), the share of the GPU fleet delivered (draws so far / all
draws; the fleet's market value, costs, depreciation and the compute leases' rent follow it) and
the cost of the GPUs delivered after closing. ``Schedules``: a delayed-draw tranche's base-case
schedule is the sum of its draws' own schedules. ``CashFlows``: the draws step (each draw made
unless the facility is in default or cut to the borrowing base), the undrawn commitment and its
fee, each draw's own schedule on what was drawn, and equity's share of the deliveries.

Each draw of the deal's schedule (an Inputs list item) has its own columns; a draw added to the
Inputs lists after the export has none (export again).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_grid import Context, Grid, Section
from core.files.excel_keys import CF, DD, SC, TL, P, TrancheDraws, TrancheFlow, TrancheParams
from core.files.excel_keys import TrancheRate as TR
from core.files.excel_keys import TrancheSchedule as TS


def delayed(ctx: Context) -> list[int]:
    """Kernel indices of the delayed-draw tranches."""
    return [k for k, b in enumerate(ctx.tranches) if b.terms.get("availability_months", 0) > 0]


def is_delayed(ctx: Context, k: int) -> bool:
    return ctx.tranches[k].terms.get("availability_months", 0) > 0


def is_linked(ctx: Context, k: int) -> bool:
    """Tranche k draws on the construction's capex (``draw_basis`` capex)."""
    return is_delayed(ctx, k) and ctx.tranches[k].terms.get("draw_basis") == "capex"


def scheduled(ctx: Context) -> list[int]:
    """Kernel indices of the delayed-draw tranches drawn on their schedule (Inputs lists)."""
    return [k for k in delayed(ctx) if not is_linked(ctx, k)]


def n_draws(ctx: Context, k: int) -> int:
    """Tranche k's draws with their own columns: each item of its schedule, or for a tranche
    linked to capex one a period of its availability period (as exported)."""
    t = ctx.tranches[k].terms
    if is_linked(ctx, k):
        return min(
            math.ceil(t["availability_months"] / ctx.compiled.timeline.months_per_period), ctx.T
        )
    return len(t["draw_months"])


def share(k: int) -> str:
    """``Parameters``: tranche k's debt share of capex (commitment / total capex)."""
    return f"p_k{k}_share"


#: ``Parameters``: the share of capex the capex-linked draws fund (the reserve pays the rest)
DEBT_SHARE = "p_debt_share"
#: a workbook name: the planned capex row of ``CashFlows`` (the base-case draws read it)
CAPEX_ROW = "cn_capex_row"


def _lists(ctx: Context, k: int) -> tuple[str, str]:
    tid = ctx.tranches[k].id
    return ctx.refs.lists[(tid, "draw_months")], ctx.refs.lists[(tid, "draw_amounts")]


def _item(ctx: Context, k: int, field_name: str, i: int) -> str:
    """The defined name of item ``i`` of tranche k's list term (no index typed in a formula)."""
    prefix = ctx.tr(k, "notional")[: -len("notional")]
    return f"{prefix}{field_name}{K.INPUT_SEP}{i}"


def _in_period(ctx: Context, k: int, t: str) -> str:
    """Tranche k's scheduled draws in period ``t`` (an expression)."""
    months, amounts = _lists(ctx, k)
    return f"SUMPRODUCT((INT({months}/{P.MPP})={t})*{amounts})"


# ------------------------------------------------------------------ Parameters
def draw_parameters(p, ctx: Context, k: int, ceil_periods: Callable[[str], str]) -> None:
    """``p_k<k>_n0`` for every tranche; availability end and own-term periods for a delayed one."""
    kp = TrancheParams(k)
    if not is_delayed(ctx, k):
        p.add(kp.n0, f"{ctx.tranche_name(k)}: drawn at closing", ctx.tr(k, "notional"), st.MONEY)
        return
    label = ctx.tranche_name(k)
    if is_linked(ctx, k):  # its period-0 draw is made in the draws step, like the later ones
        from core.files.excel_construction import CN

        p.add(kp.n0, f"{label}: drawn at closing (the draws step draws on capex)", "0", st.MONEY)
        n = ctx.tr(k, "notional")
        p.add(share(k), f"{label}: debt share of capex (commitment / total capex)",
              f"IF({CN.TOTAL}>0,{n}/{CN.TOTAL},0)", st.PCT4)  # fmt: skip
    else:
        p.add(kp.n0, f"{label}: drawn at closing", _in_period(ctx, k, "0"), st.MONEY)
    avail = f"MIN({ceil_periods(ctx.tr(k, 'availability_months'))},{P.T})"
    p.add(kp.avail, f"{label}: first period after the availability period", avail, st.INT)
    years = ctx.tr(k, "draw_term_years")
    term = f"IF({years}>0,ROUND({years}*{P.PPY},0),{P.T}+{kp.mat})"
    p.add(kp.dterm, f"{label}: periods of each draw's own term", term, st.INT)


# ------------------------------------------------------------------ Timeline
def draw_timeline(g: Grid, ctx: Context) -> None:
    """The draw schedule, the fleet delivered and the cost of the GPUs delivered later."""
    from core.files.excel_credit import gpu_cost

    s, a = g.section("Delayed draws"), g.at
    keys = []
    for k in scheduled(ctx):
        kd = TrancheDraws(k)
        s.add(
            kd.sched,
            f"{ctx.tranche_name(k)}: scheduled draws",
            lambda t, r, k=k: _in_period(ctx, k, a(TL.T, r)),
        )
        keys.append(kd.sched)
    s.add(DD.ALL, "Scheduled draws (all delayed-draw tranches)", lambda t, r: g.total(keys, r))
    every = g.col_range(DD.ALL)
    s.add(
        DD.DELIVERED,
        "Share of the GPU fleet delivered",
        lambda t, r: f"IF(SUM({every})>0,SUM({g.to_row(DD.ALL, r)})/SUM({every}),1)",
        st.PCT,
    )
    fleet = gpu_cost(ctx) if ctx.one("gpu_fleet") else "0"
    s.add(
        DD.CAPEX,
        "GPUs delivered after closing (cost)",
        lambda t, r: (
            f"IF({a(TL.T, r)}=0,0,IF(SUM({every})>0,{fleet}/SUM({every})*{a(DD.ALL, r)},0))"
        ),
    )
    s.add(
        DD.DISC0,
        "Discount factor at the period's start",
        lambda t, r: g.prev(TL.DISC, r, "1"),
        st.FRACTION,
    )


def ramp(ctx: Context, r: int) -> str:
    """``*<share delivered>`` on row ``r`` (empty without delayed draws)."""
    if not delayed(ctx):
        return ""
    return f"*{ctx.grids[K.TIMELINE].ext(DD.DELIVERED, r)}"


def lease_ramp(ctx: Context, lease, r: int) -> str:
    """The ramp of a lease's rent: the compute leases follow the GPUs delivered."""
    if not delayed(ctx):
        return ""
    index = ctx.name(lease, "rent_index")
    return f'*IF({index}="compute",{ctx.grids[K.TIMELINE].ext(DD.DELIVERED, r)},1)'


def fleet_at_close(ctx: Context, cost: str) -> str:
    """The GPUs delivered at closing (all of them without delayed draws)."""
    if not delayed(ctx):
        return cost
    tl = ctx.grids[K.TIMELINE]
    return f"{cost}*{tl.ext(DD.DELIVERED, tl.first)}"


# ------------------------------------------------------------------ Schedules
def vintage_depreciation(s: Section, ctx: Context, cost: str) -> Callable[[int, int], str]:
    """GPU depreciation of a fleet delivered in vintages: each draw's share of the fleet
    follows the whole fleet's book curve from its own period (a row per draw, on ``s``);
    returns the builder of their sum."""
    sc, tl = ctx.grids[K.SCHEDULES], ctx.grids[K.TIMELINE]
    book = sc.col_range(SC.GPU_BOOK)
    every = tl.col_range(DD.ALL, sheet=True)
    keys = []
    for k in scheduled(ctx):  # (the construction builds what a tranche linked to capex funds)
        for i in range(len(ctx.tranches[k].terms["draw_months"])):
            q, lab = DrawParams(k, i), f"{ctx.tranche_name(k)} draw {i + 1}"
            age, key = f"ddage{k}_{i}", f"dddep{k}_{i}"
            s.add(age, f"{lab}: age of its GPUs (periods)", lambda t, r, q=q: (
                f"{sc.at(SC.T, r)}-{q.s}"), st.INT)  # fmt: skip

            def dep(t: int, r: int, q=q, age=age) -> str:
                n = sc.at(age, r)
                prev = f"IF({n}=0,{cost},INDEX({book},{n}))"
                return f"IF({n}>=0,{q.amount}/SUM({every})*({prev}-INDEX({book},{n}+1)),0)"

            s.add(key, f"{lab}: depreciation of its GPUs", dep)
            keys.append(key)
    return lambda t, r: sc.total(keys, r)


class DrawParams:
    """``Parameters`` names of the i-th draw of tranche k's schedule: its period, first
    amortising period, own maturity, amortising periods, annuity rate, bullet and annuity
    flags, and its scheduled amount."""

    def __init__(self, k: int, i: int) -> None:
        q = f"p_k{k}_d{i}_"
        self.s, self.start, self.mat, self.n = q + "s", q + "a", q + "m", q + "n"
        self.rate, self.bullet, self.ann, self.amount = q + "r", q + "b", q + "ann", q + "amt"


def draw_terms(p, ctx: Context) -> None:
    """Each draw's own terms as Parameters (after the Timeline, whose rates they read)."""
    from core.files.excel_construction import CN, has_construction

    tl = ctx.grids[K.TIMELINE]
    for k in delayed(ctx):
        kp = TrancheParams(k)
        am = ctx.tr(k, "amortisation")
        per = tl.col_range(TR(k).per, sheet=True)
        for i in range(n_draws(ctx, k)):
            q, lab = DrawParams(k, i), f"{ctx.tranche_name(k)} draw {i + 1}"
            if is_linked(ctx, k):  # one draw a period from period 0
                p.add(q.s, f"{lab}: period", "0" if i == 0 else f"{DrawParams(k, i - 1).s}+1",
                      st.INT)  # fmt: skip
            else:
                month = _item(ctx, k, "draw_months", i)
                p.add(q.s, f"{lab}: period", f"INT({month}/{P.MPP})", st.INT)
            # no draw amortises before completion (the kernel's draw_first)
            # (its own interest-only periods, not the tranche's: those run to completion)
            io = f"ROUNDUP({ctx.tr(k, 'io_months')}/{P.MPP},0)"
            a0 = f"MAX({q.s}+{io},{CN.COMPLETION})" if has_construction(ctx) else f"{q.s}+{kp.io}"
            p.add(q.start, f"{lab}: first amortising period", a0, st.INT)
            p.add(q.mat, f"{lab}: own maturity", f"MIN({q.s}+{kp.dterm}-1,{kp.mat})", st.INT)
            p.add(q.n, f"{lab}: amortising periods", f"{q.mat}-{q.start}+1", st.INT)
            rate = f"IF({q.start}<{P.T},INDEX({per},{q.start}+1),0)"
            p.add(q.rate, f"{lab}: annuity rate a period", rate, st.PCT4)
            p.add(q.bullet, f"{lab}: bullet", f'IF(OR({am}="bullet",{q.n}<=0),1,0)', st.INT)
            ann = f'IF(AND({am}="annuity",{q.rate}<>0),1,0)'
            p.add(q.ann, f"{lab}: level annuity (else straight line)", ann, st.INT)
            if is_linked(ctx, k):
                continue  # its planned amount: linked_amounts, after Schedules
            amt = f"IF({q.s}>={P.T},0,{_item(ctx, k, 'draw_amounts', i)})"
            p.add(q.amount, f"{lab}: scheduled amount", amt, st.MONEY)


def linked_amounts(p, ctx: Context) -> None:
    """The planned amount of each draw of a tranche linked to capex (``Schedules``' planned
    draws in its period), and the workbook name of the planned capex row (after CashFlows)."""
    from openpyxl.workbook.defined_name import DefinedName

    from core.files.excel_construction import CN, has_construction

    sc = ctx.grids[K.SCHEDULES]
    for k in delayed(ctx):
        if not is_linked(ctx, k):
            continue
        plan = sc.col_range(TrancheDraws(k).plan, sheet=True)
        for i in range(n_draws(ctx, k)):
            q = DrawParams(k, i)
            p.add(q.amount, f"{ctx.tranche_name(k)} draw {i + 1}: planned amount",
                  f"INDEX({plan},{q.s}+1)", st.MONEY)  # fmt: skip
    if has_construction(ctx):
        p.wb.defined_names[CAPEX_ROW] = DefinedName(
            CAPEX_ROW, attr_text=ctx.grids[K.CASHFLOWS].col_range(CN.CAPEX, sheet=True)
        )


def _draw_columns(
    s: Section, ctx: Context, k: int, where: str, t_key: str, amount: Callable[[int], str]
) -> list[str]:
    """Per draw of tranche k: its level payment, what is left of it and its principal each
    period (its own schedule, core.engine.draws.add_draw_schedule); returns the principal
    columns. ``amount(i)``: the draw's amount (an expression)."""
    a = s.at
    kd = TrancheDraws(k)
    out = []
    for i in range(n_draws(ctx, k)):
        q, nm = DrawParams(k, i), f"{ctx.tranche_name(k)} draw {i + 1}"
        A = amount(i)
        pmt, left, paid = f"{kd.left(i, where)}p", kd.left(i, where), kd.paid(i, where)
        s.add(
            pmt,
            f"{nm}: level payment (straight line: principal)",
            lambda t, r, A=A, q=q: (
                f"IF({q.ann}=1,{A}*{q.rate}/(1-(1+{q.rate})^(-{q.n})),{A}/MAX({q.n},1))"
            ),
        )

        def left_f(t: int, r: int, q=q, A=A, left=left, paid=paid) -> str:
            before = f"{s.grid.prev(left, r, '0')}-{s.grid.prev(paid, r, '0')}"
            return f"IF({a(t_key, r)}<={q.start},{A},{before})"

        def paid_f(t: int, r: int, q=q, A=A, left=left, pmt=pmt) -> str:
            T_, lf = a(t_key, r), a(left, r)
            return (
                f"IF({q.bullet}=1,IF({T_}={q.mat},{A},0),IF(OR({T_}<{q.start},{T_}>{q.mat}),0,"
                f"IF({T_}={q.mat},{lf},MIN({a(pmt, r)}-{lf}*{q.rate}*{q.ann},{lf}))))"
            )

        s.add(left, f"{nm}: left to repay", left_f)
        s.add(paid, f"{nm}: own scheduled principal", paid_f)
        out.append(paid)
    return out


def draw_base_schedule(s: Section, ctx: Context, k: int) -> None:
    """A delayed-draw tranche's base-case schedule (every draw made in full): the sum of its
    draws' own schedules, the scheduled balance with the draws, base-case interest with the
    commitment fee; the keys ``_sculpted_schedule`` and the DSRA read."""
    a, g, tl = s.at, s.grid, ctx.grids[K.TIMELINE]
    kd, kp, ks = TrancheDraws(k), TrancheParams(k), TS(k)
    nm, linked = ctx.tranche_name(k), is_linked(ctx, k)
    if linked:  # on the planned capex (core.engine.draws.capex_draws on Construction.capex)
        n, left = ctx.tr(k, "notional"), f"{kd.plan}u"
        s.add(kd.plan, f"{nm}: planned draw on capex", lambda t, r: (
            f"IF({a(SC.T, r)}<{kp.avail},MIN({share(k)}*INDEX({CAPEX_ROW},{a(SC.T, r)}+1),"
            f"{g.prev(left, r, n)}),0)"))  # fmt: skip
        s.add(left, f"{nm}: planned undrawn commitment", lambda t, r: (
            f"{g.prev(left, r, n)}-{a(kd.plan, r)}"))  # fmt: skip
    paid = _draw_columns(s, ctx, k, "s", SC.T, lambda i: DrawParams(k, i).amount)
    s.add(ks.fixed, f"{nm}: draws' schedules", lambda t, r: g.total(paid, r))
    drawn = (lambda r: a(kd.plan, r)) if linked else (
        lambda r: f"IF({a(SC.T, r)}=0,0,{tl.ext(kd.sched, r)})")  # fmt: skip
    s.add(
        ks.open,
        f"{nm}: scheduled balance (opening, after the period's draws)",
        lambda t, r: f"{g.prev(ks.open, r, kp.n0)}-{g.prev(ks.sched, r, '0')}+{drawn(r)}",
    )

    def interest(t: int, r: int) -> str:
        if linked:
            left = a(f"{kd.plan}u", r)
        else:
            left = f"{ctx.tr(k, 'notional')}-SUM({K.TIMELINE}!{tl.to_row(kd.sched, r)})"
        und = f"IF({a(SC.T, r)}<{kp.avail},{left},0)"
        fee = f"{ctx.tr(k, 'commitment_fee')}*{und}*{tl.ext(TR(k).yf, r)}"
        return f"{a(ks.open, r)}*{tl.ext(TR(k).per, r)}+{fee}"

    s.add(ks.interest, f"{nm}: base-case interest and commitment fee", interest)
    from core.files.excel_construction import CN, has_construction

    if has_construction(ctx):  # core.engine.construction.at_completion
        acc = kd.accreted

        def accreted(t: int, r: int) -> str:
            before = f"{g.prev(acc, r, kp.n0)}+{drawn(r)}"
            fee = f"{a(ks.interest, r)}-{a(ks.open, r)}*{tl.ext(TR(k).per, r)}"
            grown = f"({before})*{tl.ext(TR(k).per, r)}+{fee}"
            return (
                f"IF({a(SC.T, r)}<{CN.COMPLETION},{before}+{CN.CAPITALISED}*({grown}),"
                f"{g.prev(acc, r, kp.n0)})"
            )

        s.add(acc, f"{nm}: planned balance by completion (accreted if capitalised)", accreted)
    s.add(
        ks.nonsculpted,
        f"{nm}: non-sculpted principal",
        lambda t, r: f"MIN({a(ks.fixed, r)},{a(ks.open, r)})",
    )


# ------------------------------------------------------------------ CashFlows
def opening_balance(ctx: Context, k: int, g: Grid, r: int) -> str:
    """A tranche's opening balance: last period's closing (the closing draw at first), plus a
    delayed draw made at the start of the period."""
    tk = TrancheFlow(k)
    base = g.prev(tk.closing, r, TrancheParams(k).n0)
    return f"{base}+{g.at(TrancheDraws(k).drawn, r)}" if is_delayed(ctx, k) else base


def draws_step(s: Section, ctx: Context, flow) -> None:
    """Step "draws": each delayed-draw tranche draws its scheduled amount at the start of the
    period unless the facility is in default (acceleration, last period's DSCR or payment
    default) or the borrowing base cuts it; the undrawn commitment and its fee; each draw's own
    schedule on what was drawn; equity's share of the GPUs delivered."""
    a, g = s.at, s.grid
    tl, sc = ctx.grids[K.TIMELINE], ctx.grids[K.SCHEDULES]
    s.add(
        DD.PRE,
        "Debt before the period's draws",
        lambda t, r: (
            "+".join(g.prev(TrancheFlow(k).closing, r, TrancheParams(k).n0) for k in range(ctx.K))
            or "0"
        ),
    )
    made: list[str] = []
    for k in delayed(ctx):
        kd, kp = TrancheDraws(k), TrancheParams(k)
        nm, adv = ctx.tranche_name(k), ctx.tr(k, "max_advance")
        linked = is_linked(ctx, k)
        if linked:  # its share of the capex spent, within the undrawn commitment
            from core.files.excel_construction import CN

            s.add(kd.due, f"{nm}: draw on the capex spent", lambda t, r, kd=kd, kp=kp, k=k: (
                f"IF({a(CF.T, r)}<{kp.avail},MIN({share(k)}*{a(CN.SPEND, r)},"
                f"{g.prev(kd.undrawn, r, ctx.tr(k, 'notional'))}),0)"))  # fmt: skip
        else:
            s.add(
                kd.due,
                f"{nm}: scheduled draw",
                lambda t, r, kd=kd, kp=kp: (
                    f"IF(AND({a(CF.T, r)}>0,{a(CF.T, r)}<{kp.avail}),{tl.ext(kd.sched, r)},0)"
                ),
            )

        def drawn(t: int, r: int, kd=kd, adv=adv, before=tuple(made), linked=linked) -> str:
            stop = f"{a(CF.ALIVE, r)}=0,{a(CF.ACCEL_OPEN, r)}>=0,{g.prev(CF.DFLT, r, '0')}=1"
            if linked:  # the closing period's draw is never stopped
                blocked = f"OR({a(kd.due, r)}<=0,AND({a(CF.T, r)}>0,OR({stop})))"
            else:
                blocked = f"OR({a(CF.T, r)}=0,{a(kd.due, r)}<=0,{stop})"
            room = f"{adv}*{sc.ext(SC.ASSET_VALUE, r)}-({a(DD.PRE, r)}+{g.total(before, r)})"
            return f"IF({blocked},0,IF({adv}>0,MIN({a(kd.due, r)},MAX({room},0)),{a(kd.due, r)}))"

        s.add(kd.drawn, f"{nm}: drawn", drawn)
        made.append(kd.drawn)
        s.add(
            kd.undrawn,
            f"{nm}: undrawn commitment",
            lambda t, r, kd=kd, kp=kp: (
                f"IF({a(CF.T, r)}<{kp.avail},"
                f"{ctx.tr(kd.k, 'notional')}-{kp.n0}-SUM({g.to_row(kd.drawn, r)}),0)"
            ),
        )
        s.add(
            kd.fee,
            f"{nm}: commitment fee",
            lambda t, r, kd=kd: (
                f"{ctx.tr(kd.k, 'commitment_fee')}*{a(kd.undrawn, r)}*{tl.ext(TR(kd.k).yf, r)}"
            ),
        )
        due_col, drawn_col = g.col_range(kd.due), g.col_range(kd.drawn)
        drawn_as = []  # each draw of the schedule: what was drawn of it
        for i in range(n_draws(ctx, k)):
            q = DrawParams(k, i)
            due, got = f"INDEX({due_col},{q.s}+1)", f"INDEX({drawn_col},{q.s}+1)"
            key = f"{kd.left(i, 'c')}x"
            if linked:
                s.add(key, f"{nm} draw {i + 1}: amount drawn", lambda t, r, got=got: got)
            else:
                s.add(
                    key,
                    f"{nm} draw {i + 1}: amount drawn",
                    lambda t, r, q=q, due=due, got=got: (
                        f"IF(OR({q.s}=0,{q.s}>={P.T}),{q.amount},"
                        f"IF({due}>0,{got}*{q.amount}/{due},0))"
                    ),
                )
            drawn_as.append(key)
        paid = _draw_columns(
            s, ctx, k, "c", CF.T, lambda i, keys=tuple(drawn_as): f"INDEX({g.col_range(keys[i])},1)"
        )
        s.add(
            kd.principal,
            f"{nm}: scheduled principal of the draws made",
            lambda t, r, paid=paid: g.total(paid, r),
        )
    s.add(DD.DRAWN, "Drawn (all tranches)", lambda t, r: g.total(made, r))

    def spent_at(r: int) -> str:
        """``+<debt share of the capex spent>``: what the draws do not fund, equity pays."""
        if not any(is_linked(ctx, k) for k in delayed(ctx)):
            return ""
        from core.files.excel_construction import CN

        return f"+{DEBT_SHARE}*{a(CN.SPEND, r)}*{a(CF.ALIVE, r)}"

    s.add(
        DD.EQUITY,
        "Equity's share of the GPUs delivered and of the capex the draws do not fund",
        lambda t, r: f"{tl.ext(DD.CAPEX, r)}*{a(CF.ALIVE, r)}{spent_at(r)}-{a(DD.DRAWN, r)}",
    )


def fee(ctx: Context, k: int, a: Callable[[str, int], str], r: int) -> str:
    """``+<commitment fee>`` of tranche k on row ``r`` (empty for a tranche drawn at close)."""
    return f"+{a(TrancheDraws(k).fee, r)}" if is_delayed(ctx, k) else ""


def equity_share(ctx: Context, a: Callable[[str, int], str], r: int) -> str:
    """``+<equity's share of the deliveries>`` on row ``r`` (empty without delayed draws)."""
    return f"+{a(DD.EQUITY, r)}" if delayed(ctx) else ""


def lent(ctx: Context, k: int, a: Callable[[str, int], str], r: int) -> str:
    """``-<drawn>``: a delayed draw is the lenders' cash out in its period."""
    return f"-{a(TrancheDraws(k).drawn, r)}" if is_delayed(ctx, k) else ""


def lent0(p, ctx: Context) -> None:
    """``p_lent0``: the debt at closing plus each draw at its value at closing (the LLCR's and
    PLCR's debt), with delayed draws."""
    if not delayed(ctx):
        return
    cf, tl = ctx.grids[K.CASHFLOWS], ctx.grids[K.TIMELINE]
    drawn, disc = cf.col_range(DD.DRAWN, sheet=True), tl.col_range(DD.DISC0, sheet=True)
    p.add(DD.LENT0, "Debt lent, delayed draws at their value at closing (USD m)",
          f"{P.DEBT0}+SUMPRODUCT({drawn},{disc})", st.MONEY)  # fmt: skip
