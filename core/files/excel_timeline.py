"""``Parameters`` (scalars derived from Inputs, named ``p_*``) and ``Timeline`` (the period grid
by formulas: EDATE dates, year fractions, base rate, tranche rates, discount factors).
"""

from __future__ import annotations

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook

from core.files import excel_style as st
from core.files.excel_grid import FIRST_ROW, Context, Grid


def _one(ctx: Context, kind: str):
    blocks = ctx.deal.of_kind(kind)
    return blocks[0] if blocks else None


class Params:
    """Rows of the Parameters sheet; each value is a workbook-scoped name ``p_<key>``."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.ws = wb.create_sheet("Parameters")
        st.title(
            self.ws,
            "Parameters derived from Inputs",
            "Black cells are formulas on the Inputs sheet; grey cells are computed by the "
            "CapStack engine.",
        )
        for col, text in enumerate(("Parameter", "Value", "Name", "How"), start=1):
            st.header(self.ws.cell(4, col), text)
        self.row = 5
        st.widths(self.ws, {1: 44, 2: 16, 3: 22, 4: 70})
        self.ws.freeze_panes = "B5"

    def add(
        self, key: str, label: str, value, fmt: str = st.NUMBER, engine: bool = False, how=""
    ) -> str:
        name = f"p_{key}"
        ws, r = self.ws, self.row
        ws.cell(r, 1, label)
        cell = ws.cell(r, 2)
        if engine:
            cell.value = value
            st.style_engine_value(cell, fmt)
        elif isinstance(value, str):
            cell.value = "=" + value
            st.style_formula(cell, fmt)
        else:
            cell.value = value
            st.style_formula(cell, fmt)
        ws.cell(r, 3, name).font = st.NOTE_FONT
        ws.cell(r, 4, how or ("computed by CapStack engine" if engine else "")).font = st.NOTE_FONT
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"Parameters!$B${r}")
        self.row += 1
        return name


def _ceil_periods(months: str) -> str:
    return f"ROUNDUP({months}/p_mpp,0)"


def write_parameters(wb: Workbook, ctx: Context) -> Params:
    p = Params(wb)
    spv = ctx.deal.of_kind("spv")[0]
    n = ctx.name
    p.add("ppy", "Periods per year", f'IF({n(spv, "period")}="monthly",12,4)', st.INT)
    p.add("mpp", "Months per period", "12/p_ppy", st.INT)
    p.add(
        "T",
        "Periods in the model (rows of each period sheet)",
        ctx.T,
        st.INT,
        how="fixed when the workbook is exported: changing the horizon needs a re-export",
    )
    p.add("tax", "Tax rate", n(spv, "tax_rate"), st.PCT)
    cov = _one(ctx, "covenant")
    for key, field_name, default, fmt in (
        ("lockup_dscr", "lockup_dscr", "0", "0.00"),
        ("lockup_action", "lockup_action", '"trap"', st.NUMBER),
        ("default_dscr", "default_dscr", "0", "0.00"),
        ("default_action", "default_action", '"accelerate"', st.NUMBER),
        ("ltv_max", "ltv_max", "0", st.PCT),
        ("ltv_action", "ltv_action", '"sweep"', st.NUMBER),
    ):
        p.add(key, key.replace("_", " ").capitalize(), n(cov, field_name) if cov else default, fmt)
    look = _ceil_periods(n(cov, "lookback_months")) if cov else "1"
    p.add("lookback", "DSCR test window (periods)", look, st.INT)
    fleet = _one(ctx, "gpu_fleet")
    lag = f"MAX(1,{_ceil_periods(n(fleet, 'liquidation_lag_months'))})" if fleet else "1"
    p.add("lag", "Liquidation lag (periods after acceleration)", lag, st.INT)
    crypto = ctx.deal.of_kind("crypto")
    p.add(
        "margin_ltv",
        "Crypto margin-call LTV",
        n(crypto[0], "margin_call_ltv") if crypto else "0",
        st.PCT,
    )
    p.add(
        "crypto_liq_ltv",
        "Crypto liquidation LTV",
        n(crypto[0], "liquidation_ltv") if crypto else "0",
        st.PCT,
    )
    for k, b in enumerate(ctx.tranches):
        label = b.terms["name"]
        p.add(
            f"k{k}_mat",
            f"{label}: maturity period (index)",
            f"ROUND({ctx.tr(k, 'tenor_years')}*p_ppy,0)-1",
            st.INT,
        )
        p.add(
            f"k{k}_io",
            f"{label}: interest-only periods",
            _ceil_periods(ctx.tr(k, "io_months")),
            st.INT,
        )
        p.add(
            f"k{k}_sweep",
            f"{label}: share of spare cash swept",
            f'IF({ctx.tr(k, "amortisation")}="sweep",1,{ctx.tr(k, "sweep_pct")})',
            st.PCT,
        )
    notionals = ",".join(ctx.tr(k, "notional") for k in range(len(ctx.tranches))) or "0"
    p.add("debt0", "Debt at closing (USD m)", f"SUM({notionals})", st.MONEY)
    eq = ",".join(n(b, "amount") for b in ctx.deal.of_kind("equity")) or "0"
    p.add("equity0", "Equity invested (USD m)", f"SUM({eq})", st.MONEY)
    p.add(
        "final",
        "Final maturity period (index, for LLCR)",
        f"MIN(MAX({','.join(f'p_k{k}_mat' for k in range(len(ctx.tranches))) or '0'}),p_T-1)"
        if ctx.tranches
        else "p_T-1",
        st.INT,
    )
    reserve = _one(ctx, "reserve")
    if reserve and ctx.tranches:
        p.add(
            "dsra_n",
            "DSRA target (periods of debt service)",
            _ceil_periods(n(reserve, "target_months")),
            st.INT,
        )
        p.add("dsra_funded", "DSRA funded at closing", n(reserve, "funded_at_close"))
    else:
        p.add("dsra_n", "DSRA target (periods of debt service)", 0, st.INT)
        p.add("dsra_funded", "DSRA funded at closing", False)
    return p


def write_timeline(wb: Workbook, ctx: Context) -> Grid:
    g = Grid("Timeline", ctx.T)
    spv = ctx.deal.of_kind("spv")[0]
    close = ctx.name(spv, "closing_date")
    curve = ctx.refs.lists[(spv.id, "base_rate_curve")]
    g.add("t", "Period", lambda t, r: "0" if t == 0 else f"{g.at('t', r - 1)}+1", st.INT, width=7)
    g.add("start", "Start", lambda t, r: f"EDATE({close},{g.at('t', r)}*p_mpp)", st.DATE)
    g.add("end", "End", lambda t, r: f"EDATE({close},({g.at('t', r)}+1)*p_mpp)", st.DATE)
    g.add("ys", "Years at start", lambda t, r: f"{g.at('t', r)}/p_ppy", st.FRACTION)
    g.add("ye", "Years at end", lambda t, r: f"({g.at('t', r)}+1)/p_ppy", st.FRACTION)
    g.add("last", "Last period", lambda t, r: f"IF({g.at('t', r)}=p_T-1,1,0)", st.FLAG, width=7)
    g.add(
        "act",
        "ACT/360 fraction",
        lambda t, r: f"({g.at('end', r)}-{g.at('start', r)})/360",
        st.FRACTION,
    )
    base = ctx.name(spv, "base_rate")
    g.add(
        "base",
        "Base rate",
        lambda t, r: (
            f"IF(COUNT({curve})=0,{base},"
            f"INDEX({curve},MIN(INT({g.at('ys', r)}),COUNT({curve})-1)+1))"
        ),
        st.PCT4,
    )
    K = len(ctx.tranches)
    for k, b in enumerate(ctx.tranches):
        nm = b.terms["name"]
        grp = f"Tranche {nm}"
        g.add(
            f"yf{k}",
            f"{nm}: year fraction",
            lambda t, r, k=k: f'IF({ctx.tr(k, "day_count")}="ACT/360",{g.at("act", r)},p_mpp/12)',
            st.FRACTION,
            grp,
        )
        g.add(
            f"rate{k}",
            f"{nm}: annual rate",
            lambda t, r, k=k: (
                f'IF({ctx.tr(k, "rate_type")}="floating",'
                f"{g.at('base', r)}+{ctx.tr(k, 'spread')},{ctx.tr(k, 'coupon')})"
            ),
            st.PCT4,
            grp,
        )
        g.add(
            f"per{k}",
            f"{nm}: periodic rate",
            lambda t, r, k=k: f"{g.at(f'rate{k}', r)}*{g.at(f'yf{k}', r)}",
            st.PCT4,
            grp,
        )

    def debt_rate(t: int, r: int) -> str:
        if K == 0:
            return "0"
        num = "+".join(f"{ctx.tr(k, 'notional')}*{g.at(f'per{k}', r)}" for k in range(K))
        return f"IF(p_debt0>0,({num})/p_debt0,0)"

    g.add("drate", "Debt rate per period (notional-weighted)", debt_rate, st.PCT4, "Discounting")
    g.add(
        "disc",
        "Discount factor",
        lambda t, r: f"{g.prev('disc', r, '1')}/(1+{g.at('drate', r)})",
        st.FRACTION,
        "Discounting",
    )
    ws = wb.create_sheet("Timeline")
    st.title(ws, "Timeline: the period grid", "Every cell is a formula on Inputs / Parameters.")
    g.write(ws)
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
    ctx.grids["tl"] = g
    return g
