"""Look-through leverage: a sponsor's debt on its balance sheet against its economic exposure.

Economic exposure = its own debt + its share of the SPV's debt + the present value of the lease
payments it owes as tenant + the caps of the residual value guarantees and backstops it gives.
When the sponsor consolidates the SPV, the SPV's debt is on its balance sheet as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class LookThrough:
    sponsor: str
    on_balance_sheet: float  # own debt, plus the SPV's debt when it consolidates the SPV
    spv_debt_share: float  # its share of SPV debt it does not consolidate
    lease_pv: float  # PV of the lease payments it owes as tenant
    guarantees: float  # caps of the RVGs and backstops it gives

    @property
    def off_balance_sheet(self) -> float:
        return self.spv_debt_share + self.lease_pv + self.guarantees

    @property
    def economic(self) -> float:
        return self.on_balance_sheet + self.off_balance_sheet

    @property
    def ratio(self) -> float:
        """Economic exposure per unit of debt on the balance sheet (NaN when that is zero)."""
        if self.on_balance_sheet <= 1e-12:
            return float("nan")
        return self.economic / self.on_balance_sheet


def lease_pv(rent: np.ndarray, annual_rate: float, periods_per_year: int) -> float:
    """Present value at closing of rent paid at the end of each period."""
    t = np.arange(1, len(rent) + 1)
    return float(np.sum(rent / (1.0 + annual_rate / periods_per_year) ** t))


def look_through(
    compiled, debt_at_close: float, guarantee_caps: dict[str, float]
) -> list[LookThrough]:
    """Look-through leverage for every sponsor of a compiled deal (base case)."""
    deal = compiled.deal
    ppy = compiled.timeline.periods_per_year
    out = []
    for s in compiled.sponsors:
        t = s.terms
        owns = any(b.id == compiled.spv.id for b in deal.links(s.id, "owns"))
        share = t["jv_share"] if owns else 0.0
        rent = np.zeros(compiled.timeline.n_periods)
        for lease in compiled.leases:
            if any(b.id == s.id for b in deal.links(lease.id, "leases_to")):
                cash = compiled.lease_cash[lease.id]
                rent += cash.revenue[0] - cash.backstop_paid[0]
        gsum = sum(guarantee_caps.get(g.id, 0.0) for g in deal.links(s.id, "guarantees"))
        consolidated = t["consolidates_spv"]
        on_bs = t["balance_sheet_debt"] + (debt_at_close if consolidated else 0.0)
        off_share = 0.0 if consolidated else share * debt_at_close
        pv = lease_pv(rent, t["borrowing_rate"], ppy)
        out.append(LookThrough(t["name"], on_bs, off_share, pv, gsum))
    return out
