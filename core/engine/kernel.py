"""Public entry point of the waterfall engine.

``run_waterfall(inputs)`` runs the compiled Cython kernel (``core/engine/_waterfall.pyx``) over
every path, in parallel on all cores. The pure-NumPy reference (:mod:`core.engine.reference`,
the executable specification) runs only when asked for with ``engine="reference"``; there is
no silent fallback: without a built kernel, the Cython engine raises ``ImportError`` saying
how to build it.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import fields

import numpy as np

from core.engine.arrays import (
    GROUPS,
    I32,
    PATH,
    PERIOD,
    PKT_FIELDS,
    TRANCHE,
    TRANCHE_PERIOD,
    EngineInputs,
    EngineOutputs,
)
from core.engine.codegen import abi_version
from core.engine.reference import run_reference

__all__ = ["ENGINES", "check_build", "run_waterfall"]

ENGINES = ("cython", "reference")
KERNEL_MODULE = "core.engine._waterfall"
ABI_VERSION = abi_version()  # a hash of the field declarations; must equal _waterfall's

BUILD_HELP = (
    "The compiled waterfall kernel ({module}) {problem}.\n"
    "Build it from the repository root with\n"
    "    pip install -e .\n"
    "or, without pip,\n"
    "    python setup.py build_ext --inplace\n"
    "(this needs a C compiler with OpenMP, Cython and NumPy; scripts/install.sh does it all).\n"
    'The NumPy reference is used only when engine="reference" is asked for explicitly.'
)

_DTYPES = {
    f.name: np.dtype(np.int32 if f.metadata["ctype"] == I32 else np.float64)
    for f in fields(EngineOutputs)
}
_CPUS = os.cpu_count() or 1
_kernel = None  # the imported extension module, once loaded


def check_build():
    """Import the compiled kernel (once) or raise ``ImportError`` saying how to build it."""
    global _kernel
    if _kernel is None:
        try:
            mod = importlib.import_module(KERNEL_MODULE)
        except ImportError as exc:
            problem = f"cannot be imported ({exc})"
            raise ImportError(BUILD_HELP.format(module=KERNEL_MODULE, problem=problem)) from exc
        found = getattr(mod, "ABI_VERSION", None)
        if found != ABI_VERSION:
            problem = f"is stale (ABI {found}, this code expects {ABI_VERSION}): rebuild it"
            raise ImportError(BUILD_HELP.format(module=KERNEL_MODULE, problem=problem))
        _kernel = mod
    return _kernel


def _check_outputs(out: EngineOutputs, P: int, K: int, T: int) -> None:
    for name, arr in vars(out).items():
        shape = (P, K, T) if name in PKT_FIELDS else (P, T)
        dtype = _DTYPES[name]
        if not (
            isinstance(arr, np.ndarray)
            and arr.shape == shape
            and arr.dtype == dtype
            and arr.flags.c_contiguous
            and arr.flags.writeable
        ):
            raise ValueError(
                f"out.{name} must be a writeable C-contiguous {dtype} array of shape {shape}"
            )


def run_waterfall(
    inp: EngineInputs,
    engine: str = "cython",
    n_threads: int | None = None,
    out: EngineOutputs | None = None,
) -> EngineOutputs:
    """Run the waterfall over every path of ``inp`` and return its outputs.

    ``engine`` is ``"cython"`` (the compiled kernel, default) or ``"reference"`` (the NumPy
    specification, slow). ``n_threads`` is the number of OpenMP threads (default: all cores;
    never more than there are paths). ``out`` may be a preallocated ``EngineOutputs`` of the
    right shape (``EngineOutputs.empty(P, K, T)``) to reuse across calls, e.g. when a large
    batch is processed in chunks; every element is overwritten. Inputs are converted once to
    C-contiguous float64 (int32 for ``floating``, ``maturity``, ``pik``, ``group_start``);
    a per-path input with first dimension 1 is shared by every path.
    """
    if engine == "reference":
        res = run_reference(inp)
        if out is None:
            return res
        _check_outputs(out, inp.n_paths, inp.n_tranches, inp.n_periods)
        for name, arr in vars(res).items():
            getattr(out, name)[...] = arr
        return out
    if engine != "cython":
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    kernel = _kernel if _kernel is not None else check_build()

    if n_threads is None:
        n_threads = _CPUS
    elif int(n_threads) < 1:
        raise ValueError(f"n_threads must be at least 1, got {n_threads}")
    P = inp.n_paths
    K = inp.notional.shape[0]
    T = inp.depreciation.shape[0]
    if out is None:
        out = EngineOutputs.empty(P, K, T)
    else:
        _check_outputs(out, P, K, T)
    try:
        kernel.waterfall(inp, out, int(n_threads))
    except ValueError as exc:  # the kernel names shape errors; Cython's buffer errors do not
        raise ValueError(f"invalid EngineInputs: {_diagnose(inp) or exc}") from exc
    return out


_NDIM = {PATH: 2, PERIOD: 1, TRANCHE: 1, TRANCHE_PERIOD: 2, GROUPS: 1}  # by shape class


def _diagnose(inp: EngineInputs) -> str | None:
    """Name the input whose number of dimensions is wrong (slow path, after a failure)."""
    for f in fields(inp):
        arr = getattr(inp, f.name)
        if isinstance(arr, np.ndarray):
            want = _NDIM[f.metadata["shape"]]
            if arr.ndim != want:
                return f"{f.name} has {arr.ndim} dimension(s) {arr.shape}; expected {want}"
    return None
