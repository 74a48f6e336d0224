"""The refinancing market of the Monte Carlo (issue #12): at each date the market is shut,
open at a stressed spread, or open, by where the path's market rent stands.

A balloon refinanced at maturity (docs/engine.md, "Refinancing") meets the market of its
path. The market is **shut** in a period when the path's market-rent factor is in the lowest
``refi_shut_prob`` of its distribution at that date, and open at a **stressed spread** (the
tranche's refinancing spread + ``refi_wide_spread``) when it is in the lowest
``refi_wide_prob`` but not shut. So P(shut at a given date) = ``refi_shut_prob`` exactly, and
the market shuts on exactly the paths on which rents (and, through ``value_beta``, GPU values)
have fallen furthest: refinancing markets close in the same downturn that cuts the cash flow
and the collateral (comonotone with the rent shock; the regime chain drives only the BTC
copula, so the rent shock is the market model's downturn state). The advance test applies to
the path's own market value of the collateral.

The rent factor at the end of period ``t`` is ``exp(x_t - v_t / 2) * mult_t`` with ``x_t``
normal of variance ``v_t`` (``rent_vol^2 t`` for the GPU random walk, the Ornstein-Uhlenbeck
variance for data-centre rent: core.risk.paths), so its ``p`` quantile is
``exp(sqrt(v_t) N^-1(p) - v_t / 2) * mult_t``. The rows are set from these thresholds by
exact comparisons, in NumPy here (the staged pipeline) and in the fused kernel
(``core/risk/_mckernel.pyx``, ``_refi_rows``) alike.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np


def quantile_rows(prm: dict, p: float) -> np.ndarray:
    """The ``p`` quantile of the rent factor at each period end, from the driver parameters
    (``core.risk.paths.driver_params``)."""
    T = len(prm["t"])
    if p <= 0.0:
        return np.zeros(T)
    if p >= 1.0:
        return np.full(T, math.inf)
    var = (
        np.asarray(prm["rent_var"], dtype=float)
        if prm["rent_ou"]
        else prm["rent_vol"] ** 2 * np.asarray(prm["t"], dtype=float)
    )
    z = NormalDist().inv_cdf(p)
    return np.exp(np.sqrt(var) * z - 0.5 * var) * np.asarray(prm["rent_mult"], dtype=float)


def refi_market(prm: dict, shut_prob: float, wide_prob: float, wide_spread: float) -> tuple:
    """``(shut_below, wide_below, wide_spread)``: the rent-factor thresholds (T,) of a shut
    and of a stressed market, and the spread add-on of the stressed one."""
    shut = quantile_rows(prm, shut_prob)
    wide = quantile_rows(prm, max(wide_prob, shut_prob))
    return (
        np.ascontiguousarray(shut),
        np.ascontiguousarray(wide),
        float(wide_spread),
    )


def refi_rows(rent: np.ndarray, market: tuple) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's ``refi_advance_cut`` (1: shut) and ``refi_spread_add`` rows of paths whose
    market-rent factors are ``rent`` (n, T)."""
    shut_below, wide_below, wide_spread = market
    cut = np.where(rent < shut_below, 1.0, 0.0)
    add = np.where(rent < wide_below, wide_spread, 0.0)
    return cut, add
