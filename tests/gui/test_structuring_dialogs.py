"""Structure menu: Size debt on the selected tranche, Optimise structure and the tornado; each
result comes from core.structuring and applies as ONE undoable edit."""

from __future__ import annotations

import openpyxl
import pytest

from core.files.deal_json import load_deal
from core.structuring.constraints import parse_constraint
from core.structuring.implied_rating import ratings_of, short
from core.structuring.sizing import size_tranche
from core.structuring.tornado import INPUTS
from gui import excel_io
from gui.document import DealDocument
from gui.results.montecarlo_docks import LossView
from gui.structuring.optimise_dialog import OptimiseDialog
from gui.structuring.size_dialog import SizeDialog
from gui.structuring.tornado_dialog import TornadoDialog
from tests.gui.conftest import DEALS


def test_structure_menu_sizes_the_selected_tranche(window, qtbot):
    assert {"size_debt", "optimise", "tornado"} <= set(window.actions_by_name)
    window.scene.blocks["bonds"].setSelected(True)
    window.actions_by_name["size_debt"].trigger()
    dialog = window._structuring_dialog
    qtbot.addWidget(dialog)
    assert isinstance(dialog, SizeDialog) and dialog.tranche.currentData() == "bonds"


def test_size_dialog_matches_the_engine_and_applies_as_one_undo_step(qtbot):
    deal = load_deal(DEALS / "xai_gpu_spv.json")
    doc = DealDocument(deal)
    dialog = SizeDialog(doc, "loan")
    qtbot.addWidget(dialog)
    dialog.checks["llcr"].setChecked(True)
    dialog.values["llcr"].setValue(1.40)
    dialog.size_button.click()
    want = size_tranche(deal, "loan", [parse_constraint(t, deal)
                                       for t in ("min_dscr>=1.25", "llcr>=1.4")])  # fmt: skip
    assert dialog.result.notional == pytest.approx(want.notional)
    assert dialog.result.binding == "llcr>=1.4"
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(1, 0).font().bold() and not dialog.table.item(0, 0).font().bold()
    before = (deal.blocks["loan"].terms["notional"], deal.blocks["valor"].terms["amount"])
    dialog.apply_button.click()
    assert doc.undo_stack.count() == 1
    assert doc.deal.blocks["loan"].terms["notional"] == pytest.approx(want.notional)
    assert doc.deal.blocks["valor"].terms["amount"] == pytest.approx(sum(before) - want.notional)
    doc.undo_stack.undo()
    assert (doc.deal.blocks["loan"].terms["notional"],
            doc.deal.blocks["valor"].terms["amount"]) == before  # fmt: skip


def test_export_excel_records_the_sizing_applied(qtbot, isolated, tmp_path):
    """Size debt… then File > Export Excel: the workbook's Sizing sheet records the sizing
    (binding constraint, sized notional); another deal opened forgets it."""
    doc = DealDocument(load_deal(DEALS / "xai_gpu_spv.json"))
    dialog = SizeDialog(doc, "loan")
    qtbot.addWidget(dialog)
    dialog.checks["llcr"].setChecked(True)
    dialog.values["llcr"].setValue(1.40)
    dialog.size_button.click()
    dialog.apply_button.click()
    assert doc.sizing["binding"] == "llcr>=1.4"
    path = tmp_path / "sized.xlsx"
    assert excel_io.export_excel(None, doc.deal, str(path), sizing=doc.sizing)
    ws = openpyxl.load_workbook(path)["Sizing"]
    rows = {str(r[0]).strip(): r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert rows["Binding constraint"][0] == "llcr>=1.4"
    assert rows["Sized notional"][0] == pytest.approx(doc.deal.blocks["loan"].terms["notional"])
    assert rows["llcr>=1.4"][1] == "yes" and "Note" not in rows
    doc.replace_deal(load_deal(DEALS / "hyperion_jv.json"), None)
    assert doc.sizing is None


def test_size_dialog_reports_bad_input(qtbot):
    doc = DealDocument(load_deal(DEALS / "xai_gpu_spv.json"))
    dialog = SizeDialog(doc, "loan")
    qtbot.addWidget(dialog)
    for box in dialog.checks.values():
        box.setChecked(False)
    dialog.size_button.click()
    assert "Cannot size" in dialog.summary.text() and "at least one constraint" in (
        dialog.summary.text()
    )
    assert not dialog.apply_button.isEnabled()


def test_optimise_dialog_shows_the_frontier_and_applies_once(qtbot):
    doc = DealDocument(load_deal(DEALS / "xai_gpu_spv.json"))
    dialog = OptimiseDialog(doc)
    qtbot.addWidget(dialog)
    dialog.objective.setCurrentIndex(dialog.objective.findData("proceeds"))
    dialog.constraints.setPlainText("min_dscr>=1.30\nsenior.ltv<=0.7\n")
    dialog.run_button.click()
    r = dialog.result
    assert r.best is not None and r.best.feasible
    assert dialog.table.rowCount() == len(r.frontier) > 2
    assert "Best" in dialog.summary.text()
    dialog.apply_button.click()
    assert doc.undo_stack.count() == 1
    assert doc.deal.blocks["loan"].terms["notional"] == pytest.approx(r.best.notionals["loan"])


def test_tornado_dialog_draws_every_input(qtbot):
    from tests.engine.deal_builders import sculpted_terawulf

    doc = DealDocument(sculpted_terawulf())  # its notes fixed-rate and sculpted, no refinancing
    dialog = TornadoDialog(doc, paths=500)
    qtbot.addWidget(dialog)
    t = dialog.compute()
    assert t is not None and len(t.rows) + len(t.not_applicable) == len(INPUTS)
    assert len(t.rows) == 6  # fixed-rate notes, no GPU fleet, no GPU-hour billing
    bars = dialog.bars("min_dscr")
    swings = [abs(hi - lo) for _, lo, hi in bars]
    assert swings == sorted(swings, reverse=True)
    assert bars[0][0].startswith("Rent")  # the rent moves the DSCR the most on this deal
    assert "Not applicable to this deal: Base rate (all debt is fixed-rate)" in dialog.note.text()


def _loss_view(qtbot, deal):  # noqa: ANN001, ANN202
    """A loss view of 1,000 paths of ``deal`` with its ratings: (view, ratings, mc)."""
    from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=1000, seed=3))
    view = LossView()
    qtbot.addWidget(view)
    ratings = ratings_of(deal, mc)
    view.show_result(mc, ratings)
    return view, ratings, mc


def test_loss_table_shows_the_implied_rating(qtbot):
    view, ratings, _ = _loss_view(qtbot, load_deal(DEALS / "coreweave_ddtl.json"))
    col = view.COLUMNS.index("Implied rating")
    assert view.table.item(0, col).text() == short(ratings[0])
    assert "implied" in view.table.item(0, col).toolTip()


def test_right_click_on_a_tranche_offers_size_debt(window, qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QContextMenuEvent

    shown = []

    def fake_exec(menu, pos):  # noqa: ANN001, ANN202
        shown.append([a.text() for a in menu.actions()])
        menu.actions()[0].trigger()

    window._tranche_menu.show_menu = fake_exec
    view = window.view
    item = window.scene.blocks["bonds"]
    pos = view.mapFromScene(item.sceneBoundingRect().center())
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, view.viewport().mapToGlobal(pos))
    assert window._tranche_menu.eventFilter(view.viewport(), event)
    assert shown == [["Size debt…"]]
    dialog = window._structuring_dialog
    qtbot.addWidget(dialog)
    assert dialog.tranche.currentData() == "bonds"
    # elsewhere on the canvas: no menu of ours
    empty = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, QPoint(2, 2), QPoint(2, 2))
    assert not window._tranche_menu.eventFilter(view.viewport(), empty)


def test_optimised_structure_compared_with_the_deal_before_applying(qtbot):
    """Compare opens A = the deal as it is, B = the deal with the optimiser's changes, both
    run through the engine: B's total debt is the best structure's loan, A's the sample's
    12,500; B's min DSCR meets the constraint, A's is the sample's own. Nothing is applied
    until 'Apply B' in the compare window, which is one undoable edit."""
    from core.engine.results import run_deal
    from gui.results.formatting import fmt_money, fmt_ratio

    deal = load_deal(DEALS / "xai_gpu_spv.json")
    doc = DealDocument(deal)
    dialog = OptimiseDialog(doc)
    qtbot.addWidget(dialog)
    assert not dialog.compare_button.isEnabled()
    dialog.run_button.click()  # equity IRR under min DSCR >= 1.30
    best = dialog.result.best
    assert dialog.compare_button.isEnabled()
    window = dialog.compare()
    qtbot.waitUntil(lambda: window.comparison is not None, timeout=60_000)
    row = window.row_of("Total debt (USD m)")
    assert row[1] == fmt_money(12_500.0) and row[2] == fmt_money(best.notionals["loan"])
    a, b = run_deal(deal), run_deal(dialog.proposed())
    assert b.metrics["total_debt"] == pytest.approx(best.notionals["loan"])
    assert b.metrics["min_dscr"] >= 1.30 - 1e-9
    assert window.row_of("Min DSCR")[1:3] == [fmt_ratio(a.metrics["min_dscr"]),
                                              fmt_ratio(b.metrics["min_dscr"])]  # fmt: skip
    assert any(ch.what == "Notional" for ch in window.comparison.changes)
    assert doc.undo_stack.count() == 0 and doc.deal.blocks["loan"].terms["notional"] == 12_500
    window.apply_button.click()
    assert doc.undo_stack.count() == 1
    assert doc.deal.blocks["loan"].terms["notional"] == pytest.approx(best.notionals["loan"])
    assert not dialog.apply_button.isEnabled() and not dialog.compare_button.isEnabled()
    dialog.apply_button.click()  # a second Apply does nothing
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert doc.deal.blocks["loan"].terms["notional"] == 12_500


def test_loss_table_shows_implied_against_target(qtbot):
    """The tranche table's target column: the tranche's own target rating and whether the
    implied rating meets it (TeraWulf's notes at A against an implied B-range rating: not
    met, in red); a tranche without a target shows nothing."""
    from core.structuring.implied_rating import meets, notch

    deal = load_deal(DEALS / "terawulf_backstop.json")
    deal.set_term("notes", "target_rating", "A")
    view, ratings, mc = _loss_view(qtbot, deal)
    col = view.COLUMNS.index("Target rating")
    assert notch(ratings[0].el_rating) > notch("A") and not meets(ratings[0], "A")
    assert view.table.item(0, col).text() == "A (not met)"
    assert view.table.item(0, col).foreground().color().name() == "#c9403a"
    deal.set_term("notes", "target_rating", "none")
    view.show_result(mc, ratings_of(deal, mc))
    assert view.table.item(0, col).text() == ""
