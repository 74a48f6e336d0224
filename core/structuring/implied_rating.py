"""Implied rating of a tranche from its Monte Carlo expected loss and default probability.

The tables are Moody's idealised cumulative expected-loss rates and idealised cumulative
default probabilities by horizon (``resources/rating_tables.json``, with their source). A
tranche's horizon is its weighted average life (WAL): the table is interpolated linearly in
years between 0 (no loss) and year 10, and held at year 10 beyond (longer-lived tranches are
measured against the 10-year column, which is the stricter reading). A metric earns the best
rating whose idealised value at the WAL is at least the metric; above the Caa column it is
``Ca``.

Each agency's method gives its own rating: Moody's rates on expected loss (the EL table, shown
with Moody's symbols, the headline), S&P on the probability of default (the default table, shown
with the S&P symbol of the same row). A target in Moody's symbols (``A3``) is met on the EL
rating, one in S&P symbols (``A-``) on the PD rating. Each comes with a band: the ratings of the
metric's 95% sampling interval from the number of paths (EL +- 1.96 standard errors of the
per-path loss share; PD by the Wilson interval; with no default on any path, the upper end is
the rule of three, 3 / paths, and the EL's upper end the same, a loss being at most the
notional).
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
    """A tranche's implied ratings, each with its band (best, worst) over the 95% interval:
    Moody's style on the expected loss, S&P style on the default probability."""

    tranche: str
    wal_years: float
    expected_loss: float
    probability_of_default: float
    paths: int
    el_rating: str  # Moody's symbol, from the EL table
    pd_rating: str  # on the same scale, from the default table (shown with its S&P symbol)
    el_band: tuple[str, str]
    pd_band: tuple[str, str]
    el_interval: tuple[float, float]
    pd_interval: tuple[float, float]
    target: str | None = None  # the tranche's target rating, if it has one

    @property
    def rating(self) -> str:
        """The headline: Moody's symbol from the expected loss."""
        return self.el_rating

    @property
    def sp(self) -> str:
        """The S&P symbol from the default probability."""
        return sp_symbol(self.pd_rating)

    def against(self, target: str) -> str:
        """The implied rating on ``target``'s scale: EL-based for a Moody's symbol, PD-based
        (S&P symbol) for an S&P one."""
        return self.el_rating if target in SCALE else self.sp

    def describe(self, target: str | None = None) -> str:
        """``implied Baa2 (EL, band A3 to Baa3) / BBB (PD, band BBB+ to BBB-); target A+ (not
        met)``; ``target`` defaults to the tranche's own."""
        target = target or self.target
        el_band = _band(self.el_band)
        pd_band = _band(tuple(sp_symbol(r) for r in self.pd_band))
        text = f"implied {self.el_rating} (EL, band {el_band}) / {self.sp} (PD, band {pd_band})"
        if not target:
            return text
        return f"{text}; target {target} ({'met' if meets(self, target) else 'not met'})"

    def to_dict(self) -> dict:
        return {
            "tranche": self.tranche,
            "wal_years": self.wal_years,
            "expected_loss": self.expected_loss,
            "probability_of_default": self.probability_of_default,
            "paths": self.paths,
            "moodys_el_rating": self.el_rating,
            "moodys_el_band": list(self.el_band),
            "sp_pd_rating": self.sp,
            "sp_pd_band": [sp_symbol(r) for r in self.pd_band],
            "el_interval": list(self.el_interval),
            "pd_interval": list(self.pd_interval),
            "target": self.target,
            "meets_target": None if self.target is None else meets(self, self.target),
        }


def _band(band: tuple[str, str]) -> str:
    return band[0] if band[0] == band[1] else f"{band[0]} to {band[1]}"


def meets(rating: ImpliedRating, target: str) -> bool:
    """True when the implied rating on ``target``'s scale is ``target`` or better."""
    return notch(rating.against(target)) <= notch(target)


def implied_rating(
    tranche: str, wal_years: float, el: float, el_std: float, pd: float, n: int
) -> ImpliedRating:
    """Rate one tranche from its EL (mean loss share, its per-path standard deviation), PD and
    the number of paths."""
    pd_iv = wilson(pd, n)
    el_iv = el_interval(el, el_std, n, pd_iv[1])
    return ImpliedRating(
        tranche,
        wal_years,
        el,
        pd,
        n,
        rating_for("expected_loss", el, wal_years),
        rating_for("default_probability", pd, wal_years),
        tuple(rating_for("expected_loss", v, wal_years) for v in el_iv),
        tuple(rating_for("default_probability", v, wal_years) for v in pd_iv),
        el_iv,
        pd_iv,
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


def ratings_of(deal, mc) -> list[ImpliedRating]:
    """Implied ratings of a Monte Carlo ``mc`` of ``deal`` (the unstressed deal: its base
    case gives each tranche's scheduled WAL), each with its tranche's target rating."""
    from dataclasses import replace

    from core.engine.results import run_deal

    res = run_deal(deal)
    wal = [float(w) for w in res.tranche_metrics["wal_years"]]
    return [
        replace(r, target=target_of(b))
        for r, b in zip(tranche_ratings(mc, wal), res.compiled.tranches, strict=True)
    ]


def target_of(tranche) -> str | None:
    """A tranche block's target rating (None for ``none``)."""
    t = tranche.terms.get("target_rating", "none")
    return None if t in (None, "", "none") else t


def short(r: ImpliedRating) -> str:
    """``Baa2 / BBB-`` (Moody's on EL / S&P on PD), for tables."""
    return f"{r.el_rating} / {r.sp}"
