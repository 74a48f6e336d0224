"""Implied rating of a tranche from its Monte Carlo expected loss and default probability.

The tables are Moody's idealised cumulative expected-loss rates and idealised cumulative
default probabilities by horizon (``resources/rating_tables.json``, with their source). A
tranche's horizon is its weighted average life (WAL): the table is interpolated linearly in
years between 0 (no loss) and year 10, and held at year 10 beyond (longer-lived tranches are
measured against the 10-year column, which is the stricter reading). A metric earns the best
rating whose idealised value at the WAL is at least the metric; above the Caa column it is
``Ca``.

The headline rating is the worse of the EL rating (Moody's convention) and the PD rating (the
default-rate convention S&P uses). The band is the rating of the metric's 95% sampling interval
from the number of paths: EL +- 1.96 standard errors of the per-path loss share, PD by the
Wilson interval; with no loss on any path, the upper end is the rule of three, 3 / paths.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

TABLES = Path(__file__).resolve().parents[2] / "resources" / "rating_tables.json"
BELOW = "Ca"  # worse than the Caa column
Z95 = 1.959963984540054


@cache
def tables() -> dict:
    """The rating tables (decimals, not percent), the scale best first and the S&P symbols."""
    doc = json.loads(TABLES.read_text(encoding="utf-8"))
    years = np.array([0.0] + [float(y) for y in doc["horizon_years"]])
    out = {"years": years, "sp": dict(doc["sp_equivalent"]), "source": doc["source"]}
    for key in ("expected_loss", "default_probability"):
        out[key] = {r: np.array([0.0] + [v / 100.0 for v in row]) for r, row in doc[key].items()}
    out["scale"] = list(doc["expected_loss"]) + [BELOW]
    out["sp"][BELOW] = "CC"
    return out


SCALE: tuple[str, ...] = tuple(tables()["scale"])


def notch(rating: str) -> int:
    """Position on the scale, 0 = Aaa; accepts Moody's or S&P symbols (A3 or A-)."""
    t = tables()
    if rating in SCALE:
        return SCALE.index(rating)
    for moodys, sp in t["sp"].items():
        if sp == rating:
            return SCALE.index(moodys)
    sp_list = ", ".join(t["sp"][r] for r in SCALE)
    raise ValueError(f"unknown rating {rating!r}; expected one of {', '.join(SCALE)} or {sp_list}")


def sp_symbol(rating: str) -> str:
    return tables()["sp"][SCALE[notch(rating)]]


def idealised(table: str, rating: str, wal_years: float) -> float:
    """Idealised cumulative ``table`` value ("expected_loss" or "default_probability") of
    ``rating`` at a horizon of ``wal_years`` (linear in years, held beyond year 10)."""
    t = tables()
    return float(np.interp(max(wal_years, 0.0), t["years"], t[table][SCALE[notch(rating)]]))


def rating_for(table: str, value: float, wal_years: float) -> str:
    """The best rating whose idealised ``table`` value at the WAL is at least ``value``."""
    for r in SCALE[:-1]:
        if value <= idealised(table, r, wal_years) * (1 + 1e-12):
            return r
    return BELOW


def wilson(p: float, n: int) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``p`` seen on ``n`` paths."""
    if n <= 0:
        return 0.0, 1.0
    if p <= 0.0:
        return 0.0, min(1.0, 3.0 / n)  # rule of three
    z2 = Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def el_interval(el: float, el_std: float, n: int, pd_high: float) -> tuple[float, float]:
    """95% interval of the expected loss: +- 1.96 standard errors; with no loss on any path,
    up to the PD's upper bound (a loss share is at most 1)."""
    if n <= 0:
        return 0.0, 1.0
    if el <= 0.0:
        return 0.0, pd_high
    half = Z95 * el_std / math.sqrt(n)
    return max(0.0, el - half), min(1.0, el + half)


@dataclass(frozen=True)
class ImpliedRating:
    """A tranche's implied rating and its band (best, worst) from the sampling uncertainty."""

    tranche: str
    wal_years: float
    expected_loss: float
    probability_of_default: float
    paths: int
    el_rating: str
    pd_rating: str
    rating: str  # the worse of the two
    band: tuple[str, str]  # (best, worst) over the 95% intervals
    el_interval: tuple[float, float]
    pd_interval: tuple[float, float]

    @property
    def sp(self) -> str:
        return sp_symbol(self.rating)

    def describe(self, target: str | None = None) -> str:
        """``implied Baa2 (BBB), band A3-Baa3; target A+``."""
        best, worst = self.band
        band = best if best == worst else f"{best}-{worst}"
        text = f"implied {self.rating} ({self.sp}), band {band}"
        return f"{text}; target {target}" if target else text

    def to_dict(self) -> dict:
        return {
            "tranche": self.tranche,
            "wal_years": self.wal_years,
            "expected_loss": self.expected_loss,
            "probability_of_default": self.probability_of_default,
            "paths": self.paths,
            "el_rating": self.el_rating,
            "pd_rating": self.pd_rating,
            "rating": self.rating,
            "sp_equivalent": self.sp,
            "band": list(self.band),
            "el_interval": list(self.el_interval),
            "pd_interval": list(self.pd_interval),
        }


def worse(a: str, b: str) -> str:
    return a if notch(a) >= notch(b) else b


def implied_rating(
    tranche: str, wal_years: float, el: float, el_std: float, pd: float, n: int
) -> ImpliedRating:
    """Rate one tranche from its EL (mean loss share, its per-path standard deviation), PD and
    the number of paths."""
    pd_iv = wilson(pd, n)
    el_iv = el_interval(el, el_std, n, pd_iv[1])
    el_r = rating_for("expected_loss", el, wal_years)
    pd_r = rating_for("default_probability", pd, wal_years)
    best = worse(
        rating_for("expected_loss", el_iv[0], wal_years),
        rating_for("default_probability", pd_iv[0], wal_years),
    )
    low = worse(
        rating_for("expected_loss", el_iv[1], wal_years),
        rating_for("default_probability", pd_iv[1], wal_years),
    )
    return ImpliedRating(
        tranche, wal_years, el, pd, n, el_r, pd_r, worse(el_r, pd_r), (best, low), el_iv, pd_iv
    )


def tranche_ratings(mc, wal_years: list[float]) -> list[ImpliedRating]:
    """Implied ratings of every tranche of a Monte Carlo result (``MonteCarloResult``), in its
    tranche order, with each tranche's base-case WAL."""
    s = mc.stats
    out = []
    for k, t in enumerate(mc.tranches):
        notional = t["notional"]
        if not notional > 0:  # no exposure: nothing to lose
            top = SCALE[0]
            out.append(
                ImpliedRating(
                    t["name"],
                    0.0,
                    0.0,
                    0.0,
                    int(s.n),
                    top,
                    top,
                    top,
                    (top, top),
                    (0.0, 0.0),
                    (0.0, 0.0),
                )  # fmt: skip
            )
            continue
        share = s.loss[:, k] / notional
        el_std = float(share.std(ddof=1)) if s.n > 1 else 0.0
        out.append(
            implied_rating(
                t["name"],
                wal_years[k],
                float(share.mean()),
                el_std,
                float(s.default[:, k].mean()),
                int(s.n),
            )
        )
    return out
