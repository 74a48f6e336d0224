"""Per-path random streams for the Monte Carlo (compiled in core/risk/_rng.pyx).

Every path ``p`` (a global 64-bit index) draws from its own SFC64 stream seeded from the run
key (:func:`stream_key`) and ``p``, so the draws of a path are the same however the paths are
chunked, ordered or spread over threads and processes. The generator is NumPy's SFC64 (bit for
bit), the normals are NumPy's 256-layer ziggurat and the exponentials ``-log1p(-U)``.

:func:`draw_paths` makes every draw of a block of consecutive paths, per path in this order:
per month ``u`` (uniform), ``z1``, ``z2``, ``zu``, ``zv``, ``zr`` (standard normals); the
``residual`` normal; one draw per event (exponential for kind 0, uniform for kind 1); then the
arrival times of a Poisson process of ``gen_rate`` a year, counted per period of
``months_per_period`` months into ``jumps``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

RNG_ABI = 1  # core.risk._rng.ABI_VERSION this wrapper was written for
_CPUS = os.cpu_count() or 1
_U64 = 1 << 64


def compiled_rng() -> ModuleType:
    """The compiled generator module, or ``ImportError`` saying how to build it."""
    try:
        from core.risk import _rng
    except ImportError as exc:
        raise ImportError(
            f"The compiled random streams (core.risk._rng) cannot be imported ({exc}). "
            "Build them from the repository root with `pip install -e .` or "
            "`python setup.py build_ext --inplace` (scripts/install.sh does it all)."
        ) from exc
    if getattr(_rng, "ABI_VERSION", None) != RNG_ABI:
        raise ImportError(
            "core.risk._rng is stale: rebuild with `python setup.py build_ext --inplace`"
        )
    return _rng


def _non_negative_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be a non-negative integer, got {value}")
    return int(value)


def stream_key(seed: int) -> np.ndarray:
    """The run key (4 uint64 words) of ``seed``: ``SeedSequence(seed).generate_state(4)``."""
    seed = _non_negative_int("seed", seed)
    return np.random.SeedSequence(seed).generate_state(4, np.uint64)


@dataclass
class PathDraws:
    """Every random draw of ``n`` consecutive paths (row ``i`` is path ``first_path + i``)."""

    u: np.ndarray  # (n, M) uniforms in [0, 1), one a month
    z1: np.ndarray  # (n, M) standard normals, one a month
    z2: np.ndarray  # (n, M)
    zu: np.ndarray  # (n, M)
    zv: np.ndarray  # (n, M)
    zr: np.ndarray  # (n, M)
    residual: np.ndarray  # (n,) standard normal
    events: np.ndarray  # (n, E) exponential (kind 0) or uniform (kind 1) per event
    jumps: np.ndarray  # (n, T) int32 Poisson arrivals per period


def draw_paths(
    seed: int,
    first_path: int,
    n: int,
    months: int,
    event_kinds: Sequence[int],
    gen_rate: float,
    months_per_period: int,
    n_periods: int,
    n_threads: int | None = None,
) -> PathDraws:
    """The draws of paths ``first_path .. first_path + n - 1`` of the run of ``seed``.

    ``months`` monthly draws of each of u, z1, z2, zu, zv, zr; one draw per entry of
    ``event_kinds`` (0: standard exponential, 1: uniform); ``jumps[:, k]`` the number of
    arrivals of a Poisson process of ``gen_rate`` a year in period ``k`` (months
    ``[k * months_per_period, (k + 1) * months_per_period)``), for ``n_periods`` periods.
    Rows are drawn in parallel on ``n_threads`` threads (default: every CPU); the values do
    not depend on ``n_threads`` nor on how a run is split into blocks.
    """
    key = stream_key(seed)
    first_path = _non_negative_int("first_path", first_path)
    n = _non_negative_int("n", n)
    months = _non_negative_int("months", months)
    n_periods = _non_negative_int("n_periods", n_periods)
    mpp = _non_negative_int("months_per_period", months_per_period)
    if mpp < 1:
        raise ValueError(f"months_per_period must be at least 1, got {mpp}")
    if first_path + n > _U64:
        raise ValueError(f"first_path + n must not exceed 2**64, got {first_path} + {n}")
    rate = float(gen_rate)
    if not (np.isfinite(rate) and rate >= 0.0):
        raise ValueError(f"gen_rate must be finite and non-negative, got {gen_rate!r}")
    kinds = np.asarray(event_kinds, dtype=np.int64).reshape(-1)
    if np.any((kinds != 0) & (kinds != 1)):
        raise ValueError(f"event_kinds must be 0 (exponential) or 1 (uniform), got {kinds}")
    threads = _CPUS if n_threads is None else int(n_threads)
    if threads < 1:
        raise ValueError(f"n_threads must be at least 1, got {n_threads}")
    rng = compiled_rng()
    monthly = [np.empty((n, months)) for _ in range(6)]
    out = PathDraws(
        *monthly,
        residual=np.empty(n),
        events=np.empty((n, len(kinds))),
        jumps=np.empty((n, n_periods), dtype=np.int32),
    )
    rng.draw_paths(
        key,
        first_path,
        kinds.astype(np.int8),
        rate,
        mpp,
        out.u,
        out.z1,
        out.z2,
        out.zu,
        out.zv,
        out.zr,
        out.residual,
        out.events,
        out.jumps,
        threads,
    )
    return out
