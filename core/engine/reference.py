"""Pure-NumPy reference implementation of the period-by-period waterfall.

This is the executable specification of the engine (``docs/engine.md`` explains it in words).
It is vectorised over paths and loops over periods and seniority groups. The Cython kernel
``core/engine/_waterfall.pyx`` implements the same steps path by path and must agree with this
module to 1e-9 relative on every output; tests check that over many random deals. Production
code uses the kernel; this module is selected only when asked for (``engine="reference"``).

Each period runs the steps of :data:`core.engine.steps.WATERFALL`, in that order, one function
here per step (``STEPS``); they share the path state and the period's values in a
:class:`_State`:
 0. draws (delayed-draw tranches only): each scheduled draw is made at the start of its
    period unless the facility is in default (acceleration, last period's DSCR or payment
    default) or the borrowing base (max advance x delivered collateral value) cuts it; each
    draw adds its own schedule; the undrawn commitment bears the commitment fee (in the
    interest) until the availability period ends; equity pays the delivered GPUs' cost the
    draws do not (an injection);
 1. collateral: crypto margin call / sale on the opening LTV; forced sale of the collateral
    once an acceleration has run its liquidation lag; reserves released in the last period
    and on liquidation;
 2. CFADS: revenue - operating costs - senior fees - tax; a negative cash position is covered
    by an equity injection;
 2a. interest-rate swaps: the net settlement (base rate on the floating leg against the fixed
    leg) is received, or paid ahead of the debt (unpaid: swap arrears), and counts in the debt
    service; in the first period after an acceleration, or once the debt is repaid, the swap is
    terminated at its breakage value (the remaining settlements at that period's base rate,
    discounted at it); swap arrears left when the cash ends are written off;
 2b. construction: the Treasury (proceeds) reserve earns its yield and pays the capex (the
    share capex-linked draws do not fund; what it cannot pay, equity injects); while building
    it pays the period's interest, or the interest is capitalised (interest step); from
    completion what is left joins the cash, less the capex still to come (a late completion);
    in the last period or on liquidation, all of it;
 3. interest (current + arrears) by seniority, pro rata within a rank; shortfalls draw the DSRA,
    then capitalise (PIK tranches) or fall into arrears; while building with capitalised
    interest, what the cash does not pay is capitalised on every tranche (no DSRA draw);
 4. scheduled principal by seniority (everything at maturity and in the last period), drawing
    the DSRA when short; unpaid principal stays outstanding and is recorded as a shortfall;
 5. sale, liquidation and crypto proceeds prepay debt in order of seniority;
 6. DSRA top-up to target (or release of any excess);
 7. covenant tests on the trailing DSCR window and the LTV: lock-up traps or sweeps cash, a
    DSCR default or payment default accelerates or sweeps, an LTV breach traps, sweeps or
    accelerates;
 8. cash sweep (per-tranche percentage, or everything when a sweep/acceleration is in force);
 9. lock-up account: trap, or release once the tests pass again; while any class has a
    shortfall (unpaid interest or scheduled principal) nothing is released and any cash left
    (e.g. trapped cash released to an acceleration sweep that repaid all principal) is held
    in the account, so equity is never paid while a debt class is short;
10. what is left is distributed to equity; on liquidation and in the last period any balance
    still outstanding (with its interest arrears) is written off as a loss.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from core.engine.arrays import (
    ACCELERATE,
    FLAG_ACCELERATED,
    FLAG_CRYPTO_SOLD,
    FLAG_DSCR_DEFAULT,
    FLAG_LIQUIDATED,
    FLAG_LOCKUP,
    FLAG_LTV_BREACH,
    FLAG_MARGIN_CALL,
    FLAG_PAYMENT_DEFAULT,
    SWEEP,
    TRAP,
    EngineInputs,
    EngineOutputs,
)
from core.engine.constants import EPS
from core.engine.draws import add_draw_schedule
from core.engine.steps import WATERFALL


class _State(SimpleNamespace):
    """Path state carried across periods (vectors over paths) and the period's values, which
    each step reads from the steps before it (the same names as the kernel's locals)."""

    inp: EngineInputs
    out: EngineOutputs


def run_reference(inp: EngineInputs) -> EngineOutputs:
    """Run the waterfall for every path in ``inp``; see the module docstring for the steps."""
    P, K, T = inp.n_paths, inp.n_tranches, inp.n_periods
    s = _State(
        inp=inp,
        out=EngineOutputs.empty(P, K, T),
        P=P,
        K=K,
        T=T,
        groups=[
            (int(inp.group_start[g]), int(inp.group_start[g + 1]))
            for g in range(len(inp.group_start) - 1)
        ],
        floating=inp.floating.astype(bool),
        pik=inp.pik.astype(bool),
        bal=np.tile(inp.notional.astype(float), (P, 1)),
        arrears=np.zeros((P, K)),
        dsra=np.full(P, float(inp.dsra_initial)),
        trap=np.zeros(P),
        accel_t=np.full(P, -1),
        dead=np.zeros(P, dtype=bool),
        crypto_held=np.ones(P, dtype=bool),
        hist_cf=np.zeros((P, T)),
        hist_ds=np.zeros((P, T)),
        lag=max(int(inp.liquidation_lag), 1),
        swap_float=_zeros_if_none(inp.swap_float_accrual, T),
        swap_fixed=_zeros_if_none(inp.swap_fixed_leg, T),
        swap_owing=np.zeros(P),
        swap_done=np.zeros(P, dtype=bool),
        build=_zeros_if_none(inp.build, T),
        capex=np.broadcast_to(_zeros_if_none(inp.capex, T), (P, T)),
        cx_end=np.array(
            [_capex_end(row) for row in np.broadcast_to(_zeros_if_none(inp.capex, T), (P, T))]
        ),  # fmt: skip
        dd_share=float(np.sum(_zeros_if_none(inp.draw_share, K))),
        tsy=np.full(P, float(inp.treasury_initial)),
        dflt=np.zeros(P, dtype=bool),
        cfee=np.zeros((P, K)),
        dd_eq=np.zeros(P),
        refi=refi_terms(inp, K, T),
        refi_amt=np.full((P, K), -1.0),  # amount refinanced at maturity; -1: not (yet)
        refi_sp=np.zeros((P, K)),  # the new tranche's spread set at refinancing (fixed: rate)
    )
    steps = [STEPS[step.name] for step in WATERFALL]
    for t in range(T):
        s.t = t
        s.alive = ~s.dead
        # the SPV's last period: the horizon's, or the planned sale of its assets (the sale
        # winds it up: reserves released, all debt due, what is left unpaid written off)
        s.last = (t == T - 1) | (s.alive & (_col(s, inp.proceeds) > EPS))
        s.live = s.alive.astype(float)
        s.flags = np.zeros(P, dtype=np.int32)
        s.debt_open = s.bal.sum(axis=1)
        s.open_group = [s.bal[:, a:b].sum(axis=1) for a, b in s.groups]
        for step in steps:
            step(s)
    return s.out


def _capex_end(capex: np.ndarray) -> int:
    """One after the last period with capex (0: none)."""
    nz = np.flatnonzero(capex != 0.0)
    return int(nz[-1]) + 1 if len(nz) else 0


def _zeros_if_none(a: np.ndarray | None, T: int) -> np.ndarray:
    return np.zeros(T) if a is None else np.asarray(a, dtype=float)


def refi_terms(inp: EngineInputs, K: int, T: int) -> SimpleNamespace:
    """The refinancing inputs, zeros where the deal has none (as the kernel reads them)."""

    def get(name: str, shape: tuple[int, ...], dtype: type = float) -> np.ndarray:
        a = getattr(inp, name)
        return np.zeros(shape, dtype=dtype) if a is None else np.asarray(a, dtype=dtype)

    return SimpleNamespace(
        on=get("refi_on", (K,), int).astype(bool),
        fixed=get("refi_fixed", (K,), int).astype(bool),
        maturity=get("refi_maturity", (K,), int),
        spread=get("refi_spread", (K,)),
        advance=get("refi_advance", (K,)),
        dscr=get("refi_dscr", (K,)),
        schedule=get("refi_schedule", (K, T)),
        cfads=get("refi_cfads", (T,)),
        revenue=get("refi_revenue", (T,)),
        cut=get("refi_advance_cut", (1, T)),
        add=get("refi_spread_add", (1, T)),
    )


def refi_size(inp: EngineInputs, r: SimpleNamespace, k: int, t: int, due: float, p: int) -> float:
    """What tranche ``k``'s refinancing raises at its maturity ``t`` on path ``p`` (the
    kernel's ``_refi_size``; docs/engine.md, "Refinancing"): the DSCR test on the base case's
    contracted CFADS scaled by the path's revenue at maturity against the base case's."""
    T = inp.n_periods
    cut = float(r.cut[min(p, r.cut.shape[0] - 1), t])
    if cut >= 1.0:
        return 0.0
    cap = due
    if r.advance[k] > 0.0:
        value = float(inp.asset_value[min(p, inp.asset_value.shape[0] - 1), t])
        cap = min(cap, min(float(r.advance[k]), 1.0 - cut) * value)
    if r.dscr[k] > 0.0:
        add = float(r.add[min(p, r.add.shape[0] - 1), t])
        rate = float(inp.base_rate[min(p, inp.base_rate.shape[0] - 1), t]) + r.spread[k] + add
        rev_t = float(inp.revenue[min(p, inp.revenue.shape[0] - 1), t])
        scale = rev_t / r.revenue[t] if r.revenue[t] > EPS else 1.0
        out = 1.0
        for u in range(t + 1, min(int(r.maturity[k]), T - 1) + 1):
            cf = r.cfads[u] * scale
            ds = out * rate * inp.year_fraction[k, u] + r.schedule[k, u]
            if ds > EPS:
                cap = min(cap, max(cf, 0.0) / (r.dscr[k] * ds))
            out = out - r.schedule[k, u]
    return max(cap, 0.0)


def _col(s: _State, a: np.ndarray) -> np.ndarray:
    """Period ``s.t`` of a per-path input, broadcast to every path."""
    return np.broadcast_to(a[:, s.t], (s.P,))


def _prepay(s: _State, amount: np.ndarray) -> np.ndarray:
    """Repay debt in order of seniority (pro rata within a rank); returns what is unused."""
    amount = amount.copy()
    for a, b in s.groups:
        gb = s.bal[:, a:b].sum(axis=1)
        pay = np.minimum(amount, gb)
        frac = np.where(gb > EPS, pay / np.where(gb > EPS, gb, 1.0), 0.0)
        paid = s.bal[:, a:b] * frac[:, None]
        s.bal[:, a:b] -= paid
        s.out.principal_paid[:, a:b, s.t] += paid
        amount -= pay
    return amount


def _flag(mask: np.ndarray, bit: int) -> np.ndarray:
    return np.where(mask, bit, 0).astype(np.int32)


def draws(s: _State) -> None:
    inp, t, K = s.inp, s.t, s.K
    if inp.draw_amort is None or not np.any(np.asarray(inp.draw_amort) != 0):
        return  # the kernel skips the step: nothing drawn, no fee, no equity share
    amort = np.asarray(inp.draw_amort)
    if t == 0:
        base = np.asarray(inp.scheduled_principal, dtype=float)
        s.sched = np.where(amort[:, None] != 0, 0.0, base)[None].repeat(s.P, axis=0)
        s.undrawn = np.tile(np.where(amort != 0, inp.commitment - inp.notional, 0.0), (s.P, 1))
        for k in np.flatnonzero(amort):
            for p in range(s.P):
                add_draw_schedule(s.sched[p, k], *_draw_terms(inp, k, 0), inp.notional[k])
    made = np.zeros(s.P)
    blocked = (t > 0) & (~s.alive | (s.accel_t >= 0) | s.dflt)
    av = _col(s, inp.asset_value)
    share = _zeros_if_none(inp.draw_share, K)
    for k in range(K):
        got = np.zeros(s.P)
        if amort[k] and t < inp.draw_end[k]:
            if share[k] > 0.0:  # linked to capex: its share of the path's capex, within the undrawn
                amt = np.minimum(share[k] * s.capex[:, t], s.undrawn[:, k])
            else:
                amt = np.full(s.P, float(inp.draw_amount[k, t]))
            if (amt > 0.0).any():
                got = np.where(blocked | (amt <= 0.0), 0.0, amt)
                if inp.max_advance[k] > 0.0:
                    room = np.maximum(inp.max_advance[k] * av - (s.debt_open + made), 0.0)
                    got = np.where(blocked | (amt <= 0.0), 0.0, np.minimum(amt, room))
                s.bal[:, k] += got
                made = made + got
                for p in np.flatnonzero(got > 0.0):
                    add_draw_schedule(s.sched[p, k], *_draw_terms(inp, k, t), got[p])
            s.undrawn[:, k] -= got
            s.cfee[:, k] = inp.commitment_fee_rate[k] * s.undrawn[:, k] * inp.year_fraction[k, t]
        else:
            s.undrawn[:, k] = 0.0
            s.cfee[:, k] = 0.0
        s.out.drawn[:, k, t] = got
        s.out.undrawn[:, k, t] = s.undrawn[:, k]
        s.out.commitment_fee[:, k, t] = s.cfee[:, k]
    s.dd_eq = inp.draw_capex[t] * s.live + s.dd_share * s.capex[:, t] * s.live - made
    moved = made > 0.0
    s.debt_open = np.where(moved, s.bal.sum(axis=1), s.debt_open)
    s.open_group = [
        np.where(moved, s.bal[:, a:b].sum(axis=1), og)
        for (a, b), og in zip(s.groups, s.open_group, strict=True)
    ]


def _draw_terms(inp: EngineInputs, k: int, t: int) -> tuple[int, int, int, float]:
    """(start, maturity, amortisation code, annuity rate) of tranche ``k``'s draw in ``t``."""
    first = 0 if inp.draw_first is None else int(inp.draw_first[k])
    return (
        max(t + int(inp.draw_io[k]), first),
        int(inp.draw_maturity[k, t]),
        int(inp.draw_amort[k]),
        float(inp.draw_rate[k, t]),
    )


def collateral(s: _State) -> None:
    inp, P = s.inp, s.P
    crypto = np.where(s.crypto_held & s.alive, _col(s, inp.crypto_value), 0.0)
    s.coll = _col(s, inp.asset_value) * s.live + crypto
    s.has_coll = s.coll > EPS
    s.ltv = np.where(s.has_coll, s.debt_open / np.where(s.has_coll, s.coll, 1.0), np.nan)
    s.crypto_sale = np.zeros(P)
    if inp.margin_call_ltv > 0:
        watch = (crypto > EPS) & (s.debt_open > EPS)
        s.flags |= _flag(watch & (s.debt_open > inp.margin_call_ltv * s.coll), FLAG_MARGIN_CALL)
        sell = watch & (s.debt_open > inp.crypto_liquidation_ltv * s.coll)
        s.crypto_sale = np.where(sell, crypto, 0.0)
        s.crypto_held &= ~sell
        s.flags |= _flag(sell, FLAG_CRYPTO_SOLD)
    s.liq_now = s.alive & (s.accel_t >= 0) & (s.t >= s.accel_t + s.lag)
    s.liq_cash = np.where(
        s.liq_now,
        _col(s, inp.liquidation_value) + np.where(s.crypto_held, _col(s, inp.crypto_value), 0.0),
        0.0,
    )
    s.crypto_held &= ~s.liq_now
    s.flags |= _flag(s.liq_now, FLAG_LIQUIDATED)
    s.release = s.last | s.liq_now
    s.reserve_cash = np.where(s.release, s.dsra + s.trap, 0.0)
    s.dsra = np.where(s.release, 0.0, s.dsra)
    s.trap = np.where(s.release, 0.0, s.trap)


def cfads(s: _State) -> None:
    inp, t = s.inp, s.t
    rate = np.where(s.floating, _col(s, inp.base_rate)[:, None] + inp.spread, inp.fixed_rate)
    refinanced = s.refi_amt >= 0.0
    new = np.where(s.refi.fixed, 0.0, _col(s, inp.base_rate)[:, None]) + s.refi_sp
    rate = np.where(refinanced, new, rate)
    s.int_cur = s.bal * rate * inp.year_fraction[:, t] + s.cfee
    ebitda = (_col(s, inp.revenue) - _col(s, inp.opex) - _col(s, inp.fees)) * s.live
    taxable = ebitda - inp.depreciation[t] * s.live - s.int_cur.sum(axis=1)
    s.tax = inp.tax_rate * np.maximum(taxable, 0.0)
    s.cfads = ebitda - s.tax
    matured = (t >= inp.maturity)[None, :] | s.last[:, None]
    sched = s.sched[:, :, t] if hasattr(s, "sched") else inp.scheduled_principal[:, t]
    s.reg = np.minimum(sched, s.bal)  # the schedule's principal: what is not a balloon
    s.sp_due = np.where(matured, s.bal, s.reg)
    s.matured = np.broadcast_to(matured, s.bal.shape).copy()
    _refinance(s, refinanced)
    s.ds = s.int_cur.sum(axis=1) + s.sp_due.sum(axis=1)
    # a balloon or bullet (due at final maturity or in the last period beyond the schedule)
    # is in the debt service, not in the DSCR (docs/engine.md, "DSCR")
    s.bln = np.where(s.matured, np.maximum(s.sp_due - s.reg, 0.0), 0.0).sum(axis=1)
    has_ds = s.ds - s.bln > EPS
    s.dscr = np.where(has_ds, s.cfads / np.where(has_ds, s.ds - s.bln, 1.0), np.nan)
    s.sale = _col(s, inp.proceeds) * s.live + s.crypto_sale + s.liq_cash
    cash = s.cfads + s.sale + s.reserve_cash
    s.injection = np.maximum(-cash, 0.0) + s.dd_eq
    s.cash = np.maximum(cash, 0.0)


def _refinance(s: _State, refinanced: np.ndarray) -> None:
    """Part of step cfads: the refinanced tranches' schedule, and the refinancing of a balloon
    at its maturity (docs/engine.md, "Refinancing")."""
    inp, t, r = s.inp, s.t, s.refi
    s.refi_now = np.zeros(s.P)
    if not r.on.any() and not refinanced.any():
        return
    reg_new = np.minimum(s.refi_amt * r.schedule[:, t], s.bal)
    matured_new = np.broadcast_to((t >= r.maturity)[None, :] | s.last[:, None], s.bal.shape)
    s.sp_due = np.where(refinanced, np.where(matured_new, s.bal, reg_new), s.sp_due)
    s.reg = np.where(refinanced, reg_new, s.reg)
    s.matured = np.where(refinanced, matured_new, s.matured)
    for k in np.flatnonzero(r.on & (inp.maturity == t)):
        for p in range(s.P):
            if s.last[p] or refinanced[p, k] or s.dead[p] or s.accel_t[p] >= 0:
                continue
            amount = refi_size(inp, r, int(k), t, float(s.bal[p, k]), p)
            if amount > EPS:
                s.refi_amt[p, k] = amount
                s.refi_sp[p, k] = r.spread[k] + r.add[min(p, r.add.shape[0] - 1), t]
                if r.fixed[k]:  # fixed for its life: the base rate at maturity + spread
                    s.refi_sp[p, k] += inp.base_rate[min(p, inp.base_rate.shape[0] - 1), t]
                s.sp_due[p, k] = s.bal[p, k] - amount
                s.refi_now[p] += amount


def swap(s: _State) -> None:
    inp, t, P = s.inp, s.t, s.P
    br = _col(s, inp.base_rate)
    open_ = s.alive & ~s.swap_done
    ends = open_ & (((s.accel_t >= 0) & (t > s.accel_t)) | ((t > 0) & (s.debt_open <= EPS)))
    brk = np.zeros(P)
    if ends.any():
        df = np.ones(P)
        for u in range(t, s.T):
            df = df / (1.0 + br * inp.period_years)
            brk += (br * s.swap_float[u] - s.swap_fixed[u]) * df
        brk = np.where(ends, brk, 0.0)
    s.swap_done |= ends
    settles = open_ & ~ends
    settle = np.where(settles, br * s.swap_float[t] - s.swap_fixed[t], 0.0)
    s.ds = np.where(settles, s.ds - settle, s.ds)
    sched_ds = s.ds - s.bln
    has_ds = sched_ds > EPS
    s.dscr = np.where(
        settles, np.where(has_ds, s.cfads / np.where(has_ds, sched_ds, 1.0), np.nan), s.dscr
    )
    swap_in = np.maximum(settle, 0.0) + np.maximum(brk, 0.0)
    s.cash = s.cash + swap_in
    s.swap_owing = s.swap_owing + (np.maximum(-settle, 0.0) + np.maximum(-brk, 0.0))
    pay = np.minimum(s.cash, s.swap_owing)
    s.cash = s.cash - pay
    s.swap_owing = s.swap_owing - pay
    lost = np.where(s.release, s.swap_owing, 0.0)
    s.swap_owing = np.where(s.release, 0.0, s.swap_owing)
    s.out.swap_cash[:, t] = swap_in - pay
    s.out.swap_breakage[:, t] = brk
    s.out.swap_arrears[:, t] = s.swap_owing
    s.out.swap_writeoff[:, t] = lost


def construction(s: _State) -> None:
    inp, t = s.inp, s.t
    s.building = bool(s.build[t] != 0.0)
    s.cap_build = s.building and inp.idc_capitalised != 0
    income = s.tsy * inp.treasury_yield
    share = 1.0 - s.dd_share  # of capex the reserve pays (the rest: capex-linked draws)
    due = s.capex[:, t] * share
    capex = np.minimum(due, s.tsy + income)
    s.tsy = s.tsy + income - capex
    s.injection = s.injection + (due - capex) * s.live  # what the reserve cannot pay
    if s.building:
        pays = ~s.release & (not s.cap_build)
        draw = np.where(s.release, s.tsy, np.where(pays, np.minimum(s.tsy, s.int_cur.sum(1)), 0.0))
        s.dscr = np.full(s.P, np.nan)
    else:  # capex still to come (a late completion): the reserve holds it
        hold = np.zeros(s.P)
        for p in range(s.P):
            for u in range(t + 1, int(s.cx_end[p])):
                hold[p] += s.capex[p, u] * share
        late = ~s.release & (t + 1 < s.cx_end)
        draw = np.where(late, s.tsy - np.minimum(s.tsy, hold), s.tsy)
    s.tsy = s.tsy - draw
    s.cash = s.cash + draw
    s.out.treasury_balance[:, t] = s.tsy
    s.out.treasury_income[:, t] = income
    s.out.capex_paid[:, t] = capex
    s.out.treasury_draw[:, t] = draw


def _pay_group(s: _State, due: np.ndarray, dsra: bool = True) -> np.ndarray:
    """Pay a rank's ``due`` (paths x tranches of the rank) from cash, then (``dsra``) the DSRA;
    returns the share of each path's due that was paid."""
    gdue = due.sum(axis=1)
    pay = np.minimum(s.cash, gdue)
    s.cash -= pay
    draw = np.minimum(s.dsra, gdue - pay) if dsra else np.zeros(s.P)
    s.dsra -= draw
    return np.where(
        gdue > EPS, np.minimum((pay + draw) / np.where(gdue > EPS, gdue, 1.0), 1.0), 1.0
    )


def interest(s: _State) -> None:
    out, t = s.out, s.t
    for a, b in s.groups:
        owed = s.int_cur[:, a:b] + s.arrears[:, a:b]
        paid = owed * _pay_group(s, owed, not s.cap_build)[:, None]
        unpaid = owed - paid
        out.interest_paid[:, a:b, t] = paid
        gp = s.pik[a:b] | s.cap_build
        s.bal[:, a:b] += np.where(gp, unpaid, 0.0)
        out.pik[:, a:b, t] = np.where(gp, unpaid, 0.0)
        s.arrears[:, a:b] = np.where(gp, 0.0, unpaid)


def principal(s: _State) -> None:
    unpaid_principal = np.zeros((s.P, s.K))
    for a, b in s.groups:
        due = s.sp_due[:, a:b]
        paid = due * _pay_group(s, due)[:, None]
        s.bal[:, a:b] -= paid
        s.out.principal_paid[:, a:b, s.t] += paid
        unpaid_principal[:, a:b] = due - paid
    s.shortfall = s.arrears + unpaid_principal
    # payment default: the most senior rank outstanding at the start of the period is short
    s.controlling = np.zeros(s.P, dtype=bool)
    found = np.zeros(s.P, dtype=bool)
    for g, (a, b) in enumerate(s.groups):
        outstanding = ~found & (s.open_group[g] > EPS)
        s.controlling |= outstanding & (s.shortfall[:, a:b].sum(axis=1) > EPS)
        found |= outstanding


def proceeds(s: _State) -> None:
    mandatory = np.minimum(s.cash, s.sale)
    s.cash = s.cash - mandatory + _prepay(s, mandatory)


def dsra(s: _State) -> None:
    target = np.where((s.bal.sum(axis=1) > EPS) & ~s.release, s.inp.dsra_target[s.t], 0.0)
    top = np.where(s.dsra < target, np.minimum(s.cash, target - s.dsra), 0.0)
    s.cash -= top
    s.dsra += top
    excess = np.maximum(s.dsra - target, 0.0)
    s.dsra -= excess
    s.cash += excess


def covenants(s: _State) -> None:
    inp, t = s.inp, s.t
    s.hist_cf[:, t] = 0.0 if s.building else s.cfads
    s.hist_ds[:, t] = 0.0 if s.building else s.ds - s.bln  # balloons are not tested
    lo = max(0, t - int(inp.lookback) + 1)
    scf = s.hist_cf[:, lo : t + 1].sum(axis=1)
    sds = s.hist_ds[:, lo : t + 1].sum(axis=1)
    s.test = np.where(sds > EPS, scf / np.where(sds > EPS, sds, 1.0), np.nan)
    has_debt = s.alive & (s.debt_open > EPS)
    # the DSCR is tested only while debt is still owed after this period's payments and
    # proceeds (a sale that repays the debt in full is a repayment, not a breach)
    owing = s.alive & (not s.building) & (s.bal.sum(axis=1) > EPS)
    s.lock = owing & (inp.lockup_dscr > 0) & (s.test < inp.lockup_dscr)
    ddef = owing & (inp.default_dscr > 0) & (s.test < inp.default_dscr)
    s.ltvb = (
        has_debt
        & (not s.building)
        & (inp.ltv_max > 0)
        & (~s.has_coll | (s.debt_open > inp.ltv_max * s.coll))
    )
    pdef = has_debt & s.controlling
    default = ddef | pdef
    s.dflt = default
    go_accel = (default & (inp.default_action == ACCELERATE)) | (
        s.ltvb & (inp.ltv_action == ACCELERATE)
    )
    s.accel_t = np.where(go_accel & (s.accel_t < 0) & ~s.release, t, s.accel_t)
    s.accel = s.alive & (s.accel_t >= 0) & ~s.liq_now
    s.sweep_all = (
        s.accel
        | s.liq_now
        | (default & (inp.default_action == SWEEP))
        | (s.lock & (inp.lockup_action == SWEEP))
        | (s.ltvb & (inp.ltv_action == SWEEP))
    )
    s.trap_mode = (
        ~s.sweep_all
        & ~s.release
        & ((s.lock & (inp.lockup_action == TRAP)) | (s.ltvb & (inp.ltv_action == TRAP)))
    )
    s.flags |= (
        _flag(s.lock, FLAG_LOCKUP)
        | _flag(ddef, FLAG_DSCR_DEFAULT)
        | _flag(s.ltvb, FLAG_LTV_BREACH)
        | _flag(pdef, FLAG_PAYMENT_DEFAULT)
        | _flag(s.accel, FLAG_ACCELERATED)
    )


def sweep(s: _State) -> None:
    inp = s.inp
    s.cash += np.where(s.accel, s.trap, 0.0)
    s.trap = np.where(s.accel, 0.0, s.trap)
    swept = np.where(s.sweep_all, s.cash, 0.0)
    s.cash = s.cash - swept + _prepay(s, swept)
    for k in range(s.K):
        if inp.sweep_pct[k] > 0:
            s_k = np.where(s.sweep_all, 0.0, np.minimum(s.cash * inp.sweep_pct[k], s.bal[:, k]))
            s.bal[:, k] -= s_k
            s.out.principal_paid[:, k, s.t] += s_k
            s.cash -= s_k


def lockup(s: _State) -> None:
    short = s.shortfall.sum(axis=1) > EPS
    hold = s.trap_mode | (short & ~s.release)
    s.trap += np.where(hold, s.cash, 0.0)
    s.cash = np.where(hold, 0.0, s.cash)
    cured = ~hold & ~s.lock & ~s.ltvb & ~s.sweep_all
    s.cash += np.where(cured, s.trap, 0.0)
    s.trap = np.where(cured, 0.0, s.trap)


def distribution(s: _State) -> None:
    out, t = s.out, s.t
    ends = (s.release | s.last) & s.alive
    wo = np.where(ends[:, None], s.bal + s.arrears, 0.0)
    s.bal = np.where(ends[:, None], 0.0, s.bal)
    s.arrears = np.where(ends[:, None], 0.0, s.arrears)
    s.dead |= s.liq_now | s.last  # liquidated, or wound up by the planned sale
    out.cfads[:, t] = s.cfads
    out.refinanced[:, t] = s.refi_now
    out.tax[:, t] = s.tax
    out.debt_service[:, t] = s.ds
    out.balloon[:, t] = s.bln
    out.dscr[:, t] = s.dscr
    out.dscr_test[:, t] = s.test
    out.ltv[:, t] = s.ltv
    out.proceeds[:, t] = s.sale
    out.injection[:, t] = s.injection
    out.dsra_balance[:, t] = s.dsra
    out.trap_balance[:, t] = s.trap
    out.distribution[:, t] = s.cash
    out.flags[:, t] = s.flags
    out.interest_due[:, :, t] = s.int_cur
    out.shortfall[:, :, t] = s.shortfall
    out.balance[:, :, t] = s.bal
    out.writeoff[:, :, t] = wo


#: one function per step of core.engine.steps.WATERFALL
STEPS: dict[str, Callable[[_State], None]] = {
    "draws": draws,
    "collateral": collateral,
    "cfads": cfads,
    "swap": swap,
    "construction": construction,
    "interest": interest,
    "principal": principal,
    "proceeds": proceeds,
    "dsra": dsra,
    "covenants": covenants,
    "sweep": sweep,
    "lockup": lockup,
    "distribution": distribution,
}
