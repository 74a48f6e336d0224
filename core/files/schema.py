"""Generate the deal file's JSON Schema and the field tables of ``docs/deal-format.md``.

Both come from the block registry (:mod:`core.model.blocks`) and the connection rules
(:mod:`core.model.rules`), so they cannot drift from the model; a test compares the committed
files with what this module produces. Usage::

    python -m core.files.schema                                # resources/deal.schema.json
    python -m core.files.schema --docs docs/deal-format.md      # and the docs
    python -m core.files.schema --docs docs/deal-format.md --check   # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from core.files.deal_json import FORMAT, FORMAT_VERSION
from core.model.blocks import REGISTRY
from core.model.fields import Field
from core.model.rules import ALLOWED, CONNECTION_KINDS

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "resources" / "deal.schema.json"
DOCS_PATH = ROOT / "docs" / "deal-format.md"
SCHEMA_ID = "https://capstack.invalid/schemas/deal-1.schema.json"
MARKER = ("<!-- Everything below is generated from core/model by "
          "`python -m core.files.schema --docs docs/deal-format.md`: edit the model, not this "
          "file. The prose above this line is kept as written. -->")  # fmt: skip
_JSON_TYPES = {"float": "number", "int": "integer", "str": "string", "bool": "boolean",
               "date": "string", "list": "array"}  # fmt: skip
_DOC_TYPES = {"float": "number", "int": "integer", "str": "text", "bool": "true/false",
              "date": "date", "choice": "choice", "list": "list of numbers"}  # fmt: skip


def _is_rate(f: Field) -> bool:
    return f.display_factor != 1.0


def _unit_text(f: Field) -> str:
    if f.type == "date":
        return "ISO date"
    return f"{f.unit_label} (decimal)" if _is_rate(f) else f.unit_label


# --------------------------------------------------------------------------- schema
def field_schema(f: Field) -> dict[str, Any]:
    """The JSON Schema of one term."""
    out: dict[str, Any] = {"title": f.label}
    unit = _unit_text(f)
    out["description"] = (
        f.label + (f" [{unit}]" if unit else "") + (f". {f.help}" if f.help else "")
    )
    if f.type == "choice":
        out["enum"] = list(f.choices)
    else:
        out["type"] = _JSON_TYPES[f.type]
    if f.type == "date":
        out["format"] = "date"
        out["pattern"] = r"^\d{4}-\d{2}-\d{2}$"
    bounds = {"minimum": f.minimum, "maximum": f.maximum}
    if f.type == "list":
        bounds = {"minimum": f.item_minimum, "maximum": f.item_maximum}
    bounds = {k: v for k, v in bounds.items() if v is not None}
    if f.type == "list":
        out["items"] = {"type": "number", **bounds}
    else:
        out.update(bounds)
    out["default"] = f.default
    return out


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a deal file, format version 1."""
    defs: dict[str, Any] = {}
    cases = []
    for kind in REGISTRY.values():
        defs[f"terms_{kind.id}"] = {
            "title": f"Terms of a {kind.label} block",
            "description": kind.description,
            "type": "object",
            "properties": {f.name: field_schema(f) for f in kind.fields},
            "additionalProperties": False,
        }
        cases.append({
            "if": {"properties": {"kind": {"const": kind.id}}, "required": ["kind"]},
            "then": {"properties": {"terms": {"$ref": f"#/$defs/terms_{kind.id}"}}},
        })  # fmt: skip
    text_id = {"type": "string", "minLength": 1, "pattern": r"\S"}
    defs["block"] = {
        "type": "object",
        "required": ["id", "kind"],
        "properties": {
            "id": {**text_id, "description": "Unique id within the deal (blocks and connections)."},
            "kind": {"enum": list(REGISTRY), "description": "Block kind."},
            "position": {"type": "array", "prefixItems": [{"type": "number"}] * 2,
                         "minItems": 2, "maxItems": 2,
                         "description": "Canvas position [x, y], rounded to 0.1."},
            "terms": {"type": "object", "description": "Terms; omitted ones take their default."},
        },
        "additionalProperties": False,
        "allOf": cases,
    }  # fmt: skip
    defs["connection"] = {
        "type": "object",
        "required": ["id", "kind", "source", "target"],
        "properties": {
            "id": text_id,
            "kind": {"enum": list(CONNECTION_KINDS), "description": "source --kind--> target"},
            "source": {**text_id, "description": "Id of the source block."},
            "target": {**text_id, "description": "Id of the target block."},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "CapStack deal file",
        "description": f"A CapStack deal, format version {FORMAT_VERSION}. Generated from the "
        "block registry by core/files/schema.py; see docs/deal-format.md.",
        "type": "object",
        "required": ["format", "format_version", "blocks"],
        "properties": {
            "format": {"const": FORMAT},
            "format_version": {"const": FORMAT_VERSION},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "blocks": {"type": "array", "items": {"$ref": "#/$defs/block"}},
            "connections": {"type": "array", "items": {"$ref": "#/$defs/connection"}},
        },
        "additionalProperties": False,
        "$defs": defs,
    }


def render_schema() -> str:
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- docs
DEFAULT_PROSE = """# CapStack deal file format (version 1)

A deal is saved as one UTF-8 JSON file (never pickle). Its JSON Schema is
`resources/deal.schema.json`; both it and the tables below are generated from the block
registry in `core/model/`.
"""


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _num(v: float) -> str:
    return f"{v:g}"


def _range(f: Field) -> str:
    if f.type == "choice":
        return ", ".join(f"`{c}`" for c in f.choices)
    lo, hi = (f.item_minimum, f.item_maximum) if f.type == "list" else (f.minimum, f.maximum)
    each = "each " if f.type == "list" else ""
    if lo is not None and hi is not None:
        return f"{each}{_num(lo)} to {_num(hi)}"
    if lo is not None:
        return f"{each}≥ {_num(lo)}"
    if hi is not None:
        return f"{each}≤ {_num(hi)}"
    return ""


def render_tables() -> str:
    """The generated part of the docs: allowed connections, then one table per block kind."""
    lines = ["## Allowed connections", "",
             "A connection reads `source --kind--> target`; only these pairs are accepted.", "",
             "| kind | reads | source → target |", "|---|---|---|"]  # fmt: skip
    for kind, pairs in ALLOWED.items():
        listed = "; ".join(f"{s} → {t}" for s, t in sorted(pairs))
        lines.append(f"| `{kind}` | {CONNECTION_KINDS[kind]} | {listed} |")
    lines += ["", "## Block kinds and their terms", ""]
    for kind in REGISTRY.values():
        lines += [f"### `{kind.id}`: {kind.label}", "", _cell(kind.description), "",
                  "| field | label | type | unit | default | range / choices | help |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for f in kind.fields:
            row = [f"`{f.name}`", f.label, _DOC_TYPES[f.type], _unit_text(f),
                   f"`{json.dumps(f.default)}`", _range(f), f.help]  # fmt: skip
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        lines.append("")
    return "\n".join(lines)


def render_docs(prose: str | None = None) -> str:
    """The whole of ``docs/deal-format.md``: ``prose`` (hand-written), marker, tables."""
    prose = (DEFAULT_PROSE if prose is None else prose).rstrip("\n")
    return f"{prose}\n\n{MARKER}\n\n{render_tables()}"


def prose_of(docs_text: str) -> str | None:
    """The hand-written part of an existing docs file (``None`` without a marker)."""
    head, found, _ = docs_text.partition(MARKER)
    return head if found else None


def _existing(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m core.files.schema",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--schema", type=Path, default=SCHEMA_PATH, help="schema output path")
    parser.add_argument("--docs", type=Path, help="also write the format docs here")
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)  # fmt: skip
    outputs = {args.schema: render_schema()}
    if args.docs:
        old = _existing(args.docs)
        outputs[args.docs] = render_docs(prose_of(old) if old else None)
    stale = [p for p, text in outputs.items() if _existing(p) != text]
    for path in stale:
        if args.check:
            print(f"{path} is out of date: run python -m core.files.schema", file=sys.stderr)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(outputs[path], encoding="utf-8", newline="\n")
            print(f"wrote {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
