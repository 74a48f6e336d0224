"""Deterministic stresses of the risks credit investors fear, applied to a copy of a deal.

A :class:`Stress` changes deal terms (it never edits the original deal), so a stressed deal
runs through exactly the same compile and waterfall as the base case. Fields left at ``None``
keep the deal's own value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING

from core.model.deal import Deal

if TYPE_CHECKING:
    from core.engine.compile import CompiledDeal
    from core.engine.results import DealResult


@dataclass(frozen=True)
class Stress:
    #: yearly fall of market compute rent (the market_rent_decline of every lease on the
    #: compute index; a data-centre lease follows building_rent_deflation)
    rent_deflation: float | None = None
    #: yearly fall of data-centre (powered-shell) rent: leases on the data_centre index
    building_rent_deflation: float | None = None
    #: extra discount on the orderly sale of the assets at lease end (added to the haircut)
    residual_haircut: float | None = None
    #: year after closing in which every lease is terminated early (0 or None: no termination)
    termination_year: float | None = None
    #: year after closing in which every tenant stops paying (0 or None: no default)
    tenant_default_year: float | None = None
    #: parallel shift of the base-rate curve (decimal, 0.01 = +100 bp)
    base_rate_shock: float = 0.0
    #: extra yearly fall in GPU market value (technology obsolescence)
    gpu_value_decline: float = 0.0
    #: commercial life of the GPUs in years (None: the fleet's own)
    gpu_commercial_life: float | None = None
    #: extra forced-sale haircut when lenders liquidate (missing repo market)
    liquidation_haircut: float = 0.0
    #: renewals exercised (None: the deal's base case; 0: no renewal)
    renewals: int | None = None
    #: change in crypto collateral price, as a share (-0.5 = price halves at once)
    crypto_price_shock: float = 0.0
    #: after a tenant default: 1 the lenders enforce (forced sale after the liquidation lag),
    #: 0 the SPV re-lets (None: each lease's own default_recovery)
    enforce: int | None = None
    #: the whole forced-sale discount on liquidation (None: the assets' own): sets the
    #: fleet's and the facility's forced-sale haircut, with no extra discount for the GPUs'
    #: age and the volume sold
    forced_sale_haircut: float | None = None
    #: months from enforcement or acceleration to the forced sale (None: the fleet's own)
    liquidation_lag_months: int | None = None
    #: year after closing in which every guarantor (a sponsor giving a guarantee) defaults:
    #: its guarantees pay nothing from then, and the leases it is tenant of stop
    guarantor_default_year: float | None = None
    #: every tenant walks away once its rent exceeds the market rent by this share (None:
    #: each lease's own walk_away_gap)
    walk_away_gap: float | None = None
    #: months by which the completion of a deal with a construction phase slips (None: the
    #: deal's own completion_delay_months): rent starts that much later, debt service does not
    completion_delay_months: int | None = None
    # --- refinancing market (issue #12): act on the compiled market rows, not on deal terms ---
    #: cut in the refinancing market's maximum advance: a balloon refinanced at maturity
    #: raises at most (1 - cut) x the collateral's market value (1: the market is shut)
    refi_advance_cut: float = 0.0
    #: added to every tranche's refinancing spread (decimal, 0.02 = +200 bp)
    refi_spread_shock: float = 0.0
    # --- end of refinancing market ---

    def describe(self) -> str:
        """One line for tables and reports, listing only what is stressed."""
        parts = []
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None or (v == 0 and f.name != "renewals"):
                continue
            label = f.name.replace("_", " ")
            if f.name == "refi_advance_cut":
                parts.append(_refi_cut_text(v))
            elif f.name == "refi_spread_shock":
                parts.append(f"refinancing spread {v * 1e4:+.0f} bp")
            elif f.name == "enforce":
                parts.append("forced sale after default" if v else "re-let after default")
            elif f.name in (
                "termination_year",
                "tenant_default_year",
                "gpu_commercial_life",
                "guarantor_default_year",
                "liquidation_lag_months",
                "completion_delay_months",
            ):
                parts.append(f"{label} {v:g}")
            elif f.name == "renewals":
                parts.append("no renewal" if v == 0 else f"{label} {v}")
            else:
                parts.append(f"{label} {v * 100:+.1f}%")
        return ", ".join(parts) or "base case"

    def to_dict(self) -> dict:
        return asdict(self)


def _refi_cut_text(cut: float) -> str:
    if cut >= 1.0:
        return "refinancing market shut"
    return f"refinancing advance at most {(1.0 - cut) * 100:.0f}%"


def _clip(v: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return min(max(v, lo), hi)


def _guarantors(deal: Deal) -> set[str]:
    """Sponsor blocks that give a guarantee."""
    return {
        s.id
        for g in deal.of_kind("guarantee")
        for s in deal.links(g.id, "guarantees", "in")
        if s.kind == "sponsor"
    }


def apply_stress(deal: Deal, stress: Stress) -> Deal:
    """A stressed copy of ``deal``; the original is untouched."""
    d = deal.copy()
    guarantors = _guarantors(d)
    for b in d.blocks.values():
        t = b.terms
        if b.kind == "lease":
            building = t["rent_index"] == "data_centre"
            decline = stress.building_rent_deflation if building else stress.rent_deflation
            if decline is not None:
                t["market_rent_decline"] = _clip(decline)
            if stress.enforce is not None:
                t["default_recovery"] = "enforce" if stress.enforce else "re_lease"
            if stress.walk_away_gap is not None:
                t["walk_away_gap"] = max(0.0, stress.walk_away_gap)
            if stress.termination_year:
                t["termination_month"] = max(1, int(round(stress.termination_year * 12)))
            if stress.tenant_default_year:
                t["tenant_default_month"] = max(1, int(round(stress.tenant_default_year * 12)))
            if stress.renewals is not None:
                t["renewals_exercised"] = min(max(stress.renewals, 0), t["renewal_options"])
        elif b.kind in ("gpu_fleet", "facility"):
            if stress.residual_haircut:
                t["sale_haircut"] = _clip(t["sale_haircut"] + stress.residual_haircut)
            if stress.forced_sale_haircut is not None:
                t["liquidation_haircut"] = _clip(stress.forced_sale_haircut)
                if b.kind == "gpu_fleet":
                    t["fire_sale_age_pct"] = t["fire_sale_volume_pct"] = 0.0
            if stress.liquidation_haircut:
                t["liquidation_haircut"] = _clip(
                    t["liquidation_haircut"] + stress.liquidation_haircut
                )
            if b.kind == "gpu_fleet":
                if stress.liquidation_lag_months is not None:
                    t["liquidation_lag_months"] = max(0, int(stress.liquidation_lag_months))
                t["mv_decline"] = _clip(t["mv_decline"] + stress.gpu_value_decline)
                if stress.gpu_commercial_life:
                    t["commercial_life_years"] = max(0.25, stress.gpu_commercial_life)
        elif b.kind == "spv":
            if stress.base_rate_shock:
                t["base_rate"] = t["base_rate"] + stress.base_rate_shock
                t["base_rate_curve"] = [r + stress.base_rate_shock for r in t["base_rate_curve"]]
            if stress.completion_delay_months is not None:
                t["completion_delay_months"] = min(max(int(stress.completion_delay_months), 0), 120)
        elif b.kind == "sponsor" and stress.guarantor_default_year and b.id in guarantors:
            t["default_month"] = max(1, int(round(stress.guarantor_default_year * 12)))
        elif b.kind == "crypto" and stress.crypto_price_shock:
            t["price"] = t["price"] * max(0.0, 1.0 + stress.crypto_price_shock)
    return d


def apply_overrides(deal: Deal, overrides: dict[str, object]) -> Deal:
    """A copy of ``deal`` with any block field set: ``{"BLOCK_ID.FIELD": value}``.

    The deterministic stress of *any* input: each value is validated by the field's own
    declaration (``Deal.set_term``), so errors name the block, field and value.
    """
    from core.risk.errors import RiskInputError

    d = deal.copy()
    for key, value in overrides.items():
        block_id, _, name = key.partition(".")
        if block_id not in d.blocks or not name:
            raise RiskInputError(
                f"--set {key}: expected BLOCK_ID.FIELD with a block of this deal "
                f"({', '.join(d.blocks)})"
            )
        d.set_term(block_id, name, value)
    return d


def compile_stressed(
    deal: Deal, stress: Stress, sized: CompiledDeal | None = None, engine: str | None = None
) -> CompiledDeal:
    """The stressed deal compiled against the UNSTRESSED deal's sizing (``engine``: the
    per-path compile, as for :func:`~core.engine.compile.compile_deal`).

    Debt schedules (sculpting included) and the DSRA target are fixed when the debt is raised;
    a stress happens afterwards. Compiling ``apply_stress(deal, stress)`` on its own would
    re-size a sculpted tranche to the stressed cash flow and hide the stress. ``sized`` is
    ``compile_deal(deal)``, compiled here when not given (pass it to reuse it).
    """
    from core.engine.compile import compile_deal

    base = sized if sized is not None else compile_deal(deal, engine=engine)
    return refi_market_stress(
        compile_deal(apply_stress(deal, stress), sized=base, engine=engine), stress
    )


def refi_market_stress(compiled: CompiledDeal, stress: Stress) -> CompiledDeal:
    """``compiled`` with the stressed refinancing market (``refi_advance_cut``,
    ``refi_spread_shock``) in its kernel rows at every date; unchanged on a deal that
    refinances nothing or without these stresses."""
    import numpy as np

    inp = compiled.inputs
    if inp.refi_on is None or not (stress.refi_advance_cut or stress.refi_spread_shock):
        return compiled
    T = inp.n_periods
    compiled.inputs = inp.with_paths(
        refi_advance_cut=np.full((1, T), min(max(stress.refi_advance_cut, 0.0), 1.0)),
        refi_spread_add=np.full((1, T), stress.refi_spread_shock),
    )
    return compiled


def run_stressed(
    deal: Deal, stress: Stress, engine: str = "cython", sized: CompiledDeal | None = None
) -> DealResult:
    """``run_deal`` of the stressed deal, with the debt sized on the unstressed deal."""
    from core.engine.kernel import run_waterfall
    from core.engine.results import summarise

    compiled = compile_stressed(deal, stress, sized, "reference" if engine == "reference" else None)
    return summarise(compiled, run_waterfall(compiled.inputs, engine=engine))
