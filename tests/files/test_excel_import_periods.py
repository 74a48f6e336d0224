"""A desk's quarterly GPU-lease model, built here with openpyxl the way desks write them: dates
as EDATE results left in General format, "Rent per quarter (USD m)" labels, a level quarterly
annuity, the workbook's own results (minimum DSCR, sponsor equity IRR) on a Summary sheet and a
sensitivity table. The import must read it as quarterly, scale per-quarter amounts to a year,
take no result or sensitivity cell as an input, and compare balances on the same dates."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from core.engine.results import run_deal
from core.files.excel_import import Mapping, NotAFinancing, import_workbook
from core.files.excel_import.frequency import label_frequency
from core.files.excel_import.reader import is_date_format, serial_date, undate
from core.files.recalc import soffice_available

RENT_Q, OPEX_Q, DEBT, CAPEX, EQUITY, RATE, QUARTERS = 38.0, 4.0, 345.0, 500.0, 155.0, 0.07, 20


def _payment() -> float:
    """Level quarterly annuity payment, by the closed form (independent of the workbook)."""
    r = RATE / 4
    return DEBT * r / (1 - (1 + r) ** -QUARTERS)


def build_quarterly_model(path) -> None:
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "Assumptions"
    rows = [("Closing date", dt.date(2026, 1, 1)), ("Rent per quarter (USD m)", RENT_Q),
            ("Opex per quarter (USD m)", OPEX_Q), ("Senior debt (USD m)", DEBT),
            ("GPU capex (USD m)", CAPEX), ("Equity (USD m)", EQUITY), ("Interest rate", RATE),
            ("Tenor (years)", QUARTERS / 4), ("Tax rate", 0.0), ("Lock-up DSCR", 1.15),
            ("DSRA months", 6)]  # fmt: skip
    for i, (label, value) in enumerate(rows, start=2):
        a.cell(i, 2, label)
        a.cell(i, 3, value)
    a["C2"].number_format = "yyyy-mm-dd"
    a["C8"].number_format = "0.00%"
    cf = wb.create_sheet("CashFlow")
    labels = ["Period end", "Rent", "Opex", "CFADS", "Opening balance", "Interest", "Principal",
              "Debt service", "Closing balance", "DSCR", "Equity cash flow"]  # fmt: skip
    for i, label in enumerate(labels, start=2):
        cf.cell(i, 1, label)
    cf["B12"] = "=-Assumptions!C7"  # equity at closing
    for k in range(QUARTERS):
        col = openpyxl.utils.get_column_letter(3 + k)
        prev = openpyxl.utils.get_column_letter(2 + k)
        # period ends: EDATE results in General format (date serials), as desks leave them
        cf[f"{col}2"] = "=EDATE(Assumptions!$C$2,3)" if k == 0 else f"=EDATE({prev}2,3)"
        cf[f"{col}3"] = "=Assumptions!$C$3"
        cf[f"{col}4"] = "=Assumptions!$C$4"
        cf[f"{col}5"] = f"={col}3-{col}4"
        cf[f"{col}6"] = "=Assumptions!$C$5" if k == 0 else f"={prev}10"
        cf[f"{col}7"] = f"={col}6*Assumptions!$C$8/4"
        cf[f"{col}8"] = f"=-PPMT(Assumptions!$C$8/4,{k + 1},{QUARTERS},Assumptions!$C$5)"
        cf[f"{col}9"] = f"={col}7+{col}8"
        cf[f"{col}10"] = f"={col}6-{col}8"
        cf[f"{col}11"] = f"={col}5/{col}9"
        cf[f"{col}12"] = f"={col}5-{col}9"
    last = openpyxl.utils.get_column_letter(2 + QUARTERS)
    s = wb.create_sheet("Summary")
    s["B2"], s["C2"] = "Minimum DSCR", f"=MIN(CashFlow!C11:{last}11)"
    s["B3"], s["C3"] = "Sponsor equity IRR", f"=(1+IRR(CashFlow!B12:{last}12))^4-1"
    s["C3"].number_format = "0.00%"
    sens = wb.create_sheet("Sensitivities")
    sens["B2"], sens["C2"], sens["D2"] = "Case", "Base", "Downside"
    sens["B3"], sens["C3"], sens["D3"] = "Base rate", 0.09, 0.11
    sens["B4"], sens["C4"], sens["D4"] = "Senior debt", 400.0, 300.0
    wb.save(path)


needs_soffice = pytest.mark.skipif(not soffice_available(), reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def quarterly(tmp_path_factory):
    path = tmp_path_factory.mktemp("quarterly") / "gpu_lease_quarterly.xlsx"
    build_quarterly_model(path)
    return path, import_workbook(path, recalc=True)  # no saved values: recalculate, asked


@needs_soffice
def test_quarterly_model_is_read_as_quarterly(quarterly):
    _, res = quarterly
    assert res.periods_per_year == 4
    assert "date serials in General format" in res.frequency
    terms = {b.kind: b.terms for b in res.deal.blocks.values()}
    assert terms["spv"]["period"] == "quarterly"
    # 38 a quarter is 152 a year; opex 4 a quarter is 16 a year
    assert terms["lease"]["annual_rent"] == pytest.approx(4 * RENT_Q)
    assert terms["opex"]["maintenance"] == pytest.approx(4 * OPEX_Q)
    assert terms["tranche"]["notional"] == pytest.approx(DEBT)
    assert terms["equity"]["amount"] == pytest.approx(EQUITY)
    assert terms["facility"]["cost"] == pytest.approx(CAPEX)
    assert terms["tranche"]["tenor_years"] == pytest.approx(5.0)
    assert terms["spv"]["closing_date"] == "2026-01-01"


@needs_soffice
def test_quarterly_model_does_not_default_and_reconciles(quarterly):
    _, res = quarterly
    result = run_deal(res.deal)
    # the first quarter: CFADS 34 against the level payment (closed form), as in the workbook
    first = (RENT_Q - OPEX_Q) / _payment()
    assert first == pytest.approx(1.65, abs=0.01)
    assert float(result.periods["dscr"].iloc[0]) == pytest.approx(first, rel=1e-6)
    assert result.metrics["min_dscr"] > 1.5
    rows = {r.metric: r for r in res.reconciliation}
    assert rows["Minimum DSCR"].workbook == pytest.approx(first, rel=1e-9)
    assert rows["Minimum DSCR"].status in ("ok", "amber")
    # balances compared on the same dates: after 4, 12 and 20 quarters of the annuity
    for year, when in ((1, "2027-01-01"), (3, "2029-01-01"), (5, "2031-01-01")):
        row = rows[f"Debt balance on {when} (year {year} of repayment)"]
        r, n = RATE / 4, 4 * year
        expected = DEBT * (1 + r) ** n - _payment() * ((1 + r) ** n - 1) / r
        assert row.workbook == pytest.approx(expected, rel=1e-9, abs=1e-6)
        assert row.capstack == pytest.approx(expected, rel=1e-6, abs=1e-6)
        assert row.status == "ok"


@needs_soffice
def test_results_and_sensitivities_are_not_inputs(quarterly):
    _, res = quarterly
    eq = res.mapping.get("equity")
    assert eq is not None and eq.ref == "Assumptions!C7"  # not "Sponsor equity IRR"
    irr = res.mapping.get("wb_equity_irr")
    assert irr is not None and irr.ref == "Summary!C3"  # a result: reconciliation only
    assert res.mapping.get("base_rate") is None  # the sensitivity table's "Base rate"
    assert res.mapping.get("debt_amount").ref == "Assumptions!C5"
    # every default applied is listed
    assert any("Default DSCR" in d for d in res.unmapped)
    assert any(d.startswith("defaulted - Escalator") for d in res.unmapped)
    assert not [w for w in res.warnings if "Sources" in w]  # 345 + 155 = 500


@needs_soffice
def test_frequency_override_and_saved_mapping(quarterly, tmp_path):
    path, res = quarterly
    res.mapping.periods_per_year = 12  # the analyst says monthly: every period is a month
    saved = tmp_path / "map.json"
    res.mapping.save(saved)
    again = import_workbook(path, mapping=Mapping.load(saved), recalc=True)
    assert again.periods_per_year == 12 and again.frequency == "set by the analyst"
    terms = {b.kind: b.terms for b in again.deal.blocks.values()}
    assert terms["lease"]["annual_rent"] == pytest.approx(12 * RENT_Q)
    assert terms["spv"]["period"] == "monthly"


@needs_soffice
def test_funding_gap_is_flagged_and_negative_equity_refused(tmp_path):
    path = tmp_path / "gap.xlsx"
    build_quarterly_model(path)
    wb = openpyxl.load_workbook(path)
    wb["Assumptions"]["C7"] = 50.0  # equity 50: sources 395 against uses 500
    wb.save(path)
    res = import_workbook(path, recalc=True)
    assert any("by -105.000" in w and "funding gap" in w for w in res.warnings)
    wb["Assumptions"]["C5"] = 900.0  # debt above capex, equity not stated: negative equity
    wb["Assumptions"]["B7"] = "Notes"
    wb.save(path)
    with pytest.raises(ValueError, match="exceeds capex"):
        import_workbook(path, recalc=True)


def test_securitisation_is_refused(tmp_path):
    path = tmp_path / "abs.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "TrancheStructure"
    ws["B2"], ws["C2"] = "Class A notes", 100.0
    ws["B3"], ws["C3"] = "Advance rate", 0.9
    ws["B4"], ws["C4"] = "Coupon", 0.05
    wb.create_sheet("Collateral Data Tape")
    wb.save(path)
    with pytest.raises(NotAFinancing, match="securitisation"):
        import_workbook(path)


def test_period_words_and_date_formats():
    assert label_frequency("Rent per quarter (USD m)") == 4
    assert label_frequency("Quarter") == 4
    assert label_frequency("Opex, monthly") == 12
    assert label_frequency("Semi-annual period") == 2
    assert label_frequency("Annual rent") == 1
    assert label_frequency("Senior debt") is None
    assert serial_date(46113) == dt.date(2026, 4, 1)
    assert serial_date(2026) is None and serial_date(46113.5) is None
    # LibreOffice re-saves a bps format with a line break in the quoted text: a number
    assert not is_date_format('0" bps\n"%%')
    assert is_date_format("dd-mmm-yy") and is_date_format("[h]:mm")
    assert undate(dt.time(1, 6, 57, 600000), '0" bps\n"%%') == pytest.approx(0.0465)
    assert undate(dt.datetime(2026, 1, 1), "yyyy-mm-dd") == dt.datetime(2026, 1, 1)
