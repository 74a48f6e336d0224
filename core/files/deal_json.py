"""The CapStack deal file: JSON, format version 1 (see ``docs/deal-format.md``).

Reading is strict: every key at every level must be known, every term is checked against its
field declaration, and the finished deal must pass :func:`core.model.validate.check_deal`.
Anything wrong raises one :class:`DealFileError` naming the file, the field path and the
value. Writing is stable (same deal, same bytes) and :func:`save_deal` is atomic.
"""

from __future__ import annotations

import difflib
import json
import math
import os
from typing import Any

from core import limits
from core.files.atomic import write_atomically
from core.model.blocks import REGISTRY
from core.model.deal import Deal
from core.model.errors import ConnectionRefused, DealError
from core.model.rules import CONNECTION_KINDS, explain_refusal
from core.model.validate import check_deal

FORMAT = "capstack-deal"
FORMAT_VERSION = 1
MAX_FILE_BYTES = limits.MAX_DEAL_FILE_BYTES

_NO_VALUE = object()
_TOP_KEYS = ("format", "format_version", "name", "description", "blocks", "connections")
_BLOCK_KEYS = ("id", "kind", "position", "terms")
_CONNECTION_KEYS = ("id", "kind", "source", "target")


class DealFileError(DealError):
    """A deal file cannot be read. ``source`` is the file (or ``<string>``), ``path`` the field
    path inside it (empty for the file as a whole); ``line``/``column`` are set for bad JSON."""

    def __init__(
        self,
        source: str,
        path: str,
        value: Any,
        reason: str,
        *,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(path, None if value is _NO_VALUE else value, reason)
        self.source = source
        self.line = line
        self.column = column
        text = f"{source}: {path}: {reason}" if path else f"{source}: {reason}"
        if value is not _NO_VALUE:
            shown = repr(value)
            text += f" (got {shown if len(shown) <= 80 else shown[:77] + '...'})"
        self.args = (text,)


class _Object(dict):
    """A JSON object that remembers keys it saw twice (``json`` keeps only the last)."""

    duplicates: tuple[str, ...] = ()


def _object_hook(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        obj.duplicates = tuple(k for k, _ in pairs if k in seen or seen.add(k))
    return obj


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON; write a number")


# --------------------------------------------------------------------------- reading
def load_deal(path: str | os.PathLike[str], *, check: bool = True) -> Deal:
    """Read a deal file. ``check=False`` skips the structural checks (for opening drafts);
    field values are always checked. Raises :class:`DealFileError`."""
    source = os.fspath(path)
    try:
        limits.check_readable_file(source)  # a FIFO would block the open below
    except DealError as exc:
        raise DealFileError(source, "", _NO_VALUE, exc.reason) from None
    try:
        with open(source, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise _too_large(source, size)
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DealFileError(source, "", _NO_VALUE, f"cannot be read: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(source, len(data))
    if b"\0" in data:
        raise DealFileError(source, "", _NO_VALUE, "is a binary file, not a CapStack deal file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1]
        raise DealFileError(
            source, "", bad, f"is not UTF-8 text (invalid byte at offset {exc.start})"
        ) from None
    return loads_deal(text, source, check=check)


def loads_deal(text: str, source: str = "<string>", *, check: bool = True) -> Deal:
    """Parse a deal from JSON text; ``source`` names it in error messages."""
    if len(text) > MAX_FILE_BYTES:
        raise _too_large(source, len(text))
    if not text.strip():
        raise DealFileError(source, "", _NO_VALUE, "is empty, not a CapStack deal file")
    try:
        doc = json.loads(text, object_pairs_hook=_object_hook, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise DealFileError(
            source, "", _NO_VALUE,
            f"is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            line=exc.lineno, column=exc.colno,
        ) from None  # fmt: skip
    except RecursionError:
        raise DealFileError(source, "", _NO_VALUE, "is nested too deeply to be a deal") from None
    except ValueError as exc:  # NaN/Infinity, or an integer with thousands of digits
        raise DealFileError(source, "", _NO_VALUE, f"is not valid JSON: {exc}") from None
    try:
        deal = _build(doc)
        if check:
            check_deal(deal)
    except DealError as exc:
        raise DealFileError(source, exc.path, exc.value, exc.reason) from None
    return deal


def _too_large(source: str, size: int) -> DealFileError:
    limit = MAX_FILE_BYTES // (1024 * 1024)
    return DealFileError(source, "", size, f"is larger than {limit} MB; refused")


def _expect(value: Any, types: type, path: str, what: str) -> Any:
    if not isinstance(value, types):
        raise DealError(path, value, f"must be {what}")
    return value


def _keys(obj: Any, path: str, allowed: tuple[str, ...] | None, required: tuple[str, ...]) -> None:
    """``obj`` is a JSON object without repeated, unknown (if ``allowed``) or missing keys."""
    _expect(obj, dict, path, "a JSON object")
    for key in getattr(obj, "duplicates", ()):
        raise DealError(_join(path, key), key, "appears twice in the same object")
    for key in obj if allowed is not None else ():
        if key not in allowed:
            known = ", ".join(allowed)
            raise DealError(_join(path, key), obj[key], f"is not a known key here ({known})")
    for key in required:
        if key not in obj:
            raise DealError(_join(path, key), _NO_VALUE, "is missing")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _build(doc: Any) -> Deal:
    if not isinstance(doc, dict):
        what = "an array" if isinstance(doc, list) else f"a JSON {type(doc).__name__}"
        raise DealError("", _NO_VALUE, f"holds {what}, not a JSON object: not a deal file")
    if "format" not in doc:
        raise DealError("format", _NO_VALUE, f"is missing: not a {FORMAT!r} file")
    if doc["format"] != FORMAT:
        raise DealError("format", doc["format"], f"must be {FORMAT!r}: not a CapStack deal file")
    if "format_version" not in doc:
        raise DealError("format_version", _NO_VALUE, "is missing")
    version = doc["format_version"]
    if isinstance(version, float) and version.is_integer():
        version = int(version)  # 1.0 is 1, as for every integer field
    if isinstance(version, bool) or not isinstance(version, int):
        raise DealError("format_version", version, "must be a whole number")
    if version > FORMAT_VERSION:
        raise DealError("format_version", version,
                        f"the file was written by a newer CapStack; this version reads "
                        f"format version {FORMAT_VERSION} - please update CapStack")  # fmt: skip
    if version != FORMAT_VERSION:
        raise DealError("format_version", version, f"must be {FORMAT_VERSION}")
    _keys(doc, "", _TOP_KEYS, ("format", "format_version", "blocks"))
    deal = Deal(
        name=_text(doc.get("name", "Untitled deal"), "name", limits.MAX_TEXT_CHARS),
        description=_text(doc.get("description", ""), "description", limits.MAX_DESCRIPTION_CHARS),
    )
    blocks = _expect(doc["blocks"], list, "blocks", "a list of blocks")
    limits.check_count("blocks", len(blocks), "the number of blocks", limits.MAX_BLOCKS)
    for i, raw in enumerate(blocks):
        _add_block(deal, raw, i)
    connections = _expect(doc.get("connections", []), list, "connections", "a list")
    what = "the number of connections"
    limits.check_count("connections", len(connections), what, limits.MAX_CONNECTIONS)
    for i, raw in enumerate(connections):
        _add_connection(deal, raw, i)
    return deal


def _text(value: Any, path: str, limit: int) -> str:
    _expect(value, str, path, "text")
    if problem := limits.text_problem(value, limit):
        raise DealError(path, value, problem)
    return value


def _entry_id(deal: Deal, raw: Any, group: str, i: int) -> tuple[str, str]:
    """Check an entry's ``id``; return it and the entry's path ``group[id]``."""
    _expect(raw, dict, f"{group}[{i}]", "a JSON object")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not entry_id.strip():
        raise DealError(f"{group}[{i}].id", entry_id, "must be a non-empty text id")
    if problem := limits.text_problem(entry_id):
        raise DealError(f"{group}[{i}].id", entry_id, problem)
    path = f"{group}[{entry_id}]"
    if entry_id in deal.blocks or entry_id in deal.connections:
        raise DealError(f"{path}.id", entry_id, "is already used by another block or connection")
    return entry_id, path


def _add_block(deal: Deal, raw: Any, i: int) -> None:
    block_id, path = _entry_id(deal, raw, "blocks", i)
    _keys(raw, path, _BLOCK_KEYS, ("id", "kind"))
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in REGISTRY:
        raise DealError(f"{path}.kind", kind, f"is not a block kind ({', '.join(REGISTRY)})")
    position = raw.get("position", [0.0, 0.0])
    if not (isinstance(position, list) and len(position) == 2 and all(map(_finite, position))):
        raise DealError(f"{path}.position", position, "must be [x, y], two finite numbers")
    if max(abs(position[0]), abs(position[1])) > limits.MAX_POSITION:
        bound = f"{limits.MAX_POSITION:,.0f}"
        raise DealError(f"{path}.position", position, f"must lie within +-{bound} on the canvas")
    terms = raw.get("terms", {})
    _keys(terms, f"{path}.terms", None, ())
    for name in terms:
        if name not in REGISTRY[kind].field_names:
            close = difflib.get_close_matches(name, REGISTRY[kind].field_names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            reason = f"is not a field of a {kind} block{hint}"
            raise DealError(f"{path}.terms.{name}", terms[name], reason)
    deal.add_block(kind, terms, (position[0], position[1]), block_id)


def _finite(v: Any) -> bool:
    try:
        return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
    except OverflowError:  # an integer too large for a float
        return False


def _add_connection(deal: Deal, raw: Any, i: int) -> None:
    conn_id, path = _entry_id(deal, raw, "connections", i)
    _keys(raw, path, _CONNECTION_KEYS, _CONNECTION_KEYS)
    kind = raw["kind"]
    if not isinstance(kind, str) or kind not in CONNECTION_KINDS:
        known = ", ".join(CONNECTION_KINDS)
        raise DealError(f"{path}.kind", kind, f"is not a connection kind ({known})")
    for end in ("source", "target"):
        if not isinstance(raw[end], str) or raw[end] not in deal.blocks:
            raise DealError(f"{path}.{end}", raw[end], "is not the id of a block in this deal")
    source, target = deal.blocks[raw["source"]], deal.blocks[raw["target"]]
    if source.id == target.id:
        raise DealError(f"{path}.target", target.id, "a block cannot be connected to itself")
    why = explain_refusal(kind, source.kind, target.kind)
    if why:
        raise DealError(f"{path}.kind", kind, f"{why} [{source.id} -> {target.id}]")
    try:
        deal.connect(kind, source.id, target.id, conn_id)
    except ConnectionRefused as exc:  # a duplicate of an earlier connection
        raise DealError(path, f"{source.id} -> {target.id}", str(exc)) from None


# --------------------------------------------------------------------------- writing
def deal_to_dict(deal: Deal) -> dict[str, Any]:
    """The JSON document for ``deal``: fixed key order, terms in declaration order."""
    blocks = []
    for b in deal.blocks.values():
        terms = {f.name: b.terms[f.name] for f in b.spec.fields if f.name in b.terms}
        position = [round(float(b.position[0]), 1), round(float(b.position[1]), 1)]
        blocks.append({"id": b.id, "kind": b.kind, "position": position, "terms": terms})
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": deal.name,
        "description": deal.description,
        "blocks": blocks,
        "connections": [
            {"id": c.id, "kind": c.kind, "source": c.source, "target": c.target}
            for c in deal.connections.values()
        ],
    }


def dump_deal(deal: Deal) -> str:
    """The deal as JSON text: indent 2, stable order, floats written exactly (``repr``)."""
    doc = deal_to_dict(deal)
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in some text: escape everything instead
        text = json.dumps(doc, indent=2, ensure_ascii=True, allow_nan=False)
    return text + "\n"


def save_deal(deal: Deal, path: str | os.PathLike[str]) -> None:
    """Write the deal atomically: a temp file in the same directory, flushed and fsynced,
    then ``os.replace``. On failure the old file is untouched and the temp file removed."""
    write_atomically(path, dump_deal(deal).encode("utf-8"))
