"""Shared helpers of the results-dock tests (no tests here): a fake document, a window.

The results docks only need ``document.deal`` and a ``document.changed`` signal, so these
tests do not depend on the main window's own document class.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow

from core.files.deal_json import load_deal
from core.model.deal import Deal
from gui.results.docks import ResultsDocks

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLES = sorted(p.name for p in DEALS.glob("*.json"))


class FakeDocument(QObject):
    changed = Signal()

    def __init__(self, deal: Deal) -> None:
        super().__init__()
        self.deal = deal


def sample(name: str) -> Deal:
    return load_deal(DEALS / name)


def open_docks(qtbot, deal: Deal) -> tuple[QMainWindow, FakeDocument, ResultsDocks]:
    """A 1600x1000 window with the docks on ``deal``, after the first result is shown."""
    window = QMainWindow()
    window.resize(1600, 1000)
    qtbot.addWidget(window)
    document = FakeDocument(deal)
    docks = ResultsDocks(window, document)
    assert docks.wait_for_result(30000), "the first run did not finish"
    return window, document, docks


def close_docks(docks: ResultsDocks) -> None:
    docks.shutdown()


def same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal to engine precision, NaN where the other is NaN."""
    return np.allclose(
        np.asarray(a, float), np.asarray(b, float), rtol=1e-12, atol=1e-9, equal_nan=True
    )


def bump_rate(deal: Deal, by: float = 0.01) -> None:
    """Raise the first tranche's coupon (fixed) or spread (floating) by ``by``."""
    t = deal.of_kind("tranche")[0]
    name = "coupon" if t.terms["rate_type"] == "fixed" else "spread"
    deal.set_term(t.id, name, t.terms[name] + by)
