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
    # paid in full (the common case): the share is exactly 1, as the division would give
    frac = 1.0 if (pay + draw == gdue or gdue <= EPS) else _min((pay + draw) / gdue, 1.0)
    for k in range(s, e):
        paid = sp_due[k] * frac
        bal[k] -= paid
        ppaid[k] = paid
        unpaid_pr[k] = sp_due[k] - paid
        # in this loop, not a separate (vectorised) one: reading back two scalar stores as one
        # vector load stalls on store forwarding, and this line was a third of run_path's time
        shortv[k] = arrears[k] + unpaid_pr[k]

controlling = False
for g in range(G):
    if open_group[g] > EPS:
        s = c.group_start[g]
        e = c.group_start[g + 1]
        controlling = _npsum(shortv + s, e - s) > EPS
        break
