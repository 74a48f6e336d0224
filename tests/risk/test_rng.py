"""Per-path random streams: core/risk/_rng.pyx (compiled) and core/risk/streams.py.

Every statistical check uses fixed seeds, so it is deterministic; bounds are 5 standard
errors unless stated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.risk import streams

rng = streams.compiled_rng()

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
ZIG_R = 3.6541528853610087963519472518
KEY = streams.stream_key(20240601)


# --- the seeding of _rng.h, re-implemented with Python ints --------------------------------


def _splitmix64(x: int) -> tuple[int, int]:
    x = (x + GOLDEN) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return x, z ^ (z >> 31)


def _sfc64_step(s: list[int]) -> int:
    a, b, c, w = s
    tmp = (a + b + w) & MASK
    s[0] = b ^ (b >> 11)
    s[1] = (c + (c << 3)) & MASK
    s[2] = ((((c << 24) | (c >> 40)) & MASK) + tmp) & MASK
    s[3] = (w + 1) & MASK
    return tmp


def _seeded_state(key: np.ndarray, path: int) -> list[int]:
    k = [int(v) for v in key]
    x = k[0] ^ ((path * GOLDEN) & MASK)
    x, a = _splitmix64(x)
    x, b = _splitmix64(x)
    x, c = _splitmix64(x)
    s = [a ^ k[1], b ^ k[2], c ^ k[3], 1]
    for _ in range(12):
        _sfc64_step(s)
    return s


def _numpy_bitgen(key: np.ndarray, path: int) -> np.random.SFC64:
    """NumPy's own SFC64 set to the state cs_seed(key, path) produces."""
    bg = np.random.SFC64()
    bg.state = {
        "bit_generator": "SFC64",
        "state": {"state": np.array(_seeded_state(key, path), dtype=np.uint64)},
        "has_uint32": 0,
        "uinteger": 0,
    }
    return bg


def _fill(kind: int, n: int, path: int = 0, key: np.ndarray = KEY) -> np.ndarray:
    out = np.empty(n)
    rng.fill(key, path, kind, out)
    return out


def _raw(n: int, path: int = 0, key: np.ndarray = KEY) -> np.ndarray:
    out = np.empty(n, dtype=np.uint64)
    rng.raw(key, path, out)
    return out


def _phi(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _two_sided_tail(x: float) -> float:
    return math.erfc(x / math.sqrt(2.0))


def _within(value: float, expected: float, se: float, what: str) -> None:
    assert abs(value - expected) <= 5.0 * se, f"{what}: {value} vs {expected} +- 5 x {se}"


# --- bit-exactness against NumPy ------------------------------------------------------------


def test_python_reference_state_matches_numpy_sfc64_step():
    """The Python SFC64 step used below is NumPy's (checked on NumPy's own seeding)."""
    bg = np.random.SFC64(7)
    s = [int(v) for v in bg.state["state"]["state"]]
    expected = bg.random_raw(20)
    assert [_sfc64_step(s) for _ in range(20)] == [int(v) for v in expected]


@pytest.mark.parametrize("path", [0, 1, 12345, 10**6, 2**63 + 5, 2**64 - 1])
def test_raw_stream_is_numpys_sfc64_bit_for_bit(path):
    np.testing.assert_array_equal(_raw(1000, path), _numpy_bitgen(KEY, path).random_raw(1000))


def test_raw_stream_of_another_key_is_numpys_sfc64():
    key = streams.stream_key(0)
    np.testing.assert_array_equal(_raw(1000, 3, key), _numpy_bitgen(key, 3).random_raw(1000))


@pytest.mark.parametrize("path", [0, 77, 2**40 + 1])
def test_uniforms_equal_numpy_generator_random(path):
    expected = np.random.Generator(_numpy_bitgen(KEY, path)).random(1000)
    np.testing.assert_array_equal(_fill(0, 1000, path), expected)
    raw = _raw(1000, path)
    np.testing.assert_array_equal(_fill(0, 1000, path), (raw >> np.uint64(11)) * 2.0**-53)


def test_normals_follow_numpys_ziggurat_draw_for_draw():
    """Same algorithm as NumPy's random_standard_normal on the same 64-bit draws.

    The tables are built by the Marsaglia-Tsang recurrence in double at import, NumPy's are
    hard-coded; they agree to about 1e-13 relative, so the normals agree to that precision
    and every accept / reject / tail decision is the same (no draw goes out of step).
    """
    n = 300_000
    z = _fill(1, n, 5)
    expected = np.random.Generator(_numpy_bitgen(KEY, 5)).standard_normal(n)
    np.testing.assert_allclose(z, expected, rtol=1e-13, atol=0)
    assert np.mean(z == expected) > 0.3  # most are bit-identical
    assert (np.abs(z) > ZIG_R).sum() > 30  # the tail branch was exercised (~77 expected)


def test_exponentials_are_minus_log1p_of_minus_uniform():
    u = np.random.Generator(_numpy_bitgen(KEY, 9)).random(10_000)
    np.testing.assert_array_max_ulp(_fill(2, 10_000, 9), -np.log1p(-u), maxulp=1)


# --- distributions --------------------------------------------------------------------------

N_NORMAL = 2_000_000


@pytest.fixture(scope="module")
def normals():
    return _fill(1, N_NORMAL, 123)


def test_normal_moments(normals):
    n = len(normals)
    m = normals.mean()
    d = normals - m
    m2 = np.mean(d * d)
    m3 = np.mean(d**3)
    m4 = np.mean(d**4)
    _within(m, 0.0, 1 / math.sqrt(n), "mean")
    _within(m2, 1.0, math.sqrt(2 / n), "variance")
    _within(m3 / m2**1.5, 0.0, math.sqrt(6 / n), "skewness")
    _within(m4 / m2**2 - 3.0, 0.0, math.sqrt(24 / n), "excess kurtosis")


def _normal_quantile(p: float) -> float:
    lo, hi = -40.0, 40.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if _phi(mid) < p:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def test_normal_chi_square_over_100_equiprobable_bins(normals):
    """Pearson's chi-square, 99 degrees of freedom, must stay below 180.79, the upper
    1e-6 quantile of the chi-square(99) distribution (a fixed threshold, not a fitted one)."""
    bins = 100
    edges = np.array([_normal_quantile(k / bins) for k in range(1, bins)])
    counts = np.bincount(np.searchsorted(edges, normals), minlength=bins)
    expected = len(normals) / bins
    chi2 = float(np.sum((counts - expected) ** 2 / expected))
    assert chi2 < 180.79, chi2


@pytest.mark.parametrize("x", [ZIG_R, 4.0])
def test_normal_tails(normals, x):
    """Beyond the ziggurat's base (R = 3.654, drawn by Marsaglia's tail method) and beyond 4,
    on each side and both together."""
    n = len(normals)
    p = _two_sided_tail(x)  # 2.58e-4 at R, 6.33e-5 at 4
    both = np.count_nonzero(np.abs(normals) > x)
    _within(both, n * p, math.sqrt(n * p * (1 - p)), f"|z| > {x}")
    for side in (normals > x, normals < -x):
        k = np.count_nonzero(side)
        _within(k, n * p / 2, math.sqrt(n * p / 2 * (1 - p / 2)), f"one tail beyond {x}")


def test_normal_symmetry(normals):
    n = len(normals)
    _within(np.count_nonzero(normals > 0) / n, 0.5, math.sqrt(0.25 / n), "P(z > 0)")


def test_normals_cover_the_wedges_and_the_top_layer(normals):
    """P(|z| < a) for a few a inside the layers (top layer edge 0.215, middle, base)."""
    n = len(normals)
    for a in (0.1, 0.21524, 0.5, 1.0, 2.0, 3.0):
        p = 1 - _two_sided_tail(a)
        k = np.count_nonzero(np.abs(normals) < a)
        _within(k / n, p, math.sqrt(p * (1 - p) / n), f"P(|z| < {a})")


def test_exponential_distribution():
    n = 1_000_000
    e = _fill(2, n, 321)
    assert e.min() >= 0.0
    _within(e.mean(), 1.0, 1 / math.sqrt(n), "mean")
    p = math.exp(-3.0)
    _within(np.count_nonzero(e > 3.0) / n, p, math.sqrt(p * (1 - p) / n), "P(e > 3)")


def test_uniform_distribution():
    n = 1_000_000
    u = _fill(0, n, 11)
    assert u.min() >= 0.0 and u.max() < 1.0
    _within(u.mean(), 0.5, math.sqrt(1 / 12 / n), "mean")
    _within(np.count_nonzero(u < 0.1) / n, 0.1, math.sqrt(0.09 / n), "P(u < 0.1)")


# --- streams --------------------------------------------------------------------------------


@pytest.mark.parametrize("first", [0, 10**6])
def test_neighbouring_paths_are_uncorrelated(first):
    n = 10_000
    a, b = _fill(1, n, first), _fill(1, n, first + 1)
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(n)


def test_other_seed_is_uncorrelated():
    n = 10_000
    a = _fill(1, n, 0, streams.stream_key(1))
    b = _fill(1, n, 0, streams.stream_key(2))
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(n)


ARGS = dict(months=13, event_kinds=[0, 1, 0], gen_rate=0.7, months_per_period=3, n_periods=5)
FIELDS = ("u", "z1", "z2", "zu", "zv", "zr", "residual", "events", "jumps")


def _assert_same(a: streams.PathDraws, b: streams.PathDraws) -> None:
    for f in FIELDS:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


def test_draw_paths_shapes_and_types():
    d = streams.draw_paths(5, 0, 4, **ARGS)
    for f in FIELDS[:6]:
        assert getattr(d, f).shape == (4, 13) and getattr(d, f).dtype == np.float64
    assert d.residual.shape == (4,)
    assert d.events.shape == (4, 3)
    assert d.jumps.shape == (4, 5) and d.jumps.dtype == np.int32
    assert np.all((d.u >= 0) & (d.u < 1))
    assert np.all(d.events[:, 0] >= 0) and np.all((d.events[:, 1] >= 0) & (d.events[:, 1] < 1))


def test_draw_paths_rows_do_not_depend_on_grouping():
    whole = streams.draw_paths(5, 1000, 40, **ARGS, n_threads=1)
    for i in (0, 1, 17, 39):
        one = streams.draw_paths(5, 1000 + i, 1, **ARGS, n_threads=1)
        for f in FIELDS:
            np.testing.assert_array_equal(getattr(whole, f)[i], getattr(one, f)[0], err_msg=f)
    head = streams.draw_paths(5, 1000, 11, **ARGS)
    tail = streams.draw_paths(5, 1011, 29, **ARGS)
    for f in FIELDS:
        glued = np.concatenate([getattr(head, f), getattr(tail, f)])
        np.testing.assert_array_equal(glued, getattr(whole, f), err_msg=f)


def test_draw_paths_does_not_depend_on_threads():
    _assert_same(
        streams.draw_paths(5, 2**40, 1001, **ARGS, n_threads=1),
        streams.draw_paths(5, 2**40, 1001, **ARGS, n_threads=2),
    )


def test_same_seed_same_draws_other_seed_other_draws():
    a = streams.draw_paths(5, 0, 50, **ARGS)
    _assert_same(a, streams.draw_paths(5, 0, 50, **ARGS))
    b = streams.draw_paths(6, 0, 50, **ARGS)
    for f in FIELDS[:8]:
        assert not np.any(getattr(a, f) == getattr(b, f)), f
    assert not np.array_equal(a.jumps, b.jumps)
    np.testing.assert_array_equal(streams.stream_key(5), streams.stream_key(5))
    assert not np.array_equal(streams.stream_key(5), streams.stream_key(6))


def test_draw_order_first_uniform_is_the_first_raw_output():
    d = streams.draw_paths(9, 314, 1, 2, [], 0.0, 1, 0)
    raw = _raw(1, 314, streams.stream_key(9))
    assert d.u[0, 0] == float(raw[0] >> np.uint64(11)) * 2.0**-53


@pytest.mark.parametrize("path", [0, 4242, 2**50 + 3])
def test_draw_order_reproduced_with_numpy(path):
    """The whole of one path rebuilt from NumPy's SFC64 in the documented order: monthly u,
    z1, z2, zu, zv, zr; the residual; the events; the Poisson arrivals."""
    months, kinds, rate, mpp, periods = 4, [0, 1, 1, 0], 3.0, 2, 30
    d = streams.draw_paths(9, path, 1, months, kinds, rate, mpp, periods)
    g = np.random.Generator(_numpy_bitgen(streams.stream_key(9), path))

    def normal() -> float:
        return float(g.standard_normal())

    for j in range(months):
        assert d.u[0, j] == g.random()
        for f in ("z1", "z2", "zu", "zv", "zr"):
            assert getattr(d, f)[0, j] == pytest.approx(normal(), rel=1e-13, abs=0)
    assert d.residual[0] == pytest.approx(normal(), rel=1e-13, abs=0)
    for i, k in enumerate(kinds):
        u = g.random()
        assert d.events[0, i] == (-math.log1p(-u) if k == 0 else u)
    jumps = [0] * periods
    tau = 0.0
    while True:
        tau += -math.log1p(-g.random()) / rate
        k = math.floor(tau * 12.0 / mpp)
        if k >= periods:
            break
        jumps[k] += 1
    assert d.jumps[0].tolist() == jumps
    assert sum(jumps) > 0


# --- generation arrivals (Poisson) ----------------------------------------------------------


def _check_poisson(counts: np.ndarray, lam: float, what: str) -> None:
    """Mean and variance of Poisson(lam) counts (any shape, pooled), 5 s.e. each;
    var(sample variance) = (mu4 - sigma^4) / N = (lam + 2 lam^2) / N for a Poisson."""
    hist = np.bincount(counts.ravel()).astype(np.float64)  # counts are small integers
    k = np.arange(len(hist), dtype=np.float64)
    n = counts.size
    mean = float(hist @ k) / n
    s2 = float(hist @ (k * k))
    var = (s2 - n * mean * mean) / (n - 1)
    _within(mean, lam, math.sqrt(lam / n), f"{what} mean")
    _within(var, lam, math.sqrt((lam + 2 * lam * lam) / n), f"{what} variance")


@pytest.mark.parametrize("mpp, periods", [(1, 120), (3, 40)])
def test_generation_arrivals_are_poisson(mpp, periods):
    n, rate = 200_000, 0.2
    d = streams.draw_paths(77, 0, n, 0, [], rate, mpp, periods)
    lam = rate * mpp / 12
    _check_poisson(d.jumps, lam, "per period (pooled)")
    per_period = d.jumps.sum(axis=0, dtype=np.int64) / n
    for k in range(periods):  # every period on its own
        _within(per_period[k], lam, math.sqrt(lam / n), f"period {k} mean")
    _check_poisson(d.jumps.sum(axis=1, dtype=np.int64), rate * 10, "total per path")
    p0 = math.exp(-rate * 10)
    _within(np.mean(d.jumps.sum(axis=1) == 0), p0, math.sqrt(p0 * (1 - p0) / n), "P(none)")
    # neighbouring periods are independent (on the first 50,000 paths)
    a, b = d.jumps[:50_000, :-1].ravel(), d.jumps[:50_000, 1:].ravel()
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / math.sqrt(a.size)


def test_zero_rate_gives_no_arrivals():
    d = streams.draw_paths(77, 0, 1000, 2, [0], 0.0, 1, 120)
    assert d.jumps.shape == (1000, 120) and not d.jumps.any()


def test_tiny_rate_huge_arrival_times():
    """tau ~ 1e300 years: compared in double, never converted to an out-of-range integer."""
    d = streams.draw_paths(77, 0, 1000, 0, [], 1e-300, 1, 120)
    assert not d.jumps.any()


def test_arrivals_do_not_change_the_other_draws():
    """The arrivals come last: the rest of the path is the same whatever the rate."""
    a = streams.draw_paths(3, 10, 20, 6, [0, 1], 0.0, 1, 12)
    b = streams.draw_paths(3, 10, 20, 6, [0, 1], 50.0, 1, 12)
    for f in FIELDS[:8]:
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)
    assert b.jumps.sum() > 0


def test_draw_paths_writes_nothing_past_its_buffers():
    """Every output is the head of a longer buffer; the guard words after it stay as set
    (a busy generation process, so arrivals fall in and right after the last period)."""
    n, m, e, t, guard = 7, 3, 2, 12, 16

    def head(shape, dtype=np.float64):
        buf = np.full(math.prod(shape) + guard, -7, dtype=dtype)
        return buf, buf[: math.prod(shape)].reshape(shape)

    bufs = {f: head((n, m)) for f in FIELDS[:6]}
    bufs["residual"] = head((n,))
    bufs["events"] = head((n, e))
    bufs["jumps"] = head((n, t), np.int32)
    kinds = np.array([0, 1], dtype=np.int8)
    rng.draw_paths(KEY, 0, kinds, 60.0, 1, **{f: v for f, (_, v) in bufs.items()}, n_threads=2)
    for f, (buf, _) in bufs.items():
        assert np.all(buf[-guard:] == -7), f
    assert bufs["jumps"][1].sum() > 30 * n


def test_empty_shapes():
    d = streams.draw_paths(1, 0, 0, 12, [0], 0.2, 1, 12)
    assert d.u.shape == (0, 12) and d.jumps.shape == (0, 12)
    d = streams.draw_paths(1, 2**64 - 3, 3, 0, [], 0.0, 1, 0)
    assert d.u.shape == (3, 0) and d.events.shape == (3, 0) and d.jumps.shape == (3, 0)
    assert np.all(np.isfinite(d.residual))


# --- bad input ------------------------------------------------------------------------------


def _buffers(n=3, m=4, e=2, t=5):
    return dict(
        u=np.empty((n, m)),
        z1=np.empty((n, m)),
        z2=np.empty((n, m)),
        zu=np.empty((n, m)),
        zv=np.empty((n, m)),
        zr=np.empty((n, m)),
        residual=np.empty(n),
        events=np.empty((n, e)),
        jumps=np.empty((n, t), dtype=np.int32),
    )


def _call(key=KEY, kinds=(0, 1), rate=0.2, mpp=1, threads=1, **bufs):
    b = _buffers()
    b.update(bufs)
    rng.draw_paths(key, 0, np.array(kinds, dtype=np.int8), rate, mpp, **b, n_threads=threads)


def test_draw_paths_accepts_good_buffers():
    _call()


@pytest.mark.parametrize(
    "name, bad",
    [
        ("z1", np.empty((3, 5))),
        ("z2", np.empty((2, 4))),
        ("zu", np.empty((3, 3))),
        ("zv", np.empty((4, 4))),
        ("zr", np.empty((3, 0))),
        ("residual", np.empty(2)),
        ("events", np.empty((3, 1))),
        ("jumps", np.empty((2, 5), dtype=np.int32)),
    ],
)
def test_draw_paths_wrong_shape_names_the_argument(name, bad):
    with pytest.raises(ValueError, match=name):
        _call(**{name: bad})


def test_draw_paths_bad_scalars():
    with pytest.raises(ValueError, match="key"):
        _call(key=KEY[:3].copy())
    with pytest.raises(ValueError, match="event_kinds"):
        _call(kinds=(0, 2))
    for rate in (-0.1, math.inf, math.nan):
        with pytest.raises(ValueError, match="gen_rate"):
            _call(rate=rate)
    with pytest.raises(ValueError, match="mpp"):
        _call(mpp=0)
    with pytest.raises(ValueError, match="n_threads"):
        _call(threads=0)


def test_raw_and_fill_bad_input():
    with pytest.raises(ValueError, match="key"):
        rng.raw(KEY[:2].copy(), 0, np.empty(3, dtype=np.uint64))
    with pytest.raises(ValueError, match="key"):
        rng.fill(np.zeros(5, dtype=np.uint64), 0, 0, np.empty(3))
    with pytest.raises(ValueError, match="kind"):
        rng.fill(KEY, 0, 3, np.empty(3))


@pytest.mark.parametrize("seed", [-1, 1.5, True, "1", None])
def test_stream_key_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match="seed"):
        streams.stream_key(seed)


def test_stream_key_is_seedsequence_state():
    key = streams.stream_key(2**70)
    assert key.dtype == np.uint64 and key.shape == (4,)
    np.testing.assert_array_equal(key, np.random.SeedSequence(2**70).generate_state(4, np.uint64))


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(first_path=-1), "first_path"),
        (dict(first_path=2**64 - 1, n=2), "2\\*\\*64"),
        (dict(n=-1), "n must"),
        (dict(months=-2), "months"),
        (dict(months_per_period=0), "months_per_period"),
        (dict(n_periods=-1), "n_periods"),
        (dict(event_kinds=[0, 3]), "event_kinds"),
        (dict(gen_rate=-1.0), "gen_rate"),
        (dict(gen_rate=math.inf), "gen_rate"),
        (dict(n_threads=0), "n_threads"),
    ],
)
def test_draw_paths_wrapper_bad_input(kwargs, word):
    args = dict(seed=1, first_path=0, n=2, **ARGS)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        streams.draw_paths(**args)
