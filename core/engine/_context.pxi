# Included by _waterfall.pyx (``include "_context.pxi"``): filling a ``Ctx`` from an
# ``EngineInputs``, with the shape checks that name the offending array. ``waterfall`` and the
# fused Monte Carlo kernel (core/risk/_mckernel.pyx) both use ``context_from``.

import numpy as np

# EngineInputs fields by kind (core.engine.arrays)
_PATH_F64 = ("revenue", "opex", "fees", "proceeds", "asset_value", "liquidation_value",
             "crypto_value", "base_rate")
_INT_FIELDS = ("floating", "maturity", "pik", "group_start")


cdef Py_ssize_t scratch_doubles(Py_ssize_t K, Py_ssize_t T, Py_ssize_t G) noexcept nogil:
    """Per-thread scratch of ``run_path``, rows padded to a cache line (no false sharing)."""
    cdef Py_ssize_t W = 8 * K + 2 * T + G
    return (W + 7) // 8 * 8 + 8


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
    for f in _PATH_F64:
        a[f] = np.ascontiguousarray(getattr(inp, f), dtype=np.float64)
    for f in ("depreciation", "dsra_target", "fixed_rate", "spread", "year_fraction",
              "notional", "scheduled_principal", "sweep_pct"):
        a[f] = np.ascontiguousarray(getattr(inp, f), dtype=np.float64)
    for f in _INT_FIELDS:
        a[f] = np.ascontiguousarray(getattr(inp, f), dtype=np.int32)
    keep.append(a)
    T, K = len(a["depreciation"]), len(a["notional"])
    G = len(a["group_start"]) - 1
    if P < 0:
        P = max(a[f].shape[0] for f in _PATH_F64)
    c.revenue = _path_row(a, "revenue", P, T, &c.rs_revenue)
    c.opex = _path_row(a, "opex", P, T, &c.rs_opex)
    c.fees = _path_row(a, "fees", P, T, &c.rs_fees)
    c.proceeds = _path_row(a, "proceeds", P, T, &c.rs_proceeds)
    c.asset_value = _path_row(a, "asset_value", P, T, &c.rs_asset_value)
    c.liquidation_value = _path_row(a, "liquidation_value", P, T, &c.rs_liquidation_value)
    c.crypto_value = _path_row(a, "crypto_value", P, T, &c.rs_crypto_value)
    c.base_rate = _path_row(a, "base_rate", P, T, &c.rs_base_rate)
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
    c.K, c.T, c.G = K, T, G
    c.W = scratch_doubles(K, T, G)
    c.dsra_initial = inp.dsra_initial
    c.tax_rate = inp.tax_rate
    c.lockup_dscr = inp.lockup_dscr
    c.default_dscr = inp.default_dscr
    c.ltv_max = inp.ltv_max
    c.margin_call_ltv = inp.margin_call_ltv
    c.crypto_liquidation_ltv = inp.crypto_liquidation_ltv
    c.lockup_action = inp.lockup_action
    c.default_action = inp.default_action
    c.ltv_action = inp.ltv_action
    c.lookback = inp.lookback
    c.lag = inp.liquidation_lag if inp.liquidation_lag > 1 else 1
    c.o_cfads = c.o_tax = c.o_debt_service = c.o_dscr = c.o_dscr_test = c.o_ltv = NULL
    c.o_proceeds = c.o_injection = c.o_dsra_balance = c.o_trap_balance = NULL
    c.o_distribution = NULL
    c.o_flags = NULL
    c.o_interest_due = c.o_interest_paid = c.o_principal_paid = c.o_pik = NULL
    c.o_shortfall = c.o_balance = c.o_writeoff = NULL
    return 0


cdef int _out_dims(str name, Py_ssize_t a, Py_ssize_t b, Py_ssize_t c,
                   Py_ssize_t want_a, Py_ssize_t want_b, Py_ssize_t want_c) except -1:
    """Check an output's extents (-1 for an absent third dimension)."""
    if a != want_a or b != want_b or c != want_c:
        got = tuple(x for x in (a, b, c) if x >= 0)
        _bad("output " + name, got, tuple(x for x in (want_a, want_b, want_c) if x >= 0))
    return 0
