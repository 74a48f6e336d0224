# Step "construction": the Treasury (proceeds) reserve funded at closing earns its yield and pays
# the period's capex; while the project is being built it pays the period's interest (interest
# funded from the reserve), or the interest is capitalised (the interest step then capitalises
# what the cash does not pay, without drawing the DSRA); there is no DSCR while building. From
# completion, and in the last period or on a liquidation, what is left joins the cash.
# @declare
cdef double tsy = c.treasury_initial, tsy_income, tsy_capex, tsy_draw
cdef bint building = False, cap_build = False
# @period
building = c.build[t] != 0.0
cap_build = building and c.idc_capitalised != 0
tsy_income = tsy * c.treasury_yield
tsy_capex = _min(c.capex[t], tsy + tsy_income)
tsy = tsy + tsy_income - tsy_capex
tsy_draw = 0.0
if building and not release:
    if not cap_build:
        tsy_draw = _min(tsy, sum_int)
else:
    tsy_draw = tsy
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
