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


cdef inline bint _outstanding(Py_ssize_t K, Py_ssize_t T, const double* balance, Py_ssize_t t,
                              double eps) noexcept nogil:
    """Whether debt is outstanding after period ``t``'s payments (the sum of the tranches'
    closing balances above ``eps``): the periods the DSCR statistics and fans count (a period
    in which a sale repays the debt in full is a repayment, not a coverage test)."""
    cdef double b = 0.0
    cdef Py_ssize_t k
    for k in range(K):
        b = b + balance[k * T + t]
    return b > eps


cdef inline int _reduce_path(
    Py_ssize_t K, Py_ssize_t T, const double* loss, const double* shortfall,
    const double* balance, const int* flags, const double* dscr, const double* notional,
    double eps, int accel_bit, unsigned char* default, double* min_dscr,
) noexcept nogil:
    """One path: ``default[k]`` (loss above ``eps``, a shortfall in any period, or an
    acceleration in a period the tranche opened with a balance and still owes after),
    ``min_dscr[0]`` (over the finite DSCRs of the periods after which debt is outstanding:
    :func:`_outstanding`; NaN if none); returns the OR of the period flags.
    ``shortfall`` and ``balance`` are (K, T) rows, ``flags`` and ``dscr`` (T,)."""
    cdef int f = 0
    cdef double mn = INFINITY, v
    cdef bint any_finite = False
    cdef unsigned char dk
    cdef Py_ssize_t k, t
    for t in range(T):
        f = f | flags[t]
        v = dscr[t]
        # debt outstanding is checked only for a new minimum (mn is infinite until the first)
        if isfinite(v) and v < mn and _outstanding(K, T, balance, t, eps):
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


cdef inline void _path_facts(
    Py_ssize_t K, Py_ssize_t T, const double* writeoff, const double* shortfall,
    const double* balance, const int* flags, const double* notional, double eps,
    int accel_bit, int ltv_bits, int crypto_bits, const double* revenue,
    const double* base_revenue, const double* rate, const double* base_curve,
    const int* floating, const double* year_fraction, const double* swap_accrual,
    const double* proceeds, const double* base_sale, const double* asset_value,
    const double* base_value, const unsigned char* default, int* first, int* ltv_at,
    int* crypto_at, double* gaps,
) noexcept nogil:
    """The attribution facts of one path (core.risk.causes): ``first[k]`` the period of tranche
    k's first default (a shortfall, an acceleration in a period it opened with a balance and
    still owes after, or its write-offs passing ``eps``; ``T`` when none), ``ltv_at[0]`` /
    ``crypto_at[0]`` the first period with an LTV breach / a crypto margin call or sale, and
    ``gaps[3k]``, ``gaps[3k + 1]``, ``gaps[3k + 2]`` the rent, rate and collateral gaps up to
    ``first[k]`` (0 when none): sums of base revenue - revenue, of (rate - base curve) x
    (floating opening balance x year fraction - swap accrual), and, in the periods with sale
    proceeds, of the base case's sale value there - the proceeds (RVG included), plus, at the
    first LTV breach, the base case's asset value - the path's. Rows are
    (K, T) for ``writeoff``, ``shortfall``, ``balance`` and ``year_fraction``;
    ``swap_accrual`` may be NULL. ``default`` (K,): the tranches that default
    (:func:`_reduce_path`); a path where none does is done at once (most paths)."""
    cdef Py_ssize_t k, t
    cdef int left = 0
    cdef double cum_rent = 0.0, cum_rate = 0.0, cum_sale = 0.0, expo, opening, w
    cdef bint accel, any_default = False
    ltv_at[0] = T
    crypto_at[0] = T
    for k in range(K):
        first[k] = T
        gaps[3 * k] = 0.0
        gaps[3 * k + 1] = 0.0
        gaps[3 * k + 2] = 0.0
        if default[k]:
            any_default = True
    if not any_default:
        return
    for t in range(T):
        if ltv_at[0] == T and (flags[t] & ltv_bits) != 0:
            ltv_at[0] = t
        if crypto_at[0] == T and (flags[t] & crypto_bits) != 0:
            crypto_at[0] = t
    for k in range(K):
        if not default[k]:
            continue
        w = 0.0
        for t in range(T):
            opening = notional[k] if t == 0 else balance[k * T + t - 1]
            accel = (flags[t] & accel_bit) != 0
            w = w + writeoff[k * T + t]
            if (shortfall[k * T + t] > eps or (accel and opening > eps and balance[k * T + t] > eps)
                    or w > eps):
                first[k] = t
                break
        if first[k] < T:
            left += 1
    t = 0
    while left > 0 and t < T:
        expo = 0.0
        for k in range(K):
            if floating[k]:
                opening = notional[k] if t == 0 else balance[k * T + t - 1]
                expo = expo + opening * year_fraction[k * T + t]
        if swap_accrual != NULL:
            expo = expo - swap_accrual[t]
        cum_rent = cum_rent + (base_revenue[t] - revenue[t])
        cum_rate = cum_rate + (rate[t] - base_curve[t]) * expo
        if proceeds[t] > 0.0:
            cum_sale = cum_sale + (base_sale[t] - proceeds[t])
        if t == ltv_at[0]:
            cum_sale = cum_sale + (base_value[t] - asset_value[t])
        for k in range(K):
            if first[k] == t:
                gaps[3 * k] = cum_rent
                gaps[3 * k + 1] = cum_rate
                gaps[3 * k + 2] = cum_sale
                left -= 1
        t += 1
