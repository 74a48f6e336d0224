# Step "sweep": everything to debt by seniority while a sweep or an acceleration is in force
# (an acceleration also releases the lock-up account), else each tranche's sweep percentage.
# @declare
cdef double swept, s_k
# @period
if accel:
    cash += trap
    trap = 0.0
if sweep_all:
    swept = cash
    if swept != 0.0:
        cash = cash - swept + _prepay(c, swept, bal, ppaid)
else:
    for k in range(K):
        if c.sweep_pct[k] > 0:
            s_k = _min(cash * c.sweep_pct[k], bal[k])
            bal[k] -= s_k
            ppaid[k] += s_k
            cash -= s_k
