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


def test_spread_grid_buckets():
    from core.structuring.implied_rating import implied_rating
    from core.structuring.pricing import grid_spread, parse_grid

    grid = parse_grid("A2=1.5%, Baa2=2.5%, Ba2=0.04")
    assert grid == {"A2": 0.015, "Baa2": 0.025, "Ba2": 0.04}
    el_for = {"Aaa": 0.0, "Baa2": 0.006, "Baa3": 0.011, "Caa": 0.3}  # at a 5-year WAL
    spreads = {r: grid_spread(grid, implied_rating("s", 5.0, el, 0.0, 0.0, 10**9))
               for r, el in el_for.items()}  # fmt: skip
    assert spreads == {"Aaa": 0.015, "Baa2": 0.025, "Baa3": 0.04, "Caa": 0.04}
    with pytest.raises(StructuringError, match="'Z9=1%'"):
        parse_grid("Z9=1%")
    with pytest.raises(StructuringError, match="RATING=SPREAD"):
        parse_grid("A2")


def test_priced_candidates_pay_their_ratings_spread():
    from core.files.deal_json import load_deal
    from core.risk.montecarlo import MonteCarloConfig
    from core.structuring.candidate import Evaluator
    from core.structuring.pricing import grid_spread, margin

    deal = load_deal("resources/deals/coreweave_ddtl.json")  # floating: SOFR + spread
    grid = {"Aaa": 0.01, "A2": 0.02, "Baa3": 0.03, "Ba3": 0.05, "Caa": 0.09}
    ev = Evaluator(deal, mc=MonteCarloConfig(n_paths=1000, seed=5), spread_grid=grid,
                   priced=["ddtl"])  # fmt: skip
    small, big = ev.candidate({"ddtl": 300.0}), ev.candidate({"ddtl": 2600.0})
    for c in (small, big):  # a fixed point: the spread paid is the one its rating earns
        assert margin(c.deal, "ddtl") == grid_spread(grid, c.ratings["ddtl"])
    assert margin(big.deal, "ddtl") >= margin(small.deal, "ddtl")
    assert big.metrics()["wacd"] > small.metrics()["wacd"] or (
        margin(big.deal, "ddtl") == margin(small.deal, "ddtl")
    )


def test_largest_interpolates_on_the_slack_to_the_same_answer():
    """min DSCR = C / (N af) falls smoothly with N: with a slack the search lands on the
    closed-form limit N* = C / (1.25 af) to the same tolerance as bisection in fewer runs
    (each call of ``feasible`` is one): 17 instead of 32 with the gap relative to the floor,
    and four with 1 - floor / DSCR (Constraint.slack's form for a floor), linear in N."""
    from core.structuring.sizing import largest

    c, af, cap = 40.0, 10.5, 1000.0
    limit = c / (1.25 * af)
    slacks = {
        "plain": None,
        "relative": lambda x: (c / (x * af) - 1.25) / 1.25 if x > 0 else 1.0,
        "reciprocal": lambda x: 1.0 - 1.25 / (c / (x * af)) if x > 0 else 1.0,
    }
    calls = dict.fromkeys(slacks, 0)
    for key, slack in slacks.items():

        def feasible(x: float, key: str = key) -> bool:
            calls[key] += 1
            return x == 0 or c / (x * af) >= 1.25

        found, _ = largest(feasible, cap, tol=1e-9, slack=slack)
        assert limit - 1e-6 <= found <= limit
    assert calls["plain"] >= 30
    assert calls["relative"] <= 0.6 * calls["plain"]
    assert calls["reciprocal"] <= 5


def test_two_tranche_search_is_quicker_and_no_worse():
    """The two-tranche search of the note ('about 0.5 s'): 173 engine runs before the slack
    search, at most 130 now, and the proceeds found are the hand-derived optimum (the senior
    8% carries more debt per unit of debt service than the 12% junior, so the most proceeds
    at min DSCR 1.30 are all senior: N = C / (1.30 af)) to 1e-4."""
    d = two_tranches()
    res = optimise(d, "proceeds", [parse_constraint("min_dscr>=1.30", d)])
    assert res.runs <= 130
    assert res.best.objective == pytest.approx(C / (1.30 * annuity_factor(R, 20)), rel=1e-4)
