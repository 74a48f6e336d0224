"""Renewal priced at contract rent (Hyperion's extension options) or repriced to market."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.engine.compile import compile_deal
from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.risk.stress import Stress, apply_stress

HYPERION = Path(__file__).resolve().parents[2] / "resources" / "deals" / "hyperion_jv.json"


def _rent(deal) -> np.ndarray:
    c = compile_deal(deal)
    return c.lease_schedules[c.leases[0].id].rent[0]


def test_contract_renewals_keep_the_rent_whatever_the_market():
    """Hyperion: rent from completion (year 4), 4-year term, five 4-year extensions at the
    contract rent, no escalator. With the data-centre rent falling 2% a year, a contract
    renewal keeps 2,850 a year to the horizon; a market renewal at the first renewal (year 8
    from closing) reprices to about 2,850 x 0.98^8 (the index falls yearly from closing)."""
    deal = apply_stress(load_deal(HYPERION), Stress(building_rent_deflation=0.02))
    assert deal.blocks["lease"].terms["renewal_pricing"] == "contract"
    rent = _rent(deal)
    ppy = compile_deal(deal).timeline.periods_per_year
    c = 4 * ppy  # completion: month 48
    np.testing.assert_allclose(rent[:c], 0.0)  # building: no rent
    np.testing.assert_allclose(rent[c : 24 * ppy], 2850.0 / ppy)
    deal.set_term("lease", "renewal_pricing", "market")
    repriced = _rent(deal)
    np.testing.assert_allclose(repriced[c : c + 4 * ppy], 2850.0 / ppy)
    assert repriced[c + 4 * ppy] < rent[c + 4 * ppy] * 0.98**7


def test_a_building_rent_fall_costs_the_bonds_nothing_with_contract_renewals():
    """The issue's case: a 2% a year fall in market rent gave Hyperion's bonds a 35% loss by
    repricing at renewal; Meta's extension options are at the contract rent (or Meta walks away
    and the RVG pays), so the stress costs the bonds nothing."""
    deal = load_deal(HYPERION)
    stressed = apply_stress(deal, Stress(building_rent_deflation=0.02))
    assert run_deal(stressed).metrics["debt_loss"] == 0.0
    stressed.set_term("lease", "renewal_pricing", "market")
    assert run_deal(stressed).metrics["debt_loss"] > 1000.0  # the old reading of the deal
