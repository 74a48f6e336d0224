# Included by _pathstats.pyx (``driver_paths``, one call per chunk) and _mckernel.pyx (the fused
# Monte Carlo path): every market driver of ONE path from its random draws. A Cython include is
# textual, so both modules compile the same arithmetic; core.risk.paths holds the NumPy
# reference, which does the same operations in the same order (tests check bit equality).

ctypedef struct DriverParams:
    Py_ssize_t T  # periods
    int mpp  # months per period
    const double* t  # (T,) period ends in years
    double p_enter, p_exit  # regime chain, monthly
    double rho_n, rho_s, rest_n, rest_s  # copula weights by regime (rest = sqrt(1 - rho^2))
    int rent_ou  # 1: mean-reverting log rent (data-centre deals), 0: GBM
    double rent_vol, rent_phi, rent_step
    const double* rent_var  # (T,) variance of the OU log rent at period ends
    const double* rent_mult  # (T,) extra deterministic rent deflation
    double util_phi, util_vol, util_c  # utilisation AR(1)
    double value_beta, value_vol
    const double* jump_table  # value left after k surprise generations, k < n_jump_table
    Py_ssize_t n_jump_table
    double gen_keep  # 1 - gen_jump: pow(gen_keep, k) beyond the table
    double btc_vol
    const double* base  # (T,) base-rate curve
    double rate_vol


cdef inline void _driver_path(
    const DriverParams* d, const double* u, const double* z1, const double* z2,
    const double* zu, const double* zv, const int* jumps, const double* zr,
    double* rent, double* util, double* value, double* btc, double* rates,
    double* stress_share,
) noexcept nogil:
    """Regime, copula, rent, utilisation, GPU value, BTC and base rate of one path.

    Inputs are the path's monthly draws (``T * mpp`` months: ``u`` regime uniforms, ``z1`` rent
    shocks, ``z2`` the independent normal of the BTC shock, ``zu`` utilisation, ``zv`` GPU value,
    ``zr`` base rate) and ``jumps`` (T,) surprise generations in each period; outputs are (T,)
    rows and the share of months in the stress regime."""
    cdef Py_ssize_t T = d.T, j, k
    cdef int mpp = d.mpp
    cdef unsigned char s = 0
    cdef int count = 0
    cdef long long jc = 0
    cdef double zb, rho, rest, mr = 0.0, mb = 0.0, mv = 0.0, mrate = 0.0
    cdef double cr = 0.0, cb = 0.0, cv = 0.0, crate = 0.0, xr = 0.0, xu = 0.0, g, w, e, left
    cdef double s12 = sqrt(1.0 / 12.0)
    cdef double hr = 0.5 * d.rent_vol * d.rent_vol
    cdef double hb = 0.5 * d.btc_vol * d.btc_vol
    cdef double hv = 0.5 * d.value_vol * d.value_vol
    for k in range(T):
        for j in range(k * mpp, (k + 1) * mpp):
            if s:
                s = u[j] >= d.p_exit
            else:
                s = u[j] < d.p_enter
            count = count + s
            if s:
                rho = d.rho_s
                rest = d.rest_s
            else:
                rho = d.rho_n
                rest = d.rest_n
            zb = rho * z1[j] + rest * z2[j]
            if d.rent_ou:
                xr = d.rent_phi * xr + z1[j] * d.rent_step
            if j == k * mpp:
                mr = z1[j]
                mb = zb
                mv = zv[j]
                mrate = zr[j]
            else:
                mr = mr + z1[j]
                mb = mb + zb
                mv = mv + zv[j]
                mrate = mrate + zr[j]
            xu = d.util_phi * xu + zu[j] * d.util_vol * d.util_c
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
        if d.rent_ou:
            g = exp(((1.0 + xr) - 1.0) - 0.5 * d.rent_var[k])
        else:
            g = exp(d.rent_vol * (cr * s12) - hr * d.t[k])
        g = g * d.rent_mult[k]
        rent[k] = g
        util[k] = 1.0 + xu
        if d.value_beta != 1.0:
            g = pow(g, d.value_beta)
        jc = jc + jumps[k]
        left = d.jump_table[jc] if jc < d.n_jump_table else pow(d.gen_keep, <double>jc)
        value[k] = (g * exp(d.value_vol * (cv * s12) - hv * d.t[k])) * left
        btc[k] = exp(d.btc_vol * (cb * s12) - hb * d.t[k])
        w = d.base[k] + d.rate_vol * (crate * s12)
        e = d.base[k] if d.base[k] < 0.0 else 0.0
        rates[k] = w if w >= e else e
    stress_share[0] = count / <double>(T * mpp)
