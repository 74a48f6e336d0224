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
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook

from core.files import excel_style as st
from core.files.excel_grid import FIRST_ROW, Context

#: metric key -> (label, number format); keys as in DealResult.metrics
DEAL_METRICS = (
    ("min_dscr", "Minimum DSCR", st.RATIO),
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


def _guess(periodic, fallback: str) -> str:
    """IRR seed: the engine's periodic IRR rounded to 4 decimals, else ``fallback``."""
    v = _value(periodic)
    return f"{round(v, 4):.4f}" if isinstance(v, float) and -0.99 < v < 10 else fallback


def _irr_helper(ws, row: int, formula) -> str:
    """An IRR metric: the periodic IRR goes to column E; the metric is blank, as in the engine
    (bisection on [-99%, 1000%] a period), when there is no IRR in that range."""
    if isinstance(formula, str):
        return formula
    final, irr = formula
    st.style_formula(ws.cell(row, 5, "=" + irr), st.PCT4)
    e = f"E{row}"
    return f'IF(AND(ISNUMBER({e}),{e}>-0.99,{e}<10),{final.format(irr=e)},"")'


def write_metrics(wb: Workbook, ctx: Context, result) -> dict[str, str]:
    """Returns metric key (``min_dscr``, ``yield:<tranche>``...) -> ``Metrics!B<row>``."""
    cf, tl = ctx.grids["cf"], ctx.grids["tl"]
    ws = wb.create_sheet("Metrics")
    st.title(
        ws,
        "Metrics",
        "Column B: formulas on CashFlows. Column C: the CapStack engine's "
        "value (grey) for audit; they agree after recalculation.",
    )
    for col, text in enumerate(("Metric", "Formula", "Engine", "Key"), start=1):
        st.header(ws.cell(4, col), text)
    rng = lambda key: cf.col_range(key, sheet=True)  # noqa: E731
    dscr, t = rng("dscr"), rng("t")
    K = len(ctx.tranches)
    # cash flows for IRRs: a small table to the right, closing in row FIRST_ROW
    flow_col0 = 7
    hdr = ["Period", *[b.terms["name"] for b in ctx.tranches], "Equity"]
    for j, text in enumerate(hdr):
        st.header(ws.cell(4, flow_col0 + j), text)
        ws.column_dimensions[get_column_letter(flow_col0 + j)].width = 12
    ws.cell(3, flow_col0, "Cash flows for IRRs (closing, then each period)").font = st.SECTION_FONT
    for i in range(ctx.T + 1):
        r = FIRST_ROW + i
        c = ws.cell(r, flow_col0, i)
        st.style_formula(c, st.INT)
        for k in range(K):
            f = f"=-{ctx.tr(k, 'notional')}" if i == 0 else f"={cf.ext(f'flow{k}', r - 1)}"
            st.style_formula(ws.cell(r, flow_col0 + 1 + k, f))
        f = "=-p_equity0" if i == 0 else f"={cf.ext('equity_cf', r - 1)}"
        st.style_formula(ws.cell(r, flow_col0 + 1 + K, f))
    last = FIRST_ROW + ctx.T

    def flows(j: int) -> str:
        lt = get_column_letter(flow_col0 + 1 + j)
        return f"${lt}${FIRST_ROW}:${lt}${last}"

    ppy = ctx.compiled.timeline.periods_per_year
    eq = _value(result.metrics.get("equity_irr"))
    eq_periodic = (1 + eq) ** (1 / ppy) - 1 if isinstance(eq, float) and eq > -1 else None
    eq_guess = _guess(eq_periodic, "0.1/p_ppy")
    cover = f"SUMPRODUCT(({t}<={{until}})*{rng('cfads')}*{tl.col_range('disc', sheet=True)})"
    formulas = {
        "min_dscr": f'IF(COUNT({dscr})=0,"",MIN({dscr}))',
        "avg_dscr": f'IF(COUNT({dscr})=0,"",AVERAGE({dscr}))',
        "llcr": f'IF(p_debt0<=1E-12,"",({cover.format(until="p_final")}+p_dsra0)/p_debt0)',
        "plcr": f'IF(p_debt0<=1E-12,"",({cover.format(until="p_T-1")}+p_dsra0)/p_debt0)',
        "equity_irr": ("(1+{irr})^p_ppy-1", f'IFERROR(IRR({flows(K)},{eq_guess}),"")'),
        "ltv_at_close": f"INDEX({rng('ltv')},1)",
        "ltv_at_lease_end": f"INDEX({rng('ltv')},MIN(p_sale,p_T-1)+1)",
        "total_debt": "p_debt0",
        "total_equity": "p_equity0",
        "debt_loss": "+".join(f"SUM({rng(f'wo{k}')})" for k in range(K)) or "0",
    }
    refs: dict[str, str] = {}
    row = FIRST_ROW
    for key, label, fmt in DEAL_METRICS:
        ws.cell(row, 1, label)
        if key == "breakeven_cashflow_fall":
            mn = refs["min_dscr"].split("!")[1]
            f = f'IF(ISNUMBER({mn}),IF({mn}>0,({mn}-1)/{mn},""),"")'
        else:
            f = _irr_helper(ws, row, formulas[key])
        st.style_formula(ws.cell(row, 2, "=" + f), fmt)
        st.style_engine_value(ws.cell(row, 3, _value(result.metrics.get(key))), fmt)
        ws.cell(row, 4, key).font = st.NOTE_FONT
        refs[key] = f"Metrics!B{row}"
        row += 1
    row += 1
    tm = result.tranche_metrics
    for k, b in enumerate(ctx.tranches):
        nm = b.terms["name"]
        ws.cell(row, 1, f"Tranche {nm}").font = st.SECTION_FONT
        row += 1
        prin, wo, short = rng(f"prin{k}"), rng(f"wo{k}"), rng(f"short{k}")
        guess = _guess(tm.iloc[k]["yield"] / ppy, tl.ext(f"per{k}", FIRST_ROW))
        tf = {
            "notional": ctx.tr(k, "notional"),
            "wal_years": f"IF(SUM({prin})>1E-12,SUMPRODUCT({prin},"
            f'{tl.col_range("ye", sheet=True)})/SUM({prin}),"")',
            "yield": ("{irr}*p_ppy", f'IFERROR(IRR({flows(k)},{guess}),"")'),
            "loss": f"SUM({wo})",
            "loss_pct": f'IF({ctx.tr(k, "notional")}>0,SUM({wo})/{ctx.tr(k, "notional")},"")',
            "interest_shortfall_periods": f"SUMPRODUCT(({short}>1E-09)*1)",
        }
        for key, label, fmt in TRANCHE_METRICS:
            ws.cell(row, 1, f"  {label}")
            st.style_formula(ws.cell(row, 2, "=" + _irr_helper(ws, row, tf[key])), fmt)
            st.style_engine_value(ws.cell(row, 3, _value(tm.iloc[k][key])), fmt)
            ws.cell(row, 4, f"{key}:{nm}").font = st.NOTE_FONT
            refs[f"{key}:{nm}"] = f"Metrics!B{row}"
            row += 1
    st.header(ws.cell(4, 5), "Periodic IRR")
    st.widths(ws, {1: 40, 2: 14, 3: 14, 4: 26, 5: 13})
    ws.freeze_panes = "B5"
    return refs


def write_results(wb: Workbook, ctx: Context, result) -> None:
    """The engine's own per-period outputs, as values, for audit."""
    ws = wb.create_sheet("Results")
    st.title(
        ws,
        "Engine results (values computed by CapStack, for audit)",
        "The CashFlows sheet's formulas reproduce these numbers.",
    )
    df = result.periods.copy()
    cols: list[tuple[str, np.ndarray, str]] = [
        (c, df[c].to_numpy(), st.RATIO if "dscr" in c else st.PCT if c == "ltv" else st.MONEY)
        for c in df.columns
    ]
    for name, tdf in result.tranches.items():
        for c in tdf.columns:
            cols.append((f"{name}: {c}", tdf[c].to_numpy(), st.MONEY))
    st.header(ws.cell(4, 1), "Period end")
    for j, (c, _, _) in enumerate(cols, start=2):
        st.header(ws.cell(4, j), c)
        ws.column_dimensions[get_column_letter(j)].width = 13
    ws.column_dimensions["A"].width = 12
    for t, d in enumerate(df.index):
        r = FIRST_ROW + t
        st.style_engine_value(ws.cell(r, 1, d.date()), st.DATE)
        for j, (c, arr, fmt) in enumerate(cols, start=2):
            st.style_engine_value(
                ws.cell(r, j, _value(float(arr[t]))), st.INT if c == "flags" else fmt
            )
    ws.freeze_panes = ws.cell(FIRST_ROW, 2)
