# cython: language_level=3
"""Compiled per-path statistics for the Monte Carlo (built by setup.py like every _*.pyx).

``irr_newton(cf, out, iters, n_threads)``: periodic IRR of each row of ``cf`` (P, N; first flow
at time 0) by Newton's method in ``v = 1 / (1 + r)``, evaluating the NPV and its derivative by
Horner's rule, rows in parallel (OpenMP). A row gets NaN when Newton does not settle (step
below 1e-13 relative) within ``iters`` steps or leaves ``v > 0``; the caller falls back to
bisection for those rows (core.risk.mcstats.equity_irr).

``markov_regimes`` and ``ar1_period_ends`` are the sequential-in-time loops of the driver
generation (core.risk.paths), run per path in parallel with the same arithmetic as NumPy.
``driver_paths`` turns one chunk's random draws (made by NumPy, in the same order as the NumPy
reference of core.risk.paths) into every market driver in one pass per path, with the same
operations in the same order as that reference, so the results are bit-identical to it.
"""

from cython.parallel cimport prange
from libc.math cimport INFINITY, NAN, exp, fabs, floor, isfinite, pow, sqrt

ABI_VERSION = 5


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



cdef inline Py_ssize_t _bin(double v, double lo, double width, Py_ssize_t n_edges) noexcept nogil:
    """Histogram column of ``v``: 0 below the first edge, ``n_edges`` above the last,
    -1 for NaN or infinity (not counted)."""
    cdef double pos = (v - lo) / width
    if not isfinite(pos):
        return -1
    if pos < -1.0:
        pos = -1.0
    elif pos > n_edges - 1:
        pos = n_edges - 1
    return <Py_ssize_t>floor(pos) + 1

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
    cdef Py_ssize_t p, k, t
    cdef int f, acc
    cdef unsigned char d
    cdef double mn, v
    cdef bint any_finite
    if (
        loss.shape[0] != P or loss.shape[1] != K or balance.shape[0] != P
        or balance.shape[1] != K or balance.shape[2] != T or flags.shape[0] != P
        or flags.shape[1] != T or dscr.shape[0] != P or dscr.shape[1] != T
        or notional.shape[0] != K or default.shape[0] != P or default.shape[1] != K
        or min_dscr.shape[0] != P or anyflag.shape[0] != P
    ):
        raise ValueError("path_reduce: inconsistent shapes")
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        f = 0
        mn = INFINITY
        any_finite = False
        for t in range(T):
            f = f | flags[p, t]
            v = dscr[p, t]
            if isfinite(v):
                any_finite = True
                if v < mn:
                    mn = v
        anyflag[p] = f
        min_dscr[p] = mn + 0.0 if any_finite else NAN  # + 0.0: no negative zero
        for k in range(K):
            d = loss[p, k] > eps
            if not d and (flags[p, 0] & accel_bit) != 0:
                d = notional[k] > eps and balance[p, k, 0] > eps
            for t in range(T):
                if d:
                    break
                if shortfall[p, k, t] > eps:
                    d = 1
                elif t > 0 and (flags[p, t] & accel_bit) != 0:
                    d = balance[p, k, t - 1] > eps and balance[p, k, t] > eps
            default[p, k] = d


def driver_paths(
    const double[:, ::1] u, const double[:, ::1] z1, const double[:, ::1] z2,
    const double[:, ::1] zu, const double[:, ::1] zv, const long long[:, ::1] jumps,
    const double[:, ::1] zr, int mpp, const double[::1] t,
    double p_enter, double p_exit, double rho_n, double rho_s, double rest_n, double rest_s,
    int rent_ou, double rent_vol, double rent_phi, double rent_step,
    const double[::1] rent_var, const double[::1] rent_mult,
    double util_phi, double util_vol, double util_c,
    double value_beta, double value_vol, const double[::1] jump_table,
    double btc_vol, const double[::1] base, double rate_vol,
    double[:, ::1] rent, double[:, ::1] util, double[:, ::1] value, double[:, ::1] btc,
    double[:, ::1] rates, double[::1] stress_share, int n_threads,
):
    """Every market driver of ``P`` paths at the ends of ``T`` periods of ``mpp`` months.

    Inputs (P, M = T * mpp months): ``u`` regime uniforms, ``z1`` rent shocks, ``z2`` the
    independent normal of the BTC shock, ``zu`` utilisation, ``zv`` GPU value and ``zr``
    base-rate normals; ``jumps`` (P, T) surprise generations in each period (Poisson counts;
    ``jump_table[k]`` is the value left after ``k`` in all).
    ``t`` (T,) period ends in years. Rent is a GBM (``rent_ou`` 0) or the mean-reverting
    log rent (1: ``x = rent_phi x + rent_step z``, ``exp(x - rent_var / 2)``), times
    ``rent_mult``. See core.risk.paths for the model; this is its arithmetic, fused.
    """
    cdef Py_ssize_t P = u.shape[0]
    cdef Py_ssize_t M = u.shape[1]
    cdef Py_ssize_t T = t.shape[0]
    cdef Py_ssize_t p, j, k
    cdef unsigned char s
    cdef int count
    cdef long long jc
    cdef double zb, rho, rest, mr, mb, mv, mrate, cr, cb, cv, crate, xr, xu, g, w, e
    cdef double s12 = sqrt(1.0 / 12.0)
    cdef double hr = 0.5 * rent_vol * rent_vol
    cdef double hb = 0.5 * btc_vol * btc_vol
    cdef double hv = 0.5 * value_vol * value_vol
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
    for p in prange(P, nogil=True, num_threads=n_threads, schedule="static"):
        s = 0
        count = 0
        jc = 0
        cr = 0.0
        cb = 0.0
        cv = 0.0
        crate = 0.0
        xr = 0.0
        xu = 0.0
        for k in range(T):
            mr = 0.0
            mb = 0.0
            mv = 0.0
            mrate = 0.0
            for j in range(k * mpp, (k + 1) * mpp):
                if s:
                    s = u[p, j] >= p_exit
                else:
                    s = u[p, j] < p_enter
                count = count + s
                if s:
                    rho = rho_s
                    rest = rest_s
                else:
                    rho = rho_n
                    rest = rest_n
                zb = rho * z1[p, j] + rest * z2[p, j]
                if rent_ou:
                    xr = rent_phi * xr + z1[p, j] * rent_step
                if j == k * mpp:
                    mr = z1[p, j]
                    mb = zb
                    mv = zv[p, j]
                    mrate = zr[p, j]
                else:
                    mr = mr + z1[p, j]
                    mb = mb + zb
                    mv = mv + zv[p, j]
                    mrate = mrate + zr[p, j]
                xu = util_phi * xu + zu[p, j] * util_vol * util_c
            if k == 0:
                cr = mr
                cb = mb
                cv = mv
                crate = mrate
            else:
                cr = cr + mr
                cb = cb + mb
                cv = cv + mv
                crate = crate + mrate
            if rent_ou:
                g = exp(((1.0 + xr) - 1.0) - 0.5 * rent_var[k])
            else:
                g = exp(rent_vol * (cr * s12) - hr * t[k])
            g = g * rent_mult[k]
            rent[p, k] = g
            util[p, k] = 1.0 + xu
            if value_beta != 1.0:
                g = pow(g, value_beta)
            jc = jc + jumps[p, k]
            value[p, k] = (g * exp(value_vol * (cv * s12) - hv * t[k])) * jump_table[jc]
            btc[p, k] = exp(btc_vol * (cb * s12) - hb * t[k])
            w = base[k] + rate_vol * (crate * s12)
            e = base[k] if base[k] < 0.0 else 0.0
            rates[p, k] = w if w >= e else e
        stress_share[p] = count / <double>M
