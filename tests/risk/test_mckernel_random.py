"""The compiled per-path compile equals its NumPy reference bit for bit on many random deals.

Deals are drawn by perturbing the lease, guarantee, asset and crypto terms of the sample deals
and of the kitchen-sink deal of test_mckernel.py (two leases, backstops, RVGs, a facility, two
crypto blocks), under random market models (200 examples). Each compares exactly: the
production ``compile_deal`` with ``engine="reference"``; ``compile_paths`` on random drivers
and lease dates with ``reference_paths``; 48 Monte Carlo paths of the fused kernel with the
reference compile of make_drivers' drivers (kernel input rows and guarantee payments); then
the statistics of the fused kernel and of the staged pipeline.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.engine.compile import compile_deal
from core.files.deal_json import load_deal
from core.model.errors import DealError
from core.risk.montecarlo import MonteCarloConfig, run_chunk
from core.risk.paths import MarketModel
from tests.engine.test_compile_parity import assert_compiled_equal, assert_random_paths_equal
from tests.risk.test_mckernel import DEALS, _stats_equal, assert_compile_rows_equal, kitchen_sink

BASES = {p.stem: load_deal(p) for p in sorted(DEALS.glob("*.json"))}
BASES["kitchen_sink"] = kitchen_sink()


@st.composite
def random_deal(draw):
    deal = BASES[draw(st.sampled_from(sorted(BASES)))].copy()
    for block in deal.blocks.values():
        t, k = block.terms, block.kind
        if k == "lease":
            t["rent_basis"] = draw(st.sampled_from(["fixed", "gpu_hour"]))
            t["utilisation"] = draw(st.floats(0.3, 1.0))
            t["take_or_pay"] = draw(st.sampled_from([0.0, 0.5, 0.8]))
            t["escalator"] = draw(st.sampled_from([0.0, 0.025, -0.05]))
            t["start_month"] = draw(st.sampled_from([0, 3, 12]))
            t["term_years"] = draw(st.sampled_from([1.0, 2.5, 4.0, 7.0]))
            t["renewal_options"] = draw(st.integers(0, 4))
            t["renewal_term_years"] = draw(st.sampled_from([0.5, 1.0, 3.0]))
            t["renewal_rent_pct"] = draw(st.floats(0.5, 1.2))
            t["renewals_exercised"] = draw(st.integers(0, 4))
            t["termination_month"] = draw(st.sampled_from([0, 7, 25, 61]))
            t["termination_fee"] = draw(st.sampled_from([0.0, 50.0]))
            t["tenant_default_month"] = draw(st.sampled_from([0, 13, 40]))
            t["at_expiry"] = draw(st.sampled_from(["sell", "re_lease"]))
            t["market_rent_decline"] = draw(st.floats(0.0, 0.5))
        elif k == "guarantee":
            t["floor_pct"] = draw(st.floats(0.0, 1.2))
            t["cap"] = draw(st.sampled_from([0.0, 100.0, 1_000.0, 20_000.0]))
            t["term_years"] = draw(st.sampled_from([0.0, 2.0, 5.5, 30.0]))
        elif k in ("gpu_fleet", "facility"):
            t["sale_haircut"] = draw(st.floats(0.0, 0.9))
            t["liquidation_haircut"] = draw(st.floats(0.0, 0.9))
            if k == "gpu_fleet":
                t["commercial_life_years"] = draw(st.sampled_from([2.0, 4.0, 6.0]))
        elif k == "crypto":
            t["price_growth"] = draw(st.floats(-0.5, 0.5))
    return deal


@st.composite
def random_model(draw):
    return MarketModel(
        rent_vol=draw(st.floats(0.0, 0.6)),
        facility_rent_reversion=draw(st.sampled_from([0.0, 0.25, 1.0])),
        extra_rent_deflation=draw(st.floats(-0.1, 0.3)),
        util_vol=draw(st.floats(0.0, 0.3)),
        value_beta=draw(st.sampled_from([1.0, 0.5, 1.5])),
        gen_surprise_rate=draw(st.sampled_from([0.0, 0.2, 4.0])),
        residual_haircut_sd=draw(st.floats(0.0, 0.5)),
        rho_stress=draw(st.floats(-1.0, 1.0)),
        p_enter_stress=draw(st.floats(0.0, 1.0)),
        lease_events=draw(st.booleans()),
        termination_hazard=draw(st.sampled_from([0.0, 0.02, 0.5])),
        p_non_renewal=draw(st.floats(0.0, 1.0)),
    )


@settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(deal=random_deal(), model=random_model(), first=st.integers(0, 10**12))
def test_per_path_compile_equals_the_reference_on_random_deals(deal, model, first):
    try:
        sized = compile_deal(deal)
    except DealError:
        assume(False)  # the draw made an invalid deal (e.g. nothing left to lease)
    assert_compiled_equal(sized, compile_deal(deal, engine="reference"))
    assert_random_paths_equal(deal, first % 1000, 16)
    n = 48
    assert_compile_rows_equal(deal, sized, model, 8, first, n)
    cfg = MonteCarloConfig(n_paths=n, seed=8, chunk_size=n, model=model)
    _stats_equal(
        run_chunk(deal, sized, cfg, 0), run_chunk(deal, sized, replace(cfg, engine="staged"), 0)
    )
