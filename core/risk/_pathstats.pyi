"""Type stub of the compiled Monte Carlo statistics (core/risk/_pathstats.pyx)."""

import numpy as np
import numpy.typing as npt

ABI_VERSION: int

def irr_newton(
    cf: npt.NDArray[np.float64], out: npt.NDArray[np.float64], iters: int, n_threads: int
) -> None: ...
def markov_regimes(
    u: npt.NDArray[np.float64],
    p_enter: float,
    p_exit: float,
    out: npt.NDArray[np.uint8],
    n_threads: int,
) -> None: ...
def ar1_period_ends(
    eps: npt.NDArray[np.float64],
    phi: float,
    mpp: int,
    out: npt.NDArray[np.float64],
    n_threads: int,
) -> None: ...
def hist_counts(
    values: npt.NDArray[np.float64],
    lo: float,
    width: float,
    n_edges: int,
    out: npt.NDArray[np.int64],
    n_threads: int,
) -> None: ...
