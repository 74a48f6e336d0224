# Declarations of the compiled waterfall kernel (core/engine/_waterfall.pyx) that other
# Cython modules cimport: the flag and action codes, the per-call context of raw pointers
# every path reads and writes, and the per-path step itself. The Monte Carlo's fused path
# kernel (core/risk/_mckernel.pyx) runs ``run_path`` on rows it builds in per-thread scratch.

# Keep in step with core.engine.arrays.
cdef enum:
    FLAG_LOCKUP = 1
    FLAG_DSCR_DEFAULT = 2
    FLAG_LTV_BREACH = 4
    FLAG_PAYMENT_DEFAULT = 8
    FLAG_ACCELERATED = 16
    FLAG_LIQUIDATED = 32
    FLAG_MARGIN_CALL = 64
    FLAG_CRYPTO_SOLD = 128

cdef enum:
    TRAP = 0
    SWEEP = 1
    ACCELERATE = 2


ctypedef struct Ctx:
    Py_ssize_t K, T, G, W  # tranches, periods, seniority groups, scratch doubles per thread
    # per path and period: base pointer and row stride in elements (0 when shared)
    const double* revenue
    const double* opex
    const double* fees
    const double* proceeds
    const double* asset_value
    const double* liquidation_value
    const double* crypto_value
    const double* base_rate
    Py_ssize_t rs_revenue, rs_opex, rs_fees, rs_proceeds
    Py_ssize_t rs_asset_value, rs_liquidation_value, rs_crypto_value, rs_base_rate
    # per period
    const double* depreciation
    const double* dsra_target
    # per tranche; (K, T) arrays are row-major
    const double* fixed_rate
    const double* spread
    const int* floating
    const double* year_fraction
    const double* notional
    const double* scheduled_principal
    const int* maturity
    const double* sweep_pct
    const int* pik
    const int* group_start
    # scalars
    double dsra_initial, tax_rate, lockup_dscr, default_dscr, ltv_max
    double margin_call_ltv, crypto_liquidation_ltv
    int lockup_action, default_action, ltv_action, lookback, lag
    # outputs, (P, T) and (P, K, T), C order
    double* o_cfads
    double* o_tax
    double* o_debt_service
    double* o_dscr
    double* o_dscr_test
    double* o_ltv
    double* o_proceeds
    double* o_injection
    double* o_dsra_balance
    double* o_trap_balance
    double* o_distribution
    int* o_flags
    double* o_interest_due
    double* o_interest_paid
    double* o_principal_paid
    double* o_pik
    double* o_shortfall
    double* o_balance
    double* o_writeoff


# Doubles of per-thread scratch ``run_path`` needs (padded to whole cache lines).
cdef Py_ssize_t scratch_doubles(Py_ssize_t K, Py_ssize_t T, Py_ssize_t G) noexcept nogil

# The whole horizon of path ``p``: reads the input rows ``c.X + p * c.rs_X`` and writes the
# outputs ``c.o_X + p * T`` ((P, T) fields) and ``c.o_X + p * K * T`` ((P, K, T) fields).
cdef void run_path(const Ctx* c, Py_ssize_t p, double* w) noexcept nogil

# Fill every input field of ``c`` from an ``EngineInputs`` (arrays converted to C-contiguous
# float64 / int32 and appended to ``keep``, which must outlive every use of ``c``) for ``P``
# paths (-1: as many as the inputs have rows); shapes are checked, naming the array, and the
# outputs are left NULL. ``waterfall`` and the fused Monte Carlo kernel both call it.
cdef int context_from(Ctx* c, object inp, list keep, Py_ssize_t P) except -1
