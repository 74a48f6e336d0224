# Step "interest": current interest plus arrears by seniority, pro rata within a rank;
# a shortfall draws the DSRA, then capitalises (PIK tranches) or falls into arrears. While a
# project whose interest during construction is capitalised is being built, what the cash does
# not pay is capitalised on every tranche, without drawing the DSRA.
# @declare
cdef double gowed, unpaid
# @period
for g in range(G):
    s = c.group_start[g]
    e = c.group_start[g + 1]
    for k in range(s, e):
        owed[k] = int_cur[k] + arrears[k]
    gowed = _npsum(owed + s, e - s)
    pay = _min(cash, gowed)
    cash -= pay
    draw = 0.0 if cap_build else _min(dsra, gowed - pay)
    dsra -= draw
    # paid in full (the common case): the share is exactly 1, as the division would give
    frac = 1.0 if (pay + draw == gowed or gowed <= EPS) else _min((pay + draw) / gowed, 1.0)
    for k in range(s, e):
        paid = owed[k] * frac
        unpaid = owed[k] - paid
        o_int_paid[k * T + t] = paid
        if c.pik[k] or cap_build:
            bal[k] += unpaid
            o_pik[k * T + t] = unpaid
            arrears[k] = 0.0
        else:
            o_pik[k * T + t] = 0.0
            arrears[k] = unpaid
