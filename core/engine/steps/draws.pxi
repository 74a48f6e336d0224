# Step "draws" (delayed-draw term loans, core/engine/draws.py): at the start of each period a
# delayed-draw tranche draws its scheduled amount, unless the facility is in default (an
# acceleration, or last period's DSCR or payment default) or, with a maximum advance, the
# borrowing base cuts it (the deal's debt after the draw may not exceed max_advance x the
# market value of the delivered collateral); each draw adds its own amortisation schedule;
# the undrawn commitment bears the commitment fee (with the interest) until the availability
# period ends, when it lapses. The GPUs delivered with the draws are paid by them, the rest by
# equity (an injection). A tranche linked to capex (draw_share > 0) draws its share of the
# path's capex this period, within its undrawn commitment; the debt share of capex it does not
# fund is equity's too.
# @declare
cdef double dd_amt, dd_got, dd_made, dd_eq
cdef double dd_share = _npsum(c.draw_share, K)  # of capex funded by capex-linked draws
cdef bint dd_blocked
# @period
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
# @skipped
dd_eq = 0.0
# (its three outputs are zeroed once a call, in waterfall(); the Monte Carlo never reads them)
