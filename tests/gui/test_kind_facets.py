"""The palette and the canvas card take every per-kind fact from the kind's declaration:
a kind declared once in core shows up in the palette and on the canvas with nothing in gui/."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from core.model.blocks import REGISTRY
from core.model.deal import Deal
from gui.canvas.block_item import BlockItem
from gui.palette import ENTRIES, palette_entries
from tests.test_kinds import probe_kind


def test_palette_order_and_labels() -> None:
    assert [(e.key, e.kind, e.label) for e in ENTRIES] == [
        ("sponsor", "sponsor", "Sponsor / tenant"),
        ("spv", "spv", "SPV / JV"),
        ("equity", "equity", "Equity"),
        ("senior", "tranche", "Senior tranche"),
        ("mezzanine", "tranche", "Mezzanine tranche"),
        ("junior", "tranche", "Junior tranche"),
        ("lease", "lease", "Lease / offtake"),
        ("gpu_fleet", "gpu_fleet", "GPU fleet"),
        ("facility", "facility", "Facility"),
        ("reserve", "reserve", "Reserve account"),
        ("guarantee", "guarantee", "Guarantee / backstop"),
        ("crypto", "crypto", "Crypto collateral"),
        ("opex", "opex", "Operating costs"),
        ("covenant", "covenant", "Covenants"),
        ("swap", "swap", "Interest-rate swap"),
    ]
    assert ENTRIES[4].terms == {"name": "Mezzanine notes", "seniority": 2, "coupon": 0.095}
    assert all(e.terms == {} for e in ENTRIES if e.kind != "tranche")


def test_card_colour_is_the_kinds() -> None:
    deal = Deal("colours")
    colours = set()
    for kind_id, spec in REGISTRY.items():
        item = BlockItem(deal.add_block(kind_id), deal)
        assert item.colour == QColor(spec.colour) and item.colour.isValid()
        colours.add(item.colour.name())
    assert len(colours) == len(REGISTRY)  # each kind has its own header colour


def test_a_new_kind_reaches_palette_and_canvas(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = probe_kind()
    entries = palette_entries([*REGISTRY.values(), spec])
    assert entries[:-1] == ENTRIES  # order 12 comes after every built-in kind
    assert (entries[-1].key, entries[-1].kind, entries[-1].label) == ("probe", "probe", "Probe")
    monkeypatch.setitem(REGISTRY, "probe", spec)
    deal = Deal("probe")
    item = BlockItem(deal.add_block("probe", {"name": "P1", "limit": 1.5}), deal)
    assert item.colour.name() == "#123456"
    assert (item.title, item.lines) == ("P1", ["Limit 1.5x"])
