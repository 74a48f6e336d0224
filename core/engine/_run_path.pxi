# GENERATED from core/engine/_run_path.pxi.tp by core/engine/codegen.py: do not edit.
# Included by _waterfall.pyx: ``run_path``, the whole horizon of one path, rendered from the
# step list core.engine.steps.WATERFALL and each step's fragment core/engine/steps/<name>.pxi
# (its declarations, then its per-period code, in the list's order).


@cython.cdivision(True)
cdef void run_path(const Ctx* c, Py_ssize_t p, double* w) noexcept nogil:
    """The whole horizon of path ``p``; ``w`` is this thread's scratch (``c.W`` doubles)."""
    cdef Py_ssize_t K = c.K, T = c.T, G = c.G
    cdef Py_ssize_t k, t, g, s, e, lo, j
    # scratch
    cdef double* bal = w
    cdef double* arrears = w + K
    cdef double* int_cur = w + 2 * K
    cdef double* sp_due = w + 3 * K
    cdef double* owed = w + 4 * K
    cdef double* ppaid = w + 5 * K
    cdef double* unpaid_pr = w + 6 * K
    cdef double* shortv = w + 7 * K
    cdef double* hist_cf = w + 8 * K
    cdef double* hist_ds = hist_cf + T
    cdef double* open_group = hist_ds + T
    cdef double* cfee = open_group + G  # commitment fee of each tranche this period
    cdef double* undrawn = cfee + K  # undrawn commitment of each delayed-draw tranche
    cdef double* sched_w = undrawn + K  # (K, T) the schedule of the draws made (delayed draws)
    cdef double* refi_amt = sched_w + K * T  # amount refinanced at maturity; -1: not (yet)
    cdef double* refi_sp = refi_amt + K  # the new tranche's spread set at refinancing (fixed: its rate)
    # this path's input rows
    cdef const double* rev = c.revenue + p * c.rs_revenue
    cdef const double* opex = c.opex + p * c.rs_opex
    cdef const double* fees = c.fees + p * c.rs_fees
    cdef const double* proc = c.proceeds + p * c.rs_proceeds
    cdef const double* av = c.asset_value + p * c.rs_asset_value
    cdef const double* lv = c.liquidation_value + p * c.rs_liquidation_value
    cdef const double* cv = c.crypto_value + p * c.rs_crypto_value
    cdef const double* br = c.base_rate + p * c.rs_base_rate
    cdef const double* capex = c.capex + p * c.rs_capex
    cdef const double* refi_advance_cut = c.refi_advance_cut + p * c.rs_refi_advance_cut
    cdef const double* refi_spread_add = c.refi_spread_add + p * c.rs_refi_spread_add
    cdef const double* yf = c.year_fraction
    cdef const double* sched = c.scheduled_principal
    # this path's output blocks
    cdef Py_ssize_t o = p * T
    cdef Py_ssize_t okt = p * K * T
    cdef double* o_int_due = c.o_interest_due + okt
    cdef double* o_int_paid = c.o_interest_paid + okt
    cdef double* o_prin = c.o_principal_paid + okt
    cdef double* o_pik = c.o_pik + okt
    cdef double* o_short = c.o_shortfall + okt
    cdef double* o_bal = c.o_balance + okt
    cdef double* o_wo = c.o_writeoff + okt
    # state carried from period to period
    cdef double dsra = c.dsra_initial, trap = 0.0
    cdef Py_ssize_t accel_t = -1
    cdef bint dead = False, crypto_held = True
    # every period
    cdef bint last, alive
    cdef int flags
    cdef double live, debt_open, pay, draw, frac, paid
    # the steps' own
    # draws
    cdef double dd_amt, dd_got, dd_made, dd_eq
    cdef double dd_share = _npsum(c.draw_share, K)  # of capex funded by capex-linked draws
    cdef bint dd_blocked
    # collateral
    cdef bint watch, sell, liq_now, release, has_coll
    cdef double crypto, coll, ltv, crypto_sale, liq_cash, reserve_cash
    # cfads
    cdef bint has_ds, matured
    cdef double base, rate, sum_int, ebitda, taxable, tax, cfads, sum_sp, ds, dscr, sale, cash
    cdef double injection, refi_now, bln, reg
    cdef bint refi_any = _any_on(c.refi_on, K)  # a tranche refinances: else none of it runs
    # swap
    cdef double swap_owing = 0.0, swap_settle, swap_brk, swap_in, swap_pay, swap_df, swap_lost
    cdef bint swap_done = False
    cdef Py_ssize_t u
    # construction
    cdef double tsy = c.treasury_initial, tsy_income, tsy_capex, tsy_draw, tsy_hold
    cdef bint building = False, cap_build = False
    cdef double tsy_share = 1.0 - dd_share  # of capex the reserve pays
    cdef Py_ssize_t cx_end = 0  # after the last period with capex (set in period 0)
    # interest
    cdef double gowed, unpaid
    # principal
    cdef double gdue
    cdef bint controlling
    # proceeds
    cdef double mandatory
    # dsra
    cdef double target, top, excess
    # covenants
    cdef double scf, sds, test
    cdef bint has_debt, owing, lock, ddef, ltvb, pdef, dflt, go_accel, accel, sweep_all, trap_mode
    # sweep
    cdef double swept, s_k
    # lockup
    cdef bint hold, cured
    # distribution
    cdef bint ends

    for k in range(K):
        bal[k] = c.notional[k]
        arrears[k] = 0.0
        cfee[k] = 0.0
        refi_amt[k] = -1.0
        refi_sp[k] = 0.0

    for t in range(T):
        alive = not dead
        # the SPV's last period: the horizon's, or the planned sale of its assets (the sale
        # winds it up: reserves released, all debt due, what is left unpaid written off)
        last = t == T - 1 or (alive and proc[t] > EPS)
        live = 1.0 if alive else 0.0
        flags = 0
        debt_open = _npsum(bal, K)
        for g in range(G):
            s = c.group_start[g]
            e = c.group_start[g + 1]
            open_group[g] = _npsum(bal + s, e - s)

        # 1. Delayed draws
        if c.steps & 1:
            if t == 0:
                for k in range(K):
                    undrawn[k] = c.commitment[k] - c.notional[k] if c.draw_amort[k] else 0.0
                    for j in range(T):
                        sched_w[k * T + j] = 0.0 if c.draw_amort[k] else sched[k * T + j]
                    if c.draw_amort[k]:
                        _add_draw_schedule(c, k, 0, c.notional[k], sched_w)
                sched = sched_w
            dd_made = 0.0
            dd_blocked = t > 0 and ((not alive) or accel_t >= 0 or dflt)
            for k in range(K):
                dd_got = 0.0
                if c.draw_amort[k] and t < c.draw_end[k]:
                    if c.draw_share[k] > 0.0:
                        dd_amt = _min(c.draw_share[k] * capex[t], undrawn[k])
                    else:
                        dd_amt = c.draw_amount[k * T + t]
                    if dd_amt > 0.0 and not dd_blocked:
                        dd_got = dd_amt
                        if c.max_advance[k] > 0.0:
                            dd_got = _min(dd_amt, _max0(c.max_advance[k] * av[t] - (debt_open + dd_made)))
                        if dd_got > 0.0:
                            bal[k] += dd_got
                            dd_made += dd_got
                            _add_draw_schedule(c, k, t, dd_got, sched_w)
                    undrawn[k] -= dd_got
                    cfee[k] = c.commitment_fee_rate[k] * undrawn[k] * yf[k * T + t]
                else:
                    undrawn[k] = 0.0
                    cfee[k] = 0.0
                c.o_drawn[okt + k * T + t] = dd_got
                c.o_undrawn[okt + k * T + t] = undrawn[k]
                c.o_commitment_fee[okt + k * T + t] = cfee[k]
            dd_eq = c.draw_capex[t] * live + dd_share * capex[t] * live - dd_made
            if dd_made > 0.0:
                debt_open = _npsum(bal, K)
                for g in range(G):
                    s = c.group_start[g]
                    e = c.group_start[g + 1]
                    open_group[g] = _npsum(bal + s, e - s)
        else:
            dd_eq = 0.0
            # (its three outputs are zeroed once a call, in waterfall(); the Monte Carlo never reads them)

        # 2. Collateral and reserves
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

        # 3. CFADS
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

        # 4. Interest-rate swap
        if c.steps & 8:
            swap_settle = 0.0
            swap_brk = 0.0
            if alive and not swap_done:
                if (accel_t >= 0 and t > accel_t) or (t > 0 and debt_open <= EPS):
                    swap_df = 1.0
                    for u in range(t, T):
                        swap_df = swap_df / (1.0 + br[t] * c.period_years)
                        swap_brk += (br[t] * c.swap_float_accrual[u] - c.swap_fixed_leg[u]) * swap_df
                    swap_done = True
                else:
                    swap_settle = br[t] * c.swap_float_accrual[t] - c.swap_fixed_leg[t]
                    ds = ds - swap_settle
                    has_ds = ds - bln > EPS
                    dscr = cfads / (ds - bln) if has_ds else NAN
            swap_in = _max0(swap_settle) + _max0(swap_brk)
            cash += swap_in
            swap_owing += _max0(-swap_settle) + _max0(-swap_brk)
            swap_pay = _min(cash, swap_owing)
            cash -= swap_pay
            swap_owing -= swap_pay
            swap_lost = 0.0
            if release:
                swap_lost = swap_owing
                swap_owing = 0.0
            c.o_swap_cash[o + t] = swap_in - swap_pay
            c.o_swap_breakage[o + t] = swap_brk
            c.o_swap_arrears[o + t] = swap_owing
            c.o_swap_writeoff[o + t] = swap_lost
        else:
            c.o_swap_cash[o + t] = 0.0
            c.o_swap_breakage[o + t] = 0.0
            c.o_swap_arrears[o + t] = 0.0
            c.o_swap_writeoff[o + t] = 0.0

        # 5. Construction
        if c.steps & 16:
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
        else:
            c.o_treasury_balance[o + t] = 0.0
            c.o_treasury_income[o + t] = 0.0
            c.o_capex_paid[o + t] = 0.0
            c.o_treasury_draw[o + t] = 0.0

        # 6. Interest
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

        # 7. Scheduled principal
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

        # 8. Proceeds
        mandatory = _min(cash, sale)
        if mandatory != 0.0:
            cash = cash - mandatory + _prepay(c, mandatory, bal, ppaid)

        # 9. DSRA
        if c.steps & 256:
            target = c.dsra_target[t] if (_npsum(bal, K) > EPS and not release) else 0.0
            top = _min(cash, target - dsra) if dsra < target else 0.0
            cash -= top
            dsra += top
            excess = _max0(dsra - target)
            dsra -= excess
            cash += excess

        # 10. Covenants
        hist_cf[t] = 0.0 if building else cfads
        hist_ds[t] = 0.0 if building else ds - bln  # scheduled: balloons are not tested
        lo = t - c.lookback + 1
        if lo < 0:
            lo = 0
        j = t + 1 - lo
        if j < 0:
            j = 0
        scf = _npsum(hist_cf + lo, j)
        sds = _npsum(hist_ds + lo, j)
        test = scf / sds if sds > EPS else NAN
        has_debt = alive and debt_open > EPS
        # the DSCR is tested only while debt is still owed after this period's payments and
        # proceeds (a sale that repays the debt in full is a repayment, not a breach)
        owing = alive and (not building) and _npsum(bal, K) > EPS
        lock = owing and c.lockup_dscr > 0 and test < c.lockup_dscr
        ddef = owing and c.default_dscr > 0 and test < c.default_dscr
        ltvb = has_debt and (not building) and c.ltv_max > 0 and ((not has_coll) or debt_open > c.ltv_max * coll)
        pdef = has_debt and controlling
        dflt = ddef or pdef
        go_accel = ((dflt and c.default_action == ACCELERATE)
                    or (ltvb and c.ltv_action == ACCELERATE))
        if go_accel and accel_t < 0 and not release:
            accel_t = t
        accel = alive and accel_t >= 0 and not liq_now
        sweep_all = (accel or liq_now or (dflt and c.default_action == SWEEP)
                     or (lock and c.lockup_action == SWEEP) or (ltvb and c.ltv_action == SWEEP))
        trap_mode = (not sweep_all) and (not release) and (
            (lock and c.lockup_action == TRAP) or (ltvb and c.ltv_action == TRAP))
        if lock:
            flags |= FLAG_LOCKUP
        if ddef:
            flags |= FLAG_DSCR_DEFAULT
        if ltvb:
            flags |= FLAG_LTV_BREACH
        if pdef:
            flags |= FLAG_PAYMENT_DEFAULT
        if accel:
            flags |= FLAG_ACCELERATED

        # 11. Cash sweep
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

        # 12. Lock-up account
        hold = trap_mode or (_npsum(shortv, K) > EPS and not release)
        if hold:
            trap += cash
            cash = 0.0
        cured = (not hold) and (not lock) and (not ltvb) and (not sweep_all)
        if cured:
            cash += trap
            trap = 0.0

        # 13. Distribution
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
