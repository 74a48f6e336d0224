# Step "principal": scheduled principal by seniority, pro rata within a rank, drawing the DSRA
# when short; unpaid principal stays outstanding and is a shortfall. Then the payment-default
# test: the most senior rank outstanding at the start of the period is short.
# @declare
cdef double gdue
cdef bint controlling
# @period
for g in range(G):
    s = c.group_start[g]
    e = c.group_start[g + 1]
    gdue = _npsum(sp_due + s, e - s)
    pay = _min(cash, gdue)
    cash -= pay
    draw = _min(dsra, gdue - pay)
    dsra -= draw
    frac = _min((pay + draw) / gdue, 1.0) if gdue > EPS else 1.0
    for k in range(s, e):
        paid = sp_due[k] * frac
        bal[k] -= paid
        ppaid[k] = paid
        unpaid_pr[k] = sp_due[k] - paid

for k in range(K):
    shortv[k] = arrears[k] + unpaid_pr[k]
controlling = False
for g in range(G):
    if open_group[g] > EPS:
        s = c.group_start[g]
        e = c.group_start[g + 1]
        controlling = _npsum(shortv + s, e - s) > EPS
        break
