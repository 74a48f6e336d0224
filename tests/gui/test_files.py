"""Files: save / reopen round trip, drafts, bad files, unsaved-changes prompts, autosave
recovery, recent files and the optional Excel / report actions."""

from __future__ import annotations

import sys
import types
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from core.files.deal_json import dump_deal, load_deal, save_deal
from core.model.validate import validate_deal
from gui import autosave
from gui.commands import push_set_term
from gui.main_window import MainWindow

Button = QMessageBox.StandardButton
DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLE = DEALS / "hyperion_jv.json"


def make_window(qtbot, deal=None, **kw) -> MainWindow:  # noqa: ANN001
    kw.setdefault("offer_recovery", False)
    w = MainWindow(deal, None, restore_layout=False, with_results=False, **kw)
    qtbot.addWidget(w)
    return w


def test_save_and_reopen_round_trip(qtbot, window, tmp_path) -> None:  # noqa: ANN001
    push_set_term(window.document, "bonds", "coupon", 0.07)
    path = str(tmp_path / "deal.json")
    assert window.save_to(path)
    assert not window.document.is_modified()
    assert window.document.path == path
    reopened = load_deal(path)
    assert dump_deal(reopened) == dump_deal(window.document.deal)
    assert reopened.blocks["bonds"].terms["coupon"] == 0.07
    other = make_window(qtbot, None)
    assert other.open_path(path)
    assert dump_deal(other.document.deal) == dump_deal(reopened)


def test_open_draft_lists_its_issues_in_the_deal_check(window, tmp_path) -> None:  # noqa: ANN001
    draft = load_deal(SAMPLE)
    draft.remove_block("lease")  # the SPV now has no lease: an error the engine refuses
    path = tmp_path / "draft.json"
    save_deal(draft, path)
    assert window.open_path(str(path))
    issues = validate_deal(window.document.deal)
    assert issues and window.deal_check.count() == len(issues)
    assert any("no lease" in window.deal_check.item(i).text() for i in range(len(issues)))
    errors = sum(i.severity == "error" for i in issues)
    assert window.docks["check"].windowTitle().startswith(f"Deal check ({errors} errors")


def test_bad_file_is_reported_and_the_deal_kept(window, tmp_path, isolated) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "capstack-deal", "format_version": 1, "blocks": [', "utf-8")
    before = dump_deal(window.document.deal)
    assert not window.open_path(str(bad))
    assert dump_deal(window.document.deal) == before
    kind, title, text = isolated.shown[-1]
    assert (kind, title) == ("warning", "Cannot open deal") and "bad.json" in text


def test_failed_save_keeps_the_document_modified(window, tmp_path, isolated) -> None:  # noqa: ANN001
    push_set_term(window.document, "bonds", "coupon", 0.07)
    assert not window.save_to(str(tmp_path / "missing" / "deal.json"))
    assert window.document.is_modified() and window.document.path is None
    assert isolated.shown[-1][:2] == ("critical", "Cannot save deal")


def test_close_asks_about_unsaved_changes(window, isolated, tmp_path) -> None:  # noqa: ANN001
    push_set_term(window.document, "bonds", "coupon", 0.07)
    isolated.reply = Button.Cancel
    assert not window.close()
    assert window.isVisible()
    assert isolated.shown[-1][:2] == ("question", "Unsaved changes")
    window.document.set_path(None)  # pretend it was saved elsewhere: no question now
    asked = len(isolated.shown)
    push_set_term(window.document, "bonds", "coupon", 0.08)
    isolated.reply = Button.Discard
    assert window.close()
    assert len(isolated.shown) == asked + 1


def test_save_answer_saves_before_new(window, isolated, tmp_path) -> None:  # noqa: ANN001
    path = str(tmp_path / "kept.json")
    assert window.save_to(path)
    push_set_term(window.document, "bonds", "coupon", 0.07)
    isolated.reply = Button.Save
    window.new_file()
    assert load_deal(path).blocks["bonds"].terms["coupon"] == 0.07
    assert [b.kind for b in window.document.deal.blocks.values()] == ["spv"]
    assert window.document.path is None and not window.document.is_modified()


def test_autosave_and_recovery_after_a_crash(qtbot, window) -> None:  # noqa: ANN001
    push_set_term(window.document, "bonds", "coupon", 0.071)
    assert window.autosaver.save_now()
    assert autosave.has_recovery()
    expected = dump_deal(window.document.deal)
    # simulated crash: the window is gone without a clean exit, the recovery file stays
    window.autosaver._timer.stop()
    answers = []
    QMessageBox.question = lambda *a, **k: answers.append(a[1]) or Button.Yes
    restored = make_window(qtbot, None, offer_recovery=True)
    assert answers == ["Recover unsaved work"]
    assert dump_deal(restored.document.deal) == expected
    assert restored.document.is_modified()  # recovered work still needs saving
    restored.document.set_path(None)  # saved elsewhere: a clean exit removes the file
    assert restored.close()
    assert not autosave.has_recovery()


def test_declined_recovery_discards_the_file(qtbot, window) -> None:  # noqa: ANN001
    push_set_term(window.document, "bonds", "coupon", 0.071)
    assert window.autosaver.save_now()
    QMessageBox.question = lambda *a, **k: Button.No
    fresh = make_window(qtbot, load_deal(SAMPLE), offer_recovery=True)
    assert fresh.document.deal.blocks["bonds"].terms["coupon"] == 0.0658
    assert not autosave.has_recovery()


def test_recent_files_and_samples(window, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "a.json"
    save_deal(load_deal(DEALS / "xai_gpu_spv.json"), path)
    assert window.open_path(str(path))
    assert window.recent_files()[0] == str(path)
    assert QSettings().fileName().startswith(str(tmp_path))
    samples = [a.text() for a in window.samples_menu.actions()]
    assert samples == sorted(p.stem.replace("_", " ") for p in DEALS.glob("*.json"))
    window.samples_menu.actions()[0].trigger()
    first = sorted(DEALS.glob("*.json"))[0]
    assert dump_deal(window.document.deal) == dump_deal(load_deal(first))
    assert window.document.path is None  # a sample opens as an unsaved copy


def fake_module(name: str, **functions) -> types.ModuleType:  # noqa: ANN003
    module = types.ModuleType(name)
    for fn_name, fn in functions.items():
        setattr(module, fn_name, fn)
    return module


def test_optional_actions_hidden_without_their_modules(qtbot, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setitem(sys.modules, "gui.excel_io", None)  # import raises ImportError
    monkeypatch.setitem(sys.modules, "gui.report.actions", None)
    w = make_window(qtbot, load_deal(SAMPLE))
    for name in ("import_excel", "export_excel", "print", "export_pdf"):
        assert not w.actions_by_name[name].isVisible()


def test_optional_actions_call_their_modules(qtbot, monkeypatch) -> None:  # noqa: ANN001
    calls: list[tuple[str, object]] = []
    imported = load_deal(DEALS / "coreweave_ddtl.json")
    excel = fake_module(
        "gui.excel_io",
        import_excel_file=lambda parent: calls.append(("import", parent)) or (imported, "wb.xlsx"),
        export_excel=lambda parent, deal, inputs, sizing: calls.append(("export", deal)),
    )
    report = fake_module(
        "gui.report.actions",
        print_report=lambda parent, deal, path, saved, inputs: calls.append(("print", deal)),
        export_pdf=lambda parent, deal, path, saved, inputs: calls.append(("pdf", deal)),
    )
    monkeypatch.setitem(sys.modules, "gui.excel_io", excel)
    monkeypatch.setitem(sys.modules, "gui.report.actions", report)
    w = make_window(qtbot, load_deal(SAMPLE))
    for name in ("import_excel", "export_excel", "print", "export_pdf"):
        assert w.actions_by_name[name].isVisible()
    for name in ("export_excel", "print", "export_pdf"):
        w.actions_by_name[name].trigger()
    assert [c[0] for c in calls] == ["export", "print", "pdf"]
    assert all(c[1] is w.document.deal for c in calls)
    w.actions_by_name["import_excel"].trigger()
    assert calls[-1] == ("import", w)
    assert w.document.deal is imported and w.document.is_modified()
    assert w.document.read_from == ["wb.xlsx"]  # the workbook: no save dialog writes over it


def test_missing_recent_file_is_reported_and_forgotten(window, tmp_path, isolated) -> None:  # noqa: ANN001
    path = tmp_path / "gone.json"
    save_deal(load_deal(SAMPLE), path)
    assert window.open_path(str(path))
    path.unlink()
    assert not window.open_path(str(path))
    assert isolated.shown[-1][:2] == ("warning", "Cannot open deal")
    assert str(path) not in window.recent_files()


def test_opening_another_deal_drops_the_recovery_file(window, tmp_path) -> None:  # noqa: ANN001
    push_set_term(window.document, "bonds", "coupon", 0.071)
    assert window.autosaver.save_now() and autosave.has_recovery()
    window.open_path(str(DEALS / "xai_gpu_spv.json"))  # "Discard" answered by the fixture
    assert not autosave.has_recovery()


def test_window_layout_is_remembered(qtbot) -> None:  # noqa: ANN001
    first = make_window(qtbot, load_deal(SAMPLE))
    first.remember_layout = True
    first.resize(640, 480)  # fits the offscreen screen
    first.docks["check"].hide()
    assert first.close()
    assert QSettings().value("window/state") is not None
    second = MainWindow(load_deal(SAMPLE), None, offer_recovery=False, with_results=False)
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (640, 480)
    assert second.docks["check"].isHidden()
