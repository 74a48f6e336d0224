"""Refuse a deal whose compiled engine inputs are not finite, naming the inputs behind it.

Every term of a deal is bounded by its field declaration, so a finite deal compiles to finite
arrays; this check is the guard behind those bounds (a deal built in code without field checks,
a combination of extreme terms). A NaN or infinity reaching the waterfall would otherwise show
as a silent "n/a" or a wrong loss, so it is refused here with a :class:`DealError` naming the
engine array, the first period and the deal's terms furthest beyond their usual range.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from core.engine.arrays import EngineInputs
from core.model.deal import Deal
from core.model.errors import DealError

#: beyond this magnitude (USD millions, or any unit) a number is refused as if it were infinite:
#: sums and present values of such numbers overflow further on. No deal within its fields'
#: bounds comes near it.
MAX_MAGNITUDE = 1e100


def check_finite_inputs(inputs: EngineInputs | Any, deal: Deal) -> None:
    """Raise :class:`DealError` if any floating array or number of ``inputs`` (the engine's
    inputs, or any dataclass of compiled arrays such as the per-path rows sizing reads) is
    NaN, infinite or beyond :data:`MAX_MAGNITUDE`."""
    for f in dataclasses.fields(inputs):
        value = getattr(inputs, f.name)
        if value is None or isinstance(value, int | dict):
            continue
        array = np.atleast_1d(np.asarray(value))
        if array.dtype.kind != "f":
            continue
        with np.errstate(invalid="ignore"):
            wrong = ~(np.abs(array) <= MAX_MAGNITUDE)  # NaN compares False
        if not wrong.any():
            continue
        bad = np.argwhere(wrong)[0]
        where = f" in period {int(bad[-1]) + 1}" if np.ndim(value) else ""
        shown = array[tuple(bad)]
        raise DealError(
            _suspects(deal),
            float(shown),
            f"the engine's {f.name} is not a finite number of at most {MAX_MAGNITUDE:g}{where}: "
            "the input(s) named are too large (together); lower them",
        )


def _suspects(deal: Deal) -> str:
    """The numeric terms beyond their field's bounds (a deal built without field checks), else
    the three largest against their bounds, as paths."""
    ranked = []
    for b in deal.blocks.values():
        for name, value in b.terms.items():
            f = b.spec.field(name)
            if f.type not in ("float", "int") or isinstance(value, bool):
                continue
            scale = max(abs(f.maximum or 0.0), abs(f.minimum or 0.0), 1.0)
            size = abs(float(value)) if math.isfinite(float(value)) else math.inf
            ranked.append((size / scale, f"blocks[{b.id}].terms.{name}={value!r}"))
    ranked.sort(key=lambda r: -r[0])
    beyond = [p for size, p in ranked if size > 1.0]
    return ", ".join(beyond or [p for _, p in ranked[:3]]) or "the deal"
