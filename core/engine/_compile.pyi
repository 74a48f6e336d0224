"""Type stub of the engine's compiled per-path compile (core/engine/_compile.pyx)."""

import numpy as np
import numpy.typing as npt

ROWS: tuple[str, ...]

def compile_paths(
    plan: dict,
    rent: npt.ArrayLike,
    util: npt.ArrayLike,
    value: npt.ArrayLike,
    btc: npt.ArrayLike,
    residual: npt.ArrayLike,
    leases: npt.NDArray[np.integer] | None = None,
) -> dict[str, np.ndarray]: ...
