"""The JSON form of a result (core/engine/result_json.py): the documented format (docs/cli.md,
``run --json``) unchanged, driven by the declared series, and JSON-safe."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from core.engine import results
from core.engine.refinancing import refinancing_outcomes
from core.engine.result_json import json_safe, result_to_json
from core.engine.results import DealResult, run_deal
from core.files.deal_json import load_deal
from core.risk.scenarios import BUILTIN
from core.risk.stress import run_stressed

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLES = sorted(p.stem for p in DEALS.glob("*.json"))


def documented_form(result: DealResult) -> dict:
    """The ``run --json`` object as docs/cli.md defines it, built row by row from the result's
    own frames (the form the command line printed before result_json existed)."""
    p = result.periods
    periods = [
        {
            "date": d.date().isoformat(),
            "revenue": r.revenue,
            "opex": r.opex + r.fees,  # operating costs + senior fees
            "cfads": r.cfads,
            "debt_service": r.debt_service,
            "dscr": r.dscr,
            "ltv": r.ltv,
            "dsra_balance": r.dsra_balance,
            "equity_distribution": r.distribution - r.injection,
        }
        for d, r in zip(p.index, p.itertuples(), strict=True)
    ]
    tranches = [
        {
            "name": name,
            "balance": df.balance.tolist(),
            "interest": df.interest_paid.tolist(),
            "principal": df.principal_paid.tolist(),
            "shortfall": df.shortfall.tolist(),
            "writeoff": df.writeoff.tolist(),
        }
        for name, df in result.tranches.items()
    ]
    keys = ("sponsor", "on_balance_sheet", "off_balance_sheet", "economic", "ratio")
    look = [{k: getattr(x, k) for k in keys} for x in result.look_through]
    refi = {}
    if result.compiled.inputs.refi_on is not None:  # docs/cli.md: each balloon refinanced
        fields = ("tranche", "maturity", "balloon", "refinanced", "paid_from_cash", "short")
        refi = {
            "refinancing": [
                {**{f: getattr(r, f) for f in fields}, "new_maturity": r.new_maturity,
                 "spread": r.spread, "rate_type": r.rate_type, "rate": r.rate}
                for r in refinancing_outcomes(result)
            ]
        }  # fmt: skip
    return {
        "deal": result.compiled.deal.name,
        "metrics": result.metrics,
        "tranche_metrics": result.tranche_metrics.to_dict(orient="records"),
        "sources": result.sources,
        "uses": result.uses,
        **(
            {  # delayed draws (docs/cli.md): the commitments and the GPUs delivered later
                "commitments": result.commitments.to_dict(orient="records"),
                "deliveries_after_close": result.deliveries_after_close,
            }
            if not result.commitments.empty
            else {}
        ),
        "look_through": look,
        "events": [{"date": e.date, "kind": e.kind, "tranche": e.tranche} for e in result.events],
        **refi,
        "periods": periods,
        "tranches": tranches,
    }


def _text(doc: dict) -> str:
    """As the command line writes it (NaN as null, so strict JSON)."""
    return json.dumps(json_safe(doc), allow_nan=False)


@pytest.mark.parametrize("stressed", [False, True], ids=["base", "severe"])
@pytest.mark.parametrize("name", SAMPLES)
def test_json_is_the_documented_form_byte_for_byte(name, stressed):
    deal = load_deal(DEALS / f"{name}.json")
    result = run_stressed(deal, BUILTIN["severe"]) if stressed else run_deal(deal)
    got = result_to_json(result)
    assert _text(got) == _text(documented_form(result))
    draws = ["commitments", "deliveries_after_close"] if not result.commitments.empty else []
    refi = ["refinancing"] if result.compiled.inputs.refi_on is not None else []
    assert list(got) == [
        "deal", "metrics", "tranche_metrics", "sources", "uses", *draws, "look_through",
        "events", *refi, "periods", "tranches",
    ]  # fmt: skip
    assert bool(draws) == (name == "coreweave_ddtl")  # the sample drawn over its availability
    assert len(got["periods"]) == len(result.periods)


def test_a_declared_series_appears_without_an_edit(monkeypatch):
    """A new period column, a derived series or a tranche column only needs declaring."""
    result = run_deal(load_deal(DEALS / "terawulf_backstop.json"))
    monkeypatch.setitem(results.JSON_PERIOD_SERIES, "tax", "tax")
    monkeypatch.setitem(results.JSON_PERIOD_SERIES, "debt_outstanding", "debt_outstanding")
    monkeypatch.setitem(results.JSON_TRANCHE_SERIES, "pik", "pik")
    doc = result_to_json(result)
    first = doc["periods"][0]
    assert list(first)[-2:] == ["tax", "debt_outstanding"]
    assert [row["tax"] for row in doc["periods"]] == result.periods["tax"].tolist()
    (tranche,) = result.tranches.values()
    assert doc["periods"][5]["debt_outstanding"] == tranche["balance"].iloc[5]
    assert doc["tranches"][0]["pik"] == tranche["pik"].tolist()


def test_json_safe_makes_strict_json():
    value = {
        "nan": float("nan"),
        "inf": -math.inf,
        "np": np.float64(1.5),
        "int": np.int64(3),
        "nested": (np.float64(np.nan), [np.inf, 2.0]),
        "text": "x",
        "none": None,
    }
    got = json_safe(value)
    assert got == {
        "nan": None,
        "inf": None,
        "np": 1.5,
        "int": 3,
        "nested": [None, [None, 2.0]],
        "text": "x",
        "none": None,
    }
    assert type(got["np"]) is float and type(got["int"]) is int
    assert json.loads(json.dumps(got, allow_nan=False)) == got
