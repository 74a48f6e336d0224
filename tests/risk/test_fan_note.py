"""A flat DSCR fan is measured and explained (core.risk.fan_note): on TeraWulf (notes
sculpted to 1.30x on contracted rent with a backstop) nearly every path owing debt has the
same DSCR in every period, while the xAI fan (GPU rent on market value) has a spread."""

from __future__ import annotations

import numpy as np
import pytest

from core.files.deal_json import load_deal
from core.risk.fan_note import flat_fan
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from tests.engine.deal_builders import sculpted_terawulf

DEALS = "resources/deals/"


@pytest.fixture(scope="module")
def terawulf():  # noqa: ANN201
    # the notes sculpted (the sample refinances its 2030 balloon since issue #12); the
    # lenders enforce after a tenant default (Google's backstop pays the contract rent to its
    # cap, then a forced sale): with the sample's re-let the backstop bridges only the search
    # and the re-let at market spreads the fan (PD 11.9%, p5-p95 up to 0.20x on this seed)
    deal = sculpted_terawulf()
    deal.set_term("lease", "default_recovery", "enforce")
    return run_montecarlo(deal, MonteCarloConfig(n_paths=2000, seed=5))


def test_terawulf_band_is_flat_and_says_why(terawulf):
    flat = flat_fan(terawulf)
    assert flat is not None
    # the fan's own percentiles agree: where most paths sit in one 0.005x bin, the 5th and
    # 95th percentiles are within one bin of each other (interpolated inside it)
    p5 = np.asarray(terawulf.fan["dscr"]["p5"], float)
    p95 = np.asarray(terawulf.fan["dscr"]["p95"], float)
    shown = np.asarray(terawulf.fan["paths_outstanding"]) >= 0.05
    assert np.nanmax((p95 - p5)[shown]) <= 0.005 + 1e-9
    assert flat.same_share >= 0.9 and flat.periods == int(shown.sum())
    assert flat.dscr[0] == pytest.approx(1.295, abs=0.006)  # sculpted to 1.30x
    # the contrast it draws is the run's own: senior PD and min DSCR's 5th percentile
    assert flat.senior_pd == terawulf.tranches[0]["probability_of_default"] > 0.05
    assert flat.min_dscr_p5 == terawulf.min_dscr["p5"]  # 1.30x: defaults sell at once
    text = flat.text()
    assert "Flat band" in text and f"{flat.senior_pd:.1%}" in text


def test_a_fan_with_a_spread_gets_no_note():
    mc = run_montecarlo(load_deal(DEALS + "xai_gpu_spv.json"), MonteCarloConfig(n_paths=1000))
    p5 = np.asarray(mc.fan["dscr"]["p5"], float)
    p95 = np.asarray(mc.fan["dscr"]["p95"], float)
    assert np.nanmedian(p95 - p5) > 0.05  # a real spread
    assert flat_fan(mc) is None
