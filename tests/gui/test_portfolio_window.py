"""The portfolio window: opened from File, runs the book, shows the engine's numbers, opens a
deal on the canvas, exports the PDF."""

from __future__ import annotations

from pathlib import Path

from core.files.portfolio_json import load_book
from core.portfolio.run import run_portfolio
from core.portfolio.runner import PortfolioConfig
from gui.results.formatting import fmt_money, fmt_pct

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "resources" / "portfolios" / "miners_google_backstop.json"


def test_portfolio_window_runs_shows_opens_and_prints(window, qtbot, tmp_path, isolated):
    assert "open_portfolio" in window.actions_by_name
    pw = window.open_portfolio(str(BOOK))
    qtbot.addWidget(pw)
    assert pw.deals.rowCount() == 2 and pw.deals.item(1, 0).text() == "barber_lake"
    pw.paths.setValue(300)
    pw.seed.setValue(4)
    assert pw.run()
    want = run_portfolio(load_book(BOOK), PortfolioConfig(n_paths=300, seed=4)).data
    assert pw.result.data == want  # the window shows the engine's run, nothing of its own
    assert pw.deals.item(0, 3).text() == fmt_money(want["deals"][0]["expected_loss"])
    google = next(i for i in range(pw.counterparties.rowCount())
                  if pw.counterparties.item(i, 0).text() == "Google")  # fmt: skip
    row = next(c for c in want["counterparties"] if c["name"] == "Google")
    assert pw.counterparties.item(google, 5).text() == fmt_money(4600.0)
    assert pw.counterparties.item(google, 8).text() == fmt_pct(
        row["probability_called_in_two_or_more_deals"]
    )
    assert pw.by_deal.names == ["lake_mariner", "barber_lake"]
    # double-click: the deal opens on the main window's canvas
    assert pw.open_row(1)
    assert window.document.deal.name.startswith("Miner-hosted AI halls with a Google backstop")
    assert Path(window.document.path) == BOOK.parent / "deals" / "cipher_backstop.json"
    out = tmp_path / "book.pdf"
    assert pw.export_pdf(str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_a_bad_portfolio_file_is_refused_with_a_message(window, tmp_path, isolated):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "capstack-portfolio", "format_version": 1, "name": "x", "deals": 3}')
    assert window.open_portfolio(str(bad)) is None
    kind, title, text = isolated.shown[-1]
    assert kind == "warning" and "deals: must be a non-empty list" in text
