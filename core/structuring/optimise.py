"""Capital-structure optimiser: tranche sizes (and optionally an amortisation profile and DSRA
months) that maximise an objective under constraints, with the frontier it explored.

Objectives: ``equity_irr`` (maximise), ``proceeds`` (total debt, maximise), ``wacd``
(notional-weighted yield of the debt, minimise). The search, per structure option:

* the tranches are sized in seniority order; each tranche but the last runs over a grid of
  ``grid`` sizes from 0 to the largest size the *tightening* constraints allow with the
  tranches below it at zero, the last tranche over three points from 0 to its own largest
  size given the others (each largest size by ``sizing.largest``: regula falsi on the
  constraints' slack where they have one, else bisection);
* the best feasible point is refined twice on a grid four times finer around it.

With a spread grid by rating (:mod:`core.structuring.pricing`) every candidate's sized
tranches pay the spread of their implied rating, so a bigger, worse-rated tranche costs more
and the objective sees it.

Tightening constraints are those that can only get harder as a tranche grows (a floor on a
cover ratio or a rating, a cap on leverage, loss, PD, EL or the repayment date); the others
(a floor on proceeds, say) are checked on every point. Monte Carlo constraints run every
candidate on the same seed and paths (common random numbers), so two candidates differ by
their structure, not by noise.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from core.model.deal import Deal
from core.risk.montecarlo import MonteCarloConfig
from core.structuring.candidate import (
    Candidate,
    Evaluator,
    McRunner,
    StructuringError,
    local_runner,
    tranches,
)
from core.structuring.constraints import Constraint, least_slack
from core.structuring.sizing import largest, search_cap

#: objective -> (direction, label)
OBJECTIVES: dict[str, tuple[str, str]] = {
    "equity_irr": ("max", "equity IRR"),
    "proceeds": ("max", "debt proceeds"),
    "wacd": ("min", "weighted cost of debt"),
}
GROWING = {"proceeds", "notional", "ltv", "max_ltv", "advance_rate", "debt_loss", "pd", "el"}
SHRINKING = {"min_dscr", "avg_dscr", "llcr", "plcr", "rating"}
INNER_POINTS = 3
COARSE = 1e-5  # width of the first grid's bounds, as a share of the search cap
FINE = 1e-7  # the best point's last tranche is solved to this
MAX_COMBINATIONS = 400


def tightening(c: Constraint) -> bool:
    """True when the constraint can only get harder as a tranche grows."""
    if c.metric == "repaid":
        return c.op == "<="
    return (c.metric in GROWING and c.op == "<=") or (c.metric in SHRINKING and c.op == ">=")


@dataclass
class Point:
    """One explored structure."""

    option: str
    notionals: dict[str, float]
    objective: float
    feasible: bool
    failed: list[str]
    metrics: dict[str, Any]

    def to_dict(self) -> dict:
        return {
            "option": self.option,
            "notionals": self.notionals,
            "objective": self.objective,
            "feasible": self.feasible,
            "failed": self.failed,
            "metrics": self.metrics,
        }


@dataclass
class OptimiseResult:
    objective: str
    constraints: list[str]
    best: Point | None
    frontier: list[Point]
    deal: Deal | None = field(repr=False, default=None)  # the best structure
    changes: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # id, field, old, new
    runs: int = 0
    mc_runs: int = 0

    def to_dict(self) -> dict:
        return {
            "objective": self.objective,
            "direction": OBJECTIVES[self.objective][0],
            "constraints": self.constraints,
            "best": self.best.to_dict() if self.best else None,
            "changes": [
                {"block": b, "field": f, "from": old, "to": new} for b, f, old, new in self.changes
            ],
            "frontier": [p.to_dict() for p in self.frontier],
            "engine_runs": self.runs,
            "monte_carlo_runs": self.mc_runs,
        }


def _score(objective: str, value: float) -> float:
    if value is None or not math.isfinite(value):
        return -math.inf
    return value if OBJECTIVES[objective][0] == "max" else -value


def diff(before: Deal, after: Deal) -> list[tuple[str, str, Any, Any]]:
    """Every block term that differs: (block id, field, old, new)."""
    out = []
    for bid, b in after.blocks.items():
        old = before.blocks[bid].terms
        for k, v in b.terms.items():
            if old.get(k) != v:
                out.append((bid, k, old.get(k), v))
    return out


def _options(
    deal: Deal, ids: list[str], amortisations: list[str], dsra_months: list[float]
) -> list[tuple[str, Deal]]:
    """The structure options: each amortisation profile x each DSRA size (the deal's own when
    none is given)."""
    reserve = deal.of_kind("reserve")
    if dsra_months and not reserve:
        raise StructuringError("--dsra-months: the deal has no debt service reserve block")
    out = []
    for amort, months in itertools.product(amortisations or [None], dsra_months or [None]):
        d = deal.copy()
        label = []
        if amort is not None:
            for tid in ids:
                d.set_term(tid, "amortisation", amort)
            label.append(amort)
        if months is not None:
            d.set_term(reserve[0].id, "target_months", months)
            label.append(f"DSRA {months:g} months")
        out.append((", ".join(label) or "as is", d))
    return out


class _Search:
    def __init__(self, ev: Evaluator, ids, objective, constraints, label, grid) -> None:
        self.ev, self.ids, self.objective, self.constraints = ev, ids, objective, constraints
        self.label, self.grid = label, grid
        self.tight = [c for c in constraints if tightening(c)]
        self.points: dict[tuple, Point] = {}
        self.bounds: dict[tuple, float] = {}  # the others' sizes -> the last tranche's bound
        self.cap = search_cap(ev.deal, sum(ev.deal.blocks[t].terms["notional"] for t in ids))

    def _holds(self, cons, notionals) -> bool:
        c = self.ev.candidate(notionals)
        return all(k.holds(self.ev, c) for k in cons)

    def _slack(self, notionals: dict[str, float]) -> float | None:
        """The tightest tightening constraint's slack (None if one cannot say)."""
        return least_slack(self.tight, self.ev, self.ev.candidate(notionals))

    def bound(self, fixed: dict[str, float], tid: str, tol: float = COARSE) -> float:
        """Largest size of ``tid`` with ``fixed`` for the others (tightening constraints),
        bracketed by the bounds already found: more of the others can only lower it."""
        others = tuple(fixed[t] for t in self.ids if t != tid)
        lo, hi = 0.0, self.cap
        for combo, b in self.bounds.items():
            if len(combo) != len(others):
                continue
            if all(c >= o for c, o in zip(combo, others, strict=True)) and b > 0:
                lo = max(lo, b)
            if all(c <= o for c, o in zip(combo, others, strict=True)) and b < self.cap:
                hi = min(hi, b * (1 + 2 * tol) + tol * self.cap)
        hi = max(hi, lo)
        n, _ = largest(
            lambda x: self._holds(self.tight, {**fixed, tid: x}),
            self.cap,
            lo,
            hi,
            tol,
            lambda x: self._slack({**fixed, tid: x}),
        )
        if len(others) == len(self.ids) - 1:
            self.bounds[others] = n
        return n

    def point(self, notionals: dict[str, float]) -> Point:
        key = self.ev.key(notionals)
        if key not in self.points:
            c: Candidate = self.ev.candidate(notionals)
            failed = [k.text for k in self.constraints if not k.holds(self.ev, c)]
            m = c.metrics()
            keep = ("min_dscr", "avg_dscr", "llcr", "equity_irr", "ltv", "proceeds", "wacd")
            metrics = {k: (None if isinstance(m[k], float) and math.isnan(m[k]) else m[k])
                       for k in keep}  # fmt: skip
            for tid in self.ids if c.ratings else ():
                metrics[f"{tid}.rating"] = c.ratings[tid].rating
                metrics[f"{tid}.rating_sp"] = c.ratings[tid].sp
                metrics[f"{tid}.el"] = c.ratings[tid].expected_loss
            value = m[self.objective]
            self.points[key] = Point(
                self.label,
                {t: round(notionals[t], 6) for t in self.ids},
                None if not math.isfinite(value) else value,
                not failed,
                failed,
                metrics,
            )
        return self.points[key]

    def explore(self, outer: list[list[float]], tol: float = COARSE) -> None:
        """Every combination of the outer grids, the last tranche on its inner points."""
        combos = list(itertools.product(*outer))[:MAX_COMBINATIONS]
        last = self.ids[-1]
        for combo in combos:
            fixed = dict(zip(self.ids[:-1], combo, strict=True))
            top = self.bound({**fixed}, last, tol)
            for i in range(INNER_POINTS):
                self.point({**fixed, last: top * i / (INNER_POINTS - 1)})

    def best(self) -> Point | None:
        feasible = [p for p in self.points.values() if p.feasible]
        if not feasible:
            return None
        return max(
            feasible,
            key=lambda p: (_score(self.objective, p.objective), p.metrics["proceeds"] or 0.0),
        )

    def run(self) -> None:
        outer, steps = [], []
        for i, tid in enumerate(self.ids[:-1]):
            zeros = {t: 0.0 for t in self.ids[i + 1 :]}
            top = self.bound(zeros, tid)
            outer.append([top * j / (self.grid - 1) for j in range(self.grid)])
            steps.append(top / (self.grid - 1) if self.grid > 1 else 0.0)
        self.explore(outer)
        for _ in range(2):  # refine around the best point
            b = self.best()
            if b is None or not steps:
                break
            steps = [s / 4 for s in steps]
            outer = [
                sorted({max(b.notionals[t] + j * s, 0.0) for j in (-2, -1, 0, 1, 2)})
                for t, s in zip(self.ids[:-1], steps, strict=True)
            ]
            self.explore(outer, tol=COARSE / 16)
        b = self.best()
        if b is not None and b.notionals[self.ids[-1]] > 0:  # the best, solved finely
            fixed = {t: b.notionals[t] for t in self.ids[:-1]}
            top = largest(
                lambda x: self._holds(self.tight, {**fixed, self.ids[-1]: x}),
                self.cap,
                b.notionals[self.ids[-1]],
                min(b.notionals[self.ids[-1]] * (1 + 1e-3) + COARSE * self.cap, self.cap),
                FINE,
                lambda x: self._slack({**fixed, self.ids[-1]: x}),
            )[0]
            self.point({**fixed, self.ids[-1]: top})


def optimise(
    deal: Deal,
    objective: str,
    constraints: list[Constraint],
    tranche_ids: list[str] | None = None,
    amortisations: list[str] | None = None,
    dsra_months: list[float] | None = None,
    mc: MonteCarloConfig | None = None,
    runner: McRunner = local_runner,
    grid: int = 7,
    rebalance_equity: bool = True,
    spread_grid: dict[str, float] | None = None,
) -> OptimiseResult:
    """Search tranche sizes (per structure option) for the best ``objective``."""
    if objective not in OBJECTIVES:
        raise StructuringError(
            f"unknown objective {objective!r}; expected one of {', '.join(OBJECTIVES)}"
        )
    if grid < 2:
        raise StructuringError(f"--grid must be at least 2, got {grid}")
    order = [b.id for b in tranches(deal)]
    ids = [t for t in order if t in (tranche_ids or order)]
    if not ids:
        raise StructuringError("no tranche to size")
    frontier: list[Point] = []
    best, best_ev = None, None
    runs = mc_runs = 0
    for label, d in _options(deal, ids, amortisations or [], dsra_months or []):
        ev = Evaluator(d, None, mc, runner, rebalance_equity, spread_grid, ids)
        s = _Search(ev, ids, objective, constraints, label, grid)
        s.run()
        runs, mc_runs = runs + ev.runs, mc_runs + ev.mc_runs
        frontier.extend(s.points.values())
        b = s.best()
        if b is not None and (
            best is None or _score(objective, b.objective) > _score(objective, best.objective)
        ):
            best, best_ev = b, ev
    frontier.sort(key=lambda p: (p.option, sum(p.notionals.values())))
    result = OptimiseResult(objective, [c.text for c in constraints], best, frontier)
    result.runs, result.mc_runs = runs, mc_runs
    if best is not None:
        result.deal = best_ev.candidate(best.notionals).deal
        result.changes = diff(deal, result.deal)
    return result
