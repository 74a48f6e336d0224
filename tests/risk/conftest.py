"""Sample deals for the risk tests (loaded once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.files.deal_json import load_deal

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLES = sorted(p.stem for p in DEALS.glob("*.json"))


@pytest.fixture(scope="session")
def samples():
    return {name: load_deal(DEALS / f"{name}.json") for name in SAMPLES}
