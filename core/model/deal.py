"""The deal graph: blocks with stable ids, and typed connections between them.

Plain Python, no Qt. Views subscribe with :meth:`Deal.subscribe` and receive
``(event, payload)`` for every change: ``block_added``, ``block_removed``, ``block_moved``,
``terms_changed``, ``connection_added``, ``connection_removed``, ``deal_changed``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from core.model.blocks import REGISTRY, BlockKind
from core.model.errors import ConnectionRefused, DealError
from core.model.rules import explain_refusal

Listener = Callable[[str, Any], None]


@dataclass
class Block:
    id: str
    kind: str
    terms: dict[str, Any]
    position: tuple[float, float] = (0.0, 0.0)

    @property
    def spec(self) -> BlockKind:
        return REGISTRY[self.kind]

    @property
    def title(self) -> str:
        t = self.terms
        return str(t.get("name") or t.get("investor") or self.spec.label)


@dataclass(frozen=True)
class Connection:
    id: str
    kind: str
    source: str
    target: str


@dataclass
class Deal:
    name: str = "Untitled deal"
    description: str = ""
    blocks: dict[str, Block] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    _listeners: list[Listener] = field(default_factory=list, repr=False, compare=False)

    # ----------------------------------------------------------------- observers
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def _emit(self, event: str, payload: Any) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    # ----------------------------------------------------------------- blocks
    def new_id(self, prefix: str) -> str:
        taken = set(self.blocks) | set(self.connections)
        for n in itertools.count(1):
            candidate = f"{prefix}_{n}"
            if candidate not in taken:
                return candidate
        raise AssertionError("unreachable")

    def add_block(
        self,
        kind: str,
        terms: dict[str, Any] | None = None,
        position: tuple[float, float] = (0.0, 0.0),
        block_id: str | None = None,
    ) -> Block:
        """Add a block of ``kind``; missing terms take their declared defaults."""
        if kind not in REGISTRY:
            raise DealError("kind", kind, "is not a block kind: " + ", ".join(REGISTRY))
        block_id = block_id or self.new_id(kind)
        if block_id in self.blocks or block_id in self.connections:
            raise DealError("id", block_id, "is already used in this deal")
        spec = REGISTRY[kind]
        values = spec.defaults()
        for name, value in (terms or {}).items():
            path = f"blocks[{block_id}].terms.{name}"
            if name not in spec.field_names:
                raise DealError(path, value, f"is not a field of a {kind} block")
            values[name] = spec.field(name).validate(value, path)
        block = Block(block_id, kind, values, (float(position[0]), float(position[1])))
        self.blocks[block_id] = block
        self._emit("block_added", block)
        return block

    def insert_block(self, block: Block, connections: list[Connection] = ()) -> None:
        """Put back a block (and its connections) removed earlier: the undo of removal."""
        self.blocks[block.id] = block
        self._emit("block_added", block)
        for c in connections:
            self.connections[c.id] = c
            self._emit("connection_added", c)

    def remove_block(self, block_id: str) -> tuple[Block, list[Connection]]:
        """Remove a block and every connection touching it; returns both for undo."""
        block = self.blocks[block_id]
        touching = [c for c in self.connections.values() if block_id in (c.source, c.target)]
        for c in touching:
            self.disconnect(c.id)
        del self.blocks[block_id]
        self._emit("block_removed", block)
        return block, touching

    def move_block(self, block_id: str, position: tuple[float, float]) -> None:
        self.blocks[block_id].position = (float(position[0]), float(position[1]))
        self._emit("block_moved", self.blocks[block_id])

    def set_term(self, block_id: str, name: str, value: Any) -> Any:
        """Validate and set one term; returns the previous value. Raises :class:`DealError`."""
        block = self.blocks[block_id]
        path = f"blocks[{block_id}].terms.{name}"
        if name not in block.spec.field_names:
            raise DealError(path, value, f"is not a field of a {block.kind} block")
        new = block.spec.field(name).validate(value, path)
        old = block.terms[name]
        block.terms[name] = new
        self._emit("terms_changed", (block, name))
        return old

    # ----------------------------------------------------------------- connections
    def connect(
        self, kind: str, source: str, target: str, conn_id: str | None = None
    ) -> Connection:
        """Connect ``source --kind--> target``; :class:`ConnectionRefused` if it makes no sense."""
        for end in (source, target):
            if end not in self.blocks:
                raise ConnectionRefused(f"no block with id {end!r}")
        if source == target:
            raise ConnectionRefused("a block cannot be connected to itself")
        why = explain_refusal(kind, self.blocks[source].kind, self.blocks[target].kind)
        if why:
            raise ConnectionRefused(why)
        for c in self.connections.values():
            if (c.kind, c.source, c.target) == (kind, source, target):
                raise ConnectionRefused("these blocks are already connected that way")
        conn = Connection(conn_id or self.new_id(kind), kind, source, target)
        if conn.id in self.connections or conn.id in self.blocks:
            raise ConnectionRefused(f"id {conn.id!r} is already used in this deal")
        self.connections[conn.id] = conn
        self._emit("connection_added", conn)
        return conn

    def disconnect(self, conn_id: str) -> Connection:
        conn = self.connections.pop(conn_id)
        self._emit("connection_removed", conn)
        return conn

    # ----------------------------------------------------------------- queries
    def of_kind(self, kind: str) -> list[Block]:
        return [b for b in self.blocks.values() if b.kind == kind]

    def links(
        self, block_id: str, kind: str | None = None, direction: str = "out"
    ) -> Iterator[Block]:
        """Blocks connected to ``block_id`` (``out``: it is the source; ``in``: the target)."""
        for c in self.connections.values():
            if kind is not None and c.kind != kind:
                continue
            if direction == "out" and c.source == block_id:
                yield self.blocks[c.target]
            elif direction == "in" and c.target == block_id:
                yield self.blocks[c.source]

    def copy(self) -> Deal:
        """A deep copy without listeners (for scenarios and background runs)."""
        return Deal(
            self.name,
            self.description,
            {k: copy.deepcopy(b) for k, b in self.blocks.items()},
            dict(self.connections),
        )

    def set_name(self, name: str, description: str | None = None) -> None:
        self.name = name
        if description is not None:
            self.description = description
        self._emit("deal_changed", self)
