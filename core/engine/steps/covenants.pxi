# Step "covenants": DSCR tests on the trailing window (lock-up, default) while debt is still
# owed after this period's payments, the LTV test, the payment default; what each breach does
# (trap, sweep, accelerate); the acceleration starts the liquidation lag. While the project is
# being built there is no DSCR or LTV test (its periods count as zero in the DSCR window).
# @declare
cdef double scf, sds, test
cdef bint has_debt, owing, lock, ddef, ltvb, pdef, dflt, go_accel, accel, sweep_all, trap_mode
# @period
hist_cf[t] = 0.0 if building else cfads
hist_ds[t] = 0.0 if building else ds - bln  # scheduled: balloons are not tested
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
owing = alive and (not building) and _npsum(bal, K) > EPS
lock = owing and c.lockup_dscr > 0 and test < c.lockup_dscr
ddef = owing and c.default_dscr > 0 and test < c.default_dscr
ltvb = has_debt and (not building) and c.ltv_max > 0 and ((not has_coll) or debt_open > c.ltv_max * coll)
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
