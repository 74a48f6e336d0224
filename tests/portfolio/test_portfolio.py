"""Portfolio: the common world, shared counterparties, the copula's extremes, VaR/ES."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from core.portfolio.plan import plan_book
from core.portfolio.run import run_portfolio
from core.portfolio.runner import PortfolioConfig, _default_periods, run_book, run_deal_chunk
from core.portfolio.world import draw_world
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.paths import MarketModel
from core.risk.ratings import annual_pd
from tests.portfolio.conftest import book


def _se(x: np.ndarray) -> float:
    return float(x.std(ddof=1) / math.sqrt(x.shape[0]))


def test_zero_correlation_each_deal_is_its_single_deal_monte_carlo(deals):
    """Independent counterparties (asset correlation 0, no market loading): each deal's
    losses have its single-deal Monte Carlo's distribution (same model, other random
    numbers), so its EL agrees within sampling error, and the book's EL is their sum."""
    b = book(deals, [("xai", "xai_gpu_spv", {"loan": 1.0}, None),
                     ("wulf", "terawulf_backstop", {"notes": 1.0}, None)],
             rho=(0.0, 0.0), loading=0.0)  # fmt: skip
    n = 3000
    res = run_portfolio(b, PortfolioConfig(n_paths=n, seed=3), converged=False)
    total_single = 0.0
    for j, name in enumerate(("xai_gpu_spv", "terawulf_backstop")):
        single = run_montecarlo(deals[name], MonteCarloConfig(n_paths=n, seed=11))
        s_loss = single.stats.loss[:, 0]
        p_loss = res.paths.deal_loss[:, j]
        gap = abs(p_loss.mean() - s_loss.mean())
        assert gap < 4.0 * math.hypot(_se(p_loss), _se(s_loss)), (name, gap)
        assert p_loss.mean() > 0.01 * single.tranches[0]["notional"]  # not a trivial 0 = 0
        # probability of a loss too (binomial standard error)
        pl, sl = (p_loss > 1e-6).mean(), (s_loss > 1e-6).mean()
        assert abs(pl - sl) < 4.0 * math.sqrt(pl * (1 - pl) / n + sl * (1 - sl) / n)
        total_single += s_loss.mean()
    data = res.data
    assert math.isclose(data["expected_loss"], sum(d["expected_loss"] for d in data["deals"]))
    se = _se(res.paths.deal_loss.sum(axis=1))
    assert abs(data["expected_loss"] - total_single) < 4.0 * math.hypot(se, se)


def test_a_counterpartys_default_time_is_its_rating_exponential(deals):
    """Whatever the correlation, each counterparty defaults within t years with probability
    1 - (1 - PD)^t (its rating's PD, closed form): xAI (NR = B, 3.5%) within the 5-year lease."""
    b = book(deals, [("xai", "xai_gpu_spv", {"loan": 1.0}, None)], rho=(0.3, 0.6))
    plan = plan_book(b, MarketModel())
    n = 20_000
    w = draw_world(5, 0, n, plan.months, MarketModel(), plan.credits, b.market_loading, 1)
    c = plan.credit_index("xAI")
    p = 1.0 - (1.0 - annual_pd("NR")) ** 5
    got = (w.default_years[:, c] < 5.0).mean()
    assert abs(got - p) < 4.0 * math.sqrt(p * (1 - p) / n)


def _with_parent(deal, parent_name: str):
    """The xAI deal whose tenant is renamed and made a subsidiary of a new sponsor block."""
    d = deal.copy()
    d.set_term("xai", "name", "X.AI Corp (opco)")
    d.add_block("sponsor", {"name": parent_name, "rating": "NR"}, block_id="parent")
    d.connect("subsidiary_of", "xai", "parent")
    return d


def test_a_shared_counterparty_defaults_in_the_same_paths_in_every_deal(deals):
    """xAI is the tenant of two positions in the xAI deal and, through the parent/subsidiary
    link, of a third whose tenant block is a subsidiary of a sponsor named xAI; Fluidstack is
    mapped to xAI in the TeraWulf deal (another closing date and period length). The default
    comes from the one world default time of xAI in every deal."""
    b = book(deals, [("a", "xai_gpu_spv", {"loan": 1.0}, None),
                     ("b", "xai_gpu_spv", {"loan": 1.0}, None),
                     ("c", "xai_gpu_spv", {"loan": 1.0}, None),
                     ("w", "terawulf_backstop", {"notes": 1.0}, {"fluid": "xAI"})])  # fmt: skip
    b.positions[2].deal = _with_parent(deals["xai_gpu_spv"], "xAI")
    m = MarketModel()
    plan = plan_book(b, m)
    assert [c.name for c in plan.credits] == ["Google", "xAI"]
    n = 3000
    w = draw_world(9, 0, n, plan.months, m, plan.credits, b.market_loading, 1)
    c = plan.credit_index("xAI")
    runs = [run_deal_chunk(dp, w, m, 9, 1) for dp in plan.deals]
    flags = [r.defaulted[c] for r in runs]
    assert np.array_equal(flags[0], flags[1]) and np.array_equal(flags[0], flags[2])
    assert 0.05 < flags[0].mean() < 0.5  # xAI defaults on some paths, not all
    tau = w.default_years[:, c]
    for dp in plan.deals:
        tl = dp.sized.timeline
        per = _default_periods(dp, w)[next(iter(r for r, i in dp.exposed.items() if i == c))]
        # independent restatement: the period of the deal in which the calendar time falls
        years = tau - dp.offset / 12.0
        want = np.where(years >= tl.n_periods / tl.periods_per_year, tl.n_periods,
                        np.floor(np.maximum(years, 0.0) * tl.periods_per_year))  # fmt: skip
        assert np.array_equal(per, want.astype(np.int64)), dp.position.id
    # the deals' own events stay their own: the two identical positions do not lose alike
    assert not np.array_equal(runs[0].held_loss, runs[1].held_loss)


def _only_defaults() -> MarketModel:
    """No market moves and no lease events but the counterparties' defaults."""
    return replace(
        MarketModel.deterministic(), lease_events=True, termination_hazard=0.0,
        termination_hazard_ig=0.0, p_non_renewal=0.0, p_non_renewal_ig=0.0,
    )  # fmt: skip


def _labs(deals, k: int, rho: float):
    entries = [(f"lab{i}", "xai_gpu_spv", {"loan": 1.0}, {"xai": f"Lab {i}"}) for i in range(k)]
    return book(deals, entries, rho=(rho, rho), loading=0.0)


def test_correlation_one_is_all_or_nothing_and_zero_is_binomial(deals):
    """Four identical GPU SPVs, each let to its own unrated lab, nothing random but the labs'
    defaults. Hand reasoning: with asset correlation 1 the four labs' latent variables are the
    one systematic factor, so they default at the same time: the number of deals with a loss
    is 0 or 4 (bimodal: all or nothing), P(4) is one deal's P(loss) p, and the book loses 0 or
    4 times one deal's loss; with correlation 0 it is binomial(4, p): P(1) = 4 p (1 - p)^3."""
    k, n = 4, 4000
    cfg = PortfolioConfig(n_paths=n, seed=21, model=_only_defaults())
    one = run_book(plan_book(_labs(deals, k, 1.0), cfg.model), cfg)
    hits = (one.deal_loss > 1e-6).sum(axis=1)
    p = (one.deal_loss[:, 0] > 1e-6).mean()
    assert 0.05 < p < 0.3
    assert set(np.unique(hits)) == {0, k}  # never some but not all
    assert (hits == k).mean() == p
    # the loss distribution: a mass at 0 and the rest at k times one deal's loss
    total = one.deal_loss.sum(axis=1)
    np.testing.assert_allclose(total, k * one.deal_loss[:, 0], rtol=1e-12)
    zero = run_book(plan_book(_labs(deals, k, 0.0), cfg.model), cfg)
    hits0 = (zero.deal_loss > 1e-6).sum(axis=1)
    p0 = (zero.deal_loss > 1e-6).mean()
    want = k * p0 * (1 - p0) ** (k - 1)
    assert abs((hits0 == 1).mean() - want) < 4.0 * math.sqrt(want * (1 - want) / n)
    assert (hits0 == k).mean() < 0.01


def test_var_and_es_against_numpy_on_the_stored_losses(deals):
    b = book(deals, [("xai", "xai_gpu_spv", {"loan": 0.2}, None),
                     ("wulf", "terawulf_backstop", {"notes": 0.5}, None),
                     ("hyp", "hyperion_jv", {"bonds": 0.1}, None)])  # fmt: skip
    res = run_portfolio(b, PortfolioConfig(n_paths=800, seed=4), converged=False)
    total = res.paths.deal_loss.sum(axis=1)
    d = res.data
    assert d["expected_loss"] == float(np.mean(total))
    for lv, key, k in ((0.99, "99%", 8), (0.999, "99.9%", 1)):
        assert d["var"][key] == float(np.quantile(total, lv, method="inverted_cdf"))
        worst = np.sort(total)[::-1][:k]
        assert math.isclose(d["es"][key], float(worst.mean()), rel_tol=1e-12)
        assert d["es"][key] >= d["var"][key]
        contrib = sum(x["es_contribution"][key] for x in d["deals"])
        assert math.isclose(contrib, d["es"][key], rel_tol=1e-9)
        cps = sum(c["es_contribution"][key] for c in d["counterparties"])
        assert math.isclose(cps, d["es"][key], rel_tol=1e-9)
    assert math.isclose(sum(c["expected_loss"] for c in d["counterparties"]), d["expected_loss"])


def test_converged_correlations_leave_less_diversification(deals):
    """The same book with the regime forced to stress (every month): the stress share is 1 and
    the tail does not get lighter."""
    b = book(deals, [("xai", "xai_gpu_spv", {"loan": 0.2}, None),
                     ("wulf", "terawulf_backstop", {"notes": 0.5}, None)])  # fmt: skip
    res = run_portfolio(b, PortfolioConfig(n_paths=600, seed=5))
    c = res.data["converged"]
    assert c["stress_regime_share"] == 1.0
    assert res.data["stress_regime_share"] < 0.3


def test_the_refinancing_market_shuts_on_the_worlds_lowest_rent_paths(deals, monkeypatch):
    """TeraWulf refinances its 2030 balloon: in a book its refinancing market is shut exactly
    on the paths where the WORLD's rent (shared by every deal) is in its lowest
    refi_shut_prob at that date, as the single-deal Monte Carlo shuts it on its own rent."""
    import core.portfolio.runner as runner
    from core.risk.paths import driver_params
    from core.risk.refimarket import quantile_rows

    b = book(deals, [("wulf", "terawulf_backstop", {"notes": 1.0}, None)])
    m = MarketModel()
    plan = plan_book(b, m)
    n = 4000
    w = draw_world(4, 0, n, plan.months, m, plan.credits, b.market_loading, 1)
    seen = {}
    compile_deal = runner.compile_deal
    monkeypatch.setattr(
        runner,
        "compile_deal",
        lambda d, drv, sized: (
            seen.setdefault("d", drv) and None or compile_deal(d, drv, sized=sized)
        ),
    )
    dp = plan.deals[0]
    run_deal_chunk(dp, w, m, 4, 1)
    drv = seen["d"]
    shut = drv.refi_advance_cut >= 1.0
    threshold = quantile_rows(driver_params(dp.sized, m), m.refi_shut_prob)
    t = int(np.argmax(threshold > 0))  # a period with a finite, positive threshold
    np.testing.assert_array_equal(shut[:, t], drv.rent_factor[:, t] <= threshold[t])
    np.testing.assert_array_equal(drv.rent_factor, runner._market(dp, w, 1)["rent"])
    share = shut[:, t].mean()
    assert abs(share - m.refi_shut_prob) < 4.0 * math.sqrt(0.1 * 0.9 / n)
