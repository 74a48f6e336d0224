"""The construction phase in the workbook (issue #12): its terms on ``Parameters`` and the
waterfall's construction step on ``CashFlows``, restating ``construction`` of
core/engine/reference.py (core/engine/steps/construction.pxi) as formulas.

Parameters: the completion period, the first capex period and the construction's length,
the total capex (the GPU fleet's and the facility's cost), the S-curve's coefficients, the
Treasury reserve's periodic yield, whether interest during construction is capitalised, and
the Treasury (proceeds) reserve funded at closing (core/engine/construction.py
``treasury_funding``: the capex at cost when interest is capitalised, else the capex and the
planned interest on the notionals discounted at the yield, with the engine's funding
cushion). CashFlows: the construction flag, the capex schedule as formulas
(``capex_shares``: the cumulative S-curve 3x^2 - 2x^3 or the straight line over the share of
construction time elapsed, or the custom shares of the Inputs), the reserve earning its yield
and paying the capex, then the interest while building (``idc_funding`` reserve) or nothing
(capitalised: the interest step capitalises what the cash does not pay, without drawing the
DSRA); from completion, and in the last period or on a liquidation, what is left joins the
cash. While building there is no DSCR and no covenant test (the CFADS step's DSCR and the
covenant step read :func:`not_building`).

A late completion (``completion_delay_months``, a stress; core/engine/delay.py) as formulas
driven by that input cell: ``Leases`` and ``Schedules`` get the revenue, operating costs and
senior fees with their operating phase moved the delay later (what falls past the horizon is
lost), the completion guarantees paying the rent lost and the interest owed in the late
periods (:func:`late_revenue`, :func:`late_costs`); the planned sale moves the delay later at
the value of its undelayed period (:func:`sale_period`, :func:`sale_proceeds`). CashFlows reads
the moved rows (:func:`operating_row`); the capex spent moves the delay later too (the
reserve keeps the capex still to come past completion; what it cannot pay, equity injects:
:func:`capex_injection`). The debt's schedule and the construction flag do not move (the
engine's rule: debt service falls due from the planned completion).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.engine.construction import FUNDING_CUSHION, S_CURVE_A, S_CURVE_B
from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_grid import Context, Grid, Section
from core.files.excel_keys import CF, LS, SC, TL, P, TrancheFlow, TrancheRate

if TYPE_CHECKING:
    from core.files.excel_timeline import Params
    from core.files.excel_waterfall import Flow


class CN:
    """``CashFlows`` rows and ``Parameters`` names of the construction phase."""

    # Parameters
    COMPLETION, YIELD, CAPITALISED = "p_completion", "p_tsy_yield", "p_idc_capitalised"
    CUSHION, TSY0 = "p_tsy_cushion", "p_tsy0"
    # the capex schedule: first capex period, periods of capex, total, S-curve a x^2 - b x^3
    START, N, TOTAL = "p_cn_start", "p_cn_n", "p_cn_capex"
    SA, SB = "p_scurve_a", "p_scurve_b"
    # a late completion: the delay in periods, the planned sale moved by it
    DELAY, SALE_LATE = "p_delay", "p_sale_late"
    # cover ratios from completion: its period (0 when none), discount factor, debt and DSRA
    C0, DISC_C, DEBT_C, DSRA_C = "p_c0", "p_disc_c", "p_debt_c", "p_dsra_c"
    # CashFlows
    BUILD, CAP_BUILD, CAPEX, PLANNED = "cn_build", "cn_capb", "cn_capex", "cn_planned"
    OPEN, INCOME, PAID, AFTER = "cn_open", "cn_income", "cn_paid", "cn_after"
    INTEREST, DRAW, TSY, CASH = "cn_int", "cn_draw", "cn_tsy", "cn_cash"
    X1, CUM, CUSTOM, SHARE = "cn_x1", "cn_cum", "cn_custom", "cn_share"
    SPEND, SHORT, HOLD = "cn_spend", "cn_short", "cn_hold"
    TSY_CAPEX = "cn_tsy_capex"  # the capex the reserve pays: (1 - debt share) of the spend
    # Leases / Schedules: a late completion
    LATE, DINT, OWED, SHIFTED = "cn_late", "cn_dint", "cn_owed", "cn_shifted"
    REV_LATE, OPEX_LATE, FEES_LATE = "cn_rev_late", "cn_opex_late", "cn_fees_late"

    @staticmethod
    def start_late(j: int) -> str:
        """The j-th lease's first period with rent after a late completion."""
        return f"p_l{j}_start_late"

    @staticmethod
    def guarantee(i: int) -> tuple[str, str, str]:
        """Rows of the i-th completion guarantee (deal order): paid, paid so far, still owed."""
        return f"cn_g{i}_paid", f"cn_g{i}_cum", f"cn_g{i}_owed"

    @staticmethod
    def at_completion(k: int) -> str:
        """The k-th tranche's balance at completion: accreted when interest is capitalised."""
        return f"p_k{k}_ncomp"


def has_construction(ctx: Context) -> bool:
    """Whether the deal has a construction phase (a completion month)."""
    return ctx.compiled.inputs.build is not None


def building(s: Section, r: int) -> str | None:
    """The construction flag of period position ``r`` (1 while building), or None on a sheet
    of a deal without a construction phase."""
    return s.at(CN.BUILD, r) if CN.BUILD in s.grid.index else None


def not_building(s: Section, r: int, cond: str) -> str:
    """``cond``, and not while building (a covenant is not tested during construction)."""
    b = building(s, r)
    return cond if b is None else f"AND({b}=0,{cond})"


def construction_terms(params: Params, ctx: Context) -> None:
    """The construction phase's parameters (after CashFlows, whose rows they sum)."""
    if not has_construction(ctx):
        return
    _completion_terms(params, ctx)
    _accreted(params, ctx)
    _cover_terms(params, ctx)
    g = ctx.grids[K.CASHFLOWS]
    need, ts = g.col_range(CN.PLANNED, sheet=True), g.col_range(CF.T, sheet=True)
    capex = g.col_range(CN.CAPEX, sheet=True)
    from core.files.excel_draws import DEBT_SHARE  # (see _capex_terms)

    params.add(
        CN.CUSHION,
        "Treasury reserve funding cushion",
        FUNDING_CUSHION,
        st.NUMBER,
        constant=True,
        how="core.engine.construction.FUNDING_CUSHION",
    )
    reserve = f"SUMPRODUCT({need}/(1+{CN.YIELD})^({ts}+1))*(1+{CN.CUSHION})"
    params.add(
        CN.TSY0,
        "Treasury (proceeds) reserve funded at closing (USD m)",
        f"IF({CN.CAPITALISED}=1,SUM({capex})*(1-{DEBT_SHARE}),{reserve})",
        st.MONEY,
    )


def _cover_terms(params: Params, ctx: Context) -> None:
    """Where the cover ratios start (core.engine.results: CFADS from completion discounted
    to it, over the debt and DSRA at completion)."""
    g, tl = ctx.grids[K.CASHFLOWS], ctx.grids[K.TIMELINE]
    c0 = f"IF(AND({CN.COMPLETION}>0,{CN.COMPLETION}<{P.T}),{CN.COMPLETION},0)"
    params.add(CN.C0, "Cover ratios: first operating period", c0, st.INT)
    disc = tl.col_range(TL.DISC, sheet=True)
    params.add(CN.DISC_C, "Cover ratios: discount factor to completion",
               f"IF({CN.C0}>0,INDEX({disc},{CN.C0}),1)", st.FRACTION)  # fmt: skip
    bals = [g.col_range(TrancheFlow(k).closing, sheet=True) for k in range(ctx.K)]
    debt = "+".join(f"INDEX({b},{CN.C0})" for b in bals) or "0"
    params.add(CN.DEBT_C, "Cover ratios: debt at completion",
               f"IF({CN.C0}>0,{debt},{P.DEBT0})", st.MONEY)  # fmt: skip
    dsra = f"INDEX({g.col_range(CF.DSRA, sheet=True)},{CN.C0})"
    params.add(CN.DSRA_C, "Cover ratios: DSRA at completion",
               f"IF({CN.C0}>0,{dsra},{P.DSRA0})", st.MONEY)  # fmt: skip


def _accreted(params: Params, ctx: Context) -> None:
    """Each tranche's balance at completion (core.engine.construction.at_completion)."""
    from core.files.excel_draws import is_delayed  # (see _capex_terms)
    from core.files.excel_keys import TrancheDraws, TrancheParams

    tl, sc = ctx.grids[K.TIMELINE], ctx.grids[K.SCHEDULES]
    ts = tl.col_range(TL.T, sheet=True)
    for k in range(ctx.K):
        n, per = ctx.tr(k, "notional"), tl.col_range(TrancheRate(k).per, sheet=True)
        grown = f"{n}*EXP(SUMPRODUCT(({ts}<{CN.COMPLETION})*LN(1+{per})))"
        value = f"IF({CN.CAPITALISED}=1,{grown},{n})"
        if is_delayed(ctx, k):  # its planned draws by completion, accreted on Schedules
            acc = sc.col_range(TrancheDraws(k).accreted, sheet=True)
            value = f"IF({CN.COMPLETION}>0,INDEX({acc},{CN.COMPLETION}),{TrancheParams(k).n0})"
        params.add(
            CN.at_completion(k), f"{ctx.tranche_name(k)}: balance at completion", value, st.MONEY
        )


def _completion_terms(params: Params, ctx: Context) -> None:
    """Completion period, the reserve's periodic yield and the interest-capitalised switch."""
    spv = ctx.one("spv")
    params.add(
        CN.COMPLETION,
        "Completion: first operating period",
        f"MIN(INT({ctx.name(spv, 'completion_month')}/{P.MPP}),{P.T})",
        st.INT,
    )
    _capex_terms(params, ctx)
    from core.files.excel_draws import DEBT_SHARE, delayed, is_linked, share  # (see _capex_terms)

    shares = "+".join(share(k) for k in delayed(ctx) if is_linked(ctx, k)) or "0"
    params.add(DEBT_SHARE, "Share of capex the capex-linked draws fund", shares, st.PCT4)
    params.add(
        CN.DELAY,
        "Late completion: delay in periods (completion_delay_months, rounded up)",
        f"-INT(-{ctx.name(spv, 'completion_delay_months')}/{P.MPP})",
        st.INT,
    )
    params.add(
        CN.SALE_LATE,
        "Planned asset sale after a late completion (period)",
        f"MIN({P.SALE}+{CN.DELAY},{P.T}-1)",
        st.INT,
    )
    params.add(
        CN.YIELD,
        "Treasury reserve yield a period",
        f"{ctx.name(spv, 'treasury_yield')}/{P.PPY}",
        st.PCT4,
    )
    params.add(
        CN.CAPITALISED,
        "Interest during construction capitalised (1) or paid from the reserve (0)",
        f'IF({ctx.name(spv, "idc_funding")}="capitalised",1,0)',
        st.INT,
    )


def _capex_terms(params: Params, ctx: Context) -> None:
    """The capex schedule's terms (core.engine.construction.construction_for): its first
    period (the construction start, at most completion, and a period before a completion that
    falls in it), its length in periods, the total (the GPU fleet's and the facility's cost)
    and the S-curve's coefficients."""
    # imported here: excel_credit imports excel_timeline, which imports this module
    from core.files.excel_credit import gpu_cost

    spv, fleet, fac = ctx.one("spv"), ctx.one("gpu_fleet"), ctx.one("facility")
    c = CN.COMPLETION
    first = f"MIN(INT({ctx.name(spv, 'construction_start_month')}/{P.MPP}),{c})"
    params.add(
        CN.START, "Construction: first capex period", f"IF({first}={c},MAX({c}-1,0),{first})",
        st.INT,
    )  # fmt: skip
    params.add(CN.N, "Construction: periods of capex", f"{c}-{CN.START}", st.INT)
    cost = [gpu_cost(ctx)] if fleet else []
    cost += [ctx.name(fac, "cost")] if fac else []
    params.add(CN.TOTAL, "Construction: total capex (fleet and facility cost, USD m)",
               "+".join(cost) or "0", st.MONEY)  # fmt: skip
    how = "core.engine.construction.S_CURVE_A / S_CURVE_B"
    for name, label, value in (
        (CN.SA, "S-curve: cumulative capex share a x^2 - b x^3, a", S_CURVE_A),
        (CN.SB, "S-curve: cumulative capex share a x^2 - b x^3, b", S_CURVE_B),
    ):
        params.add(name, label, value, st.NUMBER, constant=True, how=how)


def _capex_rows(s: Section, ctx: Context) -> None:
    """Capex in each period: the total x its share (core.engine.construction.capex_shares):
    the rise of the cumulative S-curve a x^2 - b x^3 or of the straight line x over the
    period, x the share of construction time elapsed; or the custom share of the Inputs list;
    everything in the first period when completion falls in it."""
    a, g = s.at, s.grid
    spv = ctx.one("spv")
    profile, shares = ctx.name(spv, "capex_profile"), ctx.refs.lists[(spv.id, "capex_shares")]

    def t_(r: int) -> str:
        return a(CF.T, r)

    s.add(
        CN.X1,
        "Construction time elapsed by the period's end (share)",
        lambda t, r: f"IF({CN.N}>0,MIN(MAX(({t_(r)}+1-{CN.START})/{CN.N},0),1),0)",
        st.FRACTION,
    )

    def cumulative(t: int, r: int) -> str:
        x = a(CN.X1, r)
        return f'IF({profile}="straight_line",{x},{x}*{x}*({CN.SA}-{CN.SB}*{x}))'

    s.add(CN.CUM, "Capex spent by the period's end (share, S-curve or straight line)",
          cumulative, st.FRACTION)  # fmt: skip
    s.add(
        CN.CUSTOM,
        "Custom capex share (Inputs list, from the first capex period)",
        lambda t, r: (
            f"IF(AND({t_(r)}>={CN.START},{t_(r)}<{CN.COMPLETION},{t_(r)}-{CN.START}<ROWS("
            f"{shares})),N(INDEX({shares},{t_(r)}-{CN.START}+1)),0)"
        ),
        st.FRACTION,
    )
    s.add(
        CN.SHARE,
        "Capex share of the period",
        lambda t, r: (
            f'IF({CN.N}=0,IF({t_(r)}=0,1,0),IF({profile}="custom",{a(CN.CUSTOM, r)},'
            f"{a(CN.CUM, r)}-{g.prev(CN.CUM, r, '0')}))"
        ),
        st.FRACTION,
    )
    s.add(CN.CAPEX, "Capex", lambda t, r: f"{CN.TOTAL}*{a(CN.SHARE, r)}", total=True)


def construction_step(s: Section, ctx: Context, flow: Flow) -> None:
    """The Treasury reserve: yield, capex, interest while building, release at completion."""
    a, g, tl, cash = s.at, s.grid, ctx.grids[K.TIMELINE], flow.cash
    s.flag(CN.BUILD, "Construction period", lambda t, r: f"{a(CF.T, r)}<{CN.COMPLETION}")
    s.flag(
        CN.CAP_BUILD,
        "Building, interest capitalised",
        lambda t, r: f"AND({a(CN.BUILD, r)}=1,{CN.CAPITALISED}=1)",
    )
    _capex_rows(s, ctx)
    notionals = [(ctx.tr(k, "notional"), TrancheRate(k).per) for k in range(ctx.K)]

    from core.files.excel_draws import DEBT_SHARE, is_linked  # (see _capex_terms)
    from core.files.excel_keys import TrancheSchedule

    sc = ctx.grids[K.SCHEDULES]

    def planned(t: int, r: int) -> str:
        # a tranche drawn on capex: its base-case interest on the planned draws and its fee
        interest = "+".join(
            sc.ext(TrancheSchedule(k).interest, r) if is_linked(ctx, k) else f"{n}*{tl.ext(per, r)}"
            for k, (n, per) in enumerate(notionals)
        ) or "0"  # fmt: skip
        return f"{a(CN.CAPEX, r)}*(1-{DEBT_SHARE})+{a(CN.BUILD, r)}*({interest})"

    s.add(CN.PLANNED, "Planned capex and interest (reserve sizing)", planned)
    s.add(CN.OPEN, "Treasury reserve (opening)", lambda t, r: g.prev(CN.TSY, r, CN.TSY0))
    s.add(
        CN.INCOME, "Treasury reserve yield", lambda t, r: f"{a(CN.OPEN, r)}*{CN.YIELD}", total=True
    )
    s.add(
        CN.SPEND,
        "Capex spent (the schedule moved by a late completion)",
        lambda t, r: (
            f"IF({a(CF.T, r)}>={CN.DELAY},"
            f"INDEX({g.col_range(CN.CAPEX)},{a(CF.T, r)}-{CN.DELAY}+1),0)"
        ),
        total=True,
    )
    s.add(
        CN.TSY_CAPEX,
        "Capex the Treasury reserve pays (the share capex-linked draws do not fund)",
        lambda t, r: f"{a(CN.SPEND, r)}*(1-{DEBT_SHARE})",
        total=True,
    )
    s.add(
        CN.PAID,
        "Capex paid from the Treasury reserve",
        lambda t, r: f"MIN({a(CN.TSY_CAPEX, r)},{a(CN.OPEN, r)}+{a(CN.INCOME, r)})",
        total=True,
    )
    s.add(
        CN.SHORT,
        "Capex the reserve cannot pay (equity injects it)",
        lambda t, r: f"({a(CN.TSY_CAPEX, r)}-{a(CN.PAID, r)})*{a(CF.ALIVE, r)}",
        total=True,
    )
    s.add(
        CN.HOLD,
        "Capex the reserve still pays after the period",
        lambda t, r: f"SUM({g.col_range(CN.TSY_CAPEX)})-SUM({g.to_row(CN.TSY_CAPEX, r)})",
    )
    s.add(
        CN.AFTER,
        "Treasury reserve after capex",
        lambda t, r: f"{a(CN.OPEN, r)}+{a(CN.INCOME, r)}-{a(CN.PAID, r)}",
    )
    s.add(
        CN.INTEREST,
        "Interest due (all tranches)",
        lambda t, r: g.total([TrancheFlow(k).interest_due for k in range(ctx.K)], r),
    )
    s.add(
        CN.DRAW,
        "Treasury reserve into the waterfall",
        lambda t, r: (
            f"IF(AND({a(CN.BUILD, r)}=1,{a(CF.RELEASE, r)}=0),IF({CN.CAPITALISED}=1,0,"
            f"MIN({a(CN.AFTER, r)},{a(CN.INTEREST, r)})),{a(CN.AFTER, r)}"
            f"-IF({a(CF.RELEASE, r)}=1,0,MIN({a(CN.AFTER, r)},{a(CN.HOLD, r)})))"
        ),
        total=True,
    )
    s.add(
        CN.TSY,
        "Treasury reserve (closing)",
        lambda t, r: f"{a(CN.AFTER, r)}-{a(CN.DRAW, r)}",
    )
    s.add(
        CN.CASH,
        "Cash after the Treasury reserve",
        lambda t, r: f"{a(cash, r)}+{a(CN.DRAW, r)}",
    )
    flow.cash = CN.CASH


# ------------------------------------------------------------------ a late completion
def operating_row(ctx: Context, key: str) -> str:
    """The row CashFlows reads for the revenue (``LS.REVENUE``), operating costs (``SC.OPEX``)
    or senior fees (``SC.FEES``): after a late completion on a construction deal."""
    if not has_construction(ctx):
        return key
    return {LS.REVENUE: CN.REV_LATE, SC.OPEX: CN.OPEX_LATE, SC.FEES: CN.FEES_LATE}[key]


def sale_period(ctx: Context) -> str:
    """The period of the planned sale: moved by a late completion on a construction deal."""
    return CN.SALE_LATE if has_construction(ctx) else P.SALE


def sale_proceeds(s: Section, ctx: Context, got: str, rvg: str, r: int) -> str:
    """The planned sale's proceeds (the sale value on line ``got`` plus the RVG on line
    ``rvg``) in period position ``r``; after a late completion at the moved sale, at their
    value in the undelayed period (core.engine.reference_compile)."""
    a, t = s.at, s.at(SC.T, r)
    if not has_construction(ctx):
        return f"IF({t}={P.SALE},{a(got, r)}+{a(rvg, r)},0)"
    g = s.grid
    at = f"{P.SALE}+1"
    return f"IF({t}={CN.SALE_LATE},INDEX({g.col_range(got)},{at})+INDEX({g.col_range(rvg)},{at}),0)"


def _moved(g: Grid, key: str, t: str, late: str, r: int) -> str:
    """Line ``key`` with its operating phase (from completion) moved the delay later
    (core.engine.delay.shift_rows): as planned before completion, nothing while late."""
    return (
        f"IF({t}<{CN.COMPLETION},{g.at(key, r)},IF({late}=1,0,"
        f"INDEX({g.col_range(key)},{t}-{CN.DELAY}+1)))"
    )


def late_revenue(s: Section, ctx: Context) -> None:
    """Leases: revenue after a late completion (core.engine.delay.delay_operations): the
    operating phase moved the delay later; in each late period the completion guarantees, in
    deal order, pay the rent lost (that period's undelayed revenue) plus the interest owed on
    the balances at completion, up to their caps, while their guarantor stands."""
    if not has_construction(ctx):
        return
    from core.files.excel_credit import guarantor_default  # (see _capex_terms)

    a, g, tl = s.at, s.grid, ctx.grids[K.TIMELINE]
    t = lambda r: a(LS.T, r)  # noqa: E731
    c, d = CN.COMPLETION, CN.DELAY
    s.flag(CN.LATE, "Late: completion <= t < completion + delay",
           lambda _t, r: f"AND({t(r)}>={c},{t(r)}<{c}+{d})")  # fmt: skip
    owed = [(CN.at_completion(k), TrancheRate(k).per) for k in range(ctx.K)]

    def interest(_t: int, r: int) -> str:
        parts = "+".join(f"{n}*{tl.ext(per, r)}" for n, per in owed) or "0"
        return f"IF({t(r)}>={c},{parts},0)"

    s.add(CN.DINT, "Interest owed on the balances at completion", interest)
    s.add(
        CN.OWED,
        "Delay cost: rent lost and interest owed while late",
        lambda _t, r: f"IF({a(CN.LATE, r)}=1,{a(LS.REVENUE, r)}+{a(CN.DINT, r)},0)",
    )
    left, paid = CN.OWED, []
    guarantees = [
        b for b in ctx.deal.of_kind("guarantee") if b.terms["guarantee_type"] == "completion"
    ]
    for i, gb in enumerate(guarantees):
        pay, cum, rest = CN.guarantee(i)
        cap, alive, lab = ctx.name(gb, "cap"), guarantor_default(ctx, gb), gb.terms["name"]
        s.add(
            pay,
            f"{lab}: delay cost paid (completion guarantee)",
            lambda _t, r, cap=cap, alive=alive, cum=cum, left=left: (
                f"IF(AND({a(CN.LATE, r)}=1,{t(r)}<{alive}),"
                f"MIN(MAX({cap}-{g.prev(cum, r, '0')},0),{a(left, r)}),0)"
            ),
            total=True,
        )
        s.add(cum, f"{lab}: paid so far", lambda _t, r, pay=pay, cum=cum: (
            f"{g.prev(cum, r, '0')}+{a(pay, r)}"))  # fmt: skip
        s.add(rest, f"{lab}: delay cost still owed", lambda _t, r, pay=pay, left=left: (
            f"{a(left, r)}-{a(pay, r)}"))  # fmt: skip
        left = rest
        paid.append(pay)
    s.add(
        CN.SHIFTED,
        "Revenue moved by the delay",
        lambda _t, r: _moved(g, LS.REVENUE, t(r), a(CN.LATE, r), r),
    )
    s.add(
        CN.REV_LATE,
        "Revenue after a late completion (with completion guarantees)",
        lambda _t, r: f"{a(CN.SHIFTED, r)}+{g.total(paid, r)}",
        total=True,
    )


def late_costs(s: Section, ctx: Context) -> None:
    """Schedules: operating costs and senior fees after a late completion, moved the delay
    later (core.engine.delay.delay_operations)."""
    if not has_construction(ctx):
        return
    g, ls = s.grid, ctx.grids[K.LEASES]
    for key, late, label in (
        (SC.OPEX, CN.OPEX_LATE, "Operating costs after a late completion"),
        (SC.FEES, CN.FEES_LATE, "Senior fees after a late completion"),
    ):
        s.add(
            late,
            label,
            lambda _t, r, key=key: _moved(g, key, g.at(SC.T, r), ls.ext(CN.LATE, r), r),
            total=True,
        )


def capex_injection(ctx: Context, a, r: int) -> str:  # noqa: ANN001 - Section.at
    """``+<capex the Treasury reserve cannot pay>`` on row ``r``: equity injects it (the
    construction step); empty on a deal without a construction phase."""
    return f"+{a(CN.SHORT, r)}" if has_construction(ctx) else ""
