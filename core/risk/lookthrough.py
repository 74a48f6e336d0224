"""Sponsor look-through leverage under stress: off-balance-sheet exposure that comes back on.

In the base case a sponsor's guarantees are contingent: they count in its economic exposure at
their caps (:mod:`core.engine.leverage`) but nothing is paid. Under a stress a residual value
guarantee may be called at the sale (the sale raises less than the floor), a backstop may pay
a defaulted tenant's rent and a completion guarantee the costs of a late completion. What is
actually paid is exposure that has *come back on* the sponsor's balance sheet: cash it owes, no
longer a footnote.

For each sponsor: RVG top-ups, backstop payments and completion guarantee payments made by the
guarantees it gives (a guarantee connected from the sponsor), each summed over the horizon on
the scenario's path (path 0 of a deterministic run).
"""

from __future__ import annotations

from dataclasses import dataclass

from core.engine.compile import CompiledDeal
from core.engine.leverage import LookThrough


@dataclass(frozen=True)
class SponsorStress:
    sponsor: str
    scenario: str
    on_balance_sheet: float  # debt on its balance sheet before the stress
    off_balance_sheet: float  # SPV debt share + lease PV + guarantee caps (base case)
    rvg_paid: float  # residual value guarantee payments called in the scenario
    backstop_paid: float  # lease backstop payments made in the scenario
    guarantee_caps: float  # caps of the guarantees the sponsor gives
    completion_paid: float = 0.0  # completion guarantee payments (a late completion's costs)

    @property
    def returned_on_balance_sheet(self) -> float:
        """Off-balance-sheet exposure that became a payment (RVG called + backstop paid +
        completion guarantee paid)."""
        return self.rvg_paid + self.backstop_paid + self.completion_paid

    @property
    def on_balance_sheet_after(self) -> float:
        return self.on_balance_sheet + self.returned_on_balance_sheet

    @property
    def share_of_caps_called(self) -> float:
        """Paid as a share of the caps (NaN when the sponsor gives no guarantee)."""
        if self.guarantee_caps <= 1e-12:
            return float("nan")
        return self.returned_on_balance_sheet / self.guarantee_caps

    def to_dict(self) -> dict:
        return {
            "sponsor": self.sponsor,
            "scenario": self.scenario,
            "on_balance_sheet": self.on_balance_sheet,
            "off_balance_sheet": self.off_balance_sheet,
            "rvg_paid": self.rvg_paid,
            "backstop_paid": self.backstop_paid,
            "completion_paid": self.completion_paid,
            "guarantee_caps": self.guarantee_caps,
            "returned_on_balance_sheet": self.returned_on_balance_sheet,
            "on_balance_sheet_after": self.on_balance_sheet_after,
        }


def sponsor_stress(
    compiled: CompiledDeal, base: list[LookThrough], scenario: str, path: int = 0
) -> list[SponsorStress]:
    """What each sponsor's guarantees paid on ``path`` of a compiled (stressed) deal.

    ``base`` is the base-case look-through (``DealResult.look_through``) giving the balance
    sheet figures; it lists the sponsors in the same order as ``compiled.sponsors``.
    """
    deal = compiled.deal
    out = []
    for s, lt in zip(compiled.sponsors, base, strict=True):
        rvg = backstop = completion = caps = 0.0
        for g in deal.links(s.id, "guarantees"):
            if g.kind != "guarantee":
                continue
            caps += g.terms["cap"]
            paid = compiled.guarantee_paid.get(g.id)
            amount = 0.0
            if paid is not None:
                amount = float(paid[path] if paid.shape[0] > 1 else paid[0])
            if g.terms["guarantee_type"] == "rvg":
                rvg += amount
            elif g.terms["guarantee_type"] == "completion":
                completion += amount
            else:
                backstop += amount
        out.append(
            SponsorStress(
                s.terms["name"],
                scenario,
                lt.on_balance_sheet,
                lt.off_balance_sheet,
                rvg,
                backstop,
                caps,
                completion,
            )
        )
    return out
