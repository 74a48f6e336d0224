"""What a portfolio run fixes once before its paths: each deal sized on its base case and
placed on the book's calendar, the book's named counterparties with their copula terms, and
which sponsor block of which deal is which counterparty (parents and subsidiaries are one
credit: a deal's ``subsidiary_of`` chain ends at its root, whose name is the counterparty)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.engine.compile import CompiledDeal, compile_deal
from core.engine.leases import credit_root, guarantor_of, tenant_of
from core.portfolio.book import Book, Position
from core.portfolio.world import CreditFactor, month_index
from core.risk.paths import MarketModel, driver_params
from core.risk.ratings import ANNUAL_PD, annual_pd


@dataclass
class DealPlan:
    index: int
    position: Position
    sized: CompiledDeal
    offset: int  # months from the book's start to the deal's closing
    shares: np.ndarray  # (K,) share held of each tranche, compile order
    prm: dict  # the driver pass's parameters (core.risk.paths.driver_params)
    #: root sponsor block id -> counterparty index, for the credits the deal is exposed to
    #: (tenants and guarantors)
    exposed: dict[str, int]
    #: guarantee block id -> (counterparty index of its guarantor or -1, cap, type)
    guarantees: dict[str, tuple[int, float, str]] = field(default_factory=dict)

    @property
    def months(self) -> int:
        tl = self.sized.timeline
        return tl.n_periods * tl.months_per_period

    @property
    def exposure(self) -> float:
        """Held notional (USD m)."""
        return float(self.shares @ self.sized.inputs.notional)


@dataclass
class BookPlan:
    book: Book
    model: MarketModel
    deals: list[DealPlan]
    credits: list[CreditFactor]
    #: counterparty name -> roles: {"tenant": [position ids], "guarantor": [...], "sponsor": [...]}
    roles: dict[str, dict[str, list[str]]]
    start: int  # month index of the book's first closing
    months: int  # the world's horizon (months), every deal's and holdco's within it
    warnings: list[str]

    def credit_index(self, name: str) -> int:
        return next(i for i, c in enumerate(self.credits) if c.name == name)


def _worst(ratings: list[str]) -> str:
    order = list(ANNUAL_PD)
    return max(ratings, key=order.index)


def plan_book(book: Book, model: MarketModel, holdco_months: int = 0) -> BookPlan:
    """Size every deal, lay out the calendar and the counterparties of ``book``."""
    sized = [compile_deal(p.deal) for p in book.positions]
    start = min(month_index(s.timeline.closing) for s in sized)
    ratings: dict[str, list[str]] = {}
    roles: dict[str, dict[str, list[str]]] = {}
    names_of: list[dict[str, str]] = []
    for p in book.positions:
        deal = p.deal
        names = {}
        for s in deal.of_kind("sponsor"):
            root = credit_root(deal, s)
            name = book.name_of(p, root.id)
            names[s.id] = name
            ratings.setdefault(name, []).append(root.terms["rating"])
        names_of.append(names)
        for lease in deal.of_kind("lease"):
            if (t := tenant_of(deal, lease)) is not None:
                _role(roles, names[t.id], "tenant", p.id)
        for g in deal.of_kind("guarantee"):
            if (s := guarantor_of(deal, g)) is not None:
                _role(roles, names[s.id], "guarantor", p.id)
        for s in deal.of_kind("sponsor"):
            if any(b.kind == "spv" for b in deal.links(s.id, "owns")):
                _role(roles, names[s.id], "sponsor", p.id)
    warnings = []
    credits = []
    for name in sorted(roles):
        cp = book.counterparties.get(name)
        rating = cp.rating if cp and cp.rating else _worst(ratings.get(name, ["NR"]))
        if len(set(ratings.get(name, []))) > 1 and not (cp and cp.rating):
            warnings.append(
                f"counterparty {name!r}: the deals rate it {sorted(set(ratings[name]))}; "
                f"the worst, {rating}, is used (set its rating in the book to choose)"
            )
        sector = book.sector(cp.sector if cp else "other")
        pd_ = annual_pd(rating)
        credits.append(
            CreditFactor(name, -math.log(1.0 - pd_), sector.rho_normal, sector.rho_stress)
        )
    index = {c.name: i for i, c in enumerate(credits)}
    deals = []
    end = 0
    for i, (p, s, names) in enumerate(zip(book.positions, sized, names_of, strict=True)):
        deal = p.deal
        exposed = {}
        for lease in s.leases:
            if (t := tenant_of(deal, lease)) is not None:
                exposed[credit_root(deal, t).id] = index[names[t.id]]
        guarantees = {}
        for g in deal.of_kind("guarantee"):
            gs = guarantor_of(deal, g)
            ci = -1
            if gs is not None:
                exposed[credit_root(deal, gs).id] = ci = index[names[gs.id]]
            guarantees[g.id] = (ci, float(g.terms["cap"]), g.terms["guarantee_type"])
        shares = np.array([p.shares.get(t.id, 0.0) for t in s.tranches], dtype=float)
        off = month_index(s.timeline.closing) - start
        dp = DealPlan(i, p, s, off, shares, driver_params(s, model), exposed, guarantees)
        deals.append(dp)
        end = max(end, off + dp.months)
    return BookPlan(book, model, deals, credits, roles, start, max(end, holdco_months), warnings)


def _role(roles: dict, name: str, role: str, pid: str) -> None:
    entry = roles.setdefault(name, {"tenant": [], "guarantor": [], "sponsor": []})
    if pid not in entry[role]:
        entry[role].append(pid)
