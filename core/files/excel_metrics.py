"""``Metrics`` (formulas on CashFlows, with the engine's value alongside for audit) and
``Results`` (the engine's own period outputs as values).

Conventions of ``core.engine.results`` / ``metrics``: min and average DSCR over periods with debt
service; LLCR / PLCR discount CFADS at the notional-weighted debt rate to the final maturity /
horizon and add the DSRA funded at close; tranche yields are nominal (periodic IRR x periods per
year), the equity IRR effective annual; WAL in years from closing. IRRs use Excel's ``IRR`` with
a guess: the engine's own periodic IRR at export, rounded to four decimals (a seed only: the
result is whatever rate makes the workbook's flows' NPV zero), or the tranche's first periodic
rate / 10% a year for equity when the engine has none.
"""

from __future__ import annotations

import math

import numpy as np
from openpyxl.workbook.workbook import Workbook

from core.engine.constants import IRR_HI, IRR_LO
from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import CN, has_construction, sale_period
from core.files.excel_draws import delayed, is_delayed
from core.files.excel_grid import Context, Grid
from core.files.excel_keys import (
    CF,
    DD,
    TL,
    P,
    TrancheDraws,
    TrancheFlow,
    TrancheParams,
    TrancheRate,
)

EQUITY_SEED = 0.1  # a year: the equity IRR's seed when the engine has none

#: metric key -> (label, number format); keys as in DealResult.metrics
DEAL_METRICS = (
    ("min_dscr", "Minimum DSCR (scheduled debt service, balloons excluded)", st.RATIO),
    ("min_dscr_window", "Minimum DSCR on the covenant's trailing window", st.RATIO),
    ("balloons", "Balloons and bullets due, not in the DSCR (USD m)", st.MONEY),
    ("avg_dscr", "Average DSCR", st.RATIO),
    ("llcr", "LLCR", st.RATIO),
    ("plcr", "PLCR", st.RATIO),
    ("equity_irr", "Equity IRR (effective annual)", st.PCT),
    ("ltv_at_close", "LTV at close", st.PCT),
    ("ltv_at_lease_end", "LTV at lease end", st.PCT),
    ("total_debt", "Total debt (USD m)", st.MONEY),
    ("total_equity", "Total equity (USD m)", st.MONEY),
    ("debt_loss", "Debt written off (USD m)", st.MONEY),
    ("breakeven_cashflow_fall", "Cash-flow fall to DSCR 1.0x", st.PCT),
)
TRANCHE_METRICS = (
    ("notional", "Notional (USD m)", st.MONEY),
    ("wal_years", "WAL (years)", "0.000"),
    ("yield", "Yield (nominal, IRR x periods per year)", st.PCT4),
    ("loss", "Loss (USD m)", st.MONEY),
    ("loss_pct", "Loss (% of notional)", st.PCT),
    ("interest_shortfall_periods", "Periods with a shortfall", st.INT),
)


def _value(v):
    if v is None:
        return None
    if isinstance(v, float | np.floating) and not math.isfinite(float(v)):
        return None
    if isinstance(v, np.integer | np.floating):
        return v.item()
    return v


def _guess(periodic, fallback: float | str) -> float | str:
    """IRR seed: the engine's periodic IRR rounded to 4 decimals, else ``fallback`` (a number,
    or a formula text)."""
    v = _value(periodic)
    return round(v, 4) if isinstance(v, float) and IRR_LO < v < IRR_HI else fallback


IRR_COL, SEED_COL = 5, 6  # the periodic IRR (E) and its seed (F) of an IRR metric's row
FIRST_ROW = 5  # the first metric (rows 1-4: title, note, master flag, captions)


def _irr_helper(ws, row: int, formula) -> str:
    """An IRR metric: the periodic IRR goes to column E, seeded by column F (a blue input, or
    a formula); the metric is blank, as in the engine (bisection on [IRR_LO, IRR_HI] a
    period), when there is no IRR in that range."""
    if isinstance(formula, str):
        return formula
    final, irr, seed = formula
    f = ws.cell(row, SEED_COL)
    if isinstance(seed, str):
        st.style_formula(ws.cell(row, SEED_COL, "=" + seed), st.PCT4)
    else:
        st.style_input(ws.cell(row, SEED_COL, seed), st.PCT4)
    st.style_formula(ws.cell(row, IRR_COL, "=" + irr.format(seed=f.coordinate)), st.PCT4)
    e = f"E{row}"
    return f'IF(AND(ISNUMBER({e}),{e}>{P.IRR_LO},{e}<{P.IRR_HI}),{final.format(irr=e)},"")'


def _flows_table(ws, ctx: Context, top: int) -> list[str]:
    """The cash flows the IRRs use, below the metrics from row ``top`` (closing in column D,
    then each period, as on CashFlows): one row per tranche, then equity; returns each row's
    absolute range."""
    cf = ctx.grids[K.CASHFLOWS]
    g = Grid(K.METRICS, ctx.T, band=ctx.grids[K.TIMELINE], top=top)
    s = g.section("Cash flows for IRRs (closing, then each period)")
    sources = [(f"-{TrancheParams(k).n0}", TrancheFlow(k).to_lenders, ctx.tranche_name(k))
               for k in range(ctx.K)]  # fmt: skip
    sources.append((f"-{P.EQUITY0}", CF.EQUITY_CF, "Equity"))
    keys = []
    for closing, key, label in sources:
        keys.append(f"irr_{key}")
        g.add(keys[-1], label, lambda t, r, key=key: cf.ext(key, r), st.MONEY, s.group,
              total=True, initial=closing)  # fmt: skip
    g.write(ws)
    return [g.col_range(key, close=True) for key in keys]


def write_metrics(wb: Workbook, ctx: Context, result) -> dict[str, str]:
    """Returns metric key (``min_dscr``, ``yield:<tranche>``...) -> ``Metrics!B<row>``."""
    ws = wb.create_sheet(K.METRICS)
    st.title(
        ws,
        "Metrics",
        "Column B: formulas on CashFlows. Column C: the CapStack engine's "
        "value (grey) for audit; they agree after recalculation.",
    )
    for col, text in enumerate(("Metric", "Formula", "Engine", "Key"), start=1):
        st.header(ws.cell(4, col), text)
    rows = len(DEAL_METRICS) + 1 + ctx.K * (1 + len(TRANCHE_METRICS))
    flows = _flows_table(ws, ctx, FIRST_ROW + rows + 2)
    refs: dict[str, str] = {}
    row = _deal_metrics(ws, ctx, result, flows, refs)
    _tranche_metrics(ws, ctx, result, flows, refs, row + 1)
    st.header(ws.cell(4, IRR_COL), "Periodic IRR")
    st.header(ws.cell(4, SEED_COL), "IRR seed")
    st.widths(ws, {1: 40, 2: 14, 3: 14, 4: 26})
    ws.freeze_panes = "B5"
    return refs


def _deal_formulas(ctx: Context, result, flows: list[str]) -> dict:
    cf, tl = ctx.grids[K.CASHFLOWS], ctx.grids[K.TIMELINE]

    def rng(key) -> str:
        return cf.col_range(key, sheet=True)

    dscr, t, test = rng(CF.DSCR), rng(CF.T), rng(CF.TEST)
    owed = rng(CF.DEBT_OWED)
    ppy = ctx.compiled.timeline.periods_per_year
    eq = _value(result.metrics.get("equity_irr"))
    eq_periodic = (1 + eq) ** (1 / ppy) - 1 if isinstance(eq, float) and eq > -1 else None
    eq_guess = _guess(eq_periodic, EQUITY_SEED / ppy)
    disc = tl.col_range(TL.DISC, sheet=True)
    cover = f"SUMPRODUCT(({t}<={{until}})*{rng(CF.CFADS)}*{disc})"
    debt = DD.LENT0 if delayed(ctx) else P.DEBT0  # delayed draws at their value at close
    no_debt = f"{P.DEBT0}<={P.TINY}"
    llcr = f'IF({no_debt},"",({cover.format(until=P.FINAL)}+{P.DSRA0})/{debt})'
    plcr = f'IF({no_debt},"",({cover.format(until=f"{P.T}-1")}+{P.DSRA0})/{debt})'
    if has_construction(ctx):  # from completion: CFADS then on, the debt and DSRA then
        cover = f"SUMPRODUCT(({t}>={CN.C0})*({t}<={{until}})*{rng(CF.CFADS)}*{disc})/{CN.DISC_C}"
        no_c = f"{CN.DEBT_C}<={P.TINY}"
        llcr = f'IF({no_c},"",({cover.format(until=P.FINAL)}+{CN.DSRA_C})/{CN.DEBT_C})'
        plcr = f'IF({no_c},"",({cover.format(until=f"{P.T}-1")}+{CN.DSRA_C})/{CN.DEBT_C})'
    return {
        "min_dscr": f'IF(COUNT({dscr})=0,"",MIN({dscr}))',
        # tested while debt is owed after the period (core.engine.metrics.window_dscr_min)
        "min_dscr_window": (
            f'IF(COUNTIFS({owed},">"&{P.EPS},{test},">-1E+300")=0,"",'
            f'_xlfn.MINIFS({test},{owed},">"&{P.EPS}))'
        ),
        "balloons": f"SUM({rng(CF.BALLOON)})",
        "avg_dscr": f'IF(COUNT({dscr})=0,"",AVERAGE({dscr}))',
        "llcr": llcr,
        "plcr": plcr,
        "equity_irr": (
            f"(1+{{irr}})^{P.PPY}-1",
            f'IFERROR(IRR({flows[-1]},{{seed}}),"")',
            eq_guess,
        ),
        "ltv_at_close": f"INDEX({rng(CF.LTV)},1)",
        "ltv_at_lease_end": f"INDEX({rng(CF.LTV)},MIN({sale_period(ctx)},{P.T}-1)+1)",
        "total_debt": (
            f"{P.DEBT0}+SUM({ctx.grids[K.CASHFLOWS].col_range(DD.DRAWN, sheet=True)})"
            if delayed(ctx)
            else P.DEBT0
        ),
        "total_equity": P.EQUITY0,
        "debt_loss": "+".join(f"SUM({rng(TrancheFlow(k).writeoff)})" for k in range(ctx.K)) or "0",
    }


def _deal_metrics(ws, ctx: Context, result, flows: list[str], refs: dict[str, str]) -> int:
    """Deal metrics from row FIRST_ROW; returns the next free row."""
    formulas = _deal_formulas(ctx, result, flows)
    row = FIRST_ROW
    for key, label, fmt in DEAL_METRICS:
        ws.cell(row, 1, label)
        if key == "breakeven_cashflow_fall":
            # on the covenant window's DSCR when it is longer than a period; 0 below 1.00x
            mn, win = (refs[k].split("!")[1] for k in ("min_dscr", "min_dscr_window"))
            x = f"IF(AND({P.LOOKBACK}>1,ISNUMBER({win})),{win},{mn})"
            f = f'IF(ISNUMBER({x}),IF({x}>0,MAX(({x}-1)/{x},0),""),"")'
        else:
            f = _irr_helper(ws, row, formulas[key])
        st.style_formula(ws.cell(row, 2, "=" + f), fmt)
        st.style_engine_value(ws.cell(row, 3, _value(result.metrics.get(key))), fmt)
        ws.cell(row, 4, key).font = st.NOTE_FONT
        refs[key] = f"{K.METRICS}!B{row}"
        row += 1
    return row


def _tranche_formulas(ctx: Context, k: int, guess: str, flows: list[str]) -> dict:
    cf, tl, tk = ctx.grids[K.CASHFLOWS], ctx.grids[K.TIMELINE], TrancheFlow(k)

    def rng(key) -> str:
        return cf.col_range(key, sheet=True)

    prin, wo, short = rng(tk.principal_paid), rng(tk.writeoff), rng(tk.shortfall)
    # what the tranche lent: at closing, plus its delayed draws (core.engine.draws)
    notional = TrancheParams(k).n0
    if is_delayed(ctx, k):
        notional = f"({notional}+SUM({rng(TrancheDraws(k).drawn)}))"
    years = tl.col_range(TL.YE, sheet=True)
    return {
        "notional": notional,
        "wal_years": (f'IF(SUM({prin})>{P.TINY},SUMPRODUCT({prin},{years})/SUM({prin}),"")'),
        "yield": (f"{{irr}}*{P.PPY}", f'IFERROR(IRR({flows[k]},{{seed}}),"")', guess),
        "loss": f"SUM({wo})",
        "loss_pct": f'IF({notional}>0,SUM({wo})/{notional},"")',
        "interest_shortfall_periods": f"SUMPRODUCT(({short}>{P.EPS})*1)",
    }


def _tranche_metrics(
    ws, ctx: Context, result, flows: list[str], refs: dict[str, str], row: int
) -> None:
    """Per tranche, from ``row``: a heading, then one row per TRANCHE_METRICS."""
    tm, tl = result.tranche_metrics, ctx.grids[K.TIMELINE]
    ppy = ctx.compiled.timeline.periods_per_year
    for k in range(ctx.K):
        nm = ctx.tranche_name(k)
        ws.cell(row, 1, f"Tranche {nm}").font = st.SECTION_FONT
        row += 1
        guess = _guess(tm.iloc[k]["yield"] / ppy, tl.ext(TrancheRate(k).per, tl.first))
        tf = _tranche_formulas(ctx, k, guess, flows)
        for key, label, fmt in TRANCHE_METRICS:
            ws.cell(row, 1, f"  {label}")
            st.style_formula(ws.cell(row, 2, "=" + _irr_helper(ws, row, tf[key])), fmt)
            st.style_engine_value(ws.cell(row, 3, _value(tm.iloc[k][key])), fmt)
            ws.cell(row, 4, f"{key}:{nm}").font = st.NOTE_FONT
            refs[f"{key}:{nm}"] = f"{K.METRICS}!B{row}"
            row += 1


def write_results(wb: Workbook, ctx: Context, result) -> None:
    """The engine's own per-period outputs, as values, for audit (one row per series, one
    column per period, as on CashFlows)."""
    ws = wb.create_sheet(K.RESULTS)
    st.title(
        ws,
        "Engine results (values computed by CapStack, for audit)",
        "The CashFlows sheet's formulas reproduce these numbers.",
    )
    g = Grid(K.RESULTS, ctx.T, band=ctx.grids[K.TIMELINE])
    df = result.periods
    for c in df.columns:
        fmt = st.RATIO if "dscr" in c else st.PCT if c == "ltv" else st.MONEY
        g.add_values(f"p:{c}", c, df[c].to_numpy(), st.INT if c == "flags" else fmt)
    for name, tdf in result.tranches.items():
        s = g.section(f"Tranche {name}")
        for c in tdf.columns:
            g.add_values(f"t:{name}:{c}", f"{name}: {c}", tdf[c].to_numpy(), st.MONEY, s.group)
    g.write(ws, value_style=True)
