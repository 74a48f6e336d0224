"""The going-concern value of the leased assets (core.engine.going_concern; docs/engine.md,
"Going-concern value") as live formulas on ``Schedules``, for the base-case path.

Only on a deal whose SPV sets ``going_concern_yield`` (a workbook of any other deal is
unchanged): a discount-factor row at the yield from closing, the operating costs before the
operating mask, per lease the end of the term in force while the lease performs (0 when it
does not) and the PV of its remaining contracted rent (a SUMPRODUCT of the rent, the discount
factors and a mask of the periods after t and before that end, over the factor at t), the
latest such end, the costs' PV to it, the orderly-sale value at it discounted back, and
GC(t). ``Schedules``' asset value (LTV) is then max(physical, GC) and the value a liquidation
raises max(forced-sale value, GC x (1 - sale cost)) while a lease performs.
"""

from __future__ import annotations

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import CN, has_construction
from core.files.excel_construction import _moved as moved  # the operating phase moved
from core.files.excel_draws import lease_ramp, ramp
from core.files.excel_grid import Context, Section
from core.files.excel_keys import SC, TL, LeaseCols, LeaseParams, P

#: ``Schedules`` lines of the going-concern value
DF, OPEX, END, COSTS, SALE, VALUE, LIQ = (
    "gc_df", "gc_opex", "gc_end", "gc_costs", "gc_sale", "gc_value", "gc_liq",
)  # fmt: skip
#: where a lease performs (1/0), and GC(t) and that flag after a late completion
PERF, VALUE_LATE, PERF_LATE = "gc_perf", "gc_value_late", "gc_perf_late"


def gc_on(ctx: Context) -> bool:
    """Whether the deal values its leased assets as a going concern."""
    return ctx.one("spv").terms["going_concern_yield"] > 0


def going_concern_rows(s: Section, ctx: Context) -> None:
    """The lines of the module doc, into ``s`` (a section of ``Schedules``, after the
    orderly-sale value)."""
    g, a, spv = s.grid, s.at, ctx.one("spv")
    y = ctx.name(spv, "going_concern_yield")
    leases = list(ctx.deal.links(spv.id, "leases_to"))
    ls = ctx.grids[K.LEASES]

    def t_(r: int) -> str:
        return a(SC.T, r)

    s.add(
        DF,
        "Discount factor at the going-concern yield",
        lambda t, r: f"(1+{y})^(-{t_(r)}/{P.PPY})",
        st.FRACTION,
    )
    tr, df = g.col_range(SC.T), g.col_range(DF)
    s.add(OPEX, "Operating costs before the operating mask", lambda t, r: _opex(ctx, s, r))

    def pv(rows: str, end: str, r: int) -> str:
        """PV at t of ``rows`` in the periods after t and before ``end``."""
        return f"SUMPRODUCT(({tr}>{t_(r)})*({tr}<{end})*{rows}*{df})/{a(DF, r)}"

    ends, rents = [], []
    for j, lease in enumerate(leases):
        q, c, lab = LeaseParams(j), LeaseCols(j), lease.terms["name"]
        e, rent = f"gc_e{j}", f"gc_r{j}"
        ends.append(e)
        rents.append(rent)
        s.add(
            e,
            f"{lab}: end of the term in force while it performs (0: it does not)",
            lambda t, r, q=q, c=c: (
                f"IF(AND({t_(r)}>={q.start},{t_(r)}<{q.stop}),{q.end0}+{ls.ext(c.seg, r)}*{q.rn},0)"
            ),
            st.INT,
        )
        rows = ls.col_range(c.rent, sheet=True)
        s.add(
            rent,
            f"{lab}: PV of the rent left in the term in force",
            lambda t, r, e=e, rows=rows, lease=lease: (
                f"IF({a(e, r)}>0,{pv(rows, a(e, r), r)}{lease_ramp(ctx, lease, r)},0)"
            ),
        )
    s.add(
        END,
        "Latest end of a performing lease's term (0: none)",
        lambda t, r: f"MAX({','.join(a(e, r) for e in ends)})",
        st.INT,
    )
    s.add(
        COSTS,
        "PV of the operating costs to that end",
        lambda t, r: pv(g.col_range(OPEX), a(END, r), r),
    )

    def at_end(key: str, r: int) -> str:
        return f"INDEX({g.col_range(key)},1,MIN({a(END, r)},{P.T}-1)+1)"

    s.add(
        SALE,
        "Orderly-sale value at that end, discounted",
        lambda t, r: f"IF({a(END, r)}>0,{at_end(SC.SALE_VALUE, r)}*{at_end(DF, r)}/{a(DF, r)},0)",
    )
    s.add(
        VALUE,
        "Going-concern value (a lease performs)",
        lambda t, r: (
            f"IF({a(END, r)}>{t_(r)},{'+'.join(a(x, r) for x in rents)}"
            f"-{a(COSTS, r)}+{a(SALE, r)},0)"
        ),
    )
    s.flag(PERF, "A lease performs", lambda t, r: f"{a(END, r)}>{t_(r)}")
    if has_construction(ctx):  # a late completion moves GC(t) with the operating phase
        late = ctx.grids[K.LEASES]
        for key, row, label in (
            (VALUE, VALUE_LATE, "Going-concern value after a late completion"),
            (PERF, PERF_LATE, "A lease performs, after a late completion"),
        ):
            s.add(row, label, lambda t, r, key=key: moved(g, key, t_(r), late.ext(CN.LATE, r), r))
    value, perf = _rows(ctx)
    h = ctx.name(spv, "going_concern_haircut")
    s.add(
        LIQ,
        "Forced-sale value, or the going-concern value less its sale cost when more",
        lambda t, r: (
            f"IF({a(perf, r)}=1,MAX({a(SC.FORCED_VALUE, r)},{a(value, r)}*(1-{h})),"
            f"{a(SC.FORCED_VALUE, r)})"
        ),
    )


def _rows(ctx: Context) -> tuple[str, str]:
    """The lines of GC(t) and of where a lease performs that the sale values read."""
    return (VALUE_LATE, PERF_LATE) if has_construction(ctx) else (VALUE, PERF)


def _opex(ctx: Context, s: Section, r: int) -> str:
    """The operating costs of ``plan``'s ``opex``: escalated from closing, with the GPUs
    delivered, zero before a construction's completion; whether or not operations run."""
    a, n, ox = s.at, ctx.name, ctx.one("opex")
    if not ox:
        return "0"
    tl = ctx.grids[K.TIMELINE]
    grow = f"(1+{n(ox, 'escalator')})^INT({tl.ext(TL.YS, r)})"
    cost = f"({a(SC.POWER, r)}+{a(SC.FIXED_COSTS, r)})*{grow}{ramp(ctx, r)}"
    if has_construction(ctx):
        return f"IF({a(SC.T, r)}>={CN.COMPLETION},{cost},0)"
    return cost


def held_value(ctx: Context, s: Section, r: int) -> str:
    """The collateral value held in period r: the physical market value, or GC(t) when more
    while a lease performs (the deal values its leased assets as a going concern)."""
    a = s.at
    if not gc_on(ctx):
        return a(SC.MV, r)
    value, perf = _rows(ctx)
    return f"IF({a(perf, r)}=1,MAX({a(SC.MV, r)},{a(value, r)}),{a(SC.MV, r)})"


def forced_value_key(ctx: Context) -> str:
    """The line a liquidation after acceleration raises (before an RVG's top-up)."""
    return LIQ if gc_on(ctx) else SC.FORCED_VALUE
