"""``CashFlows``: the engine's period-by-period waterfall (``core/engine/reference.py``) as live
Excel formulas, one column per period, helper rows per step, tranches in seniority order.

The sheet is written one step at a time, in the order of the engine's declared waterfall
(``core.engine.steps.WATERFALL``, which the kernel and the NumPy reference follow too). Each
step's rows are one function (:data:`WRITERS`, by step name) that adds its columns and hands
on, in a :class:`Flow`, the columns the next step starts from (cash left, DSRA, lock-up
account, each tranche's balance): collateral, margin call, liquidation after the lag, reserves
released; CFADS, tax, debt service due, DSCR, equity injection; interest by seniority (pro rata
within a rank), DSRA draws, PIK or arrears; scheduled principal, DSRA draws, shortfalls,
payment default of the controlling class; proceeds prepay debt; DSRA top-up / release;
covenant tests on the trailing DSCR window and LTV, actions; acceleration and cash sweeps;
lock-up account; distributions and write-offs. A step with no writer is left out when the deal
does not use it, and refused (:class:`MissingStep`) when it does. Booleans are 1/0 cells.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from openpyxl.workbook.workbook import Workbook

from core.engine.arrays import FLAG_NAMES
from core.engine.steps import WATERFALL
from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_cfads import cfads, collateral, opening
from core.files.excel_construction import construction_step
from core.files.excel_covenants import covenants, dsra, proceeds_prepayment
from core.files.excel_draws import draws_step
from core.files.excel_grid import Context, Grid, Section
from core.files.excel_payments import interest, scheduled_principal
from core.files.excel_swaps import swap_step
from core.files.excel_sweeps import distribution, lockup, sweeps


@dataclass
class Flow:
    """The columns a step hands to the next: cash still to apply, the DSRA and lock-up account
    balances, and each tranche's balance (seniority order)."""

    cash: str = ""
    dsra: str = ""
    trap: str = ""
    balances: list[str] = field(default_factory=list)


Step = Callable[[Section, Context, Flow], None]

#: the block of rows of each step of the engine's waterfall (core.engine.steps.WATERFALL, whose
#: order the sheet follows); before them, the period's opening position
WRITERS: dict[str, Step] = {
    "draws": draws_step,
    "collateral": collateral,
    "cfads": cfads,
    "swap": swap_step,
    "construction": construction_step,
    "interest": interest,
    "principal": scheduled_principal,
    "proceeds": proceeds_prepayment,
    "dsra": dsra,
    "covenants": covenants,
    "sweep": sweeps,
    "lockup": lockup,
    "distribution": distribution,
}


#: steps whose rows are left out of a deal that does not use them (the others' rows are always
#: written: later steps read their columns)
OMITTED_WHEN_UNUSED = frozenset({"swap", "draws", "construction"})

#: steps the export has no formulas for yet: a deal that uses one is refused (MissingStep) with
#: the step's name; one that does not is exported without it
NOT_WRITTEN: frozenset[str] = frozenset()


class MissingStep(ValueError):
    """The deal uses a waterfall step the Excel export does not write yet."""


def write_cashflows(wb: Workbook, ctx: Context) -> Grid:
    g = Grid(K.CASHFLOWS, ctx.T, band=ctx.grids[K.TIMELINE])
    ctx.grids[K.CASHFLOWS] = g
    flow = Flow()
    opening(g.section("Opening"), ctx, flow)
    n = 0
    for step in WATERFALL:
        used = step.active is None or step.active(ctx.compiled.inputs)
        writer = WRITERS.get(step.name)
        if writer is None and used:
            raise MissingStep(f"the Excel export has no formulas for the {step.title} step")
        if writer is None or (not used and step.name in OMITTED_WHEN_UNUSED):
            continue  # a step this deal does not use, not written
        n += 1
        writer(g.section(f"{n}. {step.title}"), ctx, flow)
    ws = wb.create_sheet(K.CASHFLOWS)
    flags = ", ".join(f"{bit} {name}" for bit, name in FLAG_NAMES.items())
    st.title(
        ws,
        "CashFlows: the CapStack waterfall as live formulas",
        "One column per period, one formula per row; money in USD millions. Steps in the "
        "order of the engine's waterfall (core.engine.steps.WATERFALL). "
        f"Flags: {flags}.",
    )
    g.write(ws)
    return g
