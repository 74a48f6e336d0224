"""Random but realistic, adversarial ``EngineInputs`` for the engine tests and benchmarks.

``random_inputs(rng, n_paths, n_tranches, n_periods, **switches)`` draws one deal (1-6
tranches in 1-4 seniority groups) and ``n_paths`` scenarios for it. Every feature of the
waterfall is exercised unless switched off: fixed and floating coupons on random base-rate
paths, 30/360- and ACT/360-like year fractions, annuity / bullet / straight-line / random
schedules, maturities inside and beyond the horizon, PIK tranches, cash sweeps, revenue
collapses (negative CFADS), planned sale proceeds, asset values falling to zero, crypto
collateral with margin calls, a DSRA, every covenant action, tax, and a mix of shared
(first dimension 1) and per-path arrays.

Switches (all ``True`` by default): ``floating``, ``pik``, ``sweep``, ``collapse``,
``proceeds``, ``asset_zero``, ``crypto``, ``dsra``, ``covenants``, ``tax``, ``shared_mix``
(when ``False`` every per-path array has ``n_paths`` rows), plus ``n_groups`` (``None`` =
random) and ``monthly`` (``None`` = random, else ``True`` for monthly, ``False`` quarterly),
or ``ppy`` (12, 4 or 1 periods a year: 1 is annual; overrides ``monthly``).
"""

from __future__ import annotations

import numpy as np

from core.engine.arrays import ACCELERATE, PATH_FIELDS, SWEEP, TRAP, EngineInputs

SWITCHES = (
    "floating",
    "pik",
    "sweep",
    "collapse",
    "proceeds",
    "asset_zero",
    "crypto",
    "dsra",
    "covenants",
    "tax",
    "shared_mix",
    "refi",
)

_ACT_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)


def _year_fractions(rng: np.random.Generator, T: int, ppy: int) -> np.ndarray:
    """One tranche's accrual fractions: 30/360-like (constant) or ACT/360-like (uneven)."""
    start = int(rng.integers(12))
    if rng.random() < 0.5:  # 30/360
        return np.full(T, 1 / ppy)
    days = np.roll(_ACT_MONTH_DAYS, -start)
    if ppy != 12:
        days = days.reshape(ppy, 12 // ppy).sum(axis=1)
    reps = -(-T // len(days))
    return np.tile(days, reps)[:T] / 360.0


def _schedule(
    rng: np.random.Generator, notional: float, rate: float, yf: np.ndarray, maturity: int, T: int
) -> np.ndarray:
    """Scheduled principal of one tranche: annuity, bullet, straight line or random."""
    kind = rng.choice(["annuity", "bullet", "straight", "random"], p=[0.35, 0.2, 0.25, 0.2])
    sched = np.zeros(T)
    n = min(maturity + 1, T)  # periods 0..maturity that lie in the horizon
    if kind == "annuity":
        r = rate * float(np.mean(yf))
        m = maturity + 1
        level = notional / m if r <= 0 else notional * r / (1 - (1 + r) ** -m)
        b = notional
        for t in range(n):
            pr = min(max(level - b * r, 0.0), b)
            sched[t] = pr
            b -= pr
    elif kind == "straight":
        sched[:n] = notional / (maturity + 1)
    elif kind == "random":
        w = rng.exponential(1.0, n) * (rng.random(n) < 0.6)
        if w.sum() > 0:
            sched[:n] = w / w.sum() * notional * rng.uniform(0.3, 1.3)
    return sched


def _path_array(rng: np.random.Generator, rows: np.ndarray, P: int, shared_mix: bool) -> np.ndarray:
    """``rows`` is (P, T); sometimes keep only the first row (shared by every path)."""
    if P == 1 or (shared_mix and rng.random() < 0.35):
        return np.ascontiguousarray(rows[:1])
    return np.ascontiguousarray(rows)


def random_inputs(
    rng: np.random.Generator,
    n_paths: int = 1,
    n_tranches: int | None = None,
    n_periods: int | None = None,
    **switches,
) -> EngineInputs:
    """Draw one deal with ``n_paths`` scenarios; ``None`` sizes are drawn at random."""
    unknown = set(switches) - set(SWITCHES) - {"n_groups", "monthly", "ppy"}
    if unknown:
        raise TypeError(f"unknown feature switches: {sorted(unknown)}")
    on = {name: bool(switches.get(name, True)) for name in SWITCHES}
    P = int(n_paths)
    K = int(n_tranches) if n_tranches is not None else int(rng.integers(1, 7))
    T = int(n_periods) if n_periods is not None else int(rng.integers(1, 61))
    monthly = switches.get("monthly")
    monthly = bool(rng.random() < 0.6) if monthly is None else bool(monthly)
    ppy = int(switches.get("ppy") or (12 if monthly else 4))  # periods per year
    if ppy not in (12, 4, 1):
        raise ValueError(f"ppy must be 12, 4 or 1, got {ppy}")

    # --- seniority groups: equal ranks are paid pro rata
    n_groups = switches.get("n_groups")
    G = int(rng.integers(1, min(4, K) + 1)) if n_groups is None else min(int(n_groups), K)
    cuts = np.sort(rng.choice(np.arange(1, K), size=G - 1, replace=False)) if G > 1 else []
    group_start = np.array([0, *cuts, K], dtype=np.int32)
    group_of = np.searchsorted(group_start, np.arange(K), side="right") - 1

    # --- tranches
    notional = rng.lognormal(np.log(100.0), 0.8, K)
    notional[rng.random(K) < 0.05] = 0.0  # an undrawn tranche now and then
    floating = (rng.random(K) < 0.45).astype(np.int32) if on["floating"] else np.zeros(K, np.int32)
    fixed_rate = rng.uniform(0.0, 0.14, K)
    spread = rng.uniform(0.005, 0.08, K)
    pik = np.zeros(K, np.int32)
    if on["pik"]:
        junior = group_of == G - 1
        pik = (rng.random(K) < np.where(junior, 0.45, 0.15)).astype(np.int32)
    sweep_pct = np.zeros(K)
    if on["sweep"]:
        sweep_pct = np.where(rng.random(K) < 0.3, rng.uniform(0.05, 1.0, K), 0.0)
    maturity = rng.integers(max(T // 3, 0), T + T // 2 + 2, K).astype(np.int32)
    maturity[rng.random(K) < 0.1] = T - 1  # exactly the last period
    year_fraction = np.stack([_year_fractions(rng, T, ppy) for _ in range(K)]).reshape(K, T)
    base0 = rng.uniform(0.0, 0.06)
    sched = np.stack(
        [
            _schedule(
                rng,
                notional[k],
                base0 + spread[k] if floating[k] else fixed_rate[k],
                year_fraction[k],
                int(maturity[k]),
                T,
            )
            for k in range(K)
        ]
    ).reshape(K, T)

    # --- scenarios, (P, T) before deciding what is shared
    total = float(notional.sum()) + 1.0
    steps = rng.normal(0.0, 0.004, (P, T))
    base_rate = np.maximum(base0 + np.cumsum(steps, axis=1), 0.0)  # floored at zero
    ds_level = total / max(T * 0.7, 1.0) + total * 0.09 / ppy  # rough debt service per period
    level = ds_level * rng.uniform(0.6, 2.5)
    noise = np.exp(rng.normal(0.0, 0.15, (P, T)))
    growth = np.linspace(1.0, rng.uniform(0.6, 1.4), T)
    revenue = level * 1.5 * growth * noise
    if on["collapse"]:
        hit = rng.random(P) < 0.4
        start = rng.integers(0, T, P)
        length = rng.integers(1, T + 1, P)
        t_idx = np.arange(T)
        window = hit[:, None] & (t_idx >= start[:, None]) & (t_idx < (start + length)[:, None])
        revenue = np.where(window, revenue * rng.uniform(0.0, 0.3, (P, 1)), revenue)
    opex = np.tile(level * rng.uniform(0.1, 0.5) * growth, (P, 1))
    fees = np.full((P, T), level * rng.uniform(0.0, 0.03))
    proceeds = np.zeros((P, T))
    if on["proceeds"]:
        n_sales = int(rng.integers(0, 3))
        for _ in range(n_sales):
            t = int(rng.integers(T))
            proceeds[:, t] += total * rng.uniform(0.02, 0.6) * rng.uniform(0.5, 1.5, P)
    av0 = total * rng.uniform(0.7, 2.0)
    end = rng.uniform(0.0, 0.5)
    asset_value = av0 * np.linspace(1.0, end, T)[None, :] * np.exp(rng.normal(0, 0.1, (P, T)))
    if on["asset_zero"]:
        crash = rng.random(P) < 0.3
        when = rng.integers(0, T, P)
        asset_value = np.where(
            crash[:, None] & (np.arange(T)[None, :] >= when[:, None]), 0.0, asset_value
        )
    liquidation_value = asset_value * rng.uniform(0.2, 0.9)
    crypto_value = np.zeros((P, T))
    margin_call_ltv = crypto_liquidation_ltv = 0.0
    if on["crypto"] and rng.random() < 0.6:
        c0 = total * rng.uniform(0.05, 0.8)
        vol = rng.uniform(0.05, 0.35)
        crypto_value = c0 * np.exp(np.cumsum(rng.normal(-vol * vol / 2, vol, (P, T)), axis=1))
        margin_call_ltv = rng.uniform(0.4, 0.95)
        crypto_liquidation_ltv = margin_call_ltv + rng.uniform(0.0, 0.4)

    arrays = {
        "revenue": revenue,
        "opex": opex,
        "fees": fees,
        "proceeds": proceeds,
        "asset_value": asset_value,
        "liquidation_value": liquidation_value,
        "crypto_value": crypto_value,
        "base_rate": base_rate,
    }
    path_arrays = {
        name: _path_array(rng, arrays[name], P, on["shared_mix"])
        for name in PATH_FIELDS
        if name in arrays
    }

    # --- reserves, tax and covenants
    depreciation = np.full(T, av0 * (1 - end) / max(T, 1))
    dsra_initial = 0.0
    dsra_target = np.zeros(T)
    if on["dsra"] and rng.random() < 0.7:
        months = rng.uniform(0.0, 2.0)
        dsra_target = np.full(T, ds_level * months) * np.linspace(1.0, rng.uniform(0, 1), T)
        dsra_initial = float(dsra_target[0] * rng.uniform(0.0, 1.5)) if T else 0.0
    tax_rate = float(rng.uniform(0.0, 0.35)) if on["tax"] and rng.random() < 0.6 else 0.0
    cov = {
        "lockup_dscr": 0.0,
        "default_dscr": 0.0,
        "ltv_max": 0.0,
        "lockup_action": TRAP,
        "default_action": ACCELERATE,
        "ltv_action": SWEEP,
    }
    if on["covenants"]:
        actions = [TRAP, SWEEP, ACCELERATE]
        cov = {
            "lockup_dscr": float(rng.uniform(1.0, 1.6)) if rng.random() < 0.7 else 0.0,
            "default_dscr": float(rng.uniform(0.7, 1.15)) if rng.random() < 0.6 else 0.0,
            "ltv_max": float(rng.uniform(0.4, 1.3)) if rng.random() < 0.5 else 0.0,
            "lockup_action": int(rng.choice(actions, p=[0.6, 0.3, 0.1])),
            "default_action": int(rng.choice(actions, p=[0.1, 0.3, 0.6])),
            "ltv_action": int(rng.choice(actions)),
        }

    refi = _refinancing(rng, P, K, T, maturity, on, revenue) if on["refi"] else {}
    return EngineInputs(
        **path_arrays,
        **refi,
        depreciation=depreciation,
        dsra_target=dsra_target,
        fixed_rate=fixed_rate,
        spread=spread,
        floating=floating,
        year_fraction=year_fraction,
        notional=notional,
        scheduled_principal=sched,
        maturity=maturity,
        sweep_pct=sweep_pct,
        pik=pik,
        group_start=group_start,
        dsra_initial=dsra_initial,
        tax_rate=tax_rate,
        lookback=int(rng.integers(1, 13)),
        liquidation_lag=int(rng.integers(1, 7)),
        margin_call_ltv=margin_call_ltv,
        crypto_liquidation_ltv=crypto_liquidation_ltv,
        **cov,
    )


def _refinancing(
    rng: np.random.Generator,
    P: int,
    K: int,
    T: int,
    maturity: np.ndarray,
    on: dict,
    revenue: np.ndarray,
) -> dict:
    """Refinancing terms on some tranches (drawn after everything else, so a deal drawn
    without them is the deal it was before) and a refinancing market per path: open, at a
    cut advance, shut (cut 1), at a spread add-on."""
    refi_on = ((rng.random(K) < 0.5) & (maturity < T - 1)).astype(np.int32)
    if not refi_on.any():
        return {}
    tenor = rng.integers(1, T + 2, K)
    mat = (maturity + tenor).astype(np.int32)
    schedule = np.zeros((K, T))
    for k in range(K):
        first, last = int(maturity[k]) + 1, int(mat[k])
        if rng.random() < 0.6 and first < T:
            schedule[k, first : min(last, T - 1) + 1] = 1.0 / (last - first + 1)
    cut = np.where(rng.random((P, T)) < 0.2, 1.0, rng.choice([0.0, 0.3], (P, T)))
    add = np.where(rng.random((P, T)) < 0.3, rng.uniform(0.0, 0.05, (P, T)), 0.0)
    return {
        "refi_on": refi_on,
        "refi_maturity": mat,
        "refi_spread": rng.uniform(0.0, 0.08, K),
        "refi_advance": np.where(rng.random(K) < 0.7, rng.uniform(0.2, 1.0, K), 0.0),
        "refi_dscr": np.where(rng.random(K) < 0.6, rng.uniform(1.0, 1.6, K), 0.0),
        "refi_schedule": schedule,
        "refi_cfads": rng.uniform(-0.2, 1.0, T) * float(np.mean(revenue)),
        "refi_revenue": np.where(rng.random(T) < 0.1, 0.0, rng.uniform(0.5, 1.5, T))
        * float(np.mean(revenue)),
        "refi_advance_cut": _path_array(rng, cut, P, on["shared_mix"]),
        "refi_spread_add": _path_array(rng, add, P, on["shared_mix"]),
    }


def tiled(inp: EngineInputs) -> EngineInputs:
    """The same inputs with every shared per-path array repeated explicitly on each path."""
    P = inp.n_paths
    return inp.with_paths(
        **{
            name: np.repeat(getattr(inp, name), P // getattr(inp, name).shape[0], axis=0)
            for name in PATH_FIELDS
            if getattr(inp, name) is not None
        }  # fmt: skip
    )
