"""Delayed-draw term loans (core/engine/draws.py, steps/draws.pxi) worked by hand.

The deal: a USD 100m commitment at 12% (30/360, 1% a month), available 12 months, drawn 40 at
closing and 50 in month 6 (10 lapses), each draw a level annuity over its own 24 months; a
50 bp commitment fee; GPUs costing USD 112.5m (no market-value decline) delivered with the
draws, so each draw of D buys GPUs of 1.25 D and equity pays 0.25 D.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.engine.results import run_deal
from core.model.errors import DealError
from core.model.validate import check_deal, validate_deal
from tests.engine.deal_builders import simple_deal

R = 0.01  # 12% / 12


def ddtl_deal(period: str = "monthly", **tranche) -> object:
    terms = {
        "availability_months": 12,
        "draw_months": [0, 6],
        "draw_amounts": [40.0, 50.0],
        "draw_term_years": 2.0,
        "commitment_fee": 0.005,
        **tranche,
    }
    d = simple_deal(
        notional=100.0, coupon=0.12, tenor_years=3.0, horizon_years=3.0, annual_rent=60.0,
        tranche=terms, period=period,
    )  # fmt: skip
    d.add_block(
        "gpu_fleet",
        {"count": 1125, "unit_cost": 100.0, "mv_decline": 0.0, "next_gen_step": 0.0,
         "commercial_life_years": 5.0},
        block_id="fleet",
    )  # fmt: skip
    d.connect("owns", "spv", "fleet")
    check_deal(d)
    return d


def annuity(n: float, n_periods: int) -> float:
    return n * R / (1 - (1 + R) ** -n_periods)


def hand_balances(draws: dict[int, float], T: int = 36) -> tuple[np.ndarray, np.ndarray]:
    """Opening balance (after the period's draw) and scheduled principal of a sum of level
    annuities, one per draw (period -> amount), each over 24 periods from its draw."""
    opening, principal = np.zeros(T), np.zeros(T)
    for s, amount in draws.items():
        pmt, bal = annuity(amount, 24), amount
        for t in range(s, s + 24):
            opening[t] += bal
            p = pmt - bal * R
            principal[t] += p
            bal -= p
    return opening, principal


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_two_draws_each_a_level_annuity_to_its_own_maturity(engine):
    c = compile_deal(ddtl_deal())
    assert c.inputs.notional[0] == 40.0  # the closing draw is the opening balance
    out = run_waterfall(c.inputs, engine=engine)
    opening, principal = hand_balances({0: 40.0, 6: 50.0})
    np.testing.assert_allclose(out.drawn[0, 0], np.where(np.arange(36) == 6, 50.0, 0.0))
    np.testing.assert_allclose(out.principal_paid[0, 0], principal, atol=1e-9)
    closing = opening - principal
    np.testing.assert_allclose(out.balance[0, 0], closing, atol=1e-9)
    # the first draw's payment: 40 x 1% / (1 - 1.01^-24) = 1.882941; both from period 6
    assert annuity(40.0, 24) == pytest.approx(1.8829388, abs=1e-6)
    fee = out.commitment_fee[0, 0]
    ds = out.interest_due[0, 0] + out.principal_paid[0, 0]
    np.testing.assert_allclose(ds[:6], annuity(40.0, 24) + fee[:6], rtol=1e-12)
    np.testing.assert_allclose(ds[6:24], annuity(40.0, 24) + annuity(50.0, 24) + fee[6:24])
    np.testing.assert_allclose(ds[24:30], annuity(50.0, 24), rtol=1e-12)
    assert out.balance[0, 0, 29] == pytest.approx(0.0, abs=1e-9)  # the second draw's maturity
    assert out.balance[0, 0, 23] == pytest.approx(closing[23], abs=1e-9)


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_commitment_fee_is_rate_times_undrawn_times_year_fraction(engine):
    out = run_waterfall(compile_deal(ddtl_deal()).inputs, engine=engine)
    fee = out.commitment_fee[0, 0]
    # undrawn 60 for months 1-6, 10 for months 7-12, then it lapses
    np.testing.assert_allclose(fee[:6], 0.005 * 60.0 / 12, rtol=1e-12)  # 0.025
    np.testing.assert_allclose(fee[6:12], 0.005 * 10.0 / 12, rtol=1e-12)
    np.testing.assert_array_equal(fee[12:], 0.0)
    np.testing.assert_allclose(out.undrawn[0, 0, :6], 60.0)
    np.testing.assert_allclose(out.undrawn[0, 0, 6:12], 10.0, atol=1e-12)
    np.testing.assert_array_equal(out.undrawn[0, 0, 12:], 0.0)
    # the fee is paid with the interest: interest due = 1% x balance + fee
    opening, _ = hand_balances({0: 40.0, 6: 50.0})
    np.testing.assert_allclose(out.interest_due[0, 0], opening * R + fee, atol=1e-12)


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_the_equity_pays_its_share_of_each_delivery(engine):
    c = compile_deal(ddtl_deal())
    # closing: GPUs of 1.25 x 40 = 50 (a use), funded by the 40 drawn and equity of 10
    assert c.uses["GPU fleet"] == pytest.approx(50.0)
    assert c.sources["Senior notes (drawn at close)"] == 40.0
    np.testing.assert_allclose(c.inputs.draw_capex, np.where(np.arange(36) == 6, 62.5, 0.0))
    out = run_waterfall(c.inputs, engine=engine)
    assert out.injection[0, 6] == pytest.approx(12.5)  # 62.5 of GPUs less the draw of 50
    # the fleet's market value and the rent ramp with the deliveries: 4/9 of it, then all
    mv = c.inputs.asset_value[0]
    np.testing.assert_allclose(mv[:6], 112.5 * 40 / 90)
    np.testing.assert_allclose(mv[6:35], 112.5)
    np.testing.assert_allclose(c.inputs.revenue[0, :6], 5.0 * 40 / 90, rtol=1e-12)
    np.testing.assert_allclose(c.inputs.revenue[0, 6:35], 5.0, rtol=1e-12)
    # LTV: drawn debt (after the period's draw) / delivered collateral
    opening, _ = hand_balances({0: 40.0, 6: 50.0})
    np.testing.assert_allclose(out.ltv[0, :30], opening[:30] / mv[:30], rtol=1e-12)


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_a_draw_blocked_by_the_advance_rate(engine):
    """Max advance 25%: before the month-6 draw the debt is the first draw's balance after six
    payments, 40 x (1.01^24 - 1.01^6) / (1.01^24 - 1) = 30.8769, already above 25% x 112.5 =
    28.125: the draw is blocked, equity pays all 62.5 of the GPUs, the 50 stays undrawn (with
    its fee) and lapses at month 12, and only the first draw's annuity is owed."""
    c = compile_deal(ddtl_deal(max_advance=0.25))
    out = run_waterfall(c.inputs, engine=engine)
    opening, principal = hand_balances({0: 40.0})
    assert opening[6] == pytest.approx(30.8769, abs=1e-4)
    assert out.drawn[0, 0].sum() == 0.0
    assert out.injection[0, 6] == pytest.approx(62.5)
    np.testing.assert_allclose(out.undrawn[0, 0, 6:12], 60.0)
    np.testing.assert_allclose(out.commitment_fee[0, 0, 6:12], 0.005 * 60 / 12)
    np.testing.assert_allclose(out.principal_paid[0, 0], principal, atol=1e-9)


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_a_draw_cut_to_the_borrowing_base(engine):
    """Max advance 50%: room = 50% x 112.5 - 30.8769 = 25.3731 of the 50 is drawn."""
    out = run_waterfall(compile_deal(ddtl_deal(max_advance=0.5)).inputs, engine=engine)
    opening, _ = hand_balances({0: 40.0})
    room = 0.5 * 112.5 - opening[6]
    assert out.drawn[0, 0, 6] == pytest.approx(room, rel=1e-12)
    assert room == pytest.approx(25.3731, abs=1e-4)
    assert out.injection[0, 6] == pytest.approx(62.5 - room)
    _, principal = hand_balances({0: 40.0, 6: room})
    np.testing.assert_allclose(out.principal_paid[0, 0], principal, atol=1e-9)
    np.testing.assert_allclose(out.ltv[0, 6], 0.5, rtol=1e-12)


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_a_draw_is_blocked_while_the_facility_is_in_default(engine):
    """In the first month the DSCR is (60 x 40/90 / 12) / (1.882939 + 0.025) = 1.1647,
    below a 1.20x default level (action: sweep, so no acceleration): the month-6 draw is not
    made; equity pays for the GPUs; the 50 lapses with the availability period."""
    d = ddtl_deal()
    cov = {"lockup_dscr": 1.25, "default_dscr": 1.2, "default_action": "sweep"}
    d.add_block("covenant", cov, block_id="cov")
    d.connect("applies_to", "cov", "spv")
    check_deal(d)
    out = run_waterfall(compile_deal(d).inputs, engine=engine)
    assert out.dscr[0, 0] == pytest.approx((60 * 40 / 90 / 12) / (annuity(40, 24) + 0.025))
    assert out.dscr[0, 0] == pytest.approx(1.1647, abs=1e-4)
    assert out.flags[0, 0] & 2 and out.flags[0, 5] & 2  # DSCR default
    assert out.drawn[0, 0].sum() == 0.0
    assert out.injection[0, 6] == pytest.approx(62.5)
    np.testing.assert_allclose(out.undrawn[0, 0, 6:12], 60.0)


@pytest.mark.parametrize("engine", ["cython", "reference"])
def test_cash_in_equals_cash_out_and_no_negative_balance(engine):
    for extra in ({}, {"max_advance": 0.5}, {"max_advance": 0.25}):
        c = compile_deal(ddtl_deal(**extra))
        o = run_waterfall(c.inputs, engine=engine)
        p = 0
        cash_in = (o.cfads[p] + o.proceeds[p] + o.injection[p] + o.drawn[p].sum(axis=0)
                   + np.concatenate([[c.inputs.dsra_initial], o.dsra_balance[p, :-1]])
                   + np.concatenate([[0.0], o.trap_balance[p, :-1]]))  # fmt: skip
        cash_out = (o.interest_paid[p].sum(axis=0) + o.principal_paid[p].sum(axis=0)
                    + c.inputs.draw_capex + o.dsra_balance[p] + o.trap_balance[p]
                    + o.distribution[p])  # fmt: skip
        np.testing.assert_allclose(cash_in, cash_out, atol=1e-9)
        assert (o.balance >= -1e-12).all() and (o.undrawn >= -1e-12).all()
        assert (o.drawn >= 0).all() and (o.commitment_fee >= 0).all()


def test_draw_schedule_errors_name_the_field():
    d = ddtl_deal()
    d.blocks["senior"].terms["draw_amounts"] = [40.0, 70.0]
    with pytest.raises(DealError, match="more than the commitment"):
        check_deal(d)
    d.blocks["senior"].terms["draw_amounts"] = [40.0]
    with pytest.raises(DealError, match="draw_months"):
        check_deal(d)
    d.blocks["senior"].terms.update(draw_amounts=[40.0, 50.0], draw_months=[0, 12])
    with pytest.raises(DealError, match="after the availability period"):
        check_deal(d)
    d.blocks["senior"].terms.update(draw_months=[0, 6], amortisation="sculpted")
    with pytest.raises(DealError, match="annuity, straight_line or bullet"):
        check_deal(d)


def test_draws_need_the_gpus_they_finance():
    d = ddtl_deal()
    d.blocks["fleet"].terms["count"] = 800  # USD 80m of GPUs for 90 of draws
    issues = [i for i in validate_deal(d) if i.severity == "error"]
    assert any("exceed the GPU fleet's cost" in i.message for i in issues)


def test_run_deal_reports_the_commitment():
    r = run_deal(ddtl_deal())
    cm = r.commitments
    row = cm.iloc[0]
    assert row["commitment"] == 100.0
    assert row["drawn_at_close"] == 40.0
    assert row["drawn_later"] == pytest.approx(50.0)
    assert row["lapsed"] == pytest.approx(10.0)
    assert row["commitment_fees"] == pytest.approx(6 * 0.025 + 6 * 0.005 * 10 / 12)


@pytest.mark.parametrize(
    "sample", ["coreweave_ddtl", "hyperion_jv", "terawulf_backstop", "xai_gpu_spv"]
)
def test_without_draws_the_step_changes_nothing(sample, monkeypatch):
    """Regression: every sample (without its draws) run with the draws step forced on, on
    zero draw inputs, gives the kernel's outputs bit for bit."""
    from dataclasses import fields, replace

    import core.engine._waterfall as wf
    from core.files.deal_json import load_deal

    deal = load_deal(f"resources/deals/{sample}.json")
    for b in deal.of_kind("tranche"):  # the CoreWeave sample drawn at closing, as before
        b.terms.update(availability_months=0, draw_months=[], draw_amounts=[])
    inp = compile_deal(deal).inputs
    assert inp.draw_amort is None
    base = run_waterfall(inp)
    K, T = inp.n_tranches, inp.n_periods
    zeros = replace(
        inp, draw_amount=np.zeros((K, T)), draw_maturity=np.zeros((K, T), dtype=np.int32),
        draw_rate=np.zeros((K, T)), draw_amort=np.zeros(K, dtype=np.int32),
    )  # fmt: skip
    monkeypatch.setattr(wf, "active_mask", lambda i: (1 << 20) - 1)  # every step runs
    forced = run_waterfall(zeros)
    for f in fields(base):
        np.testing.assert_array_equal(getattr(forced, f.name), getattr(base, f.name), f.name)
