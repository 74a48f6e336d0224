"""The scenario editor: fields in analysts' units checked by the core, user scenarios created,
renamed, deleted, applied to the results, and saved to / loaded from a scenario-set file."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from core.files.scenario_json import load_scenarios
from core.risk.scenarios import BUILTIN, STRESS_FIELDS
from core.risk.stress import Stress, run_stressed
from gui.results.scenario_bar import ScenarioBar
from gui.results.scenario_editor import field_text, parse_field
from tests.gui.test_results_support import close_docks, open_docks, same, sample

pytestmark = pytest.mark.gui


def _fill(editor, **texts: str) -> None:
    for name, text in texts.items():
        editor.edits[name].setText(text)


def test_fields_in_analysts_units():
    assert parse_field("rent_deflation", "7.5") == (0.075, None)
    assert parse_field("residual_haircut", " 30 % ") == (0.30, None)
    assert parse_field("termination_year", "4") == (4.0, None)
    assert parse_field("renewals", "0") == (0.0, None)
    assert parse_field("base_rate_shock", "") == (None, None)
    severe = BUILTIN["severe"]
    assert field_text("rent_deflation", severe) == "35"
    assert field_text("crypto_price_shock", severe) == "-50"
    assert field_text("gpu_commercial_life", severe) == "3"
    assert field_text("renewals", severe) == "0"
    assert field_text("termination_year", severe) == ""  # the deal's own
    assert field_text("rent_deflation", Stress(rent_deflation=0.0)) == "0"  # flat, not the deal's
    for name in STRESS_FIELDS:  # what is shown reads back to the same value
        value, error = parse_field(name, field_text(name, severe))
        assert error is None
        assert (value if value is not None else getattr(Stress(), name)) == getattr(severe, name)


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("rent_deflation", "150", "Rent deflation (rent_deflation): 150 is outside 0 to 100"),
        ("renewals", "2.5", "Renewals exercised: renewals must be a whole number"),
        ("gpu_commercial_life", "abc", "GPU commercial life (gpu_commercial_life): 'abc' is not"),
        (
            "base_rate_shock",
            "-3000",
            "Base-rate shift (base_rate_shock): -3000 is outside -2000 to 5000",
        ),
    ],
)
def test_invalid_value_is_red_named_and_not_applied(qtbot, name, text, reason):
    deal = sample("xai_gpu_spv.json")
    _, _, docks = open_docks(qtbot, deal)
    bar = docks.scenario_bar
    editor = bar.open_editor()
    qtbot.waitExposed(editor)
    editor.select("severe")
    editor.duplicate()
    mine = editor.selected()
    assert mine == "severe copy" and bar.library.get(mine) == BUILTIN["severe"]
    editor.apply()
    assert docks.wait_for_result(30000)
    emitted: list = []
    bar.stressChanged.connect(emitted.append)
    _fill(editor, **{name: text})
    assert reason in editor.problem.text()
    assert editor.problem.text().startswith("Not applied")
    assert "c9403a" in editor.edits[name].styleSheet()
    assert reason in editor.edits[name].toolTip()
    assert bar.library.get(mine) == BUILTIN["severe"]  # nothing stored ...
    assert docks.stress == BUILTIN["severe"]  # ... nor shown
    assert emitted == []  # no re-run asked
    _fill(editor, **{name: ""})  # fixed: blank is valid, applied live to the scenario shown
    assert editor.problem.text() == "" and editor.edits[name].styleSheet() == ""
    assert docks.wait_for_result(30000)
    assert docks.stress == bar.library.get(mine) != BUILTIN["severe"]
    editor.close()
    close_docks(docks)


def test_builtins_are_read_only(qtbot):
    bar = ScenarioBar()
    qtbot.addWidget(bar)
    editor = bar.open_editor()
    editor.select("downside")
    assert all(edit.isReadOnly() for edit in editor.edits.values())
    assert not editor.buttons["rename"].isEnabled() and not editor.buttons["delete"].isEnabled()
    assert "read-only" in editor.title.text()
    assert editor.edits["rent_deflation"].text() == "25"
    assert editor.edits["base_rate_shock"].text() == "100"  # bp, as on the scenario bar
    editor.delete()
    assert "downside" in bar.library
    editor.close()


def test_create_apply_save_and_reload(qtbot, tmp_path, isolated):
    deal = sample("coreweave_ddtl.json")
    _, _, docks = open_docks(qtbot, deal)
    bar = docks.scenario_bar
    editor = bar.open_editor()
    editor.new()
    assert editor.selected() == "scenario"
    assert all(e.text() == "" and not e.isReadOnly() for e in editor.edits.values())
    _fill(editor, rent_deflation="18", gpu_value_decline="7.5", renewals="0", termination_year="")
    _fill(editor, crypto_price_shock="-40", base_rate_shock="75")
    mine = Stress(
        rent_deflation=0.18,
        gpu_value_decline=0.075,
        renewals=0,
        crypto_price_shock=-0.40,
        base_rate_shock=0.0075,
    )
    assert bar.library.get("scenario") == mine
    item = editor.list.currentItem()
    item.setText("analyst case")  # rename in place
    assert editor.selected() == "analyst case" and "scenario" not in bar.library
    editor.apply()
    assert docks.wait_for_result(30000)
    assert bar.combo.currentText() == "analyst case"
    assert docks.stress == mine
    expected = run_stressed(deal, mine)
    assert same(docks.views["dscr"].dscr_curve.getData()[1], expected.periods["dscr"])
    assert docks.last_result.metrics["min_dscr"] == expected.metrics["min_dscr"]

    path = tmp_path / "set.json"
    assert editor.save_set(str(path))
    assert json.loads(path.read_text())["scenarios"]["analyst case"]["renewals"] == 0
    assert load_scenarios(path) == {"analyst case": mine}
    assert not list(tmp_path.glob("*.tmp"))

    other = ScenarioBar()  # another window's bar: load the set, apply, same numbers
    qtbot.addWidget(other)
    assert other.open_editor().load_set(str(path)) == ["analyst case"]
    assert other.library.user == {"analyst case": mine}
    other.editor.apply()
    assert other.stress() == mine and other.combo.currentText() == "analyst case"
    other.editor.close()

    isolated.reply = QMessageBox.StandardButton.Yes
    editor.delete()
    assert "analyst case" not in bar.library
    assert bar.combo.currentText() == "custom"  # the stress shown stays until changed
    assert docks.stress == mine
    editor.close()
    close_docks(docks)


def test_rename_to_a_taken_name_is_refused(qtbot):
    bar = ScenarioBar()
    qtbot.addWidget(bar)
    editor = bar.open_editor()
    editor.new()
    editor.list.currentItem().setText("severe")
    assert "already a scenario called 'severe'" in editor.problem.text()
    assert editor.selected() == "scenario" and bar.library.user == {"scenario": Stress()}
    editor.close()


def test_editing_the_scenario_shown_reruns_the_results(qtbot):
    deal = sample("xai_gpu_spv.json")
    _, _, docks = open_docks(qtbot, deal)
    bar = docks.scenario_bar
    name = bar.library.add("mine", Stress(rent_deflation=0.1))
    bar.apply_scenario(name)
    assert docks.wait_for_result(30000)
    editor = bar.open_editor()
    assert editor.selected() == "mine"
    _fill(editor, rent_deflation="30")
    assert docks.wait_for_result(30000)
    assert docks.stress == Stress(rent_deflation=0.30)
    assert bar.sliders["rent"].value() == 30 and bar.combo.currentText() == "mine"
    expected = run_stressed(deal, Stress(rent_deflation=0.30))
    assert same(docks.last_result.periods["dscr"], expected.periods["dscr"])
    editor.close()
    close_docks(docks)


def test_invalid_set_file_is_refused_naming_the_field(qtbot, tmp_path, isolated):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"scenarios": {"x": {"residual_haircut": 2}}}))
    bar = ScenarioBar()
    qtbot.addWidget(bar)
    assert bar.open_editor().load_set(str(path)) == []
    kind, _, text = isolated.shown[-1]
    assert kind == "warning" and "residual_haircut" in text and "'x'" in text
    assert bar.library.user == {}
    bar.editor.close()


def test_loading_keeps_builtins_and_renames_clashes(qtbot, tmp_path):
    path = tmp_path / "set.json"
    body = {"severe": {"rent_deflation": 0.35, "residual_haircut": 0.3, "gpu_value_decline":
                       0.15, "gpu_commercial_life": 3, "renewals": 0, "base_rate_shock": 0.02,
                       "liquidation_haircut": 0.25, "crypto_price_shock": -0.5},
            "downside": {"rent_deflation": 0.5}, "custom": {"renewals": 1}}  # fmt: skip
    path.write_text(json.dumps({"scenarios": body}))
    bar = ScenarioBar()
    qtbot.addWidget(bar)
    names = bar.open_editor().load_set(str(path))
    assert names == ["downside (loaded)", "custom (loaded)"]  # severe equals the built-in
    assert bar.library.get("downside") == BUILTIN["downside"]
    assert bar.library.get("downside (loaded)") == Stress(rent_deflation=0.5)
    combo = [bar.combo.itemText(i) for i in range(bar.combo.count())]
    assert combo == [*BUILTIN, "", "downside (loaded)", "custom (loaded)"]
    bar.editor.close()
