"""The construction phase against hand-worked answers (docs/engine.md, "Construction").

A small deal: USD 100m of 6% 30/360 annuity bonds to year 5, monthly, a USD 90m facility built
over six months (straight line: USD 15m a month) from closing, rent of USD 36m a year from
completion; the bonds are interest-only until completion.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.arrays import FLAG_PAYMENT_DEFAULT
from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.engine.reference import run_reference
from core.model.deal import Deal
from tests.engine.deal_builders import simple_deal
from tests.engine.test_compile_parity import assert_compiled_equal

C = 6  # completion: month 6 -> period 6 (monthly)
R = 0.06 / 12  # the bonds' periodic rate
Y = 0.048 / 12  # the Treasury's periodic yield


def building(idc: str = "reserve", yield_: float = 0.048, delay: int = 0, cap: float = 0.0,
             guarantor_default: int = 0, lease_start: int = 0) -> Deal:  # fmt: skip
    terms = dict(notional=100.0, coupon=0.06, tenor_years=5.0, amortisation="annuity")
    d = simple_deal(**terms, annual_rent=36.0, horizon_years=5.0,
                    lease={"term_years": 4.5, "start_month": lease_start})  # fmt: skip
    d.blocks["spv"].terms.update(
        completion_month=C,
        capex_profile="straight_line",
        treasury_yield=yield_,
        idc_funding=idc,
        completion_delay_months=delay,
    )
    d.add_block("facility", {"cost": 90.0, "life_years": 20.0}, block_id="plant")
    d.connect("owns", "spv", "plant")
    if cap:
        d.add_block("sponsor", {"name": "Parent", "default_month": guarantor_default},
                    block_id="parent")  # fmt: skip
        d.connect("subsidiary_of", "tenant", "parent")
        d.add_block("guarantee", {"guarantee_type": "completion", "cap": cap}, block_id="cg")
        d.connect("guarantees", "parent", "cg")
    return d


def _run(deal: Deal):
    cd = compile_deal(deal)
    return cd, run_waterfall(cd.inputs)


def test_capitalised_interest_compounds_on_the_balance():
    cd, o = _run(building("capitalised"))
    bal = 100.0
    for t in range(C):  # hand: the balance accretes at the coupon until completion
        assert o.pik[0, 0, t] == pytest.approx(bal * R, rel=1e-12)
        bal *= 1 + R
        assert o.balance[0, 0, t] == pytest.approx(bal, rel=1e-12)
    assert bal == pytest.approx(100.0 * 1.005**6, rel=1e-12)  # 103.0378...
    assert o.pik[0, 0, C:].sum() == 0.0
    assert o.interest_paid[0, 0, :C].sum() == 0.0
    # no interest reserve is a use; the Treasury holds the capex at cost and pays it
    assert "Interest reserve (net of Treasury yield)" not in cd.uses
    assert cd.inputs.treasury_initial == 90.0
    assert o.capex_paid[0, :C] == pytest.approx([15.0] * C)
    # what the yield left is released at completion (after that period's yield): closed form
    # of b(t+1) = b(t) (1 + y) - 15 from b(0) = 90, i.e. 90 g^6 - 15 (g^6 - 1) / y, g = 1 + y
    g = 1 + Y
    left = 90.0 * g**6 - 15.0 * (g**6 - 1) / Y
    assert left == pytest.approx(1.27690112, rel=1e-8)
    assert o.treasury_draw[0, C] == pytest.approx(left * g, rel=1e-9)


def test_treasury_reserve_pays_capex_and_interest_and_is_spent_at_completion():
    cd, o = _run(building("reserve"))
    # hand: B0 = sum over the six months of (capex 15 + interest 0.5) / (1 + y)^(t + 1)
    b0 = 15.5 * (1 - (1 + Y) ** -C) / Y
    assert cd.inputs.treasury_initial == pytest.approx(b0, rel=1e-8)
    assert cd.uses["Interest reserve (net of Treasury yield)"] == pytest.approx(b0 - 90.0, abs=1e-6)
    income = o.treasury_income[0, :C].sum()
    capex = o.capex_paid[0, :C].sum()
    interest = o.interest_paid[0, 0, :C].sum()
    assert capex == pytest.approx(90.0) and interest == pytest.approx(6 * 0.5)
    # the balance at completion = proceeds + yield - capex - interest (here ~0: sized to it)
    tsy0 = cd.inputs.treasury_initial
    assert o.treasury_balance[0, C - 1] == pytest.approx(tsy0 + income - capex - interest, abs=1e-9)
    assert o.treasury_balance[0, C - 1] == pytest.approx(0.0, abs=1e-6)
    assert income == pytest.approx(90.0 + 3.0 - b0, rel=1e-6)  # the yield saved that much
    # no DSCR while building, no covenant or payment default
    assert np.isnan(o.dscr[0, :C]).all()
    assert not o.flags[0, :C].any()
    assert (o.shortfall[0, 0, :] == 0).all()


def test_cash_in_equals_cash_out_each_period_with_the_treasury():
    for idc in ("reserve", "capitalised"):
        cd, o = _run(building(idc, delay=3, cap=4.0))
        P, T = o.cfads.shape
        dsra_open = np.concatenate([[cd.inputs.dsra_initial], o.dsra_balance[0, :-1]])
        trap_open = np.concatenate([[0.0], o.trap_balance[0, :-1]])
        cash_in = o.cfads[0] + o.proceeds[0] + o.injection[0] + dsra_open + trap_open
        cash_in = cash_in + o.treasury_draw[0]
        cash_out = (o.interest_paid[0].sum(0) + o.principal_paid[0].sum(0) + o.dsra_balance[0]
                    + o.trap_balance[0] + o.distribution[0])  # fmt: skip
        np.testing.assert_allclose(cash_in, cash_out, rtol=1e-12, atol=1e-9)
        tsy_open = np.concatenate([[cd.inputs.treasury_initial], o.treasury_balance[0, :-1]])
        np.testing.assert_allclose(
            tsy_open + o.treasury_income[0],
            o.capex_paid[0] + o.treasury_draw[0] + o.treasury_balance[0],
            rtol=1e-12,
            atol=1e-9,
        )
        assert (o.treasury_balance >= -1e-9).all()


@pytest.mark.parametrize("cap, paid", [(5.0, 5.0), (100.0, 10.5)])
def test_completion_guarantee_pays_min_of_cap_and_delay_cost(cap, paid):
    # three months late: each lost month costs rent 3.0 + interest 100 x 0.5% = 3.5 -> 10.5
    deal = building("reserve", delay=3, cap=cap)
    cd = compile_deal(deal)
    assert cd.guarantee_paid["cg"][0] == pytest.approx(paid, rel=1e-12)
    # the sponsor's look-through names it a completion guarantee payment, not a backstop
    from core.engine.results import run_deal
    from core.risk.lookthrough import sponsor_stress

    rows = {r.sponsor: r for r in sponsor_stress(cd, run_deal(deal).look_through, "late")}
    parent = rows.pop("Parent")
    assert all(r.returned_on_balance_sheet == 0.0 for r in rows.values())  # no other payer
    assert parent.completion_paid == pytest.approx(paid, rel=1e-12)
    assert (parent.backstop_paid, parent.rvg_paid, parent.guarantee_caps) == (0.0, 0.0, cap)
    assert parent.returned_on_balance_sheet == pytest.approx(paid, rel=1e-12)
    assert parent.to_dict()["completion_paid"] == pytest.approx(paid, rel=1e-12)
    rev = cd.inputs.revenue[0]
    assert rev[:C].sum() == 0.0
    assert rev[C : C + 3].sum() == pytest.approx(paid, rel=1e-12)
    assert rev[C + 3] == pytest.approx(3.0)  # rent starts three months late
    assert rev[-1] == pytest.approx(3.0)  # and ends three months late: past the horizon
    assert_compiled_equal(cd, compile_deal(deal, engine="reference"))


def test_a_defaulted_guarantor_pays_nothing():
    # the guarantor is the tenant's parent and defaults in month 2, before the delay
    cd = compile_deal(building("reserve", delay=3, cap=100.0, guarantor_default=2))
    assert cd.guarantee_paid["cg"][0] == 0.0
    assert cd.inputs.revenue[0, C : C + 3].sum() == 0.0


def test_delay_without_guarantee_defaults_the_bonds():
    # interest falls due from the planned completion with no rent: a payment default at C
    late = _run(building("reserve", delay=3))[1]
    assert late.flags[0, C] & FLAG_PAYMENT_DEFAULT
    # the level payment, 100 x 0.5% / (1 - 1.005^-54) (54 months to maturity), is short by
    # what the Treasury releases at C: the works start 3 months late (capex 15 a month in
    # months 3-8), so the reserve, funded for the plan, earns longer and holds at C the capex
    # of months 7 and 8 (hand recursion; the funding cushion is a millionth of a dollar)
    b = 15.5 * (1 - (1 + Y) ** -C) / Y
    for t in range(C):
        b = b * (1 + Y) - (15.0 if t >= 3 else 0.0) - 0.5
    released = b * (1 + Y) - 15.0 - 30.0
    assert released == pytest.approx(0.9075, abs=1e-3)
    assert late.treasury_draw[0, C] == pytest.approx(released, abs=1e-6)
    pmt = 100 * R / (1 - (1 + R) ** -54)
    assert late.shortfall[0, 0, C] == pytest.approx(pmt - released, abs=1e-6)
    # the late capex of months 6 and 7 is paid; the default accelerates the bonds and the
    # collateral is sold (liquidation lag) before month 8's
    assert late.capex_paid[0, C : C + 2] == pytest.approx([15.0] * 2)
    on_time = _run(building("reserve"))[1]
    assert not (on_time.flags[0] & FLAG_PAYMENT_DEFAULT).any()
    covered = _run(building("reserve", delay=3, cap=100.0))[1]
    assert not (covered.flags[0] & FLAG_PAYMENT_DEFAULT).any()


@pytest.mark.parametrize("idc", ["reserve", "capitalised"])
@pytest.mark.parametrize("delay", [0, 4])
def test_kernel_and_compile_equal_their_specifications(idc, delay):
    deal = building(idc, delay=delay, cap=3.0)
    cd = compile_deal(deal)
    assert_compiled_equal(cd, compile_deal(deal, engine="reference"))
    o, r = run_waterfall(cd.inputs), run_reference(cd.inputs)
    for name in ("balance", "interest_paid", "pik", "treasury_balance", "treasury_draw",
                 "distribution", "dscr", "flags", "cfads"):  # fmt: skip
        np.testing.assert_allclose(getattr(o, name), getattr(r, name), rtol=1e-9, atol=1e-9,
                                   err_msg=name)  # fmt: skip


def test_construction_terms_are_inert_without_a_completion_month():
    plain = simple_deal(notional=100.0, coupon=0.06, tenor_years=5.0, horizon_years=5.0)
    other = simple_deal(notional=100.0, coupon=0.06, tenor_years=5.0, horizon_years=5.0)
    other.blocks["spv"].terms.update(
        construction_start_month=3,
        capex_profile="custom",
        capex_shares=[0.5, 0.5],
        treasury_yield=0.1,
        idc_funding="capitalised",
        completion_delay_months=9,
        delay_probability=0.5,
    )
    a, b = _run(plain)[1], _run(other)[1]
    for name in ("balance", "interest_paid", "distribution", "cfads", "flags"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_breakeven_is_the_longest_delay_in_whole_months():
    from core.risk.breakeven import solve_breakeven, tranche_losses
    from core.risk.stress import Stress

    deal = building("reserve", cap=2.0)
    be = solve_breakeven(deal, "completion_delay_months", 0)
    assert be.unit == "months" and be.status == "edge"
    v = int(be.value)
    assert tranche_losses(deal, Stress(completion_delay_months=v))[0] <= 1e-6
    assert tranche_losses(deal, Stress(completion_delay_months=v + 1))[0] > 1e-6
    assert be.fails_at == v + 1 and be.label == f"{v} months"


def test_monte_carlo_delay_fused_equals_staged_and_is_the_first_cause():
    from dataclasses import replace

    from core.risk import causes
    from core.risk.montecarlo import MonteCarloConfig, run_chunk
    from core.risk.paths import MarketModel
    from tests.risk.test_mckernel import _stats_equal, assert_compile_rows_equal

    deal = building("reserve")
    deal.blocks["spv"].terms.update(delay_probability=0.5, delay_mean_months=4.0)
    sized = compile_deal(deal)
    assert_compile_rows_equal(deal, sized, MarketModel(), 3, 0, 300)
    cfg = MonteCarloConfig(n_paths=400, seed=5, chunk_size=400)
    fused = run_chunk(deal, sized, cfg, 0)
    _stats_equal(fused, run_chunk(deal, sized, replace(cfg, engine="staged"), 0))
    code = causes.CODES["construction_delay"]
    share = (fused.cause[:, 0] == code).mean()
    assert 0.2 < share < 0.6  # about half the paths are late, each late one defaults first
    # without the driver (probability 0) no path is late: no such cause
    deal.blocks["spv"].terms["delay_probability"] = 0.0
    sized = compile_deal(deal)
    none = run_chunk(deal, sized, cfg, 0)
    assert not (none.cause == code).any()


@pytest.mark.parametrize("idc", ["reserve", "capitalised"])
def test_sources_and_uses_balance_in_each_phase(idc):
    from core.engine.results import run_deal

    r = run_deal(building(idc, delay=2, cap=3.0))
    ph = r.sources_uses_by_phase
    for name in ("construction", "operations"):
        s, u = ph[name]["sources"], ph[name]["uses"]
        assert sum(s.values()) == pytest.approx(sum(u.values()), rel=1e-12, abs=1e-9), name
    c = ph["construction"]
    # two months late, the works spend 15 a month in months 2-7: 60 before the planned
    # completion (month 6), 30 after it, held in the Treasury reserve until spent
    assert c["uses"]["Capex (GPU fleet and facility)"] == pytest.approx(60.0)
    late = ph["operations"]["uses"]["Capex after the planned completion (a late completion)"]
    assert late == pytest.approx(30.0)
    assert c["uses"]["Interest during construction"] == pytest.approx(
        100 * 1.005**6 - 100 if idc == "capitalised" else 3.0
    )
    assert run_deal(simple_deal()).sources_uses_by_phase is None
