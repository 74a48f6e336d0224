"""The deal-level arrays of the fused Monte Carlo kernel's per-path compile.

:func:`build_plan` reads a base-case :class:`~core.engine.compile.CompiledDeal` (and its deal)
once per run and lays out, as flat NumPy arrays, everything ``core/risk/_pathcompile.pxi``
needs to turn one path's drivers into the kernel's input rows: asset curves and haircuts,
costs, crypto paths, each lease's rent segments, escalation powers, billing, termination and
backstop terms, and each guarantee's floor, cap and term. Every value is taken from the same
functions and blocks that :func:`~core.engine.compile.compile_deal` uses, so the compiled
per-path compile reproduces compile_deal's rows exactly (tests/risk/test_mckernel.py).
"""

from __future__ import annotations

import numpy as np

from core.engine.compile import CompiledDeal, month_period
from core.engine.leases import guarantee_end, market_index, rvg_floor
from core.risk.paths import MarketModel, fire_sale_haircut, lease_event_specs

# per-lease fields of the plan, by C type
_LEASE_FLOATS = ("r0", "renewal_pct", "util0", "top", "billed0", "fee", "bs_cap")
_LEASE_INTS = (
    "n_seg",
    "n_ends",
    "gpu_hour",
    "re_lease",
    "sell",
    "has_bs",
    "bs_end",
    "ren_default",
    "term_default",
    "dflt_default",
)


def _f(values) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _i(values) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.int32)


def build_plan(sized: CompiledDeal, m: MarketModel) -> dict:
    """Plan arrays and scalars (keys are the fields of ``Plan`` in _pathcompile.pxi)."""
    deal, tl = sized.deal, sized.timeline
    T, ppy = tl.n_periods, tl.periods_per_year
    fleet = deal.of_kind("gpu_fleet")
    facility = deal.of_kind("facility")
    ft = fleet[0].terms if fleet else {}
    fac = facility[0].terms if facility else {}
    leases = sized.leases
    L = len(leases)
    S = max(len(sized.lease_schedules[b.id].term_ends) for b in leases)
    seg_start = np.zeros((L, S), dtype=np.int32)
    seg_stop = np.zeros((L, S), dtype=np.int32)
    ends = np.zeros((L, S), dtype=np.int32)
    lastpow = np.zeros((L, S))
    market = np.zeros((L, T))
    esc_np = np.zeros((L, T + 1))
    per_lease: dict[str, list] = {k: [] for k in _LEASE_FLOATS + _LEASE_INTS}
    guarantees = deal.of_kind("guarantee")
    share = np.full((len(guarantees), L), -1.0)
    g_index = {g.id: i for i, g in enumerate(guarantees)}
    for li, lease in enumerate(leases):
        lt = lease.terms
        sched = sized.lease_schedules[lease.id]
        esc = 1.0 + lt["escalator"]
        # the segments lease_schedule walks: the initial term, then each renewal in the horizon
        n_seg = 0
        for i, end in enumerate(sched.term_ends):
            start = sched.start if i == 0 else sched.term_ends[i - 1]
            if i > 0 and start >= T:
                break
            seg_start[li, i], seg_stop[li, i] = start, min(end, T)
            lastpow[li, i] = esc ** ((end - 1 - start) // ppy)  # a Python float power, as there
            n_seg += 1
        ends[li, : len(sched.term_ends)] = sched.term_ends
        market[li] = market_index(lt, tl)
        esc_np[li] = esc ** np.arange(T + 1)  # the NumPy power lease_schedule uses
        backstops = [
            g
            for g in deal.links(lease.id, "guarantees", "in")
            if g.terms["guarantee_type"] == "backstop"
        ]
        cap = sum(g.terms["cap"] for g in backstops) if backstops else None
        for g in backstops:
            share[g_index[g.id], li] = g.terms["cap"] / cap if cap else 1.0 / len(backstops)
        u, top = lt["utilisation"], lt["take_or_pay"]
        vals = {
            "r0": sched.initial_rent,
            "renewal_pct": lt["renewal_rent_pct"],
            "util0": u,
            "top": top,
            "billed0": max(u, top),
            "fee": lt["termination_fee"],
            "bs_cap": cap if cap is not None else 0.0,
            "n_seg": n_seg,
            "n_ends": len(sched.term_ends),
            "gpu_hour": lt["rent_basis"] == "gpu_hour",
            "re_lease": lt["at_expiry"] == "re_lease",
            "sell": lt["at_expiry"] == "sell",
            "has_bs": bool(backstops),
            "bs_end": min((guarantee_end(g.terms, tl) for g in backstops), default=T),
            "ren_default": lt["renewals_exercised"],
            "term_default": month_period(lt["termination_month"], tl),
            "dflt_default": month_period(lt["tenant_default_month"], tl),
        }
        for k, v in vals.items():
            per_lease[k].append(v)
    specs = lease_event_specs(sized, m)
    cost = {"gpu_fleet": sized.uses["GPU fleet"], "facility": sized.uses["Facility"]}
    g_rvg = [g.terms["guarantee_type"] == "rvg" for g in guarantees]
    plan = {
        "T": T,
        "L": L,
        "NG": len(guarantees),
        "NC": len(sized.crypto_paths),
        "S": S,
        "E": sum(s.n_draws for s in specs),
        "ppy": ppy,
        "commercial_end": tl.periods(ft["commercial_life_years"]) if fleet else T,
        "has_fleet": int(bool(fleet)),
        "lease_events": int(m.lease_events),
        "residual_sd": m.residual_haircut_sd,
        "g_sale": ft.get("sale_haircut", 0.0),
        "g_liq": ft.get("liquidation_haircut", 0.0),
        "h_sale": fac.get("sale_haircut", 0.0),
        "h_liq": fac.get("liquidation_haircut", 0.0),
        "gpu_mv0": _f(sized.gpu_value_base),
        "fac_mv": _f(np.broadcast_to(sized.facility_value, (T,))),
        "fire": _f(fire_sale_haircut(sized, m)),
        "opex": _f(np.broadcast_to(sized.opex_full, (T,))),
        "fees": _f(np.broadcast_to(sized.fees_full, (T,))),
        "crypto_path": _f(np.array(sized.crypto_paths).reshape(-1)),
        "hazard": _f([s.hazard for s in specs]),
        "term_hazard": _f([s.term_hazard for s in specs]),
        "p_refuse": _f([s.p_refuse for s in specs]),
        "ev_off": _i([s.offset for s in specs]),
        "seg_start": _i(seg_start.ravel()),
        "seg_stop": _i(seg_stop.ravel()),
        "ends": _i(ends.ravel()),
        "seg_lastpow": _f(lastpow.ravel()),
        "market_idx": _f(market.ravel()),
        "esc_np": _f(esc_np.ravel()),
        "g_rvg": _i(g_rvg),
        "g_linked": _i([not r and (share[i] >= 0).any() for i, r in enumerate(g_rvg)]),
        "g_floor": _f(
            [rvg_floor(deal, g, cost) if r else 0.0 for g, r in zip(guarantees, g_rvg, strict=True)]
        ),
        "g_cap": _f([g.terms["cap"] for g in guarantees]),
        "g_end": _i([min(guarantee_end(g.terms, tl), 2**31 - 1) for g in guarantees]),
        "g_share": _f(share.ravel()),
    }
    for k, v in per_lease.items():
        plan[k] = _i(v) if k in _LEASE_INTS else _f(v)
    return plan
