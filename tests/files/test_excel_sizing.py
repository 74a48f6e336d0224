"""The export records the sizing (issue #13): a sculpted tranche's capacity as live formulas on
the Sizing sheet (recalculated by LibreOffice: the NPV of CFADS / target, worked here from the
engine's own period outputs), the record of a sizing (``export --sizing``, ``size --excel``,
the GUI's Size debt… then Export Excel), and bad records refused."""

from __future__ import annotations

import json

import numpy as np
import openpyxl
import pytest

from cli.main import cli_main
from core.engine.results import run_deal
from core.files.deal_json import load_deal, save_deal
from core.files.excel_export import export_workbook
from core.files.excel_inputs import input_name
from core.files.recalc import recalculate_many
from core.structuring.sizing import size_tranche
from tests.engine.deal_builders import sculpted_terawulf

XAI = "resources/deals/xai_gpu_spv.json"


@pytest.fixture
def terawulf(tmp_path):
    """The TeraWulf sample with its notes sculpted (no 2030 refinancing), as a deal file."""
    path = tmp_path / "terawulf_sculpted.json"
    save_deal(sculpted_terawulf(), path)
    return str(path)


def _rows(ws) -> dict:
    """Column A label (stripped) -> the row's other values."""
    return {str(r[0]).strip(): r[1:] for r in ws.iter_rows(values_only=True) if r[0]}


def _hand_capacity(deal, target: float) -> float:
    """NPV at the notes' periodic rate, from the first amortising period, of the run's CFADS /
    target over the amortising periods (one tranche, no tax: nothing else to leave room for)."""
    res = run_deal(deal)
    tr = res.compiled.level.terms[0]
    cfads = res.periods["cfads"].to_numpy(float)
    end = min(tr.maturity, len(cfads) - 1)
    disc = np.cumprod(1.0 / (1.0 + tr.periodic_rate[tr.io : end + 1]))
    return float(np.sum(cfads[tr.io : end + 1] / target * disc))


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sizing")
    tw = sculpted_terawulf()  # notes sculpted to 1.30x (the sample refinances since issue #12)
    export_workbook(tw, tmp / "tw.xlsx", scenarios=False, mc_paths=0)
    # the target DSCR edited in the workbook: the capacity follows
    wb = openpyxl.load_workbook(tmp / "tw.xlsx")
    name = wb.defined_names[input_name("notes", "target_dscr")]
    sheet, coord = next(iter(name.destinations))
    wb[sheet][coord.replace("$", "")].value = 1.6
    wb.save(tmp / "tw_edit.xlsx")
    sized = size_tranche(load_deal(XAI), "loan", [], sculpt_dscr=1.35)
    export_workbook(sized.deal, tmp / "sized.xlsx", scenarios=False, mc_paths=0,
                    sizing=sized.to_dict())  # fmt: skip
    names = ("tw", "tw_edit", "sized")
    outs = recalculate_many([tmp / f"{n}.xlsx" for n in names], tmp / "recalc", timeout=300)
    sheets = {
        n: openpyxl.load_workbook(o, data_only=True)["Sizing"]
        for n, o in zip(names, outs, strict=True)
    }
    return sheets, tw, sized


def test_sculpted_capacity_is_live_and_equals_the_npv(books):
    sheets, tw, _ = books
    rows = _rows(sheets["tw"])
    capacity, engine = rows["Sculpted capacity (USD m)"][:2]
    want = _hand_capacity(tw, 1.3)
    assert capacity == pytest.approx(want, rel=1e-9) and engine == pytest.approx(want, rel=1e-9)
    assert 2700 < capacity < 3000  # TeraWulf's USD 2,640m notes leave headroom at 1.30x
    assert rows["Notional (USD m)"][0] == 2640.0
    assert rows["Capacity less notional (USD m)"][0] == pytest.approx(capacity - 2640.0)
    # no tax and one tranche: the capacity is inversely proportional to the target
    edited = _rows(sheets["tw_edit"])["Sculpted capacity (USD m)"][0]
    assert edited == pytest.approx(capacity * 1.3 / 1.6, rel=1e-9)


def test_a_deal_sized_by_sculpting_has_capacity_equal_to_its_notional(books):
    sheets, _, sized = books
    rows = _rows(sheets["sized"])
    notional = sized.deal.blocks["loan"].terms["notional"]
    assert rows["Sculpted capacity (USD m)"][0] == pytest.approx(notional, rel=1e-6)
    assert abs(rows["Capacity less notional (USD m)"][0]) < 1e-6 * notional
    # the record: engine values of the sizing, the binding constraint marked
    assert rows["Sized notional"][0] == pytest.approx(sized.notional) == notional
    assert rows["Binding constraint"][0] == sized.binding
    assert rows[sized.binding][1] == "yes"
    assert "Note" not in rows  # the deal is as sized


def test_export_sizing_from_the_command_line(tmp_path, capsys, terawulf):
    record, deal_out = tmp_path / "sizing.json", tmp_path / "sized.json"
    assert cli_main(["size", terawulf, "--dscr", "1.30", "-o", str(deal_out), "--json"]) == 0
    record.write_text(capsys.readouterr().out)
    doc = json.loads(record.read_text())
    out = tmp_path / "m.xlsx"
    assert cli_main(["export", str(deal_out), "-o", str(out), "--sizing", str(record),
                     "--paths", "0", "--no-scenarios"]) == 0  # fmt: skip
    rows = _rows(openpyxl.load_workbook(out)["Sizing"])
    assert rows["Sized notional"][0] == pytest.approx(doc["sized_notional"])
    assert rows["Binding constraint"][0] == doc["binding"] and "Note" not in rows
    # the record against the deal before sizing: noted as changed since
    assert cli_main(["export", terawulf, "-o", str(out), "--sizing", str(record),
                     "--paths", "0", "--no-scenarios"]) == 0  # fmt: skip
    rows = _rows(openpyxl.load_workbook(out)["Sizing"])
    assert "changed since it was sized (notional now 2,640.000)" in rows["Note"][0]


def test_export_refuses_a_bad_sizing_record(tmp_path, capsys, terawulf):
    out = tmp_path / "m.xlsx"
    assert cli_main(["export", terawulf, "-o", str(out), "--sizing", terawulf]) == 2
    assert "not a sizing record of `size --json` (missing tranche" in capsys.readouterr().err
    other = tmp_path / "other.json"
    doc = {k: 0 for k in ("name", "current_notional", "sized_notional", "binding", "case")}
    other.write_text(json.dumps(doc | {"tranche": "loan", "capacities": [], "checks": []}))
    assert cli_main(["export", terawulf, "-o", str(out), "--sizing", str(other)]) == 2
    assert "sizes tranche 'loan', which" in capsys.readouterr().err
    assert not out.exists()


def test_an_amortising_deal_without_a_sizing_has_no_sizing_sheet(tmp_path):
    deal = load_deal(XAI)
    assert all(b.terms["amortisation"] != "sculpted" for b in deal.of_kind("tranche"))
    save_deal(deal, tmp_path / "d.json")
    export_workbook(deal, tmp_path / "m.xlsx", scenarios=False, mc_paths=0)
    assert "Sizing" not in openpyxl.load_workbook(tmp_path / "m.xlsx").sheetnames
