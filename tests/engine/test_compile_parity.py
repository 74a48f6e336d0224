"""The production compile (the compiled per-path half, core/engine/_pathcompile.pxi) equals
its NumPy specification (core/engine/reference_compile.py) bit for bit.

- ``compile_deal(deal)`` and ``compile_deal(deal, engine="reference")``: every kernel input,
  each lease's cash, each guarantee's payments, the RVG and the sale period, on every sample
  deal, on the kitchen-sink deal of tests/risk/test_mckernel.py and on stressed copies of them
  compiled against the unstressed sizing;
- ``compile_paths`` on random drivers, residual haircuts, fire-sale discounts and lease event
  dates against ``reference_paths`` on the same drivers.
(tests/risk/test_mckernel_random.py repeats both on random deals.)
"""

from __future__ import annotations

import json
from dataclasses import fields

import numpy as np
import pytest

from core.engine.arrays import EngineInputs
from core.engine.compile import CompiledDeal, Drivers, compile_deal, compiled_kernel, path_rows
from core.engine.plan import build_plan, deal_level
from core.engine.reference_compile import reference_paths
from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.model.deal import Deal
from core.risk.stress import Stress, apply_stress
from tests.risk.test_mckernel import DEAL_NAMES, DEALS, kitchen_sink


def _deal(name: str) -> Deal:
    return kitchen_sink() if name == "kitchen_sink" else load_deal(DEALS / f"{name}.json")


def _same(a, b, what: str) -> None:
    a, b = np.asarray(a), np.asarray(b)
    shape = np.broadcast_shapes(a.shape, b.shape)
    assert np.array_equal(np.broadcast_to(a, shape), np.broadcast_to(b, shape)), what


def assert_paths_equal(got, want, leases, P: int) -> None:
    """Two PathRows (or CompiledDeals) of the same P paths: equal bit for bit."""
    for lease in leases:
        a, b = got.lease_cash[lease.id], want.lease_cash[lease.id]
        for f in ("revenue", "backstop_paid", "end", "defaulted"):
            _same(getattr(a, f), getattr(b, f), f"{lease.id}.{f}")
    assert got.guarantee_paid.keys() == want.guarantee_paid.keys()
    for gid, paid in want.guarantee_paid.items():
        _same(np.broadcast_to(got.guarantee_paid[gid], (P,)), paid, f"guarantee {gid}")
    _same(got.rvg_paid, want.rvg_paid, "rvg_paid")
    _same(got.sale_period, want.sale_period, "sale_period")


def assert_compiled_equal(got: CompiledDeal, want: CompiledDeal) -> None:
    """Every kernel input and every per-lease / per-guarantee quantity, bit for bit."""
    for f in fields(EngineInputs):
        _same(getattr(got.inputs, f.name), getattr(want.inputs, f.name), f.name)
    assert_paths_equal(got, want, want.leases, want.inputs.n_paths)
    _same(got.asset_value, want.asset_value, "asset_value")
    _same(got.book_value, want.book_value, "book_value")
    _same(got.base_interest, want.base_interest, "base_interest")
    assert got.sources == want.sources and got.uses == want.uses
    for lease in want.leases:
        a, b = got.lease_schedules[lease.id], want.lease_schedules[lease.id]
        _same(a.rent, b.rent, f"{lease.id} schedule")
        assert a.term_ends == b.term_ends and a.start == b.start


STRESSES = [
    Stress(tenant_default_year=2.5, renewals=0),
    Stress(termination_year=3.0, residual_haircut=0.3, liquidation_haircut=0.2),
    Stress(rent_deflation=0.4, gpu_value_decline=0.1, gpu_commercial_life=3.0),
    Stress(base_rate_shock=0.03, crypto_price_shock=-0.6, renewals=1),
]


@pytest.mark.parametrize("period", [None, "annual"])
@pytest.mark.parametrize("name", DEAL_NAMES)
def test_production_compile_equals_the_reference(name, period):
    """Every sample deal and the kitchen sink, base case and stressed, in their own periods
    and in annual periods (issue #12; with random drivers too)."""
    deal = _deal(name)
    if period:
        deal.set_term(deal.of_kind("spv")[0].id, "period", period)
    base = compile_deal(deal)
    assert base.plan is not None  # compiled, not the reference
    assert_compiled_equal(base, compile_deal(deal, engine="reference"))
    for stress in STRESSES:
        stressed = apply_stress(deal, stress)
        assert_compiled_equal(
            compile_deal(stressed, sized=base),
            compile_deal(stressed, sized=base, engine="reference"),
        )
    if period:
        assert base.timeline.periods_per_year == 1
        for seed in (1, 2):
            assert_random_paths_equal(deal, seed)


def random_paths(deal: Deal, seed: int, P: int = 64) -> tuple[dict, dict, Drivers]:
    """Random drivers of P paths: the compiled call's arguments, its plan and the reference's
    Drivers. Lease events are random renewals and dates, some beyond the horizon."""
    d = deal_level(deal)
    rng = np.random.default_rng(seed)
    T, L = d.timeline.n_periods, len(d.leases)
    plan = build_plan(d)
    plan["residual_sd"] = 0.35
    plan["fire"] = rng.uniform(0.0, 0.4) * d.timeline.years_end
    rent = np.exp(rng.normal(0.0, 0.4, (P, T)))
    util = rng.uniform(0.4, 1.4, (P, T))
    value = np.exp(rng.normal(0.0, 0.3, (P, T)))
    btc = np.exp(rng.normal(0.0, 0.5, (P, T)))
    residual = rng.normal(size=P)
    ev = np.empty((P, L, 3), dtype=np.int64)
    for i, lease in enumerate(d.leases):
        ev[:, i, 0] = rng.integers(0, lease.terms["renewal_options"] + 1, P)
        ev[:, i, 1] = np.where(rng.random(P) < 0.4, rng.integers(0, T + 3, P), T)
        ev[:, i, 2] = np.where(rng.random(P) < 0.4, rng.integers(0, T + 3, P), T)
    drivers = Drivers(
        n_paths=P,
        rent_factor=rent,
        gpu_value_factor=value,
        crypto_factor=btc,
        liquidation_haircut_add=plan["fire"][None, :],
        sale_haircut_add=residual[:, None] * plan["residual_sd"],
        utilisation_factor=util,
        leases={
            lease.id: {"renewals": ev[:, i, 0], "termination": ev[:, i, 1],
                       "tenant_default": ev[:, i, 2]}
            for i, lease in enumerate(d.leases)
        },
    )  # fmt: skip
    args = dict(rent=rent, util=util, value=value, btc=btc, residual=residual, leases=ev)
    return args, plan, drivers


def assert_random_paths_equal(deal: Deal, seed: int, P: int = 64) -> None:
    """compile_paths on random drivers equals reference_paths on the same, bit for bit."""
    args, plan, drivers = random_paths(deal, seed, P)
    d = deal_level(deal)
    got = path_rows(d, compiled_kernel().compile_paths(plan, **args))
    want = reference_paths(d, drivers)
    for f in ("revenue", "opex", "fees", "proceeds", "asset_value", "liquidation_value",
              "crypto_value"):  # fmt: skip
        _same(getattr(got, f), getattr(want, f), f)
    assert_paths_equal(got, want, d.leases, P)


@pytest.mark.parametrize("name", DEAL_NAMES)
def test_compiled_paths_equal_the_reference_on_random_drivers(name):
    deal = _deal(name)
    for seed in range(3):
        assert_random_paths_equal(deal, seed)


def test_random_drivers_reach_the_branches():
    """On the kitchen-sink deal the random paths terminate, default, call both backstops and
    both RVGs, re-lease and sell in many different periods (else equality proves little)."""
    deal = kitchen_sink()
    args, plan, drivers = random_paths(deal, 0, 256)
    want = reference_paths(deal_level(deal), drivers)
    assert all((want.guarantee_paid[g] > 0).any() for g in ("g1", "g2", "rvg_gpus", "rvg_l"))
    assert want.lease_cash["offtake"].defaulted.any()
    assert (want.lease_cash["offtake"].backstop_paid > 0).any()
    assert len(np.unique(want.sale_period)) > 5


def test_compile_paths_checks_its_inputs():
    deal = load_deal(DEALS / "xai_gpu_spv.json")
    args, plan, _ = random_paths(deal, 1, 4)
    kernel = compiled_kernel()
    with pytest.raises(ValueError, match="rent has shape"):
        kernel.compile_paths(plan, **dict(args, rent=args["rent"][:, :-1]))
    with pytest.raises(ValueError, match="leases has shape"):
        kernel.compile_paths(plan, **dict(args, leases=args["leases"][:3]))
    with pytest.raises(ValueError, match="plan field opex"):
        kernel.compile_paths(dict(plan, opex=plan["opex"][:-1]), **args)
    with pytest.raises(ValueError, match="drawn lease events"):
        kernel.compile_paths(dict(plan, lease_events=1), **dict(args, leases=None))
    with pytest.raises(ValueError, match="reference"):
        compile_deal(deal, Drivers(), engine="cython")
    with pytest.raises(ValueError, match="engine"):
        compile_deal(deal, engine="numba")


def test_one_path_is_the_same_alone_and_in_a_batch():
    """A path's rows do not depend on the paths compiled with it."""
    deal = kitchen_sink()
    args, plan, _ = random_paths(deal, 2, 16)
    kernel = compiled_kernel()
    batch = kernel.compile_paths(plan, **args)
    for p in (0, 7, 15):
        alone = kernel.compile_paths(plan, **{k: v[p : p + 1] for k, v in args.items()})
        for key, rows in alone.items():
            assert np.array_equal(rows[0], batch[key][p]), key


@pytest.mark.parametrize("name", ["xai_gpu_spv", "terawulf_backstop"])
def test_run_deal_reference_compile_gives_the_same_result(name):
    """run_deal on the reference compile and on the production one: the same numbers."""
    from core.engine.kernel import run_waterfall
    from core.engine.results import summarise

    deal = _deal(name)
    ref = compile_deal(deal, engine="reference")
    a = run_deal(deal)
    b = summarise(ref, run_waterfall(ref.inputs))
    assert json.dumps(a.metrics, default=str) == json.dumps(b.metrics, default=str)
    assert a.periods.equals(b.periods)
