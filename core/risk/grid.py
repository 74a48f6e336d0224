"""Two-input stress grid: min DSCR, senior loss and equity IRR for every pair of values.

Each cell applies both inputs (fields of :class:`core.risk.stress.Stress`) on top of a base
stress and runs the deterministic engine with the debt sized on the unstressed deal
(``run_stressed``), so a cell is exactly what ``python main.py stress --set x=.. y=..`` shows.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from core.limits import MAX_GRID_AXIS, check_count
from core.model.deal import Deal
from core.model.errors import DealError
from core.risk.errors import RiskInputError
from core.risk.scenarios import check_value
from core.risk.stress import Stress, run_stressed


def parse_range(spec: str) -> tuple[str, np.ndarray]:
    """``name=lo:hi:n`` (n evenly spaced values) or ``name=v1,v2,...``."""
    if "=" not in spec:
        raise RiskInputError(f"grid axis {spec!r}: expected NAME=LO:HI:N or NAME=V1,V2,...")
    name, rhs = spec.split("=", 1)
    name = name.strip()
    try:
        if ":" in rhs:
            lo, hi, n = rhs.split(":")
            if int(n) < 1:
                raise ValueError
            count, make = int(n), lambda: np.linspace(float(lo), float(hi), int(n))
        else:
            items = rhs.split(",")
            count, make = len(items), lambda: np.array([float(v) for v in items])
        check_count(f"grid axis {name}", count, "the number of values", MAX_GRID_AXIS)
        values = make()  # only once the count is known to be within the limit
    except DealError:
        raise
    except ValueError:
        raise RiskInputError(
            f"grid axis {spec!r}: expected NAME=LO:HI:N or NAME=V1,V2,..."
        ) from None
    for v in values:
        check_value(name, float(v) if name != "renewals" else round(v), f"grid axis {name}")
    return name, values


def stress_grid(
    deal: Deal,
    x: tuple[str, np.ndarray],
    y: tuple[str, np.ndarray],
    base: Stress | None = None,
    engine: str = "cython",
) -> pd.DataFrame:
    """One row per (x, y) cell: min_dscr, senior_loss (share of the senior tranche's notional),
    debt_loss (USD m, all tranches) and equity_irr."""
    from core.engine.compile import compile_deal
    from core.risk.scenarios import STRESS_FIELDS

    base = base or Stress()
    for name, _ in (x, y):
        if name not in STRESS_FIELDS:
            raise RiskInputError(f"unknown grid input {name!r}; expected one of {STRESS_FIELDS}")
    rows = []
    sized = compile_deal(deal)
    for xv in x[1]:
        for yv in y[1]:
            vals = {x[0]: _cast(x[0], xv), y[0]: _cast(y[0], yv)}
            res = run_stressed(deal, replace(base, **vals), engine, sized)
            tm = res.tranche_metrics
            rows.append(
                {
                    x[0]: float(xv),
                    y[0]: float(yv),
                    "min_dscr": res.metrics["min_dscr"],
                    "senior_loss": float(tm["loss_pct"].iloc[0]) if len(tm) else np.nan,
                    "debt_loss": res.metrics["debt_loss"],
                    "equity_irr": res.metrics["equity_irr"],
                }
            )
    return pd.DataFrame(rows)


def pivot(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """The grid as a table: rows = first input, columns = second input."""
    x, y = df.columns[0], df.columns[1]
    return df.pivot(index=x, columns=y, values=metric)


def _cast(name: str, v: float) -> float | int:
    return int(round(v)) if name == "renewals" else float(v)
