"""Type stub of the fused Monte Carlo path kernel (core/risk/_mckernel.pyx)."""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.engine.arrays import EngineInputs

ABI_VERSION: int
EVENTS: int
GAPS: int

class PathModel:
    def __init__(
        self,
        inputs: EngineInputs,
        plan: dict,
        drivers: dict,
        kinds: Sequence[int],
        gen_rate: float,
        equity: float,
        dscr: tuple[float, float, int],
        cfads: tuple[float, float, int],
        base: tuple[npt.NDArray[np.float64], ...],
    ) -> None: ...
    def compile_rows(
        self,
        key: npt.NDArray[np.uint64],
        first_path: int,
        rows: npt.NDArray[np.float64],
        rvg: npt.NDArray[np.float64],
        backstop: npt.NDArray[np.float64],
        share: npt.NDArray[np.float64],
    ) -> None: ...
    def run(
        self,
        key: npt.NDArray[np.uint64],
        first_path: int,
        loss: npt.NDArray[np.float64],
        default: npt.NDArray[np.uint8],
        min_dscr: npt.NDArray[np.float64],
        anyflag: npt.NDArray[np.int32],
        irr: npt.NDArray[np.float64],
        irr_sign: npt.NDArray[np.uint8],
        rvg: npt.NDArray[np.float64],
        backstop: npt.NDArray[np.float64],
        share: npt.NDArray[np.float64],
        dscr_hist: npt.NDArray[np.int64],
        cfads_hist: npt.NDArray[np.int64],
        n_threads: int,
        first: npt.NDArray[np.int32],
        events: npt.NDArray[np.int32],
        gaps: npt.NDArray[np.float64],
    ) -> None: ...
