"""Type stub of the compiled Monte Carlo statistics (core/risk/_pathstats.pyx)."""

import numpy as np
import numpy.typing as npt

ABI_VERSION: int

def irr_newton(
    cf: npt.NDArray[np.float64], out: npt.NDArray[np.float64], iters: int, n_threads: int
) -> None: ...
