"""Regression tests for issue #15 (a credit analyst's run through the desktop app): one test
or more per defect, each asserting what the analyst sees against the engine or a hand value."""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils import get_column_letter
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from gui.commands import push_set_term
from gui.main_window import MainWindow

Button = QMessageBox.StandardButton
DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLE = DEALS / "hyperion_jv.json"


def results_window(qtbot, deal=None, path=None, **kw) -> MainWindow:  # noqa: ANN001
    kw.setdefault("offer_recovery", False)
    w = MainWindow(deal, path, restore_layout=False, autosave_enabled=False, **kw)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def check_texts(w: MainWindow) -> list[str]:
    return [w.deal_check.item(i).text() for i in range(w.deal_check.count())]


# ------------------------------------------------------------------ 1. credit-aware check
def test_deal_check_flags_a_deal_that_does_not_fund_or_cover(qtbot):
    deal = load_deal(DEALS / "xai_gpu_spv.json")
    w = results_window(qtbot, deal)
    qtbot.waitUntil(lambda: w.results.last_result is not None, timeout=30_000)
    assert not any("Credit:" in t for t in check_texts(w))  # the sample funds and covers
    # a 1,500 loan on a 300 fleet: no structural error, but a funding story that is wrong
    fleet = deal.of_kind("gpu_fleet")[0]
    loan = deal.of_kind("tranche")[0]
    push_set_term(w.document, fleet.id, "count", 10_000)  # 10,000 x USD 30k = USD 300m
    push_set_term(w.document, loan.id, "notional", 1_500.0)
    cost = 10_000 * fleet.terms["unit_cost"] / 1000.0
    expected = run_deal(w.document.deal)  # what the engine says of the deal as edited
    over = 1_500.0 + deal.of_kind("equity")[0].terms["amount"] - cost
    over -= float(expected.compiled.inputs.dsra_initial)

    def shows_credit() -> bool:
        return any("Credit: over-funded" in t for t in check_texts(w))

    qtbot.waitUntil(shows_credit, timeout=30_000)
    texts = check_texts(w)
    assert any(f"USD {over:,.1f}m" in t for t in texts)
    assert any("LTV at close" in t for t in texts)
    # a click on the finding selects the blocks to fix
    row = next(i for i, t in enumerate(texts) if "over-funded" in t)
    w.deal_check.itemClicked.emit(w.deal_check.item(row))
    assert loan.id in w.scene.selected_block_ids()


def test_nonsense_metrics_are_shown_as_not_meaningful(qtbot):
    from gui.results.metrics_table import MetricsTable
    from tests.engine.deal_builders import simple_deal

    # rent 5 a month against an annuity payment of 8.885: DSCR 0.56x, no fall to break even
    # (0, not the -78% (DSCR - 1) / DSCR gave): the cash flow must rise 8.885 / 5 - 1 = 78%
    result = run_deal(simple_deal(annual_rent=60.0))
    assert result.metrics["breakeven_cashflow_fall"] == 0.0
    mn = result.metrics["min_dscr"]
    table = MetricsTable()
    qtbot.addWidget(table)
    table.show_result(result)
    assert table.value_of("Break-even fall in cash flow") == (
        f"n/m: DSCR {mn:.2f}x below 1.00x (cash flow must rise {1 / mn - 1:.1%})"
    )
    assert table.value_of("Min DSCR") == f"{result.metrics['min_dscr']:.2f}x"


def test_ownership_error_names_the_owners_in_percent(window):
    push_set_term(window.document, "blue_owl", "ownership_share", 0.75)
    window.refresh_check()
    text = " ".join(check_texts(window))
    owl = window.document.deal.blocks["blue_owl"].title
    assert f"{owl} 75.00%" in text and "total 95.00%" in text
    assert "0.95" not in text and "blue_owl" not in text


# ------------------------------------------------------------------ 9. recovery and samples
def test_recovery_restores_the_file_path_and_names_it(qtbot, tmp_path, isolated):
    path = str(tmp_path / "my deal.json")
    w = MainWindow(load_deal(SAMPLE), None, offer_recovery=False, restore_layout=False,
                   with_results=False)  # fmt: skip
    qtbot.addWidget(w)
    assert w.save_to(path)
    push_set_term(w.document, "bonds", "coupon", 0.07)
    assert w.autosaver.save_now()
    isolated.reply = Button.Yes
    restored = MainWindow(None, None, offer_recovery=True, restore_layout=False,
                          with_results=False, autosave_enabled=False)  # fmt: skip
    qtbot.addWidget(restored)
    assert restored.document.path == path
    assert restored.document.is_modified()
    assert restored.document.deal.blocks["bonds"].terms["coupon"] == 0.07
    asked = [text for kind, title, text in isolated.shown if title == "Recover unsaved work"]
    assert asked and "my deal.json" in asked[-1]
    w.autosaver.stop()


def test_a_sample_opens_as_a_template_and_is_never_saved_over(qtbot, isolated):
    from gui.app import make_window

    before = SAMPLE.read_bytes()
    w, error = make_window(str(SAMPLE), screenshot=True)
    qtbot.addWidget(w)
    assert error is None and w.document.path is None  # Save will ask where
    assert not w.open_path(str(SAMPLE), ask=False) or w.document.path is None
    assert not w.save_to(str(SAMPLE))
    assert any(kind == "warning" and "sample" in text for kind, _, text in isolated.shown)
    assert SAMPLE.read_bytes() == before


# ------------------------------------------------------------------ 8. a new deal
def test_new_deal_charts_drop_the_previous_deals_axes(qtbot, sample_deal):
    w = results_window(qtbot, sample_deal)
    qtbot.waitUntil(lambda: w.results.last_result is not None, timeout=30_000)
    dscr = w.results.views["dscr"].getPlotItem()
    assert dscr.getAxis("left").isVisible()
    w.new_file()
    qtbot.waitUntil(lambda: not dscr.getAxis("left").isVisible(), timeout=5_000)
    assert not dscr.getAxis("bottom").isVisible()
    stack = w.results.views["capital_stack"].plot.getPlotItem()
    assert not stack.getAxis("left").isVisible()


def test_an_owner_joining_the_spv_takes_its_share_in_one_undo_step(window):
    from core.model.ownership import owners_of
    from gui.commands import push_connect
    from gui.document import new_deal

    window.set_deal(new_deal(), None)
    doc = window.document
    eq = window.view.drop_at("equity", {}, window.view.mapToScene(10, 10))
    push_connect(doc, "owns", eq, "spv")
    assert doc.deal.blocks[eq].terms["ownership_share"] == 1.0  # the only owner: 100%
    sponsor = window.view.drop_at("sponsor", {"jv_share": 0.0}, window.view.mapToScene(10, 200))
    push_connect(doc, "owns", sponsor, "spv")
    assert owners_of(doc.deal, "spv") == [eq, sponsor]
    # equity held 100%, the sponsor nothing: they split the SPV equally
    assert doc.deal.blocks[eq].terms["ownership_share"] == 0.5
    assert doc.deal.blocks[sponsor].terms["jv_share"] == 0.5
    doc.undo_stack.undo()  # one step: the link and the shares
    assert owners_of(doc.deal, "spv") == [eq]
    assert doc.deal.blocks[eq].terms["ownership_share"] == 1.0
    assert doc.deal.blocks[sponsor].terms["jv_share"] == 0.0
    push_set_term(doc, eq, "ownership_share", 0.8)
    push_connect(doc, "owns", sponsor, "spv")  # 80% held: the joiner takes the other 20%
    assert doc.deal.blocks[sponsor].terms["jv_share"] == 0.2


def test_an_unowned_gpu_fleet_is_an_error_naming_it(window):
    fleet = window.view.drop_at("gpu_fleet", {}, window.view.mapToScene(10, 10))
    window.refresh_check()
    title = window.document.deal.blocks[fleet].title
    texts = check_texts(window)
    assert any(t.startswith(f"ERROR  {title}: the SPV does not own this asset") for t in texts)


def test_equity_issued_by_the_spv_reads_as_equity_not_debt(qtbot):
    w = results_window(qtbot, load_deal(DEALS / "coreweave_ddtl.json"), with_results=False)
    deal = w.document.deal
    link = next(c for c in deal.connections.values() if c.target == "equity")
    assert w.scene.links[link.id].label == "issues equity"
    debt = next(c for c in deal.connections.values() if c.target == "ddtl")
    assert w.scene.links[debt.id].label == "issues debt"
    assert "Issued by the SPV" in w.scene.blocks["equity"].lines[1]
    assert "Owns" not in " ".join(w.scene.blocks["equity"].lines)


# ------------------------------------------------------------------ 10. help, clipboard, ...
def test_help_menu_has_the_guide_and_a_shortcut_list_from_the_actions(window, qtbot):
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert "Help" in menus
    guide = window.show_guide()
    qtbot.waitUntil(guide.isVisible)
    text = guide.text.toPlainText()
    for step in ("Sponsor / tenant", "SPV", "Lease / offtake", "Senior tranche"):
        assert step in text
    assert (
        text.index("Sponsor / tenant")
        < text.index("Lease / offtake")
        < text.index("Senior tranche")
    )
    shortcuts = window.show_shortcuts()
    rows = {
        shortcuts.table.item(i, 0).text(): shortcuts.table.item(i, 1).text()
        for i in range(shortcuts.table.rowCount())
    }
    assert rows["Undo"] == window.actions_by_name["undo"].shortcut().toString(
        QKeySequence.SequenceFormat.NativeText
    )
    assert rows["Duplicate"] and rows["Copy"] and rows["Paste"] and "Connect two blocks" in rows


def test_copy_paste_and_duplicate_blocks_with_their_links_in_one_undo_step(window):
    doc = window.document
    deal = doc.deal
    before_blocks, before_links = len(deal.blocks), len(deal.connections)
    window.scene.select_blocks(["bonds", "campus"])  # the facility secures the bonds
    assert window.copy_selection() == 2
    new = window.paste()
    assert len(new) == 2 and len(deal.blocks) == before_blocks + 2
    copies = {deal.blocks[b].kind: deal.blocks[b] for b in new}
    assert copies["tranche"].terms == deal.blocks["bonds"].terms
    x0, y0 = deal.blocks["bonds"].position
    assert copies["tranche"].position == (x0 + 40.0, y0 + 40.0)
    links = [c for c in deal.connections.values() if c.source in new or c.target in new]
    assert [(c.kind, c.source, c.target) for c in links] == [
        ("secures", copies["facility"].id, copies["tranche"].id)
    ]
    assert set(window.scene.selected_block_ids()) == set(new)
    doc.undo_stack.undo()  # the paste is one step
    assert len(deal.blocks) == before_blocks and len(deal.connections) == before_links
    window.scene.select_blocks(["bonds"])
    dup = window.duplicate_selection()
    assert len(dup) == 1 and deal.blocks[dup[0]].terms == deal.blocks["bonds"].terms


def test_redo_of_auto_layout_fits_the_blocks_in_view(window, qtbot):
    deal = window.document.deal
    for i, block_id in enumerate(deal.blocks):  # scatter the blocks far apart
        deal.move_block(block_id, (i * 3000.0, i * 2000.0))
    window._auto_layout()
    window.view.zoom_by(4.0)
    window.view.centerOn(50_000, 50_000)
    window.document.undo_stack.undo()
    window.document.undo_stack.redo()

    def all_visible() -> bool:
        seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
        return all(seen.contains(item.sceneBoundingRect()) for item in window.scene.blocks.values())

    qtbot.waitUntil(all_visible, timeout=3_000)


def test_dscr_test_window_is_in_months(qtbot, sample_deal):
    from gui.results.dscr_chart import DscrChart

    result = run_deal(sample_deal)
    chart = DscrChart()
    qtbot.addWidget(chart)
    chart.show_result(result)
    lookback = sample_deal.of_kind("covenant")[0].terms["lookback_months"]
    names = [label.text for _, label in chart.legend.items]
    assert f"DSCR tested (trailing {lookback} months)" in names
    assert not any("periods" in n for n in names)


# ------------------------------------------------------------------ every number traceable
def test_a_metric_tooltip_defines_it_and_a_click_drills_down_to_its_rows(qtbot, sample_deal):
    from gui.results.metrics_table import MetricsTable

    result = run_deal(sample_deal)
    table = MetricsTable()
    qtbot.addWidget(table)
    table.show_result(result)
    row = next(i for i in range(table.rowCount()) if table.item(i, 0).text() == "Min DSCR")
    tip = table.item(row, 0).toolTip()
    assert tip != "Min DSCR"  # not the label again
    assert "CFADS / (interest + scheduled principal)" in tip and "Metrics!B" in tip
    table.cellClicked.emit(row, 1)
    dialog = table.trace
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible())
    (decisive,) = dialog.decisive
    # the highlighted row shows the metric's own value, and its CashFlows column in Excel
    assert dialog.cell_text(decisive, "dscr") == f"{result.metrics['min_dscr']:.2f}x"
    assert dialog.cell_text(decisive, "excel_column") == get_column_letter(5 + decisive)  # E...
    assert dialog.model.rowCount() == len(result.periods)


# ------------------------------------------------------------------ 3, 6. laptop screens
def test_laptop_window_shows_every_scenario_control_all_blocks_and_full_height_results(
    qtbot, sample_deal
):
    from PySide6.QtWidgets import QDockWidget

    from gui import screen_layout

    w = results_window(qtbot, sample_deal)
    w.resize(1280, 720)
    screen_layout.compact(w)
    qtbot.waitUntil(lambda: w.width() == 1280)
    bar = w.results.scenario_bar
    for action in bar.actions():
        widget = bar.widgetForAction(action)
        if widget is not None and not action.isSeparator():
            qtbot.waitUntil(widget.isVisible, timeout=2_000)  # nothing in the overflow menu
            assert widget.geometry().right() <= bar.width()
    shown = sum(
        w.palette.viewport().rect().intersects(w.palette.visualItemRect(w.palette.item(i)))
        for i in range(w.palette.count())
    )
    assert shown >= 12  # was 4
    docks = {d.objectName(): d for d in w.findChildren(QDockWidget)}
    assert docks["results.capital_stack"] in w.tabifiedDockWidgets(docks["results.metrics"])


def test_a_cramped_or_oversized_remembered_window_is_not_restored():
    from PySide6.QtCore import QRect, QSize

    from gui.screen_layout import fit_size, geometry_fits

    laptop, desktop = QRect(0, 0, 1280, 690), QRect(0, 0, 1920, 1050)
    assert not geometry_fits(QSize(700, 450), desktop)  # a small window left from a laptop
    assert not geometry_fits(QSize(1600, 1000), laptop)  # bigger than the screen
    assert geometry_fits(QSize(1500, 900), desktop)
    assert fit_size(laptop) == QSize(1280, 690) and fit_size(desktop) == QSize(1600, 1000)


# ------------------------------------------------------------------ 4. canvas links
def test_a_link_goes_around_a_card_in_its_way_and_labels_leave_with_undo(window, qtbot):
    from gui.canvas.link_item import LinkLabel
    from gui.canvas.routing import route_clear
    from gui.commands import push_connect, push_move
    from gui.document import new_deal

    window.set_deal(new_deal(), None)
    doc = window.document
    sponsor = window.view.drop_at("sponsor", {}, window.view.mapToScene(10, 10))
    fleet = window.view.drop_at("gpu_fleet", {}, window.view.mapToScene(10, 10))
    spv = doc.deal.blocks["spv"]
    x, y = spv.position
    old = {b: doc.deal.blocks[b].position for b in (sponsor, fleet)}
    push_move(doc, old, {sponsor: (x - 600.0, y), fleet: (x - 300.0, y)})
    conn = push_connect(doc, "owns", sponsor, "spv")
    link = window.scene.links[conn.id]
    between = window.scene.blocks[fleet]
    card = between.mapRectToScene(between.card_rect())
    assert route_clear(link.points, [card])  # not a straight line under the GPU fleet
    assert len(link.points) > 2
    doc.undo_stack.undo()
    assert conn.id not in window.scene.links
    assert not [i for i in window.scene.items() if isinstance(i, LinkLabel)]
    doc.undo_stack.redo()
    assert sum(isinstance(i, LinkLabel) for i in window.scene.items()) == 1


def test_the_canvas_refits_when_the_window_is_resized(window, qtbot):
    window.resize(1600, 1000)
    window.view.fit_to_view()
    window.resize(900, 600)

    def all_visible() -> bool:
        seen = window.view.mapToScene(window.view.viewport().rect()).boundingRect()
        return all(seen.contains(i.sceneBoundingRect()) for i in window.scene.blocks.values())

    qtbot.waitUntil(all_visible, timeout=3_000)


def test_the_paths_box_states_its_limit_and_quit_does_not_wait_long(qtbot, sample_deal):
    import time

    w = results_window(qtbot, sample_deal)
    box = w.results.montecarlo.paths
    assert f"{box.maximum():,}" in box.toolTip()
    said: list[str] = []
    w.results.montecarlo.message.connect(said.append)
    box.setValue(box.maximum() + 1)  # clamped by Qt: the analyst is told, not left guessing
    assert box.value() == box.maximum() and any("most" in m for m in said)
    w.results.recompute()
    w.document.undo_stack.setClean()
    start = time.perf_counter()
    w.close()
    assert time.perf_counter() - start < 1.0


# ------------------------------------------------------------------ deal compare
def test_compare_with_last_saved_shows_both_sides_and_highlights_worse(window, qtbot, tmp_path):
    from gui.compare_window import SHADES

    path = str(tmp_path / "deal.json")
    assert window.save_to(path)
    push_set_term(window.document, "bonds", "notional", 29_000.0)  # more debt, same campus
    compare = window.compare_with_saved()
    qtbot.addWidget(compare)
    assert compare.comparison is not None
    a, b = compare.comparison.results
    assert a.total_debt == 27_300.0 and b.total_debt == 29_000.0
    assert compare.verdict_of("Min DSCR") == "worse"
    row = next(i for i in range(compare.table.rowCount())
               if compare.table.item(i, 0).text() == "Min DSCR")  # fmt: skip
    assert compare.table.item(row, 1).background().color() == SHADES["worse"]
    assert (
        compare.table.item(row, 3).text()
        == f"{b.metrics['min_dscr'] - a.metrics['min_dscr']:+.2f}x"
    )
    assert not compare.diagrams[0].pixmap().isNull() and not compare.diagrams[1].pixmap().isNull()
    assert compare.stacks[1].layers[-1][1] == 29_000.0  # B's capital stack: the new notional
    changes = [compare.table.item(i, 0).text() for i in range(compare.table.rowCount())]
    assert any(t.endswith(": Notional") for t in changes)
    pdf = tmp_path / "compare.pdf"
    assert compare.export_pdf(str(pdf)) and pdf.read_bytes().startswith(b"%PDF")


def test_compare_page_prints_both_deals_with_differences(qtbot, tmp_path):
    import subprocess

    from core.compare import compare_deals
    from gui.report.compare_page import write_compare_pdf

    a = load_deal(DEALS / "xai_gpu_spv.json")
    b = a.copy()
    b.set_term(b.of_kind("tranche")[0].id, "notional", 14_000.0)
    out = tmp_path / "cmp.pdf"
    pages = write_compare_pdf(compare_deals(a, b, ("a.json", "b.json")), str(out))
    assert 1 <= pages <= 3
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    for words in ("Deal compare", "a.json", "b.json", "B-A", "Min DSCR", "worse", "+1,500.0",
                  "Stress: severe", "Notional"):  # fmt: skip
        assert words in text


def test_a_funding_gap_line_is_red_in_sources_and_uses(qtbot):
    from gui.results.capital_stack import CapitalStackView
    from tests.engine.deal_builders import simple_deal

    deal = simple_deal()  # 100 debt + 10 equity
    deal.add_block("facility", {"cost": 200.0}, block_id="dc")
    deal.connect("owns", "spv", "dc")
    result = run_deal(deal)
    view = CapitalStackView()
    qtbot.addWidget(view)
    view.show_result(result)
    rows = {view.table.item(i, 0).text().strip(): i for i in range(view.table.rowCount())}
    gap = rows["Funding gap"]
    assert view.table.item(gap, 1).text() == "(90.0)"  # 110 raised for a 200 facility
    assert view.table.item(gap, 0).foreground().color().name() == "#c9403a"
    assert "does not fund" in view.table.item(gap, 0).toolTip()


def test_no_label_is_painted_where_an_undone_link_was(window, qtbot):
    from PySide6.QtGui import QColor

    from gui.commands import push_connect, push_move

    doc = window.document
    spv = doc.deal.blocks["spv"]
    x, y = spv.position
    loan = window.view.drop_at("tranche", {}, window.view.mapToScene(10, 10))
    push_move(doc, {loan: doc.deal.blocks[loan].position}, {loan: (x, y + 900.0)})
    conn = push_connect(doc, "issues", "spv", loan)
    window.view.fit_to_view()
    push_move(doc, {loan: (x, y + 900.0)}, {loan: (x + 40.0, y + 950.0)})  # the link re-routes
    rect = window.scene.links[conn.id].label_rect()
    doc.undo_stack.undo()  # the move
    doc.undo_stack.undo()  # the link
    QApplication.processEvents()  # grab() then paints the scene as it is now
    image = window.view.viewport().grab().toImage()
    box = window.view.mapFromScene(rect).boundingRect()
    background = QColor("#f4f5f7")
    inked = [
        (px, py)
        for px in range(max(box.left(), 0), min(box.right(), image.width() - 1))
        for py in range(max(box.top(), 0), min(box.bottom(), image.height() - 1))
        if QColor(image.pixel(px, py)) != background
        and window.scene.itemAt(window.view.mapToScene(px, py), window.view.transform()) is None
    ]
    assert not inked
