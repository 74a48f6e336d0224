"""Build CapStack's Cython kernels.

Every ``core/**/_*.pyx`` becomes an extension named by its dotted path
(``core/engine/_waterfall.pyx`` -> ``core.engine._waterfall``), compiled with
-O3 and OpenMP so ``prange`` uses every core. Cython directives are set here,
once, for all kernels. First the kernel's plumbing (``*.pxd.tp``, ``*.pxi.tp``,
``*.pyi.tp`` in core/engine) is rendered from the field declarations in
core/engine/arrays.py (core/engine/codegen.py).

    pip install -e .                      # what scripts/install.sh does
    python setup.py build_ext --inplace   # the same, by hand
    CAPSTACK_CYTHON_CHECKS=1 pip install -e .   # bounds/wraparound checks on
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

DIRECTIVES = {
    "language_level": 3,
    "boundscheck": False,
    "wraparound": False,
    "cdivision": True,
    "initializedcheck": False,
}
if os.environ.get("CAPSTACK_CYTHON_CHECKS") == "1":
    DIRECTIVES.update(boundscheck=True, wraparound=True)

COMPILE_ARGS = ["-O3", "-fopenmp"]
LINK_ARGS = ["-fopenmp"]


def find_kernels(root: Path = ROOT) -> dict[str, str]:
    """Map dotted module name -> .pyx path (relative, POSIX) for core/**/_*.pyx."""
    kernels = {}
    for pyx in sorted((root / "core").glob("**/_*.pyx")):
        rel = pyx.relative_to(root)
        kernels[".".join(rel.with_suffix("").parts)] = rel.as_posix()
    return kernels


def _render_templates() -> None:
    """Render the kernel plumbing from the field declarations (core/engine/codegen.py)."""
    import sys

    sys.path.insert(0, str(ROOT))
    from core.engine.codegen import write_all

    for path in write_all():
        print(f"rendered {path.relative_to(ROOT)}")


def _extensions():
    kernels = find_kernels()
    if not kernels:
        return []
    _render_templates()
    import numpy
    from Cython.Build import cythonize
    from setuptools import Extension

    exts = [
        Extension(
            name,
            [src],
            include_dirs=[numpy.get_include()],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=COMPILE_ARGS,
            extra_link_args=LINK_ARGS,
        )
        for name, src in kernels.items()
    ]
    # cythonize only compares timestamps; regenerate the C when directives change
    # (e.g. CAPSTACK_CYTHON_CHECKS toggled) so a stale build is never reused.
    stamp = ROOT / "build" / "cython-directives.json"
    wanted = hashlib.sha256(json.dumps(DIRECTIVES, sort_keys=True).encode()).hexdigest()
    force = not stamp.exists() or stamp.read_text() != wanted
    modules = cythonize(exts, compiler_directives=DIRECTIVES, force=force, quiet=True)
    stamp.parent.mkdir(exist_ok=True)
    stamp.write_text(wanted)
    return modules


if __name__ == "__main__":
    from setuptools import find_packages, setup

    setup(
        packages=find_packages(include=["core", "core.*", "gui", "gui.*", "cli", "cli.*"]),
        py_modules=["main"] if (ROOT / "main.py").exists() else [],
        ext_modules=_extensions(),
        zip_safe=False,
    )
