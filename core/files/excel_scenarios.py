"""``Scenarios`` and ``MonteCarlo``: risk results as values computed by the CapStack engine.

Stresses change deal terms that feed engine-only rows (lease revenue) and the Monte Carlo draws
thousands of paths, so neither is a formula: these sheets hold the engine's numbers, in grey,
from :func:`core.risk.catalogue.risk_summary` (each DOMAIN risk's stress and break-even) and
:func:`core.risk.montecarlo.run_montecarlo`.
"""

from __future__ import annotations

import math

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_grid import FIRST_COL
from core.model.deal import Deal

NOTE = "Values computed by CapStack engine (not formulas); re-export to refresh them."


def _v(x):
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _row(ws: Worksheet, r: int, values: list, fmts: list[str]) -> None:
    for j, (v, fmt) in enumerate(zip(values, fmts, strict=True), start=1):
        cell = st.text_safe(ws.cell(r, j, _v(v)))
        if j == 1:
            continue
        st.style_engine_value(cell, fmt)


def write_scenarios(wb: Workbook, deal: Deal, result) -> None:
    ws = wb.create_sheet(K.SCENARIOS)
    st.title(ws, "Scenarios: the risks credit investors fear, stressed by the engine", NOTE)
    names = [b.terms["name"] for b in result.compiled.tranches]
    heads = ["Scenario", "Stress", "Min DSCR", "Equity IRR", "Debt loss (USD m)"]
    heads += [f"{n}: loss (USD m)" for n in names] + [f"{n}: loss %" for n in names]
    heads += ["Break-even driver", "Break-even value", "Break-even (shown)", "Status"]
    fmts = [st.NUMBER, st.NUMBER, st.RATIO, st.PCT, st.MONEY]
    fmts += [st.MONEY] * len(names) + [st.PCT] * len(names) + [st.NUMBER, "0.0000", "@", "@"]
    for j, h in enumerate(heads, start=1):
        st.header(ws.cell(4, j), h)
        ws.column_dimensions[get_column_letter(j)].width = 16
    ws.column_dimensions["A"].width = 36
    ws.column_dimensions["B"].width = 44
    tm = result.tranche_metrics
    base = [
        "Base case",
        "none",
        result.metrics["min_dscr"],
        result.metrics["equity_irr"],
        result.metrics["debt_loss"],
        *tm["loss"],
        *tm["loss_pct"],
        "",
        None,
        "",
        "",
    ]
    _row(ws, 5, base, fmts)
    try:
        from core.risk.catalogue import risk_summary

        outcomes = risk_summary(deal)
    except Exception as exc:  # a risk failure must not lose the export
        ws.cell(7, 1, f"Stress results not available: {type(exc).__name__}: {exc}")
        return
    for i, o in enumerate(outcomes):
        be = o.breakeven.to_dict()
        losses = [o.loss_by_tranche.get(n, math.nan) for n in names]
        pcts = [o.loss_pct_by_tranche.get(n, math.nan) for n in names]
        vals = [
            o.risk.title,
            o.stress_description,
            o.min_dscr,
            o.equity_irr,
            sum(losses),
            *losses,
            *pcts,
            be.get("description") or be.get("driver"),
            be.get("value"),
            o.breakeven_label,
            be.get("status"),
        ]
        _row(ws, 6 + i, vals, fmts)
    ws.freeze_panes = "B5"


def write_montecarlo(wb: Workbook, deal: Deal, n_paths: int, seed: int = 0) -> None:
    ws = wb.create_sheet(K.MONTECARLO)
    st.title(ws, f"Monte Carlo: {n_paths:,} paths (seed {seed})", NOTE)
    try:
        from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

        mc = run_montecarlo(deal, MonteCarloConfig(n_paths=n_paths, seed=seed)).to_dict()
    except Exception as exc:  # a risk failure must not lose the export
        ws.cell(4, 1, f"Monte Carlo results not available: {type(exc).__name__}: {exc}")
        return
    r = 4
    st.header(ws.cell(r, 1), "Tranche")
    cols = [
        "probability_of_default",
        "probability_of_loss",
        "expected_loss",
        "expected_loss_usd_m",
        "loss_given_default",
    ]
    for j, c in enumerate(cols, start=2):
        st.header(ws.cell(r, j), c.replace("_", " "))
    for tr in mc["tranches"]:
        r += 1
        st.text_safe(ws.cell(r, 1, tr["name"]))
        for j, c in enumerate(cols, start=2):
            st.style_engine_value(ws.cell(r, j, _v(tr.get(c))), st.MONEY if "usd" in c else st.PCT)
    r += 2
    for title, data, fmt in (
        ("Minimum DSCR percentiles", mc["min_dscr"], st.RATIO),
        ("Equity IRR percentiles", mc["equity_irr"], st.PCT),
        ("Covenant breach probability", mc["covenant_breach_probability"], st.PCT),
        ("Sponsor support", mc["sponsor"], st.MONEY),
    ):
        ws.cell(r, 1, title).font = st.SECTION_FONT
        for j, (k, v) in enumerate(data.items(), start=2):
            st.header(ws.cell(r, j), k.replace("_", " "))
            st.style_engine_value(ws.cell(r + 1, j, _v(v)), fmt)
        r += 3
    ws.cell(r, 1, "Share of paths with no equity IRR")
    st.style_engine_value(ws.cell(r, 2, _v(mc["equity_irr_undefined"])), st.PCT)
    r += 2
    ws.cell(r, 1, "DSCR fan (percentiles by period, periods across)").font = st.SECTION_FONT
    fan = mc["fan"].get("dscr", {})
    st.header(ws.cell(r + 1, 1), "Period end")
    for t, d in enumerate(mc["dates"]):  # period t in column FIRST_COL + t, as on CashFlows
        st.header(ws.cell(r + 1, FIRST_COL + t), d)
        ws.column_dimensions[get_column_letter(FIRST_COL + t)].width = 11
    for i, (k, series) in enumerate(fan.items(), start=r + 2):
        ws.cell(i, 1, k)
        for t, v in enumerate(series):
            st.style_engine_value(ws.cell(i, FIRST_COL + t, _v(v)), st.RATIO)
    ws.column_dimensions["A"].width = 34
    for j in range(2, FIRST_COL):
        ws.column_dimensions[get_column_letter(j)].width = 14
