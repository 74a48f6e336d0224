"""Refinancing of a balloon at maturity (docs/engine.md, "Refinancing") as workbook formulas:
the Parameters of each tranche with refinancing terms, the new tranche's schedule and the DSCR
sizing test per unit on ``Schedules``, and on ``CashFlows`` the amount refinanced at maturity,
the new tranche's rate and its scheduled principal. The kernel's ``_refi_size`` and the cfads
step, restated; only on a deal that refinances (``EngineInputs.refi_on``), so a workbook of any
other deal is unchanged. The workbook is the base case: the refinancing market is open at the
tranches' own terms (the stresses' market rows are not in it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import operating_row
from core.files.excel_grid import Context, Grid, Section
from core.files.excel_keys import CF, LS, SC, TL, P, TrancheFlow, TrancheParams, TrancheRate

#: the CashFlows column of the amount refinanced in a period (all tranches)
REFINANCED = "refinanced"

if TYPE_CHECKING:
    from core.files.excel_timeline import Params


class RefiCols:
    """Names and columns of the k-th tranche's refinancing."""

    def __init__(self, k: int) -> None:
        q = f"p_k{k}_r"
        self.on, self.mat, self.adv, self.dscr, self.spread = (
            q + "on", q + "mat", q + "adv", q + "dscr", q + "sp",
        )  # fmt: skip
        self.fixed = q + "fix"  # Parameters: 1 when the new tranche's rate is fixed (rate0)
        self.rate0 = q + "rate0"  # Parameters: the new tranche's annual rate at refinancing
        self.per0 = q + "per0"  # ... its periodic rate in its first period (the annuity's)
        self.unit, self.left, self.cf, self.cap = f"rs{k}", f"rl{k}", f"rcf{k}", f"rcap{k}"
        self.open, self.size, self.now, self.close = f"rao{k}", f"rsz{k}", f"rnow{k}", f"ra{k}"
        self.when, self.by_adv, self.by_dscr = f"rwh{k}", f"radv{k}", f"rdscr{k}"
        self.inside, self.ds, self.pay, self.n = f"rin{k}", f"rds{k}", q + "pay", q + "n"


def refinanced(ctx: Context) -> list[int]:
    """The tranches (seniority order) the engine refinances at maturity."""
    on = ctx.compiled.inputs.refi_on
    return [] if on is None else [k for k in range(ctx.K) if on[k]]


def refi_parameters(p: Params, ctx: Context) -> None:
    """Parameters of each refinanced tranche (core.engine.refinancing.refi_inputs)."""
    tl = ctx.grids[K.TIMELINE]
    for k in refinanced(ctx):
        rc, nm, mat = RefiCols(k), ctx.tranche_name(k), TrancheParams(k).mat
        sizing = ctx.tr(k, "refi_sizing")
        on = f"IF(AND({ctx.tr(k, 'refinance')},{mat}<{P.T}-1),1,0)"
        p.add(rc.on, f"{nm}: balloon refinanced at maturity", on, st.INT)
        tenor = f"MAX(1,ROUND({ctx.tr(k, 'refi_tenor_years')}*{P.PPY},0))"
        p.add(rc.mat, f"{nm}: refinanced tranche's maturity (index)", f"{mat}+{tenor}", st.INT)
        adv = f'IF({sizing}="dscr",0,{ctx.tr(k, "refi_advance")})'
        p.add(rc.adv, f"{nm}: refinancing advance rate (0: no test)", adv, st.PCT)
        dscr = f'IF({sizing}="advance",0,{ctx.tr(k, "refi_dscr")})'
        p.add(rc.dscr, f"{nm}: refinancing minimum DSCR (0: no test)", dscr, st.RATIO)
        p.add(rc.spread, f"{nm}: refinancing spread", ctx.tr(k, "refi_spread"), st.PCT)
        fixed = f'IF({ctx.tr(k, "refi_rate_type")}="fixed",1,0)'
        p.add(rc.fixed, f"{nm}: refinanced at a fixed rate (1) or floating (0)", fixed, st.INT)
        base = tl.col_range(TL.BASE, sheet=True)
        yf = tl.col_range(TrancheRate(k).yf, sheet=True)
        rate0 = f"INDEX({base},{mat}+1)+{rc.spread}"
        p.add(rc.rate0, f"{nm}: refinanced rate (base at maturity + spread)", rate0, st.PCT4)
        first = f"MIN({mat}+1,{P.T}-1)+1"  # the new tranche's first period (row of the range)
        # the annuity's rate: its first period's (a fixed rate: the base at maturity + spread)
        per0 = f"IF({rc.fixed}=1,{rc.rate0},INDEX({base},{first})+{rc.spread})*INDEX({yf},{first})"
        p.add(rc.per0, f"{nm}: refinanced periodic rate, first period", per0, st.PCT4)
        p.add(rc.n, f"{nm}: refinanced tranche's periods", f"{rc.mat}-{mat}", st.INT)
        pay = f"IF({rc.per0}=0,1/{rc.n},{rc.per0}/(1-(1+{rc.per0})^(-{rc.n})))"
        p.add(rc.pay, f"{nm}: refinanced annuity payment per unit", pay, st.FRACTION)


def refi_schedules(g: Grid, ctx: Context, params: Params) -> None:
    """Per refinanced tranche: its Parameters, the new tranche's scheduled principal per unit
    refinanced (``refinancing.unit_schedule``), its balance per unit, and the DSCR test's
    capacity per period (``_refi_size``: CFADS / (DSCR x debt service per unit))."""
    refi_parameters(params, ctx)
    for k in refinanced(ctx):
        _unit_schedule(g.section(f"Refinancing {ctx.tranche_name(k)}"), ctx, k)


def _unit_schedule(s: Section, ctx: Context, k: int) -> None:
    """One refinanced tranche's lines on ``Schedules`` (see :func:`refi_schedules`)."""
    tl, ls = ctx.grids[K.TIMELINE], ctx.grids[K.LEASES]
    a, rc, mat = s.at, RefiCols(k), TrancheParams(k).mat
    am = ctx.tr(k, "refi_amortisation")
    s.flag(
        rc.inside,
        "Refinanced tranche's life (after the maturity, to its own)",
        lambda t, r: f"AND({a(SC.T, r)}>{mat},{a(SC.T, r)}<=MIN({rc.mat},{P.T}-1))",
    )
    s.add(
        rc.left,
        "Refinanced balance per unit (opening)",
        lambda t, r: (
            f"IF({a(SC.T, r)}<={mat},1,{s.grid.prev(rc.left, r, '1')}"
            f"-{s.grid.prev(rc.unit, r, '0')})"
        ),
        st.FRACTION,
    )
    s.add(
        rc.unit,
        "Refinanced principal per unit",
        lambda t, r: (
            f'IF({a(rc.inside, r)}=1,IF({am}="straight_line",1/{rc.n},IF({am}="annuity",'
            f"MIN({rc.pay}-{rc.per0}*{a(rc.left, r)},{a(rc.left, r)}),0)),0)"
        ),
        st.FRACTION,
    )

    def ebitda(r: int) -> str:
        # the contract as the deal runs (a construction deal's late completion included)
        rev, ox, fee = (operating_row(ctx, key) for key in (LS.REVENUE, SC.OPEX, SC.FEES))
        return f"({ls.ext(rev, r)}-{a(ox, r)}-{a(fee, r)})"

    s.add(
        rc.cf,
        "Contracted CFADS for the refinancing's DSCR test",
        lambda t, r: f"{ebitda(r)}-{P.TAX}*MAX({ebitda(r)}-{a(SC.DEP, r)},0)",
    )
    s.add(
        rc.ds,
        "Refinanced debt service per unit",
        lambda t, r: f"{a(rc.left, r)}*{rc.rate0}*{tl.ext(TrancheRate(k).yf, r)}+{a(rc.unit, r)}",
        st.FRACTION,
    )
    s.add(
        rc.cap,
        "DSCR test: refinancing per unit of debt service",
        lambda t, r: (
            f"IF(AND({a(rc.inside, r)}=1,{a(rc.ds, r)}>{P.EPS}),"
            f'MAX({a(rc.cf, r)},0)/({rc.dscr}*{a(rc.ds, r)}),"")'
        ),
    )


def refi_cashflows(s: Section, ctx: Context) -> None:
    """Step 2 (CFADS) of each refinanced tranche: the amount refinanced (opening, -1: not),
    the refinancing at maturity (advance and DSCR tests) and the amount rolled."""
    for k in refinanced(ctx):
        _refinancing(s, ctx, k)
    rolled = [RefiCols(k).now for k in refinanced(ctx)]
    if rolled:
        s.add(
            REFINANCED, "Refinanced at maturity", lambda t, r: s.grid.total(rolled, r), total=True
        )


def _refinancing(s: Section, ctx: Context, k: int) -> None:
    """One refinanced tranche's columns on ``CashFlows`` (see :func:`refi_cashflows`)."""
    g, a, sc = s.grid, s.at, ctx.grids[K.SCHEDULES]
    rc, nm, mat = RefiCols(k), ctx.tranche_name(k), TrancheParams(k).mat
    s.add(rc.open, f"{nm}: refinanced (opening; -1 not)", lambda t, r: g.prev(rc.close, r, "-1"))
    cap = sc.col_range(rc.cap, sheet=True)

    def b(r: int) -> str:
        return a(TrancheFlow(k).opening, r)

    s.flag(
        rc.when,
        f"{nm}: balloon due and refinanceable",
        lambda t, r: (
            f"AND({rc.on}=1,{a(CF.T, r)}={mat},{a(CF.LAST, r)}=0,{a(CF.ALIVE, r)}=1,"
            f"{a(CF.ACCEL_OPEN, r)}<0,{a(rc.open, r)}<0)"
        ),
    )
    s.add(
        rc.by_adv,
        f"{nm}: refinancing allowed by the advance test",
        lambda t, r: f"IF({rc.adv}>0,MIN({rc.adv},1)*{a(CF.ASSET_VALUE, r)},{b(r)})",
    )
    s.add(
        rc.by_dscr,
        f"{nm}: refinancing allowed by the DSCR test",
        lambda t, r: f"IF({rc.dscr}>0,IF(COUNT({cap})=0,{b(r)},MIN({cap})),{b(r)})",
    )
    s.add(
        rc.size,
        f"{nm}: refinancing at maturity (the lower of the tests)",
        lambda t, r: (
            f"IF({a(rc.when, r)}=1,MAX(MIN({b(r)},{a(rc.by_adv, r)},{a(rc.by_dscr, r)}),0),0)"
        ),
    )
    s.add(
        rc.now,
        f"{nm}: refinanced this period",
        lambda t, r: f"IF({a(rc.size, r)}>{P.EPS},{a(rc.size, r)},0)",
    )
    s.add(
        rc.close,
        f"{nm}: refinanced (closing; -1 not)",
        lambda t, r: (
            f"IF({a(rc.open, r)}>=0,{a(rc.open, r)},IF({a(rc.now, r)}>0,{a(rc.now, r)},-1))"
        ),
    )


def refi_rate(s: Section, ctx: Context, k: int, r: int, per: str) -> str:
    """Tranche ``k``'s periodic rate in row ``r``: ``per``, or once refinanced the base rate +
    the refinancing spread (fixed: the base rate at maturity + spread) times its year
    fraction."""
    if k not in refinanced(ctx):
        return per
    tl, rc = ctx.grids[K.TIMELINE], RefiCols(k)
    annual = f"IF({rc.fixed}=1,{rc.rate0},{tl.ext(TL.BASE, r)}+{rc.spread})"
    new = f"{annual}*{tl.ext(TrancheRate(k).yf, r)}"
    return f"IF({s.at(rc.open, r)}>=0,{new},{per})"


def refi_due(s: Section, ctx: Context, k: int, r: int, due: str) -> str:
    """Tranche ``k``'s scheduled principal due in row ``r``: ``due`` less what is refinanced
    this period, or once refinanced the new tranche's schedule (all at its maturity)."""
    if k not in refinanced(ctx):
        return due
    a, rc, sc = s.at, RefiCols(k), ctx.grids[K.SCHEDULES]
    b = a(TrancheFlow(k).opening, r)
    new = (
        f"IF(OR({a(CF.T, r)}>={rc.mat},{a(CF.LAST, r)}=1),{b},"
        f"MIN({a(rc.open, r)}*{sc.ext(rc.unit, r)},{b}))"
    )
    return f"IF({a(rc.open, r)}>=0,{new},{due}-{a(rc.now, r)})"


def refi_balloon(s: Section, ctx: Context, k: int, r: int, before: str) -> str:
    """Tranche ``k``'s balloon in row ``r`` (``before``: the original tranche's), or once
    refinanced the new tranche's: all that is left at its maturity beyond its schedule."""
    if k not in refinanced(ctx):
        return before
    a, rc, sc = s.at, RefiCols(k), ctx.grids[K.SCHEDULES]
    b, due = a(TrancheFlow(k).opening, r), a(TrancheFlow(k).principal_due, r)
    new = (
        f"IF(OR({a(CF.T, r)}>={rc.mat},{a(CF.LAST, r)}=1),"
        f"MAX({due}-MIN({a(rc.open, r)}*{sc.ext(rc.unit, r)},{b}),0),0)"
    )
    return f"IF({a(rc.open, r)}>=0,{new},{before})"
