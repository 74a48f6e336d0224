"""A sponsor holdco over SPVs: its own small monthly waterfall on every path.

Each month, on every path still standing (vectorised over paths):

1. **Upstream**: the holdco's share of each owned SPV's equity distributions less injections
   (the SPV's waterfall on the same path; a period's flow arrives in the month the period
   ends) goes into cash.
2. **BTC loan margin** (each ``btc_loan``, secured by its pledged BTC): at the month's BTC
   price ``P`` the LTV is ``balance / (collateral x P)``. At or above ``liquidation_ltv`` the
   lender sells the collateral at once: the proceeds repay the loan, any excess comes back
   to cash, any deficiency is written off (the lender's unsecured claim is not pursued).
   At or above ``margin_call_ltv`` the holdco tops the collateral up from its treasury BTC
   to the ``reset_ltv``; if the treasury is short it pays the loan down with cash to reach
   the reset LTV on the collateral it has; a call it cannot meet is a liquidation.
3. **Opex, interest, principal due** (opex / 12; each loan's balance x rate / 12; the whole
   balance at its maturity month), paid from cash, then by selling treasury BTC at ``P``.
4. **Default**: when cash and treasury do not cover what is due, the holdco defaults that
   month: each BTC loan takes its collateral's value first; what is left of cash and treasury
   pays the remaining claims (BTC deficiencies and the convertibles' balances plus the month's
   interest) pro rata; the rest is written off and the holdco stops. Opex is paid before
   debt service (it is the cost of staying in business).

Conversion of a convertible is not modelled: the holder's credit loss is non-payment.
Money USD m; BTC in thousand BTC at a price in USD thousand per BTC.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.portfolio.book import Holdco

_EPS = 1e-9


@dataclass
class HoldcoPaths:
    loss: dict[str, np.ndarray]  # debt id -> (n,) written off, USD m (whole instrument)
    default_month: np.ndarray  # (n,) month of default, -1: none
    margin_calls: np.ndarray  # (n,) number of margin calls met
    liquidated: np.ndarray  # (n,) bool: some BTC loan's collateral was sold by its lender
    cash: np.ndarray  # (n,) cash at the end (left to equity)
    treasury: np.ndarray  # (n,) treasury BTC at the end


def horizon_months(holdco: Holdco) -> int:
    return max((math.ceil(d.maturity_years * 12 - 1e-9) for d in holdco.debt), default=0)


def holdco_waterfall(holdco: Holdco, upstream: np.ndarray, btc: np.ndarray) -> HoldcoPaths:
    """The holdco's waterfall on ``n`` paths: ``upstream`` (n, M) net cash from its SPVs per
    month, ``btc`` (n, M) BTC price (USD thousand) per month; M = :func:`horizon_months`."""
    n, M = upstream.shape
    cash = np.full(n, float(holdco.cash))
    treasury = np.full(n, float(holdco.treasury_btc))
    bal = {d.id: np.full(n, float(d.principal)) for d in holdco.debt}
    coll = {d.id: np.full(n, float(d.collateral_btc)) for d in holdco.debt}
    loss = {d.id: np.zeros(n) for d in holdco.debt}
    mat = {d.id: math.ceil(d.maturity_years * 12 - 1e-9) - 1 for d in holdco.debt}
    alive = np.ones(n, dtype=bool)
    default_month = np.full(n, -1)
    calls = np.zeros(n, dtype=np.int64)
    liquidated = np.zeros(n, dtype=bool)
    loans = [d for d in holdco.debt if d.kind == "btc_loan"]
    for m in range(M):
        p = btc[:, m]
        cash += np.where(alive, upstream[:, m], 0.0)
        for d in loans:
            b, c = bal[d.id], coll[d.id]
            open_ = alive & (b > _EPS)
            value = c * p
            ltv = np.where(value > _EPS, b / np.maximum(value, _EPS), np.inf)
            call = open_ & (ltv >= d.margin_call_ltv) & (ltv < d.liquidation_ltv)
            need = np.where(call, b / (d.reset_ltv * p) - c, 0.0)
            top = np.minimum(need, treasury)
            treasury -= top
            c += top
            calls += call & (need > _EPS)
            # short of BTC: pay down with cash to the reset LTV on the collateral held
            pay = np.where(call, np.maximum(b - d.reset_ltv * c * p, 0.0), 0.0)
            paid = np.minimum(pay, np.maximum(cash, 0.0))
            cash -= paid
            b -= paid
            unmet = call & (pay - paid > _EPS)
            sell = open_ & ((ltv >= d.liquidation_ltv) | unmet)
            proceeds = np.where(sell, c * p, 0.0)
            repaid = np.minimum(proceeds, b)
            loss[d.id] += np.where(sell, b - repaid, 0.0)
            cash += np.where(sell, proceeds - repaid, 0.0)
            b[sell] = 0.0
            c[sell] = 0.0
            liquidated |= sell
        due = {d.id: np.where(alive, bal[d.id] * d.rate / 12.0, 0.0) for d in holdco.debt}
        for d in holdco.debt:
            if m == mat[d.id]:
                due[d.id] = due[d.id] + np.where(alive, bal[d.id], 0.0)
        opex = np.where(alive, holdco.opex_per_year / 12.0, 0.0)
        total = opex + sum(due.values(), np.zeros(n))
        # collateral released at a BTC loan's maturity helps pay it
        for d in loans:
            if m == mat[d.id]:
                treasury += np.where(alive, coll[d.id], 0.0)
                coll[d.id] = np.where(alive, 0.0, coll[d.id])
        short = np.maximum(total - cash, 0.0)
        sold = np.minimum(short / np.maximum(p, _EPS), treasury)
        treasury -= np.where(alive, sold, 0.0)
        cash += np.where(alive, sold * p, 0.0)
        fails = alive & (cash + _EPS < total)
        ok = alive & ~fails
        cash -= np.where(ok, total, 0.0)
        for d in holdco.debt:
            principal_due = due[d.id] - bal[d.id] * d.rate / 12.0
            bal[d.id] = np.where(ok, bal[d.id] - np.maximum(principal_due, 0.0), bal[d.id])
        if fails.any():
            _default(holdco, fails, cash, treasury, p, bal, coll, loss, opex, loans)
            default_month[fails] = m
            alive &= ~fails
    return HoldcoPaths(loss, default_month, calls, liquidated, cash, treasury)


def _default(holdco, fails, cash, treasury, p, bal, coll, loss, opex, loans) -> None:
    """Liquidate the failing paths: secured BTC loans from their collateral, then the rest
    of cash and treasury pro rata over the remaining claims (after the month's opex)."""
    pool = np.where(fails, np.maximum(cash - opex, 0.0) + treasury * p, 0.0)
    claims = {}
    for d in holdco.debt:
        claim = np.where(fails, bal[d.id] * (1.0 + d.rate / 12.0), 0.0)
        if d in loans:
            secured = np.minimum(coll[d.id] * p, claim)
            pool += np.where(fails, coll[d.id] * p - secured, 0.0)
            claim = claim - np.where(fails, secured, 0.0)
        claims[d.id] = claim
    total = sum(claims.values(), np.zeros_like(pool))
    ratio = np.where(total > _EPS, np.minimum(pool / np.maximum(total, _EPS), 1.0), 1.0)
    for d in holdco.debt:
        loss[d.id] += claims[d.id] * (1.0 - ratio)
        bal[d.id] = np.where(fails, 0.0, bal[d.id])
        coll[d.id] = np.where(fails, 0.0, coll[d.id])
    cash[fails] = 0.0
    treasury[fails] = 0.0


def run_holdco(holdco: Holdco, plan, world, upstream: dict, model, n_threads: int) -> HoldcoPaths:
    """The holdco on a world chunk: its SPVs' flows (``upstream``: position id -> (deal plan,
    (n, T) net equity flows)) placed on the book's months, the BTC price from the world's
    shocks through the single-deal BTC formula (the compiled driver pass on monthly steps)."""
    from core.risk.mcstats import compiled_stats

    M = horizon_months(holdco)
    n = world.n
    flows = np.zeros((n, M))
    for pid, share in holdco.owns.items():
        dp, net = upstream[pid]
        mpp = dp.sized.timeline.months_per_period
        months = dp.offset + (np.arange(net.shape[1]) + 1) * mpp - 1
        keep = months < M
        flows[:, months[keep]] += share * net[:, keep]  # one period a month at most
    prm = dict(plan.deals[0].prm)
    t = np.arange(1, M + 1) / 12.0
    prm.update(mpp=1, t=t, rent_ou=0, rent_var=np.zeros(M), rent_mult=np.ones(M), base=np.zeros(M))
    out = {k: np.empty((n, M)) for k in ("rent", "util", "value", "btc", "rates")}
    compiled_stats().driver_paths(
        **world.window(0, M, 1), **prm, **out, stress_share=np.empty(n), n_threads=n_threads
    )
    return holdco_waterfall(holdco, flows, holdco.btc_price * out["btc"])
