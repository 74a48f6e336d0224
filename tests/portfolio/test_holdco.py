"""The holdco's waterfall on hand-worked paths (docs/portfolio.md, "Holdco")."""

from __future__ import annotations

import numpy as np
import pytest

from core.portfolio.book import Holdco, HoldcoDebt
from core.portfolio.holdco import holdco_waterfall, horizon_months

CONVERT = HoldcoDebt("conv", "1% convertible", "convertible", 100.0, 0.06, 1.0)
LOAN = HoldcoDebt("btc", "BTC loan", "btc_loan", 30.0, 0.12, 0.5, collateral_btc=1.0,
                  margin_call_ltv=0.7, liquidation_ltv=0.8, reset_ltv=0.5)  # fmt: skip


def _holdco(debt=(LOAN, CONVERT)) -> Holdco:
    # cash 10, 1 thousand BTC in treasury, opex 12 a year (1 a month)
    return Holdco("h", "Holdco", {}, 10.0, 1.0, 50.0, 12.0, tuple(debt))


def test_margin_call_then_liquidation_then_convert_default_by_hand():
    """Upstream 2 a month; BTC at 50 (USD k) for months 0-2, 40 in month 3, 25 after.
    Each month: opex 1, BTC-loan interest 30 x 12% / 12 = 0.3, convert coupon 100 x 6% / 12 = 0.5.

    - months 0-2: cash 10 -> 12 - 1.8 = 10.2 -> 10.4 -> 10.6
    - month 3: LTV 30 / (1 x 40) = 0.75 >= 0.70: margin call, top up to 50% LTV:
      30 / (0.5 x 40) - 1 = 0.5 thousand BTC from treasury (left 0.5); cash 12.6 - 1.8 = 10.8
    - month 4: LTV 30 / (1.5 x 25) = 0.80 >= 0.80: the lender sells 1.5 x 25 = 37.5, repays 30,
      7.5 back: cash 12.8 + 7.5 - 1.5 = 18.8 (no loan interest any more)
    - months 5-10: +2 - 1.5 a month: 19.3 ... 21.8
    - month 11 (the convert's maturity): cash 23.8, due 1 + 0.5 + 100 = 101.5; the treasury's
      0.5 x 25 = 12.5 is sold: 36.3 < 101.5: default. After the month's opex, 35.3 goes to
      the convert's claim 100 x (1 + 0.005) = 100.5: loss 65.2; the BTC loan lost nothing."""
    h = _holdco()
    M = horizon_months(h)
    assert M == 12
    price = np.array([[50, 50, 50, 40] + [25] * 8], dtype=float)
    r = holdco_waterfall(h, np.full((1, M), 2.0), price)
    assert r.margin_calls[0] == 1 and r.liquidated[0]
    assert r.default_month[0] == 11
    assert r.loss["btc"][0] == pytest.approx(0.0, abs=1e-12)
    assert r.loss["conv"][0] == pytest.approx(65.2, abs=1e-9)


def test_btc_crash_through_the_liquidation_ltv_leaves_a_deficiency():
    """BTC falls from 50 to 20 in month 1: LTV 30 / 20 = 1.5: the collateral fetches 20, the
    loan loses 30 - 20 = 10 (its deficiency is written off); the holdco itself goes on and,
    with 100 a month upstream, repays its convert in full."""
    h = _holdco()
    price = np.array([[50.0] + [20.0] * 11])
    r = holdco_waterfall(h, np.full((1, 12), 100.0), price)
    assert r.loss["btc"][0] == pytest.approx(10.0, abs=1e-12)
    assert r.loss["conv"][0] == 0.0 and r.default_month[0] == -1


def test_paid_in_full_when_cash_covers_everything():
    """Upstream 20 a month, BTC flat: the BTC loan repaid at month 5 (its collateral back in
    the treasury), the convert at month 11; end cash = 10 + 240 - 12 (opex) - 6 x 0.3 - 30
    - 12 x 0.5 - 100 = 100.2, treasury 1 + 1 = 2 thousand BTC."""
    h = _holdco()
    r = holdco_waterfall(h, np.full((1, 12), 20.0), np.full((1, 12), 50.0))
    assert r.default_month[0] == -1 and r.margin_calls[0] == 0
    assert r.cash[0] == pytest.approx(100.2, abs=1e-9)
    assert r.treasury[0] == pytest.approx(2.0, abs=1e-12)


def test_double_leverage_sample_both_layers_fail_together():
    """The TeraWulf-like sample: the holdco lives on its SPV's distributions and its BTC, so
    it defaults more often on the paths where the SPV's notes lose (the SPV's cash stopped)
    than on the others, and its BTC loan's margin calls come in BTC downturns."""
    from pathlib import Path

    from core.files.portfolio_json import load_book
    from core.portfolio.run import run_portfolio
    from core.portfolio.runner import PortfolioConfig

    path = (
        Path(__file__).resolve().parents[2] / "resources/portfolios/terawulf_double_leverage.json"
    )
    res = run_portfolio(load_book(path), PortfolioConfig(n_paths=2000, seed=2), converged=False)
    spv = res.paths.deal_loss[:, 0] > 1e-6
    h = res.paths.holdco_default[:, 0]
    # the SPV's notes lose on about half the paths (docs/risk.md, the recalibrated TeraWulf),
    # the holdco defaults on fewer
    assert 0.01 < h.mean() < 0.6 and 0.05 < spv.mean() < 0.9
    assert h[spv].mean() > 1.5 * h[~spv].mean()
    row = res.data["deals"][1]
    assert row["holdco"] and row["probability_of_default"] == float(h.mean())
    assert row["probability_with_spv_loss"] == float((h & spv).mean())
    wulf = next(a for a in res.data["look_through"] if a["sponsor"] == "TeraWulf")
    assert wulf["holdco_debt"] == 1000.0 and wulf["spv_debt_share"] == 3200.0
