"""``Leases``: lease revenue as formulas, restating ``core/engine/leases.py`` and the lease part
of ``core/engine/compile.py`` for the deterministic case.

Per lease (parameters ``p_l<j>_*``): first-period rent (fixed annual rent, or GPU-hours billed at
max(utilisation, take-or-pay) times the price); the initial term and each renewal option as
segments; a renewal reprices at ``renewal_rent_pct`` x min(expiring rent, market rent), the
market falling at ``market_rent_decline`` a year; the escalator applies per full year of a
segment. Rent is paid until the contract end (after the renewals exercised), an early
termination (plus its fee) or a tenant default; after a default a backstop pays the rent owed up
to its cap within its term. Re-leasing at market after the lease ends, to the end of the GPUs'
commercial life. Then the period operations stop and the assets are sold (``p_stop``,
``p_sale``), used by ``Schedules``.
"""

from __future__ import annotations

from functools import partial

from openpyxl.workbook.workbook import Workbook

from core.engine.leases import lease_backstops, tenant_of
from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import CN, has_construction, late_revenue
from core.files.excel_credit import (
    counterparty_default,
    guarantee_end,
    guarantor_default,
    start_of,
    write_credit_parameters,
    write_rvg_parameters,
)
from core.files.excel_credit import period_of as _period_of
from core.files.excel_credit import periods as _periods
from core.files.excel_credit import spv_leases as _spv_leases
from core.files.excel_draws import lease_ramp
from core.files.excel_grid import Context, Grid, Section
from core.files.excel_keys import LS, TL, LeaseCols, LeaseParams, P
from core.files.excel_timeline import Params


def _ceil_periods(months: str) -> str:
    """Whole periods in ``months``, rounded up (``plan.periods_ceil``)."""
    return f"-INT(-{months}/{P.MPP})"


def _tenant_default(ctx: Context, lease) -> str:
    """The period the lease's tenant defaults: its counterparty's default when it has one."""
    tenant = tenant_of(ctx.deal, lease)
    own = _period_of(ctx.name(lease, "tenant_default_month"))
    return own if tenant is None else counterparty_default(ctx, tenant)


def write_leases(wb: Workbook, ctx: Context, p: Params) -> Grid:
    spv = ctx.deal.of_kind("spv")[0]
    leases = list(ctx.deal.links(spv.id, "leases_to"))
    fleet = ctx.one("gpu_fleet")
    tl = ctx.grids[K.TIMELINE]
    g = Grid(K.LEASES, ctx.T, band=tl)
    ctx.grids[K.LEASES] = g
    g.add(LS.T, "Period", lambda t, r: tl.ext(TL.T, r), st.INT)
    comm = _periods(ctx.name(fleet, "commercial_life_years")) if fleet else P.T
    p.add(P.COMM_END, "End of the GPUs' commercial life (period)", comm, st.INT)
    write_credit_parameters(p, ctx)
    for j, lease in enumerate(leases):
        _lease_terms(p, ctx, j, lease)
        s = g.section(f"Lease {lease.terms['name']}")
        _contract_rent(s, p, ctx, j, lease)
        end = _backstop(s, p, ctx, j, lease)
        label = f"{lease.terms['name']}: lease end (first period without lease cash)"
        p.add(LeaseParams(j).end, label, end, st.INT)
        _relet_and_sale(s, p, ctx, j, lease)
    _operations_end(p, ctx, len(leases), comm)
    write_rvg_parameters(p, ctx, sale_mode(ctx))
    g.add(
        LS.REVENUE,
        "Revenue (rent, fees, backstop, re-leasing)",
        lambda t, r: "+".join(
            f"{g.at(c.paid, r)}+{g.at(c.backstop, r)}+{g.at(c.relet, r)}"
            for c in map(LeaseCols, range(len(leases)))
        ),
        st.MONEY,
        "Total",
        16,
        total=True,
    )
    late_revenue(g.section("Late completion"), ctx)  # a construction deal's delay
    ws = wb.create_sheet(K.LEASES)
    st.title(ws, "Leases: revenue by formulas", "Every cell is a formula on Inputs / Parameters.")
    g.write(ws)
    return g


def _hourly_rent(ctx: Context, lease) -> str:
    """Rent in the first period when billed by the GPU-hour: the GPUs (the lease's own
    count, else the fleet's) x hours a period x max(utilisation, take-or-pay) x the price."""
    L = partial(ctx.name, lease)
    fleet = ctx.one("gpu_fleet")
    gpus = f"IF({L('gpus')}>0,{L('gpus')},{ctx.name(fleet, 'count') if fleet else '0'})"
    return (
        f"{L('price_per_gpu_hour')}*{gpus}*{P.HOURS_PER_YEAR}/{P.PPY}"
        f"*MAX({L('utilisation')},{L('take_or_pay')})/{P.USD_PER_M}"
    )


def _lease_terms(p: Params, ctx: Context, j: int, lease) -> None:
    """The lease's periods: start, initial term, renewals, termination, default, stop."""
    L = partial(ctx.name, lease)
    q, lab = LeaseParams(j), lease.terms["name"]
    p.add(q.hourly, f"{lab}: first-period rent if billed by the GPU-hour", _hourly_rent(ctx, lease),
          st.MONEY)  # fmt: skip
    first = f'IF({L("rent_basis")}="fixed",{L("annual_rent")}/{P.PPY},{q.hourly})'
    p.add(q.r0, f"{lab}: rent in the first period", first, st.MONEY)
    # a lease's start counts from completion on a construction deal (excel_credit.start_of)
    p.add(q.start, f"{lab}: first period with rent", start_of(ctx, lease), st.INT)
    if has_construction(ctx):  # and moves with a late completion
        p.add(CN.start_late(j), f"{lab}: first period with rent after a late completion",
              f"{q.start}+{CN.DELAY}", st.INT)  # fmt: skip
    end0 = f"{q.start}+{_periods(L('term_years'))}"
    p.add(q.end0, f"{lab}: end of the initial term (exclusive)", end0, st.INT)
    rn = f"MAX(1,{_periods(L('renewal_term_years'))})"
    p.add(q.rn, f"{lab}: periods per renewal", rn, st.INT)
    endall = f"{q.end0}+{L('renewal_options')}*{q.rn}"
    p.add(q.endall, f"{lab}: end of the last renewal option", endall, st.INT)
    exercised = f"MIN(MAX({L('renewals_exercised')},0),{L('renewal_options')})"
    cend = f"{q.end0}+{exercised}*{q.rn}"
    p.add(q.cend, f"{lab}: contract end after renewals exercised", cend, st.INT)
    dflt = _tenant_default(ctx, lease)
    p.add(q.dflt, f"{lab}: tenant default period (T: none)", dflt, st.INT)
    stop = f"MIN({q.cend},{q.term},{q.dflt})"
    p.add(q.stop, f"{lab}: first period without the tenant's rent", stop, st.INT)
    terminated = f"IF({q.term}<MIN({q.cend},{q.dflt}),1,0)"
    p.add(q.terminated, f"{lab}: terminated early", terminated, st.INT)
    defaulted = f"IF({q.dflt}<MIN({q.cend},{q.term}),1,0)"
    p.add(q.defaulted, f"{lab}: tenant defaulted", defaulted, st.INT)
    lag = _ceil_periods(L("search_lag_months"))
    p.add(q.lag, f"{lab}: search lag before a re-let after a default (periods)", lag, st.INT)


def _contract_rent(s: Section, p: Params, ctx: Context, j: int, lease) -> None:
    """Market index, segment (initial term, then each renewal), segment rent level (a renewal
    reprices at renewal_rent_pct x min(expiring rent, market)), escalated contracted rent, and
    what the tenant pays (rent until it stops, plus a termination fee)."""
    g, a, tl = s.grid, s.at, ctx.grids[K.TIMELINE]
    L = partial(ctx.name, lease)
    q, c, lab = LeaseParams(j), LeaseCols(j), lease.terms["name"]

    def t_(r) -> str:
        return a(LS.T, r)

    s.add(
        c.mkt,
        f"{lab}: market rent index",
        lambda t, r: f"(1-{L('market_rent_decline')})^{tl.ext(TL.YS, r)}",
        st.FRACTION,
    )
    s.add(
        c.seg,
        f"{lab}: segment (0 initial term)",
        lambda t, r: f"IF({t_(r)}<{q.end0},0,1+INT(({t_(r)}-{q.end0})/{q.rn}))",
        st.INT,
    )
    s.add(
        c.segstart,
        f"{lab}: segment start",
        lambda t, r: f"IF({a(c.seg, r)}=0,{q.start},{q.end0}+({a(c.seg, r)}-1)*{q.rn})",
        st.INT,
    )
    s.add(
        c.level,
        f"{lab}: segment rent level",
        lambda t, r: (
            f"IF({a(c.seg, r)}=0,{q.r0},IF({t_(r)}={a(c.segstart, r)},"
            f'{L("renewal_rent_pct")}*IF({L("renewal_pricing")}="contract",'
            f"{g.prev(c.rent, r, q.r0)},MIN({g.prev(c.rent, r, q.r0)},{q.r0}*{a(c.mkt, r)})),"
            f"{g.prev(c.level, r, q.r0)}))"
        ),
    )
    s.add(
        c.rent,
        f"{lab}: contracted rent (all options)",
        lambda t, r: (
            f"IF(AND({t_(r)}>={q.start},{t_(r)}<{q.endall}),"
            f"{a(c.level, r)}*(1+{L('escalator')})^INT(({t_(r)}-{a(c.segstart, r)})/{P.PPY}),0)"
        ),
    )
    gap = L("walk_away_gap")
    s.add(
        c.walk,
        f"{lab}: walks away (rent above market by more than the gap)",
        lambda t, r: (
            f"IF(AND({gap}>0,{t_(r)}>={q.start},{t_(r)}<{q.cend},"
            f"{a(c.rent, r)}>(1+{gap})*({q.r0}*{a(c.mkt, r)})),{t_(r)},{P.T})"
        ),
        st.INT,
    )
    term = f"MIN({_period_of(L('termination_month'))},MIN({g.col_range(c.walk, sheet=True)}))"
    p.add(q.term, f"{lab}: early termination or walk-away period (T: none)", term, st.INT)
    s.add(
        c.paid,
        f"{lab}: rent and termination fee",
        lambda t, r: (
            f"IF({t_(r)}<{q.stop},{a(c.rent, r)}{lease_ramp(ctx, lease, r)},0)+"
            f"IF(AND({q.terminated}=1,{t_(r)}={q.term}),{L('termination_fee')},0)"
        ),
        total=True,
    )


def _backstop(s: Section, p: Params, ctx: Context, j: int, lease) -> str:
    """The backstops pay the rent owed up to their cap: after a tenant default within their
    term (scope ``default``; with a ``re_lease`` recovery only until the re-let starts,
    :func:`_relet_from`), also after an early termination to the contract end
    (``default_or_termination``), or without cap to the contract end after a default
    (``assumption``), and nothing once their guarantor has defaulted; returns the lease end
    (the period the backstop is exhausted, or the rent stops)."""
    a, n = s.at, ctx.name
    q, c, lab = LeaseParams(j), LeaseCols(j), lease.terms["name"]
    backstops = lease_backstops(ctx.deal, lease)
    if not backstops:
        s.add(c.backstop, f"{lab}: backstop paid", lambda t, r: "0")
        return q.stop
    scope = n(backstops[0], "backstop_scope")
    caps = ",".join(n(b, "cap") for b in backstops)
    ends = ",".join(guarantee_end(ctx, b) for b in backstops)
    cap = f'IF({scope}="assumption",{P.NO_CAP},SUM({caps}))'
    p.add(q.cap, f"{lab}: backstop cap", cap, st.MONEY)
    p.add(q.bs_ends, f"{lab}: the backstops' terms end (earliest)", f"MIN({ends})", st.INT)
    # scope default with a re_lease recovery: it pays until the re-let starts (search lag)
    relet_at = _relet_from(ctx, lease, j, scope0=True)
    relet = f'IF({n(lease, "default_recovery")}="re_lease",{relet_at},{P.T})'
    p.add(q.bs_relet, f"{lab}: the re-let starts (scope default: backstop stops)", relet, st.INT)
    relet = q.bs_relet
    horizon = (
        f'IF({scope}="assumption",{q.cend},IF({scope}="default_or_termination",'
        f"MIN({q.cend},{q.bs_ends}),MIN({q.cend},{q.term},{q.bs_ends},{relet})))"
    )
    p.add(q.horizon, f"{lab}: backstop pays until (exclusive)", horizon, st.INT)
    either = f"OR({q.defaulted}=1,{q.terminated}=1)"
    called = f'IF(IF({scope}="default_or_termination",{either},{q.defaulted}=1),1,0)'
    p.add(q.called, f"{lab}: backstop called (1/0)", called, st.INT)
    start = f'IF({scope}="default_or_termination",MIN({q.dflt},{q.term}),{q.dflt})'
    p.add(q.bs_start, f"{lab}: backstop called from (period)", start, st.INT)
    alive = f"MIN({','.join(guarantor_default(ctx, b) for b in backstops)})"
    p.add(q.bs_alive, f"{lab}: backstop guarantors stand until (period)", alive, st.INT)
    called, start, alive = f"{q.called}=1", q.bs_start, q.bs_alive

    def t_(r) -> str:
        return a(LS.T, r)

    s.add(
        c.owed,
        f"{lab}: rent owed after default",
        lambda t, r: (
            f"IF(AND({called},{t_(r)}>={start},{t_(r)}<{q.horizon}),"
            f"{a(c.rent, r)}{lease_ramp(ctx, lease, r)},0)"
        ),
    )
    s.add(
        c.before,
        f"{lab}: owed in earlier periods",
        lambda t, r: f"{s.grid.prev(c.before, r, '0')}+{s.grid.prev(c.owed, r, '0')}",
    )
    s.add(
        c.backstop,
        f"{lab}: backstop paid (nothing once its guarantor has defaulted)",
        lambda t, r: f"IF({t_(r)}<{alive},MIN(MAX({q.cap}-{a(c.before, r)},0),{a(c.owed, r)}),0)",
    )
    s.add(
        c.exhausted,
        f"{lab}: backstop exhausted in period",
        lambda t, r: (
            f"IF(AND({a(c.owed, r)}>0,{a(c.backstop, r)}<"
            f"{a(c.owed, r)}-{P.TINY}),{t_(r)},{q.horizon})"
        ),
        st.INT,
    )
    exh = s.grid.col_range(c.exhausted, sheet=True)
    return f"IF({called},MIN(MAX(MIN({exh}),{start}),{q.horizon}),{q.stop})"


def _relet_from(ctx: Context, lease, j: int, scope0: bool = False) -> str:
    """The period a ``re_lease`` recovery re-lets from after a tenant default: the default
    plus the search lag (a ``default`` backstop pays until then), or the lease end plus the
    lag when a backstop covers a termination too or assumes the lease (``scope0``: the
    default's form, for the ``default`` backstop's horizon)."""
    q = LeaseParams(j)
    backstops = lease_backstops(ctx.deal, lease)
    if scope0 or not backstops:
        return f"{q.dflt}+{q.lag}"
    scope = ctx.name(backstops[0], "backstop_scope")
    return f'IF({scope}="default",{q.dflt},{q.end})+{q.lag}'


def _relet_and_sale(s: Section, p: Params, ctx: Context, j: int, lease) -> None:
    """Re-leasing after the lease ends, to the end of the commercial life: at market after
    expiry (``at_expiry`` re_lease); after a tenant default with ``default_recovery``
    re_lease, from the search lag on, at market less remarketing costs. The latest lease end
    so far and what follows it: 0 an orderly sale, 1 the assets are held and re-let, 2 the
    lenders enforce (forced sale after the liquidation lag), 3 re-let after a default."""
    a, L = s.at, partial(ctx.name, lease)
    q, c, lab = LeaseParams(j), LeaseCols(j), lease.terms["name"]
    label = f"{lab}: re-let after a default from (period)"
    p.add(q.relet_from, label, _relet_from(ctx, lease, j), st.INT)
    s.add(
        c.relet_default,
        f"{lab}: re-let after a default (at market less remarketing)",
        lambda t, r: (
            f'IF(AND({L("default_recovery")}="re_lease",{a(LS.T, r)}>={q.relet_from},'
            f"{a(LS.T, r)}<{P.COMM_END}),{q.r0}*{a(c.mkt, r)}*(1-{L('remarketing_cost_pct')}),0)"
        ),
    )
    s.add(
        c.relet_expiry,
        f"{lab}: re-let at expiry (at market)",
        lambda t, r: (
            f'IF(AND({L("at_expiry")}="re_lease",{a(LS.T, r)}>={q.end},'
            f"{a(LS.T, r)}<{P.COMM_END}),{q.r0}*{a(c.mkt, r)},0)"
        ),
    )
    s.add(
        c.relet,
        f"{lab}: re-leasing at market",
        lambda t, r: (
            f"(IF({q.defaulted}=1,{a(c.relet_default, r)},{a(c.relet_expiry, r)}))"
            f"{lease_ramp(ctx, lease, r)}"
        ),
        total=True,
    )
    prev = LeaseParams(j - 1) if j else None
    ends = f"MAX({q.end},{prev.ends})" if prev else q.end
    p.add(q.ends, f"{lab}: latest lease end so far", ends, st.INT)
    mode = (
        f'IF({q.defaulted}=1,IF({L("default_recovery")}="enforce",{P.MODE_FORCED},'
        f'{P.MODE_RELET_DEFAULT}),IF({L("at_expiry")}="sell",{P.MODE_SELL},{P.MODE_RELET}))'
    )
    if prev:
        mode = f"IF({q.end}>={prev.ends},{mode},{prev.sell})"
    label = f"{lab}: after the latest lease end (0 sell, 1 re-let, 2 forced sale, 3 re-let)"
    p.add(q.sell, label, mode, st.INT)


def sale_mode(ctx: Context) -> str:
    """Parameter holding what follows the latest lease end (see :func:`_relet_and_sale`)."""
    return LeaseParams(len(_spv_leases(ctx)) - 1).sell


def _operations_end(p: Params, ctx: Context, n_leases: int, comm: str) -> None:
    """The period operations stop (the latest lease end if the assets are then sold, orderly
    or forced, else the end of the commercial life) and the planned sale (a forced sale after
    the fleet's liquidation lag)."""
    last = LeaseParams(n_leases - 1)
    keep = f"MAX({comm},{last.ends})"
    relet = f"OR({last.sell}={P.MODE_RELET},{last.sell}={P.MODE_RELET_DEFAULT})"
    stop = f"MIN(IF({relet},{keep},{last.ends}),{P.T})"
    p.add(P.STOP, "First period without operations (T: never)", stop, st.INT)
    fleet = ctx.one("gpu_fleet")
    lag = _ceil_periods(ctx.name(fleet, "liquidation_lag_months")) if fleet else "0"
    sale = f"MIN(IF({last.sell}={P.MODE_FORCED},{P.STOP}+{lag},{P.STOP}),{P.T}-1)"
    p.add(P.SALE, "Period of the planned asset sale", sale, st.INT)
