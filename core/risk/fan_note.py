"""Why a Monte Carlo DSCR fan is flat, in an analyst's words.

A fan is drawn per period over the paths still owing debt after it (``MonteCarloResult.fan``,
from fixed 0.005x histograms). On a deal whose debt service is sculpted to contracted rent
that a creditworthy tenant (or its backstop) pays, the DSCR is the same number on almost
every such path in every period: the band collapses onto the median. That is real, not a
drawing fault, and it hides where the risk is: the paths in distress are few in any one
period (each default happens once, somewhere along the life), so they sit below the 5th
percentile of every period while, over the whole life, many paths default. :func:`flat_fan`
measures this from the run's own histograms and says it; nothing is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.risk.mcstats import DSCR_EDGES
from core.risk.montecarlo import MonteCarloResult

#: the band is flat when, in most periods with debt, this share of the paths owing debt has
#: its DSCR in one histogram bin
FLAT_SHARE = 0.9
#: ... in at least this share of those periods
FLAT_PERIODS = 0.8
#: periods counting fewer paths than this share of the run are left out (the tail after the
#: last scheduled maturity of most paths)
MIN_COUNTED = 0.05


@dataclass(frozen=True)
class FlatFan:
    """A flat fan, measured: ``same_share`` (the smallest share, over the periods counted, of
    the paths owing debt whose DSCR falls in the period's most common 0.005x bin) at about
    ``dscr``; ``below_share`` the largest share in one period below that bin; the senior
    tranche's PD and the 5th percentile of min DSCR over the life, for contrast."""

    same_share: float
    dscr: tuple[float, float]  # the lowest and highest of the periods' common DSCR
    below_share: float
    periods: int
    senior_pd: float
    min_dscr_p5: float

    def text(self) -> str:
        lo, hi = self.dscr
        level = f"{lo:.2f}x" if hi - lo < 0.01 else f"{lo:.2f}x to {hi:.2f}x by period"
        return (
            f"Flat band: in each of the {self.periods} periods shown, at least "
            f"{self.same_share:.0%} of the paths still owing debt have the same DSCR "
            f"({level}, to 0.005x): their cash flow does not move with the Monte Carlo's "
            f"drivers (contracted rent, paid by the tenant or its backstop). Distress comes "
            f"on few paths at a time: at most "
            f"{self.below_share:.1%} fall below it in any one period, under the 5th "
            f"percentile drawn. Over the whole life the senior tranche defaults on "
            f"{self.senior_pd:.1%} of paths and min DSCR's 5th percentile is "
            f"{self.min_dscr_p5:.2f}x (the loss table)."
        )


def flat_fan(mc: MonteCarloResult) -> FlatFan | None:
    """The measure of a flat DSCR fan (None when the fan has a spread to show)."""
    hist = np.asarray(mc.stats.dscr_hist, dtype=float)  # (T, bins): below, 1000 bins, above
    counted = hist.sum(axis=1)
    keep = counted >= MIN_COUNTED * max(mc.config.n_paths, 1)
    if not keep.any():
        return None
    h, n = hist[keep], counted[keep]
    modal = h.argmax(axis=1)
    share = h[np.arange(len(h)), modal] / n
    if (share >= FLAT_SHARE).mean() < FLAT_PERIODS:
        return None
    below = np.array([h[i, : modal[i]].sum() for i in range(len(h))]) / n
    # bin b holds [edges[b - 1], edges[b]): its lower edge
    level = DSCR_EDGES[np.clip(modal[share >= FLAT_SHARE] - 1, 0, len(DSCR_EDGES) - 1)]
    senior = mc.tranches[0]["probability_of_default"] if mc.tranches else float("nan")
    return FlatFan(
        float(share.min()),
        (float(level.min()), float(level.max())),
        float(below.max()),
        int(keep.sum()),
        float(senior),
        float(mc.min_dscr["p5"]),
    )
