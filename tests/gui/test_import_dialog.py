"""The Excel import mapping dialog and reconciliation view: fill, correct a mapping, apply,
accept; numbers shown are the engine's; bad workbooks give a message and no deal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from core.engine.results import run_deal
from core.files.excel_import import Mapping, import_workbook
from gui import excel_io
from gui.import_dialog import CELL, USE, VALUE, ImportDialog
from gui.reconcile_view import fmt

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
GPU = str(EXAMPLES / "gpu_lease_model.xlsx")


def _row(dialog: ImportDialog, target: str) -> int:
    return next(i for i, e in enumerate(dialog.entries) if e.target == target)


@pytest.fixture
def dialog(qtbot):  # noqa: ANN001, ANN201
    d = ImportDialog(import_workbook(GPU))
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_dialog_lists_mapping_and_engine_numbers(dialog):
    assert dialog.table.rowCount() == len(dialog.entries) >= 10
    r = _row(dialog, "coupon")
    assert dialog.table.item(r, CELL).text() == "Assumptions!D8"
    assert dialog.table.item(r, VALUE).text() == "7.5%"  # rates in percent, as in the workbook
    model = dialog.reconcile.model
    metrics = run_deal(dialog.deal).metrics
    row = next(i for i, x in enumerate(model.rows) if x.metric == "Minimum DSCR")
    assert model.rows[row].capstack == pytest.approx(metrics["min_dscr"])
    shown = model.data(model.index(row, 2), Qt.ItemDataRole.DisplayRole)
    assert shown == fmt(metrics["min_dscr"], "x")
    flag = model.data(model.index(row, 4), Qt.ItemDataRole.DisplayRole)
    assert flag == model.rows[row].status
    assert model.data(model.index(row, 4), Qt.ItemDataRole.BackgroundRole) is not None


def test_correct_a_mapping_and_accept(dialog, tmp_path):
    r = _row(dialog, "opex")
    dialog.table.item(r, CELL).setText("'Cash Flow'!E6")  # year-3 opex instead of year 1
    assert dialog.entries[r].value == pytest.approx(20.0 * 1.025**2)
    dialog.table.item(_row(dialog, "lockup_dscr"), USE).setCheckState(Qt.CheckState.Unchecked)
    dialog.table.item(_row(dialog, "coupon"), VALUE).setText("8%")
    dialog.accept()
    assert dialog.result() == ImportDialog.DialogCode.Accepted
    terms = {b.kind: b.terms for b in dialog.deal.blocks.values()}
    assert terms["opex"]["maintenance"] == pytest.approx(20.0 * 1.025**2)
    assert terms["tranche"]["coupon"] == pytest.approx(0.08)
    assert terms["covenant"]["lockup_dscr"] == 1.15  # unticked: the default
    expected = run_deal(dialog.deal).metrics["min_dscr"]
    assert dialog.reconcile.model.rows[0].capstack == pytest.approx(expected)
    saved = tmp_path / "gpu.map.json"
    dialog.save_mapping(str(saved))
    again = import_workbook(GPU, mapping=Mapping.load(saved))
    assert again.deal.blocks["opex"].terms["maintenance"] == pytest.approx(21.0125)


def test_bad_cell_edit_is_reported(dialog):
    r = _row(dialog, "coupon")
    dialog.table.item(r, CELL).setText("Nowhere!Z9")
    assert "no sheet 'Nowhere'" in dialog.status.text()
    dialog.table.item(r, CELL).setText("Assumptions!B8")  # the label, not a number
    assert "Assumptions!B8" in dialog.status.text()
    assert dialog.entries[r].value == 0.075 and dialog.entries[r].ref == "Assumptions!D8"


def test_untick_required_input_keeps_dialog_open(dialog):
    dialog.table.item(_row(dialog, "coupon"), USE).setCheckState(Qt.CheckState.Unchecked)
    dialog.accept()
    assert dialog.result() != ImportDialog.DialogCode.Accepted
    assert "Coupon / interest rate" in dialog.status.text()


def test_import_excel_refuses_bad_file(tmp_path, isolated):
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")
    assert excel_io.import_excel(None, str(bad)) is None
    kind, _title, text = isolated.shown[-1]
    assert kind == "warning" and "notes.xlsx: not an Excel workbook" in text


def test_import_excel_returns_confirmed_deal(monkeypatch):
    monkeypatch.setattr(ImportDialog, "exec", lambda self: ImportDialog.DialogCode.Accepted)
    deal = excel_io.import_excel(None, GPU)
    assert deal is not None and deal.blocks["senior"].terms["notional"] == pytest.approx(840.0)


def test_screenshots(dialog, tmp_path):
    out = Path(os.environ.get("CAPSTACK_SHOTS", tmp_path))
    assert dialog.grab().save(str(out / "import_dialog.png"))
    assert dialog.reconcile.grab().save(str(out / "reconcile_view.png"))


def test_export_excel_writes_workbook(tmp_path, isolated, sample_deal):
    target = tmp_path / "out.xlsx"
    excel_io.export_excel(None, sample_deal, str(target))
    assert target.exists()
    kind, _title, text = isolated.shown[-1]
    assert kind == "information" and str(target) in text
    again = import_workbook(target)
    assert again.capstack_roundtrip


def test_point_an_input_not_found_at_any_cell_and_reuse(dialog, tmp_path):
    """Every input is a row, found or not: the target DSCR (not in the workbook) is pointed at
    a cell of the Cash Flow sheet; the deal sculpts to it, and the saved mapping brings it back."""
    r = _row(dialog, "target_dscr")
    assert dialog.table.item(r, CELL).text() == "" and not dialog.entries[r].enabled
    dialog.table.item(r, CELL).setText("'Cash Flow'!C15")  # the workbook's minimum DSCR cell
    wanted = dialog.entries[r].value
    assert dialog.entries[r].enabled and 1.0 < wanted < 3.0
    assert dialog.apply(), dialog.status.text()
    tranche = dialog.deal.blocks["senior"].terms
    assert tranche["amortisation"] == "sculpted"
    assert tranche["target_dscr"] == pytest.approx(wanted)
    assert not any("Amortisation" in u for u in dialog.imported.unmapped)
    saved = tmp_path / "gpu.map.json"
    dialog.save_mapping(str(saved))
    again = import_workbook(GPU, mapping=Mapping.load(saved))
    assert again.deal.blocks["senior"].terms["target_dscr"] == pytest.approx(wanted)


def test_frequency_override_rebuilds(dialog):
    assert "annual" in dialog.inferred.text()
    rent = dialog.deal.blocks["lease"].terms["annual_rent"]
    dialog.frequency.setCurrentIndex(dialog.frequency.findData(4))
    assert dialog.apply(), dialog.status.text()
    assert dialog.imported.periods_per_year == 4 and "quarterly" in dialog.inferred.text()
    # each column of the revenue line is now a quarter: four of them a year
    assert dialog.deal.blocks["lease"].terms["annual_rent"] == pytest.approx(4 * rent)
