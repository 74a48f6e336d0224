"""The registry of block kinds a deal is built from.

Each kind is one :class:`BlockKind` declared in ``core/model/kinds``: its stable id (used in
deal files and the palette's drag MIME data), label, description, fields, and every other fact
about it (connections, palette entry, colour, card text, layout place, deal-level rules).
Defaults are reasonable for a 2025-26 AI infrastructure deal (see ``../shared/DOMAIN.md``);
users change them per deal.
"""

from __future__ import annotations

from core.model.kinds import KINDS
from core.model.kinds.assets import GPU_GENERATIONS
from core.model.kinds.parties import RATINGS
from core.model.kinds.spec import BlockKind

__all__ = ["GPU_GENERATIONS", "RATINGS", "REGISTRY", "BlockKind", "kind"]

REGISTRY: dict[str, BlockKind] = {}
for _kind in KINDS:
    if _kind.id in REGISTRY:  # pragma: no cover - guarded at import
        raise ValueError(f"duplicate block kind {_kind.id}")
    REGISTRY[_kind.id] = _kind
for _kind in KINDS:
    for _link in _kind.links:
        for _target in _link.targets:
            if _target not in REGISTRY:  # pragma: no cover - guarded at import
                raise ValueError(f"block kind {_kind.id} links to unknown kind {_target}")


def kind(kind_id: str) -> BlockKind:
    """The declaration of a block kind; ``KeyError`` for an unknown id."""
    return REGISTRY[kind_id]
