"""The lease or offtake: the contract that pays the SPV."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.model.fields import choice, money, num, pct, text, whole
from core.model.kinds import show
from core.model.kinds.spec import BlockKind, Link, LinkRule, PaletteSlot, Place, TermRule, via

if TYPE_CHECKING:
    from core.model.deal import Block, Deal


def _card(b: Block, deal: Deal) -> list[str]:
    t = b.terms
    tenants = [x.title for x in deal.links(b.id, "leases_to", "out")]
    if t["rent_basis"] == "fixed":
        rent = f"{show.money(t['annual_rent'])} / yr"
    else:
        rent = f"USD {t['price_per_gpu_hour']:.2f} / GPU-hr at {show.pct(t['utilisation'])}"
    term = show.years(t["term_years"])
    if t["renewals_exercised"]:
        term += f" + {t['renewals_exercised']} x {show.years(t['renewal_term_years'])}"
    return [f"Tenant: {tenants[0] if tenants else '(none)'}", rent, f"Term {term}"]


LEASE = BlockKind(
    "lease",
    "Lease / offtake",
    "The contract that pays the SPV: a fixed rent or GPU-hours sold at a price.",
    (
        text("name", "Name", "Lease"),
        whole(
            "start_month",
            "Start",
            0,
            "months",
            help="Months after closing; rent starts in the period holding this month (in "
            "annual periods, month 6 starts in the first year).",
        ),
        num("term_years", "Initial term", 5.0, "years", minimum=0.25, maximum=50.0),
        choice("rent_basis", "Rent basis", "fixed", ("fixed", "gpu_hour")),
        money("annual_rent", "Annual rent", 100.0, unit="usd_m_per_year"),
        num("price_per_gpu_hour", "Price per GPU-hour", 2.0, "usd_per_hour"),
        whole(
            "gpus",
            "GPUs contracted",
            0,
            "count",
            help="0 takes the count of the GPU fleet the SPV owns.",
        ),
        pct("utilisation", "Utilisation", 0.9),
        pct(
            "take_or_pay",
            "Take-or-pay minimum",
            0.0,
            "Minimum share of contracted GPU-hours billed whatever the utilisation.",
        ),
        pct("escalator", "Annual escalator", 0.0, unit="pct_per_year", minimum=-0.5),
        whole("renewal_options", "Renewal options", 0, "count", maximum=20),
        num("renewal_term_years", "Renewal term", 1.0, "years", minimum=0.25),
        pct(
            "renewal_rent_pct",
            "Renewal rent",
            1.0,
            "Renewal rent as a share of the expiring rent.",
            maximum=3.0,
        ),
        choice(
            "renewal_pricing",
            "Renewal priced at",
            "market",
            ("market", "contract"),
            "market: a renewal reprices to the lower of the expiring rent and the market rent "
            "(times the renewal rent share); contract: the tenant's extension option is at the "
            "contract rent (times that share), whatever the market does (e.g. Hyperion).",
        ),
        whole(
            "renewals_exercised",
            "Renewals assumed",
            0,
            "count",
            maximum=20,
            help="How many renewal options the base case assumes the tenant exercises.",
        ),
        whole(
            "termination_month",
            "Early termination",
            0,
            "months",
            help="Month after closing in which the tenant terminates; 0 for none.",
        ),
        money("termination_fee", "Termination fee", 0.0),
        whole(
            "tenant_default_month",
            "Tenant default",
            0,
            "months",
            help="Month after closing in which the tenant stops paying; 0 for none.",
        ),
        choice(
            "at_expiry",
            "At lease end",
            "sell",
            ("sell", "re_lease"),
            "Sell the assets at market value, or re-lease them at the market rent.",
        ),
        pct(
            "market_rent_decline",
            "Market rent decline",
            0.15,
            unit="pct_per_year",
            help="Yearly fall of the market rent for renewals and re-leasing (the lease's "
            "rent index); negative: the market rent grows (a data-centre rent rising with "
            "inflation, like an escalator). Also the walk-away premium's yardstick.",
            minimum=-0.5,
        ),
        choice(
            "rent_index",
            "Market rent index",
            "compute",
            ("compute", "data_centre"),
            "compute: GPU-hour rent (falls with compute-rent deflation); data_centre: "
            "powered-shell / colocation rent (its own index, anchored by replacement cost).",
        ),
        choice(
            "default_recovery",
            "Recovery after tenant default",
            "enforce",
            ("enforce", "re_lease"),
            "enforce: lenders sell the assets after the liquidation lag at the forced-sale "
            "value; re_lease: the SPV re-lets the capacity after a search lag at market rent "
            "less remarketing costs.",
        ),
        whole(
            "search_lag_months",
            "Re-leasing search lag",
            6,
            "months",
            help="Months without rent between a tenant default and a new tenant (re_lease); "
            "rounded up to whole periods.",
        ),
        pct(
            "remarketing_cost_pct",
            "Remarketing cost",
            0.10,
            "Share of the re-let rent lost to brokers, incentives and downtime (re_lease).",
        ),
        pct(
            "walk_away_gap",
            "Walk-away gap",
            0.0,
            "The tenant terminates once its rent exceeds the market rent by this share "
            "(deterministic trigger); 0 for never.",
            maximum=10.0,
        ),
        num(
            "walk_away_sensitivity",
            "Walk-away sensitivity",
            0.25,
            "x",
            help="Monte Carlo: added termination hazard a year per unit of rent above market "
            "(max(0, rent / market - 1)); 0 for none.",
            maximum=10.0,
        ),
    ),
    links=(Link("leases_to", ("sponsor",)), Link("secures", ("tranche",))),
    palette=PaletteSlot(4),
    colour="#4f7d2c",
    card=_card,
    place=Place(column=2, row=2),
    link_rules=(
        LinkRule((via("leases_to", "out", "sponsor"),), 0, 1, "a lease has at most one tenant"),
        LinkRule(
            (via("leases_to", "in", "spv"),),
            1,
            None,
            "lease is not connected from the SPV ('leases to')",
            "warning",
        ),
    ),
    term_rules=(
        TermRule(
            "renewals_exercised",
            "error",
            lambda t: (
                f"more renewals assumed than the lease grants ({t['renewal_options']} options)"
                if t["renewals_exercised"] > t["renewal_options"]
                else None
            ),
        ),
    ),
)

KINDS = (LEASE,)
