"""The construction phase's deal-level half: capex schedule, completion, lease starts."""

from __future__ import annotations

import numpy as np
import pytest

from core.engine.construction import capex_shares, s_curve
from core.engine.plan import deal_level
from core.files.deal_json import load_deal

HYPERION = "resources/deals/hyperion_jv.json"


def test_s_curve_shares_by_hand():
    # 4 periods: F(x) = 3x^2 - 2x^3 at 0, .25, .5, .75, 1 = 0, 5/32, 1/2, 27/32, 1
    assert capex_shares("s_curve", 4, []) == pytest.approx([5 / 32, 11 / 32, 11 / 32, 5 / 32])
    assert s_curve(np.array([0.5]))[0] == 0.5
    assert capex_shares("straight_line", 5, []) == pytest.approx([0.2] * 5)
    assert capex_shares("custom", 3, [0.5, 0.5]) == pytest.approx([0.5, 0.5, 0.0])


def _hyperion(**spv):
    deal = load_deal(HYPERION)
    s = deal.of_kind("spv")[0]
    s.terms.update(spv)
    return deal


def test_no_construction_is_none():
    assert deal_level(load_deal("resources/deals/xai_gpu_spv.json")).construction is None
    built = load_deal(HYPERION)  # the Hyperion sample is built over four years
    assert deal_level(built).construction.completion == 16  # month 48, quarterly


def test_capex_schedule_sums_to_the_deal_cost_and_rent_starts_at_completion():
    # quarterly deal: completion month 12 -> period 4; capex from month 0 straight line
    d = deal_level(_hyperion(completion_month=12, capex_profile="straight_line"))
    c = d.construction
    assert c.completion == 4 and c.start == 0
    assert c.capex[:4] == pytest.approx([21000.0 / 4] * 4)  # the campus's hard cost
    assert c.capex[4:].sum() == 0.0
    assert c.capex_share.sum() == pytest.approx(1.0)
    lease = d.leases[0]
    assert d.schedules[lease.id].start == 4  # start_month 0 counts from completion
    assert d.schedules[lease.id].rent[0, :4].sum() == 0.0
