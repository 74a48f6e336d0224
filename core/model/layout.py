"""Automatic layout of a deal's structure diagram, in plain coordinates (no Qt).

Blocks go in columns by role - owners and investors on the left, the SPV and its contracts in
the middle, debt on the right, assets and reserves beneath - so the canvas's "auto-layout"
and the printed report draw the same picture.
"""

from __future__ import annotations

from core.model.deal import Deal

COLUMN = {
    "sponsor": 0,
    "equity": 0,
    "guarantee": 1,
    "gpu_fleet": 1,
    "facility": 1,
    "spv": 2,
    "lease": 2,
    "covenant": 2,
    "opex": 3,
    "reserve": 3,
    "crypto": 3,
    "tranche": 4,
}
#: order of kinds within a column, top to bottom
ROW_ORDER = (
    "sponsor",
    "spv",
    "lease",
    "guarantee",
    "tranche",
    "equity",
    "gpu_fleet",
    "facility",
    "reserve",
    "crypto",
    "opex",
    "covenant",
)
COLUMN_WIDTH = 240.0
ROW_HEIGHT = 150.0


def auto_layout(deal: Deal) -> dict[str, tuple[float, float]]:
    """Positions for every block: columns by role; tranches top-down by seniority."""

    def key(block_id: str) -> tuple:
        b = deal.blocks[block_id]
        rank = b.terms.get("seniority", 0) if b.kind == "tranche" else 0
        return (ROW_ORDER.index(b.kind), rank, block_id)

    columns: dict[int, list[str]] = {}
    for block_id in sorted(deal.blocks, key=key):
        columns.setdefault(COLUMN[deal.blocks[block_id].kind], []).append(block_id)
    return {
        block_id: (col * COLUMN_WIDTH, row * ROW_HEIGHT)
        for col, ids in columns.items()
        for row, block_id in enumerate(ids)
    }
