"""Run a book on one simulated world, a chunk of paths at a time (streaming, bounded memory).

For each chunk: the world (core.portfolio.world), then each deal through the single-deal
Monte Carlo's staged pipeline: its own drivers (``core.risk.paths.make_drivers``, keyed by the
deal's own seed: terminations, renewals, residual haircut) with the market drivers recomputed
by the same compiled driver pass on the world's shocks and each counterparty's default period
set from the world's default time, then the engine's compile (``compile_deal(deal, drivers,
sized)``) and waterfall (``run_waterfall``). What a chunk keeps is a few numbers per path
(:class:`PortfolioChunk`); nothing per period leaves the chunk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.portfolio.holdco import run_holdco
from core.portfolio.plan import BookPlan, DealPlan
from core.portfolio.world import WorldChunk, deal_seed, draw_world
from core.risk.errors import RiskInputError
from core.risk.mcstats import compiled_stats
from core.risk.montecarlo import MonteCarloConfig
from core.risk.paths import MarketModel, driver_params, make_drivers
from core.risk.refimarket import refi_market, refi_rows

_CPUS = os.cpu_count() or 1
LOSS_EPS = 1e-6


#: a portfolio run's settings are a Monte Carlo's (paths, seed, chunk size, market model,
#: threads; its ``engine`` is not used: every deal runs the staged pipeline)
PortfolioConfig = MonteCarloConfig


@dataclass
class PortfolioChunk:
    """Per-path results of paths ``lo ..`` (rows), for the book's D deals + H holdcos and its C
    counterparties."""

    lo: int
    deal_loss: np.ndarray  # (n, D + H) loss on the positions held, USD m
    cp_loss: np.ndarray  # (n, C + 1) the same losses by the counterparty defaults behind them
    cp_default: np.ndarray  # (n, C) bool: defaulted within the book's horizon
    guarantee_paid: np.ndarray  # (n, C) paid by the counterparty's guarantees, all deals, USD m
    guarantee_deals: np.ndarray  # (n, C) int: deals in which they paid
    stress_share: np.ndarray  # (n,) share of months in the stress regime
    #: per deal: (K,) sums over the chunk's paths of each tranche's loss (whole tranche) and of
    #: the paths with a loss, for each deal's marginal statistics
    tranche_loss: list[np.ndarray]
    tranche_lossy: list[np.ndarray]
    holdco_default: np.ndarray  # (n, H) bool: the holdco missed a payment

    @property
    def n(self) -> int:
        return self.deal_loss.shape[0]


def concat(chunks: list[PortfolioChunk]) -> PortfolioChunk:
    """Chunks merged in path order (exact: rows are concatenated, sums added)."""
    chunks = sorted(chunks, key=lambda c: c.lo)
    cat = lambda name: np.concatenate([getattr(c, name) for c in chunks])  # noqa: E731
    sums = lambda name: [sum(x) for x in zip(*(getattr(c, name) for c in chunks), strict=True)]  # noqa: E731
    return PortfolioChunk(
        chunks[0].lo,
        cat("deal_loss"),
        cat("cp_loss"),
        cat("cp_default"),
        cat("guarantee_paid"),
        cat("guarantee_deals"),
        cat("stress_share"),
        sums("tranche_loss"),
        sums("tranche_lossy"),
        cat("holdco_default"),
    )


def _market(dp: DealPlan, world: WorldChunk, n_threads: int) -> dict[str, np.ndarray]:
    """The deal's market drivers on the world's shocks: its own driver pass on its months."""
    tl = dp.sized.timeline
    T, mpp = tl.n_periods, tl.months_per_period
    n = world.n
    out = {k: np.empty((n, T)) for k in ("rent", "util", "value", "btc", "rates")}
    share = np.empty(n)
    compiled_stats().driver_paths(
        **world.window(dp.offset, T * mpp, mpp), **dp.prm, **out, stress_share=share,
        n_threads=n_threads,
    )  # fmt: skip
    return out


def _default_periods(dp: DealPlan, world: WorldChunk) -> dict[str, np.ndarray]:
    """Each exposed credit's default period in the deal (T: not within its horizon)."""
    tl = dp.sized.timeline
    T, ppy = tl.n_periods, tl.periods_per_year
    out = {}
    for root, c in dp.exposed.items():
        years = world.default_years[:, c] - dp.offset / 12.0
        with np.errstate(invalid="ignore"):
            per = np.floor(np.clip(years, 0.0, T / ppy + 1.0) * ppy)
        out[root] = np.minimum(per, T).astype(np.int64)
    return out


@dataclass
class DealPaths:
    held_loss: np.ndarray  # (n,)
    tranche_loss: np.ndarray  # (n, K)
    guarantee_paid: dict[str, np.ndarray]  # guarantee id -> (n,)
    defaulted: dict[int, np.ndarray]  # counterparty index -> (n,) bool within the deal
    net_distribution: np.ndarray  # (n, T) equity distributions - injections


def run_deal_chunk(
    dp: DealPlan, world: WorldChunk, model: MarketModel, seed: int, n_threads: int
) -> DealPaths:
    """One deal's paths on the world's chunk."""
    n = world.n
    sized, deal = dp.sized, dp.position.deal
    drivers, _ = make_drivers(
        sized, model, deal_seed(seed, dp.index), n, "cython", n_threads, first_path=world.lo
    )
    m = _market(dp, world, n_threads)
    drivers.rent_factor, drivers.utilisation_factor = m["rent"], m["util"]
    drivers.gpu_value_factor, drivers.crypto_factor, drivers.base_rate = (
        m["value"], m["btc"], m["rates"],
    )  # fmt: skip
    if drivers.refi_advance_cut is not None:
        # the refinancing market shuts on the paths whose rent fell furthest: the world's rent
        # now, as in the single-deal Monte Carlo on its own (core.risk.refimarket)
        market = refi_market(
            driver_params(sized, model),
            model.refi_shut_prob,
            model.refi_wide_prob,
            model.refi_wide_spread,
        )
        drivers.refi_advance_cut, drivers.refi_spread_add = refi_rows(m["rent"], market)
    periods = _default_periods(dp, world) if model.lease_events else {}
    drivers.counterparties = dict(periods)
    compiled = compile_deal(deal, drivers, sized=sized)
    inp = compiled.inputs
    if inp.n_paths < n:
        inp = inp.with_paths(revenue=np.broadcast_to(inp.revenue, (n, inp.n_periods)))
    out = run_waterfall(inp, n_threads=n_threads)
    loss = out.writeoff.sum(axis=2)
    paid = {
        g: np.broadcast_to(compiled.guarantee_paid.get(g, np.zeros(1)), (n,)) for g in dp.guarantees
    }
    T = sized.timeline.n_periods
    defaulted = {dp.exposed[r]: per < T for r, per in periods.items()}
    return DealPaths(loss @ dp.shares, loss, paid, defaulted, out.distribution - out.injection)


def run_chunk(plan: BookPlan, config: PortfolioConfig, i: int) -> PortfolioChunk:
    """Chunk ``i`` of the run (paths ``config.chunk_range(i)``)."""
    lo, hi = config.chunk_range(i)
    n, model = hi - lo, config.model
    threads = int(config.n_threads or _CPUS)
    world = draw_world(
        config.seed, lo, n, plan.months, model, plan.credits, plan.book.market_loading, threads
    )
    D, H, C = len(plan.deals), len(plan.book.holdcos), len(plan.credits)
    deal_loss = np.zeros((n, D + H))
    cp_loss = np.zeros((n, C + 1))
    g_paid = np.zeros((n, C))
    g_deals = np.zeros((n, C), dtype=np.int32)
    t_loss, t_lossy = [], []
    upstream: dict[str, tuple[DealPlan, np.ndarray]] = {}
    owned = {pid for h in plan.book.holdcos for pid in h.owns}
    for dp in plan.deals:
        r = run_deal_chunk(dp, world, model, config.seed, threads)
        deal_loss[:, dp.index] = r.held_loss
        _attribute(cp_loss, r, C)
        called = np.zeros((n, C), dtype=bool)
        for g, (c, _cap, _kind) in dp.guarantees.items():
            if c >= 0:
                g_paid[:, c] += r.guarantee_paid[g]
                called[:, c] |= r.guarantee_paid[g] > LOSS_EPS
        g_deals += called
        t_loss.append(r.tranche_loss.sum(axis=0))
        t_lossy.append((r.tranche_loss > LOSS_EPS).sum(axis=0).astype(float))
        if dp.position.id in owned:
            upstream[dp.position.id] = (dp, r.net_distribution)
    h_default = np.zeros((n, H), dtype=bool)
    for h, holdco in enumerate(plan.book.holdcos):
        res = run_holdco(holdco, plan, world, upstream, model, threads)
        held = sum(res.loss[d.id] * holdco.shares.get(d.id, 0.0) for d in holdco.debt)
        deal_loss[:, D + h] = held
        h_default[:, h] = res.default_month >= 0
        cp_loss[:, C] += held  # the holdco's own waterfall: market and its SPVs' cash
    horizon = plan.months / 12.0
    return PortfolioChunk(
        lo, deal_loss, cp_loss, world.default_years < horizon, g_paid, g_deals,
        world.stress.mean(axis=1), t_loss, t_lossy, h_default,
    )  # fmt: skip


def _attribute(cp_loss: np.ndarray, r: DealPaths, C: int) -> None:
    """A deal's held loss on a path goes in equal parts to the counterparties it is exposed
    to that defaulted within its horizon on that path; with none, to column C (market and
    the deal's own events)."""
    if not r.defaulted:
        cp_loss[:, C] += r.held_loss
        return
    flags = np.zeros((r.held_loss.shape[0], C), dtype=bool)
    for c, d in r.defaulted.items():
        flags[:, c] |= d
    count = flags.sum(axis=1)
    each = np.where(count > 0, r.held_loss / np.maximum(count, 1), 0.0)
    cp_loss[:, :C] += flags * each[:, None]
    cp_loss[:, C] += np.where(count == 0, r.held_loss, 0.0)


def run_book(plan: BookPlan, config: PortfolioConfig, progress=None, cancel=None) -> PortfolioChunk:
    """Every chunk in one process, merged in path order."""
    config.validate()
    chunks = []
    for i in range(config.n_chunks):
        if cancel is not None and cancel():
            raise RiskInputError(f"cancelled after {i} of {config.n_chunks} chunks")
        chunks.append(run_chunk(plan, config, i))
        if progress is not None:
            progress(config.chunk_range(i)[1], config.n_paths)
    return concat(chunks)
