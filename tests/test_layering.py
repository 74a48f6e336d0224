"""Layering: the model, the engine and the risk code import no file format (core/files sits at
the edge and is passed in by callers), and every third-party package the program imports is a
runtime requirement, not only a development one."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from importlib.metadata import packages_distributions, requires
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INNER = ("core.engine", "core.model", "core.risk")  # none of these may import core.files
SOURCES = (".py", ".pyx", ".pxi", ".pxd")
CYTHON_IMPORT = re.compile(r"^\s*(?:from|c?import)\s+([\w.]+)", re.MULTILINE)


def _imports(path: Path) -> set[str]:
    """Every module a file names in an import statement, lazy (in-function) ones included."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return set(CYTHON_IMPORT.findall(text))
    found = set()
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _is_files(module: str) -> bool:
    return module == "core.files" or module.startswith("core.files.")


def _sources(*dirs: str) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / d).rglob("*") if p.suffix in SOURCES)


def test_imports_are_found_in_python_and_cython_sources():
    """The scanner itself: it sees a lazy import in a function and a Cython cimport."""
    assert "core.files.atomic" in _imports(ROOT / "core/files/scenario_json.py")
    assert "core.engine.results" in _imports(ROOT / "core/engine/result_json.py")
    lazy = _imports(ROOT / "cli/cmd_run.py")  # run() imports load_deal inside the function
    assert "core.files.deal_json" in lazy
    pyx = [p for p in _sources("core") if p.suffix == ".pyx"]
    assert any(_imports(p) for p in pyx), "no import found in any .pyx file"


def test_no_inner_module_imports_core_files():
    bad = {}
    for path in _sources(*(m.replace(".", "/") for m in INNER)):
        found = sorted(m for m in _imports(path) if _is_files(m))
        if found:
            bad[str(path.relative_to(ROOT))] = found
    assert not bad, f"{', '.join(INNER)} must not import core.files: {bad}"


_LOAD_INNER = r"""
import json, pkgutil, sys, importlib
for name in {inner!r}:
    pkg = importlib.import_module(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_inner_modules_loads_no_file_format():
    """Not even indirectly, e.g. through core.report."""
    proc = subprocess.run(
        [sys.executable, "-c", _LOAD_INNER.format(inner=INNER)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "core.engine.results" in loaded and "core.risk.distributed" in loaded
    assert not [m for m in loaded if _is_files(m)]


def _requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(_normal(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0]))
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pulled_in(dists: set[str]) -> set[str]:
    """The distributions ``dists`` require (one level down), normalised."""
    out = set()
    for d in dists:
        for req in requires(d) or []:
            if "extra ==" not in req:
                out.add(_normal(re.split(r"[\[<>=!~; (]", req, maxsplit=1)[0]))
    return out


def test_every_third_party_import_is_a_runtime_requirement():
    runtime = _requirement_names(ROOT / "requirements.txt")
    assert "dask" in runtime, "montecarlo --scheduler needs Dask at run time"
    assert "dask" not in _requirement_names(ROOT / "requirements-dev.txt")
    local = {"core", "gui", "cli", "tests"}
    python = [p for p in _sources("core", "gui", "cli") if p.suffix == ".py"]
    modules = {m.split(".")[0] for p in [*python, ROOT / "main.py"] for m in _imports(p)}
    third_party = sorted(m for m in modules - local if m not in sys.stdlib_module_names)
    assert "dask" in third_party and "numpy" in third_party
    dists = packages_distributions()
    allowed = runtime | _pulled_in(runtime)
    missing = {
        m: dists.get(m)
        for m in third_party
        if not any(_normal(d) in allowed for d in dists.get(m, []))
    }
    assert not missing, f"imported but not in requirements.txt: {missing}"
