"""Debt sizing: the largest notional of one tranche such that every chosen constraint holds,
naming the binding one.

Each constraint gives a capacity on its own and the tranche is sized at the smallest:

* sculpting to a target DSCR (closed form): the tranche's debt service is CFADS / target less
  the other tranches' debt service, every period from the end of its interest-only period to
  its maturity, and the debt it can raise is the net present value of that debt service at its
  own periodic rate (:func:`core.engine.schedules.sculpted_capacity`). CFADS is after tax, and
  the tax depends on the interest, so the size is the fixed point of
  ``N = NPV(CFADS_after_tax(N) / target - other debt service)`` (a few iterations; without
  tax, one). The CFADS is the base case or a stressed case (``case``);
* any :class:`~core.structuring.constraints.Constraint` (minimum / average DSCR, LLCR, LTV,
  advance rate, repaid by a date or the end of the lease, Monte Carlo PD / EL, implied rating):
  the largest notional that satisfies it, by bisection on the engine's own numbers (the
  constraint is assumed to get no looser as the tranche grows, which holds for these metrics;
  Monte Carlo constraints see the same paths for every notional).

The search runs over ``[0, cap]``, ``cap`` the largest of 3 x the current notional, 2 x the
asset cost and the base case's undiscounted CFADS (:func:`search_cap`); a constraint that still
holds at the cap is reported as not binding.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.engine.compile import compile_deal
from core.engine.schedules import sculpted_capacity
from core.model.deal import Deal
from core.risk.montecarlo import MonteCarloConfig
from core.risk.stress import Stress, apply_stress
from core.structuring.candidate import (
    Evaluator,
    McRunner,
    StructuringError,
    local_runner,
    resize,
    resolve,
)
from core.structuring.constraints import Constraint

BISECTION_STEPS = 48
REL_TOL = 1e-7


@dataclass(frozen=True)
class Capacity:
    """What one constraint allows on its own."""

    constraint: str
    capacity: float
    note: str = ""


@dataclass
class SizingResult:
    tranche: str  # block id
    name: str
    current: float
    notional: float
    binding: str
    capacities: list[Capacity]
    checks: list[dict]  # each constraint at the sized notional: value and whether it holds
    search_cap: float
    case: str
    deal: Deal = field(repr=False)  # the deal with the tranche sized
    metrics: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "tranche": self.tranche,
            "name": self.name,
            "current_notional": self.current,
            "sized_notional": self.notional,
            "binding": self.binding,
            "case": self.case,
            "search_cap": self.search_cap,
            "capacities": [
                {"constraint": c.constraint, "capacity": c.capacity, "note": c.note}
                for c in self.capacities
            ],
            "checks": self.checks,
            "metrics": self.metrics,
        }


def _after_tax_cfads(compiled) -> np.ndarray:
    """Base-case CFADS after the tax the scheduled interest leaves (the sculpting's CFADS)."""
    inp = compiled.inputs
    pre = inp.revenue[0] - inp.opex[0] - inp.fees[0]
    interest = compiled.base_interest.sum(axis=0)
    dep = compiled.level.depreciation
    return pre - inp.tax_rate * np.maximum(pre - dep - interest, 0.0)


def search_cap(deal: Deal, debt: float) -> float:
    """Upper end of the search: 3 x the debt, 2 x the asset cost or the base case's whole
    undiscounted CFADS before tax, whichever is largest (no debt repaid from the deal's cash
    can exceed the last)."""
    c = compile_deal(deal)
    inp = c.inputs
    cash = float(np.maximum(inp.revenue[0] - inp.opex[0] - inp.fees[0], 0.0).sum())
    return max(3.0 * debt, 2.0 * c.asset_cost, cash, 1.0)


def sculpted_capacity_of(compiled, k: int) -> float:
    """What the k-th tranche (seniority order) of a compiled deal can raise sculpted to its
    target DSCR at its current notional: the NPV at its rate of the base-case CFADS after tax
    / target less the other tranches' base-case debt service (one step of
    :func:`sculpted_size`; the exported workbook's Sizing sheet computes the same)."""
    c = compiled
    tr = c.level.terms[k]
    target = tr.target_dscr
    other = np.delete(c.base_interest + c.inputs.scheduled_principal, k, axis=0).sum(axis=0)
    cfads = _after_tax_cfads(c)
    available = np.maximum(cfads - target * other, 0.0)  # room above the others
    end = min(tr.maturity, len(cfads) - 1)
    return sculpted_capacity(available, tr.periodic_rate, target, tr.io, end)


def sculpted_size(
    deal: Deal, tranche: str, target_dscr: float, case: Stress | None = None
) -> float:
    """Debt the tranche raises sculpted to ``target_dscr`` on the case's CFADS: the NPV at its
    rate of CFADS / target less the other tranches' debt service (fixed point with tax)."""
    if not target_dscr >= 1.0:
        raise StructuringError(f"sculpting target DSCR must be at least 1.0x, got {target_dscr!r}")
    d = deal if case is None else apply_stress(deal, case)
    d = d.copy()
    d.set_term(tranche, "amortisation", "sculpted")
    d.set_term(tranche, "target_dscr", float(target_dscr))
    notional = float(d.blocks[tranche].terms["notional"])
    for _ in range(60):
        c = compile_deal(resize(d, {tranche: notional}, rebalance_equity=False))
        k = [b.id for b in c.tranches].index(tranche)
        new = sculpted_capacity_of(c, k)
        if abs(new - notional) <= 1e-10 * max(new, 1.0):
            return new
        notional = new
    return notional


def largest(
    feasible: Callable[[float], bool],
    cap: float,
    lo: float = 0.0,
    hi: float | None = None,
    tol: float = REL_TOL,
    slack: Callable[[float], float | None] | None = None,
) -> tuple[float, str]:
    """The largest x in [0, cap] with ``feasible(x)`` (assumed to hold up to a point).

    ``lo`` / ``hi``: a bracket already known (``feasible(lo)`` holds when ``lo > 0``, ``hi``
    fails when below ``cap``); ``tol``: the width, as a share of ``cap``, to stop at.
    ``slack(x)``, asked after ``feasible(x)``: how far x is from the limit (>= 0 where it
    holds, None when it cannot say, e.g. a rating); with it the next trial is where the secant
    through the two latest slacks crosses zero (Dekker's method; regula falsi on the bracket
    when the secant leaves it), aimed half a tolerance to the feasible side so that the last
    step closes the bracket. The answer is the same to ``tol``; cover ratios, which move
    smoothly with the notional, need far fewer engine runs. A bisection step is taken after
    three interpolated ones in a row that did not halve the bracket.
    """
    hi = cap if hi is None else hi
    s_lo = s_hi = None
    if hi >= cap:
        if feasible(cap):
            return cap, "not binding up to the search cap"
        s_hi = slack(cap) if slack else None
    if lo <= 0.0:
        if not feasible(0.0):
            return 0.0, "fails even at zero"
        s_lo = slack(0.0) if slack else None
    last: list[tuple[float, float]] = []  # the two latest (x, slack), for the secant
    for end, value in ((0.0, s_lo), (cap, s_hi)):
        if value is not None:
            last.append((end, value))
    stuck = 0  # interpolated steps in a row that did not halve the bracket
    for _ in range(BISECTION_STEPS):
        width = hi - lo
        if width <= tol * cap:
            break
        x = 0.5 * (lo + hi)
        if stuck < 3 and len(last) == 2 and last[0][1] != last[1][1]:
            (x1, f1), (x2, f2) = last
            guess = x2 - f2 * (x2 - x1) / (f2 - f1)  # secant (Dekker): superlinear near it
            if not lo < guess < hi and s_lo is not None and s_hi is not None:
                guess = lo + width * s_lo / (s_lo - s_hi)  # regula falsi on the bracket
            # half a tolerance to the feasible side of the root; just past ``lo`` when the
            # root is within a tolerance of it: either closes the bracket
            guess -= 0.5 * tol * cap
            if guess <= lo + 0.25 * tol * cap:
                guess = lo + 0.95 * tol * cap
            if lo < guess < hi:
                x = guess
        ok = feasible(x)
        value = slack(x) if slack else None
        if ok:
            lo, s_lo = x, value
        else:
            hi, s_hi = x, value
        if value is not None:
            last = [*last[-1:], (x, value)]
        stuck = stuck + 1 if hi - lo > 0.5 * width else 0
    return lo, ("holds only at zero" if lo <= REL_TOL * cap else "")


def size_tranche(
    deal: Deal,
    tranche: str,
    constraints: list[Constraint],
    sculpt_dscr: float | None = None,
    case: Stress | None = None,
    case_name: str = "base",
    mc: MonteCarloConfig | None = None,
    runner: McRunner = local_runner,
    rebalance_equity: bool = True,
) -> SizingResult:
    """Size ``tranche`` (id, name, ``senior`` or ``junior``) to the tightest constraint."""
    tid = resolve(deal, tranche)
    if sculpt_dscr is None and not constraints:
        raise StructuringError("give at least one constraint (a target DSCR or a --constraint)")
    base = deal
    if sculpt_dscr is not None:  # the tranche is sculpted to the target from here on
        base = deal.copy()
        base.set_term(tid, "amortisation", "sculpted")
        base.set_term(tid, "target_dscr", float(sculpt_dscr))
    ev = Evaluator(base, case, mc, runner, rebalance_equity)
    current = float(deal.blocks[tid].terms["notional"])
    cap = search_cap(deal, current)
    caps: list[Capacity] = []
    if sculpt_dscr is not None:
        n = sculpted_size(base, tid, sculpt_dscr, case)
        caps.append(
            Capacity(
                f"sculpted to {sculpt_dscr:.2f}x DSCR on the {case_name} CFADS",
                n,
                "closed form: NPV of CFADS / target DSCR at the debt rate",
            )
        )
    for con in constraints:

        def ok(x: float, con: Constraint = con) -> bool:
            return con.holds(ev, ev.candidate({tid: x}))

        def slack(x: float, con: Constraint = con) -> float | None:
            return con.slack(ev, ev.candidate({tid: x}))

        n, note = largest(ok, cap, slack=slack)
        caps.append(Capacity(con.text, n, note))
    best = min(caps, key=lambda c: c.capacity)
    sized = ev.candidate({tid: best.capacity})
    checks = []
    for con in constraints:
        v = con.measure(ev, sized)
        checks.append({"constraint": con.text, "value": con.show(v), "holds": con.holds(ev, sized)})
    m = sized.metrics()
    keep = ("min_dscr", "avg_dscr", "llcr", "equity_irr", "ltv", "proceeds", "debt_loss")
    return SizingResult(
        tid,
        deal.blocks[tid].terms["name"],
        current,
        best.capacity,
        best.constraint,
        caps,
        checks,
        cap,
        case_name,
        sized.deal,
        {k: (None if isinstance(m[k], float) and math.isnan(m[k]) else m[k]) for k in keep},
    )
