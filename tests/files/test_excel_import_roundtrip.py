"""CapStack's own workbook reads back to the same deal (embedded JSON + named inputs), and a
mapping can be saved, reused on the same template, refused on another, and corrected."""

from __future__ import annotations

import glob
import os

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from core.engine.results import run_deal
from core.files.deal_json import dump_deal, load_deal
from core.files.excel_import import Mapping, WorkbookError, import_workbook, rebuild
from core.files.excel_import.mapping import read_entry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = sorted(glob.glob(os.path.join(ROOT, "resources", "deals", "*.json")))
EXAMPLES = os.path.join(ROOT, "resources", "examples")


def _capstack_workbook(path, deal, names: dict[str, object]) -> None:
    """A workbook laid out as the export convention says: very hidden _capstack sheet with the
    deal JSON from A3 on, and named input cells in_<block>__<field>[__<i>] on Inputs."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inputs"
    for r, (name, value) in enumerate(names.items(), start=2):
        ws.cell(r, 1, name)
        ws.cell(r, 2, value)
        wb.defined_names[name] = DefinedName(name, attr_text=f"Inputs!$B${r}")
    hidden = wb.create_sheet("_capstack")
    hidden.sheet_state = "veryHidden"
    hidden["A1"], hidden["A2"] = "capstack-deal", 1
    text = dump_deal(deal)
    for i in range(0, len(text), 30000):
        hidden.cell(3 + i // 30000, 1, text[i : i + 30000])
    wb.save(path)


def test_capstack_workbook_inputs_override_embedded_deal(tmp_path):
    deal = load_deal(os.path.join(ROOT, "resources", "deals", "xai_gpu_spv.json"))
    p = tmp_path / "capstack.xlsx"
    curve = [0.04, 0.039, 0.038]
    names = {"in_loan__spread": 0.05, "in_lease__annual_rent": 4200.0}
    names.update({f"in_spv__base_rate_curve__{i}": v for i, v in enumerate(curve)})
    _capstack_workbook(p, deal, names)
    res = import_workbook(p)
    assert res.capstack_roundtrip
    expected = deal.copy()
    expected.set_term("loan", "spread", 0.05)
    expected.set_term("lease", "annual_rent", 4200.0)
    expected.set_term("spv", "base_rate_curve", curve)
    assert dump_deal(res.deal) == dump_deal(expected)
    assert run_deal(res.deal).metrics["min_dscr"] == run_deal(expected).metrics["min_dscr"]


def test_capstack_workbook_bad_input_names_cell(tmp_path):
    deal = load_deal(os.path.join(ROOT, "resources", "deals", "xai_gpu_spv.json"))
    p = tmp_path / "capstack.xlsx"
    _capstack_workbook(p, deal, {"in_loan__coupon": 0.06, "in_loan__spread": "abc"})
    with pytest.raises(WorkbookError, match=r"Inputs!B3: loan.spread: must be a number"):
        import_workbook(p)


@pytest.mark.parametrize("sample", SAMPLES, ids=os.path.basename)
def test_export_round_trip_identical_metrics(sample, tmp_path):
    from core.files.excel_export import export_workbook

    deal = load_deal(sample)
    p = tmp_path / "deal.xlsx"
    export_workbook(deal, p)
    res = import_workbook(p)
    assert res.capstack_roundtrip
    assert dump_deal(res.deal) == dump_deal(deal)
    a, b = run_deal(deal).metrics, run_deal(res.deal).metrics
    assert {k: str(v) for k, v in a.items()} == {k: str(v) for k, v in b.items()}


def test_mapping_saved_and_reused(tmp_path):
    path = os.path.join(EXAMPLES, "gpu_lease_model.xlsx")
    first = import_workbook(path)
    saved = tmp_path / "gpu.map.json"
    first.mapping.save(saved)
    again = import_workbook(path, mapping=Mapping.load(saved))
    assert dump_deal(again.deal) == dump_deal(first.deal)
    assert any("mapping reused" in n for n in again.notes)
    assert all(e.source == "saved" for e in again.mapping.entries)
    other = os.path.join(EXAMPLES, "datacenter_term_sheet.xlsx")
    with pytest.raises(WorkbookError, match="different workbook template"):
        import_workbook(other, mapping=Mapping.load(saved))


def test_corrected_mapping_rebuilds_deal():
    path = os.path.join(EXAMPLES, "gpu_lease_model.xlsx")
    res = import_workbook(path)
    e = res.mapping.get("opex")
    assert e.cell == "D11" and e.value == 20.0
    # the user points "Opex" at the year-3 opex on the cash-flow sheet instead
    e.sheet, e.cell = "Cash Flow", "E6"
    fixed = read_entry(res.workbook, e)
    res.mapping.entries[res.mapping.entries.index(e)] = fixed
    assert fixed.value == pytest.approx(20.0 * 1.025**2)
    # the opex schedule takes precedence for opex; untick it to use the corrected cell
    again = rebuild(res.workbook, res.mapping, [])
    assert again.deal.blocks["opex"].terms["maintenance"] == pytest.approx(fixed.value)
    coupon = again.mapping.get("coupon")
    coupon.enabled = False
    with pytest.raises(WorkbookError, match="Coupon / interest rate"):
        rebuild(res.workbook, again.mapping, [])


def test_bad_mapping_file(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('{"format": "something else"}')
    with pytest.raises(WorkbookError, match="not a CapStack Excel mapping file"):
        Mapping.load(p)


def test_export_edited_input_is_read_back(tmp_path):
    from core.files.excel_export import export_workbook

    deal = load_deal(os.path.join(ROOT, "resources", "deals", "xai_gpu_spv.json"))
    p = tmp_path / "deal.xlsx"
    export_workbook(deal, p)
    wb = openpyxl.load_workbook(p)
    sheet, ref = next(iter(wb.defined_names["in_loan__spread"].destinations))
    wb[sheet][ref.replace("$", "")] = 0.045  # an analyst edits the blue input cell
    wb.save(p)
    res = import_workbook(p)
    expected = deal.copy()
    expected.set_term("loan", "spread", 0.045)
    assert dump_deal(res.deal) == dump_deal(expected)
    assert any("loan.spread" in n for n in res.notes)


def test_cli_import_writes_deal_and_reuses_mapping(tmp_path, capsys):
    import json

    from cli.main import cli_main

    src = os.path.join(EXAMPLES, "datacenter_term_sheet.xlsx")
    out, mapping = tmp_path / "dc.json", tmp_path / "dc.map.json"
    assert cli_main(["import", src, "-o", str(out), "--save-mapping", str(mapping)]) == 0
    text = capsys.readouterr().out
    assert "tranche.coupon" in text and "'Term Sheet'!C8" in text and "Reconciliation" in text
    deal = load_deal(out)
    assert deal.blocks["senior"].terms["notional"] == 1000.0
    out2 = tmp_path / "dc2.json"
    args = ["import", src, "-o", str(out2), "--mapping", str(mapping), "--json"]
    assert cli_main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {i["id"]: i["cell"] for i in doc["inputs"]}["tenor"] == "'Term Sheet'!C9"
    assert any(r["metric"] == "Average DSCR" and r["status"] == "ok" for r in doc["reconciliation"])
    assert dump_deal(load_deal(out2)) == dump_deal(deal)
    other = os.path.join(EXAMPLES, "gpu_lease_model.xlsx")
    out3 = tmp_path / "gpu.json"
    assert cli_main(["import", other, "-o", str(out3), "--mapping", str(mapping)]) == 2
    assert "different workbook template" in capsys.readouterr().err and not out3.exists()


def test_export_names_with_sanitised_and_clashing_ids(tmp_path):
    from core.files.excel_export import export_workbook

    deal = load_deal(os.path.join(ROOT, "resources", "deals", "xai_gpu_spv.json"))
    deal.add_block("tranche", {"name": "Junior", "seniority": 2, "notional": 500.0,
                               "coupon": 0.11, "tenor_years": 5.0}, block_id="LOAN")  # fmt: skip
    deal.connect("issues", "spv", "LOAN")
    deal.add_block("tranche", {"name": "Mezz", "seniority": 2, "notional": 300.0,
                               "coupon": 0.09, "tenor_years": 5.0}, block_id="mezz a")  # fmt: skip
    deal.connect("issues", "spv", "mezz a")
    p = tmp_path / "deal.xlsx"
    export_workbook(deal, p)
    wb = openpyxl.load_workbook(p)
    for name, value in (("in_LOAN_2__coupon", 0.12), ("in_mezz_a__coupon", 0.095)):
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        wb[sheet][ref.replace("$", "")] = value
    wb.save(p)
    res = import_workbook(p)
    assert res.deal.blocks["LOAN"].terms["coupon"] == 0.12
    assert res.deal.blocks["mezz a"].terms["coupon"] == 0.095
    assert res.deal.blocks["loan"].terms == deal.blocks["loan"].terms
