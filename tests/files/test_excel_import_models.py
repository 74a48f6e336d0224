"""The six real workbooks in ../shared/excel-models and the two shipped examples import: inputs
found at the cells inspected by hand (values read back from those cells here), schedules read,
a deal that runs, and a reconciliation of the workbook's DSCR / IRR against CapStack's."""

from __future__ import annotations

import math
import os
import warnings

import openpyxl
import pytest

from core.engine.results import run_deal
from core.files.excel_import import import_workbook

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.normpath(os.path.join(ROOT, "..", "shared", "excel-models"))
EXAMPLES = os.path.join(ROOT, "resources", "examples")

# workbook -> target -> the cell a desk analyst would point at (inspected by hand)
EXPECTED = {
    "solar-pf-v3.xlsx": {"capex": "Construction!C31", "gearing": "Inputs!C18",
                         "tenor": "Inputs!C7", "coupon": "Inputs!C21",
                         "revenue_price": "Inputs!C15"},
    "apac-solar-mini-perm.xlsx": {"capex": "Input!E19", "gearing": "Input!E26",
                                  "tenor": "Input!E58", "coupon": "Input!E61",
                                  "revenue_price": "Input!E35"},
    "renewable-dcf-datatable.xlsx": {"capex": "Solar Model!K12", "gearing": "Solar Model!J27",
                                     "tenor": "Solar Model!J26", "coupon": "Solar Model!J31"},
    "airport-debt-let-lambda.xlsx": {"debt_amount": "Inputs!B7", "tenor": "Inputs!B4",
                                     "coupon": "Inputs!B5"},
}  # fmt: skip
# cells that are results, sensitivity-table entries or per-period values, never inputs
NOT_INPUTS = {
    "solar-pf-v3.xlsx": {"debt_amount": "Cover!F16 (the sized debt, a result)",
                         "equity": "Cover!F17 (a result)",
                         "base_rate": "Sensitivities!C18 ('Base' of a sensitivity table)",
                         "annual_rent": "Operations!G17 (one period of the revenue line)"},
    "airport-debt-let-lambda.xlsx": {"lockup_dscr": "Debt_Schedule!G2 (the first DSCR)",
                                     "annual_rent": "Operating_Cashflows!B3 (year 1 revenue)",
                                     "opex": "Operating_Cashflows!D3 (year 1 maintenance)"},
    "renewable-dcf-datatable.xlsx": {"wb_min_dscr": "'Solar Model'!J33 (a sizing input)",
                                     "debt_amount": "'Solar Model'!G99 (opening balance)",
                                     "revenue_price": "'Solar Model'!H190 (a data table axis)"},
}  # fmt: skip
REFUSED = {"pace-abs-hero-2017-1.xlsm": "securitisation",
           "sp-case-study-indirect-cf.xlsm": "corporate model"}  # fmt: skip


def _raw(path: str, ref: str):
    sheet, cell = ref.rsplit("!", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True, keep_vba=False)
        try:
            return wb[sheet][cell].value
        finally:
            wb.close()


@pytest.fixture(scope="module")
def imported():
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = import_workbook(os.path.join(MODELS, name))
        return cache[name]

    return get


def test_models_are_present():
    missing = [n for n in [*EXPECTED, *REFUSED] if not os.path.exists(os.path.join(MODELS, n))]
    assert not missing, f"{MODELS} lacks {missing}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_model_imports(name, imported):
    path = os.path.join(MODELS, name)
    res = imported(name)
    for target, ref in EXPECTED[name].items():
        e = res.mapping.get(target)
        assert e is not None, f"{target} not found in {name}"
        assert f"{e.sheet}!{e.cell}" == ref
        raw = _raw(path, ref)
        if isinstance(raw, str):  # e.g. airport's "12 years"
            assert raw.split()[0] == f"{e.value:g}"
        elif target in ("capex", "debt_amount"):
            assert e.value == pytest.approx(raw * e.scale)
        else:
            assert e.value == pytest.approx(raw)
    # capex (or debt), debt share or size, tenor, rate and revenue all reach the deal
    terms = {b.kind: b.terms for b in res.deal.blocks.values()}
    assert terms["facility"]["cost"] > 0 and terms["tranche"]["notional"] > 0
    assert terms["tranche"]["tenor_years"] > 0 and 0 < terms["tranche"]["coupon"] < 0.5
    assert terms["lease"]["annual_rent"] > 0
    assert res.schedules, "no schedule read"
    result = run_deal(res.deal)
    assert len(result.periods) > 0
    metrics = [r.metric for r in res.reconciliation]
    assert metrics[:4] == ["Minimum DSCR", "Average DSCR", "LLCR", "Equity IRR"]
    assert res.reconciliation[0].capstack == pytest.approx(result.metrics["min_dscr"])
    assert isinstance(res.unmapped, list)
    for target, why in NOT_INPUTS.get(name, {}).items():
        assert res.mapping.get(target) is None, f"{name}: {target} read from {why}"
    for e in res.mapping.entries:  # no input read from a sensitivity sheet
        assert "ensitiv" not in e.sheet, e


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_not_a_single_asset_financing_is_refused(name):
    from core.files.excel_import import NotAFinancing

    with pytest.raises(NotAFinancing, match=REFUSED[name]):
        import_workbook(os.path.join(MODELS, name))


def test_solar_debt_from_gearing_and_defaults_listed(imported):
    res = imported("solar-pf-v3.xlsx")
    path = os.path.join(MODELS, "solar-pf-v3.xlsx")
    debt = res.deal.blocks["senior"].terms["notional"]
    assert debt == pytest.approx(_raw(path, "Construction!C31") * _raw(path, "Inputs!C18"))
    assert res.periods_per_year == 2  # semi-annual
    assert any(u.startswith("defaulted - Default DSCR") for u in res.unmapped)


def test_solar_numbers_reconcile_against_workbook_cells(imported):
    res = imported("solar-pf-v3.xlsx")
    path = os.path.join(MODELS, "solar-pf-v3.xlsx")
    rows = {r.metric: r for r in res.reconciliation}
    assert rows["Minimum DSCR"].workbook == pytest.approx(_raw(path, "Cover!F13"))
    assert rows["Equity IRR"].workbook == pytest.approx(_raw(path, "Cover!C14"))
    # tenor 36 semi-annual periods = 18 years (the cover says an 18-year facility)
    assert res.deal.blocks["senior"].terms["tenor_years"] == pytest.approx(18.0)
    # opening balance after year 1 of repayment: Debt!H34 (semi-annual, 2 periods)
    bal = next(r for r in res.reconciliation if "(year 1 of repayment)" in r.metric)
    assert bal.workbook == pytest.approx(_raw(path, "Debt!H34"))
    assert bal.status in ("ok", "amber")


def test_airport_reports_what_is_missing(imported):
    res = imported("airport-debt-let-lambda.xlsx")
    path = os.path.join(MODELS, "airport-debt-let-lambda.xlsx")
    # no price in the workbook: the rent is the average revenue of years 2-13 (the debt tenor)
    revenue = [_raw(path, f"Operating_Cashflows!B{r}") for r in range(3, 15)]
    assert res.deal.blocks["lease"].terms["annual_rent"] == pytest.approx(sum(revenue) / 12e6)
    assert "Revenue price: not found" in res.unmapped
    assert "Capex: not found" in res.unmapped
    assert any(u.startswith("defaulted - Capex") for u in res.unmapped)
    # opex: the first operating year of the OpEx column (C3), not a year-1 cell taken as input
    assert res.deal.blocks["opex"].terms["maintenance"] == pytest.approx(
        _raw(path, "Operating_Cashflows!C3") / 1e6
    )
    rows = {r.metric: r for r in res.reconciliation}
    assert rows["Minimum DSCR"].workbook == pytest.approx(1.3)  # Debt_Schedule!G column
    # the workbook leaves a balloon unpaid at the end of its schedule (Debt_Schedule!H16);
    # CapStack repays the debt at maturity, a balloon in its debt service but, as the
    # workbook's DSCR column and the market's convention, not in its DSCR (docs/engine.md,
    # "DSCR"): the minimum DSCRs agree
    assert _raw(path, "Debt_Schedule!H16") > 30e6
    assert rows["Minimum DSCR"].status == "ok"
    assert not any(w.startswith("Minimum DSCR") for w in res.warnings)


def test_thousands_unit_text_scales_to_millions():
    from core.files.excel_import.labels import find_labels
    from core.files.excel_import.reader import open_workbook

    wb = open_workbook(os.path.join(MODELS, "sp-case-study-indirect-cf.xlsm"))
    e = find_labels(wb)["capex"][0]
    assert e.scale == 1e-3 and e.value == pytest.approx(0.15)  # 150 US$'000 (column G)


def test_macro_workbooks_say_macros_not_run():
    from core.files.excel_import.reader import open_workbook

    for name in REFUSED:
        assert any(
            "macros were not run" in n for n in open_workbook(os.path.join(MODELS, name)).notes
        )
    notes = open_workbook(os.path.join(MODELS, "pace-abs-hero-2017-1.xlsm")).notes
    assert any("only the first 2000 rows" in n for n in notes)


def test_example_desk_model():
    path = os.path.join(EXAMPLES, "gpu_lease_model.xlsx")
    res = import_workbook(path)
    m = res.mapping
    assert m.get("capex").value == _raw(path, "Assumptions!D5") == 1200
    assert m.get("debt_amount").value == pytest.approx(_raw(path, "Assumptions!D7"))
    assert m.get("coupon").value == _raw(path, "Assumptions!D8")
    assert m.get("tenor").value == _raw(path, "Assumptions!D9")
    assert m.get("lockup_dscr").value == _raw(path, "Assumptions!D12")
    assert res.deal.blocks["lease"].terms["annual_rent"] == pytest.approx(400.0)
    rows = {r.metric: r for r in res.reconciliation}
    for r in rows.values():
        if r.metric.startswith("Debt balance"):
            assert r.status == "ok", r
    assert res.deal.blocks["spv"].terms["period"] == "annual"  # an annual model stays annual
    # same periods, same conventions: the DSCRs are the workbook's (converted to quarters they
    # were only within 2.5%)
    for metric in ("Minimum DSCR", "Average DSCR"):
        assert rows[metric].status == "ok"
        assert rows[metric].capstack == pytest.approx(rows[metric].workbook, rel=1e-9)


def test_example_term_sheet_with_merged_cells_and_text_numbers():
    path = os.path.join(EXAMPLES, "datacenter_term_sheet.xlsx")
    res = import_workbook(path)
    m = res.mapping
    assert m.get("tenor").value == 7.0 and _raw(path, "Term Sheet!C9") == "7 years"
    assert m.get("coupon").value == pytest.approx(0.065)
    assert m.get("debt_amount").value == _raw(path, "Term Sheet!C7") == 1000
    sch = res.schedules[0]
    assert sch.axis == "col" and sch.periods_per_year == 4 and len(sch.periods) == 28
    rows = {r.metric: r for r in res.reconciliation}
    balances = [r for r in rows.values() if r.metric.startswith("Debt balance on ")]
    assert len(balances) == 3
    for r in balances:
        assert r.status == "ok" and math.isclose(r.workbook, r.capstack, rel_tol=1e-6)
    assert rows["Average DSCR"].status == "ok"


def test_recalc_let_lambda_errors_reported_per_cell():
    from core.files.recalc import soffice_available

    assert soffice_available(), "LibreOffice (soffice) is required: bash scripts/install.sh"
    res = import_workbook(os.path.join(MODELS, "airport-debt-let-lambda.xlsx"), recalc=True)
    assert "recalculated with LibreOffice (on request)" in res.notes
    # LibreOffice has no LET/LAMBDA/MAP: the DSCR column becomes #NAME? cell by cell
    dscr_note = next(n for n in res.notes if n.startswith("dscr (Debt_Schedule!G1)"))
    assert "Debt_Schedule!G2 ('#NAME?')" in dscr_note
    rows = {r.metric: r for r in res.reconciliation}
    assert rows["Minimum DSCR"].workbook is None and rows["Minimum DSCR"].status == "n/a"
    # inputs are constants and survive; the deal still runs
    assert res.mapping.get("coupon").value == 0.0625
    # an annual workbook imports as annual: 15 yearly periods, not converted to quarters
    assert res.deal.blocks["spv"].terms["period"] == "annual"
    assert len(run_deal(res.deal).periods) == 15


def test_recalculated_solar_model_keeps_saved_values():
    from core.files.recalc import soffice_available

    assert soffice_available(), "LibreOffice (soffice) is required: bash scripts/install.sh"
    saved = import_workbook(os.path.join(MODELS, "solar-pf-v3.xlsx"))
    fresh = import_workbook(os.path.join(MODELS, "solar-pf-v3.xlsx"), recalc=True)
    a = {r.metric: r.workbook for r in saved.reconciliation}
    b = {r.metric: r.workbook for r in fresh.reconciliation}
    assert b["Minimum DSCR"] == pytest.approx(a["Minimum DSCR"], rel=1e-9)
    assert b["Equity IRR"] == pytest.approx(a["Equity IRR"], rel=1e-9)
