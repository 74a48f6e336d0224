"""A desk's flex case: the deal's revenue line cut and its operating costs raised by fixed
shares in every period, the debt schedules, sculpting and reserve targets kept as sized on the
base case. It is what the exported workbook's scenario switch does by formula (Sensitivity
sheet), computed by the engine: the compiled revenue and opex rows are scaled and the same
waterfall runs."""

from __future__ import annotations

import dataclasses

from core.engine.compile import compile_deal
from core.engine.results import DealResult, summarise
from core.model.deal import Deal


def run_flexed(deal: Deal, revenue_cut: float = 0.0, opex_uplift: float = 0.0) -> DealResult:
    """``deal`` with revenue x (1 - ``revenue_cut``) and opex x (1 + ``opex_uplift``) in every
    period (schedules sized on the base case)."""
    from core.engine.kernel import run_waterfall

    if not 0.0 <= revenue_cut <= 1.0:
        raise ValueError(f"revenue_cut must be between 0 and 1 (got {revenue_cut!r})")
    if opex_uplift < -1.0:
        raise ValueError(f"opex_uplift must be at least -1 (got {opex_uplift!r})")
    compiled = compile_deal(deal)
    inputs = dataclasses.replace(
        compiled.inputs,
        revenue=compiled.inputs.revenue * (1.0 - revenue_cut),
        opex=compiled.inputs.opex * (1.0 + opex_uplift),
    )
    flexed = dataclasses.replace(compiled, inputs=inputs)
    return summarise(flexed, run_waterfall(inputs))
