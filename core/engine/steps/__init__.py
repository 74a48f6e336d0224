"""The waterfall's steps, in order: the one list the engine's implementations follow.

``WATERFALL`` is the order in which, every period, the cash of a path is computed and paid
out. Three implementations follow it and a test checks that each has exactly these steps in
this order:

* the compiled kernel: ``core/engine/steps/<name>.pxi`` holds each step's Cython (sections
  ``# @declare`` and ``# @period``); ``core.engine.codegen`` renders ``run_path`` from them in
  this order (``_run_path.pxi``);
* the NumPy reference (:mod:`core.engine.reference`): one function per step, called in
  this order;
* the Excel export (:mod:`core.files.excel_waterfall`): one block of rows per step.

A step a deal does not use costs nothing: a step with an ``active`` test is skipped by the
kernel on a deal whose inputs make it a no-op (``Ctx.steps``, a bit per step, set once a
call); the reference runs every step, so the parity tests prove that skipping changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.engine.arrays import EngineInputs

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    summary: str
    #: False when the step cannot change anything on a deal with these inputs (None: always runs)
    active: Callable[[EngineInputs], bool] | None = None

    @property
    def source(self) -> Path:
        """The step's Cython fragment."""
        return HERE / f"{self.name}.pxi"


WATERFALL: tuple[Step, ...] = (
    Step(
        "draws",
        "Delayed draws",
        "draws (borrowing base, default stop) with their own schedules; commitment fee; capex",
        lambda inp: inp.draw_amort is not None and bool(np.any(np.asarray(inp.draw_amort) != 0)),
    ),
    Step(
        "collateral",
        "Collateral and reserves",
        "crypto margin call / sale; forced sale after the liquidation lag; reserves released",
    ),
    Step("cfads", "CFADS", "revenue - costs - fees - tax; debt service due; DSCR; cash"),
    Step(
        "swap",
        "Interest-rate swap",
        "net settlement ahead of interest (in the debt service); breakage on termination",
        lambda inp: inp.swap_float_accrual is not None or inp.swap_fixed_leg is not None,
    ),
    Step(
        "construction",
        "Construction",
        "Treasury reserve: yield, capex, interest during construction; released at completion",
        lambda inp: inp.build is not None or inp.treasury_initial != 0,
    ),
    Step("interest", "Interest", "current interest + arrears by seniority; DSRA draws; PIK"),
    Step("principal", "Scheduled principal", "by seniority; DSRA draws; payment default"),
    Step("proceeds", "Proceeds", "sale, liquidation and crypto proceeds prepay debt"),
    Step(
        "dsra",
        "DSRA",
        "top-up to target or release of the excess",
        lambda inp: inp.dsra_initial != 0 or bool(np.any(np.asarray(inp.dsra_target) != 0)),
    ),
    Step("covenants", "Covenants", "DSCR window, LTV and payment default; their actions"),
    Step("sweep", "Cash sweep", "all cash under a sweep or acceleration, else per tranche"),
    Step("lockup", "Lock-up account", "trap, hold while a class is short, release when cured"),
    Step("distribution", "Distribution", "to equity; write-off on liquidation and at the end"),
)

NAMES = tuple(s.name for s in WATERFALL)


def active_mask(inp: EngineInputs) -> int:
    """Bit ``i`` set when step ``i`` of WATERFALL runs for ``inp`` (the kernel's ``Ctx.steps``)."""
    mask = 0
    for i, step in enumerate(WATERFALL):
        if step.active is None or step.active(inp):
            mask |= 1 << i
    return mask
