"""The ``Checks`` sheet: the model's integrity checks as live formulas, and one master flag.

Each check is a row: what is tested, the value the formulas give, the limit, and a pass flag
(1/0). The integrity checks - sources cover the uses at closing (no funding gap), every
tranche's balance stays at or above zero and is repaid or written off by the last period, and
each period's cash in (revenue, proceeds, injections) equals its uses (costs, tax, interest,
principal, reserve and lock-up movements, swap payments, distributions) - make the master flag
``chk_ok``, shown at the top of every sheet. The workbook's key metrics against the CapStack
engine's values at export make a second flag ``chk_engine``: it turns 0 when an input is
changed (the workbook then answers a question the export did not ask) and is not part of the
master flag. Tolerances are named inputs (``chk_tol`` in USD m, ``chk_rel`` relative), not
numbers typed into formulas.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import CN
from core.files.excel_credit import gpu_cost
from core.files.excel_draws import DEBT_SHARE, delayed, fleet_at_close, is_linked
from core.files.excel_grid import Context, Grid
from core.files.excel_keys import CF, CK, DD, SW, P, TrancheFlow

TOLERANCE = 1e-6  # USD m (a dollar): the absolute tolerance of the cash checks
RELATIVE = 1e-6  # workbook vs engine metrics, relative to max(|engine|, 1)
PASS_FORMAT = '[=1]"OK";[=0]"ERROR";General'
OK_FILL = PatternFill("solid", fgColor="FFC6EFCE")
BAD_FILL = PatternFill("solid", fgColor="FFFFC7CE")
FIRST_ROW = 5  # the first check (rows 1-4: title, note, master flags, captions)


def _name(wb: Workbook, name: str, row: int, col: str = "C") -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"{CK.SHEET}!${col}${row}")


def _flag_format(ws: Worksheet, ref: str) -> None:
    """Green when the flag is 1, red when 0."""
    ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["1"], fill=OK_FILL))
    ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=["0"], fill=BAD_FILL))


def _conservation(ctx: Context, top: int) -> Grid:
    """Per period: cash in, cash uses and their difference (CashFlows, same columns), below
    the checks from row ``top`` (its dated band first)."""
    cf = ctx.grids[K.CASHFLOWS]
    g = Grid(CK.SHEET, ctx.T, band=ctx.grids[K.TIMELINE], top=top)
    s = g.section("Cash in = cash uses, each period")
    swaps = SW.NET in cf.index
    treasury = CN.DRAW in cf.index  # construction: the reserve pays into the waterfall

    def ref(key: str, r: int) -> str:
        return cf.ext(key, r)

    # with delayed draws, the draws come in and the GPUs delivered go out (draws + equity)
    drawn = (DD.DRAWN,) if delayed(ctx) else ()

    def cash_in(t: int, r: int) -> str:
        return "+".join(ref(k, r) for k in (CF.REVENUE, CF.SALE, CF.INJECTION, *drawn))

    def interest(t: int, r: int) -> str:
        return "+".join(ref(TrancheFlow(k).interest_paid, r) for k in range(ctx.K)) or "0"

    def principal(t: int, r: int) -> str:
        return "+".join(ref(TrancheFlow(k).principal_paid, r) for k in range(ctx.K)) or "0"

    def accounts(t: int, r: int) -> str:
        moves = f"{ref(CF.DSRA, r)}-{ref(CF.DSRA_OPEN, r)}+{ref(CF.TRAP, r)}-{ref(CF.TRAP_OPEN, r)}"
        moves += f"-{ref(SW.NET, r)}" if swaps else ""
        return moves + (f"-{ref(CN.DRAW, r)}" if treasury else "")  # the Treasury reserve's

    s.add(CK.T, "Period", lambda t, r: cf.ext(CF.T, r), st.INT)
    s.add(CK.IN, "Cash in (revenue, proceeds, injection)", cash_in, total=True)
    delivered = (DD.EQUITY, DD.DRAWN) if drawn else ()
    delivered += (CN.SHORT,) if treasury else ()  # capex the reserve cannot pay: equity's
    s.add(CK.COSTS, "Costs, tax (and GPUs delivered)", lambda t, r: "+".join(
        ref(k, r) for k in (CF.OPEX, CF.FEES, CF.TAX, *delivered)), total=True)  # fmt: skip
    s.add(CK.INTEREST, "Interest paid", interest, total=True)
    s.add(CK.PRINCIPAL, "Principal paid", principal, total=True)
    s.add(CK.ACCOUNTS, "Reserve, lock-up, swap, Treasury movements", accounts, total=True)
    s.add(CK.DIST, "Distribution", lambda t, r: ref(CF.DISTRIBUTION, r), total=True)
    uses = (CK.COSTS, CK.INTEREST, CK.PRINCIPAL, CK.ACCOUNTS, CK.DIST)
    s.add(
        CK.DIFF,
        "Cash in less uses",
        lambda t, r: g.at(CK.IN, r) + "-" + "-".join(g.at(k, r) for k in uses),
        total=True,
    )
    return g


def write_checks(wb: Workbook, ctx: Context, result, metric_refs: dict[str, str]) -> None:
    """The Checks sheet (after CashFlows and Metrics are written)."""
    ws = wb.create_sheet(CK.SHEET)
    st.title(
        ws,
        "Checks: the model's integrity, and the workbook against CapStack",
        "1 = OK, 0 = ERROR. The master flag (C3) is shown on every sheet's first row.",
    )
    for col, text in enumerate(("Check", "Value", "Pass", "Limit", "Engine at export"), 1):
        st.header(ws.cell(4, col), text)
    row = FIRST_ROW
    ws.cell(row, 1, "Tolerance, USD m (cash checks)")
    st.style_input(ws.cell(row, 3, TOLERANCE), "0.0E+00")
    _name(wb, CK.TOL, row)
    ws.cell(row + 1, 1, "Tolerance, relative (workbook vs engine)")
    st.style_input(ws.cell(row + 1, 3, RELATIVE), "0.0E+00")
    _name(wb, CK.REL, row + 1)
    row += 3
    # below the checks (heading, sources and uses, two per tranche, conservation; heading and
    # one per metric), the per-period conservation grid
    top = row + 3 + 2 * ctx.K + 1 + 1 + len(metric_refs) + 2
    grid = _conservation(ctx, top)
    integrity, row = _integrity(ws, ctx, result, grid, row)
    engine, row = _against_engine(ws, result, metric_refs, row + 1)
    assert row < top, (row, top)
    ws.cell(3, 1, "Master check (integrity)").font = st.HEADER_FONT
    st.style_formula(ws.cell(3, 3, f"=IF(AND({','.join(integrity)}),1,0)"), PASS_FORMAT)
    _name(wb, CK.MASTER, 3)
    ws.cell(3, 4, "Workbook = CapStack").font = st.HEADER_FONT
    agree = f"=IF(AND({','.join(engine)}),1,0)" if engine else "=1"
    st.style_formula(ws.cell(3, 5, agree), PASS_FORMAT)
    _name(wb, CK.ENGINE, 3, "E")
    for cell in [*integrity, *engine, "C3=1"]:  # each pass flag (not the blank rows between)
        _flag_format(ws, cell.removesuffix("=1"))
    _flag_format(ws, "E3")
    grid.write(ws)
    st.widths(ws, {1: 52, 2: 14, 3: 12, 4: 14, 5: 16})
    ws.freeze_panes = "A5"


def _check(ws: Worksheet, row: int, label: str, value: str, test: str, limit: str,
           fmt: str = st.MONEY) -> str:  # fmt: skip
    """One check row: value (B), pass flag (C) from ``test`` on B, limit (D)."""
    ws.cell(row, 1, label)
    st.style_formula(ws.cell(row, 2, "=" + value), fmt)
    st.style_formula(ws.cell(row, 3, f"=IF({test.format(v=f'B{row}')},1,0)"), PASS_FORMAT)
    st.style_formula(ws.cell(row, 4, "=" + limit), fmt)
    return f"C{row}=1"


def _integrity(ws: Worksheet, ctx: Context, result, grid: Grid, row: int):
    """Sources and uses, balances, conservation; returns (pass conditions, next row)."""
    ws.cell(row, 1, "Integrity").font = st.SECTION_FONT
    row += 1
    fleet = fleet_at_close(ctx, gpu_cost(ctx)) if ctx.one("gpu_fleet") else "0"
    fac = ctx.one("facility")
    assets = f"{fleet}+{ctx.name(fac, 'cost') if fac else '0'}"
    if any(is_linked(ctx, k) for k in delayed(ctx)):  # their debt share is drawn as spent
        assets = f"({assets})*(1-{DEBT_SHARE})"
    uses = f"{assets}+{P.DSRA0}"
    label = "Sources less uses at closing (no funding gap)"
    value = f"{P.DEBT0}+{P.EQUITY0}-({uses})"
    out = [_check(ws, row, label, value, "{v}>=-" + CK.TOL, "-" + CK.TOL)]
    assets = ("GPU fleet", "Facility", "DSRA funded at close")
    gap = sum(result.sources.values()) - sum(result.uses.get(k, 0.0) for k in assets)
    st.style_engine_value(ws.cell(row, 5, float(gap)), st.MONEY)
    row += 1
    cf = ctx.grids[K.CASHFLOWS]
    for k in range(ctx.K):
        nm, bal = ctx.tranche_name(k), cf.col_range(TrancheFlow(k).closing, sheet=True)
        low, last = f"{nm}: lowest balance (never below zero)", f"{nm}: balance at the end"
        out.append(_check(ws, row, low, f"MIN({bal})", "{v}>=-" + CK.TOL, "-" + CK.TOL))
        out.append(_check(ws, row + 1, last + " (repaid or written off)",
                          f"INDEX({bal},{P.T})", "ABS({v})<=" + CK.TOL, CK.TOL))  # fmt: skip
        row += 2
    diff = grid.col_range(CK.DIFF)
    out.append(_check(ws, row, "Cash in less cash uses, largest gap in any period",
                      f"MAX(MAX({diff}),-MIN({diff}))", "{v}<=" + CK.TOL, CK.TOL))  # fmt: skip
    return out, row + 1


def _against_engine(ws: Worksheet, result, refs: dict[str, str], row: int):
    """Every key metric: workbook (Metrics column B) less CapStack's value at export (C)."""
    ws.cell(row, 1, "Workbook vs CapStack (engine values at export)").font = st.SECTION_FONT
    row += 1
    out = []
    for key, ref in refs.items():
        b = ref
        c = ref.replace("!B", "!C")
        ws.cell(row, 1, f"{key}: workbook less engine")
        value = f'IF(OR({b}="",{c}=""),"",{b}-{c})'
        test = (f'IF(AND({b}="",{c}=""),TRUE,IF(OR({b}="",{c}=""),FALSE,'
                f"ABS({{v}})<={CK.REL}*MAX(ABS({c}),1)))")  # fmt: skip
        st.style_formula(ws.cell(row, 2, "=" + value), st.FRACTION)
        st.style_formula(ws.cell(row, 3, f"=IF({test.format(v=f'B{row}')},1,0)"), PASS_FORMAT)
        st.style_formula(ws.cell(row, 4, f"={CK.REL}*MAX(ABS({c}),1)"), "0.0E+00")
        st.style_formula(ws.cell(row, 5, f"={c}"), st.NUMBER)
        out.append(f"C{row}=1")
        row += 1
    return out, row


def show_master_flag(wb: Workbook) -> None:
    """The master check on the first row of every visible sheet, to the right of its title."""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        title = str(ws["A1"].value or "")
        col, width = 1, 0.0
        while width < len(title) * 1.25 + 2:  # past the title's text (13-point bold)
            letter = ws.cell(1, col).column_letter
            width += ws.column_dimensions[letter].width or 13
            col += 1
        cell = ws.cell(1, max(col, 2))
        cell.value = f'=IF({CK.MASTER}=1,"Checks: OK","Checks: ERROR - see the Checks sheet")'
        cell.font = Font(name="Calibri", size=11, bold=True)
        ws.conditional_formatting.add(
            cell.coordinate, CellIsRule(operator="equal", formula=['"Checks: OK"'], fill=OK_FILL)
        )
        ws.conditional_formatting.add(
            cell.coordinate,
            CellIsRule(operator="notEqual", formula=['"Checks: OK"'], fill=BAD_FILL),
        )
