"""Monte Carlo: N paths of every risk driver together through the batched waterfall.

Paths are streamed in chunks (``chunk_size`` paths). Every path has its own random stream,
keyed by the seed and the path's index in the run (:mod:`core.risk.streams`), and every path
runs against the base-case debt schedules (sized once per run). ``engine="cython"`` (the
default) runs each chunk through the fused compiled kernel (``core/risk/_mckernel.pyx``):
draws, drivers, the per-path compile, the waterfall and the statistics in one pass per path,
keeping only per-path scalars and per-period histograms (:mod:`core.risk.mcstats`).
The fused kernel's per-path compile is the engine's own (``core/engine/_pathcompile.pxi``, the
code ``compile_deal`` runs), with the deal-level plan of :mod:`core.risk.mcplan`.
``"staged"`` runs the same paths through the separate steps (:func:`core.risk.paths.make_drivers`,
the NumPy reference compile ``compile_deal(deal, drivers, sized)``, the Cython waterfall,
:func:`chunk_stats`) and ``"reference"`` through the NumPy drivers, the NumPy compile and the
NumPy waterfall: the specifications the fused kernel is tested against. The result depends
only on ``(deal, model, n_paths, seed)``: chunk size, thread count, chunk order, another
process or a Dask cluster (:mod:`core.risk.distributed`) give byte-identical JSON.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from core.engine.arrays import EngineOutputs
from core.engine.compile import CompiledDeal, compile_deal
from core.engine.draws import exposure
from core.engine.kernel import run_waterfall
from core.engine.metrics import irr
from core.limits import check_paths
from core.model.deal import Deal
from core.risk import causes
from core.risk.errors import RiskInputError
from core.risk.mcplan import build_plan
from core.risk.mcstats import (
    BREACHES,
    DSCR_EDGES,
    EPS,
    Accumulator,
    Bins,
    ChunkStats,
    causes_of,
    chunk_stats,
    compiled_kernel,
)
from core.risk.paths import (
    MarketModel,
    driver_params,
    make_drivers,
    path_event_kinds,
)
from core.risk.refimarket import refi_market
from core.risk.streams import stream_key

if TYPE_CHECKING:
    from core.risk._mckernel import PathModel

_CPUS = os.cpu_count() or 1
PERCENTILES = (1, 5, 10, 25, 50, 75, 90, 95, 99)
LOSS_BINS = np.linspace(0.0, 1.0, 21)  # share of notional


ENGINES = ("cython", "staged", "reference")


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
    engine: str = "cython"  # "cython" (fused kernel), "staged" or "reference" (NumPy)

    def validate(self) -> None:
        if self.engine not in ENGINES:
            raise RiskInputError(f"engine must be one of {ENGINES}, got {self.engine!r}")
        if not isinstance(self.n_paths, int) or self.n_paths < 1:
            raise RiskInputError(f"--paths must be a positive whole number, got {self.n_paths!r}")
        check_paths(self.n_paths)  # every Monte Carlo, whichever command or window runs it
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


def path_model(sized: CompiledDeal, model: MarketModel) -> PathModel:
    """The fused kernel's :class:`~core.risk._mckernel.PathModel` for one run: the base case,
    its per-path compile plan, the driver parameters and the statistics layout."""
    edges = [
        (float(e[0]), float((e[-1] - e[0]) / (len(e) - 1)), len(e))
        for e in (DSCR_EDGES, cfads_bins(sized).edges)
    ]
    prm = driver_params(sized, model)
    refi = None
    if sized.inputs.refi_on is not None:  # the refinancing market (core.risk.refimarket)
        refi = refi_market(prm, model.refi_shut_prob, model.refi_wide_prob, model.refi_wide_spread)
    return compiled_kernel().PathModel(
        sized.inputs,
        build_plan(sized, model),
        prm,
        path_event_kinds(sized, model),
        model.gen_surprise_rate,
        _equity(sized),
        *edges,
        causes.base_rows(sized),
        refi,
    )


def _equity(sized: CompiledDeal) -> float:
    return float(sum(b.terms["amount"] for b in sized.equity))


def run_chunk(
    deal: Deal,
    sized: CompiledDeal,
    config: MonteCarloConfig,
    i: int,
    buffers: dict[int, EngineOutputs] | None = None,
    model: PathModel | None = None,
) -> ChunkStats:
    """Statistics of chunk ``i`` (paths ``config.chunk_range(i)``) by ``config.engine``.

    ``model``: the run's :func:`path_model` (built here when not given) for the fused kernel;
    ``buffers`` (chunk size -> engine outputs) lets the staged engine reuse its output arrays.
    """
    if config.engine == "cython":
        return _fused_chunk(deal, sized, config, i, model or path_model(sized, config.model))
    return _staged_chunk(deal, sized, config, i, buffers)


def _fused_chunk(deal, sized, config, i, model) -> ChunkStats:
    lo, hi = config.chunk_range(i)
    n, K, T = hi - lo, sized.inputs.n_tranches, sized.inputs.n_periods
    nt = max(1, min(int(config.n_threads or _CPUS), n))
    loss = np.empty((n, K))
    default = np.empty((n, K), dtype=np.uint8)
    mn, rate, rvg, backstop, share = (np.empty(n) for _ in range(5))
    anyflag = np.empty(n, dtype=np.int32)
    sign = np.empty(n, dtype=np.uint8)
    dscr_h = np.zeros((nt, T, len(DSCR_EDGES) + 1), dtype=np.int64)
    cfads_h = np.zeros((nt, T, len(cfads_bins(sized).edges) + 1), dtype=np.int64)
    first = np.empty((n, K), dtype=np.int32)
    events = np.empty((n, len(causes.EVENTS)), dtype=np.int32)
    gaps = np.empty((n, K, len(causes.GAPS)))
    model.run(
        stream_key(config.seed), lo, loss, default, mn, anyflag, rate, sign, rvg, backstop,
        share, dscr_h, cfads_h, nt, first, events, gaps,
    )  # fmt: skip
    has_sign = sign.view(bool)
    bad = has_sign & ~((rate > -0.99) & (rate < 10.0))  # Newton did not settle: bisection
    if bad.any():
        rate[bad] = _bisect_irr(deal, sized, config, lo + np.flatnonzero(bad))
    rate = np.where(has_sign, rate, np.nan)
    ppy = sized.timeline.periods_per_year
    eq = (1.0 + rate) ** ppy - 1.0 if _equity(sized) > 0 else np.full(n, np.nan)
    return ChunkStats(
        i, n, loss, default.view(bool), mn, eq,
        {k: (anyflag & bit) != 0 for k, bit in BREACHES.items()},
        rvg, backstop, share, _slabs(dscr_h), _slabs(cfads_h),
        causes.classify(first, events, gaps, T),
    )  # fmt: skip


def _slabs(hist: np.ndarray) -> np.ndarray:
    """The per-thread histogram slabs of a chunk, summed (integer counts: exact)."""
    return hist[0] if hist.shape[0] == 1 else hist.sum(axis=0)


#: the widest span of paths one bisection rerun covers: the staged pipeline keeps every
#: output of every path of the span ((P, K, T) arrays), about 190 MB for a whole chunk of
#: 4,096 paths x 4 tranches x 120 periods, so a chunk's paths go in spans of at most this
IRR_RERUN_SPAN = 256


def _bisect_irr(deal, sized, config, paths: np.ndarray) -> np.ndarray:
    """Periodic equity IRR of the given (sorted) paths by bisection (the paths where Newton
    does not settle), from their cash flows rerun through the staged pipeline in spans of at
    most :data:`IRR_RERUN_SPAN` paths (each path has its own random stream, so a path's row is
    the same as alone; one path at a time took minutes when most paths needed it)."""
    out = np.empty(len(paths))
    start = 0
    while start < len(paths):
        stop = int(np.searchsorted(paths, paths[start] + IRR_RERUN_SPAN, side="left"))
        out[start:stop] = _bisect_span(deal, sized, config, paths[start:stop])
        start = stop
    return out


def _bisect_span(deal, sized, config, paths: np.ndarray) -> np.ndarray:
    first, span = int(paths.min()), int(paths.max() - paths.min()) + 1
    drivers, _ = make_drivers(sized, config.model, config.seed, span, first_path=first)
    res = run_waterfall(compile_deal(deal, drivers, sized=sized).inputs, n_threads=1)
    rows = paths - first if res.distribution.shape[0] > 1 else np.zeros(len(paths), int)
    net = res.distribution[rows] - res.injection[rows]
    flows = np.concatenate([np.full((len(paths), 1), -_equity(sized)), net], axis=1)
    return irr(flows)


def _staged_chunk(deal, sized, config, i, buffers) -> ChunkStats:
    """Chunk ``i`` through the separate steps: drivers (``staged``: compiled; ``reference``:
    NumPy), the NumPy reference compile, the waterfall (``staged``: Cython; ``reference``:
    NumPy)."""
    lo, hi = config.chunk_range(i)
    n = hi - lo
    drv_engine = "numpy" if config.engine == "reference" else "cython"
    drivers, stress_share = make_drivers(
        sized, config.model, config.seed, n, drv_engine, config.n_threads, first_path=lo
    )
    compiled = compile_deal(deal, drivers, sized=sized)
    inp = compiled.inputs
    if inp.n_paths < n:  # every path identical (drivers off): compile shares one row
        inp = inp.with_paths(revenue=np.broadcast_to(inp.revenue, (n, inp.n_periods)))
    engine = "reference" if config.engine == "reference" else "cython"
    out = None
    if buffers is not None and engine == "cython":
        out = buffers.get(n)
        if out is None:
            out = buffers[n] = EngineOutputs.empty(n, inp.n_tranches, inp.n_periods)
    out = run_waterfall(inp, engine=engine, n_threads=config.n_threads, out=out)
    rvg = np.zeros(n)
    backstop = np.zeros(n)
    for g in deal.of_kind("guarantee"):
        paid = compiled.guarantee_paid.get(g.id)
        if paid is None:
            continue
        paid = np.broadcast_to(paid, (n,))
        if g.terms["guarantee_type"] == "rvg":
            rvg += paid
        elif g.terms["guarantee_type"] == "backstop":  # a completion guarantee is neither
            backstop += paid
    cause = causes_of(out, inp, sized, causes.lease_events(compiled, drivers), config.n_threads)
    return chunk_stats(
        i,
        out,
        exposure(sized.inputs),
        _equity(sized),
        sized.timeline.periods_per_year,
        cfads_bins(sized),
        rvg,
        backstop,
        stress_share,
        config.n_threads,
        cause,
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
    model = path_model(sized, config.model) if config.engine == "cython" else None
    workers = min(config.workers or _CPUS, config.n_chunks)
    if workers <= 1:
        acc = Accumulator()
        buffers: dict[int, EngineOutputs] = {}
        for i in range(config.n_chunks):
            if cancel is not None and cancel():
                raise MonteCarloCancelled(f"cancelled after {i} of {config.n_chunks} chunks")
            acc.add(run_chunk(deal, sized, config, i, buffers, model))
            if progress is not None:
                progress(config.chunk_range(i)[1], config.n_paths)
        return build_result(sized, config, acc.result())
    return _run_threaded(deal, sized, config, workers, progress, cancel, model)


def base_case(deal: Deal, sized_on: Deal | None = None) -> CompiledDeal:
    """``deal`` compiled without drivers, its debt sized on ``sized_on`` (default: itself)."""
    if sized_on is None:
        return compile_deal(deal)
    return compile_deal(deal, sized=compile_deal(sized_on))


def _run_threaded(deal, sized, config, workers, progress, cancel, model) -> MonteCarloResult:
    """Chunks on ``workers`` threads at once (the kernel and NumPy release the GIL), each
    kernel call on ``cores / workers`` OpenMP threads; merged in chunk order as usual."""
    local = threading.local()
    threads = config.n_threads or max(1, _CPUS // workers)
    cfg = replace(config, n_threads=threads)

    def task(i: int) -> ChunkStats:
        if not hasattr(local, "buffers"):
            local.buffers = {}
        return run_chunk(deal, sized, cfg, i, local.buffers, model)

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
    #: "dscr"/"cfads" -> percentile -> per period, over the paths with debt outstanding
    #: after the period; "paths_outstanding" -> per period, the share of paths counted
    fan: dict[str, dict[str, list[float]] | list[float]]
    dates: list[str]
    #: total debt loss as a share of total debt: "edges", "probability" (all paths),
    #: "probability_of_loss" and "given_loss" (the paths with a loss)
    loss_histogram: dict[str, list[float] | float]
    sponsor: dict[str, float]
    stats: ChunkStats = field(repr=False)
    #: causes of the defaults and losses per tranche (core.risk.causes.attribution)
    attribution: dict = field(default_factory=dict)

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
            "attribution": self.attribution,
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
    notional = exposure(sized.inputs)
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
    lossy = s.loss.sum(axis=1) > EPS
    given = np.histogram(np.clip(total[lossy], 0, 1), LOSS_BINS)[0]
    counted = s.dscr_hist.sum(axis=1) / s.n if s.n else np.zeros(s.dscr_hist.shape[0])
    names = [b.terms["name"] for b in sized.tranches]
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
            "paths_outstanding": counted.tolist(),
        },
        [d.isoformat() for d in sized.timeline.end_dates],
        {
            "edges": LOSS_BINS.tolist(),
            "probability": (counts / s.n).tolist(),
            "probability_of_loss": float(lossy.mean()),
            "given_loss": (given / max(int(lossy.sum()), 1)).tolist(),
        },
        {
            "expected_rvg_paid": float(s.rvg_paid.mean()),
            "probability_rvg_called": float((s.rvg_paid > 1e-6).mean()),
            "expected_backstop_paid": float(s.backstop_paid.mean()),
            "probability_backstop_paid": float((s.backstop_paid > 1e-6).mean()),
            "stress_regime_share": float(s.stress_share.mean()),
        },
        s,
        causes.attribution(sized.deal, names, notional, s.loss, s.cause),
    )
