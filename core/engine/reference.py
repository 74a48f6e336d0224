"""Pure-NumPy reference implementation of the period-by-period waterfall.

This is the executable specification of the engine (``docs/engine.md`` explains it in words).
It is vectorised over paths and loops over periods and seniority groups. The Cython kernel
``core/engine/_waterfall.pyx`` implements the same steps path by path and must agree with this
module to 1e-9 relative on every output; tests check that over many random deals. Production
code uses the kernel; this module is selected only when asked for (``engine="reference"``).

Each period, in order:
 1. collateral: crypto margin call / sale on the opening LTV; forced sale of the collateral
    once an acceleration has run its liquidation lag; reserves released in the last period
    and on liquidation;
 2. revenue - operating costs - senior fees - tax = CFADS; a negative cash position is covered
    by an equity injection;
 3. interest (current + arrears) by seniority, pro rata within a rank; shortfalls draw the DSRA,
    then capitalise (PIK tranches) or fall into arrears;
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

EPS = 1e-9  # USD millions: a thousandth of a dollar


def run_reference(inp: EngineInputs) -> EngineOutputs:
    """Run the waterfall for every path in ``inp``; see the module docstring for the steps."""
    P, K, T = inp.n_paths, inp.n_tranches, inp.n_periods
    out = EngineOutputs.empty(P, K, T)
    groups = [
        (int(inp.group_start[g]), int(inp.group_start[g + 1]))
        for g in range(len(inp.group_start) - 1)
    ]
    floating = inp.floating.astype(bool)
    pik = inp.pik.astype(bool)

    bal = np.tile(inp.notional.astype(float), (P, 1))
    arrears = np.zeros((P, K))
    dsra = np.full(P, float(inp.dsra_initial))
    trap = np.zeros(P)
    accel_t = np.full(P, -1)
    dead = np.zeros(P, dtype=bool)
    crypto_held = np.ones(P, dtype=bool)
    hist_cf = np.zeros((P, T))
    hist_ds = np.zeros((P, T))
    lag = max(int(inp.liquidation_lag), 1)

    def col(a: np.ndarray, t: int) -> np.ndarray:
        return np.broadcast_to(a[:, t], (P,))

    def prepay(amount: np.ndarray, t: int) -> np.ndarray:
        """Repay debt in order of seniority (pro rata within a rank); returns what is unused."""
        amount = amount.copy()
        for s, e in groups:
            gb = bal[:, s:e].sum(axis=1)
            pay = np.minimum(amount, gb)
            frac = np.where(gb > EPS, pay / np.where(gb > EPS, gb, 1.0), 0.0)
            paid = bal[:, s:e] * frac[:, None]
            bal[:, s:e] -= paid
            out.principal_paid[:, s:e, t] += paid
            amount -= pay
        return amount

    for t in range(T):
        last = t == T - 1
        alive = ~dead
        live = alive.astype(float)
        flags = np.zeros(P, dtype=np.int32)
        debt_open = bal.sum(axis=1)
        open_group = [bal[:, s:e].sum(axis=1) for s, e in groups]

        # 1. collateral and reserves
        crypto = np.where(crypto_held & alive, col(inp.crypto_value, t), 0.0)
        coll = col(inp.asset_value, t) * live + crypto
        has_coll = coll > EPS
        ltv = np.where(has_coll, debt_open / np.where(has_coll, coll, 1.0), np.nan)
        crypto_sale = np.zeros(P)
        if inp.margin_call_ltv > 0:
            watch = (crypto > EPS) & (debt_open > EPS)
            flags |= np.where(
                watch & (debt_open > inp.margin_call_ltv * coll), FLAG_MARGIN_CALL, 0
            ).astype(np.int32)
            sell = watch & (debt_open > inp.crypto_liquidation_ltv * coll)
            crypto_sale = np.where(sell, crypto, 0.0)
            crypto_held &= ~sell
            flags |= np.where(sell, FLAG_CRYPTO_SOLD, 0).astype(np.int32)
        liq_now = alive & (accel_t >= 0) & (t >= accel_t + lag)
        liq_cash = np.where(
            liq_now,
            col(inp.liquidation_value, t) + np.where(crypto_held, col(inp.crypto_value, t), 0.0),
            0.0,
        )
        crypto_held &= ~liq_now
        flags |= np.where(liq_now, FLAG_LIQUIDATED, 0).astype(np.int32)
        release = last | liq_now
        reserve_cash = np.where(release, dsra + trap, 0.0)
        dsra = np.where(release, 0.0, dsra)
        trap = np.where(release, 0.0, trap)

        # 2. CFADS
        rate = np.where(floating, col(inp.base_rate, t)[:, None] + inp.spread, inp.fixed_rate)
        int_cur = bal * rate * inp.year_fraction[:, t]
        ebitda = (col(inp.revenue, t) - col(inp.opex, t) - col(inp.fees, t)) * live
        taxable = ebitda - inp.depreciation[t] * live - int_cur.sum(axis=1)
        tax = inp.tax_rate * np.maximum(taxable, 0.0)
        cfads = ebitda - tax
        matured = (t >= inp.maturity) | last
        sp_due = np.where(matured, bal, np.minimum(inp.scheduled_principal[:, t], bal))
        ds = int_cur.sum(axis=1) + sp_due.sum(axis=1)
        has_ds = ds > EPS
        dscr = np.where(has_ds, cfads / np.where(has_ds, ds, 1.0), np.nan)
        sale = col(inp.proceeds, t) * live + crypto_sale + liq_cash
        cash = cfads + sale + reserve_cash
        injection = np.maximum(-cash, 0.0)
        cash = np.maximum(cash, 0.0)

        # 3. interest by seniority
        unpaid_principal = np.zeros((P, K))
        for s, e in groups:
            owed = int_cur[:, s:e] + arrears[:, s:e]
            gowed = owed.sum(axis=1)
            pay = np.minimum(cash, gowed)
            cash -= pay
            draw = np.minimum(dsra, gowed - pay)
            dsra -= draw
            frac = np.where(
                gowed > EPS, np.minimum((pay + draw) / np.where(gowed > EPS, gowed, 1.0), 1.0), 1.0
            )
            paid = owed * frac[:, None]
            unpaid = owed - paid
            out.interest_paid[:, s:e, t] = paid
            gp = pik[s:e]
            bal[:, s:e] += np.where(gp, unpaid, 0.0)
            out.pik[:, s:e, t] = np.where(gp, unpaid, 0.0)
            arrears[:, s:e] = np.where(gp, 0.0, unpaid)

        # 4. scheduled principal by seniority
        for s, e in groups:
            due = sp_due[:, s:e]
            gdue = due.sum(axis=1)
            pay = np.minimum(cash, gdue)
            cash -= pay
            draw = np.minimum(dsra, gdue - pay)
            dsra -= draw
            frac = np.where(
                gdue > EPS, np.minimum((pay + draw) / np.where(gdue > EPS, gdue, 1.0), 1.0), 1.0
            )
            paid = due * frac[:, None]
            bal[:, s:e] -= paid
            out.principal_paid[:, s:e, t] += paid
            unpaid_principal[:, s:e] = due - paid

        shortfall = arrears + unpaid_principal
        # payment default: the most senior rank outstanding at the start of the period is short
        controlling = np.zeros(P, dtype=bool)
        found = np.zeros(P, dtype=bool)
        for g, (s, e) in enumerate(groups):
            outstanding = ~found & (open_group[g] > EPS)
            controlling |= outstanding & (shortfall[:, s:e].sum(axis=1) > EPS)
            found |= outstanding

        # 5. proceeds prepay debt
        mandatory = np.minimum(cash, sale)
        cash = cash - mandatory + prepay(mandatory, t)

        # 6. DSRA
        target = np.where((bal.sum(axis=1) > EPS) & ~release, inp.dsra_target[t], 0.0)
        top = np.where(dsra < target, np.minimum(cash, target - dsra), 0.0)
        cash -= top
        dsra += top
        excess = np.maximum(dsra - target, 0.0)
        dsra -= excess
        cash += excess

        # 7. covenant tests
        hist_cf[:, t] = cfads
        hist_ds[:, t] = ds
        lo = max(0, t - int(inp.lookback) + 1)
        scf = hist_cf[:, lo : t + 1].sum(axis=1)
        sds = hist_ds[:, lo : t + 1].sum(axis=1)
        test = np.where(sds > EPS, scf / np.where(sds > EPS, sds, 1.0), np.nan)
        has_debt = alive & (debt_open > EPS)
        # the DSCR is tested only while debt is still owed after this period's payments and
        # proceeds (a sale that repays the debt in full is a repayment, not a breach)
        owing = alive & (bal.sum(axis=1) > EPS)
        lock = owing & (inp.lockup_dscr > 0) & (test < inp.lockup_dscr)
        ddef = owing & (inp.default_dscr > 0) & (test < inp.default_dscr)
        ltvb = has_debt & (inp.ltv_max > 0) & (~has_coll | (debt_open > inp.ltv_max * coll))
        pdef = has_debt & controlling
        default = ddef | pdef
        go_accel = (default & (inp.default_action == ACCELERATE)) | (
            ltvb & (inp.ltv_action == ACCELERATE)
        )
        accel_t = np.where(go_accel & (accel_t < 0) & ~release, t, accel_t)
        accel = alive & (accel_t >= 0) & ~liq_now
        sweep_all = (
            accel
            | liq_now
            | (default & (inp.default_action == SWEEP))
            | (lock & (inp.lockup_action == SWEEP))
            | (ltvb & (inp.ltv_action == SWEEP))
        )
        trap_mode = (
            ~sweep_all
            & ~release
            & ((lock & (inp.lockup_action == TRAP)) | (ltvb & (inp.ltv_action == TRAP)))
        )
        flags |= (
            np.where(lock, FLAG_LOCKUP, 0)
            | np.where(ddef, FLAG_DSCR_DEFAULT, 0)
            | np.where(ltvb, FLAG_LTV_BREACH, 0)
            | np.where(pdef, FLAG_PAYMENT_DEFAULT, 0)
            | np.where(accel, FLAG_ACCELERATED, 0)
        ).astype(np.int32)

        # 8. cash sweep
        cash += np.where(accel, trap, 0.0)
        trap = np.where(accel, 0.0, trap)
        swept = np.where(sweep_all, cash, 0.0)
        cash = cash - swept + prepay(swept, t)
        for k in range(K):
            if inp.sweep_pct[k] > 0:
                s_k = np.where(sweep_all, 0.0, np.minimum(cash * inp.sweep_pct[k], bal[:, k]))
                bal[:, k] -= s_k
                out.principal_paid[:, k, t] += s_k
                cash -= s_k

        # 9. lock-up account; while any class is short, what is left is held there too
        short = shortfall.sum(axis=1) > EPS
        hold = trap_mode | (short & ~release)
        trap += np.where(hold, cash, 0.0)
        cash = np.where(hold, 0.0, cash)
        cured = ~hold & ~lock & ~ltvb & ~sweep_all
        cash += np.where(cured, trap, 0.0)
        trap = np.where(cured, 0.0, trap)

        # 10. distribution and write-off
        ends = (release | last) & alive
        wo = np.where(ends[:, None], bal + arrears, 0.0)
        bal = np.where(ends[:, None], 0.0, bal)
        arrears = np.where(ends[:, None], 0.0, arrears)
        dead |= liq_now

        out.cfads[:, t] = cfads
        out.tax[:, t] = tax
        out.debt_service[:, t] = ds
        out.dscr[:, t] = dscr
        out.dscr_test[:, t] = test
        out.ltv[:, t] = ltv
        out.proceeds[:, t] = sale
        out.injection[:, t] = injection
        out.dsra_balance[:, t] = dsra
        out.trap_balance[:, t] = trap
        out.distribution[:, t] = cash
        out.flags[:, t] = flags
        out.interest_due[:, :, t] = int_cur
        out.shortfall[:, :, t] = shortfall
        out.balance[:, :, t] = bal
        out.writeoff[:, :, t] = wo
    return out
