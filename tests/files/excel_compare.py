"""Comparing an exported, LibreOffice-recalculated workbook with the engine: every CashFlows
column that restates an engine output and every Metrics formula against ``run_deal``, to 1e-6
relative; and the one soffice call that recalculates a set of exported deals."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl

from core.engine.results import run_deal
from core.files.excel_export import export_workbook
from core.files.excel_grid import FIRST_COL
from core.files.recalc import recalculate_many
from core.model.deal import Deal

REL = 1e-6
FLOOR = 1e-3  # relative to max(|engine|, 1e-3): an absolute 1e-9 (USD m) near zero

PERIOD = {
    "Revenue": "revenue",
    "Asset value": "asset_value",
    "Operating costs": "opex",
    "Senior fees": "fees",
    "Tax": "tax",
    "CFADS": "cfads",
    "Debt service due": "debt_service",
    "DSCR": "dscr",
    "DSCR test (trailing window)": "dscr_test",
    "LTV": "ltv",
    "Sale, liquidation and crypto proceeds": "proceeds",
    "Equity injection": "injection",
    "DSRA balance (closing)": "dsra_balance",
    "Lock-up account (closing)": "trap_balance",
    "Distribution to equity": "distribution",
    "Flags (bitmask)": "flags",
}
SWAP = {  # on a deal with interest-rate swaps
    "Swap net cash": "swap_cash",
    "Swap breakage (to the SPV + / counterparty -)": "swap_breakage",
    "Swap arrears (closing)": "swap_arrears",
    "Swap arrears written off": "swap_writeoff",
}
REFI = {"Refinanced at maturity": "refinanced"}  # on a deal that refinances a balloon
GOING_CONCERN = "Going-concern value (a lease performs)"  # Schedules, with the term on
GOING_CONCERN_LATE = "Going-concern value after a late completion"  # ... and a construction
TRANCHE = {
    "interest due": "interest_due",
    "interest paid": "interest_paid",
    "principal paid": "principal_paid",
    "interest capitalised (PIK)": "pik",
    "shortfall": "shortfall",
    "closing balance": "balance",
    "written off": "writeoff",
}


def export_all(builds: dict, tmp: Path) -> dict[str, tuple[Deal, Path]]:
    """case -> (deal, exported workbook) for each ``case -> build()``."""
    made = {}
    for case, build in builds.items():
        deal = build()
        path = tmp / f"{case}.xlsx"
        export_workbook(deal, path, scenarios=False, mc_paths=0)
        made[case] = (deal, path)
    return made


def recalculate_all(made: dict[str, tuple[Deal, Path]], tmp: Path) -> dict:
    """case -> (deal, exported path, recalculated path); one soffice call for all."""
    outs = recalculate_many([p for _, p in made.values()], tmp / "recalc", timeout=300)
    return {case: (d, p, o) for (case, (d, p)), o in zip(made.items(), outs, strict=True)}


def _num(v) -> float:
    if v is None or v == "":
        return math.nan
    assert not isinstance(v, str), f"formula returned {v!r}"
    return float(v)


def _close(got: float, exp: float) -> bool:
    if math.isnan(exp) or math.isnan(got):
        return math.isnan(exp) and math.isnan(got)
    return abs(got - exp) <= REL * max(abs(exp), FLOOR)


def _headers(ws) -> dict[str, int]:
    """Line label (column A) -> its row, on a per-period sheet (time across the columns)."""
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}


def _series(ws, row: int, T: int) -> list:
    """Line ``row`` in each period (columns E onwards)."""
    return [ws.cell(row, FIRST_COL + t).value for t in range(T)]


def compare(deal: Deal, exported: Path, recalculated: Path, res=None) -> list[str]:
    """Every engine series and metric against the recalculated workbook (``res``: the
    engine's result to hold it to; ``run_deal(deal)`` when omitted)."""
    res = run_deal(deal) if res is None else res
    out, T = res.outputs, res.compiled.timeline.n_periods
    formulas = openpyxl.load_workbook(exported)
    values = openpyxl.load_workbook(recalculated, data_only=True)
    bad: list[str] = []
    checked = 0

    def check(sheet: str, header: str, expected: np.ndarray) -> None:
        nonlocal checked
        row = _headers(values[sheet])[header]
        failed = False
        for t, (f, v) in enumerate(
            zip(_series(formulas[sheet], row, T), _series(values[sheet], row, T), strict=True)
        ):
            assert isinstance(f, str) and f.startswith("="), f"{sheet} {header} t={t}: {f!r}"
            checked += 1
            if not _close(_num(v), float(expected[t])) and not failed:
                failed = True  # report the first period only
                bad.append(f"{sheet}!{header} t={t}: workbook {v!r}, engine {expected[t]!r}")

    refi = REFI if res.compiled.inputs.refi_on is not None else {}
    if res.compiled.going_concern is not None:  # the SPV values its leases as going concerns
        late = GOING_CONCERN_LATE in _headers(values["Schedules"])  # a construction deal
        check(
            "Schedules",
            GOING_CONCERN_LATE if late else GOING_CONCERN,
            res.compiled.going_concern[0],
        )
    for header, key in (PERIOD | (SWAP if res.compiled.swaps else {}) | refi).items():
        check("CashFlows", header, res.periods[key].to_numpy(dtype=float))
    # the total column (C) of the flows is their sum over the periods; a ratio has none
    cf, rows = values["CashFlows"], _headers(values["CashFlows"])
    for header in ("Revenue", "CFADS", "Tax", "Distribution to equity", "Equity injection"):
        total = float(res.periods[PERIOD[header]].sum())
        if not _close(_num(cf.cell(rows[header], 3).value), total):
            bad.append(f"CashFlows!{header} total: {cf.cell(rows[header], 3).value!r}, {total}")
    assert cf.cell(rows["DSCR"], 3).value is None and cf.cell(rows["LTV"], 3).value is None
    for k, b in enumerate(res.compiled.tranches):
        for header, key in TRANCHE.items():
            check("CashFlows", f"{b.terms['name']}: {header}", getattr(out, key)[0, k])
    m, mf = values["Metrics"], formulas["Metrics"]
    expected = dict(res.metrics)
    for _, row in res.tranche_metrics.iterrows():
        for key in ("notional", "wal_years", "yield", "loss", "loss_pct"):
            expected[f"{key}:{row['tranche']}"] = row[key]
        expected[f"interest_shortfall_periods:{row['tranche']}"] = row["interest_shortfall_periods"]
    seen = set()
    for r in range(5, m.max_row + 1):
        key = m.cell(r, 4).value
        if key not in expected:
            continue
        seen.add(key)
        assert str(mf.cell(r, 2).value).startswith("="), key
        exp = expected[key]
        exp = math.nan if exp is None else float(exp)
        checked += 1
        if not _close(_num(m.cell(r, 2).value), exp):
            bad.append(f"Metrics {key}: workbook {m.cell(r, 2).value!r}, engine {exp!r}")
    must = {"min_dscr", "avg_dscr", "llcr", "plcr", "equity_irr", "debt_loss"}
    must |= {f"{x}:{n}" for x in ("wal_years", "yield") for n in res.tranche_metrics["tranche"]}
    assert must <= seen, must - seen
    assert checked > 20 * T
    return bad
