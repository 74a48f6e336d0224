"""Deal-level validation: the structural rules the cash-flow engine relies on.

Field values are checked one by one when they are set (:mod:`core.model.fields`); this module
checks the deal as a whole: how many blocks of a kind, which blocks must be connected, terms
that must agree with each other, and sanity warnings. The per-kind rules are declared by each
block kind (``BlockKind.count``, ``link_rules``, ``term_rules``, ``owner_share``); this module
applies them and holds the rules that span kinds (ownership, maturity, sources and uses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.model.blocks import REGISTRY, BlockKind
from core.model.deal import Block, Deal
from core.model.errors import DealError
from core.model.kinds.spec import LinkRule

TOLERANCE = 1e-6  # ownership shares must sum to 1 within this
SOURCES_USES_TOLERANCE = 0.01  # warn when sources fall short of asset cost by more


@dataclass(frozen=True)
class Issue:
    """One finding: ``severity`` is ``'error'`` (the engine cannot run) or ``'warning'``."""

    severity: str
    path: str
    value: Any
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message} (got {self.value!r})"


def validate_deal(deal: Deal) -> list[Issue]:
    """Every structural error and warning in ``deal``, errors in a stable order."""
    issues: list[Issue] = []
    neighbours = _neighbours(deal, issues)
    for spec in REGISTRY.values():
        issues += _count_issues(deal, spec)
    for block in deal.blocks.values():
        terms = {**block.spec.defaults(), **block.terms}
        for rule in block.spec.link_rules:
            if rule.when is None or rule.when(terms):
                issues += _link_issues(block, rule, neighbours)
        for rule in block.spec.term_rules:
            message = rule.check(terms)
            if message:
                path = f"blocks[{block.id}].terms.{rule.field}"
                issues.append(Issue(rule.severity, path, terms[rule.field], message))
    issues += _ownership_issues(deal, neighbours)
    issues += _maturity_issues(deal, neighbours)
    issues += _sources_uses_issues(deal)
    issues += _delayed_draw_issues(deal)
    return sorted(issues, key=lambda i: i.severity != "error")  # stable: errors first


def check_deal(deal: Deal) -> None:
    """Raise :class:`DealError` for the first structural error (warnings are ignored)."""
    for issue in validate_deal(deal):
        if issue.severity == "error":
            raise DealError(issue.path, issue.value, issue.message)


Neighbours = dict[tuple[str, str, str], list[Block]]  # (block id, conn kind, dir) -> blocks


def _neighbours(deal: Deal, issues: list[Issue]) -> Neighbours:
    out: Neighbours = {}
    for c in deal.connections.values():
        if c.source not in deal.blocks or c.target not in deal.blocks:
            issues.append(Issue("error", f"connections[{c.id}]", f"{c.source} -> {c.target}",
                                "connection to a block that is not in the deal"))  # fmt: skip
            continue
        out.setdefault((c.source, c.kind, "out"), []).append(deal.blocks[c.target])
        out.setdefault((c.target, c.kind, "in"), []).append(deal.blocks[c.source])
    return out


def _count_issues(deal: Deal, spec: BlockKind) -> list[Issue]:
    count = spec.count
    found = [b.id for b in deal.of_kind(spec.id)]
    lo, hi = count.minimum, count.maximum
    if len(found) >= lo and (hi is None or len(found) <= hi):
        return []
    words = {"n": len(found), "listed": ", ".join(found), "minimum": lo, "maximum": hi,
             "label": spec.label}  # fmt: skip
    if len(found) < lo:
        return [Issue("error", "blocks", len(found), count.too_few.format(**words))]
    return [Issue("error", f"blocks[{found[hi]}]", found, count.too_many.format(**words))]


def _link_issues(block: Block, rule: LinkRule, neighbours: Neighbours) -> list[Issue]:
    found = [other.id for v in rule.through
             for other in neighbours.get((block.id, v.conn, v.direction), ())
             if other.kind in v.kinds]  # fmt: skip
    if len(found) < rule.minimum:
        return [Issue(rule.severity, f"blocks[{block.id}]", block.title, rule.message)]
    if rule.maximum is not None and len(found) > rule.maximum:
        return [Issue(rule.severity, f"blocks[{block.id}]", found, rule.message)]
    return []


def _ownership_issues(deal: Deal, neighbours: Neighbours) -> list[Issue]:
    issues = []
    for spv in deal.of_kind("spv"):
        owners = [b for b in neighbours.get((spv.id, "owns", "in"), ()) if b.spec.owner_share]
        if not owners:
            continue
        shares = [(b.title, float(b.terms[b.spec.owner_share])) for b in owners]
        total = sum(v for _, v in shares)
        if abs(total - 1.0) > TOLERANCE:
            each = ", ".join(f"{k} {v:.2%}" for k, v in shares)
            issues.append(Issue("error", f"blocks[{spv.id}]", total,
                                f"ownership shares of the SPV's owners must sum to 100%: "
                                f"{each}; total {total:.2%}"))  # fmt: skip
    return issues


def _maturity_issues(deal: Deal, neighbours: Neighbours) -> list[Issue]:
    issues = []
    for tranche in deal.of_kind("tranche"):
        for spv in neighbours.get((tranche.id, "issues", "in"), ()):
            horizon = spv.terms["horizon_years"] if spv.kind == "spv" else None
            if horizon is not None and tranche.terms["tenor_years"] > horizon:
                issues.append(Issue("warning", f"blocks[{tranche.id}].terms.tenor_years",
                                    tranche.terms["tenor_years"],
                                    f"tranche matures after the model horizon ({horizon:g} "
                                    f"years of {spv.id})"))  # fmt: skip
    return issues


def _delayed(deal: Deal) -> list[Block]:
    return [b for b in deal.of_kind("tranche") if b.terms.get("availability_months", 0) > 0]


def _fleet_cost(deal: Deal) -> float:
    return sum(b.terms["count"] * b.terms["unit_cost"] / 1000.0 for b in deal.of_kind("gpu_fleet"))


def _delayed_draw_issues(deal: Deal) -> list[Issue]:
    """Delayed draws buy the GPU fleet (core.engine.draws): there must be one, costing at least
    what is drawn for it."""
    linked = [b for b in _delayed(deal) if b.terms.get("draw_basis", "schedule") == "capex"]
    issues = _capex_linked_issues(deal, linked) if linked else []
    delayed = [b for b in _delayed(deal) if b not in linked]
    if not delayed:
        return issues
    path = f"blocks[{delayed[0].id}].terms.draw_amounts"
    draws = sum(sum(b.terms["draw_amounts"]) for b in delayed)
    if not deal.of_kind("gpu_fleet"):
        return [Issue("error", path, draws, "delayed draws finance GPUs delivered with them; "
                      "the deal has no GPU fleet")]  # fmt: skip
    cost = _fleet_cost(deal)
    if draws > cost * (1 + 1e-9):
        return [Issue("error", path, draws,
                      f"delayed draws of {draws:,.1f} USD m exceed the GPU fleet's cost of "
                      f"{cost:,.1f} USD m (each draw buys GPUs delivered with it)")]  # fmt: skip
    return []


def _capex_linked_issues(deal: Deal, linked: list[Block]) -> list[Issue]:
    """Tranches drawn on capex (draw_basis capex) need a construction phase whose capex (GPUs +
    facility) is at least their commitments."""
    path = f"blocks[{linked[0].id}].terms.draw_basis"
    spv = deal.of_kind("spv")
    if not spv or spv[0].terms.get("completion_month", 0) <= 0:
        return [Issue("error", path, "capex", "a tranche drawn on capex (draw_basis capex) "
                      "needs a construction phase: set the SPV's completion_month")]  # fmt: skip
    capex = _fleet_cost(deal) + sum(b.terms["cost"] for b in deal.of_kind("facility"))
    committed = sum(b.terms["notional"] for b in linked)
    if committed > capex * (1 + 1e-9):
        return [Issue("error", path, committed,
                      f"capex-linked commitments of {committed:,.1f} USD m exceed the "
                      f"construction's capex of {capex:,.1f} USD m (GPUs + facility)")]  # fmt: skip
    return []


def _sources_uses_issues(deal: Deal) -> list[Issue]:
    sources = sum(b.terms["notional"] for b in deal.of_kind("tranche"))
    sources += sum(b.terms["amount"] for b in deal.of_kind("equity"))
    uses = _fleet_cost(deal)
    delayed = _delayed(deal)
    if delayed:  # equity pays its share of each later delivery when it arrives
        draws = sum(sum(b.terms["draw_amounts"]) for b in delayed)
        later = sum(
            a
            for b in delayed
            for m, a in zip(b.terms["draw_months"], b.terms["draw_amounts"], strict=False)
            if m > 0
        )  # fmt: skip
        sources += max(uses - draws, 0.0) * later / draws if draws else 0.0
    uses += sum(b.terms["cost"] for b in deal.of_kind("facility"))
    if sources < uses * (1.0 - SOURCES_USES_TOLERANCE):
        return [Issue("warning", "deal", sources,
                      f"sources (tranche notionals + equity) of {sources:,.1f} USD m fall short "
                      f"of the asset cost of {uses:,.1f} USD m (GPUs + facility) by "
                      f"{1 - sources / uses:.1%}")]  # fmt: skip
    return []
