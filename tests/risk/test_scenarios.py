"""Scenarios (built-in, JSON round trip, validation) and the two-input grid."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.files.scenario_json import load_scenarios, save_scenarios, scenario
from core.risk.grid import parse_range, pivot, stress_grid
from core.risk.scenarios import BUILTIN, FIELD_INFO, RANGES, STRESS_FIELDS
from core.risk.stress import Stress, run_stressed


def test_builtin_scenarios_get_harsher(samples):
    deal = samples["hyperion_jv"]
    names = ["base", "downside", "severe"]
    dscr = [run_stressed(deal, BUILTIN[n]).metrics["min_dscr"] for n in names]
    assert list(BUILTIN) == [
        *names,
        "forced_sale",
        "guarantor_default",
        "walk_away",
        "construction_delay",
        "refi_market_shut",
        "refi_stressed",
    ]
    assert dscr[0] >= dscr[1] >= dscr[2]
    assert BUILTIN["severe"].describe().count("%") >= 5


def test_scenario_file_round_trip(tmp_path):
    path = tmp_path / "set.json"
    mine = {"mild": Stress(rent_deflation=0.1), "harsh": Stress(renewals=0, residual_haircut=0.4)}
    save_scenarios(mine, path)
    assert load_scenarios(path) == mine
    assert scenario(str(path)) == mine
    assert scenario("severe") == {"severe": BUILTIN["severe"]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"scenarios": {"x": {"rent_deflation": 1.5}}}, "scenario 'x': rent_deflation = 1.5"),
        ({"scenarios": {"x": {"rent": 0.1}}}, "unknown stress field 'rent'"),
        ({"scenarios": {"x": {"renewals": 1.5}}}, "renewals must be a whole number"),
        ({"scenarios": {"x": {"residual_haircut": "big"}}}, "residual_haircut must be a number"),
        ({"scenarios": {}}, "empty"),
        ({"other": 1}, "expected"),
    ],
)
def test_bad_scenario_files_name_field_and_value(tmp_path, doc, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match=message):
        load_scenarios(path)


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"scenarios":\n {"x": }}')
    with pytest.raises(ValueError, match="line 2"):
        load_scenarios(path)
    with pytest.raises(ValueError, match="unknown scenario 'nope'"):
        scenario("nope")


def test_grid_cells_equal_the_stressed_run(samples):
    deal = samples["hyperion_jv"]
    x = parse_range("rent_deflation=0:0.4:3")
    y = parse_range("residual_haircut=0.1,0.5")
    assert np.allclose(x[1], [0, 0.2, 0.4])
    df = stress_grid(deal, x, y)
    assert len(df) == 6
    for row in df.itertuples():
        cell = Stress(rent_deflation=row.rent_deflation, residual_haircut=row.residual_haircut)
        res = run_stressed(deal, cell)
        assert row.min_dscr == res.metrics["min_dscr"]
        assert row.equity_irr == res.metrics["equity_irr"]
        n0 = res.tranche_metrics["notional"].iloc[0]
        assert row.senior_loss == res.tranche_metrics["loss"].iloc[0] / n0
    table = pivot(df, "min_dscr")
    assert table.shape == (3, 2)
    # more rent deflation never helps the senior class
    assert (table.diff().dropna() <= 1e-12).all().all()


@pytest.mark.parametrize(
    "spec", ["rent_deflation", "rent_deflation=0:1", "rent_deflation=a,b", "rent_deflation=0:2:3"]
)
def test_bad_grid_axis(spec):
    with pytest.raises(ValueError):
        parse_range(spec)


def test_every_stress_field_has_a_label_unit_and_range():
    assert set(FIELD_INFO) == set(STRESS_FIELDS) == set(RANGES)


def test_stress_keeps_the_base_case_sizing(samples):
    """A sculpted tranche is not re-sculpted to the stressed cash flow: the schedule and DSRA
    target are the unstressed deal's, and the stressed loss differs from a re-sized run."""
    from core.engine.compile import compile_deal
    from core.engine.results import run_deal
    from core.risk.stress import apply_stress, compile_stressed

    deal = samples["terawulf_backstop"].copy()  # its notes sculpted
    deal.blocks["notes"].terms.update(amortisation="sculpted", refinance=False)
    stress = Stress(termination_year=2.0)
    base = compile_deal(deal)
    c = compile_stressed(deal, stress)
    assert np.array_equal(c.inputs.scheduled_principal, base.inputs.scheduled_principal)
    assert np.array_equal(c.inputs.dsra_target, base.inputs.dsra_target)
    resized = compile_deal(apply_stress(deal, stress))
    assert not np.array_equal(resized.inputs.scheduled_principal, base.inputs.scheduled_principal)
    assert run_stressed(deal, stress).metrics["debt_loss"] != pytest.approx(
        run_deal(apply_stress(deal, stress)).metrics["debt_loss"]
    )
