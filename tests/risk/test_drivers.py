"""Random drivers: hazard vs closed-form survival, shock correlation, regimes, fire sale."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from core.engine.compile import compile_deal
from core.risk.paths import (
    MarketModel,
    _gbm,
    correlated_shocks,
    make_drivers,
)
from core.risk.ratings import ANNUAL_PD, annual_pd, hazard, is_investment_grade, survival
from tests.engine.deal_builders import simple_deal


def test_rating_table_is_monotone_and_survival_is_closed_form():
    order = [r for r in ANNUAL_PD if r != "NR"]
    pds = [ANNUAL_PD[r] for r in order]
    assert pds == sorted(pds)
    assert survival("B", 3.0) == pytest.approx((1 - 0.035) ** 3, rel=1e-12)
    assert hazard("BB") == pytest.approx(-math.log(1 - 0.0055))
    with pytest.raises(ValueError, match="rating 'ZZ'"):
        annual_pd("ZZ")


@pytest.mark.parametrize("rating", ["CCC", "B"])
def test_tenant_default_frequency_matches_closed_form_survival(rating):
    deal = simple_deal(
        horizon_years=10.0,
        tenor_years=10.0,
        lease={"term_years": 10.0, "walk_away_sensitivity": 0.0},  # no economic walk-away
    )
    deal.blocks["tenant"].terms["rating"] = rating
    sized = compile_deal(deal)
    m = MarketModel(termination_hazard=0.0)
    n = 40_000
    drv, _ = make_drivers(sized, m, 11, n)
    period = drv.counterparties["tenant"]  # one default time per counterparty
    ppy = sized.timeline.periods_per_year
    for years in (1, 3, 5):
        p = 1.0 - survival(rating, years)  # closed form: 1 - (1 - PD)^t
        freq = float((period < years * ppy).mean())
        se = math.sqrt(p * (1 - p) / n)
        assert abs(freq - p) < 4 * se, (years, freq, p)
    # and the engine sees those defaults: the lease stops paying at the default date
    compiled = compile_deal(deal, drv, sized=sized)
    lc = compiled.lease_cash["lease"]
    assert np.array_equal(lc.defaulted, period < sized.timeline.n_periods)


@pytest.mark.parametrize(("rating", "q"), [("NR", 0.3), ("BB+", 0.3), ("BBB-", 0.1), ("AA-", 0.1)])
def test_non_renewal_is_geometric_with_the_tenants_grade(rating, q):
    """Each option refused with p_non_renewal (0.3), or p_non_renewal_ig (0.1) for a tenant
    rated BBB- or better; renewals stop at the first refusal."""
    deal = simple_deal(
        horizon_years=10.0,
        tenor_years=2.0,
        lease={"term_years": 2.0, "renewal_options": 3, "renewal_term_years": 2.0},
    )
    deal.blocks["tenant"].terms["rating"] = rating
    sized = compile_deal(deal)
    m = MarketModel(p_non_renewal=0.3, p_non_renewal_ig=0.1)
    n = 40_000
    drv, _ = make_drivers(sized, m, 5, n)
    ren = drv.leases["lease"]["renewals"]
    for k, p in enumerate([q, (1 - q) * q, (1 - q) ** 2 * q, (1 - q) ** 3]):
        freq = float((ren == k).mean())
        assert abs(freq - p) < 4 * math.sqrt(p * (1 - p) / n), (k, freq, p)


@pytest.mark.parametrize(("rating", "h"), [("B", 0.02), ("A+", 0.0025)])
def test_termination_hazard_depends_on_the_tenants_grade(rating, h):
    deal = simple_deal(
        horizon_years=10.0,
        tenor_years=10.0,
        lease={"term_years": 10.0, "walk_away_sensitivity": 0.0},  # the base hazard alone
    )
    deal.blocks["tenant"].terms["rating"] = rating
    sized = compile_deal(deal)
    m = MarketModel(termination_hazard=0.02, termination_hazard_ig=0.0025)
    n = 40_000
    drv, _ = make_drivers(sized, m, 13, n)
    period = drv.leases["lease"]["termination"]
    ppy = sized.timeline.periods_per_year
    for years in (2, 5, 10):
        p = 1.0 - math.exp(-h * years)
        freq = float((period < years * ppy).mean())
        assert abs(freq - p) < 4 * math.sqrt(p * (1 - p) / n), (years, freq, p)


def test_investment_grade_is_bbb_minus_or_better():
    assert is_investment_grade("BBB-") and is_investment_grade("AAA")
    assert not is_investment_grade("BB+") and not is_investment_grade("NR")
    with pytest.raises(ValueError, match="rating 'ZZ'"):
        is_investment_grade("ZZ")


def test_facility_rent_mean_reverts_with_mean_one():
    """No GPU fleet: log rent is Ornstein-Uhlenbeck; mean 1 and the closed-form variance
    vol^2 (1 - exp(-2 k t)) / (2 k) at every date; speed 0 is the random walk exactly."""
    deal = simple_deal(horizon_years=20.0, tenor_years=5.0, lease={"term_years": 5.0})
    sized = compile_deal(deal)
    vol, k, n = 0.05, 0.25, 20_000
    m = MarketModel(p_enter_stress=0.0, p_exit_stress=1.0, facility_rent_vol=vol)
    m = replace(m, facility_rent_reversion=k)
    drv, _ = make_drivers(sized, m, 21, n)
    t = sized.timeline.years_end
    var = vol**2 * (1 - np.exp(-2 * k * t)) / (2 * k)
    lr = np.log(drv.rent_factor)
    for j in (11, 59, sized.timeline.n_periods - 1):
        sd = math.sqrt(var[j])
        assert drv.rent_factor[:, j].mean() == pytest.approx(1.0, abs=4 * sd / math.sqrt(n))
        assert lr[:, j].std() == pytest.approx(sd, rel=0.03)
    # bounded by the stationary s.d. (within 5 standard errors of a sample s.d.), where a
    # random walk would have grown to vol sqrt(t) = 0.22
    assert lr[:, -1].std() < vol / math.sqrt(2 * k) * (1 + 5 / math.sqrt(2 * n))
    # the same shocks through the OU recursion in NumPy, and through the random walk
    tl = sized.timeline
    months = tl.n_periods * tl.months_per_period
    z, _, _ = correlated_shocks(21, n, months, m)
    phi = math.exp(-k / 12)
    x = np.zeros(n)
    want = np.empty((n, months))
    for j in range(months):
        x = phi * x + vol * math.sqrt((1 - phi**2) / (2 * k)) * z[:, j]
        want[:, j] = x
    want = want[:, tl.months_per_period - 1 :: tl.months_per_period]
    assert np.allclose(lr, want - var / 2, rtol=0, atol=1e-12)
    rw, _ = make_drivers(sized, replace(m, facility_rent_reversion=0.0), 21, n)
    want_rw = _gbm(z, vol, tl.months_per_period, tl.n_periods)  # NumPy's exp: a few ulps apart
    np.testing.assert_allclose(rw.rent_factor, want_rw, rtol=1e-14, atol=0)
    assert lr[:, -1].std() < np.log(rw.rent_factor[:, -1]).std() / 2


@pytest.mark.parametrize(
    ("p_enter", "p_exit", "rho"),
    [(0.0, 1.0, 0.5), (1.0, 0.0, 0.8)],  # always normal; always stress
)
def test_shock_correlation_matches_input(p_enter, p_exit, rho):
    m = MarketModel(p_enter_stress=p_enter, p_exit_stress=p_exit)
    z1, z2, stress = correlated_shocks(3, 2000, 60, m)
    r = np.corrcoef(z1.ravel(), z2.ravel())[0, 1]
    n = z1.size
    assert abs(r - rho) < 4 * (1 - rho**2) / math.sqrt(n)
    assert z2.std() == pytest.approx(1.0, abs=0.01)  # marginals stay standard normal


def test_regime_mixture_correlation_and_stationary_share():
    m = MarketModel(p_enter_stress=0.05, p_exit_stress=0.15)
    z1, z2, stress = correlated_shocks(9, 4000, 240, m)
    share = stress[:, 120:].mean()  # after burn-in: stationary share p_in / (p_in + p_out)
    assert share == pytest.approx(0.05 / 0.20, abs=0.01)
    for s, rho in ((False, 0.5), (True, 0.8)):
        sel = stress == s
        r = np.corrcoef(z1[sel], z2[sel])[0, 1]
        assert abs(r - rho) < 4 * (1 - rho**2) / math.sqrt(sel.sum())


def test_btc_and_rent_martingales_and_volatility():
    deal = simple_deal(horizon_years=5.0, tenor_years=5.0, lease={"term_years": 5.0})
    sized = compile_deal(deal)
    m = MarketModel(p_enter_stress=0.0, p_exit_stress=1.0)
    drv, _ = make_drivers(sized, m, 2, 20_000)
    btc = drv.crypto_factor[:, 11]  # one year
    assert btc.mean() == pytest.approx(1.0, abs=4 * math.sqrt(math.expm1(0.25) / 20_000))
    assert np.log(btc).std() == pytest.approx(0.5, rel=0.02)
    lr = np.diff(np.log(drv.rent_factor), axis=1)
    lb = np.diff(np.log(drv.crypto_factor), axis=1)
    assert np.corrcoef(lr.ravel(), lb.ravel())[0, 1] == pytest.approx(0.5, abs=0.01)


def test_fire_sale_haircut_formula():
    """The fleet's fire-sale discount: 5% a year of age plus 30% x N / (N + depth); with
    N = depth = 50,000 the volume part is 15%. It is in the plan every path compiles with."""
    deal = simple_deal(horizon_years=2.0, tenor_years=2.0, lease={"term_years": 2.0})
    deal.add_block(
        "gpu_fleet",
        {"count": 50_000, "fire_sale_age_pct": 0.05, "fire_sale_volume_pct": 0.3,
         "market_depth_gpus": 50_000},
        block_id="gpus",
    )  # fmt: skip
    deal.connect("owns", "spv", "gpus")
    sized = compile_deal(deal)
    months = np.arange(1, 25)
    assert np.allclose(sized.level.fire, 0.05 * months / 12 + 0.3 * 0.5)
    assert np.array_equal(sized.plan["fire"], sized.level.fire)


def test_utilisation_factor_scales_gpu_hour_rent_above_take_or_pay():
    from core.engine.compile import Drivers

    deal = simple_deal(
        horizon_years=1.0,
        lease={
            "rent_basis": "gpu_hour",
            "gpus": 1000,
            "price_per_gpu_hour": 2.0,
            "utilisation": 0.9,
            "take_or_pay": 0.5,
        },
    )
    base = compile_deal(deal)
    T = base.timeline.n_periods
    factor = np.array([[1.0] * T, [0.5] * T, [1.5] * T])
    c = compile_deal(deal, Drivers(n_paths=3, utilisation_factor=factor))
    r0 = 2.0 * 1000 * 8760 / 12 * 0.9 / 1e6  # USD m a month at 90% utilisation
    assert base.inputs.revenue[0, 0] == pytest.approx(r0)
    # 0.9 x 0.5 = 45% < take-or-pay 50%: billed 50%; 0.9 x 1.5 caps at 100%
    assert np.allclose(c.inputs.revenue[:, 0], [r0, r0 * 0.5 / 0.9, r0 * 1.0 / 0.9])


def test_compiled_drivers_equal_the_numpy_reference(samples):
    """``_pathstats.driver_paths`` does the reference's operations in the same order: monthly
    (xAI) and quarterly (Hyperion) deals, GPU and data-centre rent, value_beta != 1. What
    involves no ``exp`` is bit-identical; the rent, GPU value and BTC factors go through
    libm's ``exp`` in the kernel and NumPy's (SIMD on CPUs with AVX-512: up to 1 ulp apart
    in ~5% of values), so they agree to a few ulps, compounded over the path."""
    models = [
        MarketModel(),
        MarketModel(value_beta=0.7, extra_rent_deflation=0.1, facility_rent_reversion=0.0),
        MarketModel.deterministic(),
    ]
    for deal in samples.values():
        sized = compile_deal(deal)
        for m in models:
            a, sa = make_drivers(sized, m, 7, 300, engine="cython")
            b, sb = make_drivers(sized, m, 7, 300, engine="numpy")
            for f in ("rent_factor", "gpu_value_factor", "crypto_factor"):
                x, y = getattr(a, f), getattr(b, f)
                np.testing.assert_allclose(x, y, rtol=1e-14, atol=0, err_msg=f"{deal.name} {f}")
            assert np.array_equal(a.base_rate, b.base_rate)
            assert np.array_equal(a.utilisation_factor, b.utilisation_factor)
            assert np.array_equal(a.sale_haircut_add, b.sale_haircut_add)
            assert np.array_equal(sa, sb)
            for lease, ev in a.leases.items():
                for k, v in ev.items():
                    assert np.array_equal(v, b.leases[lease][k])
    with pytest.raises(ValueError, match="engine"):
        make_drivers(sized, models[0], 7, 3, engine="fortran")
