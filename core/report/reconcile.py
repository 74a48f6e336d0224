"""The stress page and the Monte Carlo page side by side: for each risk of the catalogue, the
debt's loss under its deterministic stress and the share of the Monte Carlo's expected loss
(and defaults) whose first cause is a driver that risk tests (core.risk.causes: each cause
names the risks that test it), with a sentence saying how the two agree or why they differ.
A risk the deal cannot have is marked not applicable (core.risk.applicability).

Shares of the expected loss are of the whole debt's expected loss in USD (each tranche's EL
by cause times its notional, summed); when the Monte Carlo has no loss, of the defaults of
the most senior tranche.

A cause can be tested by several risks (a tenant default by the lease, liquidation and
guarantor stresses), so per-risk shares overlap; ``Reconciliation.causes`` lists each cause
once with its share (they sum to 100%) beside the stresses that test it, which the report
prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.risk.catalogue import RiskOutcome
from core.risk.causes import CAUSES
from core.risk.montecarlo import MonteCarloResult

#: a share of EL or of defaults below this is "the Monte Carlo does not reach it"
SMALL = 0.005


@dataclass(frozen=True)
class Line:
    risk: str  # the risk's title (or a cause no catalogue risk tests)
    not_applicable: str | None  # why the risk cannot touch the deal
    stress_loss: float  # debt written off under the stress, share of total debt (NaN: none)
    #: share of the Monte Carlo's EL (or senior defaults) from the causes it tests, for the
    #: verdict: a cause several risks test counts in each (the report prints ``causes``)
    mc_share: float
    causes: tuple[str, ...]  # the titles of those causes
    verdict: str


@dataclass(frozen=True)
class CauseLine:
    """One Monte Carlo cause, counted once, beside the stresses that test it."""

    cause: str  # the cause's title
    share: float  # its share of the Monte Carlo's EL (or senior defaults)
    #: (risk title, debt written off under its stress as a share of total debt) of each
    #: applicable risk of the catalogue that tests the cause
    stresses: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Reconciliation:
    basis: str  # "expected loss" or "defaults of <senior tranche>"
    headline: str  # which drivers produce the Monte Carlo's losses
    lines: list[Line]
    #: every cause with a share, largest first, each once: the shares sum to 1 when any path
    #: defaults (a cause tested by two stresses is one row, not a share under each stress)
    causes: list[CauseLine] = field(default_factory=list)

    def share_of(self, risk_title: str) -> float | None:
        """The Monte Carlo share of the risk's drivers (None: not applicable or not listed)."""
        for line in self.lines:
            if line.risk == risk_title and line.not_applicable is None:
                return line.mc_share
        return None

    @property
    def notes(self) -> list[str]:
        """Where the two pages differ, in a sentence each: stresses with no loss whose drivers
        start Monte Carlo losses, stresses that lose where the Monte Carlo rarely goes, and
        causes no stress tests."""
        silent = [x for x in self.lines if x.verdict.startswith("the stress shows no loss")]
        unreached = [x for x in self.lines if x.verdict.startswith("the stress loses, but")]
        untested = [x for x in self.lines if x.verdict.startswith("no stress of the catalogue")]
        out = []
        if silent:
            names = ", ".join(x.risk for x in silent)
            share = {c.cause: c.share for c in self.causes}
            mine = [t for t in dict.fromkeys(t for x in silent for t in x.causes)
                    if share.get(t, 0.0) >= SMALL]  # fmt: skip
            each = ", ".join(f"{t} {share[t]:.0%}" for t in mine)
            total = sum(share[t] for t in mine)
            out.append(
                f"No loss under the single stress of {names}, yet the causes "
                f"{'it tests' if len(silent) == 1 else 'they test'} start "
                f"{total:.0%} of the Monte Carlo's {self.basis} ({each}; each cause counted "
                "once): the paths that lose reach timings, severities or combinations of events "
                "(e.g. an event beyond a backstop's cap or term, or after the stress's date) "
                "that one stress does not test."
            )
        if unreached:
            names = ", ".join(x.risk for x in unreached)
            out.append(
                f"{names}: the stress loses, but the Monte Carlo's paths rarely reach it (more "
                "severe than the model's likely paths)."
            )
        for x in untested:
            out.append(
                f"{x.risk} starts {x.mc_share:.0%} of the Monte Carlo's {self.basis}; no stress "
                "of the catalogue tests it."
            )
        return out


def _shares(mc: MonteCarloResult) -> tuple[str, dict[str, float]]:
    """Each cause's share of the debt's EL in USD, or of the senior tranche's defaults."""
    att = mc.attribution
    usd: dict[str, float] = {}
    for t, tr in zip(att["tranches"], mc.tranches, strict=True):
        for cid, v in t["causes"].items():
            el = v["expected_loss"]
            usd[cid] = usd.get(cid, 0.0) + (el * tr["notional"] if math.isfinite(el) else 0.0)
    total = sum(usd.values())
    if total > 0:
        return "expected loss", {cid: v / total for cid, v in usd.items()}
    senior = att["tranches"][0] if att["tranches"] else {"name": "", "causes": {}}
    return f"defaults of {senior['name']}", {
        cid: v["share_of_defaults"] if math.isfinite(v["share_of_defaults"]) else 0.0
        for cid, v in senior["causes"].items()
    }


def _verdict(na: str | None, loss: float, share: float, basis: str) -> str:
    if na is not None:
        return f"not applicable: {na}"
    lost = math.isfinite(loss) and loss > 1e-9
    if share >= SMALL and not lost:
        return (
            f"the stress shows no loss, yet its drivers start {share:.0%} of the Monte Carlo's "
            f"{basis}: the paths that lose reach timings, severities or combinations of events "
            "the single stress does not test"
        )
    if lost and share < SMALL:
        return (
            "the stress loses, but the Monte Carlo's paths rarely reach it: the stress is more "
            "severe than the model's likely paths"
        )
    if lost:
        return "both show losses from these drivers"
    return "no loss in either"


def reconcile(risks: list[RiskOutcome], mc: MonteCarloResult) -> Reconciliation:
    """One :class:`Line` per risk of the catalogue (and one per cause no risk tests that
    starts some of the Monte Carlo's losses), and the headline naming the main causes."""
    basis, share = _shares(mc)
    titles = {c["id"]: c["title"] for c in mc.attribution["causes"]}
    debt = sum(t["notional"] for t in mc.tranches)
    lines = []
    tested: set[str] = set()
    for o in risks:
        mine = [c.id for c in CAUSES if o.risk.id in c.risks]
        tested.update(mine)
        loss = sum(o.loss_by_tranche.values()) / debt if debt > 0 else math.nan
        s = sum(share.get(cid, 0.0) for cid in mine)
        lines.append(
            Line(
                o.risk.title,
                o.not_applicable,
                math.nan if o.not_applicable else loss,
                s,
                tuple(titles[cid] for cid in mine if cid in titles),
                _verdict(o.not_applicable, loss, s, basis),
            )
        )
    for c in CAUSES:
        if c.id not in tested and share.get(c.id, 0.0) >= SMALL:
            s = share[c.id]
            lines.append(
                Line(
                    c.title,
                    None,
                    math.nan,
                    s,
                    (c.title,),
                    f"no stress of the catalogue tests it; it starts {s:.0%} of the {basis}",
                )
            )
    by_cause = []
    per_risk = list(zip(risks, lines[: len(risks)], strict=True))
    for c in CAUSES:
        if share.get(c.id, 0.0) > 0.0:
            testers = tuple(
                (x.risk, x.stress_loss)
                for o, x in per_risk
                if o.risk.id in c.risks and x.not_applicable is None
            )
            by_cause.append(CauseLine(titles[c.id], share[c.id], testers))
    by_cause.sort(key=lambda c: -c.share)
    top = sorted(((v, cid) for cid, v in share.items() if v >= SMALL), reverse=True)
    if top:
        named = ", ".join(f"{titles[cid]} {v:.0%}" for v, cid in top)
        headline = f"The Monte Carlo's {basis} comes from: {named} (first cause of each default)."
    else:
        headline = "No Monte Carlo path defaults: no driver produces a loss."
    return Reconciliation(basis, headline, lines, by_cause)
