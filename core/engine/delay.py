"""A late completion, path by path: the NumPy specification of ``_delay_operations`` in
``core/engine/_pathcompile.pxi`` (held to it bit for bit by the compile parity tests).

A completion ``d`` periods late moves the whole operating phase ``d`` periods later: each
period's rent, operating costs, senior fees and each lease's cash from the planned completion
``C`` on come ``d`` periods later (what falls past the horizon is lost) and nothing operates in
``[C, C + d)``; the sale moves with it (``reference_compile``). The debt's schedule does not
move: debt service falls due from ``C`` as planned. Each completion guarantee, in deal order,
pays the delay cost of each late period, the rent lost (the undelayed revenue of that period)
plus the interest owed (``plan.delay_interest``), up to its cap and only while its guarantor
has not defaulted (a guarantee pays nothing after its guarantor's default).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from core.engine.leases import LeaseCash


def shift_rows(x: np.ndarray, completion: int, delay: np.ndarray) -> np.ndarray:
    """(P, T) rows with their operating phase (from ``completion``) moved ``delay`` (P,)
    periods later: ``x[t - delay]`` for t >= completion + delay, 0 in between."""
    P, T = x.shape
    t = np.arange(T)[None, :]
    src = t - delay[:, None]
    moved = np.take_along_axis(x, np.clip(src, 0, T - 1), axis=1)
    out = np.where(src >= completion, moved, 0.0)
    return np.where(t < completion, x, out)


def shift_capex(capex: np.ndarray, start: int, delay: np.ndarray) -> np.ndarray:
    """(P, T) the construction's capex of paths ``delay`` (P,) periods late: the works start
    that much later and spend on their profile from there (``Construction.spend``; what falls
    past the horizon is not spent)."""
    P, T = len(delay), len(capex)
    return shift_rows(np.broadcast_to(np.asarray(capex, dtype=float), (P, T)), start, delay)


def delay_operations(
    revenue: np.ndarray,
    opex: np.ndarray,
    fees: np.ndarray,
    completion: int,
    delay: np.ndarray,
    delay_interest: np.ndarray,
    guarantees: list[tuple[str, float, np.ndarray]],
    guarantee_paid: dict[str, np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Revenue, opex and fees (P, T) of paths whose completion is ``delay`` (P,) periods late,
    and (P,) the first late period whose delay cost the guarantees left unpaid (T: none; a
    delay paid in full is no cause of a default).

    ``guarantees``: the completion guarantees in deal order, each (id, cap, guarantor default
    period (P,)); what each pays is added to ``guarantee_paid``."""
    P, T = revenue.shape
    t_idx = np.arange(T)[None, :]
    late = (t_idx >= completion) & (t_idx < completion + delay[:, None])
    owed = np.where(late, revenue + delay_interest[None, :], 0.0)
    revenue = shift_rows(revenue, completion, delay)
    opex = shift_rows(opex, completion, delay)
    fees = shift_rows(fees, completion, delay)
    for gid, cap, gdef in guarantees:
        cum = np.zeros(P)
        for t in range(completion, T):
            on = late[:, t] & (t < gdef)
            pay = np.where(on, np.minimum(np.maximum(cap - cum, 0.0), owed[:, t]), 0.0)
            cum = np.where(late[:, t], cum + pay, cum)
            owed[:, t] = np.where(late[:, t], owed[:, t] - pay, owed[:, t])
            revenue[:, t] = np.where(late[:, t], revenue[:, t] + pay, revenue[:, t])
        guarantee_paid[gid] = guarantee_paid.get(gid, 0.0) + cum
    short = late & (owed > 0.0)
    uncovered = np.where(short.any(axis=1), short.argmax(axis=1), T)
    return revenue, opex, fees, uncovered


def delay_lease_cash(lc: LeaseCash, completion: int, delay: np.ndarray) -> LeaseCash:
    """A lease's cash with its operating phase moved ``delay`` periods later."""
    return replace(
        lc,
        revenue=shift_rows(lc.revenue, completion, delay),
        backstop_paid=shift_rows(lc.backstop_paid, completion, delay),
        end=np.where(lc.end >= completion, lc.end + delay, lc.end),
    )
