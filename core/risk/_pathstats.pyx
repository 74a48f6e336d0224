# cython: language_level=3
"""Compiled per-path statistics for the Monte Carlo (built by setup.py like every _*.pyx).

``irr_newton(cf, out, iters, n_threads)``: periodic IRR of each row of ``cf`` (P, N; first flow
at time 0) by Newton's method in ``v = 1 / (1 + r)``, evaluating the NPV and its derivative by
Horner's rule, rows in parallel (OpenMP). A row gets NaN when Newton does not settle (step
below 1e-13 relative) within ``iters`` steps or leaves ``v > 0``; the caller falls back to
bisection for those rows (core.risk.mcstats.equity_irr).

``markov_regimes`` and ``ar1_period_ends`` are the sequential-in-time loops of the driver
generation (core.risk.paths), run per path in parallel with the same arithmetic as NumPy.
``driver_paths`` turns one chunk's random draws (core.risk.streams: one compiled stream per path)
into every market driver in one pass per path, with the same operations in the same order as
the NumPy reference of core.risk.paths, so the results are bit-identical to it. The per-path
functions live in ``_pathmath.pxi`` and ``_driverpath.pxi``, which the fused Monte Carlo
kernel (``_mckernel.pyx``) includes too.
"""

from cython.parallel cimport prange
from libc.math cimport INFINITY, NAN, exp, fabs, floor, isfinite, pow, sqrt

import numpy as np

ABI_VERSION = 7

include "_pathmath.pxi"
include "_driverpath.pxi"


def irr_newton(const double[:, ::1] cf, double[::1] out, int iters, int n_threads):
    cdef Py_ssize_t P = cf.shape[0]
    cdef Py_ssize_t N = cf.shape[1]
    cdef Py_ssize_t p
    if out.shape[0] != P:
        raise ValueError(f"out has {out.shape[0]} rows, cf has {P}")
    if n_threads < 1:
        raise ValueError(f"n_threads must be at least 1, got {n_threads}")
    if P == 0:
        return
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        out[p] = _irr_row(&cf[p, 0], N, iters)


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
    if out.shape[0] != T or out.shape[1] != n_edges + 1:
        raise ValueError("out must be (T, n_edges + 1)")
    out[:, :] = 0
    if n_threads == 1:  # row by row: reads each path's periods in memory order
        with nogil:
            for p in range(P):
                for t in range(T):
                    b = _bin(values[p, t], lo, width, n_edges)
                    if b >= 0:
                        out[t, b] += 1
        return
    for t in prange(T, nogil=True, num_threads=n_threads, schedule="static"):
        for p in range(P):
            b = _bin(values[p, t], lo, width, n_edges)
            if b >= 0:
                out[t, b] += 1


def path_reduce(
    const double[:, ::1] loss, const double[:, :, ::1] shortfall,
    const double[:, :, ::1] balance, const int[:, ::1] flags, const double[:, ::1] dscr,
    const double[::1] notional, double eps, int accel_bit,
    unsigned char[:, ::1] default, double[::1] min_dscr, int[::1] anyflag, int n_threads,
):
    """Per path, in one pass: ``default[p, k]`` (loss above ``eps``, a shortfall in any
    period, or an acceleration in a period the tranche opened with a balance and still owes
    after), ``min_dscr[p]`` (over finite DSCRs; NaN if none) and ``anyflag[p]`` (OR of the
    period flags). The definitions of core.risk.mcstats.chunk_stats, exactly."""
    cdef Py_ssize_t P = shortfall.shape[0]
    cdef Py_ssize_t K = shortfall.shape[1]
    cdef Py_ssize_t T = shortfall.shape[2]
    cdef Py_ssize_t p
    if (
        loss.shape[0] != P or loss.shape[1] != K or balance.shape[0] != P
        or balance.shape[1] != K or balance.shape[2] != T or flags.shape[0] != P
        or flags.shape[1] != T or dscr.shape[0] != P or dscr.shape[1] != T
        or notional.shape[0] != K or default.shape[0] != P or default.shape[1] != K
        or min_dscr.shape[0] != P or anyflag.shape[0] != P
    ):
        raise ValueError("path_reduce: inconsistent shapes")
    if K == 0 or T == 0:
        raise ValueError("path_reduce: needs at least one tranche and one period")
    if P == 0:
        return
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        anyflag[p] = _reduce_path(
            K, T, &loss[p, 0], &shortfall[p, 0, 0], &balance[p, 0, 0], &flags[p, 0],
            &dscr[p, 0], &notional[0], eps, accel_bit, &default[p, 0], &min_dscr[p],
        )


def path_facts(
    const double[:, :, ::1] writeoff, const double[:, :, ::1] shortfall,
    const double[:, :, ::1] balance, const int[:, ::1] flags, const double[::1] notional,
    double eps, int accel_bit, int ltv_bits, int crypto_bits, const double[:, ::1] revenue,
    const double[::1] base_revenue, const double[:, ::1] rate, const double[::1] base_curve,
    const int[::1] floating, const double[:, ::1] year_fraction, swap_accrual,
    const double[:, ::1] proceeds, const double[::1] base_sale,
    const double[:, ::1] asset_value, const double[::1] base_value,
    const unsigned char[:, ::1] default, int[:, ::1] first, int[::1] ltv_at,
    int[::1] crypto_at, double[:, :, ::1] gaps, int n_threads,
):
    """The attribution facts of each path (``_path_facts``; core.risk.causes documents them):
    ``revenue``, ``rate``, ``proceeds`` and ``asset_value`` are (P, T) rows of the chunk's
    inputs, ``swap_accrual`` (T,) or None, ``base_sale`` / ``base_value`` (T,) the base case's
    sale value and asset value; writes
    ``first`` (P, K), ``ltv_at`` / ``crypto_at`` (P,) and ``gaps`` (P, K, 3) of the paths
    with a default (``default`` (P, K), from :func:`path_reduce`; the others get no default,
    ``T`` and zeros)."""
    cdef Py_ssize_t P = balance.shape[0]
    cdef Py_ssize_t K = balance.shape[1]
    cdef Py_ssize_t T = balance.shape[2]
    cdef Py_ssize_t p
    cdef const double[::1] sw
    cdef const double* swp = NULL
    if swap_accrual is not None:
        sw = np.ascontiguousarray(swap_accrual, dtype=np.float64)
        if sw.shape[0] != T:
            raise ValueError("path_facts: swap_accrual must be (T,)")
        swp = &sw[0] if T > 0 else NULL
    if (
        writeoff.shape[0] != P or writeoff.shape[1] != K or writeoff.shape[2] != T
        or shortfall.shape[0] != P or shortfall.shape[1] != K or shortfall.shape[2] != T
        or flags.shape[0] != P or flags.shape[1] != T or notional.shape[0] != K
        or revenue.shape[0] != P or revenue.shape[1] != T or base_revenue.shape[0] != T
        or rate.shape[0] != P or rate.shape[1] != T or base_curve.shape[0] != T
        or floating.shape[0] != K or year_fraction.shape[0] != K
        or year_fraction.shape[1] != T or first.shape[0] != P or first.shape[1] != K
        or ltv_at.shape[0] != P or crypto_at.shape[0] != P or gaps.shape[0] != P
        or gaps.shape[1] != K or gaps.shape[2] != 3 or proceeds.shape[0] != P
        or proceeds.shape[1] != T or base_sale.shape[0] != T or asset_value.shape[0] != P
        or asset_value.shape[1] != T or base_value.shape[0] != T or default.shape[0] != P
        or default.shape[1] != K
    ):
        raise ValueError("path_facts: inconsistent shapes")
    if P == 0 or K == 0 or T == 0:
        return
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        _path_facts(
            K, T, &writeoff[p, 0, 0], &shortfall[p, 0, 0], &balance[p, 0, 0], &flags[p, 0],
            &notional[0], eps, accel_bit, ltv_bits, crypto_bits, &revenue[p, 0],
            &base_revenue[0], &rate[p, 0], &base_curve[0], &floating[0], &year_fraction[0, 0],
            swp, &proceeds[p, 0], &base_sale[0], &asset_value[p, 0], &base_value[0],
            &default[p, 0], &first[p, 0], &ltv_at[p], &crypto_at[p], &gaps[p, 0, 0],
        )


def driver_paths(
    const double[:, ::1] u, const double[:, ::1] z1, const double[:, ::1] z2,
    const double[:, ::1] zu, const double[:, ::1] zv, const int[:, ::1] jumps,
    const double[:, ::1] zr, int mpp, const double[::1] t,
    double p_enter, double p_exit, double rho_n, double rho_s, double rest_n, double rest_s,
    int rent_ou, double rent_vol, double rent_phi, double rent_step,
    const double[::1] rent_var, const double[::1] rent_mult,
    double util_phi, double util_vol, double util_c,
    double value_beta, double value_vol, const double[::1] jump_table, double gen_keep,
    double btc_vol, const double[::1] base, double rate_vol,
    double[:, ::1] rent, double[:, ::1] util, double[:, ::1] value, double[:, ::1] btc,
    double[:, ::1] rates, double[::1] stress_share, int n_threads,
):
    """Every market driver of ``P`` paths at the ends of ``T`` periods of ``mpp`` months.

    Inputs (P, M = T * mpp months): ``u`` regime uniforms, ``z1`` rent shocks, ``z2`` the
    independent normal of the BTC shock, ``zu`` utilisation, ``zv`` GPU value and ``zr``
    base-rate normals; ``jumps`` (P, T) surprise generations in each period (Poisson counts;
    ``jump_table[k]`` is the value left after ``k`` in all, ``gen_keep ** k`` beyond the table).
    ``t`` (T,) period ends in years. Rent is a GBM (``rent_ou`` 0) or the mean-reverting
    log rent (1: ``x = rent_phi x + rent_step z``, ``exp(x - rent_var / 2)``), times
    ``rent_mult``. See core.risk.paths for the model; this is its arithmetic, fused.
    """
    cdef Py_ssize_t P = u.shape[0]
    cdef Py_ssize_t M = u.shape[1]
    cdef Py_ssize_t T = t.shape[0]
    cdef Py_ssize_t p
    cdef DriverParams d
    if mpp < 1 or T * mpp != M:
        raise ValueError("need T * mpp months of draws")
    if (
        z1.shape[0] != P or z2.shape[0] != P or zu.shape[0] != P or zv.shape[0] != P
        or zr.shape[0] != P or z1.shape[1] != M or z2.shape[1] != M or zu.shape[1] != M
        or zv.shape[1] != M or zr.shape[1] != M
    ):
        raise ValueError("every monthly draw must be (P, M)")
    if jumps.shape[0] != P or jumps.shape[1] != T:
        raise ValueError("jumps must be (P, T)")
    if (
        rent.shape[0] != P or util.shape[0] != P or value.shape[0] != P or btc.shape[0] != P
        or rates.shape[0] != P or rent.shape[1] != T or util.shape[1] != T
        or value.shape[1] != T or btc.shape[1] != T or rates.shape[1] != T
    ):
        raise ValueError("every output must be (P, T)")
    if stress_share.shape[0] != P or rent_var.shape[0] != T or rent_mult.shape[0] != T:
        raise ValueError("stress_share must be (P,), rent_var and rent_mult (T,)")
    if base.shape[0] != T:
        raise ValueError("base must be (T,)")
    if jump_table.shape[0] < 1:
        raise ValueError("jump_table needs at least one entry")
    d.T = T
    d.mpp = mpp
    d.t = &t[0]
    d.p_enter, d.p_exit = p_enter, p_exit
    d.rho_n, d.rho_s, d.rest_n, d.rest_s = rho_n, rho_s, rest_n, rest_s
    d.rent_ou, d.rent_vol, d.rent_phi, d.rent_step = rent_ou, rent_vol, rent_phi, rent_step
    d.rent_var = &rent_var[0]
    d.rent_mult = &rent_mult[0]
    d.util_phi, d.util_vol, d.util_c = util_phi, util_vol, util_c
    d.value_beta, d.value_vol = value_beta, value_vol
    d.jump_table = &jump_table[0]
    d.n_jump_table = jump_table.shape[0]
    d.gen_keep = gen_keep
    d.btc_vol, d.base, d.rate_vol = btc_vol, &base[0], rate_vol
    if P == 0:
        return
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        _driver_path(
            &d, &u[p, 0], &z1[p, 0], &z2[p, 0], &zu[p, 0], &zv[p, 0], &jumps[p, 0], &zr[p, 0],
            &rent[p, 0], &util[p, 0], &value[p, 0], &btc[p, 0], &rates[p, 0], &stress_share[p],
        )
