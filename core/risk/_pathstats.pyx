# cython: language_level=3
"""Compiled per-path statistics for the Monte Carlo (built by setup.py like every _*.pyx).

``irr_newton(cf, out, iters, n_threads)``: periodic IRR of each row of ``cf`` (P, N; first flow
at time 0) by Newton's method in ``v = 1 / (1 + r)``, evaluating the NPV and its derivative by
Horner's rule, rows in parallel (OpenMP). A row gets NaN when Newton does not settle (step
below 1e-13 relative) within ``iters`` steps or leaves ``v > 0``; the caller falls back to
bisection for those rows (core.risk.mcstats.equity_irr).

``markov_regimes`` and ``ar1_period_ends`` are the sequential-in-time loops of the driver
generation (core.risk.paths), run per path in parallel with the same arithmetic as NumPy.
"""

from cython.parallel cimport prange
from libc.math cimport NAN, fabs, floor, isfinite

ABI_VERSION = 3


def irr_newton(const double[:, ::1] cf, double[::1] out, int iters, int n_threads):
    cdef Py_ssize_t P = cf.shape[0]
    cdef Py_ssize_t N = cf.shape[1]
    cdef Py_ssize_t p, n
    cdef int it
    cdef double v, f, d, step, scale
    if out.shape[0] != P:
        raise ValueError(f"out has {out.shape[0]} rows, cf has {P}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be at least 1, got {n_threads}")
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        v = 1.0 / 1.01
        out[p] = NAN
        for it in range(iters):
            f = 0.0
            d = 0.0
            for n in range(N - 1, -1, -1):
                d = d * v + f
                f = f * v + cf[p, n]
            if d == 0.0:
                break
            step = f / d
            v = v - step
            if not (v > 0.0):
                break
            scale = fabs(v)
            if scale < 1.0:
                scale = 1.0
            if fabs(step) < 1e-13 * scale:
                out[p] = 1.0 / v - 1.0
                break


def markov_regimes(
    const double[:, ::1] u, double p_enter, double p_exit, unsigned char[:, ::1] out,
    int n_threads,
):
    """Two-state chain per row from uniforms ``u`` (P, M), starting normal (0): from normal go
    to stress (1) when ``u < p_enter``; from stress stay when ``u >= p_exit``."""
    cdef Py_ssize_t P = u.shape[0]
    cdef Py_ssize_t M = u.shape[1]
    cdef Py_ssize_t p, j
    cdef unsigned char s
    if out.shape[0] != P or out.shape[1] != M:
        raise ValueError("out must have the shape of u")
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        s = 0
        for j in range(M):
            if s:
                s = u[p, j] >= p_exit
            else:
                s = u[p, j] < p_enter
            out[p, j] = s


def ar1_period_ends(
    const double[:, ::1] eps, double phi, int mpp, double[:, ::1] out, int n_threads
):
    """``x_j = phi x_(j-1) + eps_j`` from ``x = 0`` per row; ``out[:, k] = 1 + x`` at the end of
    each period of ``mpp`` months."""
    cdef Py_ssize_t P = eps.shape[0]
    cdef Py_ssize_t M = eps.shape[1]
    cdef Py_ssize_t p, j
    cdef double x
    if mpp < 1 or out.shape[0] != P or out.shape[1] * mpp > M:
        raise ValueError("out must be (P, M // mpp) and mpp at least 1")
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        x = 0.0
        for j in range(out.shape[1] * mpp):
            x = phi * x + eps[p, j]
            if (j + 1) % mpp == 0:
                out[p, j // mpp] = 1.0 + x


def hist_counts(
    const double[:, ::1] values, double lo, double width, Py_ssize_t n_edges,
    long long[:, ::1] out, int n_threads,
):
    """Per-period histogram of ``values`` (P, T) into ``out`` (T, n_edges + 1), which is
    zeroed first. Uniform edges ``lo + k * width`` (k = 0..n_edges-1): bin 0 below the first
    edge, bin b ``[edge b-1, edge b)``, bin n_edges from the last edge up; NaN not counted.
    The index is ``floor(clip((v - lo) / width, -1, n_edges - 1)) + 1``, as in NumPy."""
    cdef Py_ssize_t P = values.shape[0]
    cdef Py_ssize_t T = values.shape[1]
    cdef Py_ssize_t p, t, b
    cdef double pos
    if out.shape[0] != T or out.shape[1] != n_edges + 1:
        raise ValueError("out must be (T, n_edges + 1)")
    out[:, :] = 0
    for t in prange(T, nogil=True, num_threads=n_threads, schedule="static"):
        for p in range(P):
            pos = (values[p, t] - lo) / width
            if not isfinite(pos):
                continue
            if pos < -1.0:
                pos = -1.0
            elif pos > n_edges - 1:
                pos = n_edges - 1
            b = <Py_ssize_t>floor(pos) + 1
            out[t, b] += 1
