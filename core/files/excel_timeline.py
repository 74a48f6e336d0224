"""``Parameters`` (scalars derived from Inputs, named ``p_*``) and ``Timeline`` (the period grid
by formulas: EDATE dates, year fractions, base rate, tranche rates, discount factors).
"""

from __future__ import annotations

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook

from core.engine import constants as c
from core.engine.arrays import FLAG_NAMES
from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import CN, has_construction
from core.files.excel_draws import delayed, draw_parameters, draw_timeline
from core.files.excel_grid import Context, Grid, flag01
from core.files.excel_keys import TL, P, TrancheParams, TrancheRate, flag_bit
from core.files.excel_refi import RefiCols, refinanced

NO_CAP = 1e300  # what an uncapped backstop pays up to (the engine: no cap)

#: (name, label, value) of the engine's constants, so that no formula types a number
CONSTANTS = (
    (P.EPS, "Amounts at or below this are zero (USD m)", c.EPS),
    (P.TINY, "Denominators at or below this are zero", c.TINY),
    (P.HOURS_PER_YEAR, "Hours a year", c.HOURS_PER_YEAR),
    (P.DAY_COUNT_BASE, "Days a year of the /360 day counts", c.DAY_COUNT_BASE),
    (P.MONTHS_PER_YEAR, "Months a year", c.MONTHS_PER_YEAR),
    (P.PPY_MONTHLY, "Periods a year, monthly", c.PERIODS_PER_YEAR["monthly"]),
    (P.PPY_QUARTERLY, "Periods a year, quarterly", c.PERIODS_PER_YEAR["quarterly"]),
    (P.PPY_ANNUAL, "Periods a year, annual", c.PERIODS_PER_YEAR["annual"]),
    (P.USD_PER_M, "USD in a USD million", c.USD_PER_MILLION),
    (P.THOUSANDS_PER_M, "USD thousands in a USD million", c.THOUSANDS_PER_MILLION),
    (P.IRR_LO, "Lowest periodic IRR searched", c.IRR_LO),
    (P.IRR_HI, "Highest periodic IRR searched", c.IRR_HI),
    (P.NO_CAP, "A cap that never binds (an assumed lease's backstop)", NO_CAP),
    (P.MODE_SELL, "After the lease: orderly sale (code)", 0),
    (P.MODE_RELET, "After the lease: held and re-let (code)", 1),
    (P.MODE_FORCED, "After the lease: lenders' forced sale (code)", 2),
    (P.MODE_RELET_DEFAULT, "After a tenant default: re-let (code)", 3),
    *((flag_bit(bit), f"Flag bit: {name}", bit) for bit, name in FLAG_NAMES.items()),
)


class Params:
    """Rows of the Parameters sheet; each value is a workbook-scoped name (``excel_keys.P``)."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.ws = wb.create_sheet(K.PARAMETERS)
        st.title(
            self.ws,
            "Parameters derived from Inputs",
            "Blue cells are the CapStack engine's constants (core/engine/constants.py), named so "
            "that no formula types a number; black cells are formulas on the Inputs sheet.",
        )
        for col, text in enumerate(("Parameter", "Value", "Name", "How"), start=1):
            st.header(self.ws.cell(4, col), text)
        self.row = 5
        st.widths(self.ws, {1: 44, 2: 16, 3: 22, 4: 70})
        self.ws.freeze_panes = "B5"

    def add(
        self, name: str, label: str, value, fmt: str = st.NUMBER, constant: bool = False, how=""
    ) -> str:
        """Row ``label`` named ``name``: a formula (text without ``=``) or a value; a
        ``constant`` of the engine is shown as an input (blue)."""
        ws, r = self.ws, self.row
        ws.cell(r, 1, label)
        cell = ws.cell(r, 2)
        if constant:
            cell.value = value
            st.style_input(cell, fmt)
        elif isinstance(value, str):
            cell.value = "=" + value
            st.style_formula(cell, fmt)
        else:
            cell.value = value
            st.style_formula(cell, fmt)
        ws.cell(r, 3, name).font = st.NOTE_FONT
        ws.cell(r, 4, how).font = st.NOTE_FONT
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"{K.PARAMETERS}!$B${r}")
        self.row += 1
        return name


def _ceil_periods(months: str) -> str:
    return f"ROUNDUP({months}/{P.MPP},0)"


def write_parameters(wb: Workbook, ctx: Context) -> Params:
    p = Params(wb)
    for name, label, value in CONSTANTS:
        p.add(name, label, value, constant=True, how="core.engine.constants")
    _period_parameters(p, ctx)
    _covenant_parameters(p, ctx)
    _tranche_parameters(p, ctx)
    return p


def _period_parameters(p: Params, ctx: Context) -> None:
    spv = ctx.deal.of_kind("spv")[0]
    period = ctx.name(spv, "period")
    ppy = (
        f'IF({period}="monthly",{P.PPY_MONTHLY},'
        f'IF({period}="quarterly",{P.PPY_QUARTERLY},{P.PPY_ANNUAL}))'
    )
    p.add(P.PPY, "Periods per year", ppy, st.INT)
    p.add(P.MPP, "Months per period", f"{P.MONTHS_PER_YEAR}/{P.PPY}", st.INT)
    p.add(
        P.T,
        "Periods in the model (rows of each period sheet)",
        ctx.T,
        st.INT,
        how="fixed when the workbook is exported: changing the horizon needs a re-export",
    )
    p.add(P.TAX, "Tax rate", ctx.name(spv, "tax_rate"), st.PCT)


def _covenant_parameters(p: Params, ctx: Context) -> None:
    n, cov = ctx.name, ctx.one("covenant")
    for name, field_name, default, fmt in (
        (P.LOCKUP_DSCR, "lockup_dscr", "0", "0.00"),
        (P.LOCKUP_ACTION, "lockup_action", '"trap"', st.NUMBER),
        (P.DEFAULT_DSCR, "default_dscr", "0", "0.00"),
        (P.DEFAULT_ACTION, "default_action", '"accelerate"', st.NUMBER),
        (P.LTV_MAX, "ltv_max", "0", st.PCT),
        (P.LTV_ACTION, "ltv_action", '"sweep"', st.NUMBER),
    ):
        label = field_name.replace("_", " ").capitalize()
        p.add(name, label, n(cov, field_name) if cov else default, fmt)
    look = _ceil_periods(n(cov, "lookback_months")) if cov else "1"
    p.add(P.LOOKBACK, "DSCR test window (periods)", look, st.INT)
    fleet = ctx.one("gpu_fleet")
    lag = f"MAX(1,{_ceil_periods(n(fleet, 'liquidation_lag_months'))})" if fleet else "1"
    p.add(P.LAG, "Liquidation lag (periods after acceleration)", lag, st.INT)
    crypto = ctx.one("crypto")
    margin = n(crypto, "margin_call_ltv") if crypto else "0"
    p.add(P.MARGIN_LTV, "Crypto margin-call LTV", margin, st.PCT)
    liq = n(crypto, "liquidation_ltv") if crypto else "0"
    p.add(P.CRYPTO_LIQ_LTV, "Crypto liquidation LTV", liq, st.PCT)


def _tranche_parameters(p: Params, ctx: Context) -> None:
    n = ctx.name
    for k in range(ctx.K):
        label, kp = ctx.tranche_name(k), TrancheParams(k)
        tenor, io = ctx.tr(k, "tenor_years"), ctx.tr(k, "io_months")
        p.add(kp.mat, f"{label}: maturity period (index)", f"ROUND({tenor}*{P.PPY},0)-1", st.INT)
        io = _ceil_periods(io)
        if has_construction(ctx):  # interest only until completion at least
            io = f"MAX({io},{CN.COMPLETION})"
        p.add(kp.io, f"{label}: interest-only periods", io, st.INT)
        sweep = f'IF({ctx.tr(k, "amortisation")}="sweep",1,{ctx.tr(k, "sweep_pct")})'
        p.add(kp.sweep, f"{label}: share of spare cash swept", sweep, st.PCT)
        draw_parameters(p, ctx, k, _ceil_periods)
    notionals = ",".join(TrancheParams(k).n0 for k in range(ctx.K)) or "0"
    p.add(P.DEBT0, "Debt at closing (USD m)", f"SUM({notionals})", st.MONEY)
    eq = ",".join(n(b, "amount") for b in ctx.deal.of_kind("equity")) or "0"
    p.add(P.EQUITY0, "Equity invested (USD m)", f"SUM({eq})", st.MONEY)
    mats = ",".join(TrancheParams(k).mat for k in range(ctx.K))
    # a refinanced balloon's new tranche is the same debt, rolled: its maturity ends the life
    mats += "".join(f",IF({RefiCols(k).on}=1,{RefiCols(k).mat},0)" for k in refinanced(ctx))
    final = f"MIN(MAX({mats}),{P.T}-1)" if ctx.K else f"{P.T}-1"
    p.add(P.FINAL, "Final maturity period (index, for LLCR)", final, st.INT)
    reserve = ctx.one("reserve")
    label = "DSRA target (periods of debt service, a fraction pro rata)"
    if reserve and ctx.K:
        p.add(P.DSRA_N, label, f"{n(reserve, 'target_months')}/{P.MPP}", st.FRACTION)
        p.add(P.DSRA_FUNDED, "DSRA funded at closing", n(reserve, "funded_at_close"))
    else:
        p.add(P.DSRA_N, label, 0, st.INT)
        p.add(P.DSRA_FUNDED, "DSRA funded at closing", False)


def write_timeline(wb: Workbook, ctx: Context) -> Grid:
    g = Grid(K.TIMELINE, ctx.T)
    ctx.grids[K.TIMELINE] = g
    _calendar(g, ctx)
    _tranche_rates(g, ctx)
    s = g.section("Discounting")
    s.add(TL.DRATE, "Debt rate per period (notional-weighted)", _debt_rate(g, ctx), st.PCT4)
    s.add(
        TL.DISC,
        "Discount factor",
        lambda t, r: f"{g.prev(TL.DISC, r, '1')}/(1+{g.at(TL.DRATE, r)})",
        st.FRACTION,
    )
    if delayed(ctx):
        draw_timeline(g, ctx)
    ws = wb.create_sheet(K.TIMELINE)
    st.title(ws, "Timeline: the period grid", "Every cell is a formula on Inputs / Parameters.")
    g.write(ws)
    return g


def _calendar(g: Grid, ctx: Context) -> None:
    """Period index, dates, years from closing, last period, ACT/360 fraction, base rate."""
    spv = ctx.deal.of_kind("spv")[0]
    close, base = ctx.name(spv, "closing_date"), ctx.name(spv, "base_rate")
    curve = ctx.refs.lists[(spv.id, "base_rate_curve")]

    def t_(r) -> str:
        return g.at(TL.T, r)

    # the dated header band every per-period sheet repeats (excel_grid.BAND_SIZE rows)
    g.add(TL.T, "Period", lambda t, r: f"{g.prev(TL.T, r, '-1')}+1", st.INT)
    g.add(TL.START, "Start", lambda t, r: f"EDATE({close},{t_(r)}*{P.MPP})", st.DATE)
    g.add(TL.END, "End", lambda t, r: f"EDATE({close},({t_(r)}+1)*{P.MPP})", st.DATE)
    g.add(TL.YEAR, "Year (of the period end)", lambda t, r: f"YEAR({g.at(TL.END, r)})", st.INT)
    g.add(TL.OPS, "Operating (before operations stop)", lambda t, r: flag01(f"{t_(r)}<{P.STOP}"),
          st.FLAG)  # fmt: skip
    g.add(TL.YS, "Years at start", lambda t, r: f"{t_(r)}/{P.PPY}", st.FRACTION)
    g.add(TL.YE, "Years at end", lambda t, r: f"({t_(r)}+1)/{P.PPY}", st.FRACTION)
    g.add(TL.LAST, "Last period", lambda t, r: f"IF({t_(r)}={P.T}-1,1,0)", st.FLAG)
    g.add(
        TL.ACT,
        "ACT/360 fraction",
        lambda t, r: f"({g.at(TL.END, r)}-{g.at(TL.START, r)})/{P.DAY_COUNT_BASE}",
        st.FRACTION,
    )
    g.add(
        TL.BASE,
        "Base rate",
        lambda t, r: (
            f"IF(COUNT({curve})=0,{base},"
            f"INDEX({curve},MIN(INT({g.at(TL.YS, r)}),COUNT({curve})-1)+1))"
        ),
        st.PCT4,
    )


def _tranche_rates(g: Grid, ctx: Context) -> None:
    """Per tranche: year fraction by day count, annual rate, periodic rate."""
    tr, thirty = ctx.tr, f"{P.MPP}/{P.MONTHS_PER_YEAR}"
    for k in range(ctx.K):
        nm, kr = ctx.tranche_name(k), TrancheRate(k)
        s = g.section(f"Tranche {nm}")
        s.add(
            kr.yf,
            f"{nm}: year fraction",
            lambda t, r, k=k, f=thirty: f'IF({tr(k, "day_count")}="ACT/360",{g.at(TL.ACT, r)},{f})',
            st.FRACTION,
        )
        s.add(
            kr.rate,
            f"{nm}: annual rate",
            lambda t, r, k=k: (
                f'IF({tr(k, "rate_type")}="floating",'
                f"{g.at(TL.BASE, r)}+{tr(k, 'spread')},{tr(k, 'coupon')})"
            ),
            st.PCT4,
        )
        s.add(
            kr.per,
            f"{nm}: periodic rate",
            lambda t, r, kr=kr: f"{g.at(kr.rate, r)}*{g.at(kr.yf, r)}",
            st.PCT4,
        )


def _debt_rate(g: Grid, ctx: Context):
    """The notional-weighted periodic debt rate (LLCR / PLCR discounting)."""

    def build(t: int, r: int) -> str:
        if ctx.K == 0:
            return "0"
        per = (f"{TrancheParams(k).n0}*{g.at(TrancheRate(k).per, r)}" for k in range(ctx.K))
        return f"IF({P.DEBT0}>0,({'+'.join(per)})/{P.DEBT0},0)"

    return build
