"""Break-even solver: how far can one risk driver go before a tranche takes a loss?

For a driver (a field of :class:`core.risk.stress.Stress`) the solver runs the deterministic
engine on stressed copies of the deal and bisects for the edge: the most severe value at which
the tranche still loses nothing (write-off below ``LOSS_EPS``). The result carries the check
both sides of the edge: at ``value`` the loss is zero, one hair more severe (``fails_at``) it is
positive. Severity rises with the value for rates of decline and haircuts; for
``termination_year`` and ``tenant_default_year`` an *earlier* date is more severe and the
search is over whole months; when neither the first month nor the horizon loses, every period
is tried (the loss need not fall with the date: a delayed-draw facility lends more later).

``dscr_headroom`` gives the covenant headroom: the uniform fall in CFADS that brings the lowest
trailing-window DSCR of the base case down to the lock-up and default levels. Scheduled debt
service is fixed at sizing, so the test DSCR scales with CFADS and the fall is exactly
``1 - level / min DSCR``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from core.engine.compile import CompiledDeal, compile_deal
from core.engine.kernel import run_waterfall
from core.model.deal import Deal
from core.risk.errors import RiskInputError
from core.risk.stress import Stress

LOSS_EPS = 1e-6  # USD millions: a dollar

#: driver -> (unit, upper end of the search, description)
DRIVERS: dict[str, tuple[str, float, str]] = {
    "rent_deflation": ("pct_per_year", 1.0, "yearly fall in market compute rent"),
    "building_rent_deflation": ("pct_per_year", 1.0, "yearly fall in data-centre rent"),
    "residual_haircut": ("pct", 1.0, "extra haircut on the asset sale at lease end"),
    "gpu_value_decline": ("pct_per_year", 1.0, "extra yearly fall in GPU market value"),
    "liquidation_haircut": ("pct", 1.0, "extra forced-sale haircut on liquidation"),
    "forced_sale_haircut": ("pct", 1.0, "whole forced-sale haircut (age and volume included)"),
    "base_rate_shock": ("pct_per_year", 0.20, "parallel rise in the base rate"),
    "termination_year": ("years", 0.0, "earliest early termination of every lease"),
    "tenant_default_year": ("years", 0.0, "earliest tenant default the debt survives"),
    "completion_delay_months": ("months", 120.0, "longest completion delay (construction)"),
    # refinancing (issue #12): the widest refinancing spread add-on and the deepest cut in the
    # maximum advance (lowest advance = 1 - cut) each tranche survives
    "refi_spread_shock": ("pct_per_year", 0.30, "rise in the refinancing spread at maturity"),
    "refi_advance_cut": ("advance_cut", 0.999, "cut in the refinancing market's maximum advance"),
}
#: drivers that are dates: an earlier one is more severe, searched by whole months
DATE_DRIVERS = ("termination_year", "tenant_default_year")


@dataclass(frozen=True)
class BreakEven:
    driver: str
    tranche: str  # tranche name, or "all debt"
    unit: str
    value: float  # most severe value with no loss (nan when the tranche loses in the base)
    fails_at: float  # one hair more severe: the tranche takes a loss (nan: never fails)
    loss_at_value: float  # USD m, zero by construction
    loss_at_fail: float  # USD m, positive when fails_at is finite
    #: "edge"; "never_fails" (no loss over the whole range); "fails_in_base" (a loss at the
    #: mildest value: 0, or termination at the horizon, on top of ``base``)
    status: str
    description: str

    @property
    def label(self) -> str:
        event = "a tenant default" if self.driver == "tenant_default_year" else "termination"
        if self.status == "fails_in_base":
            if self.unit == "years":
                return f"loss even with {event} at the horizon"
            return "loss even at the mildest value (0)"
        v = self.value
        if self.unit == "months":
            text = f"{v:.0f} months"
            return f"no loss up to {text}" if self.status == "never_fails" else text
        text = f"{v:.2f} years" if self.unit == "years" else f"{v * 100:.1f}%"
        if self.unit == "advance_cut":  # shown as the lowest maximum advance survived
            text = f"advance down to {(1.0 - v) * 100:.1f}%"
        if self.status == "never_fails" and self.unit == "years":
            return f"no loss whenever the {event.removeprefix('a ')} comes"
        if self.status == "never_fails":
            return f"no loss over the whole range (up to {text})"
        return text

    def to_dict(self) -> dict:
        d = dict(self.__dict__)
        d["label"] = self.label
        return d


def tranche_losses(deal: Deal, stress: Stress, sized: CompiledDeal | None = None) -> np.ndarray:
    """Write-off per tranche (USD m, seniority order) of the deterministic run under ``stress``,
    the debt sized on the unstressed deal (``sized``: its compilation, to reuse)."""
    from core.risk.stress import compile_stressed

    compiled = compile_stressed(deal, stress, sized)
    out = run_waterfall(compiled.inputs, n_threads=1)
    return out.writeoff[0].sum(axis=1)


def _tranche_index(deal: Deal, tranche: str | int | None) -> tuple[int | None, str]:
    spv = deal.of_kind("spv")[0]
    issued = sorted(
        (b for b in deal.links(spv.id, "issues") if b.kind == "tranche"),
        key=lambda b: b.terms["seniority"],
    )
    names = [b.terms["name"] for b in issued]
    if tranche is None:
        return None, "all debt"
    if isinstance(tranche, int):
        if not 0 <= tranche < len(names):
            raise RiskInputError(f"tranche index {tranche} out of range (0..{len(names) - 1})")
        return tranche, names[tranche]
    if tranche not in names:
        raise RiskInputError(f"unknown tranche {tranche!r}; the deal has {', '.join(names)}")
    return names.index(tranche), tranche


def solve_breakeven(
    deal: Deal,
    driver: str,
    tranche: str | int | None = None,
    tol: float = 1e-4,
    base: Stress | None = None,
) -> BreakEven:
    """The edge of ``driver`` at which ``tranche`` (None: any tranche) first takes a loss.

    ``base`` is a stress the driver is applied on top of (default: none). ``tol`` is the
    width of the final bracket for continuous drivers (the hair); termination is searched
    to the month.
    """
    if driver not in DRIVERS:
        raise RiskInputError(
            f"unknown break-even driver {driver!r}; expected one of {sorted(DRIVERS)}"
        )
    unit, upper, desc = DRIVERS[driver]
    k, name = _tranche_index(deal, tranche)
    base = base or Stress()
    sized = compile_deal(deal)

    def loss(v: float) -> float:
        losses = tranche_losses(deal, replace(base, **{driver: v}), sized)
        return float(losses.sum() if k is None else losses[k])

    def result(value, fails, lv, lf, status) -> BreakEven:
        return BreakEven(driver, name, unit, value, fails, lv, lf, status, desc)

    if driver in DATE_DRIVERS:
        horizon = deal.of_kind("spv")[0].terms["horizon_years"]
        lo, hi = 1, int(round(horizon * 12))  # months; earlier is more severe
        l_hi = loss(hi / 12)
        if l_hi > LOSS_EPS:
            return result(np.nan, hi / 12, np.nan, l_hi, "fails_in_base")
        l_lo = loss(lo / 12)
        if l_lo <= LOSS_EPS:
            # no loss at either end, yet the loss need not fall with the date: a delayed-draw
            # facility has lent little when the tenant defaults early and most later, so a
            # default in year 3 can lose where one in month 1 does not. Every period is tried,
            # latest first: the edge is the last date at which a default still costs a loss.
            step = sized.timeline.months_per_period
            for m in range(hi - step, lo, -step):
                l_m = loss(m / 12)
                if l_m > LOSS_EPS:
                    return result((m + step) / 12, m / 12, loss((m + step) / 12), l_m, "edge")
            return result(lo / 12, np.nan, l_lo, np.nan, "never_fails")
        while hi - lo > 1:  # loss at lo, none at hi
            mid = (lo + hi) // 2
            l_mid = loss(mid / 12)
            if l_mid > LOSS_EPS:
                lo, l_lo = mid, l_mid
            else:
                hi, l_hi = mid, l_mid
        return result(hi / 12, lo / 12, l_hi, l_lo, "edge")

    if unit == "months":  # whole months, longer is more severe
        return _integer_edge(loss, int(upper), result)

    lo, hi = 0.0, upper
    l_lo = loss(lo)
    if l_lo > LOSS_EPS:
        return result(np.nan, lo, np.nan, l_lo, "fails_in_base")
    l_hi = loss(hi)
    if l_hi <= LOSS_EPS:
        return result(hi, np.nan, l_hi, np.nan, "never_fails")
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        l_mid = loss(mid)
        if l_mid > LOSS_EPS:
            hi, l_hi = mid, l_mid
        else:
            lo, l_lo = mid, l_mid
    return result(lo, hi, l_lo, l_hi, "edge")


def _integer_edge(loss, upper: int, result) -> BreakEven:
    """The edge of a whole-number driver searched from 0 to ``upper`` (more is more severe)."""
    lo, hi = 0, upper
    l_lo = loss(lo)
    if l_lo > LOSS_EPS:
        return result(np.nan, float(lo), np.nan, l_lo, "fails_in_base")
    l_hi = loss(hi)
    if l_hi <= LOSS_EPS:
        return result(float(hi), np.nan, l_hi, np.nan, "never_fails")
    while hi - lo > 1:  # no loss at lo, a loss at hi
        mid = (lo + hi) // 2
        l_mid = loss(mid)
        if l_mid > LOSS_EPS:
            hi, l_hi = mid, l_mid
        else:
            lo, l_lo = mid, l_mid
    return result(float(lo), float(hi), l_lo, l_hi, "edge")


@dataclass(frozen=True)
class Headroom:
    min_test_dscr: float  # lowest trailing-window DSCR of the base case
    lockup_dscr: float
    default_dscr: float
    cfads_fall_to_lockup: float  # share; nan when there is no lock-up test
    cfads_fall_to_default: float

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def dscr_headroom(deal: Deal, stress: Stress | None = None) -> Headroom:
    """How far CFADS can fall, uniformly, before the lock-up and default DSCR levels are hit."""
    from core.risk.stress import compile_stressed

    compiled = compile_stressed(deal, stress) if stress else compile_deal(deal)
    out = run_waterfall(compiled.inputs, n_threads=1)
    test = out.dscr_test[0]
    finite = test[np.isfinite(test)]
    mn = float(finite.min()) if finite.size else float("nan")
    inp = compiled.inputs

    def fall(level: float) -> float:
        if level <= 0 or not np.isfinite(mn) or mn <= 0:
            return float("nan")
        return 1.0 - level / mn

    return Headroom(mn, inp.lockup_dscr, inp.default_dscr, fall(inp.lockup_dscr),
                    fall(inp.default_dscr))  # fmt: skip
