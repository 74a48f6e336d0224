"""Book value (depreciation) and market value of the collateral, period by period.

Book value is the accounting view (straight-line, declining balance or a custom curve) and
only feeds tax. Market value is what a buyer would pay and drives LTV, sale proceeds and
recoveries: a smooth yearly decline with a step down each time a new GPU generation ships,
and scrap value once the commercial life (often shorter than the accounting life) is over.
All values are at the end of each period; money in USD millions.
"""

from __future__ import annotations

import numpy as np

from core.engine.constants import THOUSANDS_PER_MILLION


def fleet_cost(count: int, unit_cost_k: float) -> float:
    """Cost of a GPU fleet in USD millions (unit cost is in USD thousands)."""
    return count * unit_cost_k / THOUSANDS_PER_MILLION


def book_value(
    cost: float,
    years: np.ndarray,
    method: str,
    life: float,
    salvage_pct: float = 0.0,
    factor: float = 2.0,
    custom: list[float] | None = None,
) -> np.ndarray:
    """Book value at each time in ``years``."""
    salvage = cost * salvage_pct
    if method == "straight_line":
        return cost - (cost - salvage) * np.minimum(years / life, 1.0)
    if method == "declining_balance":
        rate = min(factor / life, 1.0)
        bv = cost * (1.0 - rate) ** years
        return np.where(years >= life, salvage, np.maximum(bv, salvage))
    if method == "custom":
        points = [1.0] + list(custom or [])
        xs = np.arange(len(points), dtype=float)
        return cost * np.interp(years, xs, points, right=points[-1])
    raise ValueError(f"unknown depreciation method {method!r}")


def depreciation(cost: float, book: np.ndarray) -> np.ndarray:
    """Depreciation charge per period from a book-value path that starts at ``cost``."""
    return -np.diff(np.concatenate([[cost], book]))


def gpu_market_value(
    cost: float,
    years: np.ndarray,
    decline: float,
    next_gen_years: list[float],
    step: float,
    commercial_life: float,
    scrap_pct: float,
) -> np.ndarray:
    """Market value of a GPU fleet: smooth decline, generation step-downs, scrap at end of life."""
    value = cost * (1.0 - decline) ** years
    for launch in next_gen_years:
        value = np.where(years >= launch, value * (1.0 - step), value)
    scrap = cost * scrap_pct
    value = np.maximum(value, scrap)
    return np.where(years >= commercial_life, scrap, value)


def facility_market_value(
    cost: float, years: np.ndarray, life: float, market_value_pct: float
) -> np.ndarray:
    """Depreciated replacement cost times what a buyer of a specialised building would pay."""
    return cost * np.maximum(1.0 - years / life, 0.0) * market_value_pct


def fire_sale_add(fleet_terms: dict, years: np.ndarray) -> np.ndarray:
    """Extra forced-sale haircut on the GPUs at each time in ``years``: ``age x years +
    volume x N / (N + depth)``, N the GPUs sold (a forced sale sells the whole fleet)."""
    n, depth = fleet_terms["count"], fleet_terms["market_depth_gpus"]
    share = n / (n + depth) if n + depth > 0 else 0.0
    return fleet_terms["fire_sale_age_pct"] * years + fleet_terms["fire_sale_volume_pct"] * share
