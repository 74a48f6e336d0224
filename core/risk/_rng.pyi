"""Type stub of the compiled per-path random streams (core/risk/_rng.pyx)."""

import numpy as np
import numpy.typing as npt

ABI_VERSION: int

def raw(key: npt.NDArray[np.uint64], path: int, out: npt.NDArray[np.uint64]) -> None: ...
def fill(
    key: npt.NDArray[np.uint64], path: int, kind: int, out: npt.NDArray[np.float64]
) -> None: ...
def draw_paths(
    key: npt.NDArray[np.uint64],
    first_path: int,
    event_kinds: npt.NDArray[np.int8],
    gen_rate: float,
    mpp: int,
    u: npt.NDArray[np.float64],
    z1: npt.NDArray[np.float64],
    z2: npt.NDArray[np.float64],
    zu: npt.NDArray[np.float64],
    zv: npt.NDArray[np.float64],
    zr: npt.NDArray[np.float64],
    residual: npt.NDArray[np.float64],
    events: npt.NDArray[np.float64],
    jumps: npt.NDArray[np.int32],
    n_threads: int,
) -> None: ...
