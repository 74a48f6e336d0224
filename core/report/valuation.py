"""Which basis the collateral value and a liquidation used, as every view words it.

With the SPV's ``going_concern_yield`` set, the engine values the collateral (LTV, the
refinancing's advance test, a borrowing base) and a forced sale after acceleration at the
greater of the physical value and the leased assets' going-concern value while a lease performs
(core.engine.going_concern; docs/engine.md, "Going-concern value"). The run, the GUI and the
printed report say which one a number rests on; the numbers are the engine's
(``DealResult.collateral_basis``, ``liquidation_basis``, ``liquidation``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.engine.going_concern import PHYSICAL

if TYPE_CHECKING:
    from core.engine.results import DealResult
    from core.model.deal import Deal


def going_concern_on(result: DealResult) -> bool:
    """Whether the deal values its leased assets as a going concern."""
    return result.compiled.gc_basis is not None


def ltv_basis(result: DealResult, key: str) -> str:
    """The basis of the collateral value behind ``ltv_at_close`` or ``ltv_at_lease_end``."""
    basis = result.collateral_basis
    if key == "ltv_at_close":
        return str(basis.iloc[0]) if len(basis) else PHYSICAL
    T = len(basis)
    sale = int(min(result.compiled.sale_period[0], T - 1)) if T else 0
    return str(basis.iloc[sale]) if T else PHYSICAL


def basis_suffix(result: DealResult, key: str) -> str:
    """`` (going-concern value)`` or `` (physical value)`` after an LTV when the deal values its
    leased assets as a going concern; "" otherwise (a deal without the term reads as before)."""
    return f" ({ltv_basis(result, key)})" if going_concern_on(result) else ""


def recovery_basis(deal: Deal) -> str | None:
    """What a Monte Carlo's recoveries rest on when the deal values its leased assets as a
    going concern (None otherwise)."""
    st = deal.of_kind("spv")[0].terms
    if st["going_concern_yield"] <= 0:
        return None
    return (
        f"recoveries and collateral values: the going-concern value while a lease performs on "
        f"the path (buyer's yield {st['going_concern_yield'] * 100:.2f}%, sale cost "
        f"{st['going_concern_haircut'] * 100:.2f}%), else the physical value"
    )


def valuation_lines(result: DealResult) -> list[str]:
    """Plain sentences: the going-concern terms, the periods in which the collateral value is
    the going-concern value, and the base case's liquidation and its basis (empty without the
    term)."""
    if not going_concern_on(result):
        return []
    st = result.compiled.spv.terms
    basis = result.collateral_basis
    gc = basis.index[(basis != PHYSICAL).to_numpy()]
    lines = [
        f"Collateral valued as a going concern while a lease performs: buyer's yield "
        f"{st['going_concern_yield'] * 100:.2f}%, sale cost in a forced sale "
        f"{st['going_concern_haircut'] * 100:.2f}%"
    ]
    if len(gc):
        lines.append(
            f"Collateral value is the going-concern value from {gc[0].date().isoformat()} to "
            f"{gc[-1].date().isoformat()}, the physical value otherwise"
        )
    else:
        lines.append("Collateral value is the physical value in every period")
    liq = result.liquidation
    if liq is not None:
        date, how, value = liq
        lines.append(f"Liquidation {date} at the {how}: USD {value:,.1f}m")
    return lines
