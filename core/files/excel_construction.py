"""The construction phase in the workbook (issue #12): its terms on ``Parameters`` and the
waterfall's construction step on ``CashFlows``, restating ``construction`` of
core/engine/reference.py (core/engine/steps/construction.pxi) as formulas.

Parameters: the completion period, the Treasury reserve's periodic yield, whether interest
during construction is capitalised, and the Treasury (proceeds) reserve funded at closing
(core/engine/construction.py ``treasury_funding``: the capex at cost when interest is
capitalised, else the capex and the planned interest on the notionals discounted at the
yield, with the engine's funding cushion). CashFlows: the construction flag, the capex
schedule (the engine's per-period capex, as values: the S-curve is not restated), the reserve
earning its yield and paying the capex, then the interest while building (``idc_funding``
reserve) or nothing (capitalised: the interest step capitalises what the cash does not pay,
without drawing the DSRA); from completion, and in the last period or on a liquidation, what
is left joins the cash. While building there is no DSCR and no covenant test (the CFADS step's
DSCR and the covenant step read :func:`not_building`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.engine.construction import FUNDING_CUSHION
from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_grid import Context, Section
from core.files.excel_keys import CF, TL, P, TrancheFlow, TrancheRate

if TYPE_CHECKING:
    from core.files.excel_timeline import Params
    from core.files.excel_waterfall import Flow


class CN:
    """``CashFlows`` rows and ``Parameters`` names of the construction phase."""

    # Parameters
    COMPLETION, YIELD, CAPITALISED = "p_completion", "p_tsy_yield", "p_idc_capitalised"
    CUSHION, TSY0 = "p_tsy_cushion", "p_tsy0"
    # cover ratios from completion: its period (0 when none), discount factor, debt and DSRA
    C0, DISC_C, DEBT_C, DSRA_C = "p_c0", "p_disc_c", "p_debt_c", "p_dsra_c"
    # CashFlows
    BUILD, CAP_BUILD, CAPEX, PLANNED = "cn_build", "cn_capb", "cn_capex", "cn_planned"
    OPEN, INCOME, PAID, AFTER = "cn_open", "cn_income", "cn_paid", "cn_after"
    INTEREST, DRAW, TSY, CASH = "cn_int", "cn_draw", "cn_tsy", "cn_cash"

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
        f"IF({CN.CAPITALISED}=1,SUM({capex}),{reserve})",
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
    tl = ctx.grids[K.TIMELINE]
    ts = tl.col_range(TL.T, sheet=True)
    for k in range(ctx.K):
        n, per = ctx.tr(k, "notional"), tl.col_range(TrancheRate(k).per, sheet=True)
        grown = f"{n}*EXP(SUMPRODUCT(({ts}<{CN.COMPLETION})*LN(1+{per})))"
        params.add(
            CN.at_completion(k),
            f"{ctx.tranche_name(k)}: balance at completion",
            f"IF({CN.CAPITALISED}=1,{grown},{n})",
            st.MONEY,
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


def construction_step(s: Section, ctx: Context, flow: Flow) -> None:
    """The Treasury reserve: yield, capex, interest while building, release at completion."""
    a, g, tl, cash = s.at, s.grid, ctx.grids[K.TIMELINE], flow.cash
    s.flag(CN.BUILD, "Construction period", lambda t, r: f"{a(CF.T, r)}<{CN.COMPLETION}")
    s.flag(
        CN.CAP_BUILD,
        "Building, interest capitalised",
        lambda t, r: f"AND({a(CN.BUILD, r)}=1,{CN.CAPITALISED}=1)",
    )
    g.add_values(
        CN.CAPEX,
        "Capex (engine's per-period capex schedule, values)",
        ctx.compiled.inputs.capex,
        st.MONEY,
        s.group,
    )
    notionals = [(ctx.tr(k, "notional"), TrancheRate(k).per) for k in range(ctx.K)]

    def planned(t: int, r: int) -> str:
        interest = "+".join(f"{n}*{tl.ext(per, r)}" for n, per in notionals) or "0"
        return f"{a(CN.CAPEX, r)}+{a(CN.BUILD, r)}*({interest})"

    s.add(CN.PLANNED, "Planned capex and interest (reserve sizing)", planned)
    s.add(CN.OPEN, "Treasury reserve (opening)", lambda t, r: g.prev(CN.TSY, r, CN.TSY0))
    s.add(
        CN.INCOME, "Treasury reserve yield", lambda t, r: f"{a(CN.OPEN, r)}*{CN.YIELD}", total=True
    )
    s.add(
        CN.PAID,
        "Capex paid from the Treasury reserve",
        lambda t, r: f"MIN({a(CN.CAPEX, r)},{a(CN.OPEN, r)}+{a(CN.INCOME, r)})",
        total=True,
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
            f"MIN({a(CN.AFTER, r)},{a(CN.INTEREST, r)})),{a(CN.AFTER, r)})"
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
