"""Implied ratings against Moody's idealised tables: boundaries, WAL interpolation, the S&P
symbols, the sampling band; and with common random numbers a smaller senior tranche never
shows a higher expected loss on the same seed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.files.deal_json import load_deal
from core.risk.montecarlo import MonteCarloConfig
from core.structuring.candidate import Evaluator
from core.structuring.implied_rating import (
    SCALE,
    TABLES,
    idealised,
    implied_rating,
    notch,
    rating_for,
    sp_symbol,
    wilson,
)

DOC = json.loads(TABLES.read_text(encoding="utf-8"))


def test_tables_carry_their_source_and_are_monotone():
    assert "Moody's" in DOC["source"]
    el, pd_ = DOC["expected_loss"], DOC["default_probability"]
    assert list(el) == list(SCALE[:-1])
    for r in el:
        assert np.all(np.diff(el[r]) > 0)  # cumulative: grows with the horizon
        # Moody's idealised default probabilities are the EL table over a 55% severity
        assert np.allclose(np.array(el[r]) / 0.55, pd_[r], rtol=1e-5, atol=1e-6)
    for y in range(10):
        column = [el[r][y] for r in el]
        assert np.all(np.diff(column) > 0)  # worse ratings lose more at every horizon


@pytest.mark.parametrize(
    ("wal", "el_pct", "rating"),
    [
        (5.0, 0.6215, "Baa2"),  # exactly the Baa2 5-year EL: still Baa2
        (5.0, 0.6216, "Baa3"),  # a hair above: the next notch
        (5.0, 0.0, "Aaa"),
        (10.0, 0.002750, "Aaa"),
        (10.0, 32.78, "Caa"),
        (10.0, 33.0, "Ca"),
        (1.0, 0.021368, "A3"),
        (15.0, 1.1946, "Baa2"),  # beyond 10 years: the 10-year column
    ],
)
def test_el_rating_boundaries(wal, el_pct, rating):
    assert rating_for("expected_loss", el_pct / 100, wal) == rating


def test_wal_interpolates_linearly_between_years():
    mid = (DOC["expected_loss"]["A2"][1] + DOC["expected_loss"]["A2"][2]) / 2 / 100
    assert idealised("expected_loss", "A2", 2.5) == pytest.approx(mid)
    assert idealised("expected_loss", "A2", 0.5) == pytest.approx(
        DOC["expected_loss"]["A2"][0] / 200
    )
    assert rating_for("expected_loss", mid, 2.5) == "A2"
    assert rating_for("expected_loss", mid * 1.0001, 2.5) == "A3"


def test_pd_rating_boundaries():
    pd_baa3_7y = DOC["default_probability"]["Baa3"][6] / 100
    assert rating_for("default_probability", pd_baa3_7y, 7.0) == "Baa3"
    assert rating_for("default_probability", pd_baa3_7y * 1.001, 7.0) == "Ba1"


def test_symbols():
    assert sp_symbol("A3") == "A-" and sp_symbol("Baa2") == "BBB" and sp_symbol("Caa") == "CCC"
    assert notch("A-") == notch("A3") and notch("Aaa") == 0
    with pytest.raises(ValueError, match="unknown rating"):
        notch("Z1")


def test_band_from_the_number_of_paths():
    # no loss on 1,000 paths: the PD may still be up to 3 / 1,000 (rule of three)
    lo, hi = wilson(0.0, 1000)
    assert (lo, hi) == (0.0, 0.003)
    r = implied_rating("senior", 5.0, 0.0, 0.0, 0.0, 1000)
    assert r.rating == "Aaa" and r.band[0] == "Aaa"
    # the worst end: a PD of 3 / 1,000 and, a loss being at most the notional, an EL as large
    pd_end = rating_for("default_probability", 0.003, 5.0)
    el_end = rating_for("expected_loss", 0.003, 5.0)
    assert (pd_end, el_end) == ("A3", "Baa1")
    assert r.band[1] == "Baa1"
    # the band narrows with paths: the same EL / PD on 100x the paths
    wide = implied_rating("s", 5.0, 0.004, 0.05, 0.01, 1_000)
    narrow = implied_rating("s", 5.0, 0.004, 0.05, 0.01, 100_000)
    assert notch(narrow.band[1]) - notch(narrow.band[0]) <= notch(wide.band[1]) - notch(
        wide.band[0]
    )
    assert notch(wide.band[0]) <= notch(wide.rating) <= notch(wide.band[1])
    # the headline is the worse of the EL and PD ratings
    assert notch(wide.rating) == max(notch(wide.el_rating), notch(wide.pd_rating))
    assert "implied" in wide.describe("A1") and wide.describe("A1").endswith("target A1")


def test_smaller_senior_never_shows_a_higher_el_on_the_same_seed():
    deal = load_deal("resources/deals/terawulf_backstop.json")
    ev = Evaluator(deal, mc=MonteCarloConfig(n_paths=4000, seed=11))
    sizes = [300.0, 800.0, 1300.0, 1800.0, 2300.0, 2640.0]
    els, losses = [], []
    for n in sizes:
        c = ev.with_mc(ev.candidate({"notes": n}))
        els.append(c.ratings["notes"].expected_loss)
        losses.append(c.mc.stats.loss[:, 0].copy())
    assert all(a <= b + 1e-12 for a, b in zip(els, els[1:], strict=False)), els
    # path by path too: the same draws, a smaller tranche loses no more on any path
    for a, b in zip(losses, losses[1:], strict=False):
        assert np.all(a <= b + 1e-9)
    assert els[-1] > 0  # the test bites: the full-size notes do lose on some paths
