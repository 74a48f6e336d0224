"""The optimiser finds optima derivable by hand; deterministic searches are quick; the result
applies as a list of term changes."""

from __future__ import annotations

import pytest

from core.structuring.candidate import StructuringError
from core.structuring.constraints import parse_constraint
from core.structuring.optimise import optimise, tightening
from tests.structuring.test_sizing import C, R, annuity_factor, quarterly, with_facility


def two_tranches():
    d = quarterly()
    d.add_block("tranche", {"name": "Junior notes", "notional": 20.0, "coupon": 0.12,
                            "tenor_years": 5, "seniority": 2}, block_id="junior")  # fmt: skip
    d.connect("issues", "spv", "junior")
    return d


@pytest.mark.parametrize("objective", ["proceeds", "equity_irr"])
def test_one_tranche_optimum_is_the_dscr_limit(objective):
    # level annuity on a level CFADS: min DSCR = C / (N af); the most debt (and, with debt
    # cheaper than the asset's return, the best equity IRR) is N* = C / (1.25 af)
    d = with_facility(quarterly(), cost=500.0)  # a 24% rent yield on cost: leverage pays
    res = optimise(d, objective, [parse_constraint("min_dscr>=1.25", d)])
    best = C / (1.25 * annuity_factor(R, 20))
    assert res.best.notionals["senior"] == pytest.approx(best, rel=1e-6)
    assert res.best.feasible and res.best.metrics["min_dscr"] >= 1.25 - 1e-9
    assert ("senior", "notional", 100.0, pytest.approx(best, rel=1e-6)) in [
        (b, f, o, n) for b, f, o, n in res.changes
    ]
    assert any(b == "eq" and f == "amount" for b, f, _, _ in res.changes)  # sources = uses
    assert len(res.frontier) >= 3 and all(p.feasible for p in res.frontier)


def test_two_tranche_optimum_fills_the_cheap_senior_first():
    # total debt service C / 1.25 per quarter; the senior (8%) carries more debt per unit of
    # debt service than the junior (12%), so the most proceeds take the senior to its cap S
    # and the junior takes what is left: Nj = (C / 1.25 - S af_s) / af_j
    d = two_tranches()
    S = 250.0
    cons = [parse_constraint(t, d) for t in ("min_dscr>=1.25", f"senior.notional<={S}")]
    res = optimise(d, "proceeds", cons)
    af_s, af_j = annuity_factor(R, 20), annuity_factor(0.03, 20)
    junior = (C / 1.25 - S * af_s) / af_j
    assert res.best.notionals["senior"] == pytest.approx(S, rel=2e-3)
    assert res.best.objective == pytest.approx(S + junior, rel=5e-4)
    assert res.best.objective <= S + junior + 1e-6  # never beyond the true optimum
    assert {p.feasible for p in res.frontier} == {True, False} or res.best.feasible


def test_structure_options_are_searched():
    d = two_tranches()
    res = optimise(
        d, "proceeds", [parse_constraint("min_dscr>=1.25", d)],
        tranche_ids=["senior"], amortisations=["annuity", "bullet"],
    )  # fmt: skip
    options = {p.option for p in res.frontier}
    assert options == {"annuity", "bullet"}
    assert res.best.option in options


def test_tightening_classification():
    d = quarterly()
    assert tightening(parse_constraint("min_dscr>=1.2", d))
    assert tightening(parse_constraint("senior.rating>=A3", d))
    assert tightening(parse_constraint("senior.el<=0.5%", d))
    assert not tightening(parse_constraint("proceeds>=100", d))


def test_bad_objective_and_grid():
    d = quarterly()
    with pytest.raises(StructuringError, match="unknown objective 'npv'"):
        optimise(d, "npv", [])
    with pytest.raises(StructuringError, match="--grid"):
        optimise(d, "proceeds", [], grid=1)
