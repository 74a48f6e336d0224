# Step "construction": the Treasury (proceeds) reserve funded at closing earns its yield and pays
# the period's capex (the share capex-linked draws do not fund; what it cannot pay, equity
# injects); while the project is being built it pays the period's interest (interest funded
# from the reserve), or the interest is capitalised (the interest step then capitalises what the
# cash does not pay, without drawing the DSRA); there is no DSCR while building. From
# completion what is left joins the cash, less the capex still to come (a late completion moves
# capex past the planned completion); in the last period or on a liquidation, all of it.
# @declare
cdef double tsy = c.treasury_initial, tsy_income, tsy_capex, tsy_draw, tsy_hold
cdef bint building = False, cap_build = False
cdef double tsy_share = 1.0 - dd_share  # of capex the reserve pays
cdef Py_ssize_t cx_end = 0  # after the last period with capex (set in period 0)
# @period
if t == 0:
    cx_end = _capex_end(capex, T)
building = c.build[t] != 0.0
cap_build = building and c.idc_capitalised != 0
tsy_income = tsy * c.treasury_yield
tsy_capex = _min(capex[t] * tsy_share, tsy + tsy_income)
tsy = tsy + tsy_income - tsy_capex
injection += (capex[t] * tsy_share - tsy_capex) * live
tsy_draw = 0.0
if building and not release:
    if not cap_build:
        tsy_draw = _min(tsy, sum_int)
elif release or t + 1 >= cx_end:
    tsy_draw = tsy
else:
    tsy_hold = 0.0
    for u in range(t + 1, cx_end):
        tsy_hold += capex[u] * tsy_share
    tsy_draw = tsy - _min(tsy, tsy_hold)
tsy = tsy - tsy_draw
cash += tsy_draw
if building:
    dscr = NAN
c.o_treasury_balance[o + t] = tsy
c.o_treasury_income[o + t] = tsy_income
c.o_capex_paid[o + t] = tsy_capex
c.o_treasury_draw[o + t] = tsy_draw
# @skipped
c.o_treasury_balance[o + t] = 0.0
c.o_treasury_income[o + t] = 0.0
c.o_capex_paid[o + t] = 0.0
c.o_treasury_draw[o + t] = 0.0
