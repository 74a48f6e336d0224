"""Every fact about a block kind lives in its one ``BlockKind`` declaration: each kind declares
every facet, the model's rules, validation and layout read them, and no other module keeps a
table of kind ids. Card text and layout are checked against hand-worked values."""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from core.model.blocks import REGISTRY, BlockKind
from core.model.deal import Deal
from core.model.fields import Field, num, text
from core.model.kinds import show
from core.model.kinds.spec import Count, Link, LinkRule, PaletteSlot, Place, TermRule, via
from core.model.layout import COLUMN_WIDTH, ROW_HEIGHT, auto_layout
from core.model.rules import ALLOWED, CONNECTION_KINDS, allowed_pairs, explain_refusal
from core.model.validate import validate_deal

ROOT = Path(__file__).resolve().parents[1]
KIND_IDS = sorted(REGISTRY)


def one_block_deal(kind_id: str) -> tuple[Deal, str]:
    deal = Deal("one block")
    return deal, deal.add_block(kind_id).id


@pytest.mark.parametrize("kind_id", KIND_IDS)
def test_every_kind_declares_every_facet(kind_id: str) -> None:
    spec = REGISTRY[kind_id]
    assert spec.fields and all(isinstance(f, Field) for f in spec.fields)
    assert re.fullmatch(r"#[0-9a-f]{6}", spec.colour), spec.colour
    assert isinstance(spec.palette, PaletteSlot) and isinstance(spec.palette.order, int)
    for preset in spec.palette.presets:
        for name, value in preset.terms.items():
            assert spec.field(name).validate(value, name) == value
    assert isinstance(spec.place, Place) and spec.place.column in range(5)
    assert spec.place.rank_by is None or spec.place.rank_by in spec.field_names
    deal, block_id = one_block_deal(kind_id)
    title, lines = spec.card_text(deal.blocks[block_id], deal)
    assert title and lines and all(isinstance(x, str) and x for x in lines)
    assert isinstance(spec.links, tuple)
    for link in spec.links:
        assert link.type in CONNECTION_KINDS and link.targets
        assert set(link.targets) <= set(REGISTRY)
    assert 0 <= spec.count.minimum <= (spec.count.maximum or spec.count.minimum)
    for rule in spec.link_rules:
        for v in rule.through:
            assert v.conn in CONNECTION_KINDS and v.direction in ("in", "out")
            assert v.kinds <= set(REGISTRY)
        assert rule.severity in ("error", "warning")
    for rule in spec.term_rules:
        assert rule.field in spec.field_names and rule.severity in ("error", "warning")
        assert rule.check(spec.defaults()) is None  # a kind's defaults keep its own rules
    assert spec.owner_share is None or spec.owner_share in spec.field_names


@pytest.mark.parametrize("facet", ["links", "palette", "colour", "card", "place"])
def test_a_kind_cannot_leave_out_a_facet(facet: str) -> None:
    spec = REGISTRY["reserve"]
    given = {f.name: getattr(spec, f.name) for f in dataclasses.fields(BlockKind)}
    del given[facet]
    with pytest.raises(TypeError, match=facet):
        BlockKind(**given)


def test_palette_orders_are_distinct() -> None:
    orders = [k.palette.order for k in REGISTRY.values()]
    assert len(set(orders)) == len(orders)


def test_allowed_pairs_are_the_sources_declarations() -> None:
    for conn, pairs in ALLOWED.items():
        for source in REGISTRY.values():
            for target in REGISTRY:
                declared = any(
                    link.type == conn and target in link.targets for link in source.links
                )
                assert ((source.id, target) in pairs) == declared


def test_connection_rules_by_hand() -> None:
    assert not any(s == "tranche" for pairs in ALLOWED.values() for s, _ in pairs)
    assert [c for c, pairs in ALLOWED.items() if ("spv", "tranche") in pairs] == ["issues"]
    assert explain_refusal("leases_to", "lease", "sponsor") is None
    assert explain_refusal("owns", "spv", "tranche") == (
        "'owns' cannot link a spv to a tranche (use 'issues debt')"
    )
    assert explain_refusal("owns", "tranche", "spv") == "'owns' cannot link a tranche to a spv"


def test_unknown_link_type_is_refused() -> None:
    bad = dataclasses.replace(REGISTRY["reserve"], links=(Link("insures", ("tranche",)),))
    with pytest.raises(ValueError, match="insures"):
        allowed_pairs([bad])


def test_show_formats() -> None:
    assert show.money(27300.0) == "USD 27,300m"
    assert show.money(12.5) == "USD 12.5m"
    assert show.money(-250.0) == "USD -250m"
    assert show.pct(0.0658) == "6.58%"
    assert show.years(10.0) == "10y"
    assert show.years(2.5) == "2.5y"


def card(deal: Deal, block_id: str) -> tuple[str, list[str]]:
    block = deal.blocks[block_id]
    return block.spec.card_text(block, deal)


def test_card_text_by_hand() -> None:
    d = Deal("cards")
    add = d.add_block
    add(
        "sponsor",
        {"name": "Meta", "rating": "AA-", "jv_share": 0.2, "consolidates_spv": True},
        block_id="meta",
    )
    add("sponsor", {"name": "Lab"}, block_id="lab")
    add("spv", {"name": "Beignet"}, block_id="spv")
    add(
        "equity", {"investor": "Blue Owl", "amount": 2500.0, "ownership_share": 0.8}, block_id="owl"
    )
    add(
        "tranche",
        {
            "name": "144A",
            "notional": 27300.0,
            "coupon": 0.0658,
            "seniority": 1,
            "amortisation": "straight_line",
            "tenor_years": 24.0,
        },
        block_id="bonds",
    )
    add(
        "tranche",
        {
            "name": "Loan",
            "notional": 12.5,
            "rate_type": "floating",
            "spread": 0.0275,
            "amortisation": "bullet",
            "tenor_years": 2.5,
            "seniority": 2,
        },
        block_id="loan",
    )
    add(
        "lease",
        {"name": "Master lease", "annual_rent": 2800.0, "term_years": 4.0},
        block_id="lease",
    )
    add(
        "lease",
        {
            "name": "Offtake",
            "rent_basis": "gpu_hour",
            "price_per_gpu_hour": 2.4,
            "utilisation": 0.85,
            "term_years": 5.0,
            "renewal_options": 2,
            "renewals_exercised": 2,
            "renewal_term_years": 1.5,
        },
        block_id="offtake",
    )
    add("gpu_fleet", {"count": 10000, "generation": "H100", "unit_cost": 30.0}, block_id="gpus")
    add("facility", {"cost": 27000.0}, block_id="campus")
    add(
        "opex",
        {"power_mw": 80.0, "power_price": 60.0, "maintenance": 12.5, "admin_fees": 3.0},
        block_id="opex",
    )
    add("covenant", {}, block_id="cov")
    add("covenant", {"ltv_max": 0.8}, block_id="cov_ltv")
    add("reserve", {}, block_id="dsra")
    add("reserve", {"funded_at_close": False}, block_id="built")
    add("guarantee", {"floor_pct": 0.25, "cap": 500.0}, block_id="rvg")
    add("guarantee", {"guarantee_type": "backstop", "cap": 50.0}, block_id="backstop")
    add("crypto", {"units": 1200.0, "price": 90000.0}, block_id="btc")
    d.connect("leases_to", "lease", "meta")

    assert card(d, "meta") == ("Meta", ["Rating AA-", "JV share 20.00%", "Consolidates the SPV"])
    assert card(d, "lab") == ("Lab", ["Rating NR"])
    assert card(d, "spv") == ("Beignet", ["Close 2026-01-01, monthly", "Horizon 10y"])
    assert card(d, "owl") == ("Blue Owl", ["USD 2,500m", "Issued by the SPV, loss order 1"])
    d.connect("owns", "owl", "spv")  # only an owner shows its share
    assert card(d, "owl") == ("Blue Owl", ["USD 2,500m", "Owns 80.00%, loss order 1"])
    assert card(d, "bonds")[1] == ["USD 27,300m, 6.58% fixed", "straight line, 24y, rank 1"]
    assert card(d, "loan")[1] == ["USD 12.5m, SOFR + 2.75%", "bullet, 2.5y, rank 2"]
    assert card(d, "lease")[1] == ["Tenant: Meta", "USD 2,800m / yr", "Term 4y"]
    assert card(d, "offtake")[1] == [
        "Tenant: (none)",
        "USD 2.40 / GPU-hr at 85.00%",
        "Term 5y + 2 x 1.5y",
    ]
    assert card(d, "gpus") == ("GPU fleet", ["10,000 x H100", "USD 30.0k per GPU"])
    assert card(d, "campus")[1] == ["Cost USD 27,000m", "100 MW, life 25y"]
    assert card(d, "opex") == (
        "Operating costs",
        ["Power 80 MW at USD 60/MWh", "Maintenance USD 12.5m / yr", "Fees USD 3.0m / yr"],
    )
    assert card(d, "cov") == (
        "Covenants",
        ["Lock-up DSCR 1.15x", "Default DSCR 1.05x", "No LTV test"],
    )
    assert card(d, "cov_ltv")[1][2] == "Max LTV 80.00%"
    assert card(d, "dsra")[1] == ["6 months of debt service", "funded at close"]
    assert card(d, "built")[1] == ["6 months of debt service", "built from cash flow"]
    assert card(d, "rvg")[1] == ["Residual value guarantee", "Floor 25.00%, cap USD 500m"]
    assert card(d, "backstop")[1] == ["Lease backstop", "Cap USD 50.0m"]
    assert card(d, "btc")[1] == ["1,200 units at USD 90,000", "Margin call at 70.00% LTV"]


def test_auto_layout_by_hand() -> None:
    """Owners left, guarantees and assets next, SPV / lease / covenants in the middle,
    accounts and collateral after, debt on the right with the senior tranche on top."""
    d = Deal("layout")
    for kind_id, block_id in [
        ("tranche", "jr"),
        ("opex", "opex"),
        ("equity", "owl"),
        ("covenant", "cov"),
        ("crypto", "btc"),
        ("reserve", "dsra"),
        ("facility", "campus"),
        ("gpu_fleet", "gpus"),
        ("lease", "lease"),
        ("guarantee", "rvg"),
        ("spv", "spv"),
        ("sponsor", "meta"),
    ]:
        d.add_block(kind_id, {"seniority": 2} if block_id == "jr" else {}, block_id=block_id)
    d.add_block("tranche", {"seniority": 1}, block_id="sr")
    columns = [
        ["meta", "owl"],
        ["rvg", "gpus", "campus"],
        ["spv", "lease", "cov"],
        ["dsra", "btc", "opex"],
        ["sr", "jr"],
    ]
    expected = {
        block_id: (col * COLUMN_WIDTH, row * ROW_HEIGHT)
        for col, ids in enumerate(columns)
        for row, block_id in enumerate(ids)
    }
    assert auto_layout(d) == expected


def probe_kind() -> BlockKind:
    """A new kind, declared once: what a swap block's author writes."""
    return BlockKind(
        "probe",
        "Probe",
        "A kind that exists only in this test.",
        (
            text("name", "Name", "Probe"),
            num("limit", "Limit", 2.0, "x"),
            num("used", "Used", 1.0, "x"),
        ),
        links=(Link("secures", ("tranche",)),),
        palette=PaletteSlot(12),
        colour="#123456",
        card=lambda b, deal: [f"Limit {b.terms['limit']:g}x"],
        place=Place(column=4, row=-1),
        count=Count(2, 3),
        link_rules=(LinkRule((via("secures", "out", "tranche"),), 1, None, "probe secures none"),),
        term_rules=(
            TermRule("used", "error", lambda t: "over" if t["used"] > t["limit"] else None),
        ),
    )


def test_one_declaration_is_enough_for_a_new_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    import core.model.rules as rules

    spec = probe_kind()
    monkeypatch.setitem(REGISTRY, "probe", spec)
    monkeypatch.setattr(rules, "ALLOWED", allowed_pairs(REGISTRY.values()))
    d = Deal("probe")
    d.add_block("tranche", block_id="t")
    d.add_block("probe", {"used": 3.0}, block_id="p")
    assert card(d, "p") == ("Probe", ["Limit 2x"])
    assert auto_layout(d) == {"p": (4 * COLUMN_WIDTH, 0.0), "t": (4 * COLUMN_WIDTH, ROW_HEIGHT)}
    messages = {(i.path, i.message) for i in validate_deal(d)}
    assert ("blocks", "the deal has 1 Probe blocks; it needs at least 2") in messages
    assert ("blocks[p]", "probe secures none") in messages
    assert ("blocks[p].terms.used", "over") in messages
    d.connect("secures", "p", "t")
    assert ("blocks[p]", "probe secures none") not in {
        (i.path, i.message) for i in validate_deal(d)
    }


def _kind_id_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and n.value in REGISTRY
    ]


def _kind_tables(path: Path) -> list[tuple[int, list[str]]]:
    """Literal dicts, lists, tuples and sets naming two kinds or more: per-kind tables."""
    found = []
    for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        items = n.keys if isinstance(n, ast.Dict) else getattr(n, "elts", None)
        if isinstance(n, ast.Dict | ast.List | ast.Tuple | ast.Set) and items:
            ids = {e.value for e in items if isinstance(e, ast.Constant) and e.value in REGISTRY}
            if len(ids) >= 2:
                found.append((n.lineno, sorted(ids)))
    return found


def test_canvas_and_palette_name_no_kind() -> None:
    paths = [*(ROOT / "gui" / "canvas").glob("*.py"), ROOT / "gui" / "palette.py"]
    assert {p.name: _kind_id_constants(p) for p in paths} == {p.name: [] for p in paths}


def test_no_per_kind_tables_outside_the_declarations() -> None:
    paths = [*(ROOT / "gui").rglob("*.py"), *(ROOT / "core" / "model").glob("*.py")]
    found = {str(p.relative_to(ROOT)): t for p in paths if (t := _kind_tables(p))}
    assert found == {}
