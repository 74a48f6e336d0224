# GENERATED from core/engine/_waterfall.pxd.tp by core/engine/codegen.py: do not edit.
# Declarations of the compiled waterfall kernel (core/engine/_waterfall.pyx) that other
# Cython modules cimport: the flag and action codes, the per-call context of raw pointers
# every path reads and writes, and the per-path step itself. The Monte Carlo's fused path
# kernel (core/risk/_mckernel.pyx) runs ``run_path`` on rows it lays on per-thread scratch.
# Rendered from the field declarations of core.engine.arrays.

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

cdef enum:
    N_PATH_INPUTS = 11  # per-path input rows of one path
    N_PT_OUTPUTS = 22  # (P, T) outputs
    N_PKT_OUTPUTS = 10  # (P, K, T) outputs


ctypedef struct Ctx:
    Py_ssize_t K, T, G, W  # tranches, periods, seniority groups, scratch doubles per thread
    int steps  # bit i: step i of core.engine.steps.WATERFALL runs (core.engine.steps.active_mask)
    # per path and period: base pointer and row stride in elements (0 when shared)
    const double* revenue  # operating revenue incl. backstop payments and termination fees
    const double* opex  # operating costs incl. maintenance capex
    const double* fees  # senior fees (SPV admin, trustee), paid before interest
    const double* proceeds  # planned asset sale proceeds incl. RVG payments: mandatory prepayment
    const double* asset_value  # market value of GPUs and facility, for LTV
    const double* liquidation_value  # what a forced sale in that period would raise
    const double* crypto_value  # value of pledged crypto collateral
    const double* base_rate  # annual base rate for floating tranches
    const double* capex  # construction: capex spent on the path (the schedule moved by its completion delay); the Treasury reserve pays the share capex-linked draws do not fund, equity what the reserve cannot pay
    const double* refi_advance_cut  # refinancing market: the maximum advance is 1 - this in that period (1: the market is shut)
    const double* refi_spread_add  # refinancing market: added to the new tranche's spread for a refinancing in that period
    Py_ssize_t rs_revenue
    Py_ssize_t rs_opex
    Py_ssize_t rs_fees
    Py_ssize_t rs_proceeds
    Py_ssize_t rs_asset_value
    Py_ssize_t rs_liquidation_value
    Py_ssize_t rs_crypto_value
    Py_ssize_t rs_base_rate
    Py_ssize_t rs_capex
    Py_ssize_t rs_refi_advance_cut
    Py_ssize_t rs_refi_spread_add
    # per period, per tranche ((K, T) arrays are row-major) and per seniority group
    const double* depreciation  # book depreciation (only used for tax)
    const double* dsra_target  # DSRA target balance at the end of each period
    const double* fixed_rate  # annual coupon of fixed tranches
    const double* spread  # spread of floating tranches
    const int* floating  # 1 when floating
    const double* year_fraction  # accrual fraction per period (day count)
    const double* notional  # opening balance at close
    const double* scheduled_principal  # scheduled repayment (base case)
    const int* maturity  # period in which all that is left falls due
    const double* sweep_pct  # share of spare cash swept to this tranche
    const int* pik  # 1 when unpaid interest capitalises
    const int* group_start  # tranche index where each seniority group starts
    const double* swap_float_accrual  # interest-rate swaps: sum of notional x year fraction (the floating leg received per unit of base rate)
    const double* swap_fixed_leg  # interest-rate swaps: sum of notional x fixed rate x year fraction (the fixed leg paid)
    const double* build  # construction: 1 in each planned construction period (no DSCR or LTV test; interest from the Treasury reserve or capitalised)
    const double* draw_amount  # delayed draws: amount scheduled to be drawn at the start of each period after closing
    const int* draw_maturity  # delayed draws: last period of the own schedule of a draw made in that period (the closing draw's in column 0)
    const double* draw_rate  # delayed draws: periodic rate of the annuity of a draw made in that period
    const int* draw_amort  # delayed draws: 0 not a delayed-draw tranche, 1 bullet, 2 annuity, 3 straight line (each draw its own schedule)
    const int* draw_io  # delayed draws: interest-only periods after each draw
    const int* draw_end  # delayed draws: first period after the availability period (the undrawn commitment lapses)
    const double* draw_share  # delayed draws linked to capex: the tranche draws this share of each period's capex (commitment / total capex; 0: on its schedule)
    const int* draw_first  # delayed draws: first period a draw may amortise in (completion on a construction deal; 0: the end of the draw's own interest-only period)
    const double* commitment  # delayed draws: the commitment (0 for other tranches)
    const double* commitment_fee_rate  # delayed draws: annual fee on the undrawn commitment
    const double* max_advance  # delayed draws: borrowing base, debt after a draw / delivered collateral value (0: no test)
    const double* draw_capex  # delayed draws: cost of the GPUs delivered at the start of each period after closing (draws, then equity, pay it)
    const int* refi_on  # refinancing: 1 when the balance left at maturity is refinanced into a new tranche, up to its sizing
    const int* refi_maturity  # refinancing: period in which all of the refinanced tranche falls due
    const int* refi_fixed  # refinancing: 1 when the new tranche's rate is fixed at refinancing (base rate then + spread), 0 floating
    const double* refi_spread  # refinancing: the new tranche's spread over the base rate
    const double* refi_advance  # refinancing: advance rate on the collateral's market value at maturity; 0: no advance test
    const double* refi_dscr  # refinancing: minimum DSCR of the new tranche on the CFADS to its maturity; 0: no DSCR test
    const double* refi_schedule  # refinancing: the new tranche's scheduled principal per unit refinanced
    const double* refi_cfads  # refinancing: the base case's contracted CFADS the DSCR test sizes on (scaled on a path by its revenue at maturity against the base case's)
    const double* refi_revenue  # refinancing: the base case's revenue (the scale of a path's contracted CFADS at maturity)
    # scalars
    double dsra_initial  # DSRA balance at close
    double tax_rate  # tax rate on positive taxable income
    double lockup_dscr  # lock-up DSCR level; 0 disables the test
    double default_dscr  # default DSCR level; 0 disables the test
    double ltv_max  # maximum LTV; 0 disables the test
    int lockup_action  # TRAP or SWEEP
    int default_action  # ACCELERATE or SWEEP
    int ltv_action  # TRAP, SWEEP or ACCELERATE
    int lookback  # periods in the DSCR test window
    int liquidation_lag  # periods from acceleration to the forced sale
    double margin_call_ltv  # crypto margin-call LTV; 0 when there is no crypto collateral
    double crypto_liquidation_ltv  # LTV at which pledged crypto is sold
    double period_years  # length of a period in years (discounts a swap's breakage)
    double treasury_initial  # construction: Treasury (proceeds) reserve funded at closing
    double treasury_yield  # construction: periodic yield on the Treasury reserve
    int idc_capitalised  # construction: 1 when interest during construction is capitalised, 0 when the Treasury reserve pays it
    # outputs, (P, T) and (P, K, T), C order
    double* o_cfads  # cash flow available for debt service
    double* o_tax  # tax paid
    double* o_debt_service  # interest due this period + scheduled principal due
    double* o_balloon  # principal due at a tranche's final maturity (or the horizon's last period) beyond its schedule: a balloon or bullet; in debt_service, not in the DSCR
    double* o_dscr  # cfads / (debt_service - balloon), the scheduled debt service; NaN when none is due
    double* o_dscr_test  # trailing-window DSCR used by the covenants; NaN when none
    double* o_ltv  # opening debt / (asset value + crypto held); NaN when no collateral
    double* o_proceeds  # sale, liquidation and crypto proceeds received
    double* o_injection  # equity injected to cover negative cash flow
    double* o_dsra_balance  # DSRA balance, end of period
    double* o_trap_balance  # lock-up account, end of period
    double* o_distribution  # paid to equity
    int* o_flags  # bitmask of FLAG_*
    double* o_swap_cash  # net swap cash received (+) or paid (-) by the SPV, breakage included
    double* o_swap_breakage  # value of the swap's remaining settlements to the SPV (+) or the counterparty (-), in the period it is terminated
    double* o_swap_arrears  # swap payments the SPV owes and has not paid, end of period
    double* o_swap_writeoff  # swap arrears left unpaid when the SPV's cash ends (the counterparty's loss)
    double* o_treasury_balance  # construction: Treasury (proceeds) reserve, end of period
    double* o_treasury_income  # construction: yield earned on the Treasury reserve
    double* o_capex_paid  # construction: capex paid out of the Treasury reserve
    double* o_treasury_draw  # construction: Treasury reserve cash into the waterfall (interest during construction; the rest at completion)
    double* o_refinanced  # balance refinanced at maturity into the new tranches (a rollover: no cash)
    double* o_interest_due  # accrued this period (excl. arrears brought forward)
    double* o_interest_paid  # interest paid
    double* o_principal_paid  # scheduled, swept, prepaid and from proceeds
    double* o_pik  # interest capitalised
    double* o_shortfall  # interest and scheduled principal due but unpaid, end of period
    double* o_balance  # closing balance
    double* o_writeoff  # balance written off (loss)
    double* o_drawn  # delayed draws made at the start of the period (the closing draw is the opening balance)
    double* o_undrawn  # undrawn commitment after the period's draw (0 once the availability period ends)
    double* o_commitment_fee  # commitment fee on the undrawn commitment (part of interest_due)


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

# Point the per-path inputs of ``c`` at consecutive rows of ``rows`` (N_PATH_INPUTS rows of
# ``c.T`` doubles, in declaration order, row stride 0); returns the end of those rows.
cdef double* bind_input_rows(Ctx* c, double* rows) noexcept nogil

# Point the outputs of ``c`` at one path's worth of consecutive rows from ``o``:
# N_PT_OUTPUTS rows of T then N_PKT_OUTPUTS blocks of K * T (an int row in a double row);
# returns the end of those rows.
cdef double* bind_path_outputs(Ctx* c, double* o) noexcept nogil
