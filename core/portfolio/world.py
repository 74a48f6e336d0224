"""The common simulated world of a portfolio run, one chunk of paths at a time.

Every deal of a book sees the same world on path ``p``:

- **Market shocks**, monthly on one calendar from the earliest closing of the book: the
  regime (normal / stress Markov chain), the compute-rent shock ``z1``, the BTC shock's own
  normal ``z2`` (joined to ``z1`` by the regime's copula in each deal's driver pass),
  utilisation ``zu``, GPU value ``zv``, base rate ``zr``, and the surprise-generation launches
  (Poisson arrivals a month). A deal takes the months from its own closing: its drivers are
  its own single-deal formulas (core.risk.paths, the compiled ``driver_paths``) run on the
  world's shocks, so two deals open at the same date see the same rent, BTC, GPU value and
  rate moves, and the same generation launches. Data-centre rent (a deal without a GPU fleet)
  is driven by the same rent shocks through its mean-reverting process.
- **Counterparty defaults**: one default time per named counterparty of the book, from a
  one-factor Gaussian copula: ``X_c = sqrt(rho_c) Z + sqrt(1 - rho_c) e_c``,
  ``tau_c = -ln(Phi(-X_c)) / h_c`` (``h_c = -ln(1 - PD_c)`` from the rating, so each
  counterparty's own default time is exactly the single-deal model's exponential), with
  ``rho_c = rho_normal + (rho_stress - rho_normal) s`` by its sector, ``s`` the share of the
  path's months in the stress regime (the correlation rises with the stress regime, as the
  BTC-rent copula does), and the systematic factor ``Z = a Zm + sqrt(1 - a^2) eta``: ``Zm`` the
  standardised sum of the compute-rent shocks of the first five years (``a`` the book's
  market loading), ``eta`` and ``e_c`` independent standard normals.

Random numbers: the market draws of path ``p`` come from its own stream keyed by the run's
seed (core.risk.streams, as a single deal's), the credit normals from a second stream keyed by
``credit_seed(seed)``; each deal's own events (terminations, renewals, residual haircut, lease
defaults without a tenant block) from a stream keyed by ``deal_seed(seed, i)``. Nothing depends
on the chunking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.risk.mcstats import compiled_stats
from core.risk.paths import MarketModel
from core.risk.streams import compiled_rng, draw_paths, stream_key

LOADING_MONTHS = 60  # the systematic credit factor loads on the first five years' rent shocks


def credit_seed(seed: int) -> int:
    """Seed of the credit normals' streams of the run with ``seed``."""
    return int(np.random.SeedSequence([seed, 0xC0DE]).generate_state(1, np.uint64)[0] >> 1)


def deal_seed(seed: int, index: int) -> int:
    """Seed of the own events of the book's deal ``index`` in the run with ``seed``."""
    return int(np.random.SeedSequence([seed, 1 + index]).generate_state(1, np.uint64)[0] >> 1)


def month_index(date) -> int:
    return date.year * 12 + date.month - 1


@dataclass(frozen=True)
class CreditFactor:
    """The copula terms of one counterparty."""

    name: str
    hazard: float  # a year
    rho_normal: float
    rho_stress: float


@dataclass
class WorldChunk:
    """The world of paths ``lo .. lo + n - 1``: monthly arrays (n, M) from the book's start."""

    lo: int
    u: np.ndarray
    z1: np.ndarray
    z2: np.ndarray
    zu: np.ndarray
    zv: np.ndarray
    zr: np.ndarray
    jumps: np.ndarray  # (n, M) int32 launches a month
    stress: np.ndarray  # (n, M) bool regime
    default_years: np.ndarray  # (n, C) default time of each counterparty, years from the start

    @property
    def n(self) -> int:
        return self.u.shape[0]

    def regime_uniforms(self, start: int, months: int) -> np.ndarray:
        """Uniforms that make a chain starting normal at month ``start`` follow the world's
        regime exactly (core.risk._pathstats.markov_regimes: from normal, stress when
        ``u < p_enter``; from stress, stay when ``u >= p_exit``): 1 where the state does not
        change, 0 where it does. A change happens in the world only when its probability is
        positive, so 0 makes it happen and 1 keeps the state."""
        s = self.stress[:, start : start + months]
        prev = np.zeros_like(s)
        prev[:, 1:] = s[:, :-1]
        return np.where(s == prev, 1.0, 0.0)

    def window(self, start: int, months: int, mpp: int) -> dict[str, np.ndarray]:
        """The driver pass's inputs for a deal whose closing is month ``start`` of the world
        (keyword arguments u, z1, z2, zu, zv, jumps, zr of ``_pathstats.driver_paths``)."""
        sl = slice(start, start + months)
        j = self.jumps[:, sl]
        n = j.shape[0]
        per_period = j.reshape(n, months // mpp, mpp).sum(axis=2).astype(np.int32)

        def c(a: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(a[:, sl])

        return {
            "u": self.regime_uniforms(start, months),
            "z1": c(self.z1),
            "z2": c(self.z2),
            "zu": c(self.zu),
            "zv": c(self.zv),
            "jumps": np.ascontiguousarray(per_period),
            "zr": c(self.zr),
        }


def norm_sf(x: np.ndarray) -> np.ndarray:
    """``Phi(-x)``, the standard normal upper tail, to double precision (``erfc``)."""
    erfc = np.frompyfunc(math.erfc, 1, 1)
    return (0.5 * erfc(np.asarray(x, dtype=float) / math.sqrt(2.0))).astype(float)


def draw_world(
    seed: int,
    lo: int,
    n: int,
    months: int,
    model: MarketModel,
    credits: list[CreditFactor],
    loading: float,
    n_threads: int | None = None,
) -> WorldChunk:
    """The world of paths ``lo .. lo + n - 1`` of the run with ``seed`` over ``months``."""
    d = draw_paths(seed, lo, n, months, [], model.gen_surprise_rate, 1, months, n_threads)
    stress = np.empty((n, months), dtype=np.uint8)
    compiled_stats().markov_regimes(d.u, model.p_enter_stress, model.p_exit_stress, stress, 1)
    stress = stress.view(bool)
    C = len(credits)
    normals = np.empty((n, C + 1))
    key = stream_key(credit_seed(seed))
    fill = compiled_rng().fill
    for i in range(n):
        fill(key, lo + i, 1, normals[i])
    m = min(LOADING_MONTHS, months)
    zm = d.z1[:, :m].sum(axis=1) / math.sqrt(m) if m else np.zeros(n)
    a = float(loading)
    z = a * zm + math.sqrt(max(0.0, 1.0 - a * a)) * normals[:, 0]
    share = stress.mean(axis=1) if months else np.zeros(n)
    default_years = np.full((n, C), np.inf)
    for c, cf in enumerate(credits):
        if cf.hazard <= 0:
            continue
        rho = cf.rho_normal + (cf.rho_stress - cf.rho_normal) * share
        x = np.sqrt(rho) * z + np.sqrt(1.0 - rho) * normals[:, c + 1]
        default_years[:, c] = -np.log(norm_sf(x)) / cf.hazard
    return WorldChunk(lo, d.u, d.z1, d.z2, d.zu, d.zv, d.zr, d.jumps, stress, default_years)


def forced_stress(model: MarketModel) -> MarketModel:
    """The model with the regime forced to stress in every month (correlations converged)."""
    from dataclasses import replace

    return replace(model, p_enter_stress=1.0, p_exit_stress=0.0)
