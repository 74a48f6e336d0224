"""The credit of the deal's counterparties as named ``Parameters``, so that the ``Leases`` and
``Schedules`` formulas that use them stay short (FAST: no formula over 200 characters).

Per counterparty (a sponsor credit: a parent and its subsidiaries default once,
``core.engine.leases.counterparty_index``) its default period ``p_cp<i>_default`` (T: none);
per guarantee its term's end ``p_g<i>_end``; per residual value guarantee its floor
``p_g<i>_floor`` and whether it pays at the planned sale ``p_g<i>_pays``; and the rows of
``Schedules`` with what each RVG pays (at the planned sale, on a liquidation).
"""

from __future__ import annotations

from core.engine.leases import counterparty_index, guarantor_of, tenant_of
from core.files import excel_style as st
from core.files.excel_construction import CN, has_construction
from core.files.excel_grid import Context, Section
from core.files.excel_keys import SC, GuaranteeParams, P, SponsorParams
from core.files.excel_timeline import Params


def period_of(month: str) -> str:
    """``month_period``: the period in which a month falls, or T when 0 (never)."""
    return f"IF({month}>0,INT({month}/{P.MPP}),{P.T})"


def periods(years: str) -> str:
    """Whole periods in ``years`` (rounded)."""
    return f"ROUND({years}*{P.PPY},0)"


def spv_leases(ctx: Context) -> list:
    spv = ctx.deal.of_kind("spv")[0]
    return list(ctx.deal.links(spv.id, "leases_to"))


def start_of(ctx: Context, lease) -> str:
    """The lease's first period with rent: its start month counts from completion on a deal
    with a construction phase (``construction.operations_offset_months``)."""
    month = ctx.name(lease, "start_month")
    if ctx.compiled.inputs.build is not None:  # a construction phase (excel_construction)
        month = f"({month}+{ctx.name(ctx.one('spv'), 'completion_month')})"
    return f"INT({month}/{P.MPP})"


def gpu_cost(ctx: Context) -> str:
    """The GPU fleet's cost in USD millions (count x unit cost in USD thousands)."""
    fleet = ctx.one("gpu_fleet")
    return f"({ctx.name(fleet, 'count')}*{ctx.name(fleet, 'unit_cost')}/{P.THOUSANDS_PER_M})"


def _guarantee_index(ctx: Context, guarantee) -> int:
    return [b.id for b in ctx.deal.of_kind("guarantee")].index(guarantee.id)


def guarantee_end(ctx: Context, guarantee) -> str:
    """The parameter holding the end (exclusive period) of a guarantee's term."""
    return GuaranteeParams(_guarantee_index(ctx, guarantee)).end


def counterparty_default(ctx: Context, sponsor) -> str:
    """The parameter holding the default period of a sponsor's credit (T: none)."""
    return SponsorParams(counterparty_index(ctx.deal)[sponsor.id]).default


def guarantor_default(ctx: Context, guarantee) -> str:
    """Default period of a guarantee's guarantor; T when it has no guarantor block."""
    sponsor = guarantor_of(ctx.deal, guarantee)
    return P.T if sponsor is None else counterparty_default(ctx, sponsor)


def write_credit_parameters(p: Params, ctx: Context) -> None:
    """Each counterparty's default period and each guarantee's term end."""
    cp = counterparty_index(ctx.deal)
    sponsors = ctx.deal.of_kind("sponsor")
    for i in sorted(set(cp.values())):
        group = {b.id for b in sponsors if cp[b.id] == i}
        parts = [period_of(ctx.name(b, "default_month")) for b in sponsors if b.id in group]
        for lease in spv_leases(ctx):
            tenant = tenant_of(ctx.deal, lease)
            if tenant is not None and tenant.id in group:
                parts.append(period_of(ctx.name(lease, "tenant_default_month")))
        label = f"{sponsors[i].terms['name']} (and its group): default period (T: none)"
        name = SponsorParams(i).default
        if len(f"MIN({','.join(parts)})") > 150:  # long names: one cell each (a short formula)
            for j, part in enumerate(parts):
                p.add(f"{name}_{j}", f"{label}, part {j + 1}", part, st.INT)
            parts = [f"{name}_{j}" for j in range(len(parts))]
        p.add(name, label, f"MIN({','.join(parts)})", st.INT)
    for i, g in enumerate(ctx.deal.of_kind("guarantee")):
        label = f"{g.terms['name']}: end of its term (exclusive period)"
        p.add(GuaranteeParams(i).end, label, _window_end(ctx, g), st.INT)


def _window_end(ctx: Context, guarantee) -> str:
    """End (exclusive period) of a guarantee's term, from closing or from the start of
    operations (the first rent of the leases it covers, counted from completion on a
    construction deal; of every lease when it covers assets); beyond the horizon when it has
    none (``leases.guarantee_window_end``)."""
    years = ctx.name(guarantee, "term_years")
    covered = [b for b in ctx.deal.links(guarantee.id, "guarantees") if b.kind == "lease"]
    starts = [start_of(ctx, b) for b in covered or ctx.deal.of_kind("lease")]
    ops = f"MIN({','.join(starts)})" if starts else "0"
    start = f'IF({ctx.name(guarantee, "term_from")}="operations",{ops},0)'
    return f"IF({years}>0,{start}+{periods(years)},{P.T}+1)"


# ------------------------------------------------------------------ residual value guarantees
def rvgs(ctx: Context) -> list:
    return [g for g in ctx.deal.of_kind("guarantee") if g.terms["guarantee_type"] == "rvg"]


#: ``Parameters``: interest during construction the SPV funds (an all-in RVG floor's financing)
IDC = "p_idc"


def _asset_costs(ctx: Context) -> tuple[str, str]:
    """The GPU fleet's and the facility's cost (formulas; "0" when the deal has none)."""
    fleet, fac = ctx.one("gpu_fleet"), ctx.one("facility")
    return (gpu_cost(ctx) if fleet else "0"), (ctx.name(fac, "cost") if fac else "0")


def _financing(ctx: Context) -> str:
    """Interest during construction the SPV funds (``construction.financing_cost``): the
    interest capitalised by completion (balances at completion less notionals), or the
    interest reserve (the Treasury reserve funded at closing less the capex, which is the
    assets' cost); 0 without a construction phase."""
    if not has_construction(ctx):
        return "0"
    grown = "+".join(f"{CN.at_completion(k)}-{ctx.tr(k, 'notional')}" for k in range(ctx.K))
    fleet_cost, fac_cost = _asset_costs(ctx)
    return f"IF({CN.CAPITALISED}=1,{grown or '0'},{CN.TSY0}-({fleet_cost}+{fac_cost}))"


def _rvg_floor(ctx: Context, gb) -> str:
    """``floor_pct`` of the covered assets' cost; on the all-in basis grown by the financing's
    pro-rata share (``leases.rvg_floor``: covered × (1 + financing / total cost))."""
    n = ctx.name
    fleet_cost, fac_cost = _asset_costs(ctx)
    cost = []
    for b in ctx.deal.links(gb.id, "guarantees"):
        if b.kind == "gpu_fleet":
            cost.append(fleet_cost)
        elif b.kind == "facility":
            cost.append(fac_cost)
        elif b.kind == "lease":
            cost.append(f"{fleet_cost}+{fac_cost}")
    total = f"({fleet_cost}+{fac_cost})"
    all_in = f'IF(AND({n(gb, "floor_basis")}="all_in_cost",{total}>0),1+{IDC}/{total},1)'
    return f"{n(gb, 'floor_pct')}*({'+'.join(cost) or '0'})*{all_in}"


def write_rvg_parameters(p: Params, ctx: Context, sale_mode: str) -> None:
    """Per RVG its floor and whether it pays at the planned sale: when the sale's cause (a
    lease end, or a tenant default: what follows the latest lease end, ``sale_mode``, is a
    forced sale or a re-letting after default) is one the guarantee pays on, operations stop
    within its term and its guarantor has not defaulted by the sale."""
    by_default = f"OR({sale_mode}={P.MODE_FORCED},{sale_mode}={P.MODE_RELET_DEFAULT})"
    if rvgs(ctx):
        p.add(IDC, "Interest during construction funded (all-in RVG floor)", _financing(ctx),
              st.MONEY)  # fmt: skip
    for gb in rvgs(ctx):
        q, lab = GuaranteeParams(_guarantee_index(ctx, gb)), gb.terms["name"]
        p.add(q.floor, f"{lab}: floor (USD m)", _rvg_floor(ctx, gb), st.MONEY)
        trig = f'OR(NOT({by_default}),{ctx.name(gb, "rvg_triggers")}<>"lease_end")'
        pays = f"AND({trig},{P.STOP}<{P.T},{P.STOP}<{q.end},{P.SALE}<{guarantor_default(ctx, gb)})"
        p.add(q.pays, f"{lab}: pays at the planned sale (1/0)", f"IF({pays},1,0)", st.INT)


def rvg_rows(s: Section, ctx: Context, sale_value: str, forced_value: str) -> tuple[str, str]:
    """One row per RVG of what it pays at the planned sale (given the sale value row) and on
    a liquidation after acceleration (given the forced-sale value row: the RVGs that pay on
    any sale, within their term, while their guarantor stands); returns the rows' totals'
    keys (at sale, on liquidation)."""
    a, n = s.at, ctx.name
    at_sale, on_liq = [], []
    for gb in rvgs(ctx):
        q, lab = GuaranteeParams(_guarantee_index(ctx, gb)), gb.terms["name"]
        cap = n(gb, "cap")
        at_sale.append(s.add(
            q.at_sale, f"{lab}: paid at the planned sale",
            lambda t, r, q=q, cap=cap: (
                f"IF({q.pays}=1,MIN(MAX({q.floor}-{a(sale_value, r)},0),{cap}),0)"),
        ))  # fmt: skip
        trig, alive = n(gb, "rvg_triggers"), guarantor_default(ctx, gb)
        on_liq.append(s.add(
            q.on_liquidation, f"{lab}: paid on a liquidation",
            lambda t, r, q=q, cap=cap, trig=trig, alive=alive: (
                f'IF(AND({trig}="any_sale",{a(SC.T, r)}<{q.end},{a(SC.T, r)}<{alive}),'
                f"MIN(MAX({q.floor}-{a(forced_value, r)},0),{cap}),0)"),
        ))  # fmt: skip
    s.add(SC.RVG_SALE, "RVG paid at the planned sale", lambda t, r: s.grid.total(at_sale, r))
    s.add(SC.RVG_LIQ, "RVG paid on a liquidation", lambda t, r: s.grid.total(on_liq, r))
    return SC.RVG_SALE, SC.RVG_LIQ
