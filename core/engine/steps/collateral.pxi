# Step "collateral" (core.engine.steps.WATERFALL): crypto margin call / sale on the opening LTV;
# the forced sale of the collateral once an acceleration has run its liquidation lag; the
# reserves released in the last period and on liquidation.
# @declare
cdef bint watch, sell, liq_now, release, has_coll
cdef double crypto, coll, ltv, crypto_sale, liq_cash, reserve_cash
# @period
crypto = cv[t] if (crypto_held and alive) else 0.0
coll = av[t] * live + crypto
has_coll = coll > EPS
ltv = debt_open / coll if has_coll else NAN
crypto_sale = 0.0
if c.margin_call_ltv > 0:
    watch = (crypto > EPS) and (debt_open > EPS)
    if watch and debt_open > c.margin_call_ltv * coll:
        flags |= FLAG_MARGIN_CALL
    sell = watch and debt_open > c.crypto_liquidation_ltv * coll
    if sell:
        crypto_sale = crypto
        crypto_held = False
        flags |= FLAG_CRYPTO_SOLD
liq_now = alive and accel_t >= 0 and t >= accel_t + c.liquidation_lag
liq_cash = 0.0
if liq_now:
    liq_cash = lv[t] + (cv[t] if crypto_held else 0.0)
    crypto_held = False
    flags |= FLAG_LIQUIDATED
release = last or liq_now
reserve_cash = 0.0
if release:
    reserve_cash = dsra + trap
    dsra = 0.0
    trap = 0.0
