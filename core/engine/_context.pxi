# GENERATED from core/engine/_context.pxi.tp by core/engine/codegen.py: do not edit.
# Included by _waterfall.pyx: filling a ``Ctx`` from an ``EngineInputs`` and binding an
# ``EngineOutputs``, with shape checks that name the offending array, and the one-path scratch
# layout the fused Monte Carlo kernel (core/risk/_mckernel.pyx) uses. Rendered from the field
# declarations of core.engine.arrays.

import numpy as np

from core.engine.steps import active_mask

# kernel.py refuses a compiled module whose ABI_VERSION differs (built from other declarations).
ABI_VERSION = 89697065

cdef double EPS = 1e-09  # core.engine.constants.EPS


cdef int _bad(str name, tuple got, tuple want) except -1:
    g = "(" + ", ".join(str(x) for x in got) + ("," if len(got) == 1 else "") + ")"
    w = "(" + ", ".join(str(x) for x in want) + ("," if len(want) == 1 else "") + ")"
    raise ValueError(f"{name} has shape {g}; expected {w}")


cdef const double* _path_row(dict a, str name, Py_ssize_t P, Py_ssize_t T,
                             Py_ssize_t* stride) except? NULL:
    """Base pointer of a per-path input (1 or P rows of T) and its row stride (0 when shared)."""
    cdef const double[:, ::1] v = a[name]
    if v.shape[1] != T or (v.shape[0] != 1 and v.shape[0] != P):
        raise ValueError(f"{name} has shape ({v.shape[0]}, {v.shape[1]}); expected (1, {T}) "
                         f"or ({P}, {T})")
    stride[0] = 0 if v.shape[0] == 1 else T
    return &v[0, 0] if v.shape[0] > 0 and T > 0 else NULL


cdef const double* _vec(dict a, str name, Py_ssize_t n) except? NULL:
    """Pointer to a float64 input of ``n`` values (NULL when empty)."""
    cdef const double[::1] v = a[name]
    if v.shape[0] != n:
        _bad(name, (v.shape[0],), (n,))
    return &v[0] if n > 0 else NULL


cdef const double* _mat(dict a, str name, Py_ssize_t rows, Py_ssize_t cols) except? NULL:
    """Pointer to a (rows, cols) float64 input (NULL when empty)."""
    cdef const double[:, ::1] v = a[name]
    if v.shape[0] != rows or v.shape[1] != cols:
        _bad(name, (v.shape[0], v.shape[1]), (rows, cols))
    return &v[0, 0] if rows > 0 and cols > 0 else NULL


cdef const int* _imat(dict a, str name, Py_ssize_t rows, Py_ssize_t cols) except? NULL:
    """Pointer to a (rows, cols) int32 input (NULL when empty)."""
    cdef const int[:, ::1] v = a[name]
    if v.shape[0] != rows or v.shape[1] != cols:
        _bad(name, (v.shape[0], v.shape[1]), (rows, cols))
    return &v[0, 0] if rows > 0 and cols > 0 else NULL


cdef const int* _ivec(dict a, str name, Py_ssize_t n) except? NULL:
    """Pointer to an int32 input of ``n`` values (NULL when empty)."""
    cdef const int[::1] v = a[name]
    if v.shape[0] != n:
        _bad(name, (v.shape[0],), (n,))
    return &v[0] if n > 0 else NULL


cdef int context_from(Ctx* c, object inp, list keep, Py_ssize_t P) except -1:
    cdef Py_ssize_t T, K, G, g
    cdef const int* gs
    a = {}
    a["revenue"] = np.ascontiguousarray(inp.revenue, dtype=np.float64)
    a["opex"] = np.ascontiguousarray(inp.opex, dtype=np.float64)
    a["fees"] = np.ascontiguousarray(inp.fees, dtype=np.float64)
    a["proceeds"] = np.ascontiguousarray(inp.proceeds, dtype=np.float64)
    a["asset_value"] = np.ascontiguousarray(inp.asset_value, dtype=np.float64)
    a["liquidation_value"] = np.ascontiguousarray(inp.liquidation_value, dtype=np.float64)
    a["crypto_value"] = np.ascontiguousarray(inp.crypto_value, dtype=np.float64)
    a["base_rate"] = np.ascontiguousarray(inp.base_rate, dtype=np.float64)
    a["depreciation"] = np.ascontiguousarray(inp.depreciation, dtype=np.float64)
    a["dsra_target"] = np.ascontiguousarray(inp.dsra_target, dtype=np.float64)
    a["fixed_rate"] = np.ascontiguousarray(inp.fixed_rate, dtype=np.float64)
    a["spread"] = np.ascontiguousarray(inp.spread, dtype=np.float64)
    a["floating"] = np.ascontiguousarray(inp.floating, dtype=np.int32)
    a["year_fraction"] = np.ascontiguousarray(inp.year_fraction, dtype=np.float64)
    a["notional"] = np.ascontiguousarray(inp.notional, dtype=np.float64)
    a["scheduled_principal"] = np.ascontiguousarray(inp.scheduled_principal, dtype=np.float64)
    a["maturity"] = np.ascontiguousarray(inp.maturity, dtype=np.int32)
    a["sweep_pct"] = np.ascontiguousarray(inp.sweep_pct, dtype=np.float64)
    a["pik"] = np.ascontiguousarray(inp.pik, dtype=np.int32)
    a["group_start"] = np.ascontiguousarray(inp.group_start, dtype=np.int32)
    T = len(a["depreciation"])
    K = len(a["fixed_rate"])
    a["swap_float_accrual"] = (np.zeros(T, dtype=np.float64) if inp.swap_float_accrual is None
                               else np.ascontiguousarray(inp.swap_float_accrual, dtype=np.float64))
    a["swap_fixed_leg"] = (np.zeros(T, dtype=np.float64) if inp.swap_fixed_leg is None
                           else np.ascontiguousarray(inp.swap_fixed_leg, dtype=np.float64))
    a["build"] = (np.zeros(T, dtype=np.float64) if inp.build is None
                  else np.ascontiguousarray(inp.build, dtype=np.float64))
    a["capex"] = (np.zeros((1, T), dtype=np.float64) if inp.capex is None
                  else np.ascontiguousarray(inp.capex, dtype=np.float64))
    a["draw_amount"] = (np.zeros((K, T), dtype=np.float64) if inp.draw_amount is None
                        else np.ascontiguousarray(inp.draw_amount, dtype=np.float64))
    a["draw_maturity"] = (np.zeros((K, T), dtype=np.int32) if inp.draw_maturity is None
                          else np.ascontiguousarray(inp.draw_maturity, dtype=np.int32))
    a["draw_rate"] = (np.zeros((K, T), dtype=np.float64) if inp.draw_rate is None
                      else np.ascontiguousarray(inp.draw_rate, dtype=np.float64))
    a["draw_amort"] = (np.zeros(K, dtype=np.int32) if inp.draw_amort is None
                       else np.ascontiguousarray(inp.draw_amort, dtype=np.int32))
    a["draw_io"] = (np.zeros(K, dtype=np.int32) if inp.draw_io is None
                    else np.ascontiguousarray(inp.draw_io, dtype=np.int32))
    a["draw_end"] = (np.zeros(K, dtype=np.int32) if inp.draw_end is None
                     else np.ascontiguousarray(inp.draw_end, dtype=np.int32))
    a["draw_share"] = (np.zeros(K, dtype=np.float64) if inp.draw_share is None
                       else np.ascontiguousarray(inp.draw_share, dtype=np.float64))
    a["draw_first"] = (np.zeros(K, dtype=np.int32) if inp.draw_first is None
                       else np.ascontiguousarray(inp.draw_first, dtype=np.int32))
    a["commitment"] = (np.zeros(K, dtype=np.float64) if inp.commitment is None
                       else np.ascontiguousarray(inp.commitment, dtype=np.float64))
    a["commitment_fee_rate"] = (np.zeros(K, dtype=np.float64) if inp.commitment_fee_rate is None
                                else np.ascontiguousarray(inp.commitment_fee_rate, dtype=np.float64))
    a["max_advance"] = (np.zeros(K, dtype=np.float64) if inp.max_advance is None
                        else np.ascontiguousarray(inp.max_advance, dtype=np.float64))
    a["draw_capex"] = (np.zeros(T, dtype=np.float64) if inp.draw_capex is None
                       else np.ascontiguousarray(inp.draw_capex, dtype=np.float64))
    a["refi_on"] = (np.zeros(K, dtype=np.int32) if inp.refi_on is None
                    else np.ascontiguousarray(inp.refi_on, dtype=np.int32))
    a["refi_maturity"] = (np.zeros(K, dtype=np.int32) if inp.refi_maturity is None
                          else np.ascontiguousarray(inp.refi_maturity, dtype=np.int32))
    a["refi_fixed"] = (np.zeros(K, dtype=np.int32) if inp.refi_fixed is None
                       else np.ascontiguousarray(inp.refi_fixed, dtype=np.int32))
    a["refi_spread"] = (np.zeros(K, dtype=np.float64) if inp.refi_spread is None
                        else np.ascontiguousarray(inp.refi_spread, dtype=np.float64))
    a["refi_advance"] = (np.zeros(K, dtype=np.float64) if inp.refi_advance is None
                         else np.ascontiguousarray(inp.refi_advance, dtype=np.float64))
    a["refi_dscr"] = (np.zeros(K, dtype=np.float64) if inp.refi_dscr is None
                      else np.ascontiguousarray(inp.refi_dscr, dtype=np.float64))
    a["refi_schedule"] = (np.zeros((K, T), dtype=np.float64) if inp.refi_schedule is None
                          else np.ascontiguousarray(inp.refi_schedule, dtype=np.float64))
    a["refi_cfads"] = (np.zeros(T, dtype=np.float64) if inp.refi_cfads is None
                       else np.ascontiguousarray(inp.refi_cfads, dtype=np.float64))
    a["refi_revenue"] = (np.zeros(T, dtype=np.float64) if inp.refi_revenue is None
                         else np.ascontiguousarray(inp.refi_revenue, dtype=np.float64))
    a["refi_advance_cut"] = (np.zeros((1, T), dtype=np.float64) if inp.refi_advance_cut is None
                             else np.ascontiguousarray(inp.refi_advance_cut, dtype=np.float64))
    a["refi_spread_add"] = (np.zeros((1, T), dtype=np.float64) if inp.refi_spread_add is None
                            else np.ascontiguousarray(inp.refi_spread_add, dtype=np.float64))
    keep.append(a)
    G = len(a["group_start"]) - 1
    if P < 0:
        P = max((a["revenue"].shape[0], a["opex"].shape[0], a["fees"].shape[0], a["proceeds"].shape[0], a["asset_value"].shape[0], a["liquidation_value"].shape[0], a["crypto_value"].shape[0], a["base_rate"].shape[0], a["capex"].shape[0], a["refi_advance_cut"].shape[0], a["refi_spread_add"].shape[0]))
    c.revenue = _path_row(a, "revenue", P, T, &c.rs_revenue)
    c.opex = _path_row(a, "opex", P, T, &c.rs_opex)
    c.fees = _path_row(a, "fees", P, T, &c.rs_fees)
    c.proceeds = _path_row(a, "proceeds", P, T, &c.rs_proceeds)
    c.asset_value = _path_row(a, "asset_value", P, T, &c.rs_asset_value)
    c.liquidation_value = _path_row(a, "liquidation_value", P, T, &c.rs_liquidation_value)
    c.crypto_value = _path_row(a, "crypto_value", P, T, &c.rs_crypto_value)
    c.base_rate = _path_row(a, "base_rate", P, T, &c.rs_base_rate)
    c.capex = _path_row(a, "capex", P, T, &c.rs_capex)
    c.refi_advance_cut = _path_row(a, "refi_advance_cut", P, T, &c.rs_refi_advance_cut)
    c.refi_spread_add = _path_row(a, "refi_spread_add", P, T, &c.rs_refi_spread_add)
    c.depreciation = _vec(a, "depreciation", T)
    c.dsra_target = _vec(a, "dsra_target", T)
    c.fixed_rate = _vec(a, "fixed_rate", K)
    c.spread = _vec(a, "spread", K)
    c.floating = _ivec(a, "floating", K)
    c.year_fraction = _mat(a, "year_fraction", K, T)
    c.notional = _vec(a, "notional", K)
    c.scheduled_principal = _mat(a, "scheduled_principal", K, T)
    c.maturity = _ivec(a, "maturity", K)
    c.sweep_pct = _vec(a, "sweep_pct", K)
    c.pik = _ivec(a, "pik", K)
    gs = _ivec(a, "group_start", G + 1)
    if G < 0 or gs[0] != 0 or gs[G] != K:
        raise ValueError(f"group_start must run from 0 to n_tranches={K}")
    for g in range(G):
        if gs[g + 1] < gs[g]:
            raise ValueError("group_start must be non-decreasing")
    c.group_start = gs
    c.swap_float_accrual = _vec(a, "swap_float_accrual", T)
    c.swap_fixed_leg = _vec(a, "swap_fixed_leg", T)
    c.build = _vec(a, "build", T)
    c.draw_amount = _mat(a, "draw_amount", K, T)
    c.draw_maturity = _imat(a, "draw_maturity", K, T)
    c.draw_rate = _mat(a, "draw_rate", K, T)
    c.draw_amort = _ivec(a, "draw_amort", K)
    c.draw_io = _ivec(a, "draw_io", K)
    c.draw_end = _ivec(a, "draw_end", K)
    c.draw_share = _vec(a, "draw_share", K)
    c.draw_first = _ivec(a, "draw_first", K)
    c.commitment = _vec(a, "commitment", K)
    c.commitment_fee_rate = _vec(a, "commitment_fee_rate", K)
    c.max_advance = _vec(a, "max_advance", K)
    c.draw_capex = _vec(a, "draw_capex", T)
    c.refi_on = _ivec(a, "refi_on", K)
    c.refi_maturity = _ivec(a, "refi_maturity", K)
    c.refi_fixed = _ivec(a, "refi_fixed", K)
    c.refi_spread = _vec(a, "refi_spread", K)
    c.refi_advance = _vec(a, "refi_advance", K)
    c.refi_dscr = _vec(a, "refi_dscr", K)
    c.refi_schedule = _mat(a, "refi_schedule", K, T)
    c.refi_cfads = _vec(a, "refi_cfads", T)
    c.refi_revenue = _vec(a, "refi_revenue", T)
    c.K, c.T, c.G = K, T, G
    c.W = scratch_doubles(K, T, G)
    c.steps = active_mask(inp)
    c.dsra_initial = inp.dsra_initial
    c.tax_rate = inp.tax_rate
    c.lockup_dscr = inp.lockup_dscr
    c.default_dscr = inp.default_dscr
    c.ltv_max = inp.ltv_max
    c.lockup_action = inp.lockup_action
    c.default_action = inp.default_action
    c.ltv_action = inp.ltv_action
    c.lookback = inp.lookback
    c.liquidation_lag = inp.liquidation_lag if inp.liquidation_lag > 1 else 1
    c.margin_call_ltv = inp.margin_call_ltv
    c.crypto_liquidation_ltv = inp.crypto_liquidation_ltv
    c.period_years = inp.period_years
    c.treasury_initial = inp.treasury_initial
    c.treasury_yield = inp.treasury_yield
    c.idc_capitalised = inp.idc_capitalised
    c.o_cfads = NULL
    c.o_tax = NULL
    c.o_debt_service = NULL
    c.o_balloon = NULL
    c.o_dscr = NULL
    c.o_dscr_test = NULL
    c.o_ltv = NULL
    c.o_proceeds = NULL
    c.o_injection = NULL
    c.o_dsra_balance = NULL
    c.o_trap_balance = NULL
    c.o_distribution = NULL
    c.o_flags = NULL
    c.o_swap_cash = NULL
    c.o_swap_breakage = NULL
    c.o_swap_arrears = NULL
    c.o_swap_writeoff = NULL
    c.o_treasury_balance = NULL
    c.o_treasury_income = NULL
    c.o_capex_paid = NULL
    c.o_treasury_draw = NULL
    c.o_refinanced = NULL
    c.o_interest_due = NULL
    c.o_interest_paid = NULL
    c.o_principal_paid = NULL
    c.o_pik = NULL
    c.o_shortfall = NULL
    c.o_balance = NULL
    c.o_writeoff = NULL
    c.o_drawn = NULL
    c.o_undrawn = NULL
    c.o_commitment_fee = NULL
    return 0


cdef double* _out_pt(object arr, str name, Py_ssize_t P, Py_ssize_t T) except? NULL:
    cdef double[:, ::1] v = arr
    if v.shape[0] != P or v.shape[1] != T:
        _bad("output " + name, (v.shape[0], v.shape[1]), (P, T))
    return &v[0, 0] if P > 0 and T > 0 else NULL


cdef int* _out_pt_int(object arr, str name, Py_ssize_t P, Py_ssize_t T) except? NULL:
    cdef int[:, ::1] v = arr
    if v.shape[0] != P or v.shape[1] != T:
        _bad("output " + name, (v.shape[0], v.shape[1]), (P, T))
    return &v[0, 0] if P > 0 and T > 0 else NULL


cdef double* _out_pkt(object arr, str name, Py_ssize_t P, Py_ssize_t K,
                      Py_ssize_t T) except? NULL:
    cdef double[:, :, ::1] v = arr
    if v.shape[0] != P or v.shape[1] != K or v.shape[2] != T:
        _bad("output " + name, (v.shape[0], v.shape[1], v.shape[2]), (P, K, T))
    return &v[0, 0, 0] if P > 0 and K > 0 and T > 0 else NULL


cdef int outputs_from(Ctx* c, object out, Py_ssize_t P) except -1:
    """Point the outputs of ``c`` at the arrays of the ``EngineOutputs`` ``out`` (``P`` paths;
    writeable C-contiguous arrays of the declared dtype and shape, else ``ValueError``)."""
    c.o_cfads = _out_pt(out.cfads, "cfads", P, c.T)
    c.o_tax = _out_pt(out.tax, "tax", P, c.T)
    c.o_debt_service = _out_pt(out.debt_service, "debt_service", P, c.T)
    c.o_balloon = _out_pt(out.balloon, "balloon", P, c.T)
    c.o_dscr = _out_pt(out.dscr, "dscr", P, c.T)
    c.o_dscr_test = _out_pt(out.dscr_test, "dscr_test", P, c.T)
    c.o_ltv = _out_pt(out.ltv, "ltv", P, c.T)
    c.o_proceeds = _out_pt(out.proceeds, "proceeds", P, c.T)
    c.o_injection = _out_pt(out.injection, "injection", P, c.T)
    c.o_dsra_balance = _out_pt(out.dsra_balance, "dsra_balance", P, c.T)
    c.o_trap_balance = _out_pt(out.trap_balance, "trap_balance", P, c.T)
    c.o_distribution = _out_pt(out.distribution, "distribution", P, c.T)
    c.o_flags = _out_pt_int(out.flags, "flags", P, c.T)
    c.o_swap_cash = _out_pt(out.swap_cash, "swap_cash", P, c.T)
    c.o_swap_breakage = _out_pt(out.swap_breakage, "swap_breakage", P, c.T)
    c.o_swap_arrears = _out_pt(out.swap_arrears, "swap_arrears", P, c.T)
    c.o_swap_writeoff = _out_pt(out.swap_writeoff, "swap_writeoff", P, c.T)
    c.o_treasury_balance = _out_pt(out.treasury_balance, "treasury_balance", P, c.T)
    c.o_treasury_income = _out_pt(out.treasury_income, "treasury_income", P, c.T)
    c.o_capex_paid = _out_pt(out.capex_paid, "capex_paid", P, c.T)
    c.o_treasury_draw = _out_pt(out.treasury_draw, "treasury_draw", P, c.T)
    c.o_refinanced = _out_pt(out.refinanced, "refinanced", P, c.T)
    c.o_interest_due = _out_pkt(out.interest_due, "interest_due", P, c.K, c.T)
    c.o_interest_paid = _out_pkt(out.interest_paid, "interest_paid", P, c.K, c.T)
    c.o_principal_paid = _out_pkt(out.principal_paid, "principal_paid", P, c.K, c.T)
    c.o_pik = _out_pkt(out.pik, "pik", P, c.K, c.T)
    c.o_shortfall = _out_pkt(out.shortfall, "shortfall", P, c.K, c.T)
    c.o_balance = _out_pkt(out.balance, "balance", P, c.K, c.T)
    c.o_writeoff = _out_pkt(out.writeoff, "writeoff", P, c.K, c.T)
    c.o_drawn = _out_pkt(out.drawn, "drawn", P, c.K, c.T)
    c.o_undrawn = _out_pkt(out.undrawn, "undrawn", P, c.K, c.T)
    c.o_commitment_fee = _out_pkt(out.commitment_fee, "commitment_fee", P, c.K, c.T)
    return 0




cdef inline Py_ssize_t outputs_paths(object out) except -1:
    return out.cfads.shape[0]


cdef double* bind_input_rows(Ctx* c, double* rows) noexcept nogil:
    c.revenue = rows + 0 * c.T
    c.rs_revenue = 0
    c.opex = rows + 1 * c.T
    c.rs_opex = 0
    c.fees = rows + 2 * c.T
    c.rs_fees = 0
    c.proceeds = rows + 3 * c.T
    c.rs_proceeds = 0
    c.asset_value = rows + 4 * c.T
    c.rs_asset_value = 0
    c.liquidation_value = rows + 5 * c.T
    c.rs_liquidation_value = 0
    c.crypto_value = rows + 6 * c.T
    c.rs_crypto_value = 0
    c.base_rate = rows + 7 * c.T
    c.rs_base_rate = 0
    c.capex = rows + 8 * c.T
    c.rs_capex = 0
    c.refi_advance_cut = rows + 9 * c.T
    c.rs_refi_advance_cut = 0
    c.refi_spread_add = rows + 10 * c.T
    c.rs_refi_spread_add = 0
    return rows + N_PATH_INPUTS * c.T


cdef double* bind_path_outputs(Ctx* c, double* o) noexcept nogil:
    c.o_cfads = (o + 0 * c.T)
    c.o_tax = (o + 1 * c.T)
    c.o_debt_service = (o + 2 * c.T)
    c.o_balloon = (o + 3 * c.T)
    c.o_dscr = (o + 4 * c.T)
    c.o_dscr_test = (o + 5 * c.T)
    c.o_ltv = (o + 6 * c.T)
    c.o_proceeds = (o + 7 * c.T)
    c.o_injection = (o + 8 * c.T)
    c.o_dsra_balance = (o + 9 * c.T)
    c.o_trap_balance = (o + 10 * c.T)
    c.o_distribution = (o + 11 * c.T)
    c.o_flags = <int*>(o + 12 * c.T)
    c.o_swap_cash = (o + 13 * c.T)
    c.o_swap_breakage = (o + 14 * c.T)
    c.o_swap_arrears = (o + 15 * c.T)
    c.o_swap_writeoff = (o + 16 * c.T)
    c.o_treasury_balance = (o + 17 * c.T)
    c.o_treasury_income = (o + 18 * c.T)
    c.o_capex_paid = (o + 19 * c.T)
    c.o_treasury_draw = (o + 20 * c.T)
    c.o_refinanced = (o + 21 * c.T)
    o = o + N_PT_OUTPUTS * c.T
    c.o_interest_due = o + 0 * c.K * c.T
    c.o_interest_paid = o + 1 * c.K * c.T
    c.o_principal_paid = o + 2 * c.K * c.T
    c.o_pik = o + 3 * c.K * c.T
    c.o_shortfall = o + 4 * c.K * c.T
    c.o_balance = o + 5 * c.K * c.T
    c.o_writeoff = o + 6 * c.K * c.T
    c.o_drawn = o + 7 * c.K * c.T
    c.o_undrawn = o + 8 * c.K * c.T
    c.o_commitment_fee = o + 9 * c.K * c.T
    return o + N_PKT_OUTPUTS * c.K * c.T
