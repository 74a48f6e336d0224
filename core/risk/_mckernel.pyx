# cython: language_level=3
"""Fused Monte Carlo path kernel: draws, drivers, per-path compile, waterfall and statistics of
each path in one pass, on cache-resident per-thread scratch (built by setup.py).

For path ``p`` of a run (its index in the whole run, not in the chunk) the kernel

1. seeds the path's own stream from the run key (``_rng.h``: SFC64, ziggurat normals) and
   draws its monthly shocks, residual haircut, lease events and surprise generations;
2. turns them into market drivers (``_driverpath.pxi``, the pass ``driver_paths`` runs);
3. compiles the kernel's input rows (``_pathcompile.pxi``, compile_deal for one path);
4. runs the waterfall (``core.engine._waterfall.run_path``, the engine's own step);
5. reduces the outputs to what core.risk.mcstats keeps (``_pathmath.pxi``): loss and default
   per tranche, min DSCR, the OR of the flags, the equity IRR by Newton, RVG and backstop
   payments, per-period DSCR / CFADS histogram counts (one set per thread; the periods after
   which debt is outstanding) and the attribution facts of core.risk.causes (each tranche's
   first default, the path's event periods, the rent and rate gaps).

Nothing per period leaves the thread's scratch, so memory traffic is a few hundred bytes a
path. Paths are independent, so results do not depend on the number of threads, on chunking
or on where a chunk runs. The staged pipeline (core.risk.paths.make_drivers ->
core.engine.compile.compile_deal -> run_waterfall -> core.risk.mcstats.chunk_stats) is the
reference: tests/risk/test_mckernel.py checks that both give the same statistics.
"""

cimport cython
from cython.parallel cimport prange, threadid
from libc.math cimport INFINITY, NAN, ceil, exp, fabs, floor, isfinite, pow, sqrt
from libc.stdint cimport uint64_t
from libc.stdlib cimport free, malloc

from core.engine._waterfall cimport (
    FLAG_ACCELERATED,
    FLAG_CRYPTO_SOLD,
    FLAG_LTV_BREACH,
    FLAG_MARGIN_CALL,
    N_PATH_INPUTS,
    N_PKT_OUTPUTS,
    N_PT_OUTPUTS,
    Ctx,
    bind_input_rows,
    bind_path_outputs,
    context_from,
    run_path,
)

import numpy as np

ABI_VERSION = 2

cdef extern from "_rng.h" nogil:
    ctypedef struct cs_rng:
        uint64_t s[4]
    void cs_seed(cs_rng* r, const uint64_t* key, uint64_t path)
    void cs_zig_init()
    void cs_draw_path(
        cs_rng* r, Py_ssize_t M, double* u, double* z1, double* z2, double* zu, double* zv,
        double* zr, double* residual, Py_ssize_t n_events, const signed char* event_kinds,
        double* events, double gen_rate, int mpp, Py_ssize_t T, int* jumps,
    )

cs_zig_init()

include "../engine/_npsum.pxi"
include "_pathmath.pxi"
include "_driverpath.pxi"
include "../engine/_pathcompile.pxi"

cdef double DEFAULT_EPS = 1e-6  # core.risk.mcstats.EPS
cdef int IRR_ITERS = 50  # core.risk.mcstats.equity_irr

# a path's event periods, in the order of core.risk.causes.EVENTS: the per-path compile's
# six (PathDetail.event_at), the first LTV breach, the first crypto event, the first balloon
# with refinancing terms short at its maturity; and its cash gaps
cdef enum:
    N_EVENTS = 9
    EV_LTV = 6
    EV_CRYPTO = 7
    EV_REFI = 8  # core.risk.causes.refi_events
    N_GAPS = 3
EVENTS = N_EVENTS
GAPS = N_GAPS


ctypedef struct Run:
    const Plan* q
    const DriverParams* d
    const uint64_t* key
    uint64_t first_path
    Py_ssize_t M, E, T, K
    int mpp
    double gen_rate, equity
    const signed char* kinds
    const double* notional
    double dscr_lo, dscr_w, cf_lo, cf_w
    Py_ssize_t dscr_n, cf_n
    const double* base_revenue  # (T,) the base case's revenue (rent gap)
    const double* base_curve  # (T,) the deal's base-rate curve (rate gap)
    const double* base_sale  # (T,) the base case's sale value (collateral gap)
    const double* base_value  # (T,) the base case's asset value (collateral gap)
    # outputs, row i of the chunk
    double* loss
    unsigned char* default
    double* min_dscr
    int* anyflag
    double* irr
    unsigned char* irr_sign
    double* rvg
    double* backstop
    double* share
    long long* dscr_hist  # (threads, T, dscr_n + 1)
    long long* cfads_hist  # (threads, T, cf_n + 1)
    int* first  # (n, K) period of each tranche's first default, T: none
    int* events  # (n, N_EVENTS) event periods, T: none
    double* gaps  # (n, K, N_GAPS) rent, rate and collateral gaps up to the first default
    # the refinancing market (core.risk.refimarket): rent-factor thresholds (T,), or NULL
    const double* refi_shut
    const double* refi_wide
    double refi_wide_spread


cdef inline Py_ssize_t _rows_at(Py_ssize_t M, Py_ssize_t E, Py_ssize_t T,
                                Py_ssize_t NG) noexcept nogil:
    """Offset of a thread's kernel input rows in its scratch: after the draws, events,
    drivers and the per-path compile's own scratch (``NG``: its _compile_doubles)."""
    return 6 * M + (E if E > 0 else 1) + 5 * T + NG


cdef inline Py_ssize_t _rows_doubles(Py_ssize_t T, Py_ssize_t K) noexcept nogil:
    """Doubles of one path's input rows and outputs (the layout of bind_input_rows and
    bind_path_outputs, rendered from core.engine.arrays)."""
    return (N_PATH_INPUTS + N_PT_OUTPUTS) * T + N_PKT_OUTPUTS * K * T


cdef Py_ssize_t _thread_doubles(Py_ssize_t M, Py_ssize_t E, Py_ssize_t T, Py_ssize_t K,
                                Py_ssize_t NG, Py_ssize_t W) noexcept nogil:
    """Scratch doubles of one thread: draws, events, drivers, compile, rows, outputs, the
    waterfall's own scratch and the equity flows; padded to whole cache lines."""
    cdef Py_ssize_t n = _rows_at(M, E, T, NG) + _rows_doubles(T, K) + W + (T + 1)
    return (n + 7) // 8 * 8 + 8


cdef void _bind(Ctx* c, double* w, Py_ssize_t M, Py_ssize_t E, Py_ssize_t T, Py_ssize_t K,
                Py_ssize_t NG) noexcept nogil:
    """Point a thread's waterfall context at its scratch: the input rows are the thread's own
    (row stride 0; the base rate is the driver's rate row), the outputs one path's worth of
    rows."""
    bind_path_outputs(c, bind_input_rows(c, w + _rows_at(M, E, T, NG)))
    c.base_rate = w + 6 * M + (E if E > 0 else 1) + 4 * T  # the driver's rate row


cdef void _prepare(const Run* r, const Ctx* c, double* w, int* jumps, int* ev,
                   Py_ssize_t i) noexcept nogil:
    """Steps 1-3 for path ``r.first_path + i``: draws, drivers and the kernel's input rows
    (in the thread's rows ``c`` points at); the stress share, RVG and backstop into row i,
    the compile's event periods into ``ev`` (N_EVENTS ints)."""
    cdef Py_ssize_t M = r.M, E = r.E, T = r.T
    cdef double* events = w + 6 * M
    cdef double* drv = events + (E if E > 0 else 1)
    cdef double residual
    cdef cs_rng rng
    cdef PathDetail det
    cdef int sale_period
    det.lease_revenue = NULL
    det.lease_backstop = NULL
    det.lease_end = NULL
    det.lease_defaulted = NULL
    det.guarantee_paid = NULL
    det.sale_period = &sale_period
    det.event_at = ev
    det.going_concern = NULL
    det.gc_basis = NULL
    det.capex = <double*>c.capex  # the kernel's capex row: the path's, moved by its delay
    cs_seed(&rng, r.key, r.first_path + <uint64_t>i)
    cs_draw_path(&rng, M, w, w + M, w + 2 * M, w + 3 * M, w + 4 * M, w + 5 * M, &residual, E,
                 r.kinds, events, r.gen_rate, r.mpp, T, jumps)
    _driver_path(r.d, w, w + M, w + 2 * M, w + 3 * M, w + 4 * M, jumps, w + 5 * M, drv,
                 drv + T, drv + 2 * T, drv + 3 * T, drv + 4 * T, &r.share[i])
    _compile_path(r.q, drv, drv + T, drv + 2 * T, drv + 3 * T, residual, events, drv + 5 * T,
                  <double*>c.revenue, <double*>c.opex, <double*>c.fees, <double*>c.proceeds,
                  <double*>c.asset_value, <double*>c.liquidation_value,
                  <double*>c.crypto_value, &r.rvg[i], &r.backstop[i], &det)
    _refi_rows(r, drv, <double*>c.refi_advance_cut, <double*>c.refi_spread_add)


cdef inline void _refi_rows(const Run* r, const double* rent, double* cut,
                            double* add) noexcept nogil:
    """The refinancing market rows of a path from its market-rent factors (the rule of
    core.risk.refimarket.refi_rows): shut below one threshold, at a stressed spread below the
    other; zeros on a deal that refinances nothing."""
    cdef Py_ssize_t t
    for t in range(r.T):
        if r.refi_shut == NULL:
            cut[t] = 0.0
            add[t] = 0.0
        else:
            cut[t] = 1.0 if rent[t] < r.refi_shut[t] else 0.0
            add[t] = r.refi_wide_spread if rent[t] < r.refi_wide[t] else 0.0


cdef void _one_path(const Run* r, const Ctx* c, double* w, int* jumps, Py_ssize_t i,
                    int tid) noexcept nogil:
    """Path ``r.first_path + i``, start to finish; writes row ``i`` of the outputs."""
    cdef Py_ssize_t T = r.T, K = r.K, t, k, b
    cdef double* kw = w + _rows_at(r.M, r.E, T, _compile_doubles(r.q)) + _rows_doubles(T, K)  # run_path's
    cdef double* flows = kw + c.W
    cdef double mx, mn
    cdef long long* hd
    cdef long long* hc
    cdef int* ev = r.events + i * N_EVENTS
    _prepare(r, c, w, jumps, ev, i)
    run_path(c, 0, kw)
    ev[EV_REFI] = _refi_event(c, T, K)

    for k in range(K):
        r.loss[i * K + k] = _npsum(c.o_writeoff + k * T, T)
    r.anyflag[i] = _reduce_path(K, T, &r.loss[i * K], c.o_shortfall, c.o_balance, c.o_flags,
                                c.o_dscr, r.notional, DEFAULT_EPS, FLAG_ACCELERATED,
                                &r.default[i * K], &r.min_dscr[i])
    _path_facts(K, T, c.o_writeoff, c.o_shortfall, c.o_balance, c.o_flags, r.notional,
                DEFAULT_EPS, FLAG_ACCELERATED, FLAG_LTV_BREACH,
                FLAG_MARGIN_CALL | FLAG_CRYPTO_SOLD, c.revenue, r.base_revenue, c.base_rate,
                r.base_curve, c.floating, c.year_fraction, c.swap_float_accrual, c.proceeds,
                r.base_sale, c.asset_value, r.base_value, &r.default[i * K], r.first + i * K,
                ev + EV_LTV, ev + EV_CRYPTO, r.gaps + N_GAPS * i * K)
    if r.equity > 0:
        flows[0] = -r.equity
        mx = flows[0]
        mn = flows[0]
        for t in range(T):
            flows[t + 1] = c.o_distribution[t] - c.o_injection[t]
            if flows[t + 1] > mx:
                mx = flows[t + 1]
            if flows[t + 1] < mn:
                mn = flows[t + 1]
        r.irr_sign[i] = mx > 0 and mn < 0
        r.irr[i] = _irr_row(flows, T + 1, IRR_ITERS)
    else:
        r.irr_sign[i] = 0
        r.irr[i] = NAN
    hd = r.dscr_hist + tid * T * (r.dscr_n + 1)
    hc = r.cfads_hist + tid * T * (r.cf_n + 1)
    for t in range(T):
        if not _outstanding(K, T, c.o_balance, t, DEFAULT_EPS):
            continue
        b = _bin(c.o_dscr[t], r.dscr_lo, r.dscr_w, r.dscr_n)
        if b >= 0:
            hd[t * (r.dscr_n + 1) + b] += 1
        b = _bin(c.o_cfads[t], r.cf_lo, r.cf_w, r.cf_n)
        if b >= 0:
            hc[t * (r.cf_n + 1) + b] += 1


cdef inline int _refi_event(const Ctx* c, Py_ssize_t T, Py_ssize_t K) noexcept nogil:
    """The first period in which a tranche with refinancing terms is short at its maturity
    (core.risk.causes.refi_events), ``T`` when none."""
    cdef Py_ssize_t k, m
    cdef int at = <int>T
    for k in range(K):
        m = c.maturity[k]
        if c.refi_on[k] and m < T and m < at and c.o_shortfall[k * T + m] > DEFAULT_EPS:
            at = <int>m
    return at


cdef const double* _dptr(list keep, object a) except *:
    cdef const double[::1] v = np.ascontiguousarray(a, dtype=np.float64).reshape(-1)
    keep.append(v)
    return &v[0] if v.shape[0] > 0 else NULL


cdef class PathModel:
    """One run's deal, market model and statistics layout, ready for :meth:`run` (read-only
    once built, so chunks may run on several threads at once).

    ``inputs``: the base case's EngineInputs (its debt schedules, rates, covenants);
    ``plan``: core.risk.mcplan.build_plan; ``drivers``: core.risk.paths.driver_params;
    ``kinds``: core.risk.paths.event_kinds; ``gen_rate``: surprise generations a year;
    ``equity``: equity invested at close (0: no IRR); ``dscr`` / ``cfads``: histogram
    (first edge, bin width, number of edges)."""

    cdef Plan q
    cdef DriverParams d
    cdef Ctx c
    cdef list keep
    cdef Py_ssize_t M, E, T, K, NG
    cdef int mpp
    cdef double gen_rate, equity, dscr_lo, dscr_w, cf_lo, cf_w
    cdef Py_ssize_t dscr_n, cf_n
    cdef const signed char* kinds
    cdef const double* base_revenue
    cdef const double* base_sale
    cdef const double* base_value
    cdef const double* refi_shut
    cdef const double* refi_wide
    cdef double refi_wide_spread

    def __init__(self, inputs, dict plan, dict drivers, kinds, double gen_rate, double equity,
                 tuple dscr, tuple cfads, tuple base, refi=None):
        cdef const signed char[::1] kv
        cdef Plan* q = &self.q
        cdef DriverParams* dd = &self.d
        cdef list k
        self.keep = []
        context_from(&self.c, inputs, self.keep, -1)
        k = self.keep
        fill_plan(q, plan, k)

        dd.T = q.T
        dd.mpp = drivers["mpp"]
        dd.t = _dptr(k, drivers["t"])
        dd.p_enter, dd.p_exit = drivers["p_enter"], drivers["p_exit"]
        dd.rho_n, dd.rho_s = drivers["rho_n"], drivers["rho_s"]
        dd.rest_n, dd.rest_s = drivers["rest_n"], drivers["rest_s"]
        dd.rent_ou, dd.rent_vol = drivers["rent_ou"], drivers["rent_vol"]
        dd.rent_phi, dd.rent_step = drivers["rent_phi"], drivers["rent_step"]
        dd.rent_var = _dptr(k, drivers["rent_var"])
        dd.rent_mult = _dptr(k, drivers["rent_mult"])
        dd.util_phi, dd.util_vol, dd.util_c = (drivers["util_phi"], drivers["util_vol"],
                                               drivers["util_c"])
        dd.value_beta, dd.value_vol = drivers["value_beta"], drivers["value_vol"]
        dd.jump_table = _dptr(k, drivers["jump_table"])
        dd.n_jump_table = len(drivers["jump_table"])
        dd.gen_keep = drivers["gen_keep"]
        dd.btc_vol, dd.rate_vol = drivers["btc_vol"], drivers["rate_vol"]
        dd.base = _dptr(k, drivers["base"])
        if dd.n_jump_table < 1 or len(drivers["t"]) != q.T or len(drivers["base"]) != q.T:
            raise ValueError("driver parameters do not match the plan's periods")

        kv = np.ascontiguousarray(kinds, dtype=np.int8)
        k.append(kv)
        self.kinds = &kv[0] if kv.shape[0] > 0 else NULL
        self.E = kv.shape[0]
        if self.E != q.E:
            raise ValueError(f"{self.E} event kinds for a plan of {q.E} event draws")
        self.T, self.K, self.NG = q.T, self.c.K, _compile_doubles(q)
        if self.c.T != q.T:
            raise ValueError(f"inputs have {self.c.T} periods, the plan {q.T}")
        self.mpp = dd.mpp
        self.M = q.T * dd.mpp
        self.gen_rate, self.equity = gen_rate, equity
        self.dscr_lo, self.dscr_w, self.dscr_n = dscr
        self.cf_lo, self.cf_w, self.cf_n = cfads
        if len(base) != 4 or any(len(row) != q.T for row in base):
            raise ValueError("base must be the 4 rows of causes.base_rows, of the plan's periods")
        self.base_revenue = _dptr(k, base[0])
        self.base_sale = _dptr(k, base[2])
        self.base_value = _dptr(k, base[3])
        # refi: core.risk.refimarket.refi_market (shut_below, wide_below, wide_spread), or None
        self.refi_shut = self.refi_wide = NULL
        self.refi_wide_spread = 0.0
        if refi is not None:
            if len(refi[0]) != q.T or len(refi[1]) != q.T:
                raise ValueError("refi thresholds must have the plan's periods")
            self.refi_shut = _dptr(k, refi[0])
            self.refi_wide = _dptr(k, refi[1])
            self.refi_wide_spread = refi[2]

    cdef void _fill_run(self, Run* r, const uint64_t* key, uint64_t first_path):
        r.q, r.d, r.key, r.first_path = &self.q, &self.d, key, first_path
        r.M, r.E, r.T, r.K, r.mpp = self.M, self.E, self.T, self.K, self.mpp
        r.gen_rate, r.equity, r.kinds = self.gen_rate, self.equity, self.kinds
        r.notional = self.c.notional
        r.dscr_lo, r.dscr_w, r.dscr_n = self.dscr_lo, self.dscr_w, self.dscr_n
        r.cf_lo, r.cf_w, r.cf_n = self.cf_lo, self.cf_w, self.cf_n
        r.base_revenue, r.base_curve = self.base_revenue, self.d.base
        r.base_sale, r.base_value = self.base_sale, self.base_value
        r.refi_shut, r.refi_wide = self.refi_shut, self.refi_wide
        r.refi_wide_spread = self.refi_wide_spread

    def compile_rows(self, const uint64_t[::1] key, uint64_t first_path,
                     double[:, :, ::1] rows, double[::1] rvg, double[::1] backstop,
                     double[::1] share):
        """Steps 1-3 only, for tests: the kernel's input rows of paths ``first_path ..`` into
        ``rows`` (n, 11, T): revenue, opex, fees, proceeds, asset_value, liquidation_value,
        crypto_value, base_rate, capex, refi_advance_cut, refi_spread_add (core.engine.arrays'
        PATH_FIELDS); and each path's RVG, backstop and stress share."""
        cdef Py_ssize_t n = rows.shape[0], T = self.T, i, j, t, W
        cdef Run r
        cdef Ctx c = self.c
        cdef double* scratch
        cdef int* jumps
        cdef const double* src[11]
        cdef int ev[N_EVENTS]
        if key.shape[0] != 4:
            raise ValueError(f"key must have 4 words, got {key.shape[0]}")
        if rows.shape[1] != 11 or rows.shape[2] != T:
            raise ValueError(f"rows must be (n, 11, {T})")
        if rvg.shape[0] != n or backstop.shape[0] != n or share.shape[0] != n:
            raise ValueError(f"rvg, backstop and share must have {n} rows")
        if n == 0 or T == 0:
            return
        self._fill_run(&r, &key[0], first_path)
        r.rvg, r.backstop, r.share = &rvg[0], &backstop[0], &share[0]
        W = _thread_doubles(self.M, self.E, T, self.K, self.NG, self.c.W)
        scratch = <double*>malloc(W * sizeof(double))
        jumps = <int*>malloc((T + 16) * sizeof(int))
        if scratch == NULL or jumps == NULL:
            free(scratch)
            free(jumps)
            raise MemoryError("Monte Carlo kernel: cannot allocate scratch")
        _bind(&c, scratch, self.M, self.E, T, self.K, self.NG)
        src[0], src[1], src[2], src[3] = c.revenue, c.opex, c.fees, c.proceeds
        src[4], src[5], src[6], src[7] = (c.asset_value, c.liquidation_value, c.crypto_value,
                                          c.base_rate)
        src[8], src[9], src[10] = c.capex, c.refi_advance_cut, c.refi_spread_add
        with nogil:
            for i in range(n):
                _prepare(&r, &c, scratch, jumps, ev, i)
                for j in range(11):
                    for t in range(T):
                        rows[i, j, t] = src[j][t]
        free(scratch)
        free(jumps)

    def run(self, const uint64_t[::1] key, uint64_t first_path,
            double[:, ::1] loss, unsigned char[:, ::1] default, double[::1] min_dscr,
            int[::1] anyflag, double[::1] irr, unsigned char[::1] irr_sign,
            double[::1] rvg, double[::1] backstop, double[::1] share,
            long long[:, :, ::1] dscr_hist, long long[:, :, ::1] cfads_hist, int n_threads,
            int[:, ::1] first, int[:, ::1] events, double[:, :, ::1] gaps):
        """Paths ``first_path .. first_path + n - 1`` (``n = loss.shape[0]``) into row ``i`` of
        each output; the histograms (threads, T, edges + 1) are added to, one slab per thread
        (sum them over the first axis), over the periods after which debt is outstanding.
        ``irr`` is the periodic IRR by Newton (NaN where it did not settle) and ``irr_sign``
        whether the equity flows change sign. ``first`` (n, K), ``events`` (n, EVENTS) and
        ``gaps`` (n, K, GAPS): the attribution facts of core.risk.causes."""
        cdef Py_ssize_t n = loss.shape[0], T = self.T, K = self.K, i, W
        cdef int nt = n_threads, tid
        cdef Run r
        cdef Ctx* ctxs
        cdef double* scratch
        cdef int* jumps
        if key.shape[0] != 4:
            raise ValueError(f"key must have 4 words, got {key.shape[0]}")
        if loss.shape[1] != K or default.shape[0] != n or default.shape[1] != K:
            raise ValueError(f"loss and default must be ({n}, {K})")
        for name, arr in (("min_dscr", min_dscr), ("anyflag", anyflag), ("irr", irr),
                          ("irr_sign", irr_sign), ("rvg", rvg), ("backstop", backstop),
                          ("share", share)):
            if arr.shape[0] != n:
                raise ValueError(f"{name} must have {n} rows, got {arr.shape[0]}")
        if first.shape[0] != n or first.shape[1] != K or events.shape[0] != n:
            raise ValueError(f"first must be ({n}, {K}) and events ({n}, {N_EVENTS})")
        if events.shape[1] != N_EVENTS or gaps.shape[0] != n or gaps.shape[1] != K:
            raise ValueError(f"events must be ({n}, {N_EVENTS}) and gaps ({n}, {K}, {N_GAPS})")
        if gaps.shape[2] != N_GAPS:
            raise ValueError(f"gaps must be ({n}, {K}, {N_GAPS})")
        if nt < 1:
            raise ValueError(f"n_threads must be at least 1, got {nt}")
        if nt > n:
            nt = <int>n if n > 0 else 1
        if (dscr_hist.shape[0] < nt or dscr_hist.shape[1] != T
                or dscr_hist.shape[2] != self.dscr_n + 1):
            raise ValueError(f"dscr_hist must be (>= {nt}, {T}, {self.dscr_n + 1})")
        if (cfads_hist.shape[0] < nt or cfads_hist.shape[1] != T
                or cfads_hist.shape[2] != self.cf_n + 1):
            raise ValueError(f"cfads_hist must be (>= {nt}, {T}, {self.cf_n + 1})")
        if n == 0 or T == 0 or K == 0:
            if n > 0:
                raise ValueError("a Monte Carlo needs at least one period and one tranche")
            return
        self._fill_run(&r, &key[0], first_path)
        r.loss, r.default, r.min_dscr, r.anyflag = &loss[0, 0], &default[0, 0], &min_dscr[0], \
            &anyflag[0]
        r.irr, r.irr_sign, r.rvg, r.backstop, r.share = &irr[0], &irr_sign[0], &rvg[0], \
            &backstop[0], &share[0]
        r.dscr_hist, r.cfads_hist = &dscr_hist[0, 0, 0], &cfads_hist[0, 0, 0]
        r.first, r.events, r.gaps = &first[0, 0], &events[0, 0], &gaps[0, 0, 0]

        W = _thread_doubles(self.M, self.E, T, K, self.NG, self.c.W)
        scratch = <double*>malloc(nt * W * sizeof(double))
        jumps = <int*>malloc(nt * (T + 16) * sizeof(int))
        ctxs = <Ctx*>malloc(nt * sizeof(Ctx))
        if scratch == NULL or jumps == NULL or ctxs == NULL:
            free(scratch)
            free(jumps)
            free(ctxs)
            raise MemoryError("Monte Carlo kernel: cannot allocate the per-thread scratch")
        try:
            for tid in range(nt):
                ctxs[tid] = self.c
                _bind(&ctxs[tid], scratch + tid * W, self.M, self.E, T, K, self.NG)
            if nt == 1:
                with nogil:
                    for i in range(n):
                        _one_path(&r, &ctxs[0], scratch, jumps, i, 0)
            else:
                for i in prange(n, nogil=True, schedule="static", num_threads=nt):
                    tid = threadid()
                    _one_path(&r, &ctxs[tid], scratch + tid * W, jumps + tid * (T + 16), i,
                              tid)
        finally:
            free(scratch)
            free(jumps)
            free(ctxs)
