"""Everything the printed risk summary shows, gathered from the engine in one place (no Qt).

``gather(deal, ...)`` runs the base case, the risk catalogue (stress, break-even and
look-through per risk), the covenant headroom and, when asked, a Monte Carlo with the
reconciliation of its causes against the stresses (core.report.reconcile). The report
renderer (``gui/report``) only lays these numbers out; it computes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
from dataclasses import dataclass, field

from core.engine.results import DealResult, run_deal
from core.files.deal_json import dump_deal
from core.model.deal import Deal
from core.report.reconcile import Reconciliation, reconcile
from core.risk.breakeven import Headroom, dscr_headroom
from core.risk.catalogue import RiskOutcome, risk_summary
from core.risk.fan_note import flat_fan
from core.risk.montecarlo import MonteCarloConfig, MonteCarloResult, run_montecarlo
from core.structuring.implied_rating import ImpliedRating, ratings_of
from core.structuring.tornado import Tornado, tornado

#: Monte Carlo paths a report runs unless told otherwise (about a second on two cores)
DEFAULT_PATHS = 10_000
DEFAULT_SEED = 1


@dataclass(frozen=True)
class Header:
    deal_name: str
    description: str
    sponsors: list[str]  # "name (rating): role, role"
    spv: str
    closing_date: str
    period: str
    horizon_years: float
    generated: str  # ISO date the report was made
    file_name: str  # "unsaved deal" when there is no file
    file_hash: str  # first 12 hex digits of the SHA-256
    hash_of: str  # "file" (the bytes on disk) or "deal" (its JSON, unsaved changes)


@dataclass(frozen=True)
class Covenant:
    test: str  # e.g. "DSCR lock-up"
    level: str  # the covenant level as text, e.g. "1.10x"
    action: str  # what a breach does
    actual: str  # the worst tested value in the base case
    headroom: str  # how far the base case is from the level
    first_breach: str | None  # date of the first breach in the base case


@dataclass
class ReportData:
    header: Header
    result: DealResult
    risks: list[RiskOutcome]
    headroom: Headroom
    covenants: list[Covenant]
    montecarlo: MonteCarloResult | None = None
    notes: list[str] = field(default_factory=list)
    #: each tranche's implied rating from the Monte Carlo (core.structuring.implied_rating)
    ratings: list[ImpliedRating] = field(default_factory=list)
    #: the sensitivity tornado (core.structuring.tornado); senior EL only with a Monte Carlo
    tornado: Tornado | None = None
    #: the stress page against the Monte Carlo's causes (core.report.reconcile)
    reconciliation: Reconciliation | None = None
    #: why the Monte Carlo's DSCR fan is flat, when it is (core.risk.fan_note), printed as
    #: text under the fan; "" when the fan has a spread to show
    fan_note: str = ""

    @property
    def max_ltv(self) -> float:
        """Highest LTV while debt is outstanding (:attr:`DealResult.max_ltv`)."""
        return self.result.max_ltv[0]

    @property
    def max_ltv_date(self) -> str | None:
        return self.result.max_ltv[1]


def deal_hash(deal: Deal, source_path: str | None = None, saved: bool = True) -> tuple[str, str]:
    """(short SHA-256, "file" or "deal"): of the file's bytes when it holds this deal as saved,
    else of the deal's JSON as it would be saved."""
    if source_path and saved and os.path.isfile(source_path):
        with open(source_path, "rb") as fh:
            return hashlib.sha256(fh.read()).hexdigest()[:12], "file"
    return hashlib.sha256(dump_deal(deal).encode("utf-8")).hexdigest()[:12], "deal"


def _parties(deal: Deal) -> list[str]:
    roles: dict[str, list[str]] = {b.id: [] for b in deal.of_kind("sponsor")}
    for c in deal.connections.values():
        src, dst = deal.blocks[c.source], deal.blocks[c.target]
        if src.kind == "sponsor" and c.kind == "owns":
            share = src.terms.get("jv_share") or 0.0
            roles[src.id].append(f"owns {share * 100:.0f}% of the SPV" if share else "owner")
        elif dst.kind == "sponsor" and c.kind == "leases_to":
            roles[dst.id].append("tenant")
        elif src.kind == "sponsor" and c.kind == "guarantees":
            roles[src.id].append("guarantor")
    out = []
    for block_id, rs in roles.items():
        t = deal.blocks[block_id].terms
        what = ", ".join(dict.fromkeys(rs)) or "sponsor"
        out.append(f"{t['name']} ({t.get('rating', 'NR')}): {what}")
    return out


def _header(deal: Deal, source_path: str | None, saved: bool, today: dt.date | None) -> Header:
    spv = deal.of_kind("spv")
    t = spv[0].terms if spv else {}
    digest, of = deal_hash(deal, source_path, saved)
    name = os.path.basename(source_path) if source_path else "unsaved deal"
    if source_path and of == "deal":
        name += " (unsaved changes)"
    return Header(
        deal_name=deal.name,
        description=deal.description,
        sponsors=_parties(deal),
        spv=str(t.get("name", "none")),
        closing_date=str(t.get("closing_date", "")),
        period=str(t.get("period", "")),
        horizon_years=float(t.get("horizon_years", math.nan)),
        generated=(today or dt.date.today()).isoformat(),
        file_name=name,
        file_hash=digest,
        hash_of=of,
    )


def _ratio(v: float) -> str:
    return "n/a" if not math.isfinite(v) else f"{v:.2f}x"


def _pct(v: float) -> str:
    return "n/a" if not math.isfinite(v) else f"{v * 100:.1f}%"


def _covenants(deal: Deal, result: DealResult, head: Headroom) -> list[Covenant]:
    blocks = deal.of_kind("covenant")
    if not blocks:
        return []
    t = blocks[0].terms
    m = result.metrics
    max_ltv = result.max_ltv[0]
    # the window the engine tests: the look-back rounded up to whole periods (12 months when
    # 6 are asked for in annual periods)
    window = int(result.compiled.inputs.lookback) * result.compiled.timeline.months_per_period
    lookback = f"trailing {window} months"
    rows = []
    for name, level, action, fall, first in (
        ("DSCR lock-up", t["lockup_dscr"], t["lockup_action"], head.cfads_fall_to_lockup,
         m["first_lockup"]),
        ("DSCR default", t["default_dscr"], t["default_action"], head.cfads_fall_to_default,
         m["first_dscr_default"]),
    ):  # fmt: skip
        if level > 0:
            rows.append(
                Covenant(
                    f"{name} ({lookback})",
                    _ratio(level),
                    action,
                    f"min {_ratio(head.min_test_dscr)}",
                    f"CFADS can fall {_pct(fall)}",
                    first,
                )
            )
    if t["ltv_max"] > 0:
        rows.append(
            Covenant(
                "Maximum LTV (market value)",
                _pct(t["ltv_max"]),
                t["ltv_action"],
                f"max {_pct(max_ltv)}",
                f"{(t['ltv_max'] - max_ltv) * 100:+.1f} pts",
                m["first_ltv_breach"],
            )
        )
    return rows


def gather(
    deal: Deal,
    source_path: str | None = None,
    mc_paths: int = DEFAULT_PATHS,
    mc_seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    saved: bool = True,
) -> ReportData:
    """Run everything the report shows. ``mc_paths=0`` leaves the Monte Carlo out;
    ``saved=False``: the deal differs from ``source_path`` (hash the deal, not the file)."""
    result = run_deal(deal)
    head = dscr_headroom(deal)
    data = ReportData(
        header=_header(deal, source_path, saved, today),
        result=result,
        risks=risk_summary(deal),
        headroom=head,
        covenants=_covenants(deal, result, head),
    )
    if mc_paths > 0:
        data.montecarlo = run_montecarlo(deal, MonteCarloConfig(n_paths=mc_paths, seed=mc_seed))
        data.reconciliation = reconcile(data.risks, data.montecarlo)
        flat = flat_fan(data.montecarlo)
        data.fan_note = flat.text() if flat is not None else ""
    else:
        data.notes.append("Monte Carlo not run for this report (0 paths asked for).")
    _structuring(data, deal)
    return data


def _structuring(data: ReportData, deal: Deal) -> None:
    """The implied ratings (from the report's Monte Carlo) and the sensitivity tornado, whose
    senior EL is the report's Monte Carlo's in the base case and, for each moved input, a run
    on the same paths and seed (common random numbers): one EL on the page, not two."""
    mc = data.montecarlo
    if mc is not None and deal.of_kind("tranche"):
        data.ratings = ratings_of(deal, mc)
    data.tornado = tornado(deal, mc.config if mc is not None else None, base_mc=mc)
