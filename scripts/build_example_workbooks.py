"""Write the two example workbooks under resources/examples/ (formulas + saved values).

``gpu_lease_model.xlsx``: a desk-style model, "Assumptions" (labels in column B, values in D)
and "Cash Flow" (years across columns). ``datacenter_term_sheet.xlsx``: a term sheet (key/value
table under merged title cells) and a quarterly schedule down rows. Both are written with
openpyxl and then recalculated with LibreOffice so the formulas have saved values.

Run: ``.venv/bin/python scripts/build_example_workbooks.py``
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from openpyxl import Workbook  # noqa: E402
from openpyxl.styles import Font  # noqa: E402

from core.files.recalc import recalculate  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "resources",
                   "examples")  # fmt: skip
COLS = "CDEFGHIJKL"


def gpu_lease_model(path: str) -> None:
    wb = Workbook()
    a = wb.active
    a.title = "Assumptions"
    a["B2"] = "GPU lease SPV - base case"
    a["B2"].font = Font(bold=True, size=14)
    rows = [
        ("Financial close", dt.date(2026, 1, 1), None),
        ("GPU capex", 1200.0, "USD m"),
        ("Gearing", 0.70, "%"),
        ("Senior debt", "=D5*D6", "USD m"),
        ("Coupon", 0.075, "%"),
        ("Debt tenor", 5, "years"),
        ("Annual lease rent", 400.0, "USD m"),
        ("Annual opex", 20.0, "USD m"),
        ("DSCR covenant (lock-up)", 1.20, "x"),
        ("DSRA months", 6, "months"),
        ("Tax rate", 0.0, "%"),
    ]
    for i, (label, value, unit) in enumerate(rows, start=4):
        a[f"B{i}"], a[f"D{i}"] = label, value
        if unit:
            a[f"E{i}"] = unit
        if unit == "%":
            a[f"D{i}"].number_format = "0.00%"
    a["D4"].number_format = "yyyy-mm-dd"
    c = wb.create_sheet("Cash Flow")
    c["A1"] = "Annual cash flow (USD m)"
    labels = ["Year", "Period end", "Revenue", "Opex", "CFADS", "Opening balance", "Interest",
              "Principal", "Debt service", "DSCR", "Closing balance"]  # fmt: skip
    for i, label in enumerate(labels, start=3):
        c[f"B{i}"] = label
    for k in range(5):
        col, prev = COLS[k], COLS[k - 1] if k else None
        c[f"{col}3"] = k + 1
        c[f"{col}4"] = dt.date(2026 + k, 12, 31)
        c[f"{col}4"].number_format = "yyyy-mm-dd"
        c[f"{col}5"] = "=Assumptions!$D$10"
        c[f"{col}6"] = f"=Assumptions!$D$11*1.025^{k}"
        c[f"{col}7"] = f"={col}5-{col}6"
        c[f"{col}8"] = "=Assumptions!$D$7" if k == 0 else f"={prev}13"
        c[f"{col}9"] = f"={col}8*Assumptions!$D$8"
        c[f"{col}11"] = "=PMT(Assumptions!$D$8,Assumptions!$D$9,-Assumptions!$D$7)"
        c[f"{col}10"] = f"={col}11-{col}9"
        c[f"{col}12"] = f"={col}7/{col}11"
        c[f"{col}13"] = f"={col}8-{col}10"
    c["B15"], c["C15"] = "Min DSCR", "=MIN(C12:G12)"
    c["B16"], c["C16"] = "Average DSCR", "=AVERAGE(C12:G12)"
    wb.save(path)


def datacenter_term_sheet(path: str) -> None:
    wb = Workbook()
    t = wb.active
    t.title = "Term Sheet"
    t["A1"] = "Indicative term sheet - 200 MW data-centre campus financing"
    t.merge_cells("A1:D1")
    t["A1"].font = Font(bold=True, size=14)
    t["A3"] = "Facility"
    t.merge_cells("A3:D3")
    terms = [
        ("Borrower", "DC Campus HoldCo LLC"),
        ("Closing date", dt.date(2026, 4, 1)),
        ("Total project cost (USD m)", 1500.0),
        ("Loan amount (USD m)", 1000.0),
        ("All-in rate", "6.5%"),
        ("Loan term", "7 years"),
        ("Annual rent (USD m)", 260.0),
        ("Operating costs (USD m)", 30.0),
        ("Lock-up DSCR", 1.15),
        ("DSRA months", 6),
    ]
    for i, (k, v) in enumerate(terms, start=4):
        t[f"A{i}"], t[f"C{i}"] = k, v
        t.merge_cells(f"A{i}:B{i}")
    t["C5"].number_format = "yyyy-mm-dd"
    s = wb.create_sheet("Quarterly Schedule")
    heads = ["Quarter end", "Revenue", "Opex", "CFADS", "Interest", "Principal",
             "Debt service", "DSCR", "Closing balance"]  # fmt: skip
    for j, h in enumerate(heads):
        s.cell(1, j + 1, h)
    n = 28
    for q in range(n):
        r = q + 2
        y, m = divmod(3 + 3 * (q + 1), 12)
        end = dt.date(2026 + y, m + 1, 1) - dt.timedelta(days=1)
        s.cell(r, 1, end).number_format = "yyyy-mm-dd"
        s.cell(r, 2, "='Term Sheet'!$C$10/4")
        s.cell(r, 3, "='Term Sheet'!$C$11/4")
        s.cell(r, 4, f"=B{r}-C{r}")
        opening = "'Term Sheet'!$C$7" if q == 0 else f"I{r - 1}"
        s.cell(r, 5, f"={opening}*0.065/4")
        s.cell(r, 6, f"=G{r}-E{r}")
        s.cell(r, 7, f"=PMT(0.065/4,{n},-'Term Sheet'!$C$7)")
        s.cell(r, 8, f"=D{r}/G{r}")
        s.cell(r, 9, f"={opening}-F{r}")
    wb.save(path)


def main() -> int:
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in (("gpu_lease_model.xlsx", gpu_lease_model),
                            ("datacenter_term_sheet.xlsx", datacenter_term_sheet)):  # fmt: skip
            raw = os.path.join(tmp, name)
            build(raw)
            done = recalculate(raw, out_dir=os.path.join(tmp, "out"))
            shutil.copyfile(done, os.path.join(OUT, name))
            print(f"wrote {os.path.join(OUT, name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
