"""A candidate structure: the deal with some tranche notionals changed, and its numbers.

Changing a tranche's notional keeps sources equal to uses: the equity classes give up (or
take up) the difference pro rata to their amounts, never below zero; debt beyond the uses is
a distribution at close, as the engine books it. Every number comes from the engine: the base
case (or a stressed case with the debt sized on the base case, as
:func:`core.risk.stress.run_stressed`) and, when a constraint needs it, a Monte Carlo run
with a fixed seed, so every candidate sees the same paths (common random numbers: a path's
stream is keyed by the seed and the path's index, :mod:`core.risk.streams`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from core.engine.results import DealResult, run_deal
from core.model.deal import Deal
from core.risk.errors import RiskInputError
from core.risk.montecarlo import MonteCarloConfig, MonteCarloResult, run_montecarlo
from core.risk.stress import Stress, run_stressed
from core.structuring.implied_rating import ImpliedRating, target_of, tranche_ratings

#: runs a Monte Carlo of a deal (the CLI passes a Dask runner when a scheduler is given)
McRunner = Callable[[Deal, MonteCarloConfig], MonteCarloResult]


class StructuringError(RiskInputError):
    """Bad structuring input (unknown tranche, metric or constraint); the message names it
    (a :class:`~core.model.errors.DealError`: the command line exits 2 with it)."""


def local_runner(deal: Deal, config: MonteCarloConfig) -> MonteCarloResult:
    return run_montecarlo(deal, config)


def tranches(deal: Deal) -> list:
    """The deal's tranche blocks in seniority order (the engine's order)."""
    return sorted(deal.of_kind("tranche"), key=lambda b: (b.terms["seniority"], b.id))


def resolve(deal: Deal, ref: str) -> str:
    """A tranche's block id from ``ref``: its id, its name, ``senior`` (rank first) or
    ``junior`` (rank last)."""
    ts = tranches(deal)
    if not ts:
        raise StructuringError("the deal has no debt tranche")
    if ref == "senior":
        return ts[0].id
    if ref == "junior":
        return ts[-1].id
    for b in ts:
        if ref in (b.id, b.terms["name"]):
            return b.id
    names = ", ".join(f"{b.id} ({b.terms['name']})" for b in ts)
    raise StructuringError(f"unknown tranche {ref!r}; expected senior, junior or one of {names}")


def resize(deal: Deal, notionals: dict[str, float], rebalance_equity: bool = True) -> Deal:
    """A copy of ``deal`` with the tranches' notionals set (sources kept equal to uses)."""
    d = deal.copy()
    delta = 0.0
    for tid, n in notionals.items():
        if not math.isfinite(n) or n < 0:
            raise StructuringError(f"tranche {tid}: notional must be 0 or more, got {n!r}")
        t = d.blocks[tid].terms
        if t.get("availability_months", 0) > 0:  # a delayed-draw commitment: its draws scale
            scale = n / t["notional"] if t["notional"] > 0 else 0.0
            at_close = [
                a for m, a in zip(t["draw_months"], t["draw_amounts"], strict=True) if m == 0
            ]
            delta += sum(at_close) * (scale - 1.0)  # what closing needs is the closing draw
            d.set_term(tid, "draw_amounts", [a * scale for a in t["draw_amounts"]])
        else:
            delta += n - t["notional"]
        d.set_term(tid, "notional", float(n))
    equity = d.of_kind("equity")
    total = sum(b.terms["amount"] for b in equity)
    if rebalance_equity and equity and total > 0 and delta:
        scale = max(total - delta, 0.0) / total
        for b in equity:
            d.set_term(b.id, "amount", b.terms["amount"] * scale)
    return d


def cost_of_debt(res: DealResult) -> float:
    """Notional-weighted yield of the debt (NaN without debt)."""
    tm = res.tranche_metrics
    total = float(tm["notional"].sum())
    return float((tm["notional"] * tm["yield"]).sum() / total) if total > 0 else math.nan


@dataclass
class Candidate:
    """One structure and its numbers (the Monte Carlo only once asked for)."""

    deal: Deal
    notionals: dict[str, float]
    result: DealResult
    mc: MonteCarloResult | None = None
    ratings: dict[str, ImpliedRating] = field(default_factory=dict)

    def metrics(self) -> dict[str, float]:
        m = dict(self.result.metrics)
        m["proceeds"] = m["total_debt"]
        m["ltv"] = m["ltv_at_close"]
        m["wacd"] = cost_of_debt(self.result)
        return m


class Evaluator:
    """Builds and caches candidates of one deal; the same seed and paths for every one."""

    def __init__(
        self,
        deal: Deal,
        case: Stress | None = None,
        mc: MonteCarloConfig | None = None,
        runner: McRunner = local_runner,
        rebalance_equity: bool = True,
        spread_grid: dict[str, float] | None = None,
        priced: list[str] | None = None,
    ) -> None:
        self.deal, self.case, self.mc_config, self.runner = deal, case, mc, runner
        self.rebalance_equity = rebalance_equity
        #: coupons by implied rating (core.structuring.pricing) for the ``priced`` tranches
        self.spread_grid, self.priced = spread_grid, list(priced or [])
        if spread_grid and mc is None:
            raise StructuringError("a spread grid prices by implied rating: it needs --paths")
        self._cache: dict[tuple, Candidate] = {}
        self.runs = 0
        self.mc_runs = 0

    def key(self, notionals: dict[str, float]) -> tuple:
        return tuple(sorted((k, round(v, 9)) for k, v in notionals.items()))

    def candidate(self, notionals: dict[str, float]) -> Candidate:
        k = self.key(notionals)
        if k not in self._cache:
            d = resize(self.deal, notionals, self.rebalance_equity)
            c = self._build(d, notionals)
            self._cache[k] = self._priced(c) if self.spread_grid else c
        return self._cache[k]

    def _build(self, d: Deal, notionals: dict[str, float]) -> Candidate:
        res = run_deal(d) if self.case is None else run_stressed(d, self.case)
        self.runs += 1
        return Candidate(d, dict(notionals), res)

    def _priced(self, c: Candidate) -> Candidate:
        """``c`` with each priced tranche paying its implied rating's grid spread (a fixed
        point; the highest spread seen if it does not settle)."""
        from core.structuring.pricing import MAX_ROUNDS, grid_spread, margin, set_margin

        highest: dict[str, float] = {}
        for _ in range(MAX_ROUNDS):
            self.with_mc(c)
            want = {t: grid_spread(self.spread_grid, c.ratings[t]) for t in self.priced}
            for t, v in want.items():
                highest[t] = max(highest.get(t, v), v)
            if all(abs(margin(c.deal, t) - v) < 1e-12 for t, v in want.items()):
                return c
            d = c.deal.copy()
            for t, v in want.items():
                set_margin(d, t, v)
            c = self._build(d, c.notionals)
        d = c.deal.copy()
        for t, v in highest.items():
            set_margin(d, t, v)
        return self.with_mc(self._build(d, c.notionals))

    def with_mc(self, c: Candidate) -> Candidate:
        """``c`` with its Monte Carlo and implied ratings (run once, same seed as every other)."""
        if c.mc is None:
            if self.mc_config is None:
                raise StructuringError("a Monte Carlo constraint needs --paths above 0")
            c.mc = self.runner(c.deal, self.mc_config)
            self.mc_runs += 1
            base = c.result if self.case is None else run_deal(c.deal)
            wal = [float(w) for w in base.tranche_metrics["wal_years"]]
            blocks = c.result.compiled.tranches
            rated = tranche_ratings(c.mc, wal)
            c.ratings = {b.id: replace(r, target=target_of(b))
                         for b, r in zip(blocks, rated, strict=True)}  # fmt: skip
        return c
