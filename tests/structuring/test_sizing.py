"""Debt sizing against closed forms: sculpting (NPV of CFADS / DSCR at the debt rate, and NREL
SAM's single-owner DSCR sizing written from its documented method), level-annuity DSCR and
LLCR limits, advance rate, repayment by the lease end, and the binding constraint named."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.results import run_deal
from core.engine.schedules import sculpted_capacity
from core.structuring.candidate import StructuringError, resize
from core.structuring.constraints import parse_constraint
from core.structuring.sizing import sculpted_size, size_tranche
from tests.engine.deal_builders import simple_deal

RENT = 120.0  # a year: 30 a quarter, no costs, no tax -> CFADS 30 every quarter
C = RENT / 4
R = 0.08 / 4  # 8% coupon, 30/360, quarterly


def annuity_factor(r: float, n: int) -> float:
    """Level payment per unit of debt over n periods at r."""
    return r / (1 - (1 + r) ** -n)


def quarterly(**kw):
    base = dict(notional=100.0, coupon=0.08, tenor_years=5, annual_rent=RENT,
                horizon_years=6, period="quarterly")  # fmt: skip
    base.update(kw)
    return simple_deal(**base)


def with_facility(d, cost: float = 1000.0):
    d.add_block("facility", {"cost": cost}, block_id="dc")
    d.connect("owns", "spv", "dc")
    d.set_term("eq", "amount", cost - d.blocks["senior"].terms["notional"])
    return d


def sam_single_owner_debt(cafds: list[float], rate: float, dscr: float) -> tuple[float, list]:
    """NREL SAM single-owner 'DSCR' debt sizing as its documentation describes it: the debt is
    the present value, at the annual debt interest rate over the tenor, of each year's cash
    available for debt service divided by the target DSCR; each year's interest is the rate
    times the opening balance and the principal the rest of CAFDS / DSCR. Returns the debt and
    the closing balance of each year."""
    size = sum(c / dscr / (1 + rate) ** (y + 1) for y, c in enumerate(cafds))
    balance, closing = size, []
    for c in cafds:
        interest = balance * rate
        balance -= c / dscr - interest
        closing.append(balance)
    return size, closing


def test_sculpted_capacity_matches_sam_single_owner_annual():
    # a SAM-style project: 18 years of CAFDS with degradation and cost escalation
    years = np.arange(18)
    cafds = 50.0 * 0.995**years - 12.0 * 1.025**years
    rate, target = 0.07, 1.30
    sam_size, closing = sam_single_owner_debt(list(cafds), rate, target)
    ours = sculpted_capacity(cafds, np.full(18, rate), target, 0, 17)
    assert ours == pytest.approx(sam_size, rel=1e-12)
    assert closing[-1] == pytest.approx(0.0, abs=1e-9)  # SAM's debt is exactly repaid
    assert min(closing[:-1]) > 0


def test_sculpted_size_is_the_npv_of_cfads_over_dscr():
    d = quarterly(amortisation="sculpted", tranche={"target_dscr": 1.30})
    n = 20
    closed = (C / 1.30) / annuity_factor(R, n)  # NPV of a level CFADS / DSCR at the debt rate
    assert sculpted_size(d, "senior", 1.30) == pytest.approx(closed, rel=1e-12)
    res = size_tranche(d, "senior", [], sculpt_dscr=1.30)
    assert res.notional == pytest.approx(closed, rel=1e-12)
    assert res.binding.startswith("sculpted to 1.30x")
    run = run_deal(res.deal)
    bal = run.tranches["Senior notes"]["balance"].to_numpy()
    assert bal[n - 1] == pytest.approx(0.0, abs=1e-8)  # repaid exactly at maturity
    assert np.allclose(run.periods["dscr"].to_numpy()[:n], 1.30)


def test_sculpted_size_with_io_period_and_tax_repays_at_maturity():
    # tax depends on the interest, so the size is a fixed point; the engine's own sculpted
    # schedule must then repay the debt exactly at maturity with the DSCR at target
    d = quarterly(amortisation="sculpted", tranche={"target_dscr": 1.40, "io_months": 6})
    d.set_term("spv", "tax_rate", 0.25)
    n = sculpted_size(d, "senior", 1.40)
    sized = resize(d, {"senior": n})
    run = run_deal(sized)
    bal = run.tranches["Senior notes"]["balance"].to_numpy()
    assert bal[19] == pytest.approx(0.0, abs=1e-7)
    assert bal[18] > 1.0
    dscr = run.periods["dscr"].to_numpy()
    assert np.allclose(dscr[2:20], 1.40)
    assert run.periods["tax"].sum() > 0


def test_sculpted_on_a_stressed_case_is_smaller():
    from core.risk.stress import Stress

    d = quarterly(amortisation="sculpted", lease={"tenant_default_month": 36})
    base = sculpted_size(d, "senior", 1.30)
    stressed = sculpted_size(d, "senior", 1.30, Stress(tenant_default_year=2.0))
    # the stressed CFADS stops after 8 quarters (year 2): the NPV of 8 quarters of C / DSCR
    assert stressed == pytest.approx((C / 1.30) / annuity_factor(R, 8), rel=1e-9)
    assert stressed < base


def test_min_dscr_and_llcr_sizes_of_a_level_annuity():
    d = quarterly()
    af = annuity_factor(R, 20)
    cons = [parse_constraint(t, d) for t in ("min_dscr>=1.25", "avg_dscr>=1.25", "llcr>=1.5")]
    res = size_tranche(d, "senior", cons)
    caps = {c.constraint: c.capacity for c in res.capacities}
    assert caps["min_dscr>=1.25"] == pytest.approx(C / (1.25 * af), rel=1e-5)
    assert caps["avg_dscr>=1.25"] == pytest.approx(C / (1.25 * af), rel=1e-5)
    # LLCR = NPV(CFADS over the loan at the debt rate) / debt = C / (af x debt)
    assert caps["llcr>=1.5"] == pytest.approx(C / (1.5 * af), rel=1e-5)
    assert res.binding == "llcr>=1.5"
    assert res.notional == caps["llcr>=1.5"]
    assert all(c["holds"] for c in res.checks)


def test_advance_rate_on_the_asset_cost():
    d = with_facility(quarterly(), cost=1000.0)
    res = size_tranche(d, "senior", [parse_constraint("senior.advance_rate<=30%", d)])
    assert res.notional == pytest.approx(300.0, rel=1e-6)
    # sources still equal uses: the equity gave up what the debt took
    assert res.deal.blocks["eq"].terms["amount"] + res.notional == pytest.approx(1000.0)


def test_repaid_by_the_lease_end():
    # a 3-year annuity on a 3-year lease: repaid by the lease end while the level payment fits
    # in the quarter's CFADS (arrears have no later cash to catch up from)
    d = quarterly(tenor_years=3, horizon_years=3)
    cons = [parse_constraint(t, d) for t in ("senior.repaid<=lease", "min_dscr>=1.1")]
    res = size_tranche(d, "senior", cons)
    caps = {c.constraint: c.capacity for c in res.capacities}
    assert caps["senior.repaid<=lease"] == pytest.approx(C / annuity_factor(R, 12), rel=1e-5)
    assert caps["min_dscr>=1.1"] == pytest.approx(C / 1.1 / annuity_factor(R, 12), rel=1e-5)
    assert res.binding == "min_dscr>=1.1"


def test_bullet_cannot_be_repaid_before_its_maturity():
    d = quarterly(amortisation="bullet", tenor_years=5)
    res = size_tranche(d, "senior", [parse_constraint("senior.repaid<=2028-01-01", d)])
    assert res.notional == 0.0
    assert res.capacities[0].note == "holds only at zero"


def test_bad_input_names_what_is_wrong():
    d = quarterly()
    with pytest.raises(StructuringError, match="unknown tranche 'mezz'"):
        size_tranche(d, "mezz", [parse_constraint("min_dscr>=1.2", d)])
    with pytest.raises(StructuringError, match="'A9'"):
        parse_constraint("senior.rating>=A9", d)
    with pytest.raises(StructuringError, match="not a number"):
        parse_constraint("min_dscr>=abc", d)
    with pytest.raises(StructuringError, match="at least one constraint"):
        size_tranche(d, "senior", [])
    with pytest.raises(StructuringError, match="at least 1.0x"):
        sculpted_size(d, "senior", 0.9)


def test_annual_deal_sized_as_nrel_sam_single_owner(tmp_path, capsys):
    """An annual deal (issue #12), sized by `python main.py size --dscr 1.30` and by
    size_tranche, raises what NREL SAM's single-owner DSCR sizing raises on the same annual
    CAFDS and terms; run, its DSCR is 1.30x every year and its balances are SAM's."""
    import json

    from cli.main import cli_main
    from core.files.deal_json import save_deal

    years, rate, target = 12, 0.07, 1.30
    d = simple_deal(notional=100.0, coupon=rate, tenor_years=years, annual_rent=50.0,
                    horizon_years=years, period="annual", amortisation="sculpted",
                    lease={"escalator": 0.02}, tranche={"target_dscr": target})  # fmt: skip
    d.set_term("spv", "tax_rate", 0.0)
    d.add_block("opex", {"maintenance": 9.0, "insurance": 3.0, "escalator": 0.025}, block_id="ox")
    d.connect("applies_to", "ox", "spv")
    # the CAFDS by hand: rent 50 x 1.02^y less costs 12 x 1.025^y (both step on anniversaries)
    y = np.arange(years)
    cafds = 50.0 * 1.02**y - 12.0 * 1.025**y
    sam_size, closing = sam_single_owner_debt(list(cafds), rate, target)
    res = size_tranche(d, "senior", [], sculpt_dscr=target)
    assert res.notional == pytest.approx(sam_size, rel=1e-12)
    path = tmp_path / "annual.json"
    save_deal(d, path)
    assert cli_main(["size", str(path), "--dscr", "1.30", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sized_notional"] == pytest.approx(sam_size, rel=1e-9)
    run = run_deal(res.deal)
    np.testing.assert_allclose(run.periods["cfads"].to_numpy(), cafds, rtol=1e-12)
    np.testing.assert_allclose(run.periods["dscr"].to_numpy(), target, rtol=1e-10)
    bal = run.tranches["Senior notes"]["balance"].to_numpy()
    np.testing.assert_allclose(bal, closing, rtol=1e-9, atol=1e-9)
