"""Random paths of every risk driver, for one chunk of Monte Carlo paths.

The model (docs/risk.md gives the formulas and the DOMAIN.md source of each default):

- **Regime**: a two-state Markov chain per path, monthly steps, normal -> stress with
  probability ``p_enter_stress``, stress -> normal with ``p_exit_stress``; starts normal.
- **Shocks**: each month two standard normals for log market rent and log BTC price joined by
  a Gaussian copula whose correlation is ``rho_normal`` or ``rho_stress`` by regime (a
  regime-switching Gaussian copula: the correlation "converges" in downturns).
- **Rent**: ``rent_factor = (1 - extra_rent_deflation)^t * exp(sigma_r W_t - sigma_r^2 t / 2)``
  multiplies each lease's market rent (which already falls at its ``market_rent_decline``); it
  sets renewal and re-leasing rents. ``sigma_r`` is ``rent_vol`` (compute rent) for a deal
  with a GPU fleet. For a deal without one (data-centre rent, anchored by replacement cost) the
  log rent mean-reverts instead: ``rent_factor = exp(x_t - var(x_t) / 2)``, x an
  Ornstein-Uhlenbeck process with volatility ``facility_rent_vol`` and speed
  ``facility_rent_reversion`` driven by the same shocks (mean 1 at every date).
- **Utilisation**: factor ``clip(1 + x_t, 0, 1 / u)`` with x an AR(1) (monthly persistence
  ``util_persistence``, stationary s.d. ``util_vol``); scales GPU-hour rent above take-or-pay
  and re-leasing revenue.
- **GPU value**: ``rent_factor^value_beta * exp(sigma_v W'_t - sigma_v^2 t / 2)`` times a
  surprise-generation jump ``(1 - gen_jump)`` at the times of a Poisson process of intensity
  ``gen_surprise_rate`` a year, on top of the fleet's scheduled generation steps.
- **Residual haircut**: an extra sale haircut per path, ``N(0, residual_haircut_sd)`` (clipped
  to [0, 1] with the asset's own haircut in compile).
- **BTC**: ``crypto_factor = exp(sigma_b W^b_t - sigma_b^2 t / 2)`` (martingale around the
  block's own price path).
- **Rates**: ``base + rate_vol * W^r_t`` (an arithmetic random walk around the deal's base
  curve, independent), floored at ``min(base, 0)``.
- **Counterparty defaults**: one default time per sponsor block (tenant or guarantor) at an
  exponential time with hazard ``-ln(1 - PD)`` from its rating (core.risk.ratings): it ends
  every lease it is tenant of and every guarantee it gives (a tenant that guarantees its own
  lease defaults once). A lease without a tenant block draws its own default as unrated.
- **Lease events**: early termination at an exponential time with ``termination_hazard`` a
  year (plus, when the lease's ``walk_away_sensitivity`` is positive, that times the rent's
  premium over the path's market rent: the termination time is where the cumulative hazard
  passes the exponential draw, computed in the per-path compile), and each renewal option
  exercised with probability ``1 - p_non_renewal`` until the first refusal; for an
  investment-grade tenant (BBB- or better) ``termination_hazard_ig`` and ``p_non_renewal_ig``
  apply instead.
- **Fire sale**: the fleet's own forced-sale discount for age and volume (deal terms,
  core.engine.assets.fire_sale_add), the same on every path.

Random numbers: every path has its own compiled stream (core.risk.streams, keyed by the seed and
the path's index in the run), so a path's drivers never depend on chunking or threads. Surprise
generations arrive as a Poisson process (exponential gaps) on that stream.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, fields

import numpy as np

from core.engine.compile import CompiledDeal, Drivers
from core.engine.leases import counterparty_index, guarantor_of, tenant_of
from core.engine.plan import month_period
from core.risk.errors import RiskInputError
from core.risk.mcstats import compiled_stats
from core.risk.ratings import annual_pd, hazard, is_investment_grade
from core.risk.refimarket import refi_market, refi_rows
from core.risk.streams import draw_paths

_CPUS = os.cpu_count() or 1


@dataclass(frozen=True)
class MarketModel:
    rent_vol: float = 0.25  # annual volatility of log market compute rent (GPU deals)
    facility_rent_vol: float = 0.05  # the same for a deal with no GPU fleet (data-centre lease)
    #: yearly mean-reversion speed of log data-centre rent (deals with no GPU fleet): rents
    #: are anchored by replacement cost; half-life ln 2 / 0.25 = 2.8 years (approx.). 0: a
    #: random walk like compute rent.
    facility_rent_reversion: float = 0.25
    extra_rent_deflation: float = 0.0  # on top of each lease's market_rent_decline
    util_vol: float = 0.05
    util_persistence: float = 0.9  # monthly AR(1) coefficient
    value_beta: float = 1.0  # GPU value elasticity to market rent
    value_vol: float = 0.10
    gen_surprise_rate: float = 0.2  # surprise generations a year
    gen_jump: float = 0.15  # value lost at a surprise generation
    residual_haircut_sd: float = 0.10
    #: multiplies each lease's walk_away_sensitivity (0: no economic walk-away drawn)
    walk_away_scale: float = 1.0
    btc_vol: float = 0.50  # DOMAIN: BTC volatility about 50% a year
    rho_normal: float = 0.5  # DOMAIN: BTC-Nasdaq correlation 0.5 on average
    rho_stress: float = 0.8  # DOMAIN: 0.8 in stress
    p_enter_stress: float = 0.02  # monthly
    p_exit_stress: float = 0.10  # monthly
    rate_vol: float = 0.01  # annual, absolute
    lease_events: bool = True  # tenant default, termination and non-renewal
    #: a year, sub-investment-grade or unrated tenant: a solvent tenant's fee-free exit from
    #: a non-cancellable lease (docs/risk.md, "Calibration": its credit is in its default
    #: hazard, not here; formerly 0.02)
    termination_hazard: float = 0.0025
    termination_hazard_ig: float = 0.0025  # a year, investment-grade tenant (BBB- or better)
    p_non_renewal: float = 0.3  # at each renewal date, sub-investment-grade or unrated tenant
    p_non_renewal_ig: float = 0.1  # at each renewal date, investment-grade tenant
    # --- refinancing market (core.risk.refimarket; issue #12) ---
    #: probability that the refinancing market is shut at a given date: the lowest 10% of
    #: market-rent outcomes (approx.: the high-yield primary market was all but closed in
    #: 2008 Q4-2009 Q1, March-April 2020 and much of 2022, about a tenth of 2000-2025)
    refi_shut_prob: float = 0.10
    #: probability that it is open only at a stressed spread or shut (the lowest 25%:
    #: high-yield spreads were above about 600 bp in roughly a quarter of the months of
    #: 2000-2025, approx.)
    refi_wide_prob: float = 0.25
    #: the stressed spread's add-on to a tranche's refinancing spread (approx.: US high-yield
    #: spreads about 350 bp in normal markets, 650-800 bp in stress)
    refi_wide_spread: float = 0.03
    # --- end of refinancing market ---

    @classmethod
    def deterministic(cls) -> MarketModel:
        """Every random driver off: each path is the deterministic base case."""
        zero = {f.name: 0.0 for f in fields(cls) if f.type in ("float", float)}
        zero.update(lease_events=False, rho_normal=0.0, rho_stress=0.0)
        return cls(**zero)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> MarketModel:
        known = {f.name for f in fields(cls)}
        for k, v in data.items():
            if k not in known:
                raise RiskInputError(f"market model: unknown parameter {k!r}")
            if k == "lease_events":
                if not isinstance(v, bool):
                    raise RiskInputError(
                        f"market model: lease_events must be true or false, got {v!r}"
                    )
            elif isinstance(v, bool) or not (isinstance(v, int | float) and math.isfinite(v)):
                raise RiskInputError(f"market model: {k} must be a number, got {v!r}")
        m = cls(**data)
        m.validate()
        return m

    def validate(self) -> None:
        for name in ("rho_normal", "rho_stress"):
            if not -1.0 <= getattr(self, name) <= 1.0:
                raise RiskInputError(f"market model: {name} must be in [-1, 1]")
        for name in (
            "p_enter_stress",
            "p_exit_stress",
            "p_non_renewal",
            "p_non_renewal_ig",
            "gen_jump",
            "refi_shut_prob",
            "refi_wide_prob",
        ):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise RiskInputError(f"market model: {name} must be in [0, 1]")
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name not in ("rho_normal", "rho_stress", "extra_rent_deflation") and v < 0:
                raise RiskInputError(f"market model: {f.name} must not be negative, got {v}")
        if self.gen_surprise_rate > 12.0:
            raise RiskInputError(
                "market model: gen_surprise_rate must be at most 12 a year (one surprise "
                f"generation a month), got {self.gen_surprise_rate}"
            )


def correlated_shocks(
    seed: int, n: int, months: int, m: MarketModel
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monthly standard normal shocks (rent, BTC) and the regime, each (n, months), of paths
    0..n-1 of the run with ``seed`` (the draws the Monte Carlo itself uses)."""
    d = draw_paths(seed, 0, n, months, [], 0.0, 1, months)
    return _shocks_from(d.u, d.z1, d.z2, m)


def _shocks_from(
    u: np.ndarray, z1: np.ndarray, z2: np.ndarray, m: MarketModel
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The regime from uniforms ``u`` and the copula of ``z1`` and ``z2`` (see above)."""
    out = np.empty(u.shape, dtype=np.uint8)
    compiled_stats().markov_regimes(u, m.p_enter_stress, m.p_exit_stress, out, _CPUS)
    stress = out.view(bool)
    rho = np.where(stress, m.rho_stress, m.rho_normal)
    rest = np.where(stress, math.sqrt(1.0 - m.rho_stress**2), math.sqrt(1.0 - m.rho_normal**2))
    return z1, rho * z1 + rest * z2, stress


def _per_period(monthly: np.ndarray, mpp: int, T: int) -> np.ndarray:
    """Sum monthly increments into periods of ``mpp`` months; then cumulate."""
    n = monthly.shape[0]
    if mpp == 1:
        return np.cumsum(monthly[:, :T], axis=1)
    return np.cumsum(monthly[:, : T * mpp].reshape(n, T, mpp).sum(axis=2), axis=1)


def _gbm(z: np.ndarray, vol: float, mpp: int, T: int) -> np.ndarray:
    """exp(vol W_t - vol^2 t / 2) at period ends from monthly shocks z."""
    w = _per_period(z, mpp, T) * math.sqrt(1.0 / 12.0)
    t = np.arange(1, T + 1) * mpp / 12.0
    return np.exp(vol * w - 0.5 * vol * vol * t)


def _mean_reverting(z: np.ndarray, vol: float, speed: float, mpp: int, T: int) -> np.ndarray:
    """exp(x_t - var(x_t) / 2) at period ends, x an Ornstein-Uhlenbeck log rent from 0 with
    volatility ``vol`` and mean-reversion ``speed`` a year (exact monthly steps: ``x_j = phi
    x_(j-1) + vol sqrt((1 - phi^2) / (2 speed)) z_j``, ``phi = exp(-speed / 12)``); mean 1 at
    every date, variance bounded by ``vol^2 / (2 speed)``. ``speed`` 0 is :func:`_gbm`."""
    if speed <= 0.0 or vol == 0.0:
        return _gbm(z, vol, mpp, T)
    phi = math.exp(-speed / 12.0)
    step = vol * math.sqrt((1.0 - phi * phi) / (2.0 * speed))
    x = np.empty((z.shape[0], T))
    compiled_stats().ar1_period_ends(z * step, phi, mpp, x, _CPUS)  # 1 + x at period ends
    x -= 1.0
    var = vol * vol * (1.0 - phi ** (2.0 * mpp * np.arange(1, T + 1))) / (2.0 * speed)
    return np.exp(x - 0.5 * var)


def _event_period(years: np.ndarray, ppy: int, T: int) -> np.ndarray:
    """Period containing a time in years (T when beyond the horizon)."""
    return np.minimum(np.floor(years * ppy), T).astype(np.int64)


JUMP_TABLE = 1024  # value left after k surprise generations is tabulated for k < 1024


@dataclass(frozen=True)
class LeaseEvents:
    """How one lease's random events are drawn: hazards a year, the chance of refusing each
    renewal option, the deal's own default / termination periods (T: none) and where the
    lease's draws sit in a path's event draws (default, termination, then one uniform per
    option, at least one)."""

    hazard: float
    term_hazard: float
    p_refuse: float
    own_default: int
    own_term: int
    opts: int
    offset: int
    walk_sens: float = 0.0  # walk-away sensitivity (the compile draws the termination)

    @property
    def n_draws(self) -> int:
        return 2 + max(self.opts, 1)


#: the rating whose default hazard carries the lease's full walk-away sensitivity: the
#: unrated tenant's (NR is treated as single B, core.risk.ratings)
WALK_AWAY_REFERENCE = "B"


def walk_away_credit_scale(rating: str) -> float:
    """How much of a lease's walk-away sensitivity its tenant's credit carries:
    ``min(1, hazard(rating) / hazard("B"))``.

    A solvent tenant that walks from a non-cancellable lease owes the lessor damages of about
    the present value of its rent's premium over the market (less mitigation), so walking
    away saves it nothing; only a tenant that may not pay that claim gains from it. The
    economic walk-away is a strategic default, and its intensity scales with the tenant's own
    default intensity (docs/risk.md, "Calibration"): 1 for an unrated or single-B tenant,
    0.017 for an A-rated one (0.06% against 3.5% a year), 1 at most (a weaker tenant's
    defaults are already its rating's)."""
    return min(1.0, hazard(rating) / hazard(WALK_AWAY_REFERENCE))


def lease_event_specs(compiled: CompiledDeal, m: MarketModel) -> list[LeaseEvents]:
    """One :class:`LeaseEvents` per lease of ``compiled``, in compile order."""
    tl = compiled.timeline
    specs, offset = [], 0
    for lease in compiled.leases:
        lt = lease.terms
        tenant = tenant_of(compiled.deal, lease)
        rating = tenant.terms["rating"] if tenant is not None else "NR"
        ig = is_investment_grade(rating)
        walk_scale = walk_away_credit_scale(rating)
        spec = LeaseEvents(
            # a tenant's default is its counterparty draw (counterparty_specs)
            hazard=0.0 if tenant is not None else -math.log(1.0 - annual_pd(rating)),
            term_hazard=m.termination_hazard_ig if ig else m.termination_hazard,
            p_refuse=m.p_non_renewal_ig if ig else m.p_non_renewal,
            own_default=month_period(lt["tenant_default_month"], tl),
            own_term=month_period(lt["termination_month"], tl),
            opts=len(compiled.lease_schedules[lease.id].term_ends) - 1,
            offset=offset,
            walk_sens=lt["walk_away_sensitivity"] * m.walk_away_scale * walk_scale,
        )
        specs.append(spec)
        offset += spec.n_draws
    return specs


@dataclass(frozen=True)
class CounterpartyEvents:
    """How one sponsor block's default is drawn: its id, hazard a year (0: it is neither a
    tenant nor a guarantor, nothing is drawn) and its column in a path's event draws (after
    every lease's)."""

    id: str
    hazard: float
    offset: int


def counterparty_specs(
    compiled: CompiledDeal, leases: list[LeaseEvents]
) -> list[CounterpartyEvents]:
    """One :class:`CounterpartyEvents` per sponsor block, in deal order (counterparty index):
    a credit (a parent and its subsidiaries) draws once, at its root, with the root's rating,
    when any of its members is a tenant or a guarantor; the other entries draw nothing."""
    deal = compiled.deal
    cp = counterparty_index(deal)
    exposed = {t.id for b in compiled.leases if (t := tenant_of(deal, b)) is not None}
    exposed |= {s.id for g in deal.of_kind("guarantee") if (s := guarantor_of(deal, g))}
    roots = {cp[sid] for sid in exposed}
    start = sum(s.n_draws for s in leases)
    return [
        CounterpartyEvents(
            b.id,
            -math.log(1.0 - annual_pd(b.terms["rating"])) if i in roots else 0.0,
            start + i,
        )
        for i, b in enumerate(deal.of_kind("sponsor"))
    ]


@dataclass(frozen=True)
class DelayEvents:
    """A late completion drawn on each path (docs/risk.md, "Construction delay"): with the
    deal's ``delay_probability`` the path is late (a uniform draw), by an exponential delay of
    mean ``delay_mean_months`` rounded up to whole periods (an exponential draw)."""

    probability: float
    mean: float  # periods
    offset: int  # its two draws: late (uniform), length (exponential)


def delay_spec(compiled: CompiledDeal, m: MarketModel, offset: int) -> DelayEvents | None:
    """The late completion a path draws, None when it draws none (no construction phase, a
    zero delay probability, or a model without events)."""
    con = compiled.level.construction if compiled.level is not None else None
    if not m.lease_events or con is None or con.delay_probability <= 0:
        return None
    return DelayEvents(con.delay_probability, con.delay_mean, offset)


def event_kinds(
    specs: list[LeaseEvents], n_counterparties: int = 0, delay: bool = False
) -> list[int]:
    """Kind of each event draw of a path (0 exponential, 1 uniform), in stream order: each
    lease's, one exponential per counterparty, then a late completion's uniform and
    exponential."""
    kinds: list[int] = []
    for s in specs:
        kinds += [0, 0] + [1] * max(s.opts, 1)
    return kinds + [0] * n_counterparties + ([1, 0] if delay else [])


def path_event_kinds(compiled: CompiledDeal, m: MarketModel) -> list[int]:
    """Kind of each event draw of a path of ``compiled`` under ``m`` (leases, counterparties,
    a late completion)."""
    specs = lease_event_specs(compiled, m)
    n_cp = len(counterparty_specs(compiled, specs))
    late = delay_spec(compiled, m, 0) is not None
    return event_kinds(specs, n_cp, late)


def completion_delays(
    compiled: CompiledDeal, spec: DelayEvents | None, events: np.ndarray
) -> np.ndarray | None:
    """(n,) periods each path's completion slips: the deal's own delay plus, on a late path,
    ceil(exponential x mean), within the horizon (what ``_pathcompile.pxi`` draws)."""
    con = compiled.level.construction if compiled.level is not None else None
    if con is None:
        return None
    T = compiled.timeline.n_periods
    delay = np.full(events.shape[0], con.delay, dtype=np.int64)
    if spec is not None:
        late = events[:, spec.offset] < spec.probability
        drawn = np.minimum(np.ceil(events[:, spec.offset + 1] * spec.mean), float(T))
        delay = delay + np.where(late, drawn, 0.0).astype(np.int64)
    return np.minimum(delay, T)


def driver_params(compiled: CompiledDeal, m: MarketModel) -> dict:
    """The parameters of the compiled driver pass (keyword arguments of
    ``_pathstats.driver_paths`` and fields of the fused kernel's ``DriverParams``), from the
    model and the base-case deal."""
    tl = compiled.timeline
    T, mpp = tl.n_periods, tl.months_per_period
    fleet = bool(compiled.deal.of_kind("gpu_fleet"))
    rent_vol = m.rent_vol if fleet else m.facility_rent_vol
    speed = 0.0 if fleet else m.facility_rent_reversion
    ou = speed > 0.0 and rent_vol != 0.0
    phi = math.exp(-speed / 12.0) if ou else 1.0
    step = rent_vol * math.sqrt((1.0 - phi * phi) / (2.0 * speed)) if ou else 0.0
    var = (
        rent_vol * rent_vol * (1.0 - phi ** (2.0 * mpp * np.arange(1, T + 1))) / (2.0 * speed)
        if ou
        else np.zeros(T)
    )
    return {
        "mpp": mpp,
        "t": np.arange(1, T + 1) * mpp / 12.0,
        "p_enter": m.p_enter_stress,
        "p_exit": m.p_exit_stress,
        "rho_n": m.rho_normal,
        "rho_s": m.rho_stress,
        "rest_n": math.sqrt(1.0 - m.rho_normal**2),
        "rest_s": math.sqrt(1.0 - m.rho_stress**2),
        "rent_ou": int(ou),
        "rent_vol": rent_vol,
        "rent_phi": phi,
        "rent_step": step,
        "rent_var": np.ascontiguousarray(var, dtype=np.float64),
        "rent_mult": (1.0 - m.extra_rent_deflation) ** (np.arange(1, T + 1) * mpp / 12.0),
        "util_phi": m.util_persistence,
        "util_vol": m.util_vol,
        "util_c": math.sqrt(1 - m.util_persistence**2),
        "value_beta": m.value_beta,
        "value_vol": m.value_vol,
        "jump_table": (1.0 - m.gen_jump) ** np.arange(JUMP_TABLE),
        "gen_keep": 1.0 - m.gen_jump,
        "btc_vol": m.btc_vol,
        "base": np.ascontiguousarray(compiled.inputs.base_rate[0], dtype=np.float64),
        "rate_vol": m.rate_vol,
    }


def make_drivers(
    compiled: CompiledDeal,
    m: MarketModel,
    seed: int,
    n: int,
    engine: str = "cython",
    n_threads: int | None = None,
    first_path: int = 0,
) -> tuple[Drivers, np.ndarray]:
    """Drivers of paths ``first_path .. first_path + n - 1`` of the run with ``seed``, for the
    base-case compiled deal, and each path's stress-regime share.

    The draws come from each path's own stream (core.risk.streams); ``engine="cython"`` turns
    them into the market drivers in one compiled pass per path (``_pathstats.driver_paths``,
    the pass the fused Monte Carlo kernel runs too), ``"numpy"`` with the vectorised reference
    below: the same operations in the same order, so both give the same drivers, to the few
    ulps by which NumPy's SIMD ``exp`` can differ from libm's (tested).
    """
    tl = compiled.timeline
    T, mpp, ppy = tl.n_periods, tl.months_per_period, tl.periods_per_year
    specs = lease_event_specs(compiled, m)
    cps = counterparty_specs(compiled, specs)
    late = delay_spec(compiled, m, sum(s.n_draws for s in specs) + len(cps))
    kinds = event_kinds(specs, len(cps), late is not None)
    d = draw_paths(seed, first_path, n, T * mpp, kinds, m.gen_surprise_rate, mpp, T, n_threads)
    u, z1, z2, zu, zv, zr, jumps = d.u, d.z1, d.z2, d.zu, d.zv, d.zr, d.jumps
    prm = driver_params(compiled, m)
    if engine == "numpy":
        fleet = bool(compiled.deal.of_kind("gpu_fleet"))
        z_rent, z_btc, stress = _shocks_from(u, z1, z2, m)
        if fleet:
            rent = _gbm(z_rent, prm["rent_vol"], mpp, T)
        else:
            speed = m.facility_rent_reversion
            rent = _mean_reverting(z_rent, prm["rent_vol"], speed, mpp, T)
        rent = rent * prm["rent_mult"]
        util = np.empty((n, T))
        eps = zu * m.util_vol * math.sqrt(1 - m.util_persistence**2)
        compiled_stats().ar1_period_ends(eps, m.util_persistence, mpp, util, _CPUS)
        beta = rent if m.value_beta == 1.0 else rent**m.value_beta
        value = beta * _gbm(zv, m.value_vol, mpp, T)
        count = jumps.cumsum(axis=1)
        table = (1.0 - m.gen_jump) ** np.arange(max(int(count.max(initial=0)) + 1, JUMP_TABLE))
        value = value * table[count]
        btc = _gbm(z_btc, m.btc_vol, mpp, T)
        w_rate = _per_period(zr, mpp, T) * math.sqrt(1.0 / 12.0)
        base_rate = prm["base"]
        rates = np.maximum(base_rate + m.rate_vol * w_rate, np.minimum(base_rate, 0.0))
        share = stress.mean(axis=1)
    elif engine == "cython":
        rent, util, value, btc, rates = (np.empty((n, T)) for _ in range(5))
        share = np.empty(n)
        compiled_stats().driver_paths(
            u, z1, z2, zu, zv, jumps, zr, **prm, rent=rent, util=util, value=value, btc=btc,
            rates=rates, stress_share=share, n_threads=int(n_threads or _CPUS),
        )  # fmt: skip
    else:
        raise ValueError(f"engine must be 'cython' or 'numpy', got {engine!r}")

    leases: dict[str, dict[str, np.ndarray]] = {}
    for lease, sp in zip(compiled.leases, specs, strict=True):
        ev = {}
        if m.lease_events:
            e = d.events[:, sp.offset : sp.offset + sp.n_draws]
            dflt = _event_period(e[:, 0] / sp.hazard, ppy, T) if sp.hazard > 0 else T
            # dates fixed on the deal stay in force; the random ones can only come earlier
            ev["tenant_default"] = np.minimum(sp.own_default, dflt)
            th = sp.term_hazard
            if sp.walk_sens > 0:  # the compile finds where the walk-away hazard passes it
                ev["termination"] = np.full(n, min(sp.own_term, T))
                ev["termination_draw"] = e[:, 1]
                ev["termination_hazard"] = th
                ev["walk_sensitivity"] = sp.walk_sens
            else:
                ev["termination"] = np.minimum(
                    sp.own_term, _event_period(e[:, 1] / th, ppy, T) if th > 0 else T
                )
            refuse = e[:, 2:] < sp.p_refuse
            first_refusal = np.where(refuse.any(axis=1), refuse.argmax(axis=1), sp.opts)
            ev["renewals"] = np.minimum(first_refusal, sp.opts)
        leases[lease.id] = ev
    counterparties = {
        c.id: _event_period(d.events[:, c.offset] / c.hazard, ppy, T)
        for c in cps
        if m.lease_events and c.hazard > 0
    }
    refi = {}
    if compiled.inputs.refi_on is not None:  # the deal refinances a balloon
        market = refi_market(prm, m.refi_shut_prob, m.refi_wide_prob, m.refi_wide_spread)
        cut, add = refi_rows(rent, market)
        refi = {"refi_advance_cut": cut, "refi_spread_add": add}
    drivers = Drivers(
        **refi,
        n_paths=n,
        rent_factor=rent,
        gpu_value_factor=value,
        base_rate=rates,
        crypto_factor=btc,
        sale_haircut_add=d.residual[:, None] * m.residual_haircut_sd,
        utilisation_factor=util,
        leases=leases,
        counterparties=counterparties,
        completion_delay=completion_delays(compiled, late, d.events),
    )
    return drivers, share
