"""Monte Carlo: N paths of every risk driver together through the batched waterfall.

Paths are streamed in chunks (``chunk_size`` paths): each chunk draws its drivers
(:mod:`core.risk.paths`) from its own random stream, ``SeedSequence(seed, spawn_key=(i,))``
for chunk ``i``, compiles them against the base-case schedules (sized once per run), runs the
Cython kernel on all cores and keeps only per-path scalars and per-period histograms
(:mod:`core.risk.mcstats`). The result depends only on ``(deal, model, n_paths, seed,
chunk_size)``: running the chunks in another order, another process or on a Dask cluster
(:mod:`core.risk.distributed`) gives byte-identical JSON.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace

import numpy as np

from core.engine.arrays import EngineOutputs
from core.engine.compile import CompiledDeal, compile_deal
from core.engine.kernel import run_waterfall
from core.model.deal import Deal
from core.risk.errors import RiskInputError
from core.risk.mcstats import DSCR_EDGES, Accumulator, Bins, ChunkStats, chunk_stats
from core.risk.paths import MarketModel, make_drivers

_CPUS = os.cpu_count() or 1
PERCENTILES = (1, 5, 10, 25, 50, 75, 90, 95, 99)
LOSS_BINS = np.linspace(0.0, 1.0, 21)  # share of notional


class MonteCarloCancelled(Exception):
    """Raised when the ``cancel`` callback asks the run to stop."""


@dataclass(frozen=True)
class MonteCarloConfig:
    n_paths: int = 10_000
    seed: int = 0
    chunk_size: int = 4096
    model: MarketModel = field(default_factory=MarketModel)
    n_threads: int | None = None  # OpenMP threads per kernel call (None: cores / workers)
    #: chunks run at once on threads (None: one per core); results do not depend on it
    workers: int | None = None
    engine: str = "cython"

    def validate(self) -> None:
        if not isinstance(self.n_paths, int) or self.n_paths < 1:
            raise RiskInputError(f"--paths must be a positive whole number, got {self.n_paths!r}")
        if not isinstance(self.chunk_size, int) or self.chunk_size < 1:
            raise RiskInputError(
                f"--chunk must be a positive whole number, got {self.chunk_size!r}"
            )
        if self.n_threads is not None and (
            not isinstance(self.n_threads, int) or self.n_threads < 1
        ):
            raise RiskInputError(f"--threads must be at least 1, got {self.n_threads!r}")
        if self.workers is not None and (not isinstance(self.workers, int) or self.workers < 1):
            raise RiskInputError(f"workers must be a positive whole number, got {self.workers!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise RiskInputError(f"--seed must be a non-negative whole number, got {self.seed!r}")
        self.model.validate()

    @property
    def n_chunks(self) -> int:
        return -(-self.n_paths // self.chunk_size)

    def chunk_range(self, i: int) -> tuple[int, int]:
        lo = i * self.chunk_size
        return lo, min(lo + self.chunk_size, self.n_paths)


def cfads_bins(sized: CompiledDeal) -> Bins:
    """CFADS histogram bins: 1,600 bins over +-2x the base case's largest |revenue|."""
    scale = float(np.abs(sized.inputs.revenue).max()) or 1.0
    return Bins(np.linspace(-2.0 * scale, 2.0 * scale, 1601))


def run_chunk(
    deal: Deal,
    sized: CompiledDeal,
    config: MonteCarloConfig,
    i: int,
    buffers: dict[int, EngineOutputs] | None = None,
) -> ChunkStats:
    """Draw, compile, run and reduce chunk ``i`` (paths ``config.chunk_range(i)``).

    ``buffers`` (chunk size -> engine outputs) lets consecutive chunks reuse the kernel's
    output arrays instead of allocating (and page-faulting) ~300 MB per chunk.
    """
    lo, hi = config.chunk_range(i)
    rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(i,)))
    drivers, stress_share = make_drivers(
        sized, config.model, rng, hi - lo, n_threads=config.n_threads
    )
    compiled = compile_deal(deal, drivers, sized=sized)
    n = hi - lo
    inp = compiled.inputs
    if inp.n_paths < n:  # every path identical (drivers off): compile shares one row
        inp = inp.with_paths(revenue=np.broadcast_to(inp.revenue, (n, inp.n_periods)))
    out = None
    if buffers is not None and config.engine == "cython":
        out = buffers.get(n)
        if out is None:
            out = buffers[n] = EngineOutputs.empty(n, inp.n_tranches, inp.n_periods)
    out = run_waterfall(inp, engine=config.engine, n_threads=config.n_threads, out=out)
    rvg = np.zeros(n)
    backstop = np.zeros(n)
    for g in deal.of_kind("guarantee"):
        paid = compiled.guarantee_paid.get(g.id)
        if paid is None:
            continue
        paid = np.broadcast_to(paid, (n,))
        if g.terms["guarantee_type"] == "rvg":
            rvg += paid
        else:
            backstop += paid
    eq = sum(b.terms["amount"] for b in sized.equity)
    return chunk_stats(
        i,
        out,
        sized.inputs.notional,
        eq,
        sized.timeline.periods_per_year,
        cfads_bins(sized),
        rvg,
        backstop,
        stress_share,
        config.n_threads,
    )


def run_montecarlo(
    deal: Deal,
    config: MonteCarloConfig,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    sized_on: Deal | None = None,
) -> MonteCarloResult:
    """Run ``config.n_paths`` paths in chunks; ``progress(done, total)`` after each chunk.

    ``cancel()`` is checked before each chunk; when it returns True the run stops with
    :class:`MonteCarloCancelled`. ``sized_on``: for a stressed copy of a deal, the unstressed
    deal, whose debt schedules and DSRA target every path then uses.
    """
    config.validate()
    sized = base_case(deal, sized_on)
    workers = min(config.workers or _CPUS, config.n_chunks)
    if workers <= 1:
        acc = Accumulator()
        buffers: dict[int, EngineOutputs] = {}
        for i in range(config.n_chunks):
            if cancel is not None and cancel():
                raise MonteCarloCancelled(f"cancelled after {i} of {config.n_chunks} chunks")
            acc.add(run_chunk(deal, sized, config, i, buffers))
            if progress is not None:
                progress(config.chunk_range(i)[1], config.n_paths)
        return build_result(sized, config, acc.result())
    return _run_threaded(deal, sized, config, workers, progress, cancel)


def base_case(deal: Deal, sized_on: Deal | None = None) -> CompiledDeal:
    """``deal`` compiled without drivers, its debt sized on ``sized_on`` (default: itself)."""
    if sized_on is None:
        return compile_deal(deal)
    return compile_deal(deal, sized=compile_deal(sized_on))


def _run_threaded(deal, sized, config, workers, progress, cancel) -> MonteCarloResult:
    """Chunks on ``workers`` threads at once (the kernel and NumPy release the GIL), each
    kernel call on ``cores / workers`` OpenMP threads; merged in chunk order as usual."""
    local = threading.local()
    threads = config.n_threads or max(1, _CPUS // workers)
    cfg = replace(config, n_threads=threads)

    def task(i: int) -> ChunkStats:
        if not hasattr(local, "buffers"):
            local.buffers = {}
        return run_chunk(deal, sized, cfg, i, local.buffers)

    acc = Accumulator()
    done = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending = set()
        next_i = 0
        while next_i < config.n_chunks or pending:
            while next_i < config.n_chunks and len(pending) < workers:
                if cancel is not None and cancel():
                    for f in pending:
                        f.cancel()
                    raise MonteCarloCancelled(
                        f"cancelled after {len(acc)} of {config.n_chunks} chunks"
                    )
                pending.add(pool.submit(task, next_i))
                next_i += 1
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                stats = f.result()
                acc.add(stats)
                done += stats.n
                if progress is not None:
                    progress(done, config.n_paths)
    return build_result(sized, config, acc.result())


def _pct(values: np.ndarray) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {f"p{p}": math.nan for p in PERCENTILES}
    q = np.percentile(finite, PERCENTILES)
    return {f"p{p}": float(v) for p, v in zip(PERCENTILES, q, strict=True)}


@dataclass
class MonteCarloResult:
    deal: str
    config: MonteCarloConfig
    tranches: list[dict]
    min_dscr: dict[str, float]
    equity_irr: dict[str, float]
    equity_irr_undefined: float  # share of paths with no IRR (no sign change)
    covenant_breach: dict[str, float]
    fan: dict[str, dict[str, list[float]]]  # "dscr"/"cfads" -> percentile -> per period
    dates: list[str]
    loss_histogram: dict[str, list[float]]  # total debt loss as a share of total debt
    sponsor: dict[str, float]
    stats: ChunkStats = field(repr=False)

    def to_dict(self) -> dict:
        cfg = self.config
        return {
            "deal": self.deal,
            "paths": cfg.n_paths,
            "seed": cfg.seed,
            "chunk_size": cfg.chunk_size,
            "model": cfg.model.to_dict(),
            "tranches": self.tranches,
            "min_dscr": self.min_dscr,
            "equity_irr": self.equity_irr,
            "equity_irr_undefined": self.equity_irr_undefined,
            "covenant_breach_probability": self.covenant_breach,
            "fan": self.fan,
            "dates": self.dates,
            "loss_histogram": self.loss_histogram,
            "sponsor": self.sponsor,
            "probability_definition": "write-off, shortfall in any period, or acceleration "
            "while outstanding after the period's payments",
        }

    def to_json(self, indent: int | None = None) -> str:
        """Deterministic JSON: sorted keys, floats to 10 significant digits, NaN as null."""
        return json.dumps(_round(self.to_dict()), sort_keys=True, indent=indent, allow_nan=False)


def _round(v):
    if isinstance(v, dict):
        return {str(k): _round(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_round(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return float(f"{v:.10g}") if math.isfinite(v) else None
    return v


def build_result(sized: CompiledDeal, config: MonteCarloConfig, s: ChunkStats) -> MonteCarloResult:
    """Turn merged statistics into the result (PD, EL, LGD, percentiles, fans)."""
    notional = sized.inputs.notional
    tranches = []
    for k, b in enumerate(sized.tranches):
        share = s.loss[:, k] / notional[k] if notional[k] > 0 else np.zeros(s.n)
        pd_ = float(s.default[:, k].mean())
        el = float(share.mean())
        tranches.append(
            {
                "name": b.terms["name"],
                "notional": float(notional[k]),
                "probability_of_default": pd_,
                "expected_loss": el,
                "expected_loss_usd_m": float(s.loss[:, k].mean()),
                "loss_given_default": el / pd_ if pd_ > 0 else math.nan,
                "probability_of_loss": float((s.loss[:, k] > 1e-6).mean()),
            }
        )
    qs = [p / 100 for p in PERCENTILES]
    dscr_q = Bins(DSCR_EDGES).quantiles(s.dscr_hist, qs)
    cf_q = cfads_bins(sized).quantiles(s.cfads_hist, qs)
    debt = float(notional.sum())
    total = s.loss.sum(axis=1) / debt if debt > 0 else np.zeros(s.n)
    counts = np.histogram(np.clip(total, 0, 1), LOSS_BINS)[0]
    return MonteCarloResult(
        sized.deal.name,
        config,
        tranches,
        _pct(s.min_dscr),
        _pct(s.equity_irr),
        float(np.isnan(s.equity_irr).mean()),
        {k: float(v.mean()) for k, v in s.breaches.items()},
        {
            "dscr": {f"p{p}": dscr_q[i].tolist() for i, p in enumerate(PERCENTILES)},
            "cfads": {f"p{p}": cf_q[i].tolist() for i, p in enumerate(PERCENTILES)},
        },
        [d.isoformat() for d in sized.timeline.end_dates],
        {"edges": LOSS_BINS.tolist(), "probability": (counts / s.n).tolist()},
        {
            "expected_rvg_paid": float(s.rvg_paid.mean()),
            "probability_rvg_called": float((s.rvg_paid > 1e-6).mean()),
            "expected_backstop_paid": float(s.backstop_paid.mean()),
            "probability_backstop_paid": float((s.backstop_paid > 1e-6).mean()),
            "stress_regime_share": float(s.stress_share.mean()),
        },
        s,
    )
