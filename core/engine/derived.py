"""Numbers derived from a run's own columns, made once here for every view.

:class:`Derived` is mixed into :class:`core.engine.results.DealResult`: totals of the capital
stack and of sources and uses, the per-period debt outstanding, operating costs, net equity
flow, where each period's cash goes (:attr:`Derived.cash_uses`), the highest LTV while debt is
outstanding and the annual cash-flow table. The GUI, the command line, the report and the
Excel import read these; none of them sums or subtracts result columns itself.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.engine.arrays import FLAG_LIQUIDATED
from core.engine.going_concern import COLLATERAL, GOING_CONCERN, LIQUIDATION, PHYSICAL

if TYPE_CHECKING:
    from core.engine.compile import CompiledDeal

#: where a period's cash goes, bottom to top of the waterfall chart: key -> legend label
CASH_USES: dict[str, str] = {
    "costs": "Opex, fees & tax",
    "interest": "Interest",
    "principal": "Principal",
    "dsra": "DSRA top-up / (release)",
    "swap": "Net swap payment / (receipt)",
    "trap": "Trapped cash / (release)",
    "gpus": "GPUs delivered (equity's share)",
    "distribution": "Distributions",
}
#: the period columns the annual table sums per year
ANNUAL_SUMS = ("revenue", "opex", "fees", "cfads", "debt_service", "distribution")
#: the columns of :attr:`Derived.equity_classes`
EQUITY_COLUMNS = ("investor", "amount", "share_of_capital", "first_loss_order", "preferred_return")


def net_equity_flow(periods: pd.DataFrame) -> pd.Series:
    """Distribution to equity less equity injected, per period (the equity IRR's flows)."""
    return periods["distribution"] - periods["injection"]


def tranche_sum(periods: pd.DataFrame, tranches: dict[str, pd.DataFrame], column: str) -> pd.Series:
    """``column`` of every tranche added up per period (zero when the deal has no tranche)."""
    return sum((t[column] for t in tranches.values()), pd.Series(0.0, index=periods.index))


class Derived:
    """Derived quantities of a :class:`~core.engine.results.DealResult` (see the module doc)."""

    compiled: CompiledDeal
    periods: pd.DataFrame
    tranches: dict[str, pd.DataFrame]
    metrics: dict[str, float | str | None]

    # ------------------------------------------------------------------ capital, at closing
    @property
    def total_debt(self) -> float:
        """The tranches' notionals at closing, plus their delayed draws (USD m)."""
        return float(self.metrics["total_debt"])

    @property
    def total_equity(self) -> float:
        """The equity classes' commitments at closing (USD m)."""
        return float(self.metrics["total_equity"])

    @property
    def total_capital(self) -> float:
        return self.total_debt + self.total_equity

    @property
    def commitments(self) -> pd.DataFrame:
        """One row per delayed-draw tranche (core.engine.draws): its commitment, drawn at
        closing, drawn later on this run, lapsed (undrawn when the availability period ended)
        and the commitment fees it accrued; empty when every tranche is drawn at closing."""
        cols = ("tranche", "commitment", "drawn_at_close", "drawn_later", "lapsed",
                "commitment_fees", "availability_end")  # fmt: skip
        w = self.compiled.level.draws if self.compiled.level is not None else None
        rows = []
        tl = self.compiled.timeline
        for k, b in enumerate(self.compiled.tranches):
            if w is None or not w.amort[k]:
                continue
            t = self.tranches[b.terms["name"]]
            later = float(t["drawn"].sum())
            end = int(w.end[k])
            rows.append({
                "tranche": b.terms["name"],
                "commitment": float(w.commitment[k]),
                "drawn_at_close": float(w.closing[k]),
                "drawn_later": later,
                "lapsed": float(t["undrawn"].iloc[end - 1]) if end > 0 else 0.0,
                "commitment_fees": float(t["commitment_fee"].sum()),
                "availability_end": tl.start(end).isoformat(),
            })  # fmt: skip
        return pd.DataFrame(rows, columns=cols)

    @property
    def deliveries_after_close(self) -> dict[str, float]:
        """GPUs delivered after closing with delayed draws (core.engine.draws): their cost,
        what the draws paid and what equity paid (in its injections); empty without draws."""
        capex = self.compiled.inputs.draw_capex
        if capex is None:
            return {}
        cost = float(np.sum(capex))
        w = self.compiled.level.draws
        drawn = float(
            sum(
                self.tranches[b.terms["name"]]["drawn"].sum()
                for k, b in enumerate(self.compiled.tranches)
                if w is None or w.share[k] == 0.0  # not the construction's capex-linked draws
            )
        )
        return {"cost": cost, "drawn": drawn, "equity": cost - drawn}

    @property
    def total_sources(self) -> float:
        return float(sum(self.compiled.sources.values()))

    @property
    def total_uses(self) -> float:
        return float(sum(self.compiled.uses.values()))

    @property
    def sources_uses_by_phase(self) -> dict[str, dict[str, dict[str, float]]] | None:
        """Sources and uses of the construction and of the operations (core.engine.phases);
        None for a deal without a construction phase (its sources and uses are at closing)."""
        from core.engine.phases import phases

        return phases(self.compiled, self.periods, self.tranches)

    @property
    def equity_classes(self) -> pd.DataFrame:
        """One row per equity class in first-loss order (:data:`EQUITY_COLUMNS`)."""
        capital = self.total_capital
        rows = [
            {
                "investor": b.terms["investor"],
                "amount": float(b.terms["amount"]),
                "share_of_capital": b.terms["amount"] / capital if capital > 0 else math.nan,
                "first_loss_order": b.terms["first_loss_order"],
                "preferred_return": b.terms.get("preferred_return") or 0.0,
            }
            for b in sorted(self.compiled.equity, key=lambda b: b.terms["first_loss_order"])
        ]
        return pd.DataFrame(rows, columns=list(EQUITY_COLUMNS))

    # ------------------------------------------------------------------ per period
    def series(self, name: str) -> pd.Series:
        """A per-period series by name: a column of ``periods`` or a per-period property."""
        return self.periods[name] if name in self.periods.columns else getattr(self, name)

    @property
    def debt_outstanding(self) -> pd.Series:
        """Closing balance of all tranches together, per period."""
        return tranche_sum(self.periods, self.tranches, "balance")

    @property
    def operating_costs(self) -> pd.Series:
        """Opex plus fees (before tax), per period."""
        return self.periods["opex"] + self.periods["fees"]

    @property
    def net_equity_flow(self) -> pd.Series:
        return net_equity_flow(self.periods)

    @property
    def cash_in(self) -> pd.Series:
        """Revenue plus sale proceeds plus equity injections plus what the Treasury reserve
        pays into the waterfall (construction: interest during construction from the reserve,
        what is left at completion), per period."""
        p = self.periods
        return p["revenue"] + p["proceeds"] + p["injection"] + p["treasury_draw"]

    @property
    def cash_uses(self) -> pd.DataFrame:
        """Where each period's cash goes, one column per :data:`CASH_USES` key (USD m).

        Reserve and lock-up movements are the change of the engine's DSRA and lock-up balances
        (a release is negative); interest and principal are the tranches' paid columns summed;
        ``swap`` is the net payment on interest-rate swaps (a receipt is negative; zero on a
        deal without swaps); ``gpus`` equity's share of the GPUs delivered with delayed draws
        (zero without them).
        """
        p = self.periods
        opening_dsra = self.compiled.inputs.dsra_initial
        return pd.DataFrame(
            {
                "costs": self.operating_costs + p["tax"],
                "interest": tranche_sum(p, self.tranches, "interest_paid"),
                "principal": tranche_sum(p, self.tranches, "principal_paid"),
                "dsra": p["dsra_balance"].diff().fillna(p["dsra_balance"].iloc[0] - opening_dsra),
                "swap": -p["swap_cash"],
                "trap": p["trap_balance"].diff().fillna(p["trap_balance"].iloc[0]),
                # delayed draws: equity's share of the GPUs delivered (in its injection)
                "gpus": self._equity_gpus(),
                "distribution": p["distribution"],
            }
        )

    def _equity_gpus(self) -> pd.Series:
        """Equity's share of the GPUs delivered with delayed draws, per period (zero without
        them, or on a result built without those columns)."""
        p = self.periods
        zero = pd.Series(0.0, index=p.index)
        delivered = p.get("gpus_delivered", zero)
        drawn = sum((t["drawn"] for t in self.tranches.values() if "drawn" in t), zero)
        return delivered - drawn

    # ------------------------------------------------------------------ valuation basis
    def _gc_bits(self, bit: int) -> pd.Series:
        basis = self.compiled.gc_basis
        on = np.zeros(len(self.periods), bool) if basis is None else (basis[0] & bit) != 0
        return pd.Series(np.where(on, GOING_CONCERN, PHYSICAL), index=self.periods.index)

    @property
    def collateral_basis(self) -> pd.Series:
        """Per period, what the collateral value (``asset_value``: the LTV, the refinancing's
        advance test, a borrowing base) is: :data:`GOING_CONCERN`, the leased assets' income
        value while a lease performs (the SPV's ``going_concern_yield``;
        core.engine.going_concern), or :data:`PHYSICAL`, the assets' market value."""
        return self._gc_bits(COLLATERAL)

    @property
    def liquidation_basis(self) -> pd.Series:
        """Per period, what a forced sale after acceleration would raise in it:
        :data:`GOING_CONCERN` (the assets sold with a performing lease) or :data:`PHYSICAL`."""
        return self._gc_bits(LIQUIDATION)

    @property
    def liquidation(self) -> tuple[str, str, float] | None:
        """(period-end date, basis, proceeds) of the forced sale after acceleration on the base
        case; None when the deal is not liquidated."""
        flags = self.periods["flags"].to_numpy()
        hit = np.flatnonzero((flags & FLAG_LIQUIDATED) != 0)
        if not len(hit):
            return None
        k = int(hit[0])
        value = float(self.compiled.inputs.liquidation_value[0, k])
        return self.periods.index[k].date().isoformat(), self.liquidation_basis.iloc[k], value

    # ------------------------------------------------------------------ summaries
    @property
    def max_ltv(self) -> tuple[float, str | None]:
        """(highest LTV while any debt is outstanding, its period-end date); (NaN, None) when
        debt is never outstanding with collateral."""
        ltv = self.periods["ltv"].to_numpy(float)
        live = (self.debt_outstanding.to_numpy(float) > 1e-9) & np.isfinite(ltv)
        if not live.any():
            return math.nan, None
        k = int(np.argmax(np.where(live, ltv, -np.inf)))
        return float(ltv[k]), self.periods.index[k].date().isoformat()

    def annual_cash_flows(self) -> pd.DataFrame:
        """Per year from closing (index ``year``, 1-based): the :data:`ANNUAL_SUMS` columns
        summed, the lowest DSCR and the debt outstanding at the year's end."""
        p = self.periods
        year = np.arange(len(p)) // self.compiled.timeline.periods_per_year + 1
        sums = p[list(ANNUAL_SUMS)].groupby(year).sum()
        sums["min_dscr"] = p["dscr"].groupby(year).min().values
        sums["debt_end"] = self.debt_outstanding.groupby(year).last().values
        sums.index.name = "year"
        return sums
