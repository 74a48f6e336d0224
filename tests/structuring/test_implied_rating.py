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
    meets,
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
    # no loss on 1,000 paths: the PD may still be up to 3 / 1,000 (rule of three), and the EL
    # as much (a loss is at most the notional)
    lo, hi = wilson(0.0, 1000)
    assert (lo, hi) == (0.0, 0.003)
    r = implied_rating("senior", 5.0, 0.0, 0.0, 0.0, 1000)
    assert r.rating == "Aaa" and r.sp == "AAA"
    assert r.el_band == ("Aaa", "Baa1")  # 0.30% EL at 5 years: above A3's 0.2365%
    assert r.pd_band == ("Aaa", "A3")  # 0.30% PD at 5 years: below A3's 0.43%
    # the band narrows with paths: the same EL / PD on 100x the paths
    wide = implied_rating("s", 5.0, 0.004, 0.05, 0.01, 1_000)
    narrow = implied_rating("s", 5.0, 0.004, 0.05, 0.01, 100_000)
    for band in ("el_band", "pd_band"):
        w, n = getattr(wide, band), getattr(narrow, band)
        assert notch(n[1]) - notch(n[0]) <= notch(w[1]) - notch(w[0])
        assert notch(w[0]) <= notch(getattr(wide, band[:2] + "_rating")) <= notch(w[1])
    text = wide.describe("A1")
    assert text.startswith(f"implied {wide.el_rating} (EL") and "; target A1 (" in text


def test_targets_use_their_agency_method():
    # EL tiny, PD high (accelerated but repaid): Moody's style rates high, S&P style low
    r = implied_rating("s", 3.0, 0.0, 0.0, 0.10, 100_000)
    assert r.rating == "Aaa" and notch(r.pd_rating) > notch("Baa3")
    assert meets(r, "A3") and not meets(r, "BBB-")
    assert r.against("A3") == "Aaa" and r.against("BBB-") == r.sp


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


def test_target_ratings_of_the_tranche_field_are_the_tables_symbols():
    from core.model.kinds.debt import TARGET_RATINGS

    assert TARGET_RATINGS[0] == "none"
    assert list(TARGET_RATINGS[1:18]) == list(SCALE[:-1])
    assert list(TARGET_RATINGS[18:]) == [sp_symbol(r) for r in SCALE[:-1]]


def test_ratings_carry_the_tranches_target():
    from core.risk.montecarlo import run_montecarlo
    from core.structuring.implied_rating import ratings_of

    deal = load_deal("resources/deals/coreweave_ddtl.json")
    deal.set_term("ddtl", "target_rating", "A+")
    mc = run_montecarlo(deal, MonteCarloConfig(n_paths=500, seed=4))
    (r,) = ratings_of(deal, mc)
    assert r.target == "A+"
    assert r.describe().endswith(f"target A+ ({'met' if meets(r, 'A+') else 'not met'})")
    assert r.to_dict()["meets_target"] == meets(r, "A+")
