# The engine's per-path compile: the kernel input rows of ONE path of a deal from its drivers,
# in compiled code. Included by core/engine/_compile.pyx (compile_deal's production compile)
# and by core/risk/_mckernel.pyx (every Monte Carlo path); both need ``floor`` from libc.math
# and ``_npsum`` (core/engine/_npsum.pxi) in scope. The deal-level arrays come from
# core.engine.plan.build_plan, which documents each field (the Monte Carlo adds its market
# model's: core.risk.mcplan). The NumPy specification is core/engine/reference_compile.py;
# every float expression here follows it (and leases.py) operation by operation, so the rows
# are equal bit for bit (tests/risk/test_mckernel.py, tests/engine/test_compile_parity.py).


include "_pathplan.pxi"  # the Plan and PathDetail structs and fill_plan (the plan's layout)


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


include "_goingconcern.pxi"  # the going-concern value of the leased assets


cdef inline Py_ssize_t _compile_doubles(const Plan* q) noexcept nogil:
    """Scratch doubles :func:`_compile_path_detail` needs."""
    return 10 * q.T + 2 * q.NG + q.L + q.NCP


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
    cdef double* gcr = cpd + q.NCP  # going-concern value (the leases' rent PV, then GC(t))
    cdef double* gce = gcr + T  # the latest term end of a performing lease, then 1: performs
    cdef double residual = residual_z * q.residual_sd
    cdef double gs, hs, level, last, at_market, cum, owed, before, b, bs_total
    cdef double got, pay, rvg_at_sale, mask, mk, gap, lam, hz, floor_g, base, held
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
        gcr[t] = 0.0
        gce[t] = 0.0
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
        if q.gc_on:  # the lease's going-concern rent while it performs (_goingconcern.pxi)
            _gc_lease(q, l, rent_s, util, start, min(min(ce, term), dflt), gcr, gce)
        if q.gpu_hour[l] and q.billed0[l] > 0:  # leases.billed_ratio
            for t in range(T):
                rent_s[t] = rent_s[t] * _billed_ratio(q, l, util[t])
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
                if q.recovery[l] == 1:  # it pays until the re-let starts
                    horizon = min(horizon, dflt + q.search_lag[l])
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
                # from the default (a scope-0 backstop pays until then), or from the end of
                # a backstop that covers a termination too or assumes the lease
                relet_from = (dflt if q.bs_scope[l] == 0 else end) + q.search_lag[l]
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
    if q.gc_on:  # GC(t) where a lease performs, moved with a late completion's operations
        _gc_value(q, sale_value, gcr, gce)
        if dl > 0:
            _shift_row(gcr, cc, dl, T)
            _shift_row(gce, cc, dl, T)
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
        # a forced sale after acceleration sells with a performing lease when that pays more
        base = forced[t]
        held = mv[t]
        if q.gc_on and gce[t] > 0:
            base = _cmax(forced[t], gcr[t] * (1.0 - q.gc_haircut))
            held = _cmax(mv[t], gcr[t])
            if det != NULL and det.gc_basis != NULL:
                det.gc_basis[t] = (1 if gcr[t] > mv[t] else 0) + (
                    2 if gcr[t] * (1.0 - q.gc_haircut) > forced[t] else 0)
        elif det != NULL and det.gc_basis != NULL:
            det.gc_basis[t] = 0
        asset_value[t] = held if t <= sp_m else 0.0
        liq_value[t] = base if t < sp_m else 0.0
        for g in range(q.NG):  # an RVG that pays on a liquidation after acceleration
            if q.g_rvg[g] and (q.g_trig[g] & 4) != 0:
                floor_g = _cmin(_cmax(q.g_floor[g] - base, 0.0), q.g_cap[g])
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
        if det.capex != NULL:  # the works start ``dl`` periods late (Construction.spend)
            for t in range(T):
                det.capex[t] = q.capex[t] if q.capex != NULL else 0.0
            if dl > 0:
                _shift_row(det.capex, q.cx_start, dl, T)
        if det.sale_period != NULL:
            det.sale_period[0] = sp_m
        if det.guarantee_paid != NULL:
            for g in range(q.NG):
                det.guarantee_paid[g] = paid[g]
        if det.going_concern != NULL:
            for t in range(T):
                det.going_concern[t] = gcr[t]


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
    if det.event_at != NULL:  # an event before completion does not move (delay_lease_cash)
        for i in range(5):
            if det.event_at[i] < T and det.event_at[i] >= cc:
                det.event_at[i] = min(det.event_at[i] + dl, T)
    return k
