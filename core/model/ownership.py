"""Who owns the SPV and in what shares: the shares a new owner starts with.

An owner (a sponsor's JV share, an equity class's ownership share) that joins the SPV through
an ``owns`` connection takes what the other owners leave; when they already hold 100% and it
holds nothing, the owners split the SPV equally. The analyst then edits the shares; the deal
check insists they sum to 100%.
"""

from __future__ import annotations

from core.model.deal import Deal


def owners_of(deal: Deal, spv_id: str) -> list[str]:
    """Ids of the blocks that own ``spv_id`` with a share term, in connection order."""
    return [
        c.source
        for c in deal.connections.values()
        if c.kind == "owns" and c.target == spv_id and deal.blocks[c.source].spec.owner_share
    ]


def shares_on_joining(deal: Deal, spv_id: str, joiner: str) -> dict[str, float]:
    """Block id -> new share for the owners of ``spv_id`` once ``joiner`` owns it too (only
    the shares that change; ``joiner`` must already be connected)."""
    owners = owners_of(deal, spv_id)
    if joiner not in owners:
        return {}

    def share(block_id: str) -> float:
        block = deal.blocks[block_id]
        return float(block.terms[block.spec.owner_share])

    others = sum(share(b) for b in owners if b != joiner)
    if others >= 1.0 - 1e-9 and share(joiner) <= 1e-12:  # nothing left, and it holds nothing
        equal = 1.0 / len(owners)
        return {b: equal for b in owners if abs(share(b) - equal) > 1e-12}
    if abs(others + share(joiner) - 1.0) <= 1e-9 or others >= 1.0:
        return {}  # the shares add up (or the analyst must say who gives up what)
    return {joiner: round(1.0 - others, 12)}
