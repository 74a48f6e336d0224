"""A portfolio (book) of deals: what is held, who the counterparties are, how their credits
are correlated, and the holdcos that own SPVs. Plain data, no file format (the JSON form is
core/files/portfolio_json.py) and no simulation (core/portfolio/runner.py).

Units as everywhere: money in USD millions, shares and rates as decimals, time in years.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.model.deal import Deal

#: Default asset correlation of the one-factor Gaussian copula per sector, in the normal and the
#: stress regime (approx.; a judgement in the range of the Basel IRB corporate correlations,
#: 0.12-0.24, raised for concentrated, cyclical AI names; docs/portfolio.md). A sector a book
#: does not list uses "other".
DEFAULT_SECTORS: dict[str, tuple[float, float]] = {
    "hyperscaler": (0.20, 0.45),
    "ai_lab": (0.25, 0.55),
    "neocloud": (0.30, 0.60),
    "miner": (0.30, 0.60),
    "other": (0.20, 0.45),
}

#: Loading of the systematic credit factor on the compute-rent shocks of the first five years
#: (approx.): a downturn in compute rent and a wave of tenant defaults come together.
DEFAULT_MARKET_LOADING = 0.5


@dataclass(frozen=True)
class Sector:
    name: str
    rho_normal: float  # asset correlation in the normal regime
    rho_stress: float  # in the stress regime (correlations converge)


@dataclass(frozen=True)
class Counterparty:
    """A named credit of the book (Google, Meta, Fluidstack...): one default time per path,
    shared by every deal it appears in."""

    name: str
    sector: str = "other"
    rating: str | None = None  # None: the worst rating any deal's sponsor block gives it


@dataclass
class Position:
    """One deal of the book and what is held of it."""

    id: str  # unique in the book
    file: str  # as written in the portfolio file (relative to it)
    deal: Deal
    shares: dict[str, float]  # tranche block id -> share held, in [0, 1]
    #: sponsor block id -> counterparty name (explicit; else its name through the aliases)
    counterparties: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HoldcoDebt:
    """A holdco borrowing. ``kind`` "convertible" (unsecured, coupon paid monthly, bullet at
    maturity; conversion is not modelled: a holder's loss is non-payment) or "btc_loan"
    (secured by ``collateral_btc`` BTC, with margin-call and liquidation LTVs)."""

    id: str
    name: str
    kind: str
    principal: float
    rate: float
    maturity_years: float
    collateral_btc: float = 0.0  # thousand BTC pledged (btc_loan)
    margin_call_ltv: float = 0.70  # DOMAIN: retail BTC loan 50% start, 70% call, 80% sale
    liquidation_ltv: float = 0.80
    reset_ltv: float = 0.50  # a margin call tops the collateral up to this LTV


@dataclass(frozen=True)
class Holdco:
    """A sponsor holding company over SPVs of the book: it receives its share of their equity
    distributions, pays its opex, its BTC loan and its convertible (core/portfolio/holdco.py)."""

    id: str
    name: str
    owns: dict[str, float]  # position id -> share of that SPV's equity distributions
    cash: float  # USD m at the start
    treasury_btc: float  # thousand BTC held, unpledged
    btc_price: float  # USD thousand per BTC at the start (so thousand BTC x price = USD m)
    opex_per_year: float
    debt: tuple[HoldcoDebt, ...]
    shares: dict[str, float] = field(default_factory=dict)  # debt id -> share held
    counterparty: str | None = None  # the sponsor's name in the book's counterparties


@dataclass
class Book:
    name: str
    positions: list[Position]
    counterparties: dict[str, Counterparty] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    sectors: dict[str, Sector] = field(default_factory=dict)
    market_loading: float = DEFAULT_MARKET_LOADING
    holdcos: list[Holdco] = field(default_factory=list)
    description: str = ""

    def sector(self, name: str) -> Sector:
        if name in self.sectors:
            return self.sectors[name]
        rn, rs = DEFAULT_SECTORS.get(name, DEFAULT_SECTORS["other"])
        return Sector(name, rn, rs)

    def name_of(self, position: Position, sponsor_id: str) -> str:
        """The counterparty name of a sponsor block of a position: the position's explicit
        mapping, else the block's name through the book's aliases."""
        if sponsor_id in position.counterparties:
            return position.counterparties[sponsor_id]
        name = position.deal.blocks[sponsor_id].terms["name"]
        return self.aliases.get(name, name)

    def position(self, pid: str) -> Position:
        return next(p for p in self.positions if p.id == pid)
