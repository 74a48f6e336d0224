"""Monte Carlo attribution: the first cause of each tranche's first default on each path.

A path keeps a few *facts* (the same from the fused kernel and from the staged pipeline,
tests/risk/test_causes.py):

- ``first`` (n, K): the period of each tranche's first default (its first write-off, shortfall
  or acceleration while outstanding: the default of core.risk.mcstats), ``T`` when none;
- ``events`` (n, len(EVENTS)): the first period of each event of ``EVENTS``, ``T`` when none.
  The first three come from the per-path compile (``PathDetail.event_at`` of
  core/engine/_pathcompile.pxi): a lease's **tenant default** in the period its contracted rent
  stopped for it (after any backstop ran out, before the contract's end), an **early
  termination**, a **non-renewal** (an option refused, the lease ending at that term end); then
  the first **LTV breach** and the first **crypto** margin call or sale (waterfall flags);
- ``gaps`` (n, K, len(GAPS)): cash the path lost against the deal's own path up to and including
  the tranche's first default (USD m): ``rent`` = base-case revenue - path revenue (market rent
  and utilisation), ``rate`` = extra floating interest from the path's base rate above the
  deal's curve, on the opening balances, net of the swaps' floating receipts, ``collateral`` =
  in the period of a sale, what the base case's assets would fetch then less the proceeds (RVG
  included: GPU value, generations, the residual haircut), plus, at the first LTV breach, the
  base case's asset value less the path's (a breach from debt left high by lost cash is not a
  fall in collateral value).

**The rule** (:func:`classify`; docs/risk.md): the cause of a tranche's first default at period
``t*`` is the cause of ``CAUSES`` whose event came first at or before ``t*`` (ties: the order of
``CAUSES``); with no such event, the cause with the largest positive cash gap; with neither, the
deal's own cash flows (``base_case``). A loss is attributed to the cause of its tranche's first
default on that path.

A new cause is one :class:`Cause` entry (and, when it is an event, the code that writes its
period: a compile event in ``_pathcompile.pxi`` and :func:`lease_events`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.model.deal import Deal
from core.risk.applicability import first_missing

#: per-path event periods, in the order the kernel writes them; the first N_COMPILE_EVENTS come
#: from the per-path compile (PathDetail.event_at), in this order
EVENTS = (
    "tenant_default",
    "termination",
    "non_renewal",
    # ---- issue #11 attribution split (calibration): the walk-away and the guarantor default
    "walk_away",
    "guarantor_default",
    # ---- end of the split
    "construction_delay",  # issue #12: a late completion (at the planned completion)
    "ltv_breach",
    "crypto",
    # ---- issue #12 refinancing: a balloon with refinancing terms short at its maturity
    "refinancing",
)
N_COMPILE_EVENTS = 6
#: cash gaps against the deal's own path, per tranche, in the order the kernel writes them
GAPS = ("rent", "rate", "collateral")


@dataclass(frozen=True)
class Cause:
    id: str
    title: str
    #: the events that mark it (its period: the first of them)
    events: tuple[str, ...] = ()
    #: or the cash gap that measures it
    gap: str | None = None
    #: what the deal must hold for it to apply (core.risk.applicability.NEEDS)
    needs: tuple[str, ...] = ()
    #: the risks of core.risk.catalogue whose deterministic stress tests it
    risks: tuple[str, ...] = ()


CAUSES: tuple[Cause, ...] = (
    Cause(
        "tenant_default",
        "Tenant default",
        ("tenant_default",),
        None,
        ("lease",),
        ("lease", "liquidation", "guarantor"),  # a tenant that guarantees fails with its lease
    ),
    Cause(
        "termination",
        "Early termination",
        ("termination",),
        None,
        ("lease",),
        ("lease",),  # drawn or on the deal; the economic walk-away is its own cause
    ),
    Cause("non_renewal", "Non-renewal", ("non_renewal",), None, ("renewal_option",), ("lease",)),
    # ---- issue #11 attribution split (calibration) ----
    Cause(
        "walk_away",
        "Economic walk-away (rent above market)",
        ("walk_away",),
        None,
        ("lease", "walk_away"),
        ("walk_away", "rent_deflation"),
    ),
    Cause(
        "guarantor_default",
        "Guarantor default (backstop stops)",
        ("guarantor_default",),
        None,
        ("third_party_backstop",),
        ("guarantor",),
    ),
    # ---- end of the split ----
    Cause(
        "construction_delay",
        "Construction delay",
        ("construction_delay",),
        None,
        ("construction",),
        ("construction_delay",),
    ),
    Cause(
        "collateral_value",
        "Collateral value (sale, residual, LTV)",
        (),
        "collateral",
        ("collateral",),
        ("obsolescence", "liquidation"),
    ),
    Cause("crypto", "Crypto collateral", ("crypto",), None, ("crypto",), ("correlation",)),
    # --- refinancing (issue #12): a balloon with refinancing terms not covered at maturity ---
    Cause(
        "refinancing",
        "Refinancing at maturity",
        ("refinancing",),
        None,
        ("refinancing",),
        ("refinancing", "refinancing_terms"),
    ),
    Cause(
        "market_rent",
        "Market rent and utilisation",
        (),
        "rent",
        ("lease",),
        ("rent_deflation", "correlation", "walk_away"),
    ),
    Cause("rates", "Rates", (), "rate", ("floating_debt",), ("rates",)),
    Cause("base_case", "None of the drivers: the deal's own cash flows"),
)
#: code of each cause in ChunkStats.cause (0: no default)
CODES = {c.id: i + 1 for i, c in enumerate(CAUSES)}


def classify(first: np.ndarray, events: np.ndarray, gaps: np.ndarray, T: int) -> np.ndarray:
    """(n, K) int8 cause codes (``CODES``; 0 where the tranche does not default) by the rule of
    the module docstring, from the facts of n paths."""
    first = np.asarray(first)
    n, K = first.shape
    code = np.zeros((n, K), dtype=np.int8)
    if n == 0 or K == 0:
        return code
    defaulted = first < T
    best = np.full((n, K), T + 1, dtype=np.int64)
    for i, c in enumerate(CAUSES):
        if not c.events:
            continue
        at = np.min(events[:, [EVENTS.index(e) for e in c.events]], axis=1)[:, None]
        hit = defaulted & (at <= first) & (at < best)
        code[hit] = i + 1
        best = np.where(hit, at, best)
    rest = defaulted & (code == 0)
    gap_causes = [(i, GAPS.index(c.gap)) for i, c in enumerate(CAUSES) if c.gap is not None]
    if gap_causes:
        g = np.stack([gaps[:, :, j] for _, j in gap_causes], axis=-1)
        top = np.argmax(g, axis=-1)  # the first of equal gaps: declaration order
        positive = np.take_along_axis(g, top[..., None], axis=-1)[..., 0] > 0
        by_gap = np.array([i + 1 for i, _ in gap_causes], dtype=np.int8)[top]
        code = np.where(rest & positive, by_gap, code)
        rest = rest & ~positive
    fallback = [i + 1 for i, c in enumerate(CAUSES) if not c.events and c.gap is None]
    code[rest] = fallback[0]
    return code


def base_rows(sized) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(T,) rows of the base case ``sized`` (the deal compiled on its own path) the gaps
    compare a path with: its revenue, its base-rate curve, what its assets would fetch in an
    orderly sale in each period (no value shock, no extra haircut, no RVG) and their market
    value."""
    plan = sized.path_plan()
    g = min(max(plan["g_sale"], 0.0), 1.0)
    h = min(max(plan["h_sale"], 0.0), 1.0)
    sale = plan["gpu_mv0"] * (1.0 - g) + plan["fac_mv"] * (1.0 - h)
    inp = sized.inputs
    return tuple(
        np.ascontiguousarray(a, dtype=np.float64)
        for a in (inp.revenue[0], inp.base_rate[0], sale, inp.asset_value[0])
    )


def lease_events(compiled, drivers) -> np.ndarray:
    """(P, N_COMPILE_EVENTS) compile events of the paths of a compile with ``drivers``
    (core.engine.compile.compile_deal by the NumPy reference): the specification of what
    ``_pathcompile.pxi`` writes into ``PathDetail.event_at``. From each lease's end (the first
    period without contracted rent, after any backstop) and whether its tenant defaulted,
    against the contract's end after the renewals exercised: an end before the contract's is
    a tenant default (a guarantor default when its backstop stopped at the default of a
    guarantor other than the tenant: ``LeaseCash.guarantor_cut``) or, not defaulted, a
    termination, drawn or on the deal (a walk-away when the economic walk-away brought it
    forward: ``LeaseCash.walked``); an end at a term end with an option left is a
    non-renewal."""
    tl = compiled.timeline
    T, P = tl.n_periods, drivers.n_paths
    out = np.full((P, N_COMPILE_EVENTS), T, dtype=np.int64)
    con = compiled.level.construction if compiled.level is not None else None
    delay = np.zeros(P, dtype=np.int64)
    if con is not None:  # a late completion moved each lease's contract end with it
        d = con.delay if drivers.completion_delay is None else drivers.completion_delay
        delay = np.broadcast_to(d, (P,)).astype(np.int64)
        if compiled.delay_uncovered is not None:  # a delay whose costs were not all paid
            out[:, 5] = np.broadcast_to(compiled.delay_uncovered, (P,))
    for lease in compiled.leases:
        lt = lease.terms
        ev = drivers.leases.get(lease.id, {})
        renewals = np.broadcast_to(ev.get("renewals", lt["renewals_exercised"]), (P,))
        cash = compiled.lease_cash[lease.id]
        ends = compiled.lease_schedules[lease.id].term_ends
        used = np.clip(renewals, 0, len(ends) - 1)
        ce = np.asarray(ends)[used]
        if con is not None:
            ce = np.where(ce >= con.completion, ce + delay, ce)
        end = np.broadcast_to(cash.end, (P,))
        defaulted = np.broadcast_to(cash.defaulted, (P,))
        cut = (end < ce) & (end < T)  # the rent stopped before the contract's end
        walked = np.broadcast_to(False if cash.walked is None else cash.walked, (P,))
        g_cut = np.broadcast_to(False if cash.guarantor_cut is None else cash.guarantor_cut, (P,))
        for j, hit in (
            (0, cut & defaulted & ~g_cut),
            (1, cut & ~defaulted & ~walked),
            (3, cut & ~defaulted & walked),
            (4, cut & defaulted & g_cut),
        ):
            out[:, j] = np.where(hit, np.minimum(out[:, j], end), out[:, j])
        refused = ~defaulted & (end == ce) & (used < len(ends) - 1) & (ce < T)
        out[:, 2] = np.where(refused, np.minimum(out[:, 2], ce), out[:, 2])
    return out


def path_facts_numpy(
    out,
    inputs,
    base_revenue: np.ndarray,
    base_curve: np.ndarray,
    base_sale: np.ndarray,
    base_value: np.ndarray,
    eps: float,
):
    """NumPy reference of the compiled ``_pathstats.path_facts``: ``first`` (n, K),
    ``ltv_at`` / ``crypto_at`` (n,; ``T`` on a path where no tranche defaults) and ``gaps``
    (n, K, 3) from a chunk's engine outputs and inputs (the tests hold the compiled one to
    it)."""
    from core.engine.arrays import (
        FLAG_ACCELERATED,
        FLAG_CRYPTO_SOLD,
        FLAG_LTV_BREACH,
        FLAG_MARGIN_CALL,
    )

    n, K, T = out.balance.shape
    bal = out.balance
    opening = np.concatenate(
        [np.broadcast_to(inputs.notional[None, :, None], (n, K, 1)), bal[:, :, :-1]], axis=2
    )
    accel = ((out.flags & FLAG_ACCELERATED) != 0)[:, None, :]
    hit = (out.shortfall > eps) | (accel & (opening > eps) & (bal > eps))
    hit |= np.cumsum(out.writeoff, axis=2) > eps
    first = np.where(hit.any(axis=2), hit.argmax(axis=2), T)

    def first_flag(bits: int) -> np.ndarray:
        f = (out.flags & bits) != 0
        return np.where(f.any(axis=1), f.argmax(axis=1), T)

    rev = np.broadcast_to(inputs.revenue, (n, T))
    rate = np.broadcast_to(inputs.base_rate, (n, T))
    floating = inputs.floating.astype(bool)[None, :, None]
    exposure = (np.where(floating, opening, 0.0) * inputs.year_fraction[None]).sum(axis=1)
    if inputs.swap_float_accrual is not None:
        exposure = exposure - inputs.swap_float_accrual[None, :]
    proceeds = np.broadcast_to(inputs.proceeds, (n, T))
    sale = np.where(proceeds > 0.0, base_sale[None, :] - proceeds, 0.0)
    ltv_at = first_flag(FLAG_LTV_BREACH)
    value = np.broadcast_to(inputs.asset_value, (n, T))
    at_ltv = np.arange(T)[None, :] == ltv_at[:, None]
    sale = sale + np.where(at_ltv, base_value[None, :] - value, 0.0)
    per = np.stack([base_revenue[None, :] - rev, (rate - base_curve[None, :]) * exposure, sale], -1)
    cum = np.cumsum(per, axis=1)  # (n, T, 3)
    at = np.minimum(first, T - 1)
    gaps = np.take_along_axis(cum[:, None, :, :], at[:, :, None, None], axis=2)[:, :, 0, :]
    gaps = np.where((first < T)[:, :, None], gaps, 0.0)
    none = ~(first < T).any(axis=1)  # no default on the path: its events are not needed
    ltv_at = np.where(none, T, ltv_at)
    return (
        first.astype(np.int32),
        ltv_at.astype(np.int32),
        np.where(none, T, first_flag(FLAG_MARGIN_CALL | FLAG_CRYPTO_SOLD)).astype(np.int32),
        gaps,
    )


def refi_events(inputs, out, eps: float) -> np.ndarray:
    """(n,) the first period in which a tranche with refinancing terms is short at its
    maturity (the refinancing and the cash did not cover its balloon: market shut, stressed
    spread, or capped by its advance or DSCR test), ``T`` when none: the NumPy specification
    of the fused kernel's ``_refi_event``."""
    n, K, T = out.balance.shape
    at = np.full(n, T, dtype=np.int64)
    if inputs.refi_on is None:
        return at
    for k in np.flatnonzero(np.asarray(inputs.refi_on) != 0):
        m = int(inputs.maturity[k])
        if m < T:
            at = np.where(out.shortfall[:, k, m] > eps, np.minimum(at, m), at)
    return at


def attribution(
    deal: Deal, names: list[str], notional: np.ndarray, loss: np.ndarray, cause: np.ndarray
) -> dict:
    """Per tranche, each cause's share of the defaults and of the expected loss, and its
    contribution to PD and EL; causes a deal cannot have are marked not applicable."""
    n = loss.shape[0]
    causes = []
    for i, c in enumerate(CAUSES):
        reason = first_missing(deal, c.needs)
        if reason is not None and bool((cause == i + 1).any()):
            reason = None  # never hide a default the rule found
        causes.append(
            {"id": c.id, "title": c.title, "applicable": reason is None, "reason": reason}
        )
    tranches = []
    for k, name in enumerate(names):
        defaults = int((cause[:, k] > 0).sum())
        total = float(loss[:, k].sum())
        by = {}
        for i, c in enumerate(CAUSES):
            if not causes[i]["applicable"]:
                continue
            mine = cause[:, k] == i + 1
            lost = float(loss[mine, k].sum())
            by[c.id] = {
                "share_of_defaults": int(mine.sum()) / defaults if defaults else math.nan,
                "share_of_expected_loss": lost / total if total > 0 else math.nan,
                "probability_of_default": float(mine.sum()) / n if n else math.nan,
                "expected_loss": lost / notional[k] / n if n and notional[k] > 0 else math.nan,
            }
        tranches.append({"name": name, "defaults": defaults, "causes": by})
    return {"causes": causes, "tranches": tranches, "rule": RULE}


RULE = (
    "the first default of each tranche on each path is attributed to the event that came first "
    "at or before it (a lease's tenant default, termination, non-renewal or economic walk-away, "
    "a guarantor's default that stopped a backstop, a late completion, a crypto margin "
    "call or sale, a balloon with refinancing terms not covered at its maturity); with none, "
    "to the largest cash gap against the deal's own path up to the "
    "default (rent: market rent and utilisation; rate: floating interest; collateral: sale "
    "proceeds and, at an LTV breach, asset value); else to the deal's own cash flows. A loss "
    "goes to the cause of its tranche's first default."
)


def main_causes(att: dict, k: int, top: int = 3) -> list[tuple[str, float]]:
    """The causes of tranche ``k``'s expected loss, largest share first (title, share); by
    share of defaults when it has no loss."""
    by = att["tranches"][k]["causes"]
    titles = {c["id"]: c["title"] for c in att["causes"]}
    key = "share_of_expected_loss"
    if not any(math.isfinite(v[key]) and v[key] > 0 for v in by.values()):
        key = "share_of_defaults"
    pairs = [(titles[cid], v[key]) for cid, v in by.items() if math.isfinite(v[key]) and v[key] > 0]
    return sorted(pairs, key=lambda p: -p[1])[:top]
