"""Credit metrics computed from the kernel's outputs: coverage, life cover, WAL, yields, IRRs.

Functions take arrays with a leading path dimension where that is natural, so the Monte Carlo
can use them on a chunk of paths at once.
"""

from __future__ import annotations

import numpy as np

from core.engine.constants import IRR_HI, IRR_LO, TINY


def irr(
    cashflows: np.ndarray, lo: float = IRR_LO, hi: float = IRR_HI, iters: int = 200
) -> np.ndarray:
    """Periodic IRR of each row of ``cashflows`` (P, N) by bisection; NaN where no rate in
    [lo, hi] makes the NPV zero (:func:`irr_note` says why).

    The first flow is at time 0. Bisection is slow but never diverges, and it is vectorised.
    It needs only the sign of the NPV at each trial rate, which stays exact on long deals
    (:class:`_NpvSign`). When the NPV has the same sign at both ends of [lo, hi] but the flows
    change sign more than once (an investment, distributions, then injections at the end:
    the NPV rises and falls back), the bracket is found on a grid of ``GRID`` rates and the
    highest root is taken, the one Excel's IRR finds from a guess above it (a -23% IRR of a
    deal that lost a third of its equity is a number, not a missing one).
    """
    cf = np.atleast_2d(np.asarray(cashflows, dtype=float))
    sign = _NpvSign(cf)
    a = np.full(cf.shape[0], lo)
    b = np.full(cf.shape[0], hi)
    fa, fb = sign(a), sign(b)
    ok = fa * fb < 0
    multi = ~ok & (cf.max(axis=1) > 0) & (cf.min(axis=1) < 0)
    if multi.any():
        rows = np.flatnonzero(multi)
        found, ga, gb = _grid_bracket(_NpvSign(cf[rows]), lo, hi)
        rows = rows[found]
        a[rows], b[rows] = ga[found], gb[found]
        fa[rows], fb[rows] = sign.rows(rows, a[rows]), sign.rows(rows, b[rows])
        ok[rows] = True
    for _ in range(iters):
        # a row stops once its own bracket is narrow enough, so its IRR does not depend on
        # the other rows of the batch (the Monte Carlo's fallback reruns paths in batches)
        going = b - a >= 1e-13
        if not going.any():
            break
        m = 0.5 * (a + b)
        fm = sign(m)
        left = fa * fm <= 0
        b = np.where(going & left, m, b)
        a = np.where(going & ~left, m, a)
        fa = np.where(going & ~left, fm, fa)
    return np.where(ok, 0.5 * (a + b), np.nan)


GRID = 400  # rates of the grid that brackets an IRR the ends of the search do not


def _grid_bracket(
    sign: _NpvSign, lo: float, hi: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row, the highest interval of a grid of ``GRID`` rates, even in log(1 + r),
    where the NPV changes sign: (found, low end, high end)."""
    grid = np.expm1(np.linspace(np.log1p(lo), np.log1p(hi), GRID))
    n = sign.cf.shape[0]
    signs = np.stack([sign(np.full(n, g)) for g in grid], axis=1)  # (n, GRID)
    change = signs[:, :-1] * signs[:, 1:] < 0
    found = change.any(axis=1)
    top = GRID - 2 - np.argmax(change[:, ::-1], axis=1)  # the highest changing interval
    return found, grid[top], grid[top + 1]


def irr_note(cashflows: np.ndarray, lo: float = IRR_LO, hi: float = IRR_HI) -> str:
    """Why a row of flows has no IRR ("" when it has one): what an analyst is shown instead
    of a number."""
    cf = np.asarray(cashflows, dtype=float)
    if not np.isnan(irr(cf[None, :], lo, hi)[0]):
        return ""
    if not (cf < 0).any():
        return "no IRR: nothing is invested (no negative flow)"
    if not (cf > 0).any():
        return "no IRR: the equity gets nothing back (a total loss of what it put in)"
    return f"no IRR: no rate between {lo:.0%} and {hi:.0%} a period makes the flows' NPV zero"


class _NpvSign:
    """Sign of each row's NPV at a rate ``r`` (-1, 0 or 1).

    Near the bracket's low end ``(1 + r)^n`` underflows on long deals (0.01^162 = 0), so the
    plain NPV is inf or NaN (0 / 0 on trailing zero flows) and the sign is lost. Multiplying
    by ``(1 + r)^m`` > 0, with ``m`` the row's last non-zero flow, keeps the sign and raises
    every discount factor to a power >= 0: ``sum cf_n (1 + r)^(m - n)``, finite there. It is
    computed only where the plain NPV is not finite (at high rates it may overflow instead).
    """

    def __init__(self, cf: np.ndarray) -> None:
        self.cf = cf
        self.n = np.arange(cf.shape[1])
        nz = cf != 0
        m = np.where(nz.any(axis=1), cf.shape[1] - 1 - np.argmax(nz[:, ::-1], axis=1), 0)
        self.power = np.where(self.n[None, :] <= m[:, None], m[:, None] - self.n[None, :], 0)

    def rows(self, rows: np.ndarray, r: np.ndarray) -> np.ndarray:
        """The sign for the rows ``rows`` only."""
        sub = _NpvSign.__new__(_NpvSign)
        sub.cf, sub.n, sub.power = self.cf[rows], self.n, self.power[rows]
        return sub(r)

    def __call__(self, r: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore", under="ignore"):
            npv = (self.cf / (1.0 + r[:, None]) ** self.n).sum(axis=1)
            bad = ~np.isfinite(npv)
            if bad.any():
                rows = np.flatnonzero(bad)
                scaled = self.cf[rows] * (1.0 + r[rows, None]) ** self.power[rows]
                npv[rows] = scaled.sum(axis=1)
        return np.sign(npv)


def annualise(periodic: np.ndarray, periods_per_year: int, effective: bool) -> np.ndarray:
    """Nominal (``rate x periods``, the coupon convention) or effective annual rate."""
    if effective:
        return (1.0 + periodic) ** periods_per_year - 1.0
    return periodic * periods_per_year


def dscr_stats(dscr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and average DSCR over the periods with debt service (NaN-free), per path. The
    kernel's DSCR is on the scheduled debt service: a balloon or bullet at final maturity (or
    the horizon) is not in it (``EngineOutputs.balloon``; docs/engine.md, "DSCR")."""
    finite = np.isfinite(dscr)
    mn = np.where(finite, dscr, np.inf).min(axis=-1)
    cnt = finite.sum(axis=-1)
    avg = np.where(finite, dscr, 0.0).sum(axis=-1) / np.maximum(cnt, 1)
    return np.where(cnt > 0, mn, np.nan), np.where(cnt > 0, avg, np.nan)


def window_dscr_min(dscr_test: np.ndarray, balance: np.ndarray, eps: float) -> np.ndarray:
    """Lowest DSCR on the covenant's trailing test window (``dscr_test``, (..., T)) over the
    periods the covenant tests it: those after which debt is still owed (``balance``
    (..., K, T) summing above ``eps``); NaN where none is. Read beside the per-period DSCR when
    the window is longer than a period (a semi-annual payer modelled quarterly alternates a
    quarter with principal and one without; the window sees both)."""
    owed = np.asarray(balance).sum(axis=-2) > eps
    tested = np.where(owed & np.isfinite(dscr_test), dscr_test, np.inf)
    mn = tested.min(axis=-1)
    return np.where(np.isfinite(mn), mn, np.nan)


def breakeven_fall(dscr: float) -> float:
    """Break-even fall in cash flow: the uniform fall in CFADS that brings a DSCR to 1.00x,
    (DSCR - 1) / DSCR (DOMAIN.md). A DSCR already below 1.00x has no headroom: 0 (the base
    case fails with no fall; :func:`rise_needed` says by how much it misses), never the
    negative "fall" (DSCR - 1) / DSCR would give (a 0.22x DSCR is -355%: a rise)."""
    if not np.isfinite(dscr) or dscr <= 0:
        return float("nan")
    return max((dscr - 1.0) / dscr, 0.0)


def rise_needed(dscr: float) -> float:
    """The uniform rise in CFADS that brings a DSCR below 1.00x to 1.00x: 1 / DSCR - 1 (0
    when it is at or above 1.00x)."""
    if not np.isfinite(dscr) or dscr <= 0:
        return float("nan")
    return max(1.0 / dscr - 1.0, 0.0)


def cover_ratio(
    cfads: np.ndarray, periodic_rate: np.ndarray, debt: float, reserve: float, until: int
) -> float:
    """(NPV of CFADS over periods 0..until at the debt rate + reserve) / debt outstanding.

    With ``until`` the final maturity this is the LLCR; with the horizon, the PLCR.
    """
    if debt <= TINY:
        return float("nan")
    disc = np.cumprod(1.0 / (1.0 + periodic_rate[: until + 1]))
    return float((np.sum(cfads[: until + 1] * disc) + reserve) / debt)


def wal(principal: np.ndarray, years: np.ndarray) -> float:
    """Weighted average life in years: principal-weighted time of repayment."""
    total = principal.sum()
    return float((principal * years).sum() / total) if total > TINY else float("nan")


def equity_split(
    distributions: np.ndarray,
    amounts: list[float],
    orders: list[int],
    prefs: list[float],
    periods_per_year: int,
) -> np.ndarray:
    """Share the equity cash flow among classes (C, T).

    Each period: accrued preferred return first, then return of capital, both to the most
    senior class (highest first-loss order) first; the rest pro rata to amounts invested.
    Negative flows (injections) are borne pro rata. The first-loss class is thus paid last.
    """
    C, T = len(amounts), len(distributions)
    out = np.zeros((C, T))
    capital = np.array(amounts, dtype=float)
    accrued = np.zeros(C)
    order = sorted(range(C), key=lambda c: -orders[c])
    weights = capital / capital.sum() if capital.sum() > 0 else np.full(C, 1.0 / max(C, 1))
    for t in range(T):
        accrued += capital * np.array(prefs) / periods_per_year
        cash = distributions[t]
        if cash < 0:
            out[:, t] = cash * weights
            continue
        for bucket in ("pref", "capital"):
            for c in order:
                owed = accrued[c] if bucket == "pref" else capital[c]
                pay = min(cash, owed)
                out[c, t] += pay
                cash -= pay
                if bucket == "pref":
                    accrued[c] -= pay
                else:
                    capital[c] -= pay
        out[:, t] += cash * weights
    return out
