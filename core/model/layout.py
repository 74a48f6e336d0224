"""Automatic layout of a deal's structure diagram, in plain coordinates (no Qt).

Blocks go in columns by role - owners and investors on the left, the SPV and its contracts in
the middle, debt on the right, assets and reserves beneath - so the canvas's "auto-layout"
and the printed report draw the same picture. Each kind declares its column and row order
(``BlockKind.place``).
"""

from __future__ import annotations

from core.model.deal import Deal

COLUMN_WIDTH = 240.0
ROW_HEIGHT = 150.0


def auto_layout(deal: Deal) -> dict[str, tuple[float, float]]:
    """Positions for every block: columns by role, kinds in their row order, blocks of a kind
    by the term it ranks by (tranches top-down by seniority), then by id."""

    def key(block_id: str) -> tuple:
        b = deal.blocks[block_id]
        place = b.spec.place
        rank = b.terms.get(place.rank_by, 0) if place.rank_by else 0
        return (place.row, rank, block_id)

    columns: dict[int, list[str]] = {}
    for block_id in sorted(deal.blocks, key=key):
        columns.setdefault(deal.blocks[block_id].spec.place.column, []).append(block_id)
    return {
        block_id: (col * COLUMN_WIDTH, row * ROW_HEIGHT)
        for col, ids in columns.items()
        for row, block_id in enumerate(ids)
    }
