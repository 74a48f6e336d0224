"""What the printed report shows, gathered from the engine (core.report.data, no Qt)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pytest

from core.engine.results import run_deal
from core.files.deal_json import dump_deal, load_deal
from core.report.data import gather
from core.risk.breakeven import dscr_headroom
from core.risk.catalogue import RISKS

DEALS = Path(__file__).resolve().parents[1] / "resources" / "deals"


@pytest.fixture(scope="module")
def hyperion():
    path = DEALS / "hyperion_jv.json"
    deal = load_deal(str(path))
    return path, deal, gather(deal, str(path), mc_paths=0, today=dt.date(2026, 11, 22))


def test_header_names_the_parties_and_hashes_the_file(hyperion):
    path, deal, data = hyperion
    h = data.header
    assert h.deal_name == deal.name
    assert h.file_name == "hyperion_jv.json"
    assert h.hash_of == "file"
    assert h.file_hash == hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    assert h.generated == "2026-11-22"
    assert h.spv == "Beignet Investor LLC (JV)"
    assert h.closing_date == "2025-10-01" and h.period == "quarterly"
    meta = next(s for s in h.sponsors if s.startswith("Meta Platforms"))
    assert "owns 20% of the SPV" in meta and "tenant" in meta and "guarantor" in meta


def test_unsaved_changes_hash_the_deal_not_the_file(hyperion):
    path, deal, _ = hyperion
    changed = deal.copy()
    data = gather(changed, str(path), mc_paths=0, saved=False)
    assert data.header.hash_of == "deal"
    assert data.header.file_name == "hyperion_jv.json (unsaved changes)"
    expected = hashlib.sha256(dump_deal(changed).encode("utf-8")).hexdigest()[:12]
    assert data.header.file_hash == expected
    assert gather(deal, None, mc_paths=0).header.file_name == "unsaved deal"


def test_numbers_are_the_engines(hyperion):
    _, deal, data = hyperion
    base = run_deal(deal)
    assert data.result.metrics["min_dscr"] == pytest.approx(base.metrics["min_dscr"], rel=1e-12)
    assert [o.risk.id for o in data.risks] == [r.id for r in RISKS]
    head = dscr_headroom(deal)
    assert data.headroom.cfads_fall_to_lockup == pytest.approx(head.cfads_fall_to_lockup)
    # highest LTV while any debt is outstanding, by hand
    debt = sum(f["balance"].to_numpy(float) for f in base.tranches.values())
    ltv = base.periods["ltv"].to_numpy(float)
    live = (debt > 1e-9) & np.isfinite(ltv)
    assert data.max_ltv == pytest.approx(ltv[live].max())
    assert data.montecarlo is None and data.notes


def test_covenant_rows_carry_levels_and_headroom(hyperion):
    _, deal, data = hyperion
    rows = {c.test.split(" (")[0]: c for c in data.covenants}
    assert set(rows) == {"DSCR lock-up", "DSCR default"}  # no LTV test in this deal
    head = data.headroom
    lock = rows["DSCR lock-up"]
    assert lock.level == "1.10x" and lock.action == "trap"
    assert lock.actual == f"min {head.min_test_dscr:.2f}x"
    assert lock.headroom == f"CFADS can fall {head.cfads_fall_to_lockup * 100:.1f}%"
    # the headroom is the uniform CFADS fall that takes the tested DSCR to the level
    assert head.min_test_dscr * (1 - head.cfads_fall_to_lockup) == pytest.approx(1.10)
    assert rows["DSCR default"].first_breach is None


def test_ltv_covenant_row_when_the_deal_tests_ltv():
    deal = load_deal(str(DEALS / "xai_gpu_spv.json"))
    data = gather(deal, None, mc_paths=0)
    cov = deal.of_kind("covenant")[0].terms
    ltv_rows = [c for c in data.covenants if c.test.startswith("Maximum LTV")]
    assert cov["ltv_max"] == 0.85
    (row,) = ltv_rows
    assert row.level == "85.0%" and row.action == cov["ltv_action"]
    assert row.headroom == f"{(0.85 - data.max_ltv) * 100:+.1f} pts"


def test_annual_deal_report_gathers_the_engine_s_annual_numbers():
    """Annual periods (issue #12): the report's header says so, its numbers are the annual
    engine's, and every catalogue risk and break-even runs on the annual deal."""
    deal = load_deal(str(DEALS / "terawulf_backstop.json"))
    deal.set_term(deal.of_kind("spv")[0].id, "period", "annual")
    data = gather(deal, None, mc_paths=0, today=dt.date(2026, 11, 22))
    assert data.header.period == "annual"
    base = run_deal(deal)
    assert base.compiled.timeline.periods_per_year == 1
    assert data.result.metrics["min_dscr"] == pytest.approx(base.metrics["min_dscr"], rel=1e-12)
    assert data.result.metrics["equity_irr"] == pytest.approx(base.metrics["equity_irr"])
    assert [o.risk.id for o in data.risks] == [r.id for r in RISKS]
    assert len(data.result.periods) == base.compiled.timeline.n_periods
    # a 6-month look-back is tested on the last year in annual periods, and says so
    deal.set_term(deal.of_kind("covenant")[0].id, "lookback_months", 6)
    data = gather(deal, None, mc_paths=0, today=dt.date(2026, 11, 22))
    assert all("trailing 12 months" in c.test for c in data.covenants if "DSCR" in c.test)


def test_the_tornados_base_el_is_the_reports_monte_carlo():
    """One senior EL on the Monte Carlo page: the tornado's base case is the report's own
    Monte Carlo (same paths, seed), and each moved input runs on those paths and seed."""
    from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
    from core.structuring.tornado import INPUTS

    deal = load_deal(str(DEALS / "terawulf_backstop.json"))
    data = gather(deal, mc_paths=1500, mc_seed=3)
    mc, t = data.montecarlo, data.tornado
    assert (t.paths, t.seed) == (mc.config.n_paths, mc.config.seed) == (1500, 3)
    el = mc.tranches[0]["expected_loss"]
    assert el > 0.0  # TeraWulf's notes lose on some paths
    assert t.base["senior_el"] == el
    # a second run of the same paths and seed, the debt sized on the deal itself, agrees
    cfg = MonteCarloConfig(n_paths=1500, seed=3)
    assert run_montecarlo(deal, cfg, sized_on=deal).tranches[0]["expected_loss"] == el
    # a bar: the moved deal on the same paths and seed (common random numbers)
    rent = next(i for i in INPUTS if i.key == "rent")
    up = deal.copy()
    rent.move(up, 1)
    row = next(r for r in t.rows if r.key == "rent")
    assert (
        row.high["senior_el"] == run_montecarlo(up, cfg, sized_on=deal).tranches[0]["expected_loss"]
    )
    with pytest.raises(ValueError, match="paths, seed and model"):
        from core.structuring.tornado import tornado

        tornado(deal, MonteCarloConfig(n_paths=1000, seed=3), base_mc=mc)
