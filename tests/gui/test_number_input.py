"""Typed numbers: thousands separators accepted, a decimal comma refused with the reason."""

from __future__ import annotations

import pytest

from core.model.blocks import REGISTRY
from core.model.errors import DealError
from gui.number_input import CommaError, read_number
from gui.properties import parse_number
from gui.results.scenario_editor import parse_field


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,250.5", 1250.5), ("27,300", 27300.0), ("-1,000,000", -1e6), ("7%", 7.0), (" 1.2 ", 1.2)],
)
def test_numbers_analysts_type(text: str, value: float) -> None:
    assert read_number(text) == value


@pytest.mark.parametrize("text", ["1,2", "1,25", "12,3456", ",5", "1,,000"])
def test_a_comma_that_does_not_group_thousands_is_refused(text: str) -> None:
    with pytest.raises(CommaError, match="thousands"):
        read_number(text)


def test_property_and_scenario_fields_name_the_misplaced_comma() -> None:
    field = next(f for f in REGISTRY["covenant"].fields if f.name == "lockup_dscr")
    with pytest.raises(DealError, match="comma must separate thousands") as info:
        parse_number("1,2", field, "blocks[cov].terms.lockup_dscr")
    assert "lockup_dscr" in str(info.value) and "1,2" in str(info.value)
    assert parse_number("1.2", field, "x") == pytest.approx(1.2)
    value, error = parse_field("rent_deflation", "1,5")
    assert value is None and "rent_deflation" in error and "comma" in error
