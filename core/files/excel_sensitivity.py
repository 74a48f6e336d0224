"""The ``Sensitivity`` sheet: a scenario switch (base / downside / severe) and the flex each
case applies, which the CashFlows formulas follow (revenue x (1 - haircut), operating costs x
(1 + uplift); the debt schedules stay as sized on the base case), the live results of the
active case, and the CapStack engine's results of every case at export (grey) to compare."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from core.files import excel_style as st
from core.files.excel_keys import SN

#: case -> (revenue haircut, operating-cost uplift); editable blue inputs in the workbook
CASES = {"base": (0.0, 0.0), "downside": (0.15, 0.10), "severe": (0.30, 0.20)}
RESULTS = (("min_dscr", "Minimum DSCR", st.RATIO), ("avg_dscr", "Average DSCR", st.RATIO),
           ("llcr", "LLCR", st.RATIO), ("equity_irr", "Equity IRR", st.PCT),
           ("debt_loss", "Debt loss (USD m)", st.MONEY))  # fmt: skip
SWITCH_ROW, TABLE_ROW, RESULT_ROW = 3, 5, 10


def _name(wb: Workbook, name: str, ref: str) -> None:
    wb.defined_names[name] = DefinedName(name, attr_text=f"{SN.SHEET}!{ref}")


def write_sensitivity(wb: Workbook, deal, metric_refs: dict[str, str]) -> None:
    """The switch (named ``sc_case``), the flex table with the active column (``sc_rev_cut``,
    ``sc_opex_up``) and the results."""
    from core.engine.results import run_deal
    from core.risk.flex import run_flexed

    ws = wb.create_sheet(SN.SHEET)
    st.title(
        ws,
        "Sensitivity: the scenario switch the formulas follow",
        "Choose the case in C3; CashFlows takes its revenue x (1 - haircut) and operating "
        "costs x (1 + uplift); debt schedules stay as sized on the base case.",
    )
    ws.cell(SWITCH_ROW, 1, "Scenario (switch)").font = st.HEADER_FONT
    st.style_input(ws.cell(SWITCH_ROW, 3, "base"))
    dv = DataValidation(type="list", formula1='"' + ",".join(CASES) + '"', allow_blank=False,
                        showErrorMessage=True, errorStyle="stop", errorTitle="Unknown case",
                        error="Choose base, downside or severe")  # fmt: skip
    ws.add_data_validation(dv)
    dv.add(f"C{SWITCH_ROW}")
    _name(wb, SN.CASE, f"$C${SWITCH_ROW}")
    heads = ["Flex", *CASES, "Active"]
    for col, text in enumerate(heads, start=1):
        st.header(ws.cell(TABLE_ROW, col), text)
    last = chr(ord("A") + len(CASES))
    rows = (("Revenue haircut: revenue x (1 - haircut)", SN.REVENUE_CUT, 0),
            ("Operating-cost uplift: costs x (1 + uplift)", SN.OPEX_UP, 1))  # fmt: skip
    for i, (label, name, j) in enumerate(rows, start=TABLE_ROW + 1):
        ws.cell(i, 1, label)
        for col, flex in enumerate(CASES.values(), start=2):
            st.style_input(ws.cell(i, col, flex[j]), st.PCT)
        active = f"=INDEX($B{i}:${last}{i},MATCH({SN.CASE},$B${TABLE_ROW}:${last}${TABLE_ROW},0))"
        st.style_formula(ws.cell(i, len(CASES) + 2, active), st.PCT)
        _name(wb, name, f"${chr(ord('A') + len(CASES) + 1)}${i}")
    heads = ["Result", "Live (active case)", *(f"CapStack: {c}" for c in CASES)]
    for col, text in enumerate(heads, start=1):
        st.header(ws.cell(RESULT_ROW, col), text)
    runs = [run_deal(deal) if flex == (0.0, 0.0) else run_flexed(deal, *flex)
            for flex in CASES.values()]  # fmt: skip
    for i, (key, label, fmt) in enumerate(RESULTS, start=RESULT_ROW + 1):
        ws.cell(i, 1, label)
        st.style_formula(ws.cell(i, 2, "=" + metric_refs[key]), fmt)
        for col, res in enumerate(runs, start=3):
            v = res.metrics.get(key)
            ok = isinstance(v, int | float) and v == v and abs(v) != float("inf")
            st.style_engine_value(ws.cell(i, col, float(v) if ok else None), fmt)
    st.widths(ws, {1: 46, 2: 18, 3: 16, 4: 16, 5: 16, 6: 12})
