# Step "swap": the interest-rate swaps' net settlement, ahead of interest. The SPV receives the
# base rate on the floating leg and pays the fixed leg; a net receipt joins the cash, a net
# payment ranks ahead of the debt (unpaid, it is carried as swap arrears). Net settlements count
# in the debt service (and so the DSCR). The swap is terminated at its value to the SPV
# (breakage: the remaining settlements at this period's base rate, discounted at it) in the
# first period after an acceleration, or once the debt has been repaid; what the SPV still owes
# when its cash ends (liquidation, last period) is written off.
# @declare
cdef double swap_owing = 0.0, swap_settle, swap_brk, swap_in, swap_pay, swap_df, swap_lost
cdef bint swap_done = False
cdef Py_ssize_t u
# @period
swap_settle = 0.0
swap_brk = 0.0
if alive and not swap_done:
    if (accel_t >= 0 and t > accel_t) or (t > 0 and debt_open <= EPS):
        swap_df = 1.0
        for u in range(t, T):
            swap_df = swap_df / (1.0 + br[t] * c.period_years)
            swap_brk += (br[t] * c.swap_float_accrual[u] - c.swap_fixed_leg[u]) * swap_df
        swap_done = True
    else:
        swap_settle = br[t] * c.swap_float_accrual[t] - c.swap_fixed_leg[t]
        ds = ds - swap_settle
        has_ds = ds - bln > EPS
        dscr = cfads / (ds - bln) if has_ds else NAN
swap_in = _max0(swap_settle) + _max0(swap_brk)
cash += swap_in
swap_owing += _max0(-swap_settle) + _max0(-swap_brk)
swap_pay = _min(cash, swap_owing)
cash -= swap_pay
swap_owing -= swap_pay
swap_lost = 0.0
if release:
    swap_lost = swap_owing
    swap_owing = 0.0
c.o_swap_cash[o + t] = swap_in - swap_pay
c.o_swap_breakage[o + t] = swap_brk
c.o_swap_arrears[o + t] = swap_owing
c.o_swap_writeoff[o + t] = swap_lost
# @skipped
c.o_swap_cash[o + t] = 0.0
c.o_swap_breakage[o + t] = 0.0
c.o_swap_arrears[o + t] = 0.0
c.o_swap_writeoff[o + t] = 0.0
