"""A residual value guarantee's floor basis (guarantee term ``floor_basis``) against hand-worked
answers: on ``cost`` the floor is a share of the covered assets' cost; on ``all_in_cost`` that
cost grows by its share of the interest during construction the SPV funds (the interest
reserve net of the Treasury yield, or the interest capitalised by completion).

The deal is tests/engine/test_construction.py's: USD 100m of 6% 30/360 bonds, monthly, a USD 90m
facility built in six months (USD 15m a month), Treasury yield 4.8%; here the lease runs two
years from completion (month 6) and is not renewed, so the facility is sold in month 30 and
an RVG covering the facility tops the sale up to its floor.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.engine.plan import deal_level
from core.model.deal import Deal
from tests.engine.test_compile_parity import assert_compiled_equal
from tests.engine.test_construction import C, Y, building

COST = 90.0
SALE = 30  # the lease ends 24 months after completion (month 6): sold in period 30


def guaranteed(idc: str, basis: str, floor_pct: float = 1.0, cover: str = "plant") -> Deal:
    d = building(idc)
    d.blocks["lease"].terms.update(term_years=2.0)
    d.blocks["plant"].terms.update(market_value_pct=0.5, sale_haircut=0.1)
    d.add_block(
        "guarantee",
        {"guarantee_type": "rvg", "floor_pct": floor_pct, "floor_basis": basis,
         "cap": 1000.0, "term_from": "operations", "rvg_triggers": "lease_end"},
        block_id="rvg",
    )  # fmt: skip
    d.connect("guarantees", "tenant", "rvg")
    d.connect("guarantees", "rvg", cover)
    return d


def _reserve_idc() -> float:
    """Interest reserve: B0 - capex, B0 = sum over six months of (15 + 0.5) / (1 + y)^(t+1)
    (interest 100 x 0.06 / 12 = 0.5 a month)."""
    return 15.5 * (1 - (1 + Y) ** -C) / Y - COST


def _capitalised_idc() -> float:
    """The balance accreted over six months at 0.5% a month, less the notional."""
    return 100.0 * 1.005**C - 100.0


def _sale(deal: Deal) -> tuple[float, float]:
    """(proceeds in the sale period, the planned sale value before the RVG) of the base case."""
    cd = compile_deal(deal)
    proceeds = cd.inputs.proceeds[0]
    assert np.flatnonzero(proceeds).tolist() == [SALE]
    got = COST * 0.5 * (1 - SALE / 12 / 20) * 0.9  # straight-line value after 2.5 years, haircut
    return float(proceeds[SALE]), got


@pytest.mark.parametrize(
    ("idc", "financing"), [("reserve", _reserve_idc()), ("capitalised", _capitalised_idc())]
)
def test_financing_cost_is_the_interest_during_construction(idc, financing):
    # hand: 6 x 0.5 of interest less about 1.29 of yield; 100 x (1.005^6 - 1)
    assert financing == pytest.approx(1.7118 if idc == "reserve" else 3.0378, abs=1e-4)
    # the engine funds the reserve 1e-9 above its need (construction.FUNDING_CUSHION)
    assert deal_level(guaranteed(idc, "all_in_cost")).financing == pytest.approx(
        financing, abs=1e-6
    )


@pytest.mark.parametrize("idc", ["reserve", "capitalised"])
@pytest.mark.parametrize("floor_pct", [1.0, 0.8])
def test_all_in_floor_tops_the_sale_up_to_cost_plus_interest(idc, floor_pct):
    financing = _reserve_idc() if idc == "reserve" else _capitalised_idc()
    proceeds, got = _sale(guaranteed(idc, "all_in_cost", floor_pct))
    assert got < floor_pct * COST  # the RVG pays: the sale is below either floor
    # sale + RVG = the floor: floor_pct x (90 + the interest during construction)
    assert proceeds == pytest.approx(floor_pct * (COST + financing), rel=1e-8)
    cost_only, _ = _sale(guaranteed(idc, "cost", floor_pct))
    assert cost_only == pytest.approx(floor_pct * COST, rel=1e-12)


def test_a_lease_covered_rvg_takes_the_same_all_in_floor():
    """A lease covers every asset: the whole financing is added (covered = total cost)."""
    proceeds, _ = _sale(guaranteed("reserve", "all_in_cost", cover="lease"))
    assert proceeds == pytest.approx(COST + _reserve_idc(), rel=1e-8)


def test_all_in_equals_cost_without_a_construction_phase():
    d = guaranteed("reserve", "all_in_cost")
    d.blocks["spv"].terms.update(completion_month=0)
    e = guaranteed("reserve", "cost")
    e.blocks["spv"].terms.update(completion_month=0)
    a, b = compile_deal(d).inputs.proceeds, compile_deal(e).inputs.proceeds
    np.testing.assert_array_equal(a, b)


def test_compiled_floor_equals_the_reference_compile():
    deal = guaranteed("capitalised", "all_in_cost", 0.9)
    cd = compile_deal(deal)
    assert_compiled_equal(cd, compile_deal(deal, engine="reference"))
    o = run_waterfall(cd.inputs)
    assert o.writeoff.sum() == 0.0
