# cython: language_level=3
"""Compiled waterfall kernel: ``core.engine.reference`` step for step, one path at a time.

``waterfall(...)`` takes the input arrays of an ``EngineInputs`` and the preallocated output
arrays of an ``EngineOutputs`` (every element is overwritten) and runs the paths in parallel
with OpenMP (``prange``, static schedule). Use it through :func:`core.engine.kernel.run_waterfall`,
which converts and allocates; this module assumes C-contiguous float64 / int32 arrays.

Rules that keep the kernel in step with the reference (tests check 1e-9 relative agreement):

* the per-period steps and every float expression are written in the reference's order;
* sums over tranches and over the DSCR window use ``_npsum``, which reproduces NumPy's
  summation order (sequential below 8 terms, 8 partial sums and a pairwise tree above);
* a per-path input with first dimension 1 is shared by all paths (row stride 0);
* per-path state lives in a per-thread scratch row, so the parallel section holds no Python
  objects and allocates nothing.

Compiler directives (boundscheck, wraparound, cdivision) are set once in ``setup.py``; the
inner functions only touch raw pointers derived from validated memoryviews.
"""

cimport cython
from cython.parallel cimport prange, threadid
from libc.math cimport NAN
from libc.stdlib cimport free, malloc

# kernel.py refuses a compiled module whose ABI_VERSION differs (stale build).
ABI_VERSION = 1

cdef double EPS = 1e-9

include "_npsum.pxi"


@cython.cdivision(True)
cdef double _prepay(const Ctx* c, double amount, double* bal, double* ppaid) noexcept nogil:
    """Repay debt in order of seniority (pro rata within a rank); returns what is unused."""
    cdef Py_ssize_t g, k, s, e
    cdef double gb, pay, frac, paid
    for g in range(c.G):
        s = c.group_start[g]
        e = c.group_start[g + 1]
        gb = _npsum(bal + s, e - s)
        pay = _min(amount, gb)
        frac = pay / gb if gb > EPS else 0.0
        for k in range(s, e):
            paid = bal[k] * frac
            bal[k] -= paid
            ppaid[k] += paid
        amount -= pay
    return amount


@cython.cdivision(True)
cdef void run_path(const Ctx* c, Py_ssize_t p, double* w) noexcept nogil:
    """The whole horizon of path ``p``; ``w`` is this thread's scratch (``c.W`` doubles)."""
    cdef Py_ssize_t K = c.K, T = c.T, G = c.G
    cdef Py_ssize_t k, t, g, s, e, lo, j
    # scratch
    cdef double* bal = w
    cdef double* arrears = w + K
    cdef double* int_cur = w + 2 * K
    cdef double* sp_due = w + 3 * K
    cdef double* owed = w + 4 * K
    cdef double* ppaid = w + 5 * K
    cdef double* unpaid_pr = w + 6 * K
    cdef double* shortv = w + 7 * K
    cdef double* hist_cf = w + 8 * K
    cdef double* hist_ds = hist_cf + T
    cdef double* open_group = hist_ds + T
    # this path's input rows
    cdef const double* rev = c.revenue + p * c.rs_revenue
    cdef const double* opex = c.opex + p * c.rs_opex
    cdef const double* fees = c.fees + p * c.rs_fees
    cdef const double* proc = c.proceeds + p * c.rs_proceeds
    cdef const double* av = c.asset_value + p * c.rs_asset_value
    cdef const double* lv = c.liquidation_value + p * c.rs_liquidation_value
    cdef const double* cv = c.crypto_value + p * c.rs_crypto_value
    cdef const double* br = c.base_rate + p * c.rs_base_rate
    cdef const double* yf = c.year_fraction
    cdef const double* sched = c.scheduled_principal
    # this path's output blocks
    cdef Py_ssize_t o = p * T
    cdef Py_ssize_t okt = p * K * T
    cdef double* o_int_due = c.o_interest_due + okt
    cdef double* o_int_paid = c.o_interest_paid + okt
    cdef double* o_prin = c.o_principal_paid + okt
    cdef double* o_pik = c.o_pik + okt
    cdef double* o_short = c.o_shortfall + okt
    cdef double* o_bal = c.o_balance + okt
    cdef double* o_wo = c.o_writeoff + okt
    # state
    cdef double dsra = c.dsra_initial, trap = 0.0
    cdef Py_ssize_t accel_t = -1
    cdef bint dead = False, crypto_held = True
    # per period
    cdef bint last, alive, has_coll, watch, sell, liq_now, release, has_ds, matured
    cdef bint controlling, has_debt, owing, lock, ddef, ltvb, pdef, dflt, go_accel, accel
    cdef bint sweep_all, trap_mode, hold, cured, ends
    cdef int flags
    cdef double live, debt_open, crypto, coll, ltv, crypto_sale, liq_cash, reserve_cash
    cdef double base, rate, ic, sum_int, ebitda, taxable, tax, cfads, sum_sp, ds, dscr
    cdef double sale, cash, injection, gowed, gdue, pay, draw, frac, paid, unpaid
    cdef double mandatory, target, top, excess, scf, sds, test, swept, s_k

    for k in range(K):
        bal[k] = c.notional[k]
        arrears[k] = 0.0

    for t in range(T):
        last = t == T - 1
        alive = not dead
        live = 1.0 if alive else 0.0
        flags = 0
        debt_open = _npsum(bal, K)
        for g in range(G):
            s = c.group_start[g]
            e = c.group_start[g + 1]
            open_group[g] = _npsum(bal + s, e - s)

        # 1. collateral and reserves
        crypto = cv[t] if (crypto_held and alive) else 0.0
        coll = av[t] * live + crypto
        has_coll = coll > EPS
        ltv = debt_open / coll if has_coll else NAN
        crypto_sale = 0.0
        if c.margin_call_ltv > 0:
            watch = (crypto > EPS) and (debt_open > EPS)
            if watch and debt_open > c.margin_call_ltv * coll:
                flags |= FLAG_MARGIN_CALL
            sell = watch and debt_open > c.crypto_liquidation_ltv * coll
            if sell:
                crypto_sale = crypto
                crypto_held = False
                flags |= FLAG_CRYPTO_SOLD
        liq_now = alive and accel_t >= 0 and t >= accel_t + c.lag
        liq_cash = 0.0
        if liq_now:
            liq_cash = lv[t] + (cv[t] if crypto_held else 0.0)
            crypto_held = False
            flags |= FLAG_LIQUIDATED
        release = last or liq_now
        reserve_cash = 0.0
        if release:
            reserve_cash = dsra + trap
            dsra = 0.0
            trap = 0.0

        # 2. CFADS
        base = br[t]
        for k in range(K):
            rate = base + c.spread[k] if c.floating[k] else c.fixed_rate[k]
            int_cur[k] = bal[k] * rate * yf[k * T + t]
        sum_int = _npsum(int_cur, K)
        ebitda = (rev[t] - opex[t] - fees[t]) * live
        taxable = ebitda - c.depreciation[t] * live - sum_int
        tax = c.tax_rate * _max0(taxable)
        cfads = ebitda - tax
        for k in range(K):
            matured = t >= c.maturity[k] or last
            sp_due[k] = bal[k] if matured else _min(sched[k * T + t], bal[k])
        sum_sp = _npsum(sp_due, K)
        ds = sum_int + sum_sp
        has_ds = ds > EPS
        dscr = cfads / ds if has_ds else NAN
        sale = proc[t] * live + crypto_sale + liq_cash
        cash = cfads + sale + reserve_cash
        injection = _max0(-cash)
        cash = _max0(cash)

        # 3. interest by seniority
        for g in range(G):
            s = c.group_start[g]
            e = c.group_start[g + 1]
            for k in range(s, e):
                owed[k] = int_cur[k] + arrears[k]
            gowed = _npsum(owed + s, e - s)
            pay = _min(cash, gowed)
            cash -= pay
            draw = _min(dsra, gowed - pay)
            dsra -= draw
            frac = _min((pay + draw) / gowed, 1.0) if gowed > EPS else 1.0
            for k in range(s, e):
                paid = owed[k] * frac
                unpaid = owed[k] - paid
                o_int_paid[k * T + t] = paid
                if c.pik[k]:
                    bal[k] += unpaid
                    o_pik[k * T + t] = unpaid
                    arrears[k] = 0.0
                else:
                    o_pik[k * T + t] = 0.0
                    arrears[k] = unpaid

        # 4. scheduled principal by seniority
        for g in range(G):
            s = c.group_start[g]
            e = c.group_start[g + 1]
            gdue = _npsum(sp_due + s, e - s)
            pay = _min(cash, gdue)
            cash -= pay
            draw = _min(dsra, gdue - pay)
            dsra -= draw
            frac = _min((pay + draw) / gdue, 1.0) if gdue > EPS else 1.0
            for k in range(s, e):
                paid = sp_due[k] * frac
                bal[k] -= paid
                ppaid[k] = paid
                unpaid_pr[k] = sp_due[k] - paid

        for k in range(K):
            shortv[k] = arrears[k] + unpaid_pr[k]
        # payment default: the most senior rank outstanding at the start of the period is short
        controlling = False
        for g in range(G):
            if open_group[g] > EPS:
                s = c.group_start[g]
                e = c.group_start[g + 1]
                controlling = _npsum(shortv + s, e - s) > EPS
                break

        # 5. proceeds prepay debt
        mandatory = _min(cash, sale)
        if mandatory != 0.0:
            cash = cash - mandatory + _prepay(c, mandatory, bal, ppaid)

        # 6. DSRA
        target = c.dsra_target[t] if (_npsum(bal, K) > EPS and not release) else 0.0
        top = _min(cash, target - dsra) if dsra < target else 0.0
        cash -= top
        dsra += top
        excess = _max0(dsra - target)
        dsra -= excess
        cash += excess

        # 7. covenant tests
        hist_cf[t] = cfads
        hist_ds[t] = ds
        lo = t - c.lookback + 1
        if lo < 0:
            lo = 0
        j = t + 1 - lo
        if j < 0:
            j = 0
        scf = _npsum(hist_cf + lo, j)
        sds = _npsum(hist_ds + lo, j)
        test = scf / sds if sds > EPS else NAN
        has_debt = alive and debt_open > EPS
        # the DSCR is tested only while debt is still owed after this period's payments and
        # proceeds (a sale that repays the debt in full is a repayment, not a breach)
        owing = alive and _npsum(bal, K) > EPS
        lock = owing and c.lockup_dscr > 0 and test < c.lockup_dscr
        ddef = owing and c.default_dscr > 0 and test < c.default_dscr
        ltvb = has_debt and c.ltv_max > 0 and ((not has_coll) or debt_open > c.ltv_max * coll)
        pdef = has_debt and controlling
        dflt = ddef or pdef
        go_accel = ((dflt and c.default_action == ACCELERATE)
                    or (ltvb and c.ltv_action == ACCELERATE))
        if go_accel and accel_t < 0 and not release:
            accel_t = t
        accel = alive and accel_t >= 0 and not liq_now
        sweep_all = (accel or liq_now or (dflt and c.default_action == SWEEP)
                     or (lock and c.lockup_action == SWEEP) or (ltvb and c.ltv_action == SWEEP))
        trap_mode = (not sweep_all) and (not release) and (
            (lock and c.lockup_action == TRAP) or (ltvb and c.ltv_action == TRAP))
        if lock:
            flags |= FLAG_LOCKUP
        if ddef:
            flags |= FLAG_DSCR_DEFAULT
        if ltvb:
            flags |= FLAG_LTV_BREACH
        if pdef:
            flags |= FLAG_PAYMENT_DEFAULT
        if accel:
            flags |= FLAG_ACCELERATED

        # 8. cash sweep
        if accel:
            cash += trap
            trap = 0.0
        if sweep_all:
            swept = cash
            if swept != 0.0:
                cash = cash - swept + _prepay(c, swept, bal, ppaid)
        else:
            for k in range(K):
                if c.sweep_pct[k] > 0:
                    s_k = _min(cash * c.sweep_pct[k], bal[k])
                    bal[k] -= s_k
                    ppaid[k] += s_k
                    cash -= s_k

        # 9. lock-up account; while any class is short, what is left is held there too
        hold = trap_mode or (_npsum(shortv, K) > EPS and not release)
        if hold:
            trap += cash
            cash = 0.0
        cured = (not hold) and (not lock) and (not ltvb) and (not sweep_all)
        if cured:
            cash += trap
            trap = 0.0

        # 10. distribution and write-off
        ends = release and alive
        for k in range(K):
            if ends:
                o_wo[k * T + t] = bal[k] + arrears[k]
                bal[k] = 0.0
                arrears[k] = 0.0
            else:
                o_wo[k * T + t] = 0.0
            o_int_due[k * T + t] = int_cur[k]
            o_prin[k * T + t] = ppaid[k]
            o_short[k * T + t] = shortv[k]
            o_bal[k * T + t] = bal[k]
        if liq_now:
            dead = True

        c.o_cfads[o + t] = cfads
        c.o_tax[o + t] = tax
        c.o_debt_service[o + t] = ds
        c.o_dscr[o + t] = dscr
        c.o_dscr_test[o + t] = test
        c.o_ltv[o + t] = ltv
        c.o_proceeds[o + t] = sale
        c.o_injection[o + t] = injection
        c.o_dsra_balance[o + t] = dsra
        c.o_trap_balance[o + t] = trap
        c.o_distribution[o + t] = cash
        c.o_flags[o + t] = flags


cdef Py_ssize_t _rows(str name, Py_ssize_t rows, Py_ssize_t cols, Py_ssize_t P,
                      Py_ssize_t T) except -1:
    """Row stride of a per-path input of shape (rows, cols): 0 when shared, T when per path."""
    if cols != T or (rows != 1 and rows != P):
        raise ValueError(f"{name} has shape ({rows}, {cols}); expected (1, {T}) or ({P}, {T})")
    return 0 if rows == 1 else T


cdef int _dims(str name, Py_ssize_t a, Py_ssize_t b, Py_ssize_t c,
               Py_ssize_t want_a, Py_ssize_t want_b, Py_ssize_t want_c) except -1:
    """Check a shape given as up to three extents (-1 for an absent dimension)."""
    if a != want_a or b != want_b or c != want_c:
        got = tuple(x for x in (a, b, c) if x >= 0)
        want = tuple(x for x in (want_a, want_b, want_c) if x >= 0)
        raise ValueError(f"{name} has shape {got}; expected {want}")
    return 0


cdef Py_ssize_t scratch_doubles(Py_ssize_t K, Py_ssize_t T, Py_ssize_t G) noexcept nogil:
    """Per-thread scratch of ``run_path``, rows padded to a cache line (no false sharing)."""
    cdef Py_ssize_t W = 8 * K + 2 * T + G
    return (W + 7) // 8 * 8 + 8


cdef int _set_inputs(
    Ctx* c,
    Py_ssize_t P,
    const double[:, ::1] revenue,
    const double[:, ::1] opex,
    const double[:, ::1] fees,
    const double[:, ::1] proceeds,
    const double[:, ::1] asset_value,
    const double[:, ::1] liquidation_value,
    const double[:, ::1] crypto_value,
    const double[:, ::1] base_rate,
    const double[::1] depreciation,
    const double[::1] dsra_target,
    const double[::1] fixed_rate,
    const double[::1] spread,
    const int[::1] floating,
    const double[:, ::1] year_fraction,
    const double[::1] notional,
    const double[:, ::1] scheduled_principal,
    const int[::1] maturity,
    const double[::1] sweep_pct,
    const int[::1] pik,
    const int[::1] group_start,
    double dsra_initial,
    double tax_rate,
    double lockup_dscr,
    double default_dscr,
    double ltv_max,
    int lockup_action,
    int default_action,
    int ltv_action,
    int lookback,
    int liquidation_lag,
    double margin_call_ltv,
    double crypto_liquidation_ltv,
) except -1:
    """Check the input shapes for ``P`` paths and point ``c``'s input fields at them."""
    cdef Py_ssize_t T = depreciation.shape[0], K = notional.shape[0]
    cdef Py_ssize_t G = group_start.shape[0] - 1, g
    c.rs_revenue = _rows("revenue", revenue.shape[0], revenue.shape[1], P, T)
    c.rs_opex = _rows("opex", opex.shape[0], opex.shape[1], P, T)
    c.rs_fees = _rows("fees", fees.shape[0], fees.shape[1], P, T)
    c.rs_proceeds = _rows("proceeds", proceeds.shape[0], proceeds.shape[1], P, T)
    c.rs_asset_value = _rows("asset_value", asset_value.shape[0], asset_value.shape[1], P, T)
    c.rs_liquidation_value = _rows("liquidation_value", liquidation_value.shape[0],
                                   liquidation_value.shape[1], P, T)
    c.rs_crypto_value = _rows("crypto_value", crypto_value.shape[0], crypto_value.shape[1],
                              P, T)
    c.rs_base_rate = _rows("base_rate", base_rate.shape[0], base_rate.shape[1], P, T)
    _dims("dsra_target", dsra_target.shape[0], -1, -1, T, -1, -1)
    _dims("fixed_rate", fixed_rate.shape[0], -1, -1, K, -1, -1)
    _dims("spread", spread.shape[0], -1, -1, K, -1, -1)
    _dims("floating", floating.shape[0], -1, -1, K, -1, -1)
    _dims("maturity", maturity.shape[0], -1, -1, K, -1, -1)
    _dims("sweep_pct", sweep_pct.shape[0], -1, -1, K, -1, -1)
    _dims("pik", pik.shape[0], -1, -1, K, -1, -1)
    _dims("year_fraction", year_fraction.shape[0], year_fraction.shape[1], -1, K, T, -1)
    _dims("scheduled_principal", scheduled_principal.shape[0], scheduled_principal.shape[1],
          -1, K, T, -1)
    if G < 0 or group_start[0] != 0 or group_start[G] != K:
        raise ValueError(f"group_start must run from 0 to n_tranches={K}")
    for g in range(G):
        if group_start[g + 1] < group_start[g]:
            raise ValueError("group_start must be non-decreasing")
    c.K, c.T, c.G = K, T, G
    c.W = scratch_doubles(K, T, G)
    if T > 0:
        c.revenue = &revenue[0, 0]
        c.opex = &opex[0, 0]
        c.fees = &fees[0, 0]
        c.proceeds = &proceeds[0, 0]
        c.asset_value = &asset_value[0, 0]
        c.liquidation_value = &liquidation_value[0, 0]
        c.crypto_value = &crypto_value[0, 0]
        c.base_rate = &base_rate[0, 0]
        c.depreciation = &depreciation[0]
        c.dsra_target = &dsra_target[0]
    c.group_start = &group_start[0]
    if K > 0:
        c.fixed_rate = &fixed_rate[0]
        c.spread = &spread[0]
        c.floating = &floating[0]
        c.year_fraction = &year_fraction[0, 0] if T > 0 else NULL
        c.notional = &notional[0]
        c.scheduled_principal = &scheduled_principal[0, 0] if T > 0 else NULL
        c.maturity = &maturity[0]
        c.sweep_pct = &sweep_pct[0]
        c.pik = &pik[0]
    else:
        c.fixed_rate = c.spread = c.notional = c.sweep_pct = NULL
        c.year_fraction = c.scheduled_principal = NULL
        c.floating = c.maturity = c.pik = NULL
    c.dsra_initial = dsra_initial
    c.tax_rate = tax_rate
    c.lockup_dscr = lockup_dscr
    c.default_dscr = default_dscr
    c.ltv_max = ltv_max
    c.margin_call_ltv = margin_call_ltv
    c.crypto_liquidation_ltv = crypto_liquidation_ltv
    c.lockup_action = lockup_action
    c.default_action = default_action
    c.ltv_action = ltv_action
    c.lookback = lookback
    c.lag = liquidation_lag if liquidation_lag > 1 else 1
    return 0


_F64_FIELDS = ("revenue", "opex", "fees", "proceeds", "asset_value", "liquidation_value",
               "crypto_value", "base_rate", "depreciation", "dsra_target", "fixed_rate",
               "spread", "year_fraction", "notional", "scheduled_principal", "sweep_pct")
_I32_FIELDS = ("floating", "maturity", "pik", "group_start")


cdef int context_from(Ctx* c, object inp, list keep) except -1:
    import numpy as np
    cdef Py_ssize_t P
    a = {}
    for name in _F64_FIELDS:
        a[name] = np.ascontiguousarray(getattr(inp, name), dtype=np.float64)
    for name in _I32_FIELDS:
        a[name] = np.ascontiguousarray(getattr(inp, name), dtype=np.int32)
    keep.append(a)
    P = max(a[n].shape[0] for n in _F64_FIELDS[:8])
    _set_inputs(
        c, P, a["revenue"], a["opex"], a["fees"], a["proceeds"], a["asset_value"],
        a["liquidation_value"], a["crypto_value"], a["base_rate"], a["depreciation"],
        a["dsra_target"], a["fixed_rate"], a["spread"], a["floating"], a["year_fraction"],
        a["notional"], a["scheduled_principal"], a["maturity"], a["sweep_pct"], a["pik"],
        a["group_start"], inp.dsra_initial, inp.tax_rate, inp.lockup_dscr, inp.default_dscr,
        inp.ltv_max, inp.lockup_action, inp.default_action, inp.ltv_action, inp.lookback,
        inp.liquidation_lag, inp.margin_call_ltv, inp.crypto_liquidation_ltv,
    )
    c.o_cfads = c.o_tax = c.o_debt_service = c.o_dscr = c.o_dscr_test = c.o_ltv = NULL
    c.o_proceeds = c.o_injection = c.o_dsra_balance = c.o_trap_balance = NULL
    c.o_distribution = NULL
    c.o_flags = NULL
    c.o_interest_due = c.o_interest_paid = c.o_principal_paid = c.o_pik = NULL
    c.o_shortfall = c.o_balance = c.o_writeoff = NULL
    return 0


def waterfall(
    const double[:, ::1] revenue,
    const double[:, ::1] opex,
    const double[:, ::1] fees,
    const double[:, ::1] proceeds,
    const double[:, ::1] asset_value,
    const double[:, ::1] liquidation_value,
    const double[:, ::1] crypto_value,
    const double[:, ::1] base_rate,
    const double[::1] depreciation,
    const double[::1] dsra_target,
    const double[::1] fixed_rate,
    const double[::1] spread,
    const int[::1] floating,
    const double[:, ::1] year_fraction,
    const double[::1] notional,
    const double[:, ::1] scheduled_principal,
    const int[::1] maturity,
    const double[::1] sweep_pct,
    const int[::1] pik,
    const int[::1] group_start,
    double dsra_initial,
    double tax_rate,
    double lockup_dscr,
    double default_dscr,
    double ltv_max,
    int lockup_action,
    int default_action,
    int ltv_action,
    int lookback,
    int liquidation_lag,
    double margin_call_ltv,
    double crypto_liquidation_ltv,
    double[:, ::1] cfads,
    double[:, ::1] tax,
    double[:, ::1] debt_service,
    double[:, ::1] dscr,
    double[:, ::1] dscr_test,
    double[:, ::1] ltv,
    double[:, ::1] out_proceeds,
    double[:, ::1] injection,
    double[:, ::1] dsra_balance,
    double[:, ::1] trap_balance,
    double[:, ::1] distribution,
    int[:, ::1] flags,
    double[:, :, ::1] interest_due,
    double[:, :, ::1] interest_paid,
    double[:, :, ::1] principal_paid,
    double[:, :, ::1] pik_out,
    double[:, :, ::1] shortfall,
    double[:, :, ::1] balance,
    double[:, :, ::1] writeoff,
    int n_threads=1,
):
    """Run the waterfall for every path, writing into the preallocated output arrays.

    Arguments are the fields of ``EngineInputs`` (C-contiguous float64, int32 for
    ``floating``, ``maturity``, ``pik`` and ``group_start``) in declaration order, then the
    fields of ``EngineOutputs`` (``proceeds`` and ``pik`` as ``out_proceeds`` / ``pik_out``)
    and the number of OpenMP threads. Shapes are checked here; ``ValueError`` names the
    offending array. The number of paths is ``cfads.shape[0]``.
    """
    cdef Ctx c
    cdef Py_ssize_t P = cfads.shape[0], T = depreciation.shape[0], K = notional.shape[0]
    cdef Py_ssize_t p, W
    cdef int nt = n_threads, tid
    cdef double* scratch

    # ---- inputs: shapes and pointers
    _set_inputs(
        &c, P, revenue, opex, fees, proceeds, asset_value, liquidation_value, crypto_value,
        base_rate, depreciation, dsra_target, fixed_rate, spread, floating, year_fraction,
        notional, scheduled_principal, maturity, sweep_pct, pik, group_start, dsra_initial,
        tax_rate, lockup_dscr, default_dscr, ltv_max, lockup_action, default_action,
        ltv_action, lookback, liquidation_lag, margin_call_ltv, crypto_liquidation_ltv,
    )
    # ---- outputs: shapes
    _dims("output tax", tax.shape[0], tax.shape[1], -1, P, T, -1)
    _dims("output debt_service", debt_service.shape[0], debt_service.shape[1], -1, P, T, -1)
    _dims("output dscr", dscr.shape[0], dscr.shape[1], -1, P, T, -1)
    _dims("output dscr_test", dscr_test.shape[0], dscr_test.shape[1], -1, P, T, -1)
    _dims("output ltv", ltv.shape[0], ltv.shape[1], -1, P, T, -1)
    _dims("output proceeds", out_proceeds.shape[0], out_proceeds.shape[1], -1, P, T, -1)
    _dims("output injection", injection.shape[0], injection.shape[1], -1, P, T, -1)
    _dims("output dsra_balance", dsra_balance.shape[0], dsra_balance.shape[1], -1, P, T, -1)
    _dims("output trap_balance", trap_balance.shape[0], trap_balance.shape[1], -1, P, T, -1)
    _dims("output distribution", distribution.shape[0], distribution.shape[1], -1, P, T, -1)
    _dims("output cfads", cfads.shape[0], cfads.shape[1], -1, P, T, -1)
    _dims("output flags", flags.shape[0], flags.shape[1], -1, P, T, -1)
    _dims("output interest_due", interest_due.shape[0], interest_due.shape[1],
          interest_due.shape[2], P, K, T)
    _dims("output interest_paid", interest_paid.shape[0], interest_paid.shape[1],
          interest_paid.shape[2], P, K, T)
    _dims("output principal_paid", principal_paid.shape[0], principal_paid.shape[1],
          principal_paid.shape[2], P, K, T)
    _dims("output pik", pik_out.shape[0], pik_out.shape[1], pik_out.shape[2], P, K, T)
    _dims("output shortfall", shortfall.shape[0], shortfall.shape[1], shortfall.shape[2],
          P, K, T)
    _dims("output balance", balance.shape[0], balance.shape[1], balance.shape[2], P, K, T)
    _dims("output writeoff", writeoff.shape[0], writeoff.shape[1], writeoff.shape[2], P, K, T)
    if nt < 1:
        raise ValueError(f"n_threads must be at least 1, got {nt}")
    if P == 0 or T == 0:
        return

    # ---- outputs: raw pointers into the validated buffers
    if K > 0:
        c.o_interest_due = &interest_due[0, 0, 0]
        c.o_interest_paid = &interest_paid[0, 0, 0]
        c.o_principal_paid = &principal_paid[0, 0, 0]
        c.o_pik = &pik_out[0, 0, 0]
        c.o_shortfall = &shortfall[0, 0, 0]
        c.o_balance = &balance[0, 0, 0]
        c.o_writeoff = &writeoff[0, 0, 0]
    else:
        c.o_interest_due = c.o_interest_paid = c.o_principal_paid = c.o_pik = NULL
        c.o_shortfall = c.o_balance = c.o_writeoff = NULL
    c.o_cfads = &cfads[0, 0]
    c.o_tax = &tax[0, 0]
    c.o_debt_service = &debt_service[0, 0]
    c.o_dscr = &dscr[0, 0]
    c.o_dscr_test = &dscr_test[0, 0]
    c.o_ltv = &ltv[0, 0]
    c.o_proceeds = &out_proceeds[0, 0]
    c.o_injection = &injection[0, 0]
    c.o_dsra_balance = &dsra_balance[0, 0]
    c.o_trap_balance = &trap_balance[0, 0]
    c.o_distribution = &distribution[0, 0]
    c.o_flags = &flags[0, 0]

    # ---- per-thread scratch
    W = c.W
    if nt > P:
        nt = <int>P
    scratch = <double*> malloc(nt * W * sizeof(double))
    if scratch == NULL:
        raise MemoryError("waterfall: cannot allocate the per-thread scratch")
    try:
        if nt == 1:
            with nogil:
                for p in range(P):
                    run_path(&c, p, scratch)
        else:
            for p in prange(P, nogil=True, schedule="static", num_threads=nt):
                tid = threadid()
                run_path(&c, p, scratch + tid * W)
    finally:
        free(scratch)
