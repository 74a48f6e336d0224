"""Which connections between blocks make sense.

A connection is directed: ``source --kind--> target``. The canvas draws exactly these.
"""

from __future__ import annotations

CONNECTION_KINDS: dict[str, str] = {
    "owns": "owns",
    "issues": "issues debt",
    "leases_to": "leases to",
    "guarantees": "guarantees",
    "secures": "secures",
    "applies_to": "applies to",
}

#: kind -> allowed (source kind, target kind) pairs
ALLOWED: dict[str, frozenset[tuple[str, str]]] = {
    "owns": frozenset(
        {
            ("sponsor", "spv"),
            ("equity", "spv"),
            ("spv", "gpu_fleet"),
            ("spv", "facility"),
            ("spv", "reserve"),
            ("spv", "crypto"),
            ("sponsor", "crypto"),
        }
    ),
    "issues": frozenset({("spv", "tranche"), ("spv", "equity")}),
    "leases_to": frozenset({("spv", "lease"), ("lease", "sponsor")}),
    "guarantees": frozenset(
        {
            ("sponsor", "guarantee"),
            ("guarantee", "lease"),
            ("guarantee", "gpu_fleet"),
            ("guarantee", "facility"),
            ("guarantee", "tranche"),
        }
    ),
    "secures": frozenset(
        {
            ("gpu_fleet", "tranche"),
            ("facility", "tranche"),
            ("crypto", "tranche"),
            ("reserve", "tranche"),
            ("lease", "tranche"),
        }
    ),
    "applies_to": frozenset({("covenant", "spv"), ("opex", "spv"), ("covenant", "tranche")}),
}


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
