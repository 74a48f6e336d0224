"""Going-concern (income) value of a leased asset (core.engine.going_concern): a forced sale
while the lease performs sells the assets with their lease; the collateral value is at least
that income value. Known answers worked by hand from the deal's terms with the annuity's
closed form (not read back from the engine); the term off leaves every deal unchanged bit for
bit; the compiled per-path compile equals its NumPy specification with the term on; the
deterministic run equals the Monte Carlo with every driver off.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from core.engine.arrays import FLAG_LIQUIDATED
from core.engine.compile import compile_deal
from core.engine.going_concern import GOING_CONCERN, PHYSICAL
from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.model.deal import Deal
from core.risk.montecarlo import MonteCarloConfig, run_chunk, run_montecarlo
from core.risk.paths import MarketModel
from core.risk.stress import apply_stress
from tests.engine.deal_builders import simple_deal
from tests.engine.test_compile_parity import (
    STRESSES,
    assert_compiled_equal,
    assert_random_paths_equal,
)
from tests.risk.test_mckernel import (
    DEAL_NAMES,
    DEALS,
    MODELS,
    _stats_equal,
    assert_compile_rows_equal,
    kitchen_sink,
)
from tests.test_waterfall_invariants import check_invariants

Y = 0.08  # the buyer's yield
RENT, OPEX = 100.0, 20.0  # a year, level
COST, LIFE, MV_PCT = 300.0, 30.0, 0.4  # the facility: value 120 x (1 - years / 30)
SALE_HC, LIQ_HC, GC_HC = 0.1, 0.5, 0.05


def mv(t: int) -> float:
    """The facility's market value at the end of period t (annual periods)."""
    return COST * (1.0 - (t + 1) / LIFE) * MV_PCT


def annuity(n: int) -> float:
    """PV at Y of 1 a year for n years, paid at each year's end (closed form)."""
    return (1.0 - (1.0 + Y) ** -n) / Y


def leased_facility(lease_years: float = 4.0, horizon: float = 5.0, y: float = Y, **lease) -> Deal:
    """A facility let for ``lease_years`` at 100 a year, 20 a year of costs, annual periods;
    a 5-year 10% bullet of 500; a 2.0x default DSCR that accelerates in year 1 (CFADS 80
    against interest of 50); the assets sold with the lease at yield ``y``."""
    d = simple_deal(
        notional=500.0,
        coupon=0.10,
        tenor_years=5.0,
        amortisation="bullet",
        annual_rent=RENT,
        horizon_years=horizon,
        period="annual",
        lease={"term_years": lease_years, "walk_away_sensitivity": 0.0, **lease},
    )
    spv = d.blocks["spv"].terms
    spv.update(tax_rate=0.0, going_concern_yield=y, going_concern_haircut=GC_HC)
    d.add_block(
        "facility",
        {"cost": COST, "life_years": LIFE, "market_value_pct": MV_PCT,
         "sale_haircut": SALE_HC, "liquidation_haircut": LIQ_HC},
        block_id="dc",
    )  # fmt: skip
    d.connect("owns", "spv", "dc")
    d.add_block(
        "opex",
        {"power_mw": 0.0, "maintenance": OPEX, "escalator": 0.0, "admin_fees": 0.0},
        block_id="opex",
    )
    d.connect("applies_to", "opex", "spv")
    d.add_block(
        "covenant", {"lockup_dscr": 2.0, "default_dscr": 2.0, "ltv_max": 0.0}, block_id="cov"
    )
    d.connect("applies_to", "cov", "spv")
    return d


def gc_by_hand(t: int, end: int) -> float:
    """GC(t) of the lease ending at ``end`` (inside the horizon): its net rent from t + 1 to
    end - 1 and the facility's orderly-sale value at the end, discounted at Y."""
    n = end - 1 - t
    return (RENT - OPEX) * annuity(n) + mv(end) * (1.0 - SALE_HC) * (1.0 + Y) ** -(end - t)


def test_a_forced_sale_while_the_lease_performs_sells_it_with_the_lease():
    """Accelerated in year 1 (DSCR 80 / 50 = 1.6x < 2.0x), sold at the end of year 2 (the
    1-period lag): a buyer pays 80/1.08 + 80/1.08^2 + 90/1.08^3 = 214.11 (rent less costs in
    years 3 and 4, the facility sold at 120 x (1 - 5/30) x 0.9 = 90 at the lease's end), less
    the 5% sale cost = 203.40, against a bare forced sale of 120 x (1 - 2/30) x 0.5 = 56. The
    lenders: 30 prepaid in year 1 (80 - 50 interest), 80 - 47 + 203.40 in year 2; the rest
    of the 500 is lost: 233.60 (381.00 on the physical value)."""
    gc1 = gc_by_hand(1, 4)
    assert gc1 == pytest.approx(214.10608, abs=1e-5)
    sale = gc1 * (1.0 - GC_HC)
    res = run_deal(leased_facility())
    c, o = res.compiled, res.outputs
    assert c.inputs.liquidation_value[0, 1] == pytest.approx(sale, rel=1e-12)
    assert c.going_concern[0, 1] == pytest.approx(gc1, rel=1e-12)
    assert o.flags[0, 1] & FLAG_LIQUIDATED
    assert o.proceeds[0, 1] == pytest.approx(sale, rel=1e-12)
    assert o.writeoff[0].sum() == pytest.approx(500.0 - 30.0 - (80.0 - 47.0) - sale, rel=1e-12)
    assert o.writeoff[0].sum() == pytest.approx(233.59922, abs=1e-5)
    off = run_deal(leased_facility(y=0.0))
    forced = mv(1) * (1.0 - LIQ_HC)
    assert off.compiled.inputs.liquidation_value[0, 1] == pytest.approx(forced, rel=1e-12)
    assert off.outputs.writeoff[0].sum() == pytest.approx(437.0 - forced, rel=1e-12)
    for r in (res, off):
        check_invariants(r.compiled.inputs, r.outputs)
    when, how, value = res.liquidation
    assert (when, how) == (res.periods.index[1].date().isoformat(), GOING_CONCERN)
    assert value == pytest.approx(sale, rel=1e-12)
    assert off.liquidation[1] == PHYSICAL and off.compiled.gc_basis is None
    # the collateral value: the lease's until year 4, when the bare halls are worth more
    assert list(res.collateral_basis) == [GOING_CONCERN] * 3 + [PHYSICAL] * 2
    assert list(res.liquidation_basis) == [GOING_CONCERN] * 4 + [PHYSICAL]


def test_the_collateral_value_is_the_income_value_while_it_exceeds_the_physical_one():
    """At closing the buyer would pay 80 x a(3) + 90 / 1.08^4 = 272.32 for 112 of halls:
    LTV at close 500 / 272.32. In year 4 only the sale is left (90 / 1.08 = 83.33 < 104 of
    halls): the physical value. After the lease's end, physical only."""
    res = run_deal(leased_facility())
    c = res.compiled
    gc0 = gc_by_hand(0, 4)
    assert gc0 == pytest.approx(272.32045, abs=1e-5)
    assert c.inputs.asset_value[0, 0] == pytest.approx(gc0, rel=1e-12)
    assert res.metrics["ltv_at_close"] == pytest.approx(500.0 / gc0, rel=1e-12)
    assert c.going_concern[0, 3] == pytest.approx(mv(4) * 0.9 / 1.08, rel=1e-12)
    assert c.inputs.asset_value[0, 3] == pytest.approx(mv(3), rel=1e-12)
    assert c.going_concern[0, 4] == 0.0 and c.inputs.asset_value[0, 4] == mv(4)
    assert c.asset_value[0, 0] == pytest.approx(mv(0))  # the physical value, kept beside it


def test_unexercised_renewals_are_not_counted():
    """A 2-year term renewed once for 2 years: before the renewal the buyer counts the
    initial term only (year 2's rent and a sale at its end), in the renewal its own term."""
    d = leased_facility(
        lease_years=2.0, renewal_options=1, renewal_term_years=2.0, renewals_exercised=1,
        renewal_rent_pct=1.0, renewal_pricing="contract",
    )  # fmt: skip
    d.blocks["cov"].terms.update(lockup_dscr=0.0, default_dscr=0.0)
    c = compile_deal(d)
    assert c.going_concern[0, 0] == pytest.approx(gc_by_hand(0, 2), rel=1e-12)
    assert c.going_concern[0, 2] == pytest.approx(gc_by_hand(2, 4), rel=1e-12)
    assert c.going_concern[0, 1] == pytest.approx(mv(2) * 0.9 / 1.08, rel=1e-12)


def test_a_tenant_default_leaves_the_physical_value():
    """The tenant defaults in year 2: from then on a forced sale raises the bare facility's
    value; before it, the lease's."""
    c = compile_deal(leased_facility(tenant_default_month=13))
    liq = c.inputs.liquidation_value[0]
    assert liq[0] == pytest.approx(gc_by_hand(0, 4) * (1.0 - GC_HC), rel=1e-12)
    assert np.all(c.going_concern[0, 1:] == 0.0)
    for t in range(1, int(c.sale_period[0])):
        assert liq[t] == pytest.approx(mv(t) * (1.0 - LIQ_HC), rel=1e-12)
    assert c.inputs.asset_value[0, 1] == pytest.approx(mv(1), rel=1e-12)


def test_a_lease_past_the_horizon_is_sold_in_the_last_period():
    """A 10-year lease in a 5-year model: rent less costs to year 5, the sale at year 5's
    end (as the engine's own planned sale)."""
    c = compile_deal(leased_facility(lease_years=10.0))
    for t in range(5):
        n = 4 - t
        want = (RENT - OPEX) * annuity(n) + mv(4) * (1.0 - SALE_HC) * (1.0 + Y) ** -n
        assert c.going_concern[0, t] == pytest.approx(want, rel=1e-12)


def _with_gc(deal: Deal, y: float = 0.075, haircut: float = 0.1) -> Deal:
    deal = deal.copy()
    spv = deal.of_kind("spv")[0]
    deal.set_term(spv.id, "going_concern_yield", y)
    deal.set_term(spv.id, "going_concern_haircut", haircut)
    return deal


def _sample(name: str) -> Deal:
    return kitchen_sink() if name == "kitchen_sink" else load_deal(DEALS / f"{name}.json")


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_the_term_off_changes_nothing(name):
    """Yield 0 with any sale cost: every kernel input as the deal without the term."""
    deal = _with_gc(_sample(name), 0.0, 0.05)  # off (TeraWulf's sample has it on)
    a, b = compile_deal(deal), compile_deal(_with_gc(deal, 0.0, 0.3))
    assert_compiled_equal(a, b)
    assert a.going_concern is None and b.going_concern is None


@pytest.mark.parametrize("name", DEAL_NAMES)  # the Hyperion sample has its construction
def test_production_compile_equals_the_reference_with_the_term_on(name):
    """Base case, stressed copies and random drivers (terminations, defaults, renewals,
    utilisation, GPU value, residual haircuts): the compiled rows and the going-concern value
    equal the NumPy specification bit for bit."""
    deal = _with_gc(_sample(name))
    base = compile_deal(deal)
    ref = compile_deal(deal, engine="reference")
    assert_compiled_equal(base, ref)
    assert np.array_equal(base.going_concern, ref.going_concern)
    assert np.array_equal(base.gc_basis, ref.gc_basis)
    assert (base.going_concern > 0).any()
    assert (
        base.inputs.liquidation_value != compile_deal(_sample(name)).inputs.liquidation_value
    ).any()
    for stress in STRESSES:
        stressed = apply_stress(deal, stress)
        assert_compiled_equal(
            compile_deal(stressed, sized=base),
            compile_deal(stressed, sized=base, engine="reference"),
        )
    for seed in range(2):
        assert_random_paths_equal(deal, seed)


@pytest.mark.parametrize("model", ["default", "stressed"])
@pytest.mark.parametrize("name", ["terawulf_backstop", "kitchen_sink", "hyperion_jv"])
def test_monte_carlo_rows_and_statistics_with_the_term_on(name, model):
    """The fused kernel's per-path rows equal the staged drivers' reference compile bit for
    bit, and its statistics the staged pipeline's (late completions drawn on the construction
    Hyperion; its first causes too, since the fused kernel no longer moves a lease event
    before completion by the path's delay)."""
    deal = _with_gc(_sample(name))
    sized = compile_deal(deal)
    assert_compile_rows_equal(deal, sized, MODELS[model], 4, 1000, 300)
    cfg = MonteCarloConfig(n_paths=600, seed=11, chunk_size=300, model=MODELS[model])
    fused = run_chunk(deal, sized, cfg, 1)
    staged = run_chunk(deal, sized, replace(cfg, engine="staged"), 1)
    _stats_equal(fused, staged)


@pytest.mark.parametrize("name", ["terawulf_backstop", "kitchen_sink"])
def test_the_deterministic_monte_carlo_is_the_run(name):
    """Every driver off: each path's loss and equity IRR are the deterministic run's."""
    deal = _with_gc(_sample(name))
    base = run_deal(deal)
    cfg = MonteCarloConfig(n_paths=5, seed=1, chunk_size=5, model=MarketModel.deterministic())
    s = run_montecarlo(deal, cfg).stats
    assert np.all(s.loss == base.tranche_metrics["loss"].to_numpy()[None, :])
    assert np.allclose(s.equity_irr, base.metrics["equity_irr"], rtol=0, atol=1e-10)
    check_invariants(base.compiled.inputs, base.outputs)


def test_the_refinancing_advance_test_reads_the_going_concern_value():
    """A 3-year bullet of 500 refinanced at maturity (year 3) on a 50% advance: the lender
    advances half of the collateral's value, the lease's 80/1.08 + 90/1.08^2 = 151.23 with the
    term on, the bare halls' 120 x (1 - 3/30) = 108 without."""
    refi = {"tenor_years": 3.0, "refinance": True, "refi_sizing": "advance",
            "refi_advance": 0.5, "refi_tenor_years": 2.0}  # fmt: skip
    on, off = leased_facility(), leased_facility(y=0.0)
    for d in (on, off):
        d.blocks["senior"].terms.update(refi)
        d.blocks["cov"].terms.update(lockup_dscr=0.0, default_dscr=0.0)
    gc2 = gc_by_hand(2, 4)
    assert gc2 == pytest.approx(151.23457, abs=1e-5)
    assert run_deal(on).outputs.refinanced[0, 2] == pytest.approx(0.5 * gc2, rel=1e-12)
    assert run_deal(off).outputs.refinanced[0, 2] == pytest.approx(0.5 * mv(2), rel=1e-12)
