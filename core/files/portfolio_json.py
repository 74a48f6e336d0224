"""The portfolio (book) file: JSON, deals referenced by path relative to the book file.

```json
{"format": "capstack-portfolio", "format_version": 1, "name": "AI infrastructure book",
 "deals": [{"id": "wulf", "file": "../deals/terawulf_backstop.json",
            "positions": {"notes": 0.25}, "counterparties": {"fluid": "Fluidstack"}}],
 "aliases": {"Google (Alphabet)": "Google"},
 "counterparties": {"Google": {"sector": "hyperscaler", "rating": "AA+"}},
 "sectors": {"hyperscaler": {"rho_normal": 0.2, "rho_stress": 0.45}},
 "market_loading": 0.5,
 "holdcos": [...]}
```

Every error names the file, the line (found by the field's path in the text) and the field
(``deals[1].positions.notes``) with the value. The schema is :data:`SCHEMA` (docs/portfolio.md).
A book travels to Dask workers as one text with the deals inlined (:func:`dumps_book`,
:func:`loads_book`).
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Any

from core.files.deal_json import DealFileError, deal_to_dict, load_deal, loads_deal
from core.limits import MAX_BOOK_DEALS, MAX_HOLDCOS, MAX_TEXT_CHARS, read_text_file
from core.model.errors import DealError
from core.portfolio.book import Book, Counterparty, Holdco, HoldcoDebt, Position, Sector
from core.risk.ratings import ANNUAL_PD

FORMAT = "capstack-portfolio"

_NUM = ("number", None)
SCHEMA: dict[str, tuple[str, str]] = {
    "format": ("string", f'"{FORMAT}"'),
    "format_version": ("integer", "1"),
    "name": ("string", "the book's name"),
    "description": ("string", "optional"),
    "deals": ("list", "each {id, file, positions {tranche id: share 0-1}, counterparties?}"),
    "aliases": ("object", "sponsor name in a deal -> counterparty name"),
    "counterparties": ("object", "name -> {sector?, rating?}"),
    "sectors": ("object", "sector -> {rho_normal, rho_stress} in [0, 1]"),
    "market_loading": ("number", "in [0, 1]: the credit factor's loading on compute rent"),
    "holdcos": ("list", "each {id, name, owns, cash, treasury_btc, btc_price, opex_per_year, "
                "debt [...], positions?, counterparty?}"),
}  # fmt: skip
_DEAL_KEYS = ("id", "file", "positions", "counterparties", "deal")
_HOLDCO_KEYS = (
    "id", "name", "owns", "cash", "treasury_btc", "btc_price", "opex_per_year", "debt",
    "positions", "counterparty",
)  # fmt: skip
_DEBT_KEYS = (
    "id", "name", "kind", "principal", "rate", "maturity_years", "collateral_btc",
    "margin_call_ltv", "liquidation_ltv", "reset_ltv",
)  # fmt: skip


class PortfolioFileError(DealError):
    def __init__(self, source: str, path: str, value: Any, reason: str, line: int | None) -> None:
        super().__init__(path, value, reason)
        where = f"{source}" + (f" line {line}" if line else "")
        text = f"{where}: {path}: {reason}" if path else f"{where}: {reason}"
        if value is not None:
            shown = repr(value)
            text += f" (got {shown if len(shown) <= 80 else shown[:77] + '...'})"
        self.args = (text,)


def line_of(text: str, path: str) -> int | None:
    """Line of the field ``path`` (``deals[1].positions.notes``) in the JSON ``text``: each
    key searched in turn after the previous, each list index as that many objects in."""
    pos = 0
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        if key:
            found = text.find(f'"{key}"', pos)
            if found < 0:
                return None
            pos = found + len(key) + 2
        else:
            start = text.find("[", pos)
            if start < 0:
                return None
            pos, depth, seen = start + 1, 0, -1
            while pos < len(text):
                ch = text[pos]
                if ch in "{[":
                    if depth == 0:
                        seen += 1
                        if seen == int(index):
                            break
                    depth += 1
                elif ch in "}]":
                    depth -= 1
                pos += 1
    return text.count("\n", 0, pos) + 1


class _Reader:
    def __init__(self, source: str, text: str) -> None:
        self.source, self.text = source, text

    def fail(self, path: str, value: Any, reason: str) -> PortfolioFileError:
        return PortfolioFileError(self.source, path, value, reason, line_of(self.text, path))

    def obj(self, v: Any, path: str, allowed: tuple[str, ...] | None = None) -> dict:
        if not isinstance(v, dict):
            raise self.fail(path, v, "must be an object")
        if allowed is not None:
            for k in v:
                if k not in allowed:
                    raise self.fail(f"{path}.{k}" if path else k, None,
                                    f"unknown field (allowed: {', '.join(allowed)})")  # fmt: skip
        return v

    def text_(self, v: Any, path: str) -> str:
        if not isinstance(v, str) or not v.strip() or len(v) > MAX_TEXT_CHARS:
            raise self.fail(path, v, f"must be a non-empty text of at most {MAX_TEXT_CHARS}")
        return v

    def num(self, v: Any, path: str, lo: float = 0.0, hi: float = math.inf) -> float:
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
            raise self.fail(path, v, "must be a number")
        if not lo <= v <= hi:
            raise self.fail(path, v, f"must be in [{lo:g}, {hi:g}]")
        return float(v)

    def req(self, d: dict, key: str, path: str) -> Any:
        if key not in d:
            raise self.fail(path, None, f"missing field {key!r}")
        return d[key]


def load_book(path: str | os.PathLike[str]) -> Book:
    """Read a portfolio file and the deal files it lists (relative to its folder)."""
    source = os.fspath(path)
    try:
        text = read_text_file(source)
    except DealError as exc:
        raise PortfolioFileError(source, "", None, exc.reason, None) from None
    return loads_book(text, source, os.path.dirname(os.path.abspath(source)))


def loads_book(text: str, source: str = "<string>", folder: str = ".") -> Book:
    """Parse a book from its JSON text; deals given by ``file`` are read from ``folder``,
    deals inlined as ``deal`` (:func:`dumps_book`) from the text itself."""
    r = _Reader(source, text)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PortfolioFileError(
            source, "", None, f"is not valid JSON: {exc.msg} (column {exc.colno})", exc.lineno
        ) from None
    except (RecursionError, ValueError) as exc:
        raise PortfolioFileError(source, "", None, f"is not valid JSON ({exc})", None) from None
    doc = r.obj(doc, "", tuple(SCHEMA))
    if doc.get("format") != FORMAT:
        raise r.fail("format", doc.get("format"), f'must be "{FORMAT}"')
    if doc.get("format_version") != 1:
        raise r.fail("format_version", doc.get("format_version"), "must be 1")
    name = r.text_(r.req(doc, "name", ""), "name")
    raw_deals = r.req(doc, "deals", "")
    if not isinstance(raw_deals, list) or not raw_deals:
        raise r.fail("deals", raw_deals, "must be a non-empty list of deals")
    if len(raw_deals) > MAX_BOOK_DEALS:
        raise r.fail("deals", len(raw_deals), f"at most {MAX_BOOK_DEALS} deals (docs/limits.md)")
    positions = [_position(r, d, f"deals[{i}]", folder) for i, d in enumerate(raw_deals)]
    ids = [p.id for p in positions]
    for i, pid in enumerate(ids):
        if pid in ids[:i]:
            raise r.fail(f"deals[{i}].id", pid, "is used by an earlier deal")
    aliases = {
        r.text_(k, "aliases"): r.text_(v, f"aliases.{k}")
        for k, v in r.obj(doc.get("aliases", {}), "aliases").items()
    }
    sectors = {}
    for k, v in r.obj(doc.get("sectors", {}), "sectors").items():
        p = f"sectors.{k}"
        v = r.obj(v, p, ("rho_normal", "rho_stress"))
        rn = r.num(r.req(v, "rho_normal", p), f"{p}.rho_normal", 0.0, 1.0)
        rs = r.num(r.req(v, "rho_stress", p), f"{p}.rho_stress", 0.0, 1.0)
        sectors[k] = Sector(k, rn, rs)
    cps = {}
    for k, v in r.obj(doc.get("counterparties", {}), "counterparties").items():
        p = f"counterparties.{k}"
        v = r.obj(v, p, ("sector", "rating"))
        rating = v.get("rating")
        if rating is not None and rating not in ANNUAL_PD:
            raise r.fail(f"{p}.rating", rating, f"unknown rating (one of {', '.join(ANNUAL_PD)})")
        cps[k] = Counterparty(k, r.text_(v.get("sector", "other"), f"{p}.sector"), rating)
    loading = r.num(doc.get("market_loading", 0.5), "market_loading", 0.0, 1.0)
    raw_h = doc.get("holdcos", [])
    if not isinstance(raw_h, list) or len(raw_h) > MAX_HOLDCOS:
        raise r.fail("holdcos", raw_h, f"must be a list of at most {MAX_HOLDCOS} holdcos")
    holdcos = [_holdco(r, h, f"holdcos[{i}]", ids) for i, h in enumerate(raw_h)]
    description = doc.get("description", "")
    if not isinstance(description, str):
        raise r.fail("description", description, "must be a text")
    return Book(name, positions, cps, aliases, sectors, loading, holdcos, description)


def _position(r: _Reader, d: Any, path: str, folder: str) -> Position:
    d = r.obj(d, path, _DEAL_KEYS)
    pid = r.text_(r.req(d, "id", path), f"{path}.id")
    if "deal" in d:  # inlined (dumps_book)
        deal = loads_deal(json.dumps(d["deal"]), f"{path}.deal")
        file = d.get("file", "")
    else:
        file = r.text_(r.req(d, "file", path), f"{path}.file")
        full = os.path.normpath(os.path.join(folder, file))
        try:
            deal = load_deal(full)
        except DealFileError as exc:
            raise r.fail(f"{path}.file", file, f"cannot be read: {exc.args[0]}") from None
    tranches = {b.id for b in deal.of_kind("tranche")}
    shares = {}
    for k, v in r.obj(r.req(d, "positions", path), f"{path}.positions").items():
        if k not in tranches:
            why = f"no tranche of that id in the deal (its tranches: {sorted(tranches)})"
            raise r.fail(f"{path}.positions.{k}", k, why)
        shares[k] = r.num(v, f"{path}.positions.{k}", 0.0, 1.0)
    sponsors = {b.id for b in deal.of_kind("sponsor")}
    cps = {}
    for k, v in r.obj(d.get("counterparties", {}), f"{path}.counterparties").items():
        if k not in sponsors:
            why = f"no sponsor block of that id in the deal ({sorted(sponsors)})"
            raise r.fail(f"{path}.counterparties.{k}", k, why)
        cps[k] = r.text_(v, f"{path}.counterparties.{k}")
    return Position(pid, file, deal, shares, cps)


def _holdco(r: _Reader, h: Any, path: str, ids: list[str]) -> Holdco:
    h = r.obj(h, path, _HOLDCO_KEYS)
    owns = {}
    for k, v in r.obj(r.req(h, "owns", path), f"{path}.owns").items():
        if k not in ids:
            raise r.fail(f"{path}.owns.{k}", k, f"no deal of that id in the book ({ids})")
        owns[k] = r.num(v, f"{path}.owns.{k}", 0.0, 1.0)
    raw = r.req(h, "debt", path)
    if not isinstance(raw, list) or not raw or len(raw) > 20:
        raise r.fail(f"{path}.debt", raw, "must be a list of 1 to 20 borrowings")
    debt = []
    for i, d in enumerate(raw):
        p = f"{path}.debt[{i}]"
        d = r.obj(d, p, _DEBT_KEYS)
        kind = r.req(d, "kind", p)
        if kind not in ("convertible", "btc_loan"):
            raise r.fail(f"{p}.kind", kind, 'must be "convertible" or "btc_loan"')
        ltv = {k: r.num(d.get(k, dflt), f"{p}.{k}", 0.01, 10.0)
               for k, dflt in (("margin_call_ltv", 0.7), ("liquidation_ltv", 0.8),
                               ("reset_ltv", 0.5))}  # fmt: skip
        if not ltv["reset_ltv"] < ltv["margin_call_ltv"] <= ltv["liquidation_ltv"]:
            raise r.fail(p, None, "needs reset_ltv < margin_call_ltv <= liquidation_ltv")
        debt.append(
            HoldcoDebt(
                r.text_(r.req(d, "id", p), f"{p}.id"),
                r.text_(d.get("name", d["id"]), f"{p}.name"),
                kind,
                r.num(r.req(d, "principal", p), f"{p}.principal", 0.0, 1e7),
                r.num(r.req(d, "rate", p), f"{p}.rate", 0.0, 1.0),
                r.num(r.req(d, "maturity_years", p), f"{p}.maturity_years", 1 / 12, 50.0),
                r.num(d.get("collateral_btc", 0.0), f"{p}.collateral_btc", 0.0, 1e5),
                **ltv,
            )
        )
    debt_ids = [d.id for d in debt]
    shares = {}
    for k, v in r.obj(h.get("positions", {}), f"{path}.positions").items():
        if k not in debt_ids:
            raise r.fail(f"{path}.positions.{k}", k, f"no holdco debt of that id ({debt_ids})")
        shares[k] = r.num(v, f"{path}.positions.{k}", 0.0, 1.0)
    cp = h.get("counterparty")
    return Holdco(
        r.text_(r.req(h, "id", path), f"{path}.id"),
        r.text_(r.req(h, "name", path), f"{path}.name"),
        owns,
        r.num(h.get("cash", 0.0), f"{path}.cash", 0.0, 1e7),
        r.num(h.get("treasury_btc", 0.0), f"{path}.treasury_btc", 0.0, 1e5),
        r.num(r.req(h, "btc_price", path), f"{path}.btc_price", 1e-6, 1e7),
        r.num(h.get("opex_per_year", 0.0), f"{path}.opex_per_year", 0.0, 1e7),
        tuple(debt),
        shares,
        None if cp is None else r.text_(cp, f"{path}.counterparty"),
    )


def book_to_dict(book: Book, inline: bool = False) -> dict:
    """The book as a portfolio document; ``inline``: each deal written into it."""
    deals = []
    for p in book.positions:
        d: dict[str, Any] = {"id": p.id, "file": p.file, "positions": dict(p.shares)}
        if p.counterparties:
            d["counterparties"] = dict(p.counterparties)
        if inline:
            d["deal"] = deal_to_dict(p.deal)
        deals.append(d)
    doc: dict[str, Any] = {
        "format": FORMAT, "format_version": 1, "name": book.name, "deals": deals,
        "aliases": dict(book.aliases), "market_loading": book.market_loading,
        "counterparties": {k: {"sector": c.sector, **({"rating": c.rating} if c.rating else {})}
                           for k, c in book.counterparties.items()},
        "sectors": {k: {"rho_normal": s.rho_normal, "rho_stress": s.rho_stress}
                    for k, s in book.sectors.items()},
        "holdcos": [_holdco_dict(h) for h in book.holdcos],
    }  # fmt: skip
    if book.description:
        doc["description"] = book.description
    return doc


def _holdco_dict(h: Holdco) -> dict:
    d = {
        "id": h.id, "name": h.name, "owns": dict(h.owns), "cash": h.cash,
        "treasury_btc": h.treasury_btc, "btc_price": h.btc_price,
        "opex_per_year": h.opex_per_year, "positions": dict(h.shares),
        "debt": [{k: getattr(x, k) for k in _DEBT_KEYS} for x in h.debt],
    }  # fmt: skip
    if h.counterparty:
        d["counterparty"] = h.counterparty
    return d


def dumps_book(book: Book) -> str:
    """One text with every deal inlined (the same book gives the same text)."""
    return json.dumps(book_to_dict(book, inline=True), sort_keys=True)
