# Step "lockup": the lock-up account traps cash, or releases it once the tests pass again;
# while any class is short, what is left is held there too (equity is never paid while a debt
# class is short).
# @declare
cdef bint hold, cured
# @period
hold = trap_mode or (_npsum(shortv, K) > EPS and not release)
if hold:
    trap += cash
    cash = 0.0
cured = (not hold) and (not lock) and (not ltvb) and (not sweep_all)
if cured:
    cash += trap
    trap = 0.0
