# The plan of the engine's per-path compile: the ``Plan`` struct (the deal-level arrays and
# scalars of core.engine.plan.build_plan, plus core.risk.mcplan's in a Monte Carlo), the
# ``PathDetail`` a caller asks for beyond the kernel's input rows, and ``fill_plan``, which
# lays a plan dict out in a ``Plan`` with its sizes checked. Included by _pathcompile.pxi
# (the arithmetic); needs numpy as ``np`` in scope.

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
    # going-concern value (core.engine.going_concern; plan.build_plan)
    int gc_on  # 1: the SPV's going_concern_yield > 0
    double gc_haircut  # taken off the going-concern value in a forced sale
    const double* gc_v  # (T + 1,) discount factor of k periods at the yield
    const double* gc_opex  # (T,) PV at t of the operating costs from t + 1 to the horizon
    double delay_p  # Monte Carlo: probability that a path's completion is late (0: none drawn)
    double delay_mean  # Monte Carlo: mean delay of a late path, periods (exponential)
    Py_ssize_t delay_off  # its two event columns: late (uniform), length (exponential)
    const double* capex  # (T,) capex on the plan (zeros without a construction phase)
    Py_ssize_t cx_start  # first period with capex: a late path's capex moves from there


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
    # (T,) the going-concern value GC(t) where a lease performs, 0 elsewhere and with the
    # term off (core.engine.going_concern); NULL: not wanted (the Monte Carlo)
    double* going_concern
    # (T,) which value a sale in that period uses (core.engine.going_concern.COLLATERAL, LIQUIDATION): bit 1
    # the collateral value (asset_value) is GC(t), bit 2 the forced-sale value is; NULL: not
    # wanted
    unsigned char* gc_basis
    # (T,) the path's capex: the plan's moved by its completion delay (NULL: not wanted)
    double* capex


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
    q.capex = _plan_f64(keep, plan, "capex", T) if "capex" in plan else NULL
    q.cx_start = plan.get("cx_start", 0)
    if q.cx_start < 0 or q.cx_start > T:
        raise ValueError(f"plan field cx_start = {q.cx_start} is outside the horizon")
    if q.delay_p > 0 and (q.delay_off < 0 or q.delay_off + 2 > q.E):
        raise ValueError(f"plan field delay_off = {q.delay_off} is outside the events")
    if q.completion < 0 or q.completion > T or q.delay < 0:
        raise ValueError(f"plan completion {q.completion} / delay {q.delay} out of range")
    q.delay_interest = _plan_f64(keep, plan, "delay_interest", T) if "delay_interest" in plan else NULL
    q.g_completion = _plan_i32(keep, plan, "g_completion", NG) if "g_completion" in plan else NULL
    if q.delay > 0 and ("delay_interest" not in plan or "g_completion" not in plan):
        raise ValueError("a plan with a delay needs delay_interest and g_completion")
    q.gc_on = plan.get("gc_on", 0)
    q.gc_haircut = plan.get("gc_haircut", 0.0)
    q.gc_v = _plan_f64(keep, plan, "gc_v", T + 1) if q.gc_on else NULL
    q.gc_opex = _plan_f64(keep, plan, "gc_opex", T) if q.gc_on else NULL
    for c in range(q.NCP):
        if q.cp_off[c] < 0 or (q.lease_events and q.cp_hazard[c] > 0 and q.cp_off[c] >= q.E):
            raise ValueError(f"plan field cp_off[{c}] = {q.cp_off[c]} is outside the events")
    return 0
