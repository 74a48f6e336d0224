"""Delayed draws linked to capex (issue #12, ``draw_basis`` capex) against hand-worked answers.

The hand-worked deal: a USD 400m facility built over three months (custom capex shares 25% /
50% / 25%: capex 100, 200, 100), a USD 240m construction loan (a 60% debt share), 12% 30/360
(1% a month), a 0.5% commitment fee, interest during construction capitalised; equity's 40%
of capex (USD 160m) sits in the Treasury reserve from closing, at no yield.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.engine.reference import run_reference
from core.engine.results import run_deal
from core.model.deal import Deal
from core.model.errors import DealError
from core.model.validate import check_deal
from tests.engine.deal_builders import simple_deal
from tests.engine.test_compile_parity import assert_compiled_equal

R = 0.01  # 12% / 12
FEE = 0.005 / 12  # the commitment fee a month
CAPEX = np.array([100.0, 200.0, 100.0])
DRAWS = 0.6 * CAPEX  # 60, 120, 60
ENGINES = ("cython", "reference")


def capex_loan(
    idc: str = "capitalised",
    delay: int = 0,
    availability: int = 12,
    guarantee: bool | None = None,
    **tranche,
) -> Deal:
    terms = dict(availability_months=availability, draw_basis="capex", commitment_fee=0.005,
                 day_count="30/360", **tranche)  # fmt: skip
    d = simple_deal(notional=240.0, coupon=0.12, tenor_years=5.0, amortisation="annuity",
                    annual_rent=120.0, horizon_years=5.0, lease={"term_years": 4.5},
                    tranche=terms)  # fmt: skip
    d.blocks["eq"].terms["amount"] = 165.0
    d.blocks["spv"].terms.update(
        completion_month=3, capex_profile="custom", capex_shares=[0.25, 0.5, 0.25],
        treasury_yield=0.0, idc_funding=idc, completion_delay_months=delay,
    )  # fmt: skip
    d.add_block("facility", {"cost": 400.0, "life_years": 20.0}, block_id="plant")
    d.connect("owns", "spv", "plant")
    # a completion guarantee pays the delay's costs (else the interest due from the planned
    # completion, with no rent, is a payment default that stops the draws)
    if guarantee or (guarantee is None and delay):
        d.add_block("sponsor", {"name": "Parent"}, block_id="parent")
        d.connect("subsidiary_of", "tenant", "parent")
        d.add_block("guarantee", {"guarantee_type": "completion", "cap": 100.0}, block_id="cg")
        d.connect("guarantees", "parent", "cg")
    check_deal(d)
    return d


def _run(deal: Deal, engine: str = "cython"):
    cd = compile_deal(deal)
    return cd, run_waterfall(cd.inputs, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_draws_balance_and_capitalised_interest_by_hand(engine):
    cd, o = _run(capex_loan(), engine)
    np.testing.assert_allclose(o.drawn[0, 0, :3], DRAWS, rtol=1e-15)  # 60% of 100/200/100
    assert o.drawn[0, 0, 3:].sum() == 0.0
    np.testing.assert_allclose(o.undrawn[0, 0, :3], [180.0, 60.0, 0.0], atol=1e-12)
    assert (o.undrawn >= 0.0).all()
    # commitment fee on the undrawn: 180 and 60 x 0.5% / 12
    np.testing.assert_allclose(o.commitment_fee[0, 0, :3], [0.075, 0.025, 0.0], atol=1e-15)
    # balance: each draw at the start of its period, then 1% interest + fee capitalised
    b0 = 60.0 * 1.01 + 0.075  # 60.675
    b1 = (b0 + 120.0) * 1.01 + 0.025  # 182.50675
    b2 = (b1 + 60.0) * 1.01  # 244.9318175
    np.testing.assert_allclose(o.balance[0, 0, :3], [60.675, 182.50675, 244.9318175], rtol=1e-14)
    assert [b0, b1, b2] == pytest.approx([60.675, 182.50675, 244.9318175], rel=1e-14)
    idc = o.pik[0, 0, :3].sum()
    assert idc == pytest.approx(0.675 + 1.83175 + 2.4250675, rel=1e-14)  # 4.9318175
    assert o.interest_paid[0, 0, :3].sum() == 0.0
    assert cd.level.financing == pytest.approx(4.9318175, rel=1e-12)  # an RVG's all-in basis
    # equity's 40% of capex was funded at closing and is paid out as spent: 40, 80, 40
    assert cd.inputs.treasury_initial == 160.0
    np.testing.assert_allclose(o.capex_paid[0, :3], 0.4 * CAPEX, rtol=1e-15)
    np.testing.assert_allclose(o.treasury_balance[0, :3], [120.0, 40.0, 0.0], atol=1e-12)
    assert o.injection[0, :3].sum() == 0.0  # the draws and the reserve paid all of it
    # each draw amortises from completion (period 3) as a level annuity to month 60: 57
    # payments; the first period's principal is the sum of the three annuities' principal
    first = 240.0 * (R / (1 - (1 + R) ** -57) - R)
    assert first == pytest.approx(3.144374, abs=1e-6)
    assert cd.inputs.scheduled_principal[0, :3].sum() == 0.0
    assert o.principal_paid[0, 0, 3] == pytest.approx(first, rel=1e-12)
    assert o.interest_paid[0, 0, 3] == pytest.approx(b2 * R, rel=1e-12)


@pytest.mark.parametrize("engine", ENGINES)
def test_interest_reserve_funds_interest_on_the_drawn_balance_and_the_fee(engine):
    cd, o = _run(capex_loan("reserve"), engine)
    # the reserve: equity's capex (160) + interest on 60, 180, 240 at 1% + fees 0.075, 0.025
    want = [0.6 + 0.075, 1.8 + 0.025, 2.4]
    assert cd.inputs.treasury_initial == pytest.approx(160.0 + sum(want), rel=1e-9)  # 164.9
    reserve = cd.uses["Interest reserve (net of Treasury yield)"]
    assert reserve == pytest.approx(4.9, abs=1e-6)  # + the funding cushion
    assert cd.level.financing == reserve
    assert cd.uses["Facility"] == pytest.approx(160.0)  # the share funded at closing
    np.testing.assert_allclose(o.interest_paid[0, 0, :3], want, rtol=1e-12)
    np.testing.assert_allclose(o.balance[0, 0, :3], [60.0, 180.0, 240.0], rtol=1e-15)
    assert o.pik.sum() == 0.0 and o.shortfall[0, :, :3].sum() == 0.0


@pytest.mark.parametrize("engine", ENGINES)
def test_capex_after_the_availability_period_is_paid_by_equity(engine):
    # availability ends after two months: the debt share of month 2's capex (60) is injected
    _, o = _run(capex_loan(availability=2), engine)
    np.testing.assert_allclose(o.drawn[0, 0, :3], [60.0, 120.0, 0.0])
    np.testing.assert_allclose(o.injection[0, :3], [0.0, 0.0, 60.0], atol=1e-12)
    np.testing.assert_allclose(o.undrawn[0, 0, :3], [180.0, 60.0, 0.0])  # 60 lapses
    assert o.capex_paid[0, 2] == pytest.approx(40.0)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_draw_cut_by_the_borrowing_base_leaves_the_gap_to_equity(engine):
    cd, o = _run(capex_loan(max_advance=0.3), engine)
    av = cd.inputs.asset_value[0]
    debt_open = 0.0
    for t in range(3):
        room = max(0.3 * av[t] - debt_open, 0.0)  # debt after the draw <= 30% of the value
        assert o.drawn[0, 0, t] == pytest.approx(min(DRAWS[t], room), abs=1e-12)
        assert o.injection[0, t] == pytest.approx(DRAWS[t] - o.drawn[0, 0, t], abs=1e-12)
        debt_open = o.balance[0, 0, t]
    assert o.drawn[0, 0, :3].sum() < 240.0 and o.injection[0, :3].sum() > 0.0


@pytest.mark.parametrize("engine", ENGINES)
def test_a_completion_delay_moves_the_capex_and_the_draws(engine):
    # two months late: the works start in month 2, capex and draws follow two months later
    _, o = _run(capex_loan(delay=2), engine)
    np.testing.assert_allclose(o.drawn[0, 0, :5], [0.0, 0.0, 60.0, 120.0, 60.0])
    np.testing.assert_allclose(o.capex_paid[0, :5], [0.0, 0.0, 40.0, 80.0, 40.0])
    # the reserve keeps the capex still to come past the planned completion (month 3)
    np.testing.assert_allclose(o.treasury_balance[0, 2:5], [120.0, 40.0, 0.0], atol=1e-12)
    # the undrawn commitment bears its fee two months longer: 240 x 0.5% / 12 = 0.1
    np.testing.assert_allclose(o.commitment_fee[0, 0, :2], [0.1, 0.1], rtol=1e-12)


@pytest.mark.parametrize("idc", ["reserve", "capitalised"])
@pytest.mark.parametrize("kw", [{}, {"delay": 2}, {"availability": 2}, {"max_advance": 0.3}])
def test_kernel_and_compile_equal_their_specifications(idc, kw):
    deal = capex_loan(idc, **kw)
    cd = compile_deal(deal)
    assert_compiled_equal(cd, compile_deal(deal, engine="reference"))
    o, r = run_waterfall(cd.inputs), run_reference(cd.inputs)
    for name in ("balance", "drawn", "undrawn", "commitment_fee", "pik", "interest_paid",
                 "principal_paid", "treasury_balance", "treasury_draw", "capex_paid",
                 "injection", "distribution", "flags"):  # fmt: skip
        np.testing.assert_allclose(getattr(o, name), getattr(r, name), rtol=1e-9, atol=1e-9,
                                   err_msg=name)  # fmt: skip


@pytest.mark.parametrize("idc", ["reserve", "capitalised"])
@pytest.mark.parametrize("delay", [0, 2])
def test_sources_and_uses_by_phase_show_the_draws(idc, delay):
    ph = run_deal(capex_loan(idc, delay=delay)).sources_uses_by_phase
    for name in ("construction", "operations"):
        s, u = ph[name]["sources"], ph[name]["uses"]
        assert sum(s.values()) == pytest.approx(sum(u.values()), rel=1e-12, abs=1e-9), name
    c, op = ph["construction"], ph["operations"]
    # on time: 400 of capex before completion, 240 of it drawn; two months late: month 2's
    # 100 (60 drawn) before the planned completion, the other 300 (180 drawn) after it
    before = 400.0 if delay == 0 else 100.0
    assert c["uses"]["Capex (GPU fleet and facility)"] == pytest.approx(before)
    assert c["sources"]["Capex-linked draws"] == pytest.approx(0.6 * before)
    late = op["uses"]["Capex after the planned completion (a late completion)"]
    assert late == pytest.approx(400.0 - before)
    assert op["sources"]["Capex-linked draws"] == pytest.approx(0.6 * (400.0 - before))


def test_draw_basis_errors_name_the_field():
    d = capex_loan()
    d.blocks["spv"].terms["completion_month"] = 0
    with pytest.raises(DealError, match="completion_month"):
        check_deal(d)
    d = capex_loan()
    d.blocks["senior"].terms.update(draw_months=[0], draw_amounts=[10.0])
    with pytest.raises(DealError, match="draw_basis capex"):
        check_deal(d)
    d = capex_loan()
    d.blocks["senior"].terms["notional"] = 450.0
    with pytest.raises(DealError, match="exceed the construction's capex of 400.0"):
        check_deal(d)
    d = capex_loan()
    d.blocks["senior"].terms["availability_months"] = 0
    with pytest.raises(DealError, match="availability_months"):
        check_deal(d)


def test_monte_carlo_delay_moves_each_paths_capex_and_draws():
    """A path whose completion the Monte Carlo draws late spends its capex and draws later, in
    the fused kernel as in the staged specification (the kernel's capex row, bit for bit)."""
    from dataclasses import replace

    from core.risk import causes
    from core.risk.montecarlo import MonteCarloConfig, run_chunk
    from core.risk.paths import MarketModel, make_drivers
    from tests.risk.test_mckernel import assert_compile_rows_equal

    deal = capex_loan("capitalised", guarantee=True)
    deal.blocks["spv"].terms.update(delay_probability=0.5, delay_mean_months=2.0)
    sized = compile_deal(deal)
    assert_compile_rows_equal(deal, sized, MarketModel(), 3, 0, 200)  # incl. the capex row
    cfg = MonteCarloConfig(n_paths=300, seed=5, chunk_size=300)
    fused, staged = (
        run_chunk(deal, sized, cfg, 0),
        run_chunk(deal, sized, replace(cfg, engine="staged"), 0),
    )
    for f in ("loss", "default", "min_dscr", "equity_irr", "rvg_paid", "backstop_paid"):
        np.testing.assert_allclose(getattr(fused, f), getattr(staged, f), rtol=1e-12, err_msg=f)
    np.testing.assert_array_equal(fused.cause, staged.cause)
    # path 8: the tenant defaults in period 1, while building (completion 3, 3 months late);
    # the first late period whose cost no guarantee paid is 3. The tenant's default is not
    # moved by the delay (the rent never started), so it comes first: tenant default. The
    # fused kernel once moved it to 1 + 3 = 4 and said construction delay (fixed in 4732807)
    drv5, _ = make_drivers(sized, MarketModel(), 5, 300)
    c5 = compile_deal(deal, drv5, sized=sized)
    ev = causes.lease_events(c5, drv5)[8]
    assert (c5.level.construction.completion, drv5.completion_delay[8]) == (3, 3)
    assert ev[causes.EVENTS.index("tenant_default")] == 1
    assert ev[causes.EVENTS.index("construction_delay")] == 3
    assert fused.cause[8, 0] == staged.cause[8, 0] == causes.CODES["tenant_default"]
    drv, _ = make_drivers(sized, MarketModel(), 3, 200)
    c = compile_deal(deal, drv, sized=sized)
    late = drv.completion_delay
    assert 0 < (late > 0).sum() < 200  # some paths late, some on time
    for p in np.flatnonzero(late > 0)[:5]:
        d = int(late[p])
        want = np.zeros(c.inputs.n_periods)
        want[d : d + 3] = CAPEX[: max(0, min(3, c.inputs.n_periods - d))]
        np.testing.assert_array_equal(c.inputs.capex[p], want)
    o = run_waterfall(c.inputs)
    clean = 0
    for p in range(200):  # each path draws 60% of its own capex (until a default stops it)
        assert (o.drawn[p, 0] <= 0.6 * c.inputs.capex[p] + 1e-9).all()
        if not o.flags[p].any():
            np.testing.assert_allclose(o.drawn[p, 0], 0.6 * c.inputs.capex[p], atol=1e-12)
            clean += int(late[p] > 0)
    assert clean > 10  # late paths the completion guarantee carried through, drawing late


def test_the_card_says_the_loan_is_drawn_with_capex():
    from core.model.blocks import REGISTRY

    d = capex_loan()
    lines = REGISTRY["tranche"].card(d.blocks["senior"], d)
    assert lines[1] == "drawn with capex over 12 months, annuity, rank 1"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_payment_default_in_a_late_construction_stops_the_draws_and_equity_pays(engine):
    # two months late with no completion guarantee: interest falls due from the planned
    # completion (month 3) with no rent; the payment default stops the later draws and
    # equity injects the debt share of that capex instead (docs/engine.md)
    cd, o = _run(capex_loan(delay=2, guarantee=False), engine)
    assert o.drawn[0, 0, 2] == pytest.approx(60.0)  # month 2: drawn as planned
    dflt = int(np.flatnonzero(o.flags[0])[0])
    assert dflt == 3  # month 3: the interest is not paid (no rent yet)
    after = o.drawn[0, 0, dflt + 1 : 5]
    assert after.sum() == 0.0  # the default stops the draws of months 4 and later
    for t in range(dflt + 1, 5):  # the debt share of those months' capex is equity's
        assert o.injection[0, t] >= 0.6 * cd.inputs.capex[0, t] - 1e-9
