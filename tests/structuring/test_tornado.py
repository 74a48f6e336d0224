"""The tornado moves each input by its step, one at a time, with the debt as structured."""

from __future__ import annotations

import math

import pytest

from core.engine.results import run_deal
from core.risk.montecarlo import MonteCarloConfig
from core.structuring.tornado import INPUTS, tornado
from tests.structuring.test_sizing import C, R, annuity_factor, quarterly


def test_rent_and_debt_margin_by_hand():
    d = quarterly()  # CFADS 30 a quarter, a level annuity of 100 at 2% a quarter
    t = tornado(d, inputs=tuple(i for i in INPUTS if i.key in ("rent", "debt_margin")))
    rows = {r.key: r for r in t.rows}
    ds = 100.0 * annuity_factor(R, 20)
    assert t.base["min_dscr"] == pytest.approx(C / ds)
    # rent +-10%: CFADS +-10%, the same debt service
    assert rows["rent"].low["min_dscr"] == pytest.approx(0.9 * C / ds)
    assert rows["rent"].high["min_dscr"] == pytest.approx(1.1 * C / ds)
    # coupon +-1%: the kernel pays the moved coupon on the base-case schedule (the level
    # payment's principal part stays): interest moves by 0.25% of the opening balance
    res = run_deal(d)
    principal = res.tranches["Senior notes"]["principal_paid"].to_numpy()
    opening = 100.0 - principal.cumsum() + principal
    for sign, row in ((+1, rows["debt_margin"].high), (-1, rows["debt_margin"].low)):
        service = principal + opening * (R + sign * 0.0025)
        assert row["min_dscr"] == pytest.approx(min(C / service[:20]))
    assert math.isnan(t.base["senior_el"])  # no Monte Carlo asked for


def test_every_input_moves_something_on_a_full_sample():
    from tests.engine.deal_builders import sculpted_terawulf

    deal = sculpted_terawulf()  # notes sculpted: rent moves the min DSCR first
    t = tornado(deal, MonteCarloConfig(n_paths=500, seed=2))
    # fixed-rate notes, no GPU fleet, a fixed rent: three inputs cannot move this deal
    na = {"base_rate", "gpu_value", "utilisation"}
    assert [r.key for r in t.rows] == [i.key for i in INPUTS if i.key not in na]
    labels = {i.label: i for i in INPUTS}
    assert {key for key, _, _ in t.not_applicable} == na
    from core.engine.results import run_deal

    base = run_deal(deal).periods
    for _, label, why in t.not_applicable:  # moved anyway, nothing changes: not applicable is true
        assert why
        for sign in (-1, 1):
            d = deal.copy()
            labels[label].move(d, sign)
            moved = run_deal(d).periods
            for col in ("revenue", "cfads", "debt_service", "distribution"):
                assert moved[col].equals(base[col]), (label, sign, col)
    assert t.to_dict()["not_applicable"][0]["reason"] == "all debt is fixed-rate"
    assert t.ranked("min_dscr")[0].key == "rent"
    rent = next(r for r in t.rows if r.key == "rent")
    assert rent.low["equity_irr"] < t.base["equity_irr"] < rent.high["equity_irr"]
    assert all(0.0 <= r.low["senior_el"] <= 1.0 for r in t.rows)
    doc = t.to_dict()
    assert set(doc["order"]) == {"min_dscr", "equity_irr", "senior_el"}
