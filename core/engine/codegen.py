"""Render the waterfall kernel's Cython plumbing from the field declarations.

The kernel's inputs and outputs are declared once, as the fields of
:class:`core.engine.arrays.EngineInputs` / :class:`~core.engine.arrays.EngineOutputs` (shape
class, C type, meaning). From them this module renders, with Tempita (as scikit-learn and
pandas do), three files next to their templates in ``core/engine``:

* ``_waterfall.pxd`` (from ``_waterfall.pxd.tp``): flag and action codes, the ``Ctx`` struct
  of raw pointers, row strides and scalars, and the exported functions;
* ``_context.pxi`` (from ``_context.pxi.tp``): filling a ``Ctx`` from an ``EngineInputs``,
  binding an ``EngineOutputs``, and laying input rows / outputs of one path on scratch (the
  Monte Carlo kernel's layout), with shape checks that name the array;
* ``_waterfall.pyi`` (from ``_waterfall.pyi.tp``): the type stub.

``setup.py`` renders them before it compiles, so a build always matches the declarations; the
rendered files are kept in the repository for reading, and a test fails when one is stale
(``python -m core.engine.codegen`` rewrites them). ``ABI_VERSION`` is a hash of the
declarations: :func:`core.engine.kernel.check_build` refuses a compiled kernel built from
other declarations.
"""

from __future__ import annotations

import hashlib
import sys
import textwrap
from dataclasses import MISSING, fields
from pathlib import Path

from core.engine import arrays
from core.engine.constants import EPS
from core.engine.steps import WATERFALL, Step

HERE = Path(__file__).resolve().parent
TEMPLATES = ("_waterfall.pxd.tp", "_context.pxi.tp", "_run_path.pxi.tp", "_waterfall.pyi.tp")
# short names of the per-path input rows inside run_path
ROW_ALIASES = {
    "revenue": "rev",
    "proceeds": "proc",
    "asset_value": "av",
    "liquidation_value": "lv",
    "crypto_value": "cv",
    "base_rate": "br",
}


def _decl(cls: type) -> list[dict]:
    out = []
    for f in fields(cls):
        m = dict(f.metadata)
        m["name"] = f.name
        m["default"] = None if f.default is MISSING else f.default
        out.append(m)
    return out


def _step_fragment(step: Step) -> dict:
    """A step's Cython fragment split into its sections: ``# @declare`` (its locals, declared
    once a path), ``# @period`` (its code each period) and, for a step that can be skipped,
    ``# @skipped`` (what it writes in a period it is skipped, e.g. zero outputs)."""
    sections: dict[str, list[str]] = {"head": [], "declare": [], "period": [], "skipped": []}
    part = "head"
    for line in step.source.read_text().splitlines():
        if line.strip() in ("# @declare", "# @period", "# @skipped"):
            part = line.strip()[3:]
            continue
        sections[part].append(line)
    if not sections["period"]:
        raise ValueError(f"{step.source.name}: no '# @period' section")
    for lines in sections.values():
        while lines and not lines[-1].strip():
            lines.pop()
    return {
        "name": step.name,
        "title": step.title,
        "optional": step.active is not None,
        **sections,
    }


def abi_version() -> int:
    """A 31-bit hash of the declarations (names, shapes, C types, order) and EPS."""
    text = repr(
        [
            (d["name"], d["shape"], d["ctype"], d["minimum"])
            for cls in (arrays.EngineInputs, arrays.EngineOutputs)
            for d in _decl(cls)
        ]
        + [EPS]
        + [_step_fragment(s)["period"] for s in WATERFALL]
    )
    return int(hashlib.sha256(text.encode()).hexdigest()[:7], 16)


def namespace() -> dict:
    """What the templates see."""
    inputs, outputs = _decl(arrays.EngineInputs), _decl(arrays.EngineOutputs)

    def of(decls: list[dict], *shapes: str) -> list[dict]:
        return [d for d in decls if d["shape"] in shapes]

    flags = [(n, getattr(arrays, n)) for n in dir(arrays) if n.startswith("FLAG_")]
    flags = [(n, v) for n, v in flags if isinstance(v, int)]
    return {
        "inputs": inputs,
        "outputs": outputs,
        "path": [
            dict(d, alias=ROW_ALIASES.get(d["name"], d["name"])) for d in of(inputs, arrays.PATH)
        ],
        "steps": [_step_fragment(s) for s in WATERFALL],
        "period": of(inputs, arrays.PERIOD),
        "tranche": of(inputs, arrays.TRANCHE),
        "tranche_period": of(inputs, arrays.TRANCHE_PERIOD),
        "groups": of(inputs, arrays.GROUPS),
        "arrays_in": of(
            inputs, arrays.PERIOD, arrays.TRANCHE, arrays.TRANCHE_PERIOD, arrays.GROUPS
        ),
        "scalars": of(inputs, arrays.SCALAR),
        "pt": of(outputs, arrays.PT),
        "pkt": of(outputs, arrays.PKT),
        "flags": sorted(flags, key=lambda x: x[1]),
        "actions": sorted(arrays.ACTION_NAMES.items()),
        "eps": repr(EPS),
        "abi": abi_version(),
        "PERIOD": arrays.PERIOD,
        "TRANCHE": arrays.TRANCHE,
        "TRANCHE_PERIOD": arrays.TRANCHE_PERIOD,
        "GROUPS": arrays.GROUPS,
        "F64": arrays.F64,
        "wrap": lambda text, indent: textwrap.fill(
            text, 96, initial_indent=indent, subsequent_indent=indent + "    "
        ),
    }


def render(template: str) -> str:
    """The text of the file ``template`` renders to."""
    from Cython.Tempita import Template

    src = (HERE / template).read_text()
    body = Template(src, name=template).substitute(namespace())
    header = f"# GENERATED from core/engine/{template} by core/engine/codegen.py: do not edit.\n"
    return header + body


def target(template: str) -> Path:
    return HERE / template.removesuffix(".tp")


def stale() -> list[Path]:
    """Rendered files that differ from what their templates render now."""
    return [
        target(t) for t in TEMPLATES if not target(t).exists() or target(t).read_text() != render(t)
    ]


def write_all() -> list[Path]:
    """Render every template whose output changed; returns the files written."""
    written = []
    for t in TEMPLATES:
        text = render(t)
        path = target(t)
        if not path.exists() or path.read_text() != text:
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_text(text)
            tmp.replace(path)
            written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(f"wrote {p.relative_to(HERE.parents[1])}", file=sys.stderr)
