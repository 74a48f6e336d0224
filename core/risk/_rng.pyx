# cython: language_level=3
"""Compiled per-path random numbers for the Monte Carlo (built by setup.py like every _*.pyx).

Path ``p`` (a global 64-bit index) draws from its own SFC64 stream seeded from the run
``key`` (4 uint64 words, see core.risk.streams.stream_key) and ``p`` (core/risk/_rng.h), so
the draws of a path do not depend on chunking or on the number of threads.

``raw(key, path, out)``: the path's raw 64-bit outputs (NumPy's SFC64 step, bit for bit).
``fill(key, path, kind, out)``: the path's stream as uniforms (0), standard normals (1, NumPy's
256-layer ziggurat) or standard exponentials (2, ``-log1p(-U)``).
``draw_paths(...)``: every draw of rows ``first_path + i`` for the Monte Carlo, in the order
of ``cs_draw_path`` (monthly u, z1, z2, zu, zv, zr; the residual; the events; the Poisson
arrivals per period), rows in parallel (OpenMP).
"""

from cython.parallel cimport prange
from libc.math cimport isfinite
from libc.stdint cimport uint64_t

cdef extern from "_rng.h" nogil:
    ctypedef struct cs_rng:
        uint64_t s[4]
    uint64_t cs_next64(cs_rng* r)
    void cs_seed(cs_rng* r, const uint64_t* key, uint64_t path)
    double cs_uniform(cs_rng* r)
    double cs_exponential(cs_rng* r)
    double cs_normal(cs_rng* r)
    void cs_zig_init()
    void cs_draw_path(
        cs_rng* r, Py_ssize_t M, double* u, double* z1, double* z2, double* zu, double* zv,
        double* zr, double* residual, Py_ssize_t n_events, const signed char* event_kinds,
        double* events, double gen_rate, int mpp, Py_ssize_t T, int* jumps,
    )

ABI_VERSION = 1

cs_zig_init()


cdef inline void _check_key(const unsigned long long[::1] key) except *:
    if key.shape[0] != 4:
        raise ValueError(f"key must have 4 uint64 words, got {key.shape[0]}")


def raw(const unsigned long long[::1] key, unsigned long long path, unsigned long long[::1] out):
    """``out[i]``: the i-th raw 64-bit output of path ``path``'s stream."""
    cdef cs_rng r
    cdef Py_ssize_t i
    _check_key(key)
    with nogil:
        cs_seed(&r, <const uint64_t*>&key[0], path)
        for i in range(out.shape[0]):
            out[i] = cs_next64(&r)


def fill(const unsigned long long[::1] key, unsigned long long path, int kind, double[::1] out):
    """``out``: path ``path``'s stream as uniforms in [0, 1) (``kind`` 0), standard normals
    (1) or standard exponentials (2)."""
    cdef cs_rng r
    cdef Py_ssize_t i, n = out.shape[0]
    _check_key(key)
    if kind < 0 or kind > 2:
        raise ValueError(f"kind must be 0 (uniform), 1 (normal) or 2 (exponential), got {kind}")
    with nogil:
        cs_seed(&r, <const uint64_t*>&key[0], path)
        if kind == 0:
            for i in range(n):
                out[i] = cs_uniform(&r)
        elif kind == 1:
            for i in range(n):
                out[i] = cs_normal(&r)
        else:
            for i in range(n):
                out[i] = cs_exponential(&r)


cdef inline void _check_2d(object name, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t n,
                           Py_ssize_t m, object want) except *:
    if rows != n or cols != m:
        raise ValueError(f"{name} must be {want} = ({n}, {m}), got ({rows}, {cols})")


cdef void _draw_row(
    const uint64_t* key, uint64_t path, Py_ssize_t M, double* u, double* z1, double* z2,
    double* zu, double* zv, double* zr, double* residual, Py_ssize_t E,
    const signed char* kinds, double* events, double gen_rate, int mpp, Py_ssize_t T,
    int* jumps,
) noexcept nogil:
    cdef cs_rng r  # private to the row (and so to the thread)
    cs_seed(&r, key, path)
    cs_draw_path(&r, M, u, z1, z2, zu, zv, zr, residual, E, kinds, events, gen_rate, mpp, T,
                 jumps)


def draw_paths(
    const unsigned long long[::1] key, unsigned long long first_path,
    const signed char[::1] event_kinds, double gen_rate, int mpp,
    double[:, ::1] u, double[:, ::1] z1, double[:, ::1] z2, double[:, ::1] zu,
    double[:, ::1] zv, double[:, ::1] zr, double[::1] residual, double[:, ::1] events,
    int[:, ::1] jumps, int n_threads,
):
    """Row ``i`` of every output: the draws of path ``first_path + i`` (see cs_draw_path in
    _rng.h): ``u``..``zr`` (n, M) monthly, ``residual`` (n,), ``events`` (n, E) with
    ``E = len(event_kinds)`` (0: exponential, 1: uniform), ``jumps`` (n, T) Poisson arrivals
    of ``gen_rate`` a year per period of ``mpp`` months. Rows in parallel; the values do not
    depend on ``n_threads``."""
    cdef Py_ssize_t n = u.shape[0]
    cdef Py_ssize_t M = u.shape[1]
    cdef Py_ssize_t E = event_kinds.shape[0]
    cdef Py_ssize_t T = jumps.shape[1]
    cdef Py_ssize_t i, k
    cdef const uint64_t* kp
    cdef const signed char* kinds = NULL
    _check_key(key)
    _check_2d("z1", z1.shape[0], z1.shape[1], n, M, "(n, M) like u")
    _check_2d("z2", z2.shape[0], z2.shape[1], n, M, "(n, M) like u")
    _check_2d("zu", zu.shape[0], zu.shape[1], n, M, "(n, M) like u")
    _check_2d("zv", zv.shape[0], zv.shape[1], n, M, "(n, M) like u")
    _check_2d("zr", zr.shape[0], zr.shape[1], n, M, "(n, M) like u")
    if residual.shape[0] != n:
        raise ValueError(f"residual must be (n,) = ({n},), got ({residual.shape[0]},)")
    _check_2d("events", events.shape[0], events.shape[1], n, E, "(n, len(event_kinds))")
    if jumps.shape[0] != n:
        raise ValueError(f"jumps must be (n, T) with n = {n} rows, got {jumps.shape[0]}")
    for k in range(E):
        if event_kinds[k] != 0 and event_kinds[k] != 1:
            raise ValueError(
                f"event_kinds must be 0 (exponential) or 1 (uniform), got {event_kinds[k]} "
                f"at {k}"
            )
    if not (isfinite(gen_rate) and gen_rate >= 0.0):
        raise ValueError(f"gen_rate must be finite and non-negative, got {gen_rate}")
    if mpp < 1:
        raise ValueError(f"mpp must be at least 1, got {mpp}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be at least 1, got {n_threads}")
    if n == 0:
        return
    kp = <const uint64_t*>&key[0]
    if E > 0:
        kinds = &event_kinds[0]
    # rows with 0 columns get NULL pointers (never touched), so no empty dimension is indexed
    for i in prange(n, nogil=True, schedule="static", num_threads=n_threads):
        _draw_row(
            kp, <uint64_t>(first_path + <unsigned long long>i), M,
            &u[i, 0] if M > 0 else NULL, &z1[i, 0] if M > 0 else NULL,
            &z2[i, 0] if M > 0 else NULL, &zu[i, 0] if M > 0 else NULL,
            &zv[i, 0] if M > 0 else NULL, &zr[i, 0] if M > 0 else NULL,
            &residual[i], E, kinds, &events[i, 0] if E > 0 else NULL, gen_rate, mpp, T,
            &jumps[i, 0] if T > 0 else NULL,
        )
