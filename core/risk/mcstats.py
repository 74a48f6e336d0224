"""Statistics of one chunk of Monte Carlo paths, and their exact merge.

A chunk keeps, per path, a handful of scalars (loss and default per tranche, min DSCR, equity
IRR, covenant breaches, guarantee payments) and, per period, fixed-bin histograms of DSCR and
CFADS for the fan charts. Merging concatenates the scalars in chunk order and adds the
histograms, so the merged statistics do not depend on how chunks were grouped or where they
ran. Nothing of a chunk's cash flows is kept.

**Probability of default** of a tranche on a path: the tranche is written off (loss above
``EPS``), or it has a shortfall (interest or scheduled principal due and unpaid) in any
period, or the debt is accelerated while the tranche is outstanding (it opened the period of
the acceleration with a balance and still owes after that period's payments).

**Min DSCR and the fans** count the periods after which debt is outstanding (the sum of the
closing balances above ``EPS``): a period in which a sale repays the debt in full (no rent,
DSCR 0) is a repayment, not a coverage test.

**Cause** of each tranche's first default on a path: :mod:`core.risk.causes` (a code per
path and tranche, from the path's facts).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from core.engine.arrays import (
    FLAG_ACCELERATED,
    FLAG_CRYPTO_SOLD,
    FLAG_DSCR_DEFAULT,
    FLAG_LIQUIDATED,
    FLAG_LOCKUP,
    FLAG_LTV_BREACH,
    FLAG_MARGIN_CALL,
    FLAG_PAYMENT_DEFAULT,
    EngineOutputs,
)
from core.engine.metrics import dscr_stats, irr

EPS = 1e-6  # USD millions
_CPUS = os.cpu_count() or 1
BREACHES = {
    "lockup": FLAG_LOCKUP,
    "dscr_default": FLAG_DSCR_DEFAULT,
    "ltv_breach": FLAG_LTV_BREACH,
    "payment_default": FLAG_PAYMENT_DEFAULT,
    "acceleration": FLAG_ACCELERATED,
    "liquidation": FLAG_LIQUIDATED,
    "margin_call": FLAG_MARGIN_CALL,
    "crypto_sold": FLAG_CRYPTO_SOLD,
}
DSCR_EDGES = np.linspace(0.0, 5.0, 1001)  # 0.005x bins; below / above go to the end bins


@dataclass
class Bins:
    """Uniform bin edges for per-period histograms (values outside fall in the end bins).

    Bin 0 holds values below ``edges[0]``, bin ``b`` (1..n) ``[edges[b-1], edges[b])`` and
    bin ``n+1`` values from ``edges[-1]`` up. NaN is not counted.
    """

    edges: np.ndarray

    def counts(self, values: np.ndarray, n_threads: int | None = None) -> np.ndarray:
        """(T, len(edges) + 1) counts of finite ``values`` (P, T) per period (compiled;
        the counts do not depend on ``n_threads``)."""
        e = self.edges
        out = np.empty((values.shape[1], len(e) + 1), dtype=np.int64)
        width = (e[-1] - e[0]) / (len(e) - 1)
        v = np.ascontiguousarray(values, dtype=np.float64)
        threads = int(n_threads or _CPUS)
        compiled_stats().hist_counts(v, float(e[0]), float(width), len(e), out, threads)
        return out

    def quantiles(self, counts: np.ndarray, qs: list[float]) -> np.ndarray:
        """(len(qs), T) quantiles read off the histograms, interpolated within a bin."""
        e = self.edges
        lower = np.concatenate([[e[0]], e])  # bin b covers [lower[b], upper[b])
        upper = np.concatenate([e, [e[-1]]])
        total = counts.sum(axis=1)
        cum = np.cumsum(counts, axis=1)
        out = np.full((len(qs), counts.shape[0]), np.nan)
        rows = np.arange(counts.shape[0])
        for i, q in enumerate(qs):
            target = q * total
            b = np.minimum((cum < target[:, None]).sum(axis=1), counts.shape[1] - 1)
            before = np.where(b > 0, cum[rows, np.maximum(b - 1, 0)], 0)
            inside = counts[rows, b]
            frac = np.where(inside > 0, (target - before) / np.maximum(inside, 1), 0.0)
            v = lower[b] + np.clip(frac, 0, 1) * (upper[b] - lower[b])
            out[i] = np.where(total > 0, v, np.nan)
        return out


@dataclass
class ChunkStats:
    index: int
    n: int
    loss: np.ndarray  # (n, K) USD m written off
    default: np.ndarray  # (n, K) bool
    min_dscr: np.ndarray  # (n,)
    equity_irr: np.ndarray  # (n,) annual effective
    breaches: dict[str, np.ndarray]  # name -> (n,) bool
    rvg_paid: np.ndarray  # (n,)
    backstop_paid: np.ndarray  # (n,)
    stress_share: np.ndarray  # (n,) share of months in the stress regime
    dscr_hist: np.ndarray  # (T, B)
    cfads_hist: np.ndarray  # (T, B')
    cause: np.ndarray  # (n, K) int8 code of the first default's cause (core.risk.causes)


PATHSTATS_ABI = 7  # must equal core/risk/_pathstats.pyx ABI_VERSION
MCKERNEL_ABI = 2  # must equal core/risk/_mckernel.pyx ABI_VERSION


def _compiled(name: str, abi: int, what: str):
    """Import ``core.risk.<name>`` or raise ``ImportError`` saying how to build it."""
    import importlib

    try:
        mod = importlib.import_module(f"core.risk.{name}")
    except ImportError as exc:
        raise ImportError(
            f"The compiled {what} (core.risk.{name}) cannot be imported ({exc}). Build it from "
            "the repository root with `pip install -e .` or `python setup.py build_ext "
            "--inplace` (scripts/install.sh does it all)."
        ) from exc
    if getattr(mod, "ABI_VERSION", None) != abi:
        raise ImportError(
            f"core.risk.{name} is stale: rebuild with `python setup.py build_ext --inplace`"
        )
    return mod


def compiled_stats():
    """The compiled statistics module, or ``ImportError`` saying how to build it."""
    return _compiled("_pathstats", PATHSTATS_ABI, "Monte Carlo statistics")


def compiled_kernel():
    """The fused Monte Carlo path kernel, or ``ImportError`` saying how to build it."""
    return _compiled("_mckernel", MCKERNEL_ABI, "Monte Carlo path kernel")


def equity_irr(flows: np.ndarray, ppy: int, n_threads: int | None = None) -> np.ndarray:
    """Annual effective IRR of each row (first flow at time 0).

    Newton by Horner's rule in the compiled ``core.risk._pathstats.irr_newton`` (rows in
    parallel); rows where it does not settle, or settles outside (-99%, +1000%) a period, fall
    back to the bisection of :func:`core.engine.metrics.irr`; rows without a sign change give
    NaN.
    """
    cf = np.ascontiguousarray(flows, dtype=np.float64)
    r = np.empty(cf.shape[0])
    compiled_stats().irr_newton(cf, r, 50, int(n_threads or _CPUS))
    sign = (cf.max(axis=1) > 0) & (cf.min(axis=1) < 0)
    bad = sign & ~((r > -0.99) & (r < 10.0))  # NaN compares False: not settled
    if bad.any():
        r[bad] = irr(cf[bad])
    r = np.where(sign, r, np.nan)
    return (1.0 + r) ** ppy - 1.0


def path_reduce(
    out: EngineOutputs, loss: np.ndarray, notional: np.ndarray, n_threads: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per path: default flags (n, K) bool, min DSCR (n,) and the OR of the period flags (n,),
    in one compiled pass (``_pathstats.path_reduce``); :func:`path_reduce_numpy` is the
    reference. Default: a write-off above ``EPS``, a shortfall in any period, or an
    acceleration in a period the tranche opened with a balance (the closing balance of the
    period before) and still owes after: a tranche repaid in full in the period of the
    acceleration (e.g. from the sale proceeds when the lease ends) is not in default."""
    n, K = loss.shape
    default = np.empty((n, K), dtype=np.uint8)
    mn = np.empty(n)
    anyflag = np.empty(n, dtype=np.int32)
    compiled_stats().path_reduce(
        np.ascontiguousarray(loss, dtype=np.float64),
        out.shortfall,
        out.balance,
        out.flags,
        out.dscr,
        np.ascontiguousarray(notional, dtype=np.float64),
        EPS,
        FLAG_ACCELERATED,
        default,
        mn,
        anyflag,
        int(n_threads or _CPUS),
    )
    return default.view(bool), mn, anyflag


def path_reduce_numpy(
    out: EngineOutputs, loss: np.ndarray, notional: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NumPy reference of :func:`path_reduce` (tests)."""
    accel = (out.flags & FLAG_ACCELERATED) != 0
    still = out.balance > EPS
    open_later = (accel[:, None, 1:] & (out.balance[:, :, :-1] > EPS) & still[:, :, 1:]).any(axis=2)
    open_first = accel[:, :1] & (notional[None, :] > EPS) & still[:, :, 0]
    default = (loss > EPS) | (out.shortfall > EPS).any(axis=2) | open_later | open_first
    mn, _ = dscr_stats(outstanding_only(out.dscr, out.balance))
    return default, mn, np.bitwise_or.reduce(out.flags, axis=1)


def outstanding_only(values: np.ndarray, balance: np.ndarray) -> np.ndarray:
    """``values`` (n, T) with NaN in the periods after which no debt is outstanding (closing
    balances (n, K, T) summing to ``EPS`` or less): what the DSCR statistics and fans count."""
    return np.where(balance.sum(axis=1) > EPS, values, np.nan)


def causes_of(
    out: EngineOutputs,
    inputs,
    sized,
    compile_events: np.ndarray,
    n_threads: int | None = None,
    default: np.ndarray | None = None,
) -> np.ndarray:
    """(n, K) cause codes of a chunk run through the separate steps (``inputs``: its kernel
    inputs, ``sized``: the base case it runs against): the facts of :mod:`core.risk.causes`
    by the compiled ``_pathstats.path_facts`` (the pass the fused kernel runs), the compile's
    events (``compile_events`` (n, 3), :func:`core.risk.causes.lease_events`) of the paths
    whose tranches ``default`` ((n, K) bool; None: :func:`path_reduce`), then the rule."""
    from core.risk import causes

    base_revenue, base_curve, base_sale, base_value = causes.base_rows(sized)
    n, K, T = out.balance.shape
    first = np.empty((n, K), dtype=np.int32)
    ltv_at, crypto_at = np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32)
    gaps = np.empty((n, K, len(causes.GAPS)))
    if default is None:
        default, _, _ = path_reduce(out, out.writeoff.sum(axis=2), inputs.notional, n_threads)
    compiled_stats().path_facts(
        out.writeoff, out.shortfall, out.balance, out.flags,
        np.ascontiguousarray(inputs.notional, dtype=np.float64), EPS, FLAG_ACCELERATED,
        FLAG_LTV_BREACH, FLAG_MARGIN_CALL | FLAG_CRYPTO_SOLD,
        np.ascontiguousarray(np.broadcast_to(inputs.revenue, (n, T)), dtype=np.float64),
        np.ascontiguousarray(base_revenue, dtype=np.float64),
        np.ascontiguousarray(np.broadcast_to(inputs.base_rate, (n, T)), dtype=np.float64),
        np.ascontiguousarray(base_curve, dtype=np.float64),
        np.ascontiguousarray(inputs.floating, dtype=np.int32),
        np.ascontiguousarray(inputs.year_fraction, dtype=np.float64),
        inputs.swap_float_accrual,
        np.ascontiguousarray(np.broadcast_to(inputs.proceeds, (n, T)), dtype=np.float64),
        np.ascontiguousarray(base_sale, dtype=np.float64),
        np.ascontiguousarray(np.broadcast_to(inputs.asset_value, (n, T)), dtype=np.float64),
        np.ascontiguousarray(base_value, dtype=np.float64),
        np.ascontiguousarray(default, dtype=np.uint8),
        first, ltv_at, crypto_at, gaps, int(n_threads or _CPUS),
    )  # fmt: skip
    events = np.empty((n, len(causes.EVENTS)), dtype=np.int64)
    events[:, : causes.N_COMPILE_EVENTS] = compile_events
    events[:, causes.EVENTS.index("ltv_breach")] = ltv_at
    events[:, causes.EVENTS.index("crypto")] = crypto_at
    events[:, causes.EVENTS.index("refinancing")] = causes.refi_events(inputs, out, EPS)
    return causes.classify(first, events, gaps, T)


def chunk_stats(
    index: int,
    out: EngineOutputs,
    notional: np.ndarray,
    equity_amount: float,
    ppy: int,
    cfads_bins: Bins,
    rvg_paid: np.ndarray,
    backstop_paid: np.ndarray,
    stress_share: np.ndarray,
    n_threads: int | None = None,
    cause: np.ndarray | None = None,
) -> ChunkStats:
    """Reduce one chunk's outputs (n paths) to the statistics kept; ``cause``: the (n, K)
    cause codes (:func:`causes_of`; None: zeros)."""
    n = out.cfads.shape[0]
    loss = out.writeoff.sum(axis=2)
    default, mn, anyflag = path_reduce(out, loss, notional, n_threads)
    net = out.distribution - out.injection
    flows = np.concatenate([np.full((n, 1), -equity_amount), net], axis=1)
    eq = equity_irr(flows, ppy, n_threads) if equity_amount > 0 else np.full(n, np.nan)
    breaches = {k: (anyflag & bit) != 0 for k, bit in BREACHES.items()}
    dscr_bins = Bins(DSCR_EDGES)
    return ChunkStats(
        index,
        n,
        loss,
        default,
        mn,
        eq,
        breaches,
        np.asarray(rvg_paid, dtype=float),
        np.asarray(backstop_paid, dtype=float),
        np.asarray(stress_share, dtype=float),
        dscr_bins.counts(outstanding_only(out.dscr, out.balance), n_threads),
        cfads_bins.counts(outstanding_only(out.cfads, out.balance), n_threads),
        np.zeros(loss.shape, dtype=np.int8) if cause is None else np.asarray(cause, np.int8),
    )


class Accumulator:
    """Merges chunks as they arrive, in any order, keeping memory flat.

    Histograms are added at once (integer counts: exact in any order) and dropped from the
    chunk; the per-path scalars are kept by chunk index and concatenated in chunk order at the
    end, so the merged statistics never depend on arrival order.
    """

    def __init__(self) -> None:
        self.parts: dict[int, ChunkStats] = {}
        self.dscr_hist: np.ndarray | None = None
        self.cfads_hist: np.ndarray | None = None
        self.n = 0

    def __len__(self) -> int:
        return len(self.parts)

    def add(self, c: ChunkStats) -> None:
        if c.index in self.parts:
            raise ValueError(f"chunk {c.index} merged twice")
        # the chunk hands its histograms over (they are dropped from it): the first becomes the
        # running total, later ones are added in place (no new arrays per chunk)
        if self.dscr_hist is None:
            self.dscr_hist = np.array(c.dscr_hist, dtype=np.int64)
            self.cfads_hist = np.array(c.cfads_hist, dtype=np.int64)
        else:
            self.dscr_hist += c.dscr_hist
            self.cfads_hist += c.cfads_hist
        c.dscr_hist = c.cfads_hist = None  # type: ignore[assignment]
        self.parts[c.index] = c
        self.n += c.n

    def result(self) -> ChunkStats:
        """The merged statistics: scalars concatenated in chunk order, histograms summed."""
        cs = [self.parts[i] for i in sorted(self.parts)]
        if not cs:
            raise ValueError("no chunks to merge")
        return ChunkStats(
            -1,
            self.n,
            np.concatenate([c.loss for c in cs]),
            np.concatenate([c.default for c in cs]),
            np.concatenate([c.min_dscr for c in cs]),
            np.concatenate([c.equity_irr for c in cs]),
            {k: np.concatenate([c.breaches[k] for c in cs]) for k in cs[0].breaches},
            np.concatenate([c.rvg_paid for c in cs]),
            np.concatenate([c.backstop_paid for c in cs]),
            np.concatenate([c.stress_share for c in cs]),
            self.dscr_hist,
            self.cfads_hist,
            np.concatenate([c.cause for c in cs]),
        )


def merge(chunks: list[ChunkStats]) -> ChunkStats:
    """Exact merge of chunk statistics in any order (see :class:`Accumulator`)."""
    acc = Accumulator()
    for c in chunks:
        acc.add(c)
    return acc.result()
