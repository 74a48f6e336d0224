"""The property panel: editors generated from field declarations, analyst units, red errors,
one undoable SetTerm per applied edit."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QComboBox, QDateEdit, QLineEdit

from core.model.blocks import REGISTRY


def select(window, block_id: str):  # noqa: ANN001, ANN201
    window.scene.select_blocks([block_id])
    assert window.properties.block_id == block_id
    return window.properties


def type_into(panel, name: str, text: str) -> bool:  # noqa: ANN001
    editor = panel.editors[name]
    editor.widget.setText(text)
    return panel.apply(name)


def test_editors_follow_the_field_declarations(window) -> None:  # noqa: ANN001
    panel = select(window, "bonds")
    spec = REGISTRY["tranche"]
    assert list(panel.editors) == list(spec.field_names)
    widget_for = {
        "float": QLineEdit,
        "int": QLineEdit,
        "str": QLineEdit,
        "list": QLineEdit,
        "choice": QComboBox,
        "bool": QCheckBox,
        "date": QDateEdit,
    }
    for f in spec.fields:
        assert isinstance(panel.editors[f.name].widget, widget_for[f.type])
    coupon = window.document.deal.blocks["bonds"].terms["coupon"]
    assert panel.editors["coupon"].widget.text() == f"{coupon * 100:.10g}"  # 6.58, shown x100
    assert panel.editors["notional"].widget.text() == "27300"


def test_percent_edit_is_stored_as_a_decimal_and_undoable(window) -> None:  # noqa: ANN001
    panel = select(window, "bonds")
    assert panel.editors["coupon"].widget.text() == "6.58"
    assert type_into(panel, "coupon", "7.00")
    deal = window.document.deal
    assert deal.blocks["bonds"].terms["coupon"] == 0.07
    assert panel.editors["coupon"].widget.text() == "7"
    assert window.document.undo_stack.count() == 1
    window.document.undo_stack.undo()
    assert deal.blocks["bonds"].terms["coupon"] == 0.0658
    assert panel.editors["coupon"].widget.text() == "6.58"  # the panel follows undo


def test_invalid_value_turns_red_with_the_reason_and_is_not_applied(window) -> None:  # noqa: ANN001
    panel = select(window, "bonds")
    assert not type_into(panel, "notional", "-5")
    editor = panel.editors["notional"]
    assert editor.widget.property("invalid") is True
    assert not editor.error.isHidden()
    assert editor.error.text() == "must be at least 0 (got -5)"
    assert window.document.deal.blocks["bonds"].terms["notional"] == 27300.0
    assert window.document.undo_stack.count() == 0
    assert type_into(panel, "notional", "25,000")  # thousands separators are fine
    assert editor.widget.property("invalid") is False and editor.error.isHidden()
    assert window.document.deal.blocks["bonds"].terms["notional"] == 25000.0


def test_percent_bounds_and_text_are_explained_in_display_units(window) -> None:  # noqa: ANN001
    panel = select(window, "bonds")
    assert not type_into(panel, "coupon", "60")
    assert panel.editors["coupon"].error.text() == "must be at most 50 % / yr (got 60)"
    assert not type_into(panel, "coupon", "abc")
    assert panel.editors["coupon"].error.text() == "must be a number (got abc)"
    assert not type_into(panel, "io_months", "2.5")
    assert panel.editors["io_months"].error.text() == "must be a whole number (got 2.5)"
    assert window.document.deal.blocks["bonds"].terms["coupon"] == 0.0658


def test_choice_bool_date_and_list_editors(window) -> None:  # noqa: ANN001
    deal = window.document.deal
    panel = select(window, "bonds")
    combo = panel.editors["amortisation"].widget
    combo.setCurrentText("bullet")
    assert panel.apply("amortisation")
    assert deal.blocks["bonds"].terms["amortisation"] == "bullet"
    check = panel.editors["pik"].widget
    check.setChecked(True)
    assert panel.apply("pik")
    assert deal.blocks["bonds"].terms["pik"] is True
    assert type_into(panel, "custom_schedule", "10, 20.5")
    assert deal.blocks["bonds"].terms["custom_schedule"] == [0.1, 0.205]
    assert not type_into(panel, "custom_schedule", "10, x")
    assert panel.editors["custom_schedule"].error.text().startswith("must be a number")
    panel = select(window, "spv")
    panel.editors["closing_date"].widget.setDate(QDate(2026, 3, 31))
    assert panel.apply("closing_date")
    assert deal.blocks["spv"].terms["closing_date"] == "2026-03-31"
    assert window.document.undo_stack.count() == 4
    for _ in range(4):
        window.document.undo_stack.undo()
    assert deal.blocks["bonds"].terms["amortisation"] == "annuity"
    assert deal.blocks["bonds"].terms["custom_schedule"] == []


def test_panel_empties_when_the_block_goes(window) -> None:  # noqa: ANN001
    panel = select(window, "dsra")
    window.scene.delete_selected()
    assert panel.block_id is None and panel.editors == {}
    window.scene.select_blocks(["meta", "spv"])  # several selected: nothing to edit
    assert panel.block_id is None


def test_editor_of_a_block_no_longer_shown_applies_nothing(window) -> None:  # noqa: ANN001
    panel = select(window, "bonds")
    stale = panel.editors["coupon"]
    stale.widget.setText("9")
    select(window, "spv")  # the panel is rebuilt; the old line edit may still report
    assert not panel._apply(stale)
    assert window.document.deal.blocks["bonds"].terms["coupon"] == 0.0658
    assert window.document.undo_stack.count() == 0


def test_period_choice_offers_annual(window) -> None:  # noqa: ANN001
    """The SPV's period: monthly, quarterly or annual (issue #12), applied as one undoable edit."""
    deal = window.document.deal
    panel = select(window, "spv")
    combo = panel.editors["period"].widget
    assert [combo.itemText(i) for i in range(combo.count())] == ["monthly", "quarterly", "annual"]
    combo.setCurrentText("annual")
    assert panel.apply("period")
    assert deal.blocks["spv"].terms["period"] == "annual"
    window.document.undo_stack.undo()
    assert deal.blocks["spv"].terms["period"] != "annual"


def test_refinancing_terms_are_edited_in_analyst_units(window) -> None:  # noqa: ANN001
    """Issue #12: a tranche's refinancing terms (core/model/kinds/refinancing.py) in its panel:
    the switch, the sizing choice, the spread in basis points, the advance in percent."""
    deal = window.document.deal
    panel = select(window, "bonds")
    check = panel.editors["refinance"].widget
    check.setChecked(True)
    assert panel.apply("refinance")
    panel.editors["refi_sizing"].widget.setCurrentText("dscr")
    assert panel.apply("refi_sizing")
    assert type_into(panel, "refi_spread", "350")  # bp
    assert type_into(panel, "refi_advance", "55")  # %
    t = deal.blocks["bonds"].terms
    assert t["refinance"] is True and t["refi_sizing"] == "dscr"
    assert t["refi_spread"] == pytest.approx(0.035) and t["refi_advance"] == pytest.approx(0.55)
    assert not type_into(panel, "refi_dscr", "0.5")  # below its 1.0x minimum: refused
    assert t["refi_dscr"] == 1.30
