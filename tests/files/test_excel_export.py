"""Excel export: LibreOffice recalculates the workbook and every formula that restates an engine
output agrees with ``run_deal`` to 1e-6 relative, for every sample deal, a stressed deal and deals
built here to exercise PIK, pari passu ranks, percentage sweeps, lock-up trap and sweep,
acceleration and liquidation, write-offs and floating ACT/360 tranches. Inputs are live: a
changed coupon, spread or covenant in the workbook gives run_deal's answer for the changed deal.

All workbooks go through one soffice call (module fixture) to keep LibreOffice time low.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from core.engine.arrays import (
    FLAG_ACCELERATED,
    FLAG_CRYPTO_SOLD,
    FLAG_LIQUIDATED,
    FLAG_LOCKUP,
    FLAG_LTV_BREACH,
    FLAG_MARGIN_CALL,
)
from core.engine.results import run_deal
from core.files.deal_json import dump_deal, load_deal
from core.files.excel_export import ExcelExportError, export_workbook
from core.files.excel_grid import FIRST_COL
from core.files.excel_inputs import input_name
from tests.files.excel_cases import CASES, EDITS, SAMPLES, SWITCHED, add_tranche, edit_workbook
from tests.files.excel_compare import (
    _close,
    _headers,
    _num,
    _series,
    compare,
    export_all,
    recalculate_all,
)

pytestmark = pytest.mark.libreoffice

BLUE, BLACK = "FF0000FF", "FF000000"


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """case -> (deal, exported path, recalculated path); one soffice call for all."""
    tmp = tmp_path_factory.mktemp("xlsx")
    made = export_all(CASES, tmp)
    for case, (src, *_rest) in EDITS.items():
        deal = made[src][0].copy()
        wb = openpyxl.load_workbook(made[src][1])
        edit_workbook(case, wb, deal)
        path = tmp / f"{case}.xlsx"
        wb.save(path)
        made[case] = (deal, path)
    for case, (src, scenario) in SWITCHED.items():
        wb = openpyxl.load_workbook(made[src][1])
        sheet, coord = next(iter(wb.defined_names["sc_case"].destinations))
        wb[sheet][coord.replace("$", "")].value = scenario
        path = tmp / f"{case}.xlsx"
        wb.save(path)
        made[case] = (made[src][0], path)
    return recalculate_all(made, tmp)


# ---------------------------------------------------------------------------- tests
@pytest.mark.parametrize("case", [*CASES, *EDITS])
def test_formulas_match_engine(books, case):
    deal, exported, recalculated = books[case]
    bad = compare(deal, exported, recalculated)
    assert not bad, "\n".join(bad[:20])


def test_cases_exercise_the_formula_paths(books):
    """The built deals really hit covenants, shortfalls, PIK, sweeps and liquidation."""
    flags = {c: np.bitwise_or.reduce(run_deal(books[c][0]).outputs.flags[0]) for c in CASES}
    both = flags["trap"] | flags["accel"] | flags["sweep"]
    for bit in (FLAG_LOCKUP, FLAG_ACCELERATED, FLAG_LIQUIDATED, FLAG_LTV_BREACH):
        assert both & bit, bit
    assert flags["crypto_sold"] & FLAG_MARGIN_CALL and flags["crypto_sold"] & FLAG_CRYPTO_SOLD
    held = run_deal(books["crypto_held"][0])
    liq = np.flatnonzero(held.outputs.flags[0] & FLAG_LIQUIDATED)
    assert len(liq) == 1 and held.compiled.inputs.crypto_value[0, liq[0]] > 1.0
    trap = run_deal(books["trap"][0]).outputs
    assert trap.pik[0].sum() > 1.0 and trap.shortfall[0].max() > 1.0
    assert trap.trap_balance[0].max() > 1.0
    assert (trap.principal_paid[0, 2] > 0).any()  # the 25% sweep reaches the junior tranche
    assert run_deal(books["accel"][0]).outputs.writeoff[0].sum() > 1.0
    # lease paths: backstop after a tenant default, RVG at an early sale, renewals repriced
    held = run_deal(books["crypto_held"][0]).compiled
    assert sum(c.backstop_paid.sum() for c in held.lease_cash.values()) > 1.0
    assert run_deal(books["stressed"][0]).compiled.rvg_paid.sum() > 1.0
    assert math.isnan(run_deal(books["minimal"][0]).metrics["equity_irr"])
    tranches = run_deal(books["trap"][0]).compiled.tranches
    assert any(
        b.terms["rate_type"] == "floating" and b.terms["day_count"] == "ACT/360" for b in tranches
    )
    ranks = [b.terms["seniority"] for b in tranches]
    assert len(ranks) != len(set(ranks))  # a pari-passu rank
    # swaps: settlements both ways, a breakage the SPV owes, paid from the sale
    swapped = run_deal(books["swapped"][0]).outputs
    assert (swapped.swap_cash[0] > 0).any() and (swapped.swap_cash[0] < 0).any()
    broken = run_deal(books["swap_broken"][0]).outputs
    assert broken.swap_breakage[0].min() < -1.0 and broken.swap_writeoff[0].sum() > 1.0
    # a late completion with a refinancing sized on the contract as it runs after the delay:
    # refinanced in part (56.72 of the 100 balloon), the rest short
    late_refi = run_deal(books["construction_refi_late"][0]).outputs
    assert late_refi.refinanced[0].sum() == pytest.approx(56.72417868, rel=1e-6)
    assert np.bitwise_or.reduce(late_refi.flags[0]) & FLAG_ACCELERATED
    # the going-concern value: a liquidation sold with the lease, an LTV on the lease's value
    gc = run_deal(books["going_concern"][0])
    assert gc.liquidation[1] == "going-concern value" and gc.compiled.gc_basis[0, 0] == 3
    # the edits change the answer (so matching run_deal proves the formulas are live); the
    # equity edit changes the sources only (its test is the Checks sheet's funding gap)
    for case, (src, *_x) in EDITS.items():
        if case == "edit_gap":
            continue
        a = run_deal(books[src][0]).outputs.distribution[0]
        b = run_deal(books[case][0]).outputs.distribution[0]
        assert np.abs(a - b).max() > 1e-3, case
        # and the comparison notices: the edited workbook does not match the unedited deal
        assert compare(books[src][0], books[case][1], books[case][2])


def test_styles_names_and_roundtrip_sheet(books):
    deal, exported, _ = books["xai_gpu_spv"]
    wb = openpyxl.load_workbook(exported)
    # every term has a named range pointing at a blue cell holding the stored value
    for block in deal.blocks.values():
        for f in block.spec.fields:
            value = block.terms[f.name]
            items = list(enumerate(value)) if f.type == "list" else [(None, value)]
            for i, v in items:
                dn = wb.defined_names[input_name(block.id, f.name, i)]
                sheet, coord = next(iter(dn.destinations))
                cell = wb[sheet][coord.replace("$", "")]
                assert cell.font.color.rgb == BLUE, (block.id, f.name)
                got = cell.value
                if f.type == "date":
                    got = got.date().isoformat()
                assert got == v, (block.id, f.name, got, v)
    # formula cells are black, engine values grey-filled
    for name in ("CashFlows", "Metrics", "Timeline", "Schedules", "Parameters"):
        n = 0
        for row in wb[name].iter_rows(min_row=5):
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.font.color.rgb == BLACK, (name, cell.coordinate)
                    n += 1
        assert n > 0, name
    assert wb["CashFlows"].freeze_panes == "E10"  # below the dated band, right of the labels
    hidden = wb["_capstack"]
    assert hidden.sheet_state == "veryHidden"
    assert hidden["A1"].value == "capstack-deal" and hidden["A2"].value == 1
    text, r = "", 3
    while isinstance(hidden.cell(r, 1).value, str):
        text += hidden.cell(r, 1).value
        r += 1
    assert text == dump_deal(deal)


def test_long_deal_json_is_split(tmp_path):
    deal = load_deal(SAMPLES[0])
    deal.set_name(deal.name, "x" * 70_000)
    path = tmp_path / "long.xlsx"
    export_workbook(deal, path, scenarios=False, mc_paths=0)
    ws = openpyxl.load_workbook(path)["_capstack"]
    parts = [ws.cell(r, 1).value for r in range(3, 10) if ws.cell(r, 1).value]
    assert len(parts) >= 3 and all(len(p) <= 32_000 for p in parts)
    assert "".join(parts) == dump_deal(deal)


def test_scenarios_sheet_holds_engine_stress_results(tmp_path):
    from core.risk.catalogue import RISKS, risk_summary
    from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

    deal = load_deal("resources/deals/hyperion_jv.json")
    path = tmp_path / "s.xlsx"
    export_workbook(deal, path, mc_paths=500, mc_seed=3)
    wb = openpyxl.load_workbook(path)
    ws = wb["Scenarios"]
    rows = {ws.cell(r, 1).value: r for r in range(5, ws.max_row + 1)}
    outcomes = {o.risk.id: o for o in risk_summary(deal)}
    for risk in RISKS:
        o, r = outcomes[risk.id], rows[risk.title]
        if math.isnan(o.min_dscr):  # no DSCR ever (Hyperion: a tenant default while building)
            assert ws.cell(r, 3).value is None
        else:
            assert ws.cell(r, 3).value == pytest.approx(o.min_dscr, rel=1e-12)
        assert ws.cell(r, 5).value == pytest.approx(sum(o.loss_by_tranche.values()), abs=1e-9)
        assert ws.cell(r, 3).fill.fgColor.rgb == "FFD9D9D9"  # grey: an engine value
    base = run_deal(deal).metrics
    assert ws.cell(rows["Base case"], 3).value == pytest.approx(base["min_dscr"], rel=1e-12)
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=500, seed=3)).to_dict()
    m = wb["MonteCarlo"]
    assert m["B5"].value == pytest.approx(mc["tranches"][0]["probability_of_default"])
    assert m["A5"].value == mc["tranches"][0]["name"]
    # the DSCR fan: a row per percentile, periods across from column E (as on CashFlows)
    fan = mc["fan"]["dscr"]
    key = next(iter(fan))
    row = next(r for r in range(1, m.max_row + 1) if m.cell(r, 1).value == key)
    t = len(fan[key]) // 2
    assert m.cell(row, 5 + t).value == pytest.approx(fan[key][t], rel=1e-12, nan_ok=True)
    assert m.cell(row - 1 - list(fan).index(key), 5 + t).value == mc["dates"][t]


def test_bad_targets_raise_clear_errors_and_leave_nothing(tmp_path):
    deal = load_deal(SAMPLES[0])
    with pytest.raises(ExcelExportError, match="does not exist"):
        export_workbook(deal, tmp_path / "missing" / "m.xlsx", scenarios=False, mc_paths=0)
    with pytest.raises(ExcelExportError, match=r"\.xlsx"):
        export_workbook(deal, tmp_path / "m.xls", scenarios=False, mc_paths=0)
    (tmp_path / "taken.xlsx").mkdir()
    with pytest.raises(ExcelExportError, match="cannot write"):
        export_workbook(deal, tmp_path / "taken.xlsx", scenarios=False, mc_paths=0)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken.xlsx"]


def test_cli_export(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    deal_path = root / "resources" / "deals" / "terawulf_backstop.json"
    out = tmp_path / "model.xlsx"

    def main(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, str(root / "main.py"), *args],
            capture_output=True,
            text=True,
            cwd=root,
            timeout=300,
        )

    proc = main("export", str(deal_path), "-o", str(out), "--paths", "200")
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert {"Inputs", "CashFlows", "Metrics", "Scenarios", "MonteCarlo", "_capstack"} <= set(
        wb.sheetnames
    )
    m = wb["Metrics"]
    row = next(r for r in range(5, m.max_row + 1) if m.cell(r, 4).value == "llcr")
    assert m.cell(row, 3).value == pytest.approx(run_deal(load_deal(deal_path)).metrics["llcr"])
    bad = main("export", str(deal_path), "-o", str(tmp_path / "no" / "x.xlsx"))
    assert bad.returncode == 2 and "does not exist" in bad.stderr
    assert not (tmp_path / "no").exists()


def test_awkward_names_stay_text_and_names_stay_unique(tmp_path):
    deal = load_deal("resources/deals/xai_gpu_spv.json")
    deal.set_term("loan", "name", "=1+1")
    add_tranche(deal, "Loan", name="@mezz", pik=False)  # same name as 'loan' for Excel (no case)
    path = tmp_path / "awkward.xlsx"
    export_workbook(deal, path, scenarios=False, mc_paths=0)
    wb = openpyxl.load_workbook(path)
    texts = [c.value for row in wb["Inputs"].iter_rows() for c in row if c.value == "=1+1"]
    assert texts and all(
        c.data_type == "s" for row in wb["Inputs"].iter_rows() for c in row if c.value == "=1+1"
    )
    headers = [c for c in wb["CashFlows"]["A"] if isinstance(c.value, str) and "=1+1" in c.value]
    assert headers and all(c.data_type == "s" for c in headers)
    names = {n.lower() for n in wb.defined_names}
    assert len(names) == len(wb.defined_names)
    assert "in_loan__coupon" in names and "in_loan_2__coupon" in names


# ---------------------------------------------------------------------------- Checks sheet
@pytest.mark.parametrize("case", [*CASES, *EDITS])
def test_checks_sheet(books, case):
    """Recalculated, every integrity check passes (the funding-gap edit excepted, which the
    sources-and-uses check catches); the workbook equals CapStack unless an input was edited."""
    deal, exported, recalculated = books[case]
    ck = openpyxl.load_workbook(recalculated, data_only=True)["Checks"]
    band = next(r for r in range(5, ck.max_row + 1) if ck.cell(r, 1).value == "Period")
    rows = {ck.cell(r, 1).value: r for r in range(5, band) if ck.cell(r, 1).value}  # the checks
    integrity = [label for label in rows if not label.endswith("workbook less engine")]
    failed = [label for label in integrity if ck.cell(rows[label], 3).value == 0]
    res = run_deal(deal)
    assets = ("GPU fleet", "Facility", "DSRA funded at close")
    gap = sum(res.sources.values()) - sum(res.uses.get(k, 0.0) for k in assets)
    r = rows["Sources less uses at closing (no funding gap)"]
    assert _close(ck.cell(r, 2).value, gap)
    if case == "edit_gap":
        assert gap < -100 and failed == ["Sources less uses at closing (no funding gap)"]
        assert ck["C3"].value == 0
    else:
        assert ck["C3"].value == 1, failed
    assert ck["E3"].value == (0 if case in EDITS else 1)
    # the cash check's largest gap is zero: cash in equals cash uses in every period
    assert abs(ck.cell(rows["Cash in less cash uses, largest gap in any period"], 2).value) < 1e-6
    for k, b in enumerate(res.compiled.tranches):
        end = ck.cell(rows[f"{b.terms['name']}: balance at the end (repaid or written off)"], 2)
        assert _close(end.value, float(res.outputs.balance[0, k, -1]))


def test_master_flag_print_setup_and_validation(books):
    _deal, exported, recalculated = books["xai_gpu_spv"]
    wb = openpyxl.load_workbook(exported)
    values = openpyxl.load_workbook(recalculated, data_only=True)
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        flags = [c for c in ws[1] if isinstance(c.value, str) and "chk_ok" in c.value]
        assert len(flags) == 1, ws.title  # the master flag on the sheet's first row
        assert values[ws.title][flags[0].coordinate].value == "Checks: OK"
        assert ws.page_setup.orientation == "landscape", ws.title
        if ws.title in ("Timeline", "Leases", "Schedules", "CashFlows", "Results"):
            # periods across: the labels (A:D) and the dated band (rows 1-8) on every page,
            # a page break after every 3 years of quarters, at a fixed scale
            assert ws.print_title_rows == "$1:$8" and ws.print_title_cols == "$A:$D"
            assert not ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.scale == 50
            assert [b.id for b in ws.col_breaks.brk][:3] == [16, 28, 40], ws.title
        elif ws.title not in ("Checks", "Metrics"):  # lists: fitted to one page across
            assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToHeight == 0
            assert ws.page_setup.fitToWidth == 1 and ws.print_title_rows == "$1:$4", ws.title
    dvs = wb["Inputs"].data_validations.dataValidation
    assert dvs and all(dv.showErrorMessage and dv.errorStyle == "stop" for dv in dvs)
    assert {"chk_ok", "chk_engine", "chk_tol", "chk_rel"} <= set(wb.defined_names)


@pytest.mark.parametrize("case", sorted(SWITCHED))
def test_scenario_switch_is_followed_by_the_formulas(books, case):
    """The switch set to a flex case in the workbook: recalculated, every CashFlows series and
    metric equals the engine's run of the same flex (core.risk.flex.run_flexed: revenue and
    opex rows scaled, schedules as sized on the base case), the checks still pass, and the
    Sensitivity sheet's live column shows what its CapStack column says for that case."""
    from core.files.excel_sensitivity import CASES
    from core.risk.flex import run_flexed

    deal, exported, recalculated = books[case]
    scenario = SWITCHED[case][1]
    flexed = run_flexed(deal, *CASES[scenario])
    base = run_deal(deal)
    assert flexed.metrics["min_dscr"] < base.metrics["min_dscr"]  # the flex bites
    bad = compare(deal, exported, recalculated, flexed)
    assert not bad, "\n".join(bad[:20])
    values = openpyxl.load_workbook(recalculated, data_only=True)
    assert values["Checks"]["C3"].value == 1
    sens = values["Sensitivity"]
    col = 3 + list(CASES).index(scenario)
    rows = {sens.cell(r, 1).value: r for r in range(11, 16)}
    for label in ("Minimum DSCR", "Average DSCR", "Equity IRR"):
        live, engine = sens.cell(rows[label], 2).value, sens.cell(rows[label], col).value
        assert _close(_num(live), _num(engine)), (label, live, engine)


def test_run_flexed_by_hand():
    """run_flexed scales the revenue and opex rows and nothing else (hand check on a sample)."""
    from core.risk.flex import run_flexed

    deal = load_deal("resources/deals/xai_gpu_spv.json")
    base, flexed = run_deal(deal), run_flexed(deal, 0.2, 0.1)
    alive = base.periods["revenue"] > 0
    assert np.allclose(flexed.periods["revenue"][alive], 0.8 * base.periods["revenue"][alive])
    assert np.allclose(flexed.periods["opex"][alive], 1.1 * base.periods["opex"][alive])
    assert run_flexed(deal).metrics["min_dscr"] == base.metrics["min_dscr"]
    with pytest.raises(ValueError, match="revenue_cut"):
        run_flexed(deal, 1.5)


def test_saved_values_show_without_recalculation(tmp_path):
    """values=True: every formula keeps its text and carries the value LibreOffice computes, so
    a reader that does not recalculate (openpyxl's data_only here) sees the engine's numbers;
    names, the very hidden deal sheet and the round trip are kept."""
    from core.files.excel_import import import_workbook

    deal = load_deal("resources/deals/xai_gpu_spv.json")
    path = tmp_path / "with_values.xlsx"
    export_workbook(deal, path, scenarios=False, mc_paths=0, values=True)
    res = run_deal(deal)
    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)  # saved values, no recalculation
    m, mf = values["Metrics"], formulas["Metrics"]
    keys = {m.cell(r, 4).value: r for r in range(5, m.max_row + 1)}
    for key in ("min_dscr", "avg_dscr", "llcr", "equity_irr", "debt_loss"):
        assert str(mf.cell(keys[key], 2).value).startswith("="), key
        assert _close(_num(m.cell(keys[key], 2).value), float(res.metrics[key])), key
    cf = values["CashFlows"]
    col = _headers(cf)["DSCR"]
    dscr = res.periods["dscr"].to_numpy(dtype=float)
    assert all(_close(_num(v), e) for v, e in zip(_series(cf, col, len(dscr)), dscr, strict=True))
    assert values["Checks"]["C3"].value == 1 and values["Checks"]["E3"].value == 1
    assert any(c.value == "Checks: OK" for c in values["CashFlows"][1])
    assert formulas["_capstack"].sheet_state == "veryHidden"
    assert dump_deal(import_workbook(path).deal) == dump_deal(deal)


def _named(path, name: str) -> float:
    """The recalculated value of the workbook-scoped name ``name``."""
    wb = openpyxl.load_workbook(path, data_only=True)
    sheet, coord = next(iter(wb.defined_names[name].destinations))
    return float(wb[sheet][coord.replace("$", "")].value)


def test_construction_terms_by_hand(books):
    """The small construction deal (tests/files/excel_cases.construction_deal), worked by hand:
    completion in period 3 (month 9, quarterly); a 90 facility on the S-curve 3x^2 - 2x^3 over
    3 periods: 90 x (7/27, 13/27, 7/27); 12% on 100 is 3 a quarter; the reserve earns 1% a
    quarter. Paid from the reserve: it is funded with what pays capex + 3 each period,
    discounted at 1% (and the engine's 1e-9 cushion). Capitalised: it holds the capex at cost
    and the notes accrete to 100 x 1.03^3 by completion."""
    capex = [90 * 7 / 27, 90 * 13 / 27, 90 * 7 / 27]
    reserve = sum((c + 3.0) / 1.01 ** (t + 1) for t, c in enumerate(capex)) * (1 + 1e-9)
    paid = books["construction_reserve"][2]
    assert _named(paid, "p_completion") == 3
    assert _named(paid, "p_tsy0") == pytest.approx(reserve, rel=1e-12)
    assert _named(paid, "p_k0_ncomp") == pytest.approx(100.0, rel=1e-12)
    capitalised = books["construction_capitalised"][2]
    assert _named(capitalised, "p_tsy0") == pytest.approx(90.0, rel=1e-12)
    assert _named(capitalised, "p_k0_ncomp") == pytest.approx(100 * 1.03**3, rel=1e-12)


@pytest.mark.parametrize(
    "case",
    [
        "construction_reserve",
        "construction_capitalised",
        "construction_custom",
        "construction_late",
        "construction_refi_late",
        "hyperion_late",
        "capex_draws",
        "construction_ddtl_refi",
        "construction_ddtl_refi_late",
    ],  # fmt: skip
)
def test_construction_export_import_run_is_identical(books, case):
    """Export -> import -> run: the same deal, and the same engine results to the bit."""
    from core.files.excel_import import import_workbook

    deal, exported, _ = books[case]
    back = import_workbook(exported).deal
    assert dump_deal(back) == dump_deal(deal)
    a, b = run_deal(deal), run_deal(back)
    assert a.periods.equals(b.periods)
    assert a.outputs.treasury_balance.tolist() == b.outputs.treasury_balance.tolist()
    assert a.outputs.balance.tolist() == b.outputs.balance.tolist()


def test_capex_linked_draws_by_hand(books):
    """tests/engine/test_capex_draws.py's deal recalculated by LibreOffice: capex 100/200/100,
    a USD 240m commitment on USD 400m of capex (a 60% debt share) draws 60/120/60, the
    undrawn 180/60/0 bears the 0.5% fee (0.075, 0.025, 0); the Treasury reserve pays the
    other 40/80/40; two periods late the same draws move two periods later."""
    for case, first in (("capex_draws", 0), ("capex_draws_late", 2)):
        path = books[case][2]
        drawn = _line(path, "CashFlows", "Senior notes: drawn")
        assert drawn[first : first + 3] == pytest.approx([60.0, 120.0, 60.0], abs=1e-9)
        assert sum(drawn) == pytest.approx(240.0, abs=1e-9)
        paid = _line(path, "CashFlows", "Capex paid from the Treasury reserve")
        assert paid[first : first + 3] == pytest.approx([40.0, 80.0, 40.0], abs=1e-9)
    path = books["capex_draws"][2]
    undrawn = _line(path, "CashFlows", "Senior notes: undrawn commitment")
    assert undrawn[:3] == pytest.approx([180.0, 60.0, 0.0], abs=1e-9)
    fee = _line(path, "CashFlows", "Senior notes: commitment fee")
    assert fee[:3] == pytest.approx([0.075, 0.025, 0.0], abs=1e-12)
    assert _named(path, "p_k0_share") == pytest.approx(0.6, abs=1e-15)
    assert _named(path, "p_debt_share") == pytest.approx(0.6, abs=1e-15)
    # the reserve holds equity's 40% of the capex (interest capitalised): 160
    assert _named(path, "p_tsy0") == pytest.approx(160.0, rel=1e-12)


def test_capex_linked_cut_draws_are_equity(books):
    """The combined deal's draws cut by a 30% borrowing base: the debt share of capex the
    draws do not fund is an equity injection (the kernel's dd_eq), to the engine's figure."""
    deal, _, path = books["construction_ddtl_refi_cut"]
    res = run_deal(deal)
    drawn = _line(path, "CashFlows", "Construction loan: drawn")
    np.testing.assert_allclose(drawn, res.outputs.drawn[0, 0], atol=1e-9)
    assert sum(drawn) < 0.5 * 150.0  # most of the 150 commitment is never drawn
    label = "Equity's share of the GPUs delivered and of the capex the draws do not fund"
    equity = _line(path, "CashFlows", label)
    spend = _line(path, "CashFlows", "Capex spent (the schedule moved by a late completion)")
    np.testing.assert_allclose(equity, 0.5 * np.array(spend) - np.array(drawn), atol=1e-9)


def _line(path, sheet: str, label: str) -> list[float]:
    """The recalculated line ``label`` of ``sheet`` in every period."""
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [_num(v) for v in _series(ws, _headers(ws)[label], ws.max_column - 4)]


def test_capex_s_curve_by_hand(books):
    """The capex written as formulas: 90 over periods 0-2 (completion month 9, quarterly) at
    the rises of the S-curve 3x^2 - 2x^3 at x = 1/3, 2/3, 1: 90 x (7/27, 13/27, 7/27); on a
    straight line; on custom shares."""
    got = _line(books["construction_reserve"][2], "CashFlows", "Capex")
    assert got[:3] == pytest.approx([90 * 7 / 27, 90 * 13 / 27, 90 * 7 / 27], rel=1e-12)
    assert got[3:] == [0.0] * 9
    # a straight line: 30 a period; custom shares 0.2, 0.5, 0.2 of 90 (the 4th item, past the
    # 3 construction periods, is ignored, as the engine ignores it)
    got = _line(books["construction_straight"][2], "CashFlows", "Capex")
    assert got == pytest.approx([30.0] * 3 + [0.0] * 9, rel=1e-12)
    got = _line(books["construction_custom"][2], "CashFlows", "Capex")
    assert got == pytest.approx([18.0, 45.0, 18.0] + [0.0] * 9, rel=1e-12)
    wb = openpyxl.load_workbook(books["construction_reserve"][1])
    assert _named(books["construction_reserve"][2], "p_scurve_a") == 3.0  # named constants
    assert _named(books["construction_reserve"][2], "p_scurve_b") == 2.0
    ws = wb["CashFlows"]
    row = _headers(ws)["Capex"]
    assert ws.cell(row, FIRST_COL).value == f"=p_cn_capex*E{row - 1}"  # a formula, no value


def test_completion_cell_moves_capex_and_rent_start(books):
    """The completion month changed in the workbook (9 -> 12: period 3 -> 4) moves the capex
    and the rent start as the engine does for a deal completing in month 12: capex on the
    S-curve over 4 periods, 90 x (s(1/4), s(2/4) - s(1/4), ...) = 14.0625, 30.9375, 30.9375,
    14.0625 (hand-worked), the rent from period 4; the whole workbook matches that run (the
    edit_completion case of test_formulas_match_engine)."""
    deal, _, recalculated = books["edit_completion"]
    assert deal.of_kind("spv")[0].terms["completion_month"] == 12
    capex = _line(recalculated, "CashFlows", "Capex")
    assert capex[:4] == pytest.approx([14.0625, 30.9375, 30.9375, 14.0625], rel=1e-12)
    assert capex[4:] == [0.0] * 8
    engine = run_deal(deal)
    assert capex == pytest.approx(engine.compiled.level.construction.capex.tolist(), rel=1e-12)
    assert _named(recalculated, "p_completion") == 4
    assert _named(recalculated, "p_l0_start") == 4
    rent = engine.periods["revenue"].to_numpy()
    assert rent[3] == 0.0 and rent[4] == pytest.approx(20.0)  # 80 a year, quarterly
    assert _line(recalculated, "CashFlows", "Revenue")[:5] == pytest.approx([0, 0, 0, 0, 20.0])
    # and the unedited workbook: completion in period 3, rent from period 3
    assert _named(books["construction_rvg"][2], "p_l0_start") == 3


def test_late_completion_by_hand(books):
    """A completion 5 months late (2 quarters) and, edited in the workbook, 7 (3 quarters):
    the rent of periods 3-8 moves to 5-10 (6-11); in each late period the completion
    guarantee pays the rent lost (20) plus the interest owed (12% / 4 on 100 = 3), up to its
    cap of 50: 23, 23 (23, 23, 4: the cap runs out, the debt defaults); the sale moves from
    period 9 to 11 at its value in period 9 (the undelayed deal's)."""
    _, _, late = books["construction_late"]
    assert _named(late, "p_delay") == 2 and _named(late, "p_sale_late") == 11
    assert _named(late, "p_l0_start_late") == 5
    # the works start late too: the capex planned for periods 0-2 is spent in periods 2-4,
    # and the Treasury reserve keeps what is still to come after completion
    capex = [90 * 7 / 27, 90 * 13 / 27, 90 * 7 / 27]
    assert _line(late, "CashFlows", "Capex")[:4] == pytest.approx([*capex, 0], rel=1e-12)
    spent = _line(late, "CashFlows", "Capex spent (the schedule moved by a late completion)")
    assert spent == pytest.approx([0, 0, *capex] + [0] * 7, rel=1e-12)
    held = _line(late, "CashFlows", "Treasury reserve (closing)")
    assert held[3] == pytest.approx(capex[2], rel=1e-12) and held[4] == pytest.approx(0, abs=1e-9)
    paid = _line(late, "Leases", "Completion: delay cost paid (completion guarantee)")
    assert paid == pytest.approx([0, 0, 0, 23, 23] + [0] * 7, abs=1e-12)
    assert _line(late, "CashFlows", "Revenue") == pytest.approx(
        [0, 0, 0, 23, 23] + [20] * 6 + [0], abs=1e-12
    )
    deal, _, edited = books["edit_delay"]
    assert deal.of_kind("spv")[0].terms["completion_delay_months"] == 7
    assert _named(edited, "p_delay") == 3 and _named(edited, "p_sale_late") == 11
    paid = _line(edited, "Leases", "Completion: delay cost paid (completion guarantee)")
    assert paid == pytest.approx([0, 0, 0, 23, 23, 4] + [0] * 6, abs=1e-12)
    # the 4 left does not pay period 5's debt service (13.44): payment default, acceleration
    # (flags 8 + 16), the lenders' forced sale in period 6 (32); nothing after
    assert _line(edited, "CashFlows", "Revenue") == pytest.approx(
        [0, 0, 0, 23, 23, 4, 20] + [0] * 5, abs=1e-12
    )
    assert _line(edited, "CashFlows", "Flags (bitmask)")[5:8] == [24, 32, 0]
    # the sale proceeds (with the RVG) at the moved sale, valued at the undelayed period 9
    on_time = _line(
        books["construction_rvg"][2], "CashFlows", "Sale, liquidation and crypto proceeds"
    )
    moved = _line(late, "CashFlows", "Sale, liquidation and crypto proceeds")
    assert on_time[9] > 40.0 and moved[11] == pytest.approx(on_time[9], rel=1e-12)
    assert moved[:11] == [0.0] * 11
    # Hyperion a year late: its completion guarantee pays (engine and workbook agree in
    # test_formulas_match_engine); the engine's total is the workbook's
    res = run_deal(books["hyperion_late"][0])
    name = books["hyperion_late"][0].blocks["completion"].terms["name"]
    total = _line(
        books["hyperion_late"][2], "Leases", f"{name}: delay cost paid (completion guarantee)"
    )
    assert sum(total) == pytest.approx(
        float(res.compiled.guarantee_paid["completion"][0]), rel=1e-9
    )
    assert sum(total) > 1000.0


def test_guarantee_terms_from_operations_run_from_completion(books):
    """A guarantee whose term runs from operations starts at completion (period 3): the RVG's
    2 years end in period 11, after the sale in period 9, so it pays floor 0.9 x 90 less the
    sale value, as the engine does (from closing it would end in period 8 and pay nothing);
    the backstop's 1.5 years end in period 9: after the tenant's default in period 5 it pays
    the rent (20 a quarter) to its cap of 70: 20, 20, 20, 10 (from closing: period 5 only)."""
    _, _, rvg = books["construction_rvg"]
    assert _named(rvg, "p_g0_end") == 11
    res = run_deal(books["construction_rvg"][0])
    assert res.compiled.rvg_paid.sum() > 40.0
    at_sale = _line(rvg, "Schedules", "RVG paid at the planned sale")
    assert at_sale[9] == pytest.approx(float(res.compiled.rvg_paid.sum()), rel=1e-12)
    floor = _named(rvg, "p_g0_floor")
    assert floor == pytest.approx(81.0, rel=1e-12)
    _, _, backstop = books["construction_backstop"]
    assert _named(backstop, "p_g0_end") == 9
    paid = _line(
        backstop, "Leases", "Lease: backstop paid (nothing once its guarantor has defaulted)"
    )
    assert paid == pytest.approx([0] * 5 + [20, 20, 20, 10] + [0] * 3, abs=1e-12)


def test_a_backstop_pays_until_the_re_let_in_excel(books):
    """The same default in period 5 re-let after the 6-month search (2 quarters): the
    recalculated workbook's backstop pays the rent of periods 5 and 6 only (20, 20, not to
    its cap), the re-let from period 7 = 5 + 2, as the engine."""
    _, _, book = books["relet_backstop"]
    assert _named(book, "p_l0_relet_from") == 7
    paid = _line(book, "Leases", "Lease: backstop paid (nothing once its guarantor has defaulted)")
    assert paid == pytest.approx([0] * 5 + [20, 20] + [0] * 5, abs=1e-12)
    relet = _line(book, "Leases", "Lease: re-leasing at market")
    assert [v > 0 for v in relet] == [False] * 7 + [True] * 5


def test_cli_export_with_a_late_completion(tmp_path):
    """``export --stress completion_delay_months=12``: the workbook is the stressed deal (its
    SPV's delay cell holds 12), the engine values beside its metrics are the stressed run's
    (the hyperion_late case of test_formulas_match_engine recalculates the same workbook);
    a refinancing-market stress, not a deal term, an unknown input and an unknown block are
    refused, each named as the --stress item."""
    import subprocess
    import sys

    from tests.files.excel_cases import hyperion_late_deal

    root = Path(__file__).resolve().parents[2]
    deal_path = root / "resources" / "deals" / "hyperion_jv.json"
    out = tmp_path / "late.xlsx"
    args = [sys.executable, str(root / "main.py"), "export", str(deal_path), "-o", str(out)]
    run = dict(capture_output=True, text=True, cwd=root, timeout=300)
    proc = subprocess.run([*args, "--no-scenarios", "--paths", "0", "--stress",
                           "completion_delay_months=12"], **run)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    sheet, coord = next(
        iter(wb.defined_names[input_name("spv", "completion_delay_months")].destinations)
    )
    assert wb[sheet][coord.replace("$", "")].value == 12
    m = wb["Metrics"]
    row = next(r for r in range(5, m.max_row + 1) if m.cell(r, 4).value == "llcr")
    late = run_deal(hyperion_late_deal()).metrics["llcr"]
    assert m.cell(row, 3).value == pytest.approx(late, rel=1e-12)
    assert late != pytest.approx(run_deal(load_deal(deal_path)).metrics["llcr"], rel=1e-6)
    bad = subprocess.run([*args, "--stress", "refi_advance_cut=1"], **run)
    assert bad.returncode != 0 and "refi_advance_cut" in bad.stderr
    for item, said in (("bogus=1", "--stress 'bogus=1': unknown input 'bogus'"),
                       ("nope.x=1", "--stress nope.x: expected BLOCK_ID.FIELD")):  # fmt: skip
        bad = subprocess.run([*args, "--stress", item], **run)
        assert bad.returncode == 2 and said in bad.stderr, bad.stderr
