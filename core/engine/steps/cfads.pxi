# Step "cfads": revenue - operating costs - senior fees - tax = CFADS; interest accrued and
# scheduled principal due (everything at maturity and in the last period); the debt service
# and DSCR; sale, liquidation and crypto proceeds and released reserves join the cash; a
# negative cash position is covered by an equity injection. A delayed-draw tranche's
# commitment fee is part of its interest; equity's share of delivered GPUs is an injection.
# @declare
cdef bint has_ds, matured
cdef double base, rate, sum_int, ebitda, taxable, tax, cfads, sum_sp, ds, dscr, sale, cash
cdef double injection
# @period
base = br[t]
for k in range(K):
    rate = base + c.spread[k] if c.floating[k] else c.fixed_rate[k]
    int_cur[k] = bal[k] * rate * yf[k * T + t] + cfee[k]
sum_int = _npsum(int_cur, K)
ebitda = (rev[t] - opex[t] - fees[t]) * live
taxable = ebitda - c.depreciation[t] * live - sum_int
tax = c.tax_rate * _max0(taxable)
cfads = ebitda - tax
for k in range(K):
    matured = t >= c.maturity[k] or last
    sp_due[k] = bal[k] if matured else _min(sched[k * T + t], bal[k])
sum_sp = _npsum(sp_due, K)
ds = sum_int + sum_sp
has_ds = ds > EPS
dscr = cfads / ds if has_ds else NAN
sale = proc[t] * live + crypto_sale + liq_cash
cash = cfads + sale + reserve_cash
injection = _max0(-cash) + dd_eq
cash = _max0(cash)
