# Step "cfads": revenue - operating costs - senior fees - tax = CFADS; interest accrued and
# scheduled principal due (everything at maturity and in the last period); the debt service
# and DSCR (on the scheduled debt service: a balloon or bullet due at final maturity or in the
# last period, beyond the schedule, ``bln``, is left out); sale, liquidation and crypto
# proceeds and released reserves join the cash; a negative cash position is covered by an equity injection. A delayed-draw tranche's
# commitment fee is part of its interest; equity's share of delivered GPUs is an injection.
# A tranche with refinancing terms has the balance left at its maturity refinanced (up to its
# sizing, _refi_size) into the new tranche: only the rest is due then; the new tranche pays
# base rate + its spread (or, fixed, the base rate at refinancing + its spread), its schedule
# and, at its own maturity, all that is left.
# @declare
cdef bint has_ds, matured
cdef double base, rate, sum_int, ebitda, taxable, tax, cfads, sum_sp, ds, dscr, sale, cash
cdef double injection, refi_now, bln, reg
cdef bint refi_any = _any_on(c.refi_on, K)  # a tranche refinances: else none of it runs
# @period
base = br[t]
for k in range(K):
    if refi_any and refi_amt[k] >= 0.0:
        rate = refi_sp[k] if c.refi_fixed[k] else base + refi_sp[k]
    else:
        rate = base + c.spread[k] if c.floating[k] else c.fixed_rate[k]
    int_cur[k] = bal[k] * rate * yf[k * T + t] + cfee[k]
sum_int = _npsum(int_cur, K)
ebitda = (rev[t] - opex[t] - fees[t]) * live
taxable = ebitda - c.depreciation[t] * live - sum_int
tax = c.tax_rate * _max0(taxable)
cfads = ebitda - tax
refi_now = 0.0
bln = 0.0
for k in range(K):
    if refi_any and refi_amt[k] >= 0.0:  # the refinanced tranche
        matured = t >= c.refi_maturity[k] or last
        reg = _min(refi_amt[k] * c.refi_schedule[k * T + t], bal[k])
        sp_due[k] = bal[k] if matured else reg
        if matured:
            bln += sp_due[k] - reg
        continue
    matured = t >= c.maturity[k] or last
    reg = _min(sched[k * T + t], bal[k])
    sp_due[k] = bal[k] if matured else reg
    if refi_any and c.refi_on[k] and t == c.maturity[k] and not last and alive and accel_t < 0:
        paid = _refi_size(c, k, t, bal[k], rev[t], av[t], refi_advance_cut[t],
                          base + c.refi_spread[k] + refi_spread_add[t])
        if paid > EPS:
            refi_amt[k] = paid
            refi_sp[k] = c.refi_spread[k] + refi_spread_add[t]
            if c.refi_fixed[k]:  # fixed for its life at the base rate at maturity + spread
                refi_sp[k] = refi_sp[k] + base
            sp_due[k] = bal[k] - paid
            refi_now += paid
    if matured:
        bln += _max0(sp_due[k] - reg)
sum_sp = _npsum(sp_due, K)
ds = sum_int + sum_sp
has_ds = ds - bln > EPS
dscr = cfads / (ds - bln) if has_ds else NAN
sale = proc[t] * live + crypto_sale + liq_cash
cash = cfads + sale + reserve_cash
injection = _max0(-cash) + dd_eq
cash = _max0(cash)
