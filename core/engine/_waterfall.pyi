"""Type stub of the compiled waterfall kernel (core/engine/_waterfall.pyx)."""

import numpy as np
import numpy.typing as npt

from core.engine.arrays import EngineInputs

ABI_VERSION: int

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

def waterfall(
    inputs: EngineInputs,
    cfads: F64,
    tax: F64,
    debt_service: F64,
    dscr: F64,
    dscr_test: F64,
    ltv: F64,
    out_proceeds: F64,
    injection: F64,
    dsra_balance: F64,
    trap_balance: F64,
    distribution: F64,
    flags: I32,
    interest_due: F64,
    interest_paid: F64,
    principal_paid: F64,
    pik_out: F64,
    shortfall: F64,
    balance: F64,
    writeoff: F64,
    n_threads: int = 1,
) -> None:
    """Run every path of ``inputs``; outputs preallocated and fully overwritten."""
