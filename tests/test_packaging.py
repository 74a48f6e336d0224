"""Packaging invariants: core stays Qt-free, kernels are built, main.py starts."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QT_MODULES = ("PySide6", "shiboken6", "pyqtgraph")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def _kernels() -> dict[str, Path]:
    """Dotted module name -> .pyx for every core/**/_*.pyx (as setup.py builds them)."""
    return {
        ".".join(p.relative_to(ROOT).with_suffix("").parts): p
        for p in sorted((ROOT / "core").glob("**/_*.pyx"))
    }


_IMPORT_ALL_OF_CORE = r"""
import json, pkgutil, sys
import core
imported = ["core"]
def onerror(name):
    raise  # a submodule that fails to import is a failure, not something to skip
for info in pkgutil.walk_packages(core.__path__, "core.", onerror=onerror):
    __import__(info.name)
    imported.append(info.name)
print(json.dumps({"imported": imported, "modules": sorted(sys.modules)}))
"""


def test_core_never_imports_qt():
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL_OF_CORE],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"importing core failed:\n{proc.stderr}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    leaked = sorted(m for m in result["modules"] if m.split(".")[0] in QT_MODULES)
    assert not leaked, (
        f"core must not import Qt, but importing {result['imported']} loaded {leaked}"
    )


def test_setup_py_builds_exactly_the_kernels():
    spec = importlib.util.spec_from_file_location("capstack_setup", ROOT / "setup.py")
    setup_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_module)  # setup() only runs under __main__
    found = setup_module.find_kernels(ROOT)
    assert found == {name: p.relative_to(ROOT).as_posix() for name, p in _kernels().items()}
    directives = setup_module.DIRECTIVES
    assert directives["language_level"] == 3
    assert directives["cdivision"] is True
    assert directives["initializedcheck"] is False
    if os.environ.get("CAPSTACK_CYTHON_CHECKS") != "1":
        assert directives["boundscheck"] is False
        assert directives["wraparound"] is False
    assert "-fopenmp" in setup_module.COMPILE_ARGS
    assert "-fopenmp" in setup_module.LINK_ARGS
    assert "-O3" in setup_module.COMPILE_ARGS


@pytest.mark.parametrize("module_name", sorted(_kernels()) or [None])
def test_kernel_extension_is_built(module_name):
    if module_name is None:
        # No kernel in the tree yet: nothing to build, and setup.py must agree
        # (checked above). Pass rather than skip, so no skip hides a real gap.
        assert _kernels() == {}
        return
    pyx = _kernels()[module_name]
    module = importlib.import_module(module_name)
    so = Path(module.__file__)
    assert any(so.name.endswith(sfx) for sfx in EXTENSION_SUFFIXES), (
        f"{module_name} imported from {so}, not a compiled extension: "
        "run `pip install -e .` (scripts/install.sh does)"
    )
    assert so.parent == pyx.parent, f"{module_name} should be built in place next to {pyx}"
    assert so.stat().st_mtime >= pyx.stat().st_mtime, (
        f"{so.name} is older than {pyx.name}: rebuild with `pip install -e .`"
    )


def test_main_help_exits_zero():
    main = ROOT / "main.py"
    assert main.is_file(), "main.py is missing at the repository root"
    proc = subprocess.run(
        [sys.executable, str(main), "--help"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"main.py --help exited {proc.returncode}:\n{proc.stderr}"
    assert proc.stdout.strip(), "main.py --help printed nothing"
