"""What a block's card on the canvas says: its title and two or three key terms, formatted
the way analysts write them. Terms are shown as entered; nothing here is computed."""

from __future__ import annotations

from collections.abc import Callable

from core.model.deal import Block, Deal


def money(v: float) -> str:
    """USD millions: ``USD 27,300m``, ``USD 12.5m``."""
    return f"USD {v:,.0f}m" if abs(v) >= 100 else f"USD {v:,.1f}m"


def pct(v: float) -> str:
    return f"{v * 100:.2f}%"


def years(v: float) -> str:
    return f"{v:g}y"


def _sponsor(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    lines = [f"Rating {t['rating']}"]
    if t["jv_share"]:
        lines.append(f"JV share {pct(t['jv_share'])}")
    if t["consolidates_spv"]:
        lines.append("Consolidates the SPV")
    return lines


def _spv(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [f"Close {t['closing_date']}, {t['period']}", f"Horizon {years(t['horizon_years'])}"]


def _equity(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [
        money(t["amount"]),
        f"Owns {pct(t['ownership_share'])}, loss order {t['first_loss_order']}",
    ]


def _tranche(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    rate = (
        pct(t["coupon"]) + " fixed" if t["rate_type"] == "fixed" else f"SOFR + {pct(t['spread'])}"
    )
    amort = t["amortisation"].replace("_", " ")
    return [
        f"{money(t['notional'])}, {rate}",
        f"{amort}, {years(t['tenor_years'])}, rank {t['seniority']}",
    ]


def _lease(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    tenants = [x.title for x in deal.links(b.id, "leases_to", "out")]
    if t["rent_basis"] == "fixed":
        rent = f"{money(t['annual_rent'])} / yr"
    else:
        rent = f"USD {t['price_per_gpu_hour']:.2f} / GPU-hr at {pct(t['utilisation'])}"
    term = years(t["term_years"])
    if t["renewals_exercised"]:
        term += f" + {t['renewals_exercised']} x {years(t['renewal_term_years'])}"
    return [f"Tenant: {tenants[0] if tenants else '(none)'}", rent, f"Term {term}"]


def _gpu_fleet(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [f"{t['count']:,} x {t['generation']}", f"USD {t['unit_cost']:,.1f}k per GPU"]


def _facility(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [f"Cost {money(t['cost'])}", f"{t['capacity_mw']:g} MW, life {years(t['life_years'])}"]


def _reserve(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    funded = "funded at close" if t["funded_at_close"] else "built from cash flow"
    return [f"{t['target_months']} months of debt service", funded]


def _guarantee(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    kind = "Residual value guarantee" if t["guarantee_type"] == "rvg" else "Lease backstop"
    lines = [kind]
    if t["guarantee_type"] == "rvg":
        lines.append(f"Floor {pct(t['floor_pct'])}, cap {money(t['cap'])}")
    else:
        lines.append(f"Cap {money(t['cap'])}")
    return lines


def _crypto(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [
        f"{t['units']:,.0f} units at USD {t['price']:,.0f}",
        f"Margin call at {pct(t['margin_call_ltv'])} LTV",
    ]


def _opex(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    return [
        f"Power {t['power_mw']:g} MW at USD {t['power_price']:g}/MWh",
        f"Maintenance {money(t['maintenance'])} / yr",
        f"Fees {money(t['admin_fees'])} / yr",
    ]


def _covenant(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    lines = [f"Lock-up DSCR {t['lockup_dscr']:.2f}x", f"Default DSCR {t['default_dscr']:.2f}x"]
    lines.append(f"Max LTV {pct(t['ltv_max'])}" if t["ltv_max"] else "No LTV test")
    return lines


_LINES: dict[str, Callable[[Block, Deal], list[str]]] = {
    "sponsor": _sponsor,
    "spv": _spv,
    "equity": _equity,
    "tranche": _tranche,
    "lease": _lease,
    "gpu_fleet": _gpu_fleet,
    "facility": _facility,
    "reserve": _reserve,
    "guarantee": _guarantee,
    "crypto": _crypto,
    "opex": _opex,
    "covenant": _covenant,
}


def card_lines(block: Block, deal: Deal) -> tuple[str, list[str]]:
    """``(title, key-term lines)`` for the block's card."""
    title = block.title if block.kind not in ("opex", "covenant") else block.spec.label
    return title, _LINES[block.kind](block, deal)
