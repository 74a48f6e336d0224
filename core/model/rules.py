"""Which connections between blocks make sense.

A connection is directed: ``source --kind--> target``. The connection kinds and how they read
are listed here; which pairs each allows is declared by the source's block kind
(``BlockKind.links``) and gathered into :data:`ALLOWED`. The canvas draws exactly these.
"""

from __future__ import annotations

from collections.abc import Iterable

from core.model.blocks import REGISTRY, BlockKind

CONNECTION_KINDS: dict[str, str] = {
    "owns": "owns",
    "issues": "issues debt",
    "leases_to": "leases to",
    "guarantees": "guarantees",
    "secures": "secures",
    "applies_to": "applies to",
}
# connection kinds a block kind introduces with its own link declaration (e.g. a swap "hedges")
CONNECTION_KINDS.update(
    {link.type: link.label for spec in REGISTRY.values() for link in spec.links if link.label}
)


#: (connection kind, target kind) -> a better label than the kind's own
LABEL_BY_TARGET: dict[tuple[str, str], str] = {("issues", "equity"): "issues equity"}


def connection_label(kind: str, target_kind: str) -> str:
    """What a connection reads as on the canvas: the SPV "issues debt" to a tranche but
    "issues equity" to an equity class."""
    return LABEL_BY_TARGET.get((kind, target_kind), CONNECTION_KINDS[kind])


def allowed_pairs(kinds: Iterable[BlockKind]) -> dict[str, frozenset[tuple[str, str]]]:
    """Connection kind -> the (source kind, target kind) pairs the ``kinds`` declare."""
    pairs: dict[str, set[tuple[str, str]]] = {k: set() for k in CONNECTION_KINDS}
    for spec in kinds:
        for link in spec.links:
            if link.type not in pairs:
                raise ValueError(f"block kind {spec.id} declares unknown link {link.type!r}")
            pairs[link.type].update((spec.id, target) for target in link.targets)
    return {k: frozenset(v) for k, v in pairs.items()}


#: kind -> allowed (source kind, target kind) pairs, from the block kinds' declarations
ALLOWED: dict[str, frozenset[tuple[str, str]]] = allowed_pairs(REGISTRY.values())


def explain_refusal(kind: str, source_kind: str, target_kind: str) -> str | None:
    """``None`` when ``source --kind--> target`` is allowed, else a message for the user."""
    if kind not in ALLOWED:
        return f"unknown connection kind {kind!r}"
    if (source_kind, target_kind) in ALLOWED[kind]:
        return None
    fits = suggest_kind(source_kind, target_kind)
    hint = f" (use '{CONNECTION_KINDS[fits]}')" if fits else ""
    return f"'{CONNECTION_KINDS[kind]}' cannot link a {source_kind} to a {target_kind}{hint}"


def suggest_kind(source_kind: str, target_kind: str) -> str | None:
    """The connection kind that fits a drag from ``source_kind`` to ``target_kind``, if any."""
    for k, pairs in ALLOWED.items():
        if (source_kind, target_kind) in pairs:
            return k
    return None
