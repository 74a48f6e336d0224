# Step "distribution": what is left is paid to equity; on liquidation and in the last period
# any balance still outstanding (with its interest arrears) is written off as a loss; the
# period's outputs are written.
# @declare
cdef bint ends
# @period
ends = release and alive
for k in range(K):
    if ends:
        o_wo[k * T + t] = bal[k] + arrears[k]
        bal[k] = 0.0
        arrears[k] = 0.0
    else:
        o_wo[k * T + t] = 0.0
    o_int_due[k * T + t] = int_cur[k]
    o_prin[k * T + t] = ppaid[k]
    o_short[k * T + t] = shortv[k]
    o_bal[k * T + t] = bal[k]
if liq_now or last:  # liquidated, or wound up by the planned sale: nothing runs after
    dead = True

c.o_cfads[o + t] = cfads
c.o_refinanced[o + t] = refi_now
c.o_tax[o + t] = tax
c.o_debt_service[o + t] = ds
c.o_balloon[o + t] = bln
c.o_dscr[o + t] = dscr
c.o_dscr_test[o + t] = test
c.o_ltv[o + t] = ltv
c.o_proceeds[o + t] = sale
c.o_injection[o + t] = injection
c.o_dsra_balance[o + t] = dsra
c.o_trap_balance[o + t] = trap
c.o_distribution[o + t] = cash
c.o_flags[o + t] = flags
