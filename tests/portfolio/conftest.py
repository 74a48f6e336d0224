"""Books built from the sample deals for the portfolio tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.files.deal_json import load_deal
from core.portfolio.book import Book, Position, Sector

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"


@pytest.fixture(scope="session")
def deals():
    return {p.stem: load_deal(p) for p in sorted(DEALS.glob("*.json"))}


def book(deals, entries, rho=None, loading=0.5, names=None) -> Book:
    """A book of (id, sample name, {tranche: share}, {sponsor id: counterparty}) entries;
    ``rho``: (normal, stress) asset correlation of every sector."""
    positions = [
        Position(pid, f"{name}.json", deals[name].copy(), shares, cps or {})
        for pid, name, shares, cps in entries
    ]
    sectors = {}
    if rho is not None:
        sectors = {
            s: Sector(s, *rho) for s in ("hyperscaler", "ai_lab", "neocloud", "miner", "other")
        }
    aliases = {"Meta Platforms": "Meta", "Google (Alphabet)": "Google"}
    return Book("test book", positions, {}, aliases, sectors, loading)
