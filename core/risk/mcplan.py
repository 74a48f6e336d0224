"""The Monte Carlo's plan for the engine's compiled per-path compile.

The deal-level arrays are the engine's own (:func:`core.engine.plan.build_plan`, the plan
``compile_deal`` compiles with); a Monte Carlo adds its market model's: each lease's default
and termination hazards and chance of refusing a renewal, each counterparty's default hazard,
where the event draws sit in a path's draws and the residual-haircut volatility.
"""

from __future__ import annotations

import numpy as np

from core.engine.compile import CompiledDeal
from core.risk.paths import MarketModel, counterparty_specs, delay_spec, lease_event_specs


def build_plan(sized: CompiledDeal, m: MarketModel) -> dict:
    """Plan arrays and scalars of a base-case compiled deal under the market model ``m``
    (keys are the fields of ``Plan`` in core/engine/_pathplan.pxi)."""
    specs = lease_event_specs(sized, m)
    cps = counterparty_specs(sized, specs)
    n_events = sum(s.n_draws for s in specs) + len(cps)
    late = delay_spec(sized, m, n_events)
    plan = dict(sized.path_plan())
    plan.update(
        E=n_events + (2 if late else 0),
        delay_p=late.probability if late else 0.0,
        delay_mean=late.mean if late else 0.0,
        delay_off=late.offset if late else 0,
        lease_events=int(m.lease_events),
        residual_sd=m.residual_haircut_sd,
        walk_sens=np.array([s.walk_sens for s in specs], dtype=np.float64),
        cp_hazard=np.array([c.hazard for c in cps], dtype=np.float64),
        cp_off=np.array([c.offset for c in cps], dtype=np.int32),
        hazard=np.array([s.hazard for s in specs], dtype=np.float64),
        term_hazard=np.array([s.term_hazard for s in specs], dtype=np.float64),
        p_refuse=np.array([s.p_refuse for s in specs], dtype=np.float64),
        ev_off=np.array([s.offset for s in specs], dtype=np.int32),
    )
    return plan
