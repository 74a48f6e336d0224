# The engine's per-path compile: the kernel input rows of ONE path of a deal from its drivers,
# in compiled code. Included by core/engine/_compile.pyx (compile_deal's production compile)
# and by core/risk/_mckernel.pyx (every Monte Carlo path); both need ``floor`` from libc.math
# and ``_npsum`` (core/engine/_npsum.pxi) in scope. The deal-level arrays come from
# core.engine.plan.build_plan, which documents each field (the Monte Carlo adds its market
# model's: core.risk.mcplan). The NumPy specification is core/engine/reference_compile.py;
# every float expression here follows it (and leases.py) operation by operation, so the rows
# are equal bit for bit (tests/risk/test_mckernel.py, tests/engine/test_compile_parity.py).

ctypedef struct Plan:
    Py_ssize_t T, L, NG, NC, S, E  # periods, leases, guarantees, crypto blocks, max terms, events
    Py_ssize_t NCP  # counterparties (sponsor blocks): one default time each
    int ppy, commercial_end, has_fleet, lease_events
    int enforce_lag  # periods from an enforcement after a tenant default to the forced sale
    int has_ramp  # 1: the GPU fleet is delivered with delayed draws (core.engine.draws)
    double residual_sd, g_sale, g_liq, h_sale, h_liq
    const double* gpu_mv0  # (T,) GPU market value of the base case
    const double* fac_mv  # (T,) facility market value
    const double* fire  # (T,) GPU forced-sale haircut add (age and volume)
    const double* ramp  # (T,) share of the GPU fleet delivered (1 without delayed draws)
    const double* opex  # (T,) before the operating mask
    const double* fees  # (T,)
    const double* crypto_path  # (NC, T) units x price path, USD m
    # per lease (L,)
    const double* r0  # initial rent per period
    const double* renewal_pct
    const double* renew_contract  # 1: renewals at the contract rent, 0: repriced to market
    const double* util0  # the lease's own utilisation (gpu-hour leases)
    const double* top  # take-or-pay share
    const double* billed0  # max(util0, top)
    const double* fee  # termination fee
    const double* bs_cap  # backstop cap (sum over the lease's backstops)
    const double* hazard  # tenant default hazard a year (0: none drawn)
    const double* term_hazard  # early-termination hazard a year
    const double* p_refuse  # probability of refusing each renewal option
    const double* remarket  # re-leasing after a default: share of the rent lost
    const double* walk_gap  # walk away once rent > (1 + gap) x market rent (0: never)
    const double* walk_sens  # drawn events: termination hazard per unit of rent above market
    const int* n_seg  # rent segments inside the horizon (initial term, renewals)
    const int* n_ends  # term ends (1 + renewal options)
    const int* gpu_hour
    const int* re_lease
    const int* sell
    const int* has_bs
    const int* bs_end
    const int* ren_default  # renewals / termination / default period without lease events
    const int* term_default
    const int* dflt_default
    const int* ev_off  # first event column of the lease (default, termination, options...)
    const int* recovery  # after a tenant default: 0 enforce (forced sale), 1 re-lease
    const int* search_lag  # periods from a default to a re-let (recovery 1)
    const int* bs_scope  # 0 default, 1 default or termination, 2 assumption (no cap)
    const int* tenant_cp  # counterparty of the tenant, -1 none
    const int* rent_driven  # 1: the path's rent factor moves the lease's market rent
    const int* ramps  # 1: the lease's rent follows the GPUs delivered (ramp)
    const int* seg_start  # (L, S)
    const int* seg_stop  # (L, S) min(term end, T)
    const int* ends  # (L, S) term ends
    const double* seg_lastpow  # (L, S) escalator ** whole years of the segment (Python pow)
    const double* market_idx  # (L, T) market rent index of the lease
    const double* esc_np  # (L, T + 1) escalator ** k (NumPy power)
    # guarantees in deal order (NG,)
    const int* g_rvg  # 1 RVG, 0 backstop
    const int* g_linked  # a backstop linked to at least one lease (it then has a payment)
    const double* g_floor  # RVG floor, USD m
    const double* g_cap
    const int* g_end  # RVG term end (exclusive period)
    const double* g_share  # (NG, L) backstop share of a lease's payments, -1: not linked
    const int* g_trig  # RVG: causes of a sale it pays on (1 lease end, 2 default, 4 accel.)
    const int* g_cp  # counterparty of the guarantor, -1 none (never fails)
    # counterparties (NCP,)
    const int* cp_default  # the deal's own default period (T: none)
    const double* cp_hazard  # default hazard a year when events are drawn (0: none)
    const int* cp_off  # its event column
    # construction (core.engine.construction; plan.build_plan)
    Py_ssize_t completion  # first operating period as planned (0: no construction phase)
    Py_ssize_t delay  # periods by which this path's completion slips
    const double* delay_interest  # (T,) interest owed from completion (a delay cost's head)
    const int* g_completion  # (NG,) 1: a completion guarantee
    double delay_p  # Monte Carlo: probability that a path's completion is late (0: none drawn)
    double delay_mean  # Monte Carlo: mean delay of a late path, periods (exponential)
    Py_ssize_t delay_off  # its two event columns: late (uniform), length (exponential)


cdef inline double _cmin(double a, double b) noexcept nogil:
    return a if a < b else b  # NumPy's minimum for non-NaN values


cdef inline double _cmax(double a, double b) noexcept nogil:
    return a if a > b else b  # NumPy's maximum for non-NaN values


cdef inline double _clip01(double a) noexcept nogil:
    return _cmin(_cmax(a, 0.0), 1.0)


cdef inline Py_ssize_t _event_period(double e, double hazard, int ppy, Py_ssize_t T) noexcept nogil:
    """``min(floor(e / hazard * ppy), T)``: the period of an exponential event time."""
    cdef double x = floor((e / hazard) * ppy)
    return T if x >= T else <Py_ssize_t>x


cdef inline Py_ssize_t _compile_doubles(const Plan* q) noexcept nogil:
    """Scratch doubles :func:`_compile_path_detail` needs."""
    return 8 * q.T + 2 * q.NG + q.L + q.NCP


ctypedef struct PathDetail:
    # what compile_deal keeps of a path beyond its input rows (NULL in the Monte Carlo)
    double* lease_revenue  # (L, T) rent, termination fee and backstop payments of each lease
    double* lease_backstop  # (L, T) backstop payments of each lease
    int* lease_end  # (L,) first period with no contracted rent
    unsigned char* lease_defaulted  # (L,) ended by the tenant's default
    double* guarantee_paid  # (NG,) total paid by each guarantee
    int* sale_period  # period of the sale (T - 1 when none in the horizon)
    # (6,) first period in which a lease's contracted rent was cut by a tenant default (after
    # any backstop ran out), an early termination, a non-renewal (an option refused), an
    # economic walk-away, or a tenant default whose backstop's guarantor had defaulted, and the
    # planned completion of a path whose completion is late: the compile events of
    # core.risk.causes.EVENTS, T when none; NULL: not wanted. The Monte
    # Carlo sets only this and sale_period (the other pointers NULL).
    int* event_at


cdef inline void _compile_path(
    const Plan* q, const double* rent, const double* util, const double* value,
    const double* btc, double residual_z, const double* events, double* w,
    double* revenue, double* opex_p, double* fees_p, double* proceeds, double* asset_value,
    double* liq_value, double* crypto_value, double* rvg_paid, double* backstop_paid,
    PathDetail* det,
) noexcept nogil:
    """One Monte Carlo path: :func:`_compile_path_detail` with the lease events drawn from
    ``events`` (or the deal's own dates) and the detail ``det`` asks for (its event periods
    and sale period)."""
    _compile_path_detail(q, rent, util, value, btc, residual_z, events, NULL, w, revenue,
                         opex_p, fees_p, proceeds, asset_value, liq_value, crypto_value,
                         rvg_paid, backstop_paid, det)


cdef inline void _compile_path_detail(
    const Plan* q, const double* rent, const double* util, const double* value,
    const double* btc, double residual_z, const double* events, const int* lease_ev,
    double* w, double* revenue, double* opex_p, double* fees_p, double* proceeds,
    double* asset_value, double* liq_value, double* crypto_value, double* rvg_paid,
    double* backstop_paid, PathDetail* det,
) noexcept nogil:
    """Kernel input rows of one path from its drivers (``rent`` factor, ``util`` factor,
    GPU ``value`` factor, ``btc`` factor, the residual-haircut normal) and its lease events:
    ``lease_ev`` (renewals, termination period, tenant default period of each lease, (L, 3))
    when given, else drawn from ``events`` when the plan has lease events, else the deal's own
    dates. ``w`` is scratch of ``_compile_doubles(q)`` doubles. Also the path's RVG and
    backstop payments, summed over guarantees in deal order as core.risk.montecarlo.run_chunk
    does, and, when ``det`` is not NULL, what each lease and guarantee paid and the sale
    period."""
    cdef Py_ssize_t T = q.T, S = q.S, t, l, i, g, k, c
    cdef double* gpu_mv = w
    cdef double* mv = w + T
    cdef double* sale_value = w + 2 * T
    cdef double* forced = w + 3 * T
    cdef double* market = w + 4 * T
    cdef double* rent_s = w + 5 * T
    cdef double* rl = w + 6 * T
    cdef double* bs = w + 7 * T
    cdef double* paid = w + 8 * T
    cdef double* gdef = paid + q.NG  # each guarantee's guarantor default period
    cdef double* ldef = gdef + q.NG  # each lease's own default period
    cdef double* cpd = ldef + q.L  # each counterparty's default period
    cdef double residual = residual_z * q.residual_sd
    cdef double gs, hs, level, last, at_market, ratio, cum, owed, before, b, bs_total
    cdef double got, pay, rvg_at_sale, mask, mk, gap, lam, hz, floor_g
    cdef Py_ssize_t ss, se, ce, renewals, term, dflt, stop, fee_period, end, horizon
    cdef Py_ssize_t exhausted, first, opts, nopt, off, ends_p = 0, sale_period, start
    cdef Py_ssize_t bs_gd, scope, relet_from, sp_m, dl, cc, uncovered
    cdef bint terminated, defaulted, found, called, last_default = False
    cdef bint walked, guarantor_cut  # core.risk.causes: walk-away, guarantor default
    cdef double hzb, g_nt
    cdef int mode, last_mode = 0, cause

    # ---- assets: GPU value moved by the driver, sale and forced-sale values
    for t in range(T):
        gpu_mv[t] = q.gpu_mv0[t] * value[t] if q.has_fleet else q.gpu_mv0[t]
        mv[t] = gpu_mv[t] + q.fac_mv[t]
    gs = _clip01(q.g_sale + residual)
    hs = _clip01(q.h_sale + residual)
    for t in range(T):
        sale_value[t] = gpu_mv[t] * (1.0 - gs) + q.fac_mv[t] * (1.0 - hs)
        forced[t] = (gpu_mv[t] * (1.0 - _clip01(q.g_liq + q.fire[t]))
                     + q.fac_mv[t] * (1.0 - _clip01(q.h_liq)))
        revenue[t] = 0.0
    for g in range(q.NG):
        paid[g] = 0.0

    # ---- counterparties: one default time each (its own date, drawn, or a lease's default)
    for c in range(q.NCP):
        cpd[c] = q.cp_default[c]
        if q.lease_events and lease_ev == NULL and q.cp_hazard[c] > 0:
            cpd[c] = min(q.cp_default[c],
                         _event_period(events[q.cp_off[c]], q.cp_hazard[c], q.ppy, T))
    for l in range(q.L):
        if lease_ev != NULL:
            dflt = lease_ev[3 * l + 2]
        elif q.lease_events:
            dflt = q.dflt_default[l]
            if q.hazard[l] > 0:
                dflt = min(dflt, _event_period(events[q.ev_off[l]], q.hazard[l], q.ppy, T))
            elif dflt > T:
                dflt = T
        else:
            dflt = q.dflt_default[l]
        ldef[l] = dflt
        c = q.tenant_cp[l]
        if c >= 0 and dflt < cpd[c]:
            cpd[c] = dflt
    for g in range(q.NG):
        gdef[g] = cpd[q.g_cp[g]] if q.g_cp[g] >= 0 else T

    # ---- leases
    if det != NULL and det.event_at != NULL:
        for i in range(6):
            det.event_at[i] = T
    for l in range(q.L):
        for t in range(T):
            market[t] = q.market_idx[l * T + t] * rent[t] if q.rent_driven[l] else q.market_idx[l * T + t]
            rent_s[t] = 0.0
        # contracted rent through every renewal option (leases.lease_schedule)
        level = q.r0[l]
        last = q.r0[l]
        for i in range(q.n_seg[l]):
            ss = q.seg_start[l * S + i]
            se = q.seg_stop[l * S + i]
            if i > 0:
                at_market = q.r0[l] * market[ss]
                if q.renew_contract[l] != 0.0:
                    level = q.renewal_pct[l] * last
                else:
                    level = q.renewal_pct[l] * _cmin(last, at_market)
            for t in range(ss, se):
                rent_s[t] = level * q.esc_np[l * (T + 1) + (t - ss) // q.ppy]
            last = level * q.seg_lastpow[l * S + i]
        # lease events: given, drawn (paths.make_drivers) or the deal's own dates
        c = q.tenant_cp[l]
        dflt = <Py_ssize_t>(cpd[c] if c >= 0 else ldef[l])
        if lease_ev != NULL:
            renewals = lease_ev[3 * l]
            term = lease_ev[3 * l + 1]
        elif q.lease_events:
            off = q.ev_off[l]
            term = q.term_default[l]
            if q.walk_sens[l] <= 0 and q.term_hazard[l] > 0:
                term = min(term, _event_period(events[off + 1], q.term_hazard[l], q.ppy, T))
            elif term > T:
                term = T
            opts = q.n_ends[l] - 1
            nopt = opts if opts > 1 else 1
            first = opts
            for i in range(nopt):
                if events[off + 2 + i] < q.p_refuse[l]:
                    first = i
                    break
            renewals = min(first, opts)
        else:
            renewals = q.ren_default[l]
            term = q.term_default[l]
        ce = q.ends[l * S + min(max(renewals, 0), q.n_ends[l] - 1)]
        start = q.seg_start[l * S]
        walked = False
        if lease_ev == NULL and q.lease_events and q.walk_sens[l] > 0:
            # walk-away: termination hazard rises with the rent's premium over the market
            hz = 0.0
            hzb = 0.0  # the base hazard alone: a crossing before it is the walk-away's
            for t in range(T):
                lam = q.term_hazard[l]
                if t >= start and t < ce:
                    mk = q.r0[l] * market[t]
                    if mk > 0:
                        gap = rent_s[t] / mk - 1.0
                    else:
                        gap = 1e9 if rent_s[t] > 0 else 0.0
                    lam = lam + q.walk_sens[l] * _cmax(gap, 0.0)
                hz = hz + lam / q.ppy
                hzb = hzb + q.term_hazard[l] / q.ppy
                if hz > events[q.ev_off[l] + 1]:
                    walked = t < term and not (hzb > events[q.ev_off[l] + 1])
                    term = min(term, t)
                    break
        if q.walk_gap[l] > 0:  # the deterministic walk-away at a given gap
            for t in range(start, min(ce, T)):
                if rent_s[t] > (1.0 + q.walk_gap[l]) * (q.r0[l] * market[t]):
                    walked = walked or t < term
                    term = min(term, t)
                    break
        if q.gpu_hour[l] and q.billed0[l] > 0:  # leases.billed_ratio
            for t in range(T):
                ratio = _cmax(_cmin(q.util0[l] * util[t], 1.0), q.top[l]) / q.billed0[l]
                rent_s[t] = rent_s[t] * ratio
        if q.has_ramp and q.ramps[l]:  # rent on the GPUs delivered so far (core.engine.draws)
            for t in range(T):
                rent_s[t] = rent_s[t] * q.ramp[t]
        # leases.lease_cash
        terminated = term < min(ce, dflt)
        stop = min(min(ce, term), dflt)
        fee_period = term if terminated else T
        defaulted = dflt < min(ce, term)
        end = stop
        guarantor_cut = False
        for t in range(T):
            rl[t] = rent_s[t] * (1.0 if t < stop else 0.0)
            rl[t] = rl[t] + (q.fee[l] if t == fee_period else 0.0)
        if q.has_bs[l]:
            scope = q.bs_scope[l]
            bs_gd = T
            for g in range(q.NG):
                if q.g_share[g * q.L + l] >= 0.0 and gdef[g] < bs_gd:
                    bs_gd = <Py_ssize_t>gdef[g]
            if scope == 1:
                called = defaulted or terminated
                ss = min(dflt, term)
                horizon = min(ce, q.bs_end[l])
            elif scope == 2:
                called = defaulted
                ss = dflt
                horizon = ce
            else:
                called = defaulted
                ss = dflt
                horizon = min(min(ce, term), q.bs_end[l])
            cum = 0.0
            exhausted = horizon
            found = False
            for t in range(T):
                mask = 1.0 if (t >= ss and t < horizon and called) else 0.0
                owed = rent_s[t] * mask
                cum = owed if t == 0 else cum + owed
                before = cum - owed
                b = _cmin(_cmax(q.bs_cap[l] - before, 0.0), owed) if t < bs_gd else 0.0
                bs[t] = b
                if not found and owed > 0 and b < owed - 1e-12:
                    exhausted = t
                    found = True
            if called:
                end = min(max(exhausted, ss), horizon)
                # a default whose backstop stopped at its guarantor's default (a guarantor
                # other than the tenant: a tenant's own guarantee fails with its lease)
                g_nt = T
                for g in range(q.NG):
                    if (q.g_share[g * q.L + l] >= 0.0 and q.g_cp[g] != q.tenant_cp[l]
                            and gdef[g] < g_nt):
                        g_nt = gdef[g]
                guarantor_cut = defaulted and g_nt <= end
            for t in range(T):
                rl[t] = rl[t] + bs[t]
            bs_total = _npsum(bs, T)
            for g in range(q.NG):
                if q.g_share[g * q.L + l] >= 0.0:
                    paid[g] = paid[g] + bs_total * q.g_share[g * q.L + l]
        for t in range(T):
            revenue[t] = revenue[t] + rl[t]
        if det != NULL and det.lease_revenue != NULL:
            for t in range(T):
                det.lease_revenue[l * T + t] = rl[t]
                det.lease_backstop[l * T + t] = bs[t] if q.has_bs[l] else 0.0
            det.lease_end[l] = end
            det.lease_defaulted[l] = defaulted
        if det != NULL and det.event_at != NULL and end < T:  # core.risk.causes.lease_events
            if end < ce:  # the rent stopped before the contract's end
                # tenant default (4: its backstop's guarantor had defaulted), or a
                # termination (3: the walk-away's)
                if defaulted:
                    i = 4 if guarantor_cut else 0
                else:
                    i = 3 if walked else 1
                det.event_at[i] = min(det.event_at[i], end)
            elif (not defaulted and end == ce
                    and min(max(renewals, 0), q.n_ends[l] - 1) < q.n_ends[l] - 1):
                det.event_at[2] = min(det.event_at[2], ce)  # an option refused
        if defaulted:
            mode = 2 - q.recovery[l]
            if q.recovery[l] == 1:  # re-let after the search lag, less remarketing costs
                relet_from = end + q.search_lag[l]
                for t in range(T):
                    mask = 1.0 if (t >= relet_from and t < q.commercial_end) else 0.0
                    if q.has_ramp and q.ramps[l]:
                        mask = mask * q.ramp[t]
                    revenue[t] = revenue[t] + (
                        (((q.r0[l] * market[t]) * util[t]) * (1.0 - q.remarket[l])) * mask)
        else:
            mode = 0 if q.sell[l] else 1
            if q.re_lease[l]:
                for t in range(T):
                    mask = 1.0 if (t >= end and t < q.commercial_end) else 0.0
                    if q.has_ramp and q.ramps[l]:
                        mask = mask * q.ramp[t]
                    revenue[t] = revenue[t] + ((q.r0[l] * market[t]) * util[t]) * mask
        if end >= ends_p:  # the lease that ends last on this path decides what follows
            last_mode = mode
            last_default = defaulted
        ends_p = max(ends_p, end)

    # ---- sale (orderly, or forced after the lag on enforcement), RVG, held and operated
    if last_mode == 1:
        stop = max(q.commercial_end if q.has_fleet else T, ends_p)
    else:
        stop = ends_p
    stop = min(stop, T)
    sale_period = min(stop + q.enforce_lag if last_mode == 2 else stop, T - 1)
    got = forced[sale_period] if last_mode == 2 else sale_value[sale_period]
    # a late completion moves the whole operating phase, so the sale, ``dl`` periods later
    # (within the horizon) at the value it has at its undelayed period
    dl = q.delay if q.completion > 0 else 0
    cc = q.completion
    if cc > 0 and q.delay_p > 0 and lease_ev == NULL and events != NULL:
        if events[q.delay_off] < q.delay_p:  # a late path: an exponential delay, whole periods
            dl = dl + <Py_ssize_t>_cmin(ceil(events[q.delay_off + 1] * q.delay_mean), <double>T)
    dl = min(dl, T)
    sp_m = min(sale_period + dl, T - 1)
    cause = 2 if last_default else 1
    rvg_at_sale = 0.0
    for g in range(q.NG):
        if q.g_rvg[g]:
            pay = 0.0
            if ((q.g_trig[g] & cause) != 0 and stop < T and stop < q.g_end[g]
                    and sale_period < gdef[g]):
                pay = _cmin(_cmax(q.g_floor[g] - got, 0.0), q.g_cap[g])
            rvg_at_sale = rvg_at_sale + pay
            paid[g] = paid[g] + pay
    for t in range(T):
        if t == sp_m:
            proceeds[t] = got + rvg_at_sale
        else:
            proceeds[t] = 0.0
        asset_value[t] = mv[t] if t <= sp_m else 0.0
        liq_value[t] = forced[t] if t < sp_m else 0.0
        for g in range(q.NG):  # an RVG that pays on a liquidation after acceleration
            if q.g_rvg[g] and (q.g_trig[g] & 4) != 0:
                floor_g = _cmin(_cmax(q.g_floor[g] - forced[t], 0.0), q.g_cap[g])
                if t < sp_m and t < q.g_end[g] and t < gdef[g]:
                    liq_value[t] = liq_value[t] + floor_g
                else:
                    liq_value[t] = liq_value[t] + 0.0
        opex_p[t] = q.opex[t] if t < stop else 0.0
        fees_p[t] = q.fees[t] if t < stop else 0.0
        crypto_value[t] = 0.0
        for k in range(q.NC):
            crypto_value[t] = crypto_value[t] + q.crypto_path[k * T + t] * btc[t]
    if dl > 0:
        uncovered = _delay_operations(q, dl, gdef, revenue, opex_p, fees_p, rl, bs, paid, det)
        if det != NULL and det.event_at != NULL:
            det.event_at[5] = uncovered  # a late completion whose costs were not all paid
    rvg_paid[0] = 0.0
    backstop_paid[0] = 0.0
    for g in range(q.NG):
        if q.g_rvg[g]:
            rvg_paid[0] = rvg_paid[0] + paid[g]
        elif q.g_linked[g]:
            backstop_paid[0] = backstop_paid[0] + paid[g]
    if det != NULL:
        if det.sale_period != NULL:
            det.sale_period[0] = sp_m
        if det.guarantee_paid != NULL:
            for g in range(q.NG):
                det.guarantee_paid[g] = paid[g]


cdef inline void _shift_row(double* x, Py_ssize_t cc, Py_ssize_t dl, Py_ssize_t T) noexcept nogil:
    """``x[t]`` from ``x[t - dl]`` for t >= cc + dl, 0 in [cc, cc + dl): the row's operating
    phase moved ``dl`` periods later (what falls past the horizon is lost)."""
    cdef Py_ssize_t t
    for t in range(T - 1, cc - 1, -1):
        x[t] = x[t - dl] if t - dl >= cc else 0.0


cdef inline Py_ssize_t _delay_operations(
    const Plan* q, Py_ssize_t dl, const double* gdef, double* revenue, double* opex_p,
    double* fees_p, double* lost, double* owed, double* paid, PathDetail* det,
) noexcept nogil:
    """A completion ``dl`` periods late (core.engine.delay is the specification): rent, costs
    and each lease's cash start ``dl`` periods after the planned completion; each completion
    guarantee, in deal order, pays the delay cost of each late period (the rent lost and the
    interest owed) up to its cap, while its guarantor has not defaulted. ``lost`` and ``owed``
    are (T,) scratch. Returns the first late period whose delay cost the guarantees left
    unpaid (T: every one paid: the delay is then no cause of a default)."""
    cdef Py_ssize_t T = q.T, cc = q.completion, t, l, g, i, k
    cdef double cum, pay
    for t in range(T):
        lost[t] = revenue[t]
        owed[t] = 0.0
    _shift_row(revenue, cc, dl, T)
    _shift_row(opex_p, cc, dl, T)
    _shift_row(fees_p, cc, dl, T)
    for t in range(cc, min(cc + dl, T)):
        owed[t] = lost[t] + q.delay_interest[t]
    for g in range(q.NG):
        if q.g_completion[g]:
            cum = 0.0
            for t in range(cc, min(cc + dl, T)):
                pay = _cmin(_cmax(q.g_cap[g] - cum, 0.0), owed[t]) if t < gdef[g] else 0.0
                cum = cum + pay
                owed[t] = owed[t] - pay
                revenue[t] = revenue[t] + pay
            paid[g] = paid[g] + cum
    k = T
    for t in range(cc, min(cc + dl, T)):
        if owed[t] > 0.0:
            k = t
            break
    if det == NULL:
        return k
    if det.lease_revenue != NULL:
        for l in range(q.L):
            _shift_row(det.lease_revenue + l * T, cc, dl, T)
            _shift_row(det.lease_backstop + l * T, cc, dl, T)
            if det.lease_end[l] >= cc:
                det.lease_end[l] = det.lease_end[l] + dl
    if det.event_at != NULL:
        for i in range(5):
            if det.event_at[i] < T:
                det.event_at[i] = min(det.event_at[i] + dl, T)
    return k


cdef const double* _plan_f64(list keep, dict plan, str name, Py_ssize_t n) except *:
    """Pointer to the plan's float64 array ``name`` of ``n`` values (kept alive in ``keep``)."""
    cdef const double[::1] v = np.ascontiguousarray(plan[name], dtype=np.float64).reshape(-1)
    if v.shape[0] != n:
        raise ValueError(f"plan field {name} has {v.shape[0]} values; expected {n}")
    keep.append(v)
    return &v[0] if n > 0 else NULL


cdef const int* _plan_i32(list keep, dict plan, str name, Py_ssize_t n) except *:
    """Pointer to the plan's int32 array ``name`` of ``n`` values (kept alive in ``keep``)."""
    cdef const int[::1] v = np.ascontiguousarray(plan[name], dtype=np.int32).reshape(-1)
    if v.shape[0] != n:
        raise ValueError(f"plan field {name} has {v.shape[0]} values; expected {n}")
    keep.append(v)
    return &v[0] if n > 0 else NULL


cdef int fill_plan(Plan* q, dict plan, list keep) except -1:
    """Fill ``q`` from a plan dict (core.engine.plan.build_plan, plus core.risk.mcplan's
    fields in a Monte Carlo); arrays are checked against the plan's sizes and kept alive in
    ``keep``, which must outlive every use of ``q``."""
    cdef Py_ssize_t T, L, NG, S, c
    q.T, q.L, q.NG, q.NC, q.S, q.E = (plan["T"], plan["L"], plan["NG"], plan["NC"],
                                      plan["S"], plan["E"])
    T, L, NG, S = q.T, q.L, q.NG, q.S
    q.ppy, q.commercial_end = plan["ppy"], plan["commercial_end"]
    q.has_fleet, q.lease_events = plan["has_fleet"], plan["lease_events"]
    q.NCP, q.enforce_lag = plan["NCP"], plan["enforce_lag"]
    q.has_ramp = plan["has_ramp"]
    q.residual_sd, q.g_sale, q.g_liq = plan["residual_sd"], plan["g_sale"], plan["g_liq"]
    q.h_sale, q.h_liq = plan["h_sale"], plan["h_liq"]
    q.gpu_mv0 = _plan_f64(keep, plan, "gpu_mv0", T)
    q.fac_mv = _plan_f64(keep, plan, "fac_mv", T)
    q.fire = _plan_f64(keep, plan, "fire", T)
    q.ramp = _plan_f64(keep, plan, "ramp", T)
    q.opex = _plan_f64(keep, plan, "opex", T)
    q.fees = _plan_f64(keep, plan, "fees", T)
    q.crypto_path = _plan_f64(keep, plan, "crypto_path", q.NC * T)
    q.r0 = _plan_f64(keep, plan, "r0", L)
    q.renewal_pct = _plan_f64(keep, plan, "renewal_pct", L)
    q.renew_contract = _plan_f64(keep, plan, "renew_contract", L)
    q.util0 = _plan_f64(keep, plan, "util0", L)
    q.top = _plan_f64(keep, plan, "top", L)
    q.billed0 = _plan_f64(keep, plan, "billed0", L)
    q.fee = _plan_f64(keep, plan, "fee", L)
    q.bs_cap = _plan_f64(keep, plan, "bs_cap", L)
    q.hazard = _plan_f64(keep, plan, "hazard", L)
    q.term_hazard = _plan_f64(keep, plan, "term_hazard", L)
    q.p_refuse = _plan_f64(keep, plan, "p_refuse", L)
    q.remarket = _plan_f64(keep, plan, "remarket", L)
    q.walk_gap = _plan_f64(keep, plan, "walk_gap", L)
    q.walk_sens = _plan_f64(keep, plan, "walk_sens", L)
    q.recovery = _plan_i32(keep, plan, "recovery", L)
    q.search_lag = _plan_i32(keep, plan, "search_lag", L)
    q.bs_scope = _plan_i32(keep, plan, "bs_scope", L)
    q.tenant_cp = _plan_i32(keep, plan, "tenant_cp", L)
    q.rent_driven = _plan_i32(keep, plan, "rent_driven", L)
    q.ramps = _plan_i32(keep, plan, "ramps", L)
    q.n_seg = _plan_i32(keep, plan, "n_seg", L)
    q.n_ends = _plan_i32(keep, plan, "n_ends", L)
    q.gpu_hour = _plan_i32(keep, plan, "gpu_hour", L)
    q.re_lease = _plan_i32(keep, plan, "re_lease", L)
    q.sell = _plan_i32(keep, plan, "sell", L)
    q.has_bs = _plan_i32(keep, plan, "has_bs", L)
    q.bs_end = _plan_i32(keep, plan, "bs_end", L)
    q.ren_default = _plan_i32(keep, plan, "ren_default", L)
    q.term_default = _plan_i32(keep, plan, "term_default", L)
    q.dflt_default = _plan_i32(keep, plan, "dflt_default", L)
    q.ev_off = _plan_i32(keep, plan, "ev_off", L)
    q.seg_start = _plan_i32(keep, plan, "seg_start", L * S)
    q.seg_stop = _plan_i32(keep, plan, "seg_stop", L * S)
    q.ends = _plan_i32(keep, plan, "ends", L * S)
    q.seg_lastpow = _plan_f64(keep, plan, "seg_lastpow", L * S)
    q.market_idx = _plan_f64(keep, plan, "market_idx", L * T)
    q.esc_np = _plan_f64(keep, plan, "esc_np", L * (T + 1))
    q.g_rvg = _plan_i32(keep, plan, "g_rvg", NG)
    q.g_linked = _plan_i32(keep, plan, "g_linked", NG)
    q.g_floor = _plan_f64(keep, plan, "g_floor", NG)
    q.g_cap = _plan_f64(keep, plan, "g_cap", NG)
    q.g_end = _plan_i32(keep, plan, "g_end", NG)
    q.g_share = _plan_f64(keep, plan, "g_share", NG * L)
    q.g_trig = _plan_i32(keep, plan, "g_trig", NG)
    q.g_cp = _plan_i32(keep, plan, "g_cp", NG)
    q.cp_default = _plan_i32(keep, plan, "cp_default", q.NCP)
    q.cp_hazard = _plan_f64(keep, plan, "cp_hazard", q.NCP)
    q.cp_off = _plan_i32(keep, plan, "cp_off", q.NCP)
    q.completion = plan.get("completion", 0)
    q.delay = plan.get("delay", 0)
    q.delay_p = plan.get("delay_p", 0.0)
    q.delay_mean = plan.get("delay_mean", 0.0)
    q.delay_off = plan.get("delay_off", 0)
    if q.delay_p > 0 and (q.delay_off < 0 or q.delay_off + 2 > q.E):
        raise ValueError(f"plan field delay_off = {q.delay_off} is outside the events")
    if q.completion < 0 or q.completion > T or q.delay < 0:
        raise ValueError(f"plan completion {q.completion} / delay {q.delay} out of range")
    q.delay_interest = _plan_f64(keep, plan, "delay_interest", T) if "delay_interest" in plan else NULL
    q.g_completion = _plan_i32(keep, plan, "g_completion", NG) if "g_completion" in plan else NULL
    if q.delay > 0 and ("delay_interest" not in plan or "g_completion" not in plan):
        raise ValueError("a plan with a delay needs delay_interest and g_completion")
    for c in range(q.NCP):
        if q.cp_off[c] < 0 or (q.lease_events and q.cp_hazard[c] > 0 and q.cp_off[c] >= q.E):
            raise ValueError(f"plan field cp_off[{c}] = {q.cp_off[c]} is outside the events")
    return 0
