"""A run's results as one JSON-ready object (``python main.py run --json``, the stress
command's output and anything else that serialises results).

The per-period and per-tranche series are the ones declared in :mod:`core.engine.results`
(``JSON_PERIOD_SERIES``, ``JSON_TRANCHE_SERIES``); a series added there appears here without
an edit. :func:`json_safe` turns NaN and infinities into null and NumPy scalars into plain
numbers, so ``json.dump(..., allow_nan=False)`` accepts the object.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from core.engine.refinancing import refinancing_outcomes
from core.engine.results import JSON_PERIOD_SERIES, JSON_TRANCHE_SERIES, DealResult

#: what the JSON output carries of each sponsor's look-through leverage and of each event
LOOK_THROUGH_KEYS = ("sponsor", "on_balance_sheet", "off_balance_sheet", "economic", "ratio")
EVENT_KEYS = ("date", "kind", "tranche")


def json_safe(value: Any) -> Any:
    """JSON-safe: NaN and infinities become null, NumPy scalars plain numbers (recursively
    through dicts, lists and tuples)."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _fields(obj: object, keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: getattr(obj, k) for k in keys}


def _periods(result: DealResult) -> list[dict[str, Any]]:
    dates = [d.date().isoformat() for d in result.periods.index]
    series = {key: result.series(name).tolist() for key, name in JSON_PERIOD_SERIES.items()}
    return [
        {"date": date, **{key: values[t] for key, values in series.items()}}
        for t, date in enumerate(dates)
    ]


def result_to_json(result: DealResult) -> dict[str, Any]:
    """Metrics, sources and uses, look-through, events, and every declared series per period
    and per tranche; on a deal that refinances a balloon, how each was met."""
    refi = {}
    if result.compiled.inputs.refi_on is not None:
        refi = {"refinancing": [r.to_dict() for r in refinancing_outcomes(result)]}
    return json_safe(
        {
            "deal": result.compiled.deal.name,
            "metrics": result.metrics,
            "tranche_metrics": result.tranche_metrics.to_dict(orient="records"),
            "sources": result.sources,
            "uses": result.uses,
            **(
                {
                    "commitments": result.commitments.to_dict(orient="records"),
                    "deliveries_after_close": result.deliveries_after_close,
                }
                if not result.commitments.empty
                else {}
            ),
            "look_through": [_fields(x, LOOK_THROUGH_KEYS) for x in result.look_through],
            "events": [_fields(e, EVENT_KEYS) for e in result.events],
            **refi,
            "periods": _periods(result),
            "tranches": [
                {"name": name, **{k: df[c].tolist() for k, c in JSON_TRANCHE_SERIES.items()}}
                for name, df in result.tranches.items()
            ],
        }
    )
