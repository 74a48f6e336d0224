# Included by _pathstats.pyx and _mckernel.pyx: the per-path statistics of the Monte Carlo
# (core.risk.mcstats documents the definitions), written once for both modules.


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


cdef inline double _irr_row(const double* cf, Py_ssize_t N, int iters) noexcept nogil:
    """Periodic IRR of ``cf[0:N]`` (first flow at time 0) by Newton's method in
    ``v = 1 / (1 + r)``, NPV and derivative by Horner's rule; NaN when Newton does not settle
    (step below 1e-13 relative) within ``iters`` steps or leaves ``v > 0``."""
    cdef double v = 1.0 / 1.01, f, d, step, scale
    cdef Py_ssize_t n
    cdef int it
    for it in range(iters):
        f = 0.0
        d = 0.0
        for n in range(N - 1, -1, -1):
            d = d * v + f
            f = f * v + cf[n]
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
            return 1.0 / v - 1.0
    return NAN


cdef inline int _reduce_path(
    Py_ssize_t K, Py_ssize_t T, const double* loss, const double* shortfall,
    const double* balance, const int* flags, const double* dscr, const double* notional,
    double eps, int accel_bit, unsigned char* default, double* min_dscr,
) noexcept nogil:
    """One path: ``default[k]`` (loss above ``eps``, a shortfall in any period, or an
    acceleration in a period the tranche opened with a balance and still owes after),
    ``min_dscr[0]`` (over finite DSCRs; NaN if none); returns the OR of the period flags.
    ``shortfall`` and ``balance`` are (K, T) rows, ``flags`` and ``dscr`` (T,)."""
    cdef int f = 0
    cdef double mn = INFINITY, v
    cdef bint any_finite = False
    cdef unsigned char dk
    cdef Py_ssize_t k, t
    for t in range(T):
        f = f | flags[t]
        v = dscr[t]
        if isfinite(v):
            any_finite = True
            if v < mn:
                mn = v
    min_dscr[0] = mn + 0.0 if any_finite else NAN  # + 0.0: no negative zero
    for k in range(K):
        dk = loss[k] > eps
        if not dk and T > 0 and (flags[0] & accel_bit) != 0:
            dk = notional[k] > eps and balance[k * T] > eps
        for t in range(T):
            if dk:
                break
            if shortfall[k * T + t] > eps:
                dk = 1
            elif t > 0 and (flags[t] & accel_bit) != 0:
                dk = balance[k * T + t - 1] > eps and balance[k * T + t] > eps
        default[k] = dk
    return f
