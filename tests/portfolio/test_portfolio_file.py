"""The portfolio file: the sample books load; bad input is refused naming line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.files.portfolio_json import PortfolioFileError, dumps_book, load_book, loads_book

BOOKS = Path(__file__).resolve().parents[2] / "resources" / "portfolios"
DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"


def test_sample_books_load_and_round_trip():
    for path in sorted(BOOKS.glob("*.json")):
        b = load_book(path)
        again = loads_book(dumps_book(b))
        assert dumps_book(again) == dumps_book(b), path.name


def _text(**changes) -> str:
    doc = {
        "format": "capstack-portfolio",
        "format_version": 1,
        "name": "t",
        "deals": [
            {"id": "a", "file": "xai_gpu_spv.json", "positions": {"loan": 0.5}},
            {"id": "b", "file": "terawulf_backstop.json", "positions": {"notes": 0.5}},
        ],
    }
    doc.update(changes)
    return json.dumps(doc, indent=2)


def _error(text: str) -> str:
    with pytest.raises(PortfolioFileError) as exc:
        loads_book(text, "book.json", str(DEALS))
    return str(exc.value)


def test_errors_name_the_line_and_the_field():
    text = _text()
    assert loads_book(text, "book.json", str(DEALS)).positions[1].shares == {"notes": 0.5}
    bad = text.replace('"notes": 0.5', '"notes": 1.5')
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if '"notes": 1.5' in s)
    msg = _error(bad)
    assert msg.startswith(f"book.json line {line}: deals[1].positions.notes: must be in [0, 1]")
    assert "1.5" in msg
    msg = _error(text.replace('"loan": 0.5', '"senior": 0.5'))
    assert "deals[0].positions.senior: no tranche of that id" in msg and "['loan']" in msg
    msg = _error(text.replace("xai_gpu_spv.json", "missing.json"))
    assert "deals[0].file: cannot be read" in msg and "missing.json" in msg
    msg = _error(text.replace('"id": "b"', '"id": "a"'))
    assert "deals[1].id: is used by an earlier deal" in msg
    msg = _error(text[:-3])
    assert msg.startswith("book.json line") and "not valid JSON" in msg
    msg = _error(_text(sectors={"ai_lab": {"rho_normal": 0.2}}))
    assert "sectors.ai_lab: missing field 'rho_stress'" in msg
    msg = _error(_text(counterparties={"xAI": {"rating": "ZZ"}}))
    assert "counterparties.xAI.rating: unknown rating" in msg
    msg = _error(_text(holdcos=[{"id": "h", "name": "H", "owns": {"zz": 1}, "btc_price": 1,
                                 "debt": []}]))  # fmt: skip
    assert "holdcos[0].owns.zz: no deal of that id" in msg
    msg = _error(_text(holdcos=[{"id": "h", "name": "H", "owns": {"a": 1}, "btc_price": 1,
                                 "debt": []}]))  # fmt: skip
    assert "holdcos[0].debt: must be a list of 1 to 20 borrowings" in msg
    msg = _error(_text(extra=1))
    assert "extra: unknown field" in msg
