"""Coupons from a spread grid by rating: each sized tranche pays the spread of its implied
rating's bucket, so a bigger (worse-rated) tranche costs more.

A grid maps rating symbols to spreads (``{"A2": 0.015, "Baa2": 0.025, "Ba2": 0.04}``). A
tranche pays the spread of the best grid rating that is not better than its implied rating
(a Baa3 tranche on that grid pays the Ba2 spread); worse than every grid rating, the worst
row's. Moody's symbols are read against the EL rating, S&P symbols against the PD rating
(:meth:`~core.structuring.implied_rating.ImpliedRating.against`). A floating tranche's spread
is set to it, a fixed tranche's coupon to the SPV's flat base rate plus it. The rating depends
on the coupon, so a candidate is priced to a fixed point: rate, price, rate again, until the
spreads stop changing (at most :data:`MAX_ROUNDS` rounds; if they still move, the highest
spread seen is kept, the conservative price).
"""

from __future__ import annotations

from core.model.deal import Deal
from core.structuring.implied_rating import ImpliedRating, notch

MAX_ROUNDS = 4


def parse_grid(text: str, where: str = "--spread-grid") -> dict[str, float]:
    """``A2=1.5%,Baa2=2.5%`` -> {"A2": 0.015, "Baa2": 0.025}; errors name the item."""
    from core.structuring.candidate import StructuringError

    grid: dict[str, float] = {}
    for item in (i.strip() for i in text.split(",") if i.strip()):
        rating, sep, raw = item.partition("=")
        rating, raw = rating.strip(), raw.strip()
        if not sep or not raw:
            raise StructuringError(f"{where} {item!r}: expected RATING=SPREAD, e.g. A2=1.5%")
        try:
            notch(rating)
            value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
        except ValueError as exc:
            raise StructuringError(f"{where} {item!r}: {exc}") from None
        if not 0.0 <= value <= 0.5:
            raise StructuringError(f"{where} {item!r}: the spread must be 0 to 50%")
        grid[rating] = value
    if not grid:
        raise StructuringError(f"{where}: empty; expected e.g. A2=1.5%,Baa2=2.5%")
    return grid


def grid_spread(grid: dict[str, float], rating: ImpliedRating) -> float:
    """The spread a tranche with ``rating`` pays on ``grid``."""
    rows = sorted(grid, key=notch)
    for r in rows:  # best first: the first row not better than the tranche
        if notch(r) >= notch(rating.against(r)):
            return grid[r]
    return grid[rows[-1]]


def margin(deal: Deal, tranche: str) -> float:
    t = deal.blocks[tranche].terms
    if t["rate_type"] == "floating":
        return float(t["spread"])
    return float(t["coupon"]) - float(deal.of_kind("spv")[0].terms["base_rate"])


def set_margin(deal: Deal, tranche: str, spread: float) -> None:
    """Floating: the spread; fixed: the SPV's flat base rate plus the spread."""
    if deal.blocks[tranche].terms["rate_type"] == "floating":
        deal.set_term(tranche, "spread", spread)
    else:
        base = float(deal.of_kind("spv")[0].terms["base_rate"])
        deal.set_term(tranche, "coupon", max(base + spread, 0.0))
