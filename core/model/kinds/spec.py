"""What a block kind declares: one :class:`BlockKind` holds every fact about a kind.

Its terms (fields), the connections it may start, its palette entry, header colour, card text,
auto-layout place and the deal-level rules it brings. The rest of the program reads these
facts (``rules.py``, ``validate.py``, ``layout.py``, the canvas and the palette) and keeps no
per-kind table of its own, so a new kind is one declaration in ``core/model/kinds``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any

from core.model.fields import Field

if TYPE_CHECKING:  # the graph imports this module; cards receive its objects at run time
    from core.model.deal import Block, Deal


@dataclass(frozen=True)
class Link:
    """The kind may start ``type`` connections to blocks of the ``targets`` kinds. ``type`` is a
    key of ``rules.CONNECTION_KINDS``, or a new connection kind this declaration introduces
    with its ``label`` (how it reads on the canvas: source --label--> target)."""

    type: str
    targets: tuple[str, ...]
    label: str | None = None


@dataclass(frozen=True)
class Preset:
    """A palette entry that adds the kind with some terms already set."""

    key: str
    label: str
    terms: Mapping[str, Any]


@dataclass(frozen=True)
class PaletteSlot:
    """Where the kind sits in the palette and the Insert menu (``order``, smallest first);
    with ``presets`` those entries stand in the kind's place instead of a plain one."""

    order: int
    presets: tuple[Preset, ...] = ()


@dataclass(frozen=True)
class Place:
    """Auto-layout: the ``column`` (0 owners ... 4 debt), the ``row`` order among the kinds
    sharing a column (smaller on top), and the term ordering blocks of this kind, if any."""

    column: int
    row: int
    rank_by: str | None = None


#: the card's key-term lines for ``(block, deal)``: display text, terms shown as entered
CardLines = Callable[["Block", "Deal"], list[str]]


@dataclass(frozen=True)
class Count:
    """How many blocks of the kind one deal may hold. The messages for too few and too many
    are formatted with ``n`` (blocks found), ``listed`` (their ids), ``minimum``, ``maximum``
    and ``label``."""

    minimum: int = 0
    maximum: int | None = None
    too_few: str = "the deal has {n} {label} blocks; it needs at least {minimum}"
    too_many: str = "a deal has at most {maximum} {label} block; found {n} ({listed})"


@dataclass(frozen=True)
class Via:
    """Neighbours reached through ``conn`` connections, ``direction`` 'in' or 'out', whose
    kind is one of ``kinds``."""

    conn: str
    direction: str
    kinds: frozenset[str]


def via(conn: str, direction: str, *kinds: str) -> Via:
    return Via(conn, direction, frozenset(kinds))


@dataclass(frozen=True)
class LinkRule:
    """Every block of the kind (for which ``when(terms)`` holds) has between ``minimum`` and
    ``maximum`` neighbours reached through any of ``through``."""

    through: tuple[Via, ...]
    minimum: int
    maximum: int | None
    message: str
    severity: str = "error"
    when: Callable[[dict[str, Any]], bool] | None = None


@dataclass(frozen=True)
class TermRule:
    """Terms of one block that must agree: ``check(terms)`` returns a message when they do
    not; the issue points at ``field``."""

    field: str
    severity: str
    check: Callable[[dict[str, Any]], str | None]


@dataclass(frozen=True)
class BlockKind:
    """Everything about one kind of block. Deal files and palette drags use its ``id``."""

    id: str
    label: str
    description: str
    fields: tuple[Field, ...]
    _: KW_ONLY
    #: connections this kind may start (an empty tuple: it only receives them)
    links: tuple[Link, ...]
    palette: PaletteSlot
    #: header colour on the canvas, ``#rrggbb`` (the GUI turns it into a colour)
    colour: str
    #: the key-term lines on its canvas card, under the block's title
    card: CardLines
    place: Place
    count: Count = Count()
    link_rules: tuple[LinkRule, ...] = ()
    term_rules: tuple[TermRule, ...] = ()
    #: the term holding this block's share of the SPV when it owns the SPV
    owner_share: str | None = None

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def defaults(self) -> dict:
        return {
            f.name: (list(f.default) if isinstance(f.default, list) else f.default)
            for f in self.fields
        }

    def card_text(self, block: Block, deal: Deal) -> tuple[str, list[str]]:
        """``(title, key-term lines)`` for ``block``'s card."""
        return block.title, self.card(block, deal)
