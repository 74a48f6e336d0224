"""The credit half of the deal check: what a base-case run says about the deal's credit.

:func:`validate_deal` (core.model.validate) finds what stops the engine; this module reads a
:class:`DealResult` and finds what a credit analyst must not miss although the engine ran: a
funding gap or a large over-funding at close, DSCR below 1.00x in the base case, LTV above 100%
at close, a negative break-even. Each :class:`CreditFinding` names the blocks to fix.
:func:`not_meaningful` says which metrics are not meaningful for this run (a break-even fall
in cash flow of -383% is not a number an analyst should read), with the reason the views show
instead of the value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.engine.construction import interest_reserve
from core.engine.month_terms import rounded_terms
from core.engine.results import DealResult, dscr_basis

#: sources above uses by more than this share of the uses: flagged as over-funding
OVERFUNDING_SHARE = 0.10
#: a funding gap smaller than this (USD m) is rounding, not a gap
FUNDING_TOLERANCE = 0.05
#: base-case DSCR under this means the CFADS does not pay the debt service
DSCR_FLOOR = 1.0
#: LTV at close above this: the debt exceeds the collateral's market value
LTV_CEILING = 1.0


@dataclass(frozen=True)
class CreditFinding:
    """One credit finding: ``severity`` is ``'error'`` (the deal does not work as built) or
    ``'warning'`` (look at it); ``blocks`` are the ids of the blocks to change."""

    severity: str
    code: str
    message: str
    blocks: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"


def _ids(blocks: list) -> tuple[str, ...]:  # noqa: ANN001 - model blocks
    return tuple(b.id for b in blocks)


def _money(v: float) -> str:
    return f"USD {v:,.1f}m"


def credit_findings(result: DealResult) -> list[CreditFinding]:
    """The credit findings of a base-case ``result``, errors first."""
    c = result.compiled
    m = result.metrics
    out: list[CreditFinding] = []
    sources = result.total_sources
    # before the balancing line; GPUs delivered after closing with delayed draws are paid
    # then, by the draws and equity's injections (core.engine.draws), not at closing
    later = c.inputs.draw_capex
    delivered_later = float(np.sum(later)) if later is not None else 0.0
    w = c.level.draws if c.level is not None else None
    if w is not None and w.debt_share > 0.0:  # capex-linked draws fund their share as spent
        delivered_later += w.debt_share * float(c.level.construction.capex.sum())
    # with a construction phase the interest reserve funded at closing is a use too
    con = c.level.construction if c.level is not None else None
    reserve = interest_reserve(c.level.terms, con) if con is not None else 0.0
    uses = c.asset_cost - delivered_later + float(c.inputs.dsra_initial) + reserve
    capital_blocks = _ids(c.tranches) + _ids(c.equity)
    asset_blocks = _ids(c.deal.of_kind("gpu_fleet")) + _ids(c.deal.of_kind("facility"))
    gap = sources - uses
    if gap < -FUNDING_TOLERANCE:
        out.append(
            CreditFinding(
                "error",
                "funding_gap",
                f"funding gap of {_money(-gap)}: sources {_money(sources)} (debt + equity) "
                f"do not pay for the uses {_money(uses)} (assets + DSRA and any interest "
                "reserve at close); raise "
                "equity or debt, or lower the asset cost",
                capital_blocks + asset_blocks,
            )
        )
    elif gap > max(OVERFUNDING_SHARE * uses, FUNDING_TOLERANCE):
        share = f"{gap / uses:.1%} of " if uses > 0 else ""

        out.append(
            CreditFinding(
                "warning",
                "over_funding",
                f"over-funded by {_money(gap)} ({share}the uses of "
                f"{_money(uses)}): the excess is paid out at close; check the debt and "
                "equity amounts",
                capital_blocks,
            )
        )
    if result.total_debt > 0:
        basis = dscr_basis(m, c.timeline.months_per_period)
        if math.isfinite(basis) and basis < DSCR_FLOOR:
            out.append(
                CreditFinding(
                    "error",
                    "dscr_below_one",
                    f"base-case {_dscr_text(result)} is below {DSCR_FLOOR:.2f}x: the cash "
                    "flow does not pay the scheduled debt service even without a stress "
                    f"(it would have to rise {m['cashflow_rise_needed']:.1%}); lower or "
                    "lengthen the debt, or raise the rent",
                    _ids(c.tranches) + _ids(c.leases),
                )
            )
        ltv0 = m["ltv_at_close"]
        if isinstance(ltv0, float) and math.isfinite(ltv0) and ltv0 > LTV_CEILING:
            out.append(
                CreditFinding(
                    "warning",
                    "ltv_above_100",
                    f"LTV at close {ltv0:.0%}: the debt exceeds the collateral's market "
                    "value from day one, so lenders rely on the lease (and any guarantee) "
                    "rather than the assets",
                    _ids(c.tranches) + asset_blocks,
                )
            )
    tl = c.timeline
    period = tl.period_name
    for block_id, _term, text in rounded_terms(c.deal, tl.months_per_period):
        out.append(
            CreditFinding(
                "warning",
                "months_rounded",
                f"{text} in {period} periods ({tl.months_per_period} months each)",
                (block_id,),
            )
        )
    return sorted(out, key=lambda f: f.severity != "error")


def _dscr_text(result: DealResult) -> str:
    """The DSCR the check reads, and where: the trailing-window one when the covenant's window
    is longer than a period, else the per-period one."""
    m, p = result.metrics, result.periods
    if m["dscr_window_months"] > result.compiled.timeline.months_per_period and math.isfinite(
        m["min_dscr_window"]
    ):
        where = p["dscr_test"].idxmin().date().isoformat()
        return (
            f"min DSCR on the covenant's {m['dscr_window_months']}-month window "
            f"{m['min_dscr_window']:.2f}x (period ending {where}; per period "
            f"{m['min_dscr']:.2f}x)"
        )
    where = p["dscr"].idxmin().date().isoformat()
    return f"min DSCR {m['min_dscr']:.2f}x (period ending {where})"


def not_meaningful(result: DealResult) -> dict[str, str]:
    """Metric key -> why it is not meaningful for ``result`` (shown instead of its value)."""
    m = result.metrics
    notes: dict[str, str] = {}
    if result.total_debt <= 0:
        for key in ("min_dscr", "avg_dscr", "llcr", "plcr", "breakeven_cashflow_fall"):
            notes[key] = "n/m: no debt"
        for key in ("ltv_at_close", "ltv_at_lease_end"):
            notes[key] = "n/m: no debt"
        return notes
    basis = dscr_basis(m, result.compiled.timeline.months_per_period)
    if math.isfinite(basis) and basis < DSCR_FLOOR:
        notes["breakeven_cashflow_fall"] = (
            f"n/m: DSCR {basis:.2f}x below 1.00x (cash flow must rise "
            f"{m['cashflow_rise_needed']:.1%})"
        )
    irr = m["equity_irr"]
    if not (isinstance(irr, float) and math.isfinite(irr)):
        notes["equity_irr"] = "n/m: equity never gets its money back"
    return notes
