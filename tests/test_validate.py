"""Deal-level validation: one test per structural rule, plus the warnings."""

import pytest

from core.model.deal import Deal
from core.model.errors import DealError
from core.model.validate import Issue, check_deal, validate_deal


def hyperion() -> Deal:
    """A small valid JV deal: sponsor 20% + equity 80% own the SPV, one tranche, one lease."""
    d = Deal("Hyperion-style JV", "test deal")
    d.add_block("sponsor", {"name": "Meta", "jv_share": 0.2}, block_id="meta")
    d.add_block("equity", {"investor": "Blue Owl", "amount": 2500.0, "ownership_share": 0.8},
                block_id="owl")  # fmt: skip
    d.add_block("spv", {"horizon_years": 25.0}, block_id="spv")
    d.add_block("tranche", {"notional": 24500.0, "tenor_years": 24.0}, block_id="senior")
    d.add_block("lease", {"term_years": 4.0, "annual_rent": 2800.0}, block_id="lease")
    d.add_block("facility", {"cost": 27000.0}, block_id="campus")
    for kind, source, target in [
        ("owns", "meta", "spv"),
        ("owns", "owl", "spv"),
        ("issues", "spv", "senior"),
        ("leases_to", "spv", "lease"),
        ("leases_to", "lease", "meta"),
        ("owns", "spv", "campus"),
    ]:
        d.connect(kind, source, target)  # fmt: skip
    return d


def errors(deal: Deal) -> list[Issue]:
    return [i for i in validate_deal(deal) if i.severity == "error"]


def warnings(deal: Deal) -> list[Issue]:
    return [i for i in validate_deal(deal) if i.severity == "warning"]


def only_error(deal: Deal) -> Issue:
    found = errors(deal)
    assert len(found) == 1, found
    with pytest.raises(DealError) as exc:
        check_deal(deal)
    assert exc.value.path == found[0].path
    return found[0]


def test_valid_deal_has_no_issues():
    assert validate_deal(hyperion()) == []
    check_deal(hyperion())


def test_no_spv():
    d = hyperion()
    d.remove_block("spv")
    found = errors(d)
    assert found[0].path == "blocks" and "no SPV" in found[0].message
    with pytest.raises(DealError, match="no SPV"):
        check_deal(d)


def test_several_spvs_not_supported():
    d = hyperion()
    d.add_block("spv", block_id="spv2")
    issue = errors(d)[0]
    assert issue.path == "blocks[spv2]" and "multi-SPV" in issue.message
    assert issue.value == ["spv", "spv2"]


def test_tranche_without_issuer():
    d = hyperion()
    d.add_block("tranche", {"name": "Mezz", "seniority": 2}, block_id="mezz")
    issue = only_error(d)
    assert (issue.path, issue.message, issue.value) == ("blocks[mezz]", "tranche has no issuer",
                                                        "Mezz")  # fmt: skip


def test_equity_must_be_connected_to_spv():
    d = hyperion()
    d.add_block("equity", {"amount": 10.0}, block_id="pref")
    assert only_error(d).path == "blocks[pref]"
    d.connect("issues", "spv", "pref")  # issued by the SPV, owns no share
    assert errors(d) == []


def test_ownership_shares_must_sum_to_one():
    d = hyperion()
    d.set_term("owl", "ownership_share", 0.75)
    issue = only_error(d)
    assert issue.path == "blocks[spv]" and issue.value == pytest.approx(0.95)
    meta, owl = d.blocks["meta"].title, d.blocks["owl"].title  # names and percent, not ids
    assert f"{meta} 20.00%" in issue.message and f"{owl} 75.00%" in issue.message
    assert "total 95.00%" in issue.message


def test_ownership_tolerance_and_no_owners():
    d = hyperion()
    d.set_term("owl", "ownership_share", 0.8 + 5e-7)
    assert errors(d) == []
    for c in [c for c in d.connections.values() if c.kind == "owns" and c.target == "spv"]:
        d.disconnect(c.id)
    d.connect("issues", "spv", "owl")
    assert errors(d) == []  # no owner at all: nothing to sum


def test_spv_needs_a_lease():
    d = hyperion()
    d.remove_block("lease")
    issue = only_error(d)
    assert issue.path == "blocks[spv]" and "lease" in issue.message


def test_lease_has_at_most_one_tenant():
    d = hyperion()
    d.add_block("sponsor", {"name": "Other"}, block_id="other")
    d.connect("leases_to", "lease", "other")
    issue = only_error(d)
    assert issue.path == "blocks[lease]" and issue.value == ["meta", "other"]


def test_lease_not_connected_from_spv_is_a_warning():
    d = hyperion()
    d.add_block("lease", block_id="lease2")
    assert errors(d) == []
    assert [w.path for w in warnings(d)] == ["blocks[lease2]"]


@pytest.mark.parametrize("kind", ["covenant", "opex", "reserve"])
def test_at_most_one_singleton(kind):
    d = hyperion()
    d.add_block(kind, block_id=f"{kind}_a")
    if kind != "reserve":
        d.connect("applies_to", f"{kind}_a", "spv")
    assert errors(d) == []
    d.add_block(kind, block_id=f"{kind}_b")
    issue = only_error(d)
    assert issue.path == f"blocks[{kind}_b]" and f"{kind}_a, {kind}_b" in issue.message


def test_backstop_must_guarantee_a_lease():
    d = hyperion()
    d.add_block("guarantee", {"guarantee_type": "backstop", "cap": 3200.0}, block_id="google")
    d.connect("guarantees", "google", "campus")
    assert only_error(d).path == "blocks[google]"
    d.connect("guarantees", "google", "lease")
    assert errors(d) == []


def test_rvg_must_guarantee_an_asset_or_lease():
    d = hyperion()
    d.add_block("guarantee", {"guarantee_type": "rvg"}, block_id="rvg")
    d.connect("guarantees", "rvg", "senior")
    issue = only_error(d)
    assert issue.path == "blocks[rvg]" and "rvg" in issue.message
    d.connect("guarantees", "rvg", "campus")
    assert errors(d) == []


def test_crypto_must_secure_a_tranche():
    d = hyperion()
    d.add_block("crypto", {"units": 100.0}, block_id="btc")
    assert only_error(d).path == "blocks[btc]"
    d.connect("secures", "btc", "senior")
    assert errors(d) == []


def test_custom_amortisation_needs_schedule():
    d = hyperion()
    d.set_term("senior", "amortisation", "custom")
    issue = only_error(d)
    assert issue.path == "blocks[senior].terms.custom_schedule" and issue.value == []
    d.set_term("senior", "custom_schedule", [0.5, 0.6])
    issue = only_error(d)
    assert "1.1" in issue.message and issue.value == [0.5, 0.6]
    d.set_term("senior", "custom_schedule", [0.1] * 10)  # sums to 0.9999999999999999
    assert errors(d) == []


def test_sculpted_needs_target_dscr():
    d = hyperion()
    d.set_term("senior", "amortisation", "sculpted")
    assert errors(d) == []
    d.blocks["senior"].terms["target_dscr"] = None  # bypassing field validation
    assert only_error(d).path == "blocks[senior].terms.target_dscr"


def test_floating_and_fixed_spread_warnings():
    d = hyperion()
    d.set_term("senior", "rate_type", "floating")
    assert [w.path for w in warnings(d)] == ["blocks[senior].terms.spread"]
    d.set_term("senior", "spread", 0.06)
    assert warnings(d) == []
    d.set_term("senior", "rate_type", "fixed")
    assert "not used" in warnings(d)[0].message


def test_covenant_default_below_lockup():
    d = hyperion()
    d.add_block("covenant", {"lockup_dscr": 1.10, "default_dscr": 1.20}, block_id="cov")
    issue = only_error(d)
    assert issue.path == "blocks[cov].terms.default_dscr" and issue.value == 1.20
    d.set_term("cov", "default_dscr", 1.10)  # equal is allowed
    assert errors(d) == []


def test_crypto_margin_call_below_liquidation():
    d = hyperion()
    d.add_block("crypto", {"margin_call_ltv": 0.8, "liquidation_ltv": 0.8}, block_id="btc")
    d.connect("secures", "btc", "senior")
    assert only_error(d).path == "blocks[btc].terms.margin_call_ltv"


def test_renewals_exercised_within_options():
    d = hyperion()
    d.set_term("lease", "renewals_exercised", 2)
    d.set_term("lease", "renewal_options", 1)
    issue = only_error(d)
    assert issue.path == "blocks[lease].terms.renewals_exercised" and issue.value == 2


def test_equal_seniority_different_amortisation_allowed():
    d = hyperion()
    d.set_term("senior", "notional", 20000.0)
    d.add_block("tranche", {"seniority": 1, "amortisation": "bullet", "notional": 4500.0},
                block_id="senior_b")  # fmt: skip
    d.connect("issues", "spv", "senior_b")
    assert validate_deal(d) == []


def test_sources_short_of_uses_warns():
    d = hyperion()
    d.set_term("senior", "notional", 24000.0)  # 26500 vs 27000: 1.85% short
    (w,) = warnings(d)
    assert w.path == "deal" and w.value == 26500.0 and "1.9%" in w.message
    d.set_term("senior", "notional", 24300.0)  # 26800: 0.74% short, within 1%
    assert warnings(d) == []
    d.add_block("gpu_fleet", {"count": 100000, "unit_cost": 30.0}, block_id="gpus")
    d.connect("owns", "spv", "gpus")
    assert "30,000.0" in warnings(d)[0].message  # 27000 + 100000 x 30k = 30,000 USD m


def test_tranche_after_horizon_warns():
    d = hyperion()
    d.set_term("senior", "tenor_years", 30.0)
    (w,) = warnings(d)
    assert w.path == "blocks[senior].terms.tenor_years" and w.value == 30.0


def test_errors_come_before_warnings():
    d = hyperion()
    d.set_term("senior", "tenor_years", 30.0)
    d.add_block("tranche", block_id="orphan")
    assert [i.severity for i in validate_deal(d)] == ["error", "warning"]
    assert "tranche has no issuer" in str(validate_deal(d)[0])
