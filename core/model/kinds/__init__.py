"""The declarations of every block kind, one module per group of kinds.

``KINDS`` is the registry's order (deal files' schema, docs and menus list kinds in it). To add
a kind, declare one :class:`~core.model.kinds.spec.BlockKind` in the module of its group (or a
new module) and list it in that module's ``KINDS``.
"""

from __future__ import annotations

from core.model.kinds import accounts, assets, debt, hedge, lease, parties, support
from core.model.kinds.spec import BlockKind

KINDS: tuple[BlockKind, ...] = (
    *parties.KINDS,
    *debt.KINDS,
    *hedge.KINDS,
    *lease.KINDS,
    *assets.KINDS,
    *accounts.KINDS,
    *support.KINDS,
)
