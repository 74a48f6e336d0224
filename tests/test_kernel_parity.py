"""The compiled kernel agrees with the NumPy reference (the executable specification)."""

from __future__ import annotations

import sys
from dataclasses import fields

import numpy as np
import pytest

from core.engine import kernel
from core.engine.arrays import PATH_FIELDS, EngineInputs, EngineOutputs
from core.engine.kernel import run_waterfall
from tests.inputs_factory import random_inputs, tiled

RTOL = ATOL = 1e-9


def assert_outputs_match(ref: EngineOutputs, got: EngineOutputs, exact: bool = False) -> None:
    """Every field within rtol/atol 1e-9 (NaN where NaN); flags exactly; or bit for bit."""
    for f in fields(EngineOutputs):
        a, b = getattr(ref, f.name), getattr(got, f.name)
        assert a.shape == b.shape and a.dtype == b.dtype, f.name
        if exact or f.name == "flags":
            ok = np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        else:
            ok = np.allclose(b, a, rtol=RTOL, atol=ATOL, equal_nan=True)
        if not ok:
            bad = np.argwhere(~np.isclose(b, a, rtol=RTOL, atol=ATOL, equal_nan=True) | (a != b))
            idx = tuple(bad[0])
            raise AssertionError(
                f"{f.name} differs at {idx} (path, [tranche,] period): "
                f"reference {a[idx]!r}, kernel {b[idx]!r}; {len(bad)} elements differ"
            )


def _case(seed: int, n_paths: int | None = None, **switches) -> EngineInputs:
    rng = np.random.default_rng(seed)
    P = int(rng.integers(1, 25)) if n_paths is None else n_paths
    return random_inputs(rng, P, **switches)


@pytest.mark.parametrize("seed", range(300))
def test_kernel_matches_reference(seed):
    inp = _case(seed)
    assert_outputs_match(run_waterfall(inp, "reference"), run_waterfall(inp, n_threads=2))


@pytest.mark.parametrize("seed", range(40))
def test_kernel_matches_reference_in_annual_periods(seed):
    inp = _case(789_000 + seed, ppy=1)
    assert_outputs_match(run_waterfall(inp, "reference"), run_waterfall(inp, n_threads=2))


@pytest.mark.parametrize("seed", range(40))
def test_kernel_matches_reference_without_features(seed):
    """Plain deals too: no covenants, no crypto, no PIK, fixed rates, everything per path."""
    rng = np.random.default_rng(10_000 + seed)
    off = dict(floating=False, pik=False, crypto=False, covenants=False, shared_mix=False)
    switch_off = {k: v for k, v in off.items() if rng.random() < 0.6}
    inp = random_inputs(rng, int(rng.integers(1, 10)), **switch_off)
    assert_outputs_match(run_waterfall(inp, "reference"), run_waterfall(inp))


@pytest.mark.parametrize(("n_tranches", "n_periods"), [(1, 1), (6, 1), (1, 2), (3, 12), (6, 60)])
def test_kernel_matches_reference_edge_sizes(n_tranches, n_periods):
    for seed in range(10):
        inp = random_inputs(np.random.default_rng(seed), 3, n_tranches, n_periods)
        assert_outputs_match(run_waterfall(inp, "reference"), run_waterfall(inp))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kernel_matches_reference_2000_paths(seed):
    inp = _case(20_000 + seed, n_paths=2000, shared_mix=False)
    ref = run_waterfall(inp, "reference")
    assert_outputs_match(ref, run_waterfall(inp, n_threads=2))
    assert_outputs_match(ref, run_waterfall(inp, n_threads=1))


@pytest.mark.parametrize("seed", range(20))
def test_threads_give_identical_results(seed):
    inp = _case(30_000 + seed, n_paths=257)
    one = run_waterfall(inp, n_threads=1)
    assert_outputs_match(one, run_waterfall(inp, n_threads=2), exact=True)
    assert_outputs_match(one, run_waterfall(inp, n_threads=7), exact=True)  # > cores, > 1


@pytest.mark.parametrize("seed", range(20))
def test_shared_rows_equal_tiled_rows(seed):
    inp = _case(40_000 + seed, n_paths=9)
    full = tiled(inp)
    assert all(
        getattr(full, name).shape[0] == 9 for name in PATH_FIELDS if getattr(full, name) is not None
    )
    assert_outputs_match(run_waterfall(inp), run_waterfall(full), exact=True)


def test_one_path_is_the_same_as_its_row_in_a_batch():
    inp = _case(50_000, n_paths=40, shared_mix=False)
    batch = run_waterfall(inp)
    for p in (0, 17, 39):
        rows = {n: getattr(inp, n) for n in PATH_FIELDS if getattr(inp, n) is not None}
        single = inp.with_paths(**{name: a[p : p + 1] for name, a in rows.items()})
        one = run_waterfall(single)
        for f in fields(EngineOutputs):
            np.testing.assert_array_equal(getattr(one, f.name)[0], getattr(batch, f.name)[p])


def test_out_buffers_are_reused_and_fully_overwritten():
    inp = _case(60_000, n_paths=16)
    out = EngineOutputs.empty(inp.n_paths, inp.n_tranches, inp.n_periods)
    for f in fields(EngineOutputs):
        getattr(out, f.name)[...] = 12345  # garbage the kernel must overwrite
    res = run_waterfall(inp, out=out)
    assert res is out
    assert_outputs_match(run_waterfall(inp, "reference"), out)
    with pytest.raises(ValueError, match=r"out\.cfads .* shape \(16, "):
        bad = EngineOutputs.empty(inp.n_paths + 1, inp.n_tranches, inp.n_periods)
        run_waterfall(inp, out=bad)


def test_inputs_of_other_dtypes_and_layouts_are_converted():
    inp = _case(70_000, n_paths=5, shared_mix=False)
    ref = run_waterfall(inp, "reference")
    odd = inp.with_paths()  # a copy
    odd.revenue = np.asfortranarray(inp.revenue)
    odd.notional = np.repeat(inp.notional, 2)[::2]  # strided view
    odd.floating = inp.floating.astype(bool)
    odd.pik = inp.pik.astype(np.int64)
    odd.maturity = inp.maturity.astype(np.int64)
    odd.group_start = inp.group_start.astype(np.int64)
    odd.year_fraction = np.asfortranarray(inp.year_fraction)
    odd.base_rate = np.repeat(inp.base_rate, 2, axis=1)[:, ::2]
    assert_outputs_match(ref, run_waterfall(odd))


def test_bad_shapes_are_reported_by_name():
    inp = _case(80_000, n_paths=4, shared_mix=False)
    inp.opex = inp.opex[:3]
    with pytest.raises(ValueError, match="opex"):
        run_waterfall(inp)
    inp = _case(80_001, n_paths=2)
    inp.scheduled_principal = inp.scheduled_principal[:, :-1]
    with pytest.raises(ValueError, match="scheduled_principal"):
        run_waterfall(inp)
    inp = _case(80_002, n_paths=2)
    inp.fees = inp.fees[0]  # 1-D
    with pytest.raises(ValueError, match="fees"):
        run_waterfall(inp)
    inp = _case(80_003, n_paths=2)
    inp.group_start = np.array([0, inp.n_tranches + 1], dtype=np.int32)
    with pytest.raises(ValueError, match="group_start"):
        run_waterfall(inp)


def test_engine_and_threads_are_validated():
    inp = _case(90_000, n_paths=2)
    with pytest.raises(ValueError, match="engine"):
        run_waterfall(inp, engine="numba")
    with pytest.raises(ValueError, match="n_threads"):
        run_waterfall(inp, n_threads=0)


def test_reference_engine_is_the_reference():
    from core.engine.reference import run_reference

    inp = _case(91_000, n_paths=3)
    assert_outputs_match(run_reference(inp), run_waterfall(inp, engine="reference"), exact=True)


def test_missing_build_says_how_to_build(monkeypatch):
    monkeypatch.setattr(kernel, "_kernel", None)
    monkeypatch.setitem(sys.modules, kernel.KERNEL_MODULE, None)  # makes the import fail
    inp = _case(92_000, n_paths=1)
    with pytest.raises(ImportError) as info:
        run_waterfall(inp)
    msg = str(info.value)
    assert "core.engine._waterfall" in msg
    assert "pip install -e ." in msg
    assert "python setup.py build_ext --inplace" in msg
    with pytest.raises(ImportError, match="pip install -e"):
        kernel.check_build()
    # ... and never a silent fallback: the reference still needs to be asked for
    assert run_waterfall(inp, engine="reference").balance.shape[0] == 1


def test_stale_build_is_refused(monkeypatch):
    class Stale:
        ABI_VERSION = -1

    monkeypatch.setattr(kernel, "_kernel", None)
    monkeypatch.setitem(sys.modules, kernel.KERNEL_MODULE, Stale)
    with pytest.raises(ImportError, match="stale"):
        kernel.check_build()
