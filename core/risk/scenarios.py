"""Named scenarios (base, downside, severe) as stresses, and scenario sets saved as JSON.

A scenario is a :class:`core.risk.stress.Stress`. The built-in values come from DOMAIN.md:

- downside: compute rent falls 25% a year (the low end of the 25-28% yearly price-performance
  gain), 15% extra residual haircut, GPU value 5% a year faster down, +100 bp, 10% extra
  forced-sale haircut, BTC -30%;
- severe: rent -35% a year, 30% residual haircut, GPU value 15% a year faster down with a
  3-year commercial life (the critics' 2-3 years), no renewals (Hyperion: 4 years then
  options), +200 bp, 25% extra forced-sale haircut, BTC halves (50% volatility).

A scenario set is ``{"scenarios": {"name": {"rent_deflation": 0.3, ...}, ...}}``; every
field is checked (known name, number or null, range) and errors name the scenario and field.
Reading and writing it as a file is :mod:`core.files.scenario_json`'s job.
"""

from __future__ import annotations

import math
from dataclasses import fields

from core.risk.errors import RiskInputError
from core.risk.stress import Stress

BUILTIN: dict[str, Stress] = {
    "base": Stress(),
    "downside": Stress(
        rent_deflation=0.25,
        residual_haircut=0.15,
        gpu_value_decline=0.05,
        base_rate_shock=0.01,
        liquidation_haircut=0.10,
        crypto_price_shock=-0.30,
    ),
    "severe": Stress(
        rent_deflation=0.35,
        residual_haircut=0.30,
        gpu_value_decline=0.15,
        gpu_commercial_life=3.0,
        renewals=0,
        base_rate_shock=0.02,
        liquidation_haircut=0.25,
        crypto_price_shock=-0.50,
    ),
    # the credit mechanics of issue #11, as in the risk catalogue (core.risk.catalogue)
    "forced_sale": Stress(
        tenant_default_year=2.0, enforce=1, liquidation_lag_months=12, liquidation_haircut=0.30
    ),
    "guarantor_default": Stress(tenant_default_year=3.0, guarantor_default_year=3.0, enforce=1),
    "walk_away": Stress(rent_deflation=0.30, building_rent_deflation=0.02, walk_away_gap=0.5),
    # issue #12: a late completion, as in the risk catalogue
    "construction_delay": Stress(completion_delay_months=12),
    # the refinancing market of issue #12 (core.risk.catalogue's "refinancing" risk)
    "refi_market_shut": Stress(refi_advance_cut=1.0),
    "refi_stressed": Stress(refi_spread_shock=0.03, refi_advance_cut=0.35),
}

#: field -> (lowest, highest) accepted value
RANGES: dict[str, tuple[float, float]] = {
    "rent_deflation": (0.0, 1.0),
    "residual_haircut": (0.0, 1.0),
    "termination_year": (0.0, 50.0),
    "tenant_default_year": (0.0, 50.0),
    "base_rate_shock": (-0.2, 0.5),
    "gpu_value_decline": (0.0, 1.0),
    "gpu_commercial_life": (0.25, 30.0),
    "liquidation_haircut": (0.0, 1.0),
    "renewals": (0, 100),
    "crypto_price_shock": (-1.0, 10.0),
    "building_rent_deflation": (0.0, 1.0),
    "enforce": (0, 1),
    "forced_sale_haircut": (0.0, 1.0),
    "liquidation_lag_months": (0, 120),
    "guarantor_default_year": (0.0, 50.0),
    "walk_away_gap": (0.0, 10.0),
    "completion_delay_months": (0, 120),
    "refi_advance_cut": (0.0, 1.0),
    "refi_spread_shock": (-0.1, 0.5),
}
STRESS_FIELDS = tuple(f.name for f in fields(Stress))
#: field -> (label, unit) for a scenario editor; units as in core/model/blocks.py
FIELD_INFO: dict[str, tuple[str, str]] = {
    "rent_deflation": ("Rent deflation", "pct_per_year"),
    "residual_haircut": ("Extra residual haircut", "pct"),
    "termination_year": ("Early termination in year", "years"),
    "tenant_default_year": ("Tenant default in year", "years"),
    "base_rate_shock": ("Base-rate shift", "bp"),
    "gpu_value_decline": ("Extra GPU value decline", "pct_per_year"),
    "gpu_commercial_life": ("GPU commercial life", "years"),
    "liquidation_haircut": ("Extra forced-sale haircut", "pct"),
    "renewals": ("Renewals exercised", "count"),
    "crypto_price_shock": ("Crypto price change", "pct"),
    "building_rent_deflation": ("Data-centre rent deflation", "pct_per_year"),
    "enforce": ("Forced sale after default (1) / re-let (0)", "count"),
    "forced_sale_haircut": ("Whole forced-sale haircut", "pct"),
    "liquidation_lag_months": ("Liquidation lag (months)", "count"),
    "guarantor_default_year": ("Guarantor default in year", "years"),
    "walk_away_gap": ("Walk away at rent above market by", "pct"),
    "completion_delay_months": ("Completion delay (months)", "count"),
    "refi_advance_cut": ("Refinancing advance cut (100%: market shut)", "pct"),
    "refi_spread_shock": ("Refinancing spread shift", "bp"),
}


def stress_from_dict(data: object, where: str = "scenario") -> Stress:
    """A validated :class:`Stress` from a mapping of field -> value (None keeps the deal's)."""
    if not isinstance(data, dict):
        raise RiskInputError(f"{where}: expected an object of stress fields, got {data!r}")
    values = {}
    for name, v in data.items():
        if name not in STRESS_FIELDS:
            raise RiskInputError(
                f"{where}: unknown stress field {name!r}; "
                f"expected one of {', '.join(STRESS_FIELDS)}"
            )
        values[name] = check_value(name, v, where)
    return Stress(**values)


def check_value(name: str, v: object, where: str = "scenario") -> float | int | None:
    if v is None and name not in ("base_rate_shock", "gpu_value_decline", "liquidation_haircut",
                                  "crypto_price_shock", "refi_advance_cut",
                                  "refi_spread_shock"):  # fmt: skip
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise RiskInputError(f"{where}: {name} must be a number, got {v!r}")
    lo, hi = RANGES[name]
    if not lo <= v <= hi:
        raise RiskInputError(f"{where}: {name} = {v!r} is outside [{lo}, {hi}]")
    if name in ("renewals", "enforce", "liquidation_lag_months", "completion_delay_months"):
        if int(v) != v:
            raise RiskInputError(f"{where}: {name} must be a whole number, got {v!r}")
        return int(v)
    return float(v)


def stress_to_dict(stress: Stress) -> dict:
    """Only the fields that differ from no stress."""
    blank = Stress()
    return {k: v for k, v in stress.to_dict().items() if v != getattr(blank, k)}


def scenarios_from_doc(doc: object, where: str) -> dict[str, Stress]:
    """The validated stresses of a scenario-set document; errors start with ``where``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("scenarios"), dict):
        raise RiskInputError(f'{where}: expected {{"scenarios": {{"name": {{...}}}}}}')
    if not doc["scenarios"]:
        raise RiskInputError(f"{where}: the scenario set is empty")
    return {
        str(name): stress_from_dict(body, f"{where}: scenario {name!r}")
        for name, body in doc["scenarios"].items()
    }


def scenarios_to_doc(scenarios: dict[str, Stress]) -> dict:
    """The scenario-set document of ``scenarios`` (each with only its non-default fields)."""
    return {"scenarios": {name: stress_to_dict(s) for name, s in scenarios.items()}}
