"""Deal-level validation: the structural rules the cash-flow engine relies on.

Field values are checked one by one when they are set (:mod:`core.model.fields`); this module
checks the deal as a whole: how many blocks of a kind, which blocks must be connected, terms
that must agree with each other, and sanity warnings. Most rules are data (the tables below).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.model.blocks import REGISTRY
from core.model.deal import Block, Deal
from core.model.errors import DealError

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


#: block kind -> (minimum, maximum) blocks of that kind in one deal
COUNTS: dict[str, tuple[int, int]] = {"spv": (1, 1), "covenant": (0, 1), "opex": (0, 1),
                                      "reserve": (0, 1)}  # fmt: skip


@dataclass(frozen=True)
class LinkRule:
    """Every block of ``kind`` (for which ``when(terms)`` holds) has between ``minimum`` and
    ``maximum`` neighbours reached through ``via``: (connection kind, 'in'|'out', kinds)."""

    kind: str
    via: tuple[tuple[str, str, frozenset[str]], ...]
    minimum: int
    maximum: int | None
    message: str
    severity: str = "error"
    when: Callable[[dict[str, Any]], bool] | None = None


def _via(conn: str, direction: str, *kinds: str) -> tuple[str, str, frozenset[str]]:
    return conn, direction, frozenset(kinds)


LINK_RULES: tuple[LinkRule, ...] = (
    LinkRule("tranche", (_via("issues", "in", "spv"),), 1, None, "tranche has no issuer"),
    LinkRule("equity", (_via("owns", "out", "spv"), _via("issues", "in", "spv")), 1, None,
             "equity class is not connected to the SPV (it must own the SPV or be issued by "
             "it)"),
    LinkRule("spv", (_via("leases_to", "out", "lease"),), 1, None,
             "the SPV has no lease: connect at least one lease from it ('leases to')"),
    LinkRule("lease", (_via("leases_to", "out", "sponsor"),), 0, 1,
             "a lease has at most one tenant"),
    LinkRule("lease", (_via("leases_to", "in", "spv"),), 1, None,
             "lease is not connected from the SPV ('leases to')",
             "warning"),
    LinkRule("guarantee", (_via("guarantees", "out", "lease"),), 1, None,
             "a backstop guarantee must guarantee a lease",
             when=lambda t: t["guarantee_type"] == "backstop"),
    LinkRule("guarantee", (_via("guarantees", "out", "gpu_fleet", "facility", "lease"),), 1, None,
             "a residual value guarantee (rvg) must guarantee a GPU fleet, facility or lease",
             when=lambda t: t["guarantee_type"] == "rvg"),
    LinkRule("crypto", (_via("secures", "out", "tranche"),), 1, None,
             "crypto collateral must secure a tranche"),
)  # fmt: skip

TermCheck = Callable[[dict[str, Any]], "str | None"]


def _custom_schedule(t: dict[str, Any]) -> str | None:
    if t["amortisation"] != "custom":
        return None
    if not t["custom_schedule"]:
        return "custom amortisation needs a non-empty custom schedule"
    total = sum(t["custom_schedule"])
    if total > 1 + 1e-9:
        return f"custom schedule repays {total:.6g} of the notional; it must sum to at most 1"
    return None


#: (block kind, field the issue points at, severity, check returning a message when broken)
TERM_RULES: tuple[tuple[str, str, str, TermCheck], ...] = (
    ("tranche", "custom_schedule", "error", _custom_schedule),
    ("tranche", "target_dscr", "error", lambda t: (
        "sculpted amortisation needs a target DSCR of at least 1.0x"
        if t["amortisation"] == "sculpted" and not (t["target_dscr"] or 0) >= 1.0 else None)),
    ("tranche", "spread", "warning", lambda t: (
        "floating tranche pays base rate + spread and its spread is 0 (the fixed coupon is "
        "not used)" if t["rate_type"] == "floating" and t["spread"] == 0 else None)),
    ("tranche", "spread", "warning", lambda t: (
        "fixed-rate tranche pays its coupon; the spread is not used"
        if t["rate_type"] == "fixed" and t["spread"] > 0 else None)),
    ("covenant", "default_dscr", "error", lambda t: (
        f"default DSCR must not exceed the lock-up DSCR ({t['lockup_dscr']:g}x)"
        if t["default_dscr"] > t["lockup_dscr"] else None)),
    ("crypto", "margin_call_ltv", "error", lambda t: (
        f"margin-call LTV must be below the liquidation LTV ({t['liquidation_ltv']:g})"
        if t["margin_call_ltv"] >= t["liquidation_ltv"] else None)),
    ("lease", "renewals_exercised", "error", lambda t: (
        f"more renewals assumed than the lease grants ({t['renewal_options']} options)"
        if t["renewals_exercised"] > t["renewal_options"] else None)),
)  # fmt: skip

#: who may own the SPV, and the term holding its share
OWNER_SHARE: dict[str, str] = {"sponsor": "jv_share", "equity": "ownership_share"}


def validate_deal(deal: Deal) -> list[Issue]:
    """Every structural error and warning in ``deal``, errors in a stable order."""
    issues: list[Issue] = []
    neighbours = _neighbours(deal, issues)
    for kind, (lo, hi) in COUNTS.items():
        issues += _count_issues(deal, kind, lo, hi)
    for block in deal.blocks.values():
        terms = {**block.spec.defaults(), **block.terms}
        for rule in LINK_RULES:
            if rule.kind == block.kind and (rule.when is None or rule.when(terms)):
                issues += _link_issues(block, rule, neighbours)
        for kind, name, severity, check in TERM_RULES:
            message = check(terms) if kind == block.kind else None
            if message:
                path = f"blocks[{block.id}].terms.{name}"
                issues.append(Issue(severity, path, terms[name], message))
    issues += _ownership_issues(deal, neighbours)
    issues += _maturity_issues(deal, neighbours)
    issues += _sources_uses_issues(deal)
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


def _count_issues(deal: Deal, kind: str, lo: int, hi: int) -> list[Issue]:
    found = [b.id for b in deal.of_kind(kind)]
    label = REGISTRY[kind].label
    if len(found) < lo:
        return [Issue("error", "blocks", len(found),
                      f"the deal has no {label} block; it needs exactly one")]  # fmt: skip
    if len(found) <= hi:
        return []
    listed = ", ".join(found)
    if kind == "spv":
        message = (f"the deal has {len(found)} SPV blocks ({listed}); multi-SPV deals are not "
                   "supported yet, use exactly one SPV")  # fmt: skip
    else:
        message = f"a deal has at most {hi} {label} block; found {len(found)} ({listed})"
    return [Issue("error", f"blocks[{found[hi]}]", found, message)]


def _link_issues(block: Block, rule: LinkRule, neighbours: Neighbours) -> list[Issue]:
    found = [other.id for conn, direction, kinds in rule.via
             for other in neighbours.get((block.id, conn, direction), ())
             if other.kind in kinds]  # fmt: skip
    if len(found) < rule.minimum:
        return [Issue(rule.severity, f"blocks[{block.id}]", block.title, rule.message)]
    if rule.maximum is not None and len(found) > rule.maximum:
        return [Issue(rule.severity, f"blocks[{block.id}]", found, rule.message)]
    return []


def _ownership_issues(deal: Deal, neighbours: Neighbours) -> list[Issue]:
    issues = []
    for spv in deal.of_kind("spv"):
        owners = [b for b in neighbours.get((spv.id, "owns", "in"), ()) if b.kind in OWNER_SHARE]
        if not owners:
            continue
        shares = {b.id: float(b.terms[OWNER_SHARE[b.kind]]) for b in owners}
        total = sum(shares.values())
        if abs(total - 1.0) > TOLERANCE:
            each = ", ".join(f"{k} {v:.6g}" for k, v in shares.items())
            issues.append(Issue("error", f"blocks[{spv.id}]", total,
                                f"ownership shares of the SPV's owners must sum to 100% "
                                f"(1.0): {each}; total {total:.6g}"))  # fmt: skip
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


def _sources_uses_issues(deal: Deal) -> list[Issue]:
    sources = sum(b.terms["notional"] for b in deal.of_kind("tranche"))
    sources += sum(b.terms["amount"] for b in deal.of_kind("equity"))
    uses = sum(b.terms["count"] * b.terms["unit_cost"] / 1000.0 for b in deal.of_kind("gpu_fleet"))
    uses += sum(b.terms["cost"] for b in deal.of_kind("facility"))
    if sources < uses * (1.0 - SOURCES_USES_TOLERANCE):
        return [Issue("warning", "deal", sources,
                      f"sources (tranche notionals + equity) of {sources:,.1f} USD m fall short "
                      f"of the asset cost of {uses:,.1f} USD m (GPUs + facility) by "
                      f"{1 - sources / uses:.1%}")]  # fmt: skip
    return []
