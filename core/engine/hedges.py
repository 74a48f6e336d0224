"""Interest-rate swaps: each swap's notional schedule and the legs the waterfall settles.

A swap block hedges one tranche (``swap --hedges--> tranche``). Its notional in a period is the
hedge ratio times the tranche's scheduled opening balance on the base case (capped by the
notional cap, when one is set), from its start to its end (its term, or the tranche's
maturity). The SPV pays the fixed rate and receives the base rate on that notional, both
accrued on the tranche's day count. The kernel gets the legs summed over swaps, per period
(``EngineInputs.swap_float_accrual``, ``swap_fixed_leg``): the net settlement of a period is
``base rate x float accrual - fixed leg``; the swap step (core/engine/steps/swap.pxi) settles it
and values the remaining settlements when a swap is terminated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.engine.draws import DrawPlan
from core.engine.plan import periods_ceil
from core.engine.timeline import Timeline
from core.model.deal import Block, Deal


@dataclass
class SwapSchedule:
    block: Block
    tranche: int  # index of the hedged tranche in kernel (seniority) order
    notional: np.ndarray  # (T,) notional of each period
    year_fraction: np.ndarray  # (T,) accrual fraction (the hedged tranche's day count)

    @property
    def float_accrual(self) -> np.ndarray:
        """Notional x year fraction: the floating leg per unit of base rate."""
        return self.notional * self.year_fraction

    @property
    def fixed_leg(self) -> np.ndarray:
        return self.notional * self.block.terms["fixed_rate"] * self.year_fraction


def swap_schedules(
    deal: Deal,
    tl: Timeline,
    tranches: list[Block],
    scheduled_principal: np.ndarray,
    maturity: np.ndarray,
    draws: DrawPlan | None = None,
) -> list[SwapSchedule]:
    """The schedule of every swap of ``deal``; ``scheduled_principal`` (K, T) and ``maturity``
    (K,) are the sized base case of ``tranches`` (kernel order); a delayed-draw tranche's
    scheduled balance adds its draws (``draws``, core.engine.draws)."""
    T = tl.n_periods
    index = {b.id: k for k, b in enumerate(tranches)}
    out = []
    for swap in deal.of_kind("swap"):
        st = swap.terms
        (tranche,) = deal.links(swap.id, "hedges")
        k = index[tranche.id]
        paid_before = np.concatenate([[0.0], np.cumsum(scheduled_principal[k])[:-1]])
        drawn = tranche.terms["notional"]
        if draws is not None and draws.amort[k]:
            drawn = draws.closing[k] + np.cumsum(draws.amount[k])
        opening = np.maximum(drawn - paid_before, 0.0)
        start = min(periods_ceil(st["start_months"], tl.months_per_period), T)
        end = start + tl.periods(st["term_years"]) if st["term_years"] > 0 else maturity[k] + 1
        live = (np.arange(T) >= start) & (np.arange(T) < min(end, T))
        notional = np.where(live, st["hedge_ratio"] * opening, 0.0)
        if st["notional_cap"] > 0:
            notional = np.minimum(notional, st["notional_cap"])
        yf = tl.year_fraction(tranche.terms["day_count"])
        out.append(SwapSchedule(swap, k, notional, yf))
    return out


def swap_legs(schedules: list[SwapSchedule], T: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The kernel's swap inputs summed over ``schedules``; ``(None, None)`` without swaps."""
    if not schedules:
        return None, None
    float_accrual, fixed_leg = np.zeros(T), np.zeros(T)
    for s in schedules:
        float_accrual += s.float_accrual
        fixed_leg += s.fixed_leg
    return float_accrual, fixed_leg
