"""The compiled kernel agrees with the NumPy reference on many random deals.

Deals are drawn by perturbing the sample deals' terms (amortisation, rates, PIK, sweeps,
covenants and their actions, lease events, haircuts), so every path of the waterfall that a
real deal can reach is compared, output by output, to 1e-9 relative.
"""

from dataclasses import fields
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.engine.arrays import EngineOutputs
from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.files.deal_json import load_deal

DEALS = {
    p.stem: load_deal(p)
    for p in sorted((Path(__file__).resolve().parents[2] / "resources" / "deals").glob("*.json"))
}


@st.composite
def random_deal(draw):
    deal = DEALS[draw(st.sampled_from(sorted(DEALS)))].copy()
    for block in deal.blocks.values():
        t, k = block.terms, block.kind
        if k == "tranche":
            t["amortisation"] = draw(
                st.sampled_from(
                    ["bullet", "annuity", "straight_line", "sculpted", "sweep", "custom"]
                )
            )
            t["custom_schedule"] = [0.05] * draw(st.integers(1, 10))
            t["rate_type"] = draw(st.sampled_from(["fixed", "floating"]))
            t["coupon"] = draw(st.floats(0.0, 0.2))
            t["spread"] = draw(st.floats(0.0, 0.1))
            t["day_count"] = draw(st.sampled_from(["30/360", "ACT/360"]))
            scale = draw(st.floats(0.3, 1.6))
            t["notional"] *= scale
            if t.get("availability_months", 0) > 0:  # delayed draws (CoreWeave): each draw
                t["amortisation"] = draw(st.sampled_from(["bullet", "annuity", "straight_line"]))
                t["draw_amounts"] = [min(a * scale, a) for a in t["draw_amounts"]]
                t["draw_term_years"] = draw(st.sampled_from([0.0, 1.5, 4.5]))
                t["commitment_fee"] = draw(st.sampled_from([0.0, 0.005, 0.02]))
                t["max_advance"] = draw(st.sampled_from([0.0, 0.5, 0.85, 1.2]))
            t["pik"] = draw(st.booleans())
            t["sweep_pct"] = draw(st.sampled_from([0.0, 0.25, 1.0]))
            t["io_months"] = draw(st.sampled_from([0, 6, 12]))
        elif k == "lease":
            t["annual_rent"] *= draw(st.floats(0.3, 1.5))
            t["termination_month"] = draw(st.sampled_from([0, 7, 25]))
            t["tenant_default_month"] = draw(st.sampled_from([0, 13, 40]))
            t["market_rent_decline"] = draw(st.floats(0.0, 0.5))
        elif k == "covenant":
            t["lockup_dscr"] = draw(st.floats(1.0, 1.6))
            t["default_dscr"] = draw(st.floats(0.8, 1.0))
            t["lockup_action"] = draw(st.sampled_from(["trap", "sweep"]))
            t["default_action"] = draw(st.sampled_from(["accelerate", "sweep"]))
            t["ltv_max"] = draw(st.sampled_from([0.0, 0.7, 1.2]))
            t["ltv_action"] = draw(st.sampled_from(["trap", "sweep", "accelerate"]))
            t["lookback_months"] = draw(st.integers(1, 12))
        elif k in ("gpu_fleet", "facility"):
            t["liquidation_haircut"] = draw(st.floats(0.0, 0.9))
        elif k == "spv":
            t["tax_rate"] = draw(st.sampled_from([0.0, 0.21]))
    return deal


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(deal=random_deal())
def test_kernel_matches_reference_on_random_deals(deal):
    inputs = compile_deal(deal).inputs
    fast = run_waterfall(inputs, engine="cython")
    slow = run_waterfall(inputs, engine="reference")
    for f in fields(EngineOutputs):
        a, b = getattr(fast, f.name), getattr(slow, f.name)
        if f.name == "flags":
            np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=f.name)
