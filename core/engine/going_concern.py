"""Going-concern (income) value of the SPV's leased assets, path by path: the NumPy
specification of ``core/engine/_goingconcern.pxi`` (held to it bit for bit by the compile
parity tests).

A lender who forecloses while a lease still performs sells the assets WITH the lease: a buyer
pays for the contracted rent, not only the bare halls' or GPUs' value. With the SPV's
``going_concern_yield`` y > 0 (0: off, every deal as before), at period t on a path where at
least one lease performs (started, not terminated, not defaulted, not ended by t):

    GC(t) = sum over performing leases l of  sum_{u=t+1}^{E_l(t)-1} m_l(t) rent_l(u) v^(u-t)
            - sum_{u=t+1}^{E(t)-1} opex(u) v^(u-t)
            + S(min(E(t), T-1)) v^(min(E(t), T-1)-t)

``v^k = (1 + y)^(-k / periods a year)``; ``rent_l`` the lease's contracted rent on the path
(escalated; a renewal in force at its repriced level), ``E_l(t)`` the end of the term in force
at t (renewals not yet exercised are not counted), ``m_l(t)`` its billing as it stands at t
(a GPU-hour lease's billed share of GPU-hours, a compute lease's share of GPUs delivered;
1 otherwise), ``E(t)`` the latest ``E_l(t)``, ``opex`` the operating costs (not the SPV's
senior fees, which a buyer does not bear), ``S`` the physical assets' orderly-sale value. Rent
and costs are counted within the model horizon, the assets sold in its last period at the
latest (as the engine's own planned sale). Where no lease performs there is no going-concern
value. The per-path rows then read (docs/engine.md, "Going-concern value"):

* ``liquidation_value`` (a forced sale after acceleration): max(physical forced-sale value,
  GC(t) x (1 - ``going_concern_haircut``)), any RVG top-up on that price;
* ``asset_value`` (the LTV covenant, the refinancing and draw advance tests):
  max(physical market value, GC(t)).
"""

from __future__ import annotations

import numpy as np

#: bits of the per-period basis a compile reports (``CompiledDeal.gc_basis``): the collateral
#: value (``asset_value``) is the going-concern value; the forced-sale value is
COLLATERAL, LIQUIDATION = 1, 2
#: the names of the two bases, as every view prints them
GOING_CONCERN, PHYSICAL = "going-concern value", "physical value"


def discount_factors(yield_: float, ppy: int, T: int) -> np.ndarray:
    """(T + 1,) ``v^k = (1 + y)^(-k / ppy)`` for k = 0..T periods (zeros when off)."""
    if yield_ <= 0:
        return np.zeros(T + 1)
    return (1.0 + yield_) ** (-np.arange(T + 1) / ppy)


def suffix_pv(x: np.ndarray, v1: float) -> np.ndarray:
    """(T,) ``b(t) = sum_{u=t+1}^{T-1} x(u) v1^(u-t)``: ``b(T-1) = 0``, ``b(t) = v1 (x(t+1) +
    b(t+1))`` (what the plan gives the compiled compile as ``gc_opex`` for the costs)."""
    T = x.shape[0]
    b = np.zeros(T)
    for t in range(T - 2, -1, -1):
        b[t] = v1 * (x[t + 1] + b[t + 1])
    return b


def term_in_force(term_ends: list[int], T: int) -> np.ndarray:
    """(T,) the end (exclusive period) of the term in force at each period: the first term
    end after it (the last end from there on)."""
    ends = np.asarray(term_ends)
    return ends[np.minimum(np.searchsorted(ends, np.arange(T), side="right"), len(ends) - 1)]


def lease_rent_pv(
    rent: np.ndarray,
    term_ends: list[int],
    v1: float,
    performs: np.ndarray,
    billing: list[np.ndarray],
    acc: np.ndarray,
    latest: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Add one lease's going-concern rent to ``acc`` (P, T) and its term end to ``latest``
    (P, T, the latest end of a performing lease, 0: none) where it ``performs`` (P, T).

    ``rent`` (P, T): its contracted rent before billing; ``billing``: the (P, T) factors its
    rent is billed at (GPU-hours, GPUs delivered), applied in order to the PV at t."""
    P, T = rent.shape
    end = term_in_force(term_ends, T)
    a = np.zeros(P)
    pv = np.zeros((P, T))
    for t in range(T - 1, -1, -1):
        last = t == T - 1 or t + 1 == end[t]  # the term in force ends after t
        a = np.zeros(P) if last else v1 * (rent[:, t + 1] + a)
        pv[:, t] = a
    for f in billing:
        pv = pv * f
    acc = np.where(performs, acc + pv, acc)
    latest = np.where(performs, np.maximum(latest, end[None, :]), latest)
    return acc, latest


def going_concern_value(
    acc: np.ndarray,
    latest: np.ndarray,
    opex: np.ndarray,
    opex_pv: np.ndarray,
    sale_value: np.ndarray,
    v: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(P, T) GC(t) and where a lease performs, from the leases' rent PV ``acc`` and their
    latest term end ``latest`` (0: none), the costs ``opex`` (T,) and their suffix PV
    ``opex_pv`` (:func:`suffix_pv`), the orderly-sale value (P, T) and ``v`` (T + 1,)."""
    P, T = acc.shape
    t = np.arange(T)[None, :]
    on = latest > t
    E = np.where(on, latest, T)
    within = E < T
    Ec = np.minimum(E, T - 1)
    k = np.where(on, E - t, 0)
    tail = np.where(within, v[k] * (opex[Ec] + opex_pv[Ec]), 0.0)
    costs = np.where(within, opex_pv[None, :] - tail, opex_pv[None, :])
    Ee = np.minimum(E, T - 1)
    sv = np.take_along_axis(sale_value, Ee, axis=1)
    gc = (acc - costs) + sv * v[np.where(on, Ee - t, 0)]
    return np.where(on, gc, 0.0), on


def basis(
    gc: np.ndarray, performs: np.ndarray, mv: np.ndarray, forced: np.ndarray, haircut: float
) -> np.ndarray:
    """(P, T) uint8: :data:`COLLATERAL` where GC(t) is above the physical market value ``mv``,
    plus :data:`LIQUIDATION` where GC(t) less its sale cost is above the forced-sale value."""
    a = np.where(performs & (gc > mv), COLLATERAL, 0)
    b = np.where(performs & (gc * (1.0 - haircut) > forced), LIQUIDATION, 0)
    return (a + b).astype(np.uint8)
