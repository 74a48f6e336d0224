"""The deals the Excel-export tests export and recalculate with LibreOffice: the sample deals, a
stressed deal and deals built to exercise PIK, pari passu ranks, percentage sweeps, lock-up trap
and sweep, acceleration and liquidation, write-offs, floating ACT/360 tranches, crypto, two
leases, interest-rate swaps, refinancing and a construction phase (interest paid from the
Treasury reserve or capitalised), delayed draws linked to capex; the workbook edits and
scenario switches applied to them."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from core.files.deal_json import load_deal
from core.files.excel_inputs import input_name
from core.model.deal import Deal
from core.risk.stress import Stress, apply_stress
from tests.engine.deal_builders import construction_ddtl_refi, simple_deal
from tests.engine.test_capex_draws import capex_loan
from tests.engine.test_delayed_draws import ddtl_deal

SAMPLES = sorted(Path("resources/deals").glob("*.json"))


def add_tranche(d: Deal, tid: str, **terms) -> None:
    base = {
        "name": "Mezz",
        "seniority": 2,
        "notional": 150.0,
        "rate_type": "fixed",
        "coupon": 0.11,
        "day_count": "30/360",
        "tenor_years": 5.0,
        "amortisation": "bullet",
        "pik": True,
    }
    base.update(terms)
    d.add_block("tranche", base, block_id=tid)
    d.connect("issues", "spv", tid)


def trap_deal() -> Deal:
    """PIK junior with a 25% sweep, a pari-passu floating ACT/360 PIK senior, lock-up trap,
    tenant default then re-leasing at a collapsing market rent: shortfalls, acceleration,
    liquidation after the lag."""
    d = load_deal("resources/deals/xai_gpu_spv.json")
    add_tranche(d, "mezz", sweep_pct=0.25)
    add_tranche(
        d,
        "pari",
        name="Senior B",
        seniority=1,
        notional=200.0,
        rate_type="floating",
        spread=0.03,
        day_count="ACT/360",
        amortisation="straight_line",
        tenor_years=4.0,
    )
    for field_name, value in (
        ("lockup_dscr", 1.6),
        ("lockup_action", "trap"),
        ("default_dscr", 0.0),
        ("ltv_max", 0.0),
    ):
        d.set_term("cov", field_name, value)
    d.set_term("lease", "tenant_default_month", 30)
    d.set_term("lease", "market_rent_decline", 0.9)
    d.set_term("lease", "at_expiry", "re_lease")
    d.set_term("lease", "default_recovery", "re_lease")  # re-let after a 3-month search
    d.set_term("lease", "search_lag_months", 3)
    return d


def accel_deal() -> Deal:
    """Tenant default, a near-worthless sale, LTV breach, DSCR/payment default, acceleration,
    liquidation after a 4-month lag, write-offs; junior on a custom schedule."""
    d = load_deal("resources/deals/xai_gpu_spv.json")
    add_tranche(d, "mezz", pik=False, amortisation="custom", custom_schedule=[0.1, 0.2, 0.3])
    d.set_term("lease", "tenant_default_month", 20)
    d.set_term("lease", "market_rent_decline", 0.7)
    d.set_term("gpus", "sale_haircut", 0.97)
    d.set_term("gpus", "liquidation_haircut", 0.97)  # the lenders enforce: a forced sale
    d.set_term("gpus", "liquidation_lag_months", 4)
    return d


def _swap(d: Deal, tranche: str, **terms) -> Deal:
    d.add_block("swap", {"fixed_rate": 0.045, **terms}, block_id="swap")
    d.connect("hedges", "swap", tranche)
    return d


def swapped_deal() -> Deal:
    """The xAI-style loan swapped at 80% from month 2, capped, paying 3.55% fixed against a
    3.4-3.7% curve: the SPV receives in some years and pays in others."""
    d = load_deal("resources/deals/xai_gpu_spv.json")
    return _swap(d, "loan", fixed_rate=0.0355, hedge_ratio=0.8, start_months=2, notional_cap=9000.0)


def swap_broken_deal() -> Deal:
    """The accelerated deal with its senior loan swapped for two years at 6%: the swap is
    broken the period after the acceleration; the SPV owes the breakage, pays what it can ahead
    of the debt, and the rest is written off after the near-worthless forced sale."""
    return _swap(accel_deal(), "loan", fixed_rate=0.06, term_years=2.0)


def sweep_deal() -> Deal:
    """Sculpted quarterly deal, lock-up with a cash-sweep action, stressed."""
    d = load_deal("resources/deals/terawulf_backstop.json")
    d.set_term("cov", "lockup_dscr", 1.35)
    d.set_term("cov", "lockup_action", "sweep")
    return apply_stress(d, Stress(rent_deflation=0.3, termination_year=4.0))


def _crypto(d: Deal, **terms) -> Deal:
    d.add_block("crypto", {"units": 3000.0, "price": 90000.0, **terms}, block_id="btc")
    d.connect("owns", "spv", "btc")
    d.connect("secures", "btc", "notes")
    return d


def crypto_sold_deal() -> Deal:
    """Falling BTC pledged to the notes: margin call, crypto sold, LTV acceleration."""
    d = load_deal("resources/deals/terawulf_backstop.json")
    _crypto(d, units=20000.0, price_growth=-0.6, margin_call_ltv=0.55, liquidation_ltv=0.6)
    d.set_term("cov", "ltv_max", 0.9)
    d.set_term("cov", "ltv_action", "accelerate")
    return d


def crypto_held_deal() -> Deal:
    """No margin mechanics: the BTC is sold with the site when lenders liquidate (they
    enforce after the tenant's default, once the backstop's cap has run out: with the
    sample's re-let the backstop bridges the search and the notes never default)."""
    d = load_deal("resources/deals/terawulf_backstop.json")
    _crypto(d, price_growth=0.1, margin_call_ltv=0.0, liquidation_ltv=0.5)
    d.set_term("lease", "tenant_default_month", 24)
    d.set_term("lease", "default_recovery", "enforce")
    d.set_term("site", "sale_haircut", 0.9)
    return d


def minimal_deal() -> Deal:
    """No fleet, facility, opex, covenant or reserve: GPU-hour rent with an escalator, renewals
    repriced at a falling market, an equity IRR beyond the engine's search range (blank)."""
    lease = {
        "rent_basis": "gpu_hour",
        "gpus": 1000,
        "price_per_gpu_hour": 3000.0,
        "escalator": 0.05,
        "renewal_options": 2,
        "renewals_exercised": 1,
        "market_rent_decline": 0.2,
        "term_years": 1.0,
    }
    return simple_deal(lease=lease, horizon_years=4.0, tenor_years=3.0)


def two_lease_deal() -> Deal:
    """A second lease starting later, escalating, renewed, re-let at market after its tenant
    defaults, under the same backstop as the first."""
    d = load_deal("resources/deals/terawulf_backstop.json")
    terms = {
        "name": "Second hall",
        "start_month": 9,
        "term_years": 6.0,
        "annual_rent": 120.0,
        "escalator": 0.02,
        "renewal_options": 1,
        "renewal_term_years": 2.0,
        "renewals_exercised": 1,
        "market_rent_decline": 0.1,
        "at_expiry": "re_lease",
        "tenant_default_month": 50,
    }
    d.add_block("lease", terms, block_id="lease2")
    d.connect("leases_to", "spv", "lease2")
    d.connect("leases_to", "lease2", "google")
    d.connect("guarantees", "backstop", "lease2")
    return d


def stressed_deal() -> Deal:
    d = load_deal("resources/deals/hyperion_jv.json")
    return apply_stress(d, Stress(rent_deflation=0.3, termination_year=6.0))


def _refinanced(sample: str, tranche: str, **terms) -> Deal:
    """A sample whose tranche becomes a 3-year bullet refinanced at maturity on ``terms``."""
    d = load_deal(f"resources/deals/{sample}.json")
    terms = {"tenor_years": 3.0, "amortisation": "bullet", "refinance": True, **terms}
    for name, value in terms.items():
        d.set_term(tranche, name, value)
    return d


def refi_advance_deal() -> Deal:
    """Refinancing (issue #12): the xAI loan refinanced on an advance of 50% of the GPUs'
    market value into a 2-year annuity; the rest of the balloon is short: payment default,
    acceleration, liquidation."""
    return _refinanced(
        "xai_gpu_spv", "loan", refi_sizing="advance", refi_advance=0.5, refi_spread=0.05,
        refi_tenor_years=2.0, refi_amortisation="annuity",
    )  # fmt: skip


def refi_dscr_deal() -> Deal:
    """Refinancing on both tests: the CoreWeave loan refinanced on the lower of 80% of the
    collateral's value and a 1.25x DSCR into a 2-year bullet (interest only)."""
    return _refinanced(
        "coreweave_ddtl", "ddtl", refi_sizing="advance_and_dscr", refi_advance=0.8,
        refi_dscr=1.25, refi_tenor_years=2.0, refi_amortisation="bullet",
    )  # fmt: skip


def refi_fixed_deal() -> Deal:
    """A fixed-rate refinancing: the CoreWeave loan refinanced on a 1.25x DSCR into a 2-year
    annuity at the base rate at maturity + 4.5% for its life, the base rate rising after it
    (the floating rate would follow it)."""
    d = _refinanced(
        "coreweave_ddtl", "ddtl", refi_sizing="dscr", refi_dscr=1.25, refi_spread=0.045,
        refi_tenor_years=2.0, refi_amortisation="annuity", refi_rate_type="fixed",
    )  # fmt: skip
    d.set_term("spv", "base_rate_curve", [0.04, 0.04, 0.04, 0.07, 0.08])
    return d


def annual(make) -> Deal:
    """The deal ``make()`` builds, in annual periods (issue #12)."""
    d = make()
    d.set_term(d.of_kind("spv")[0].id, "period", "annual")
    return d


def ddtl_blocked_deal() -> Deal:
    """Delayed draws on a straight-line schedule, 30 bp fee: the month-3 draw stopped by a DSCR
    default (sweep), the month-6 draw cut by the borrowing base (35% advance: 9.85 of 30)."""
    d = ddtl_deal(
        amortisation="straight_line", draw_months=[0, 3, 6], draw_amounts=[40.0, 20.0, 30.0],
        commitment_fee=0.003, max_advance=0.35,
    )  # fmt: skip
    d.add_block("covenant", {"lockup_dscr": 1.25, "default_dscr": 1.2, "default_action": "sweep"})
    d.connect("applies_to", d.of_kind("covenant")[0].id, "spv")
    return d


def ddtl_quarterly_deal() -> Deal:
    """Quarterly periods: draws in months 4 and 5 are one draw in period 1; bullet draws."""
    return ddtl_deal(
        amortisation="bullet", draw_months=[0, 4, 5], draw_amounts=[40.0, 20.0, 30.0],
        draw_term_years=1.5, period="quarterly",
    )  # fmt: skip


def construction_deal(idc_funding: str) -> Deal:
    """A small deal built over 9 months (quarterly periods): a 90 facility paid on an S-curve
    out of a Treasury reserve earning 4% a year; the interest during construction paid from the
    reserve or capitalised; the lease and the straight-line amortisation from completion."""
    d = simple_deal(
        horizon_years=3.0,
        tenor_years=3.0,
        period="quarterly",
        amortisation="straight_line",
        annual_rent=80.0,
    )
    d.add_block("facility", {"name": "Hall", "cost": 90.0}, block_id="hall")
    d.connect("owns", "spv", "hall")
    for field_name, value in (
        ("completion_month", 9),
        ("construction_start_month", 0),
        ("capex_profile", "s_curve"),
        ("treasury_yield", 0.04),
        ("idc_funding", idc_funding),
    ):
        d.set_term("spv", field_name, value)
    return d


def construction_profile_deal(profile: str, shares: list[float] | None = None) -> Deal:
    """The construction deal (interest from the reserve) with its capex on a straight line or
    on custom shares (the Inputs list; items past the construction's periods are ignored)."""
    d = construction_deal("reserve")
    d.set_term("spv", "capex_profile", profile)
    d.set_term("spv", "capex_shares", shares or [])
    return d


def construction_rvg_deal() -> Deal:
    """The construction deal with a 1.5-year lease from completion (period 3 to 9) sold at
    its end below a floor of the facility's cost, under an RVG whose 2-year term runs from
    operations: it ends in period 11, after the sale, so it pays (counted from closing it
    would end in period 8, before the sale, and pay nothing)."""
    d = construction_deal("reserve")
    d.set_term("lease", "term_years", 1.5)
    d.set_term("hall", "sale_haircut", 0.3)
    terms = {"guarantee_type": "rvg", "floor_pct": 0.9, "cap": 50.0, "term_years": 2.0,
             "term_from": "operations", "rvg_triggers": "lease_end"}  # fmt: skip
    d.add_block("guarantee", {"name": "RVG", **terms}, block_id="rvg")
    d.connect("guarantees", "rvg", "lease")
    return d


def construction_backstop_deal() -> Deal:
    """The construction deal whose tenant defaults in month 15 (period 5) under a backstop
    whose 1.5-year term runs from operations (periods 3 to 9): it pays the rent owed to
    period 9, up to its cap (counted from closing it would stop in period 6). The lenders
    enforce (a re-let would stop the backstop when the re-let starts, before its term ends:
    relet_backstop_deal)."""
    d = construction_deal("capitalised")
    d.set_term("lease", "tenant_default_month", 15)
    d.set_term("lease", "default_recovery", "enforce")
    terms = {"guarantee_type": "backstop", "cap": 70.0, "term_years": 1.5,
             "term_from": "operations"}  # fmt: skip
    d.add_block("guarantee", {"name": "Backstop", **terms}, block_id="backstop")
    d.connect("guarantees", "backstop", "lease")
    return d


def relet_backstop_deal() -> Deal:
    """The construction backstop deal re-let after the default (period 5): the backstop pays
    the rent only until the re-let starts, after the search lag."""
    d = construction_backstop_deal()
    d.set_term("lease", "default_recovery", "re_lease")
    return d


def construction_late_deal() -> Deal:
    """The RVG deal stressed with a completion 5 months late (2 quarters): rent, costs and
    the sale move 2 periods later (the sale from period 9 to 11), the debt service does not;
    a completion guarantee of its sponsor pays the rent lost and the interest owed (20 + 3 a
    period), up to a cap of 50 (the edit ``edit_delay``, 7 months: 3 periods, runs it out)."""
    d = construction_rvg_deal()
    d.add_block("sponsor", {"name": "Builder"}, block_id="builder")
    terms = {"guarantee_type": "completion", "cap": 50.0}
    d.add_block("guarantee", {"name": "Completion", **terms}, block_id="completion")
    d.connect("guarantees", "builder", "completion")
    d.connect("guarantees", "completion", "hall")
    return apply_stress(d, Stress(completion_delay_months=5))


def construction_refi_late_deal() -> Deal:
    """The late-completion deal whose notes are a 2-year bullet refinanced at maturity (period
    7) on a 1.0x DSCR of the contract as it runs after the delay (rent to period 10) into a
    9-month straight line: refinanced in part, the rest short (payment default)."""
    d = construction_late_deal()
    terms = dict(
        tenor_years=2.0, amortisation="bullet", refinance=True, refi_sizing="dscr",
        refi_dscr=1.0, refi_tenor_years=0.75, refi_amortisation="straight_line",
    )  # fmt: skip
    for name, value in terms.items():
        d.set_term("senior", name, value)
    return d


def hyperion_late_deal() -> Deal:
    """The Hyperion sample (with its construction) stressed with a completion a year late:
    its completion guarantee pays the delay cost."""
    d = load_deal("resources/deals/hyperion_jv.json")
    return apply_stress(d, Stress(completion_delay_months=12))


def with_going_concern(deal: Deal, y: float, haircut: float = 0.05) -> Deal:
    """``deal`` with its SPV's leased assets valued as a going concern at yield ``y``."""
    spv = deal.of_kind("spv")[0]
    deal.set_term(spv.id, "going_concern_yield", y)
    deal.set_term(spv.id, "going_concern_haircut", haircut)
    return deal


def going_concern_deal() -> Deal:
    """tests/engine/test_going_concern.py's hand-worked deal: accelerated in year 1, the
    facility sold in year 2 with two years of its lease left."""
    from tests.engine.test_going_concern import leased_facility

    return leased_facility()


CASES = {p.stem: (lambda p=p: load_deal(p)) for p in SAMPLES}
CASES.update(
    trap=trap_deal,
    accel=accel_deal,
    sweep=sweep_deal,
    stressed=stressed_deal,
    crypto_sold=crypto_sold_deal,
    crypto_held=crypto_held_deal,
    minimal=minimal_deal,
    two_leases=two_lease_deal,
    swapped=swapped_deal,
    swap_broken=swap_broken_deal,
    ddtl_cut=lambda: ddtl_deal(max_advance=0.5),
    ddtl_blocked=ddtl_blocked_deal,
    ddtl_quarterly=ddtl_quarterly_deal,
    quarterly_sl=lambda: simple_deal(
        amortisation="straight_line", tenor_years=0.75, period="quarterly"
    ),
    # annual periods: floating ACT/360 annuity (xAI), sculpted with a backstop (TeraWulf),
    # covenants, PIK, pari passu, default and liquidation lag (trap), swaps
    xai_annual=lambda: annual(lambda: load_deal("resources/deals/xai_gpu_spv.json")),
    terawulf_annual=lambda: annual(lambda: load_deal("resources/deals/terawulf_backstop.json")),
    trap_annual=lambda: annual(trap_deal),
    swapped_annual=lambda: annual(swapped_deal),
    refi_advance=refi_advance_deal,
    refi_dscr=refi_dscr_deal,
    refi_fixed=refi_fixed_deal,
    construction_reserve=lambda: construction_deal("reserve"),
    construction_capitalised=lambda: construction_deal("capitalised"),
    construction_straight=lambda: construction_profile_deal("straight_line"),
    construction_custom=lambda: construction_profile_deal("custom", [0.2, 0.5, 0.2, 0.1]),
    construction_rvg=construction_rvg_deal,
    construction_backstop=construction_backstop_deal,
    relet_backstop=relet_backstop_deal,
    construction_late=construction_late_deal,
    hyperion_late=hyperion_late_deal,
    construction_refi_late=construction_refi_late_deal,
    # the going-concern value (core.engine.going_concern): a liquidation sold with the lease
    # and the LTV on it (the hand-worked deal); TeraWulf's backstopped lease, refinanced
    going_concern=going_concern_deal,
    terawulf_going_concern=lambda: with_going_concern(
        load_deal("resources/deals/terawulf_backstop.json"), 0.08
    ),
    construction_late_going_concern=lambda: with_going_concern(construction_late_deal(), 0.1),
    # Hyperion (a sample, so also exported as is) not renewed at its first renewal date: the
    # all-in RVG floor tops the sale up and the sale winds the SPV up; then with capitalised IDC
    hyperion_non_renewal=lambda: hyperion_non_renewal("reserve"),
    hyperion_non_renewal_capitalised=lambda: hyperion_non_renewal("capitalised"),
    # delayed draws linked to capex (draw_basis capex): the hand-worked deal of
    # tests/engine/test_capex_draws.py (capex 100/200/100, a 60% debt share) on time and two
    # periods late; the construction + capex-linked DDTL + refinancing deal, with interest
    # paid from the reserve, its draws cut by a 30% borrowing base, and three months late
    # (draws moved with the capex, then stopped by a payment default: equity pays)
    capex_draws=capex_loan,
    capex_draws_late=lambda: capex_loan(delay=2),
    construction_ddtl_refi=construction_ddtl_refi,
    construction_ddtl_refi_reserve=lambda: construction_ddtl_refi(idc="reserve"),
    construction_ddtl_refi_cut=lambda: construction_ddtl_refi(max_advance=0.3),
    construction_ddtl_refi_late=lambda: construction_ddtl_refi(delay_months=3),
)


def hyperion_non_renewal(idc_funding: str) -> Deal:
    d = load_deal("resources/deals/hyperion_jv.json")
    d.set_term("lease", "renewals_exercised", 0)
    d.set_term("spv", "idc_funding", idc_funding)
    d.set_term("rvg", "cap", 20000.0)  # the floor binds, not the cap
    return d


# workbook edits: (case, block, field, new value)
EDITS = {
    "edit_coupon": ("hyperion_jv", "bonds", "coupon", 0.0725),
    "edit_spread_lockup": ("xai_gpu_spv", None, None, None),  # several edits, see _edit
    "edit_gap": ("coreweave_ddtl", "equity", "amount", 50.0),  # a funding gap at closing
    # a construction finishing a quarter later (month 12: period 4) and a late completion
    "edit_completion": ("construction_rvg", "spv", "completion_month", 12),
    "edit_delay": ("construction_late", "spv", "completion_delay_months", 7),
}


# the scenario switch turned in the exported workbook: (case, sample, scenario)
SWITCHED = {
    "switch_downside": ("xai_gpu_spv", "downside"),
    "switch_severe_swapped": ("swapped", "severe"),
}


def edit_workbook(case: str, wb: openpyxl.Workbook, deal: Deal) -> None:
    """Change inputs in the exported workbook and the same terms in ``deal``."""
    _src, block, field, value = EDITS[case]
    changes = (
        [(block, field, value)]
        if block is not None
        else [
            ("loan", "spread", 0.045),
            ("cov", "lockup_dscr", 1.48),
            ("spv", "tax_rate", 0.3),
            ("lease", "annual_rent", 4200.0),
            ("gpus", "mv_decline", 0.3),
        ]
    )
    for block_id, field_name, value in changes:
        dn = wb.defined_names[input_name(block_id, field_name)]
        sheet, coord = next(iter(dn.destinations))
        wb[sheet][coord.replace("$", "")].value = value
        deal.set_term(block_id, field_name, value)
