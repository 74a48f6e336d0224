"""Excel export of the credit mechanics of issue #11: LibreOffice recalculates the workbook of
deals that enforce and sell after a tenant default, re-let after a search lag, lose a
guarantor, use each backstop scope, an RVG on any sale from operations and an economic
walk-away, and every cash-flow row equals the engine's (tests/files/excel_compare.py)."""

from __future__ import annotations

import pytest

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.model.deal import Deal
from tests.files.excel_cases import accel_deal
from tests.files.excel_compare import compare, export_all, recalculate_all


def _sample(name: str, **terms: dict) -> Deal:
    d = load_deal(f"resources/deals/{name}.json")
    for block, values in terms.items():
        for k, v in values.items():
            d.set_term(block, k, v)
    return d


def _rvg_any_sale() -> Deal:
    d = accel_deal()
    d.add_block("sponsor", {"name": "Insurer", "rating": "A"}, block_id="insurer")
    d.add_block(
        "guarantee",
        {"guarantee_type": "rvg", "floor_pct": 0.3, "cap": 1500.0, "rvg_triggers": "any_sale",
         "term_years": 3.0, "term_from": "operations"},
        block_id="rvg_any",
    )  # fmt: skip
    d.connect("guarantees", "insurer", "rvg_any")
    d.connect("guarantees", "rvg_any", "gpus")
    d.set_term("insurer", "default_month", 40)
    return d


#: TeraWulf's cases test the backstop's scopes on the physical collateral value (the sample
#: values it as a going concern while a lease performs; its export is tested apart)
PHYSICAL = {"going_concern_yield": 0.0}

CASES = {
    "enforce": lambda: _sample("xai_gpu_spv", lease={"tenant_default_month": 20}),
    "guarantor_fails": lambda: _sample(
        "terawulf_backstop",
        fluid={"default_month": 24},
        google={"default_month": 36},
        spv=PHYSICAL,
    ),
    "scope_termination": lambda: _sample(
        "terawulf_backstop",
        lease={"termination_month": 30},
        backstop={"backstop_scope": "default_or_termination"},
        spv=PHYSICAL,
    ),
    "scope_assumption": lambda: _sample(
        "terawulf_backstop",
        lease={"tenant_default_month": 24},
        backstop={"backstop_scope": "assumption", "cap": 500.0},
        spv=PHYSICAL,
    ),
    "tenant_is_guarantor": lambda: _sample("hyperion_jv", meta={"default_month": 30}),
    "walk_away": lambda: _sample("xai_gpu_spv", lease={"walk_away_gap": 0.3}),
    "rvg_any_sale": _rvg_any_sale,
}


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xlsx_credit")
    return recalculate_all(export_all(CASES, tmp), tmp)


@pytest.mark.parametrize("case", list(CASES))
def test_formulas_match_the_engine(books, case):
    deal, exported, recalculated = books[case]
    bad = compare(deal, exported, recalculated)
    assert not bad, "\n".join(bad[:20])


def test_the_cases_reach_the_mechanics(books):
    """Each case really exercises what it is for."""
    c = {k: run_deal(v[0]).compiled for k, v in books.items()}
    T = {k: x.timeline.n_periods for k, x in c.items()}
    assert c["enforce"].lease_cash["lease"].defaulted[0]
    assert c["enforce"].sale_period[0] == 20 + 9  # the forced sale after the 9-month lag
    bs = c["guarantor_fails"].lease_cash["lease"].backstop_paid[0]
    assert bs[:8].sum() == 0 and bs[8:12].sum() > 0 and bs[12:].sum() == 0  # Google stands 8-11
    assert c["scope_termination"].lease_cash["lease"].backstop_paid[0].sum() > 0
    assert c["scope_assumption"].lease_cash["lease"].backstop_paid[0].sum() > 500.0
    assert c["tenant_is_guarantor"].guarantee_paid["rvg"][0] == 0.0
    assert c["walk_away"].lease_cash["lease"].end[0] < T["walk_away"]
    out = run_deal(books["rvg_any_sale"][0])
    assert out.compiled.inputs.liquidation_value[0].max() > 0
