"""Type stub of the compiled waterfall kernel (core/engine/_waterfall.pyx)."""

import numpy as np
import numpy.typing as npt

ABI_VERSION: int

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

def waterfall(
    revenue: F64,
    opex: F64,
    fees: F64,
    proceeds: F64,
    asset_value: F64,
    liquidation_value: F64,
    crypto_value: F64,
    base_rate: F64,
    depreciation: F64,
    dsra_target: F64,
    fixed_rate: F64,
    spread: F64,
    floating: I32,
    year_fraction: F64,
    notional: F64,
    scheduled_principal: F64,
    maturity: I32,
    sweep_pct: F64,
    pik: I32,
    group_start: I32,
    dsra_initial: float,
    tax_rate: float,
    lockup_dscr: float,
    default_dscr: float,
    ltv_max: float,
    lockup_action: int,
    default_action: int,
    ltv_action: int,
    lookback: int,
    liquidation_lag: int,
    margin_call_ltv: float,
    crypto_liquidation_ltv: float,
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
    """Run every path; inputs are C-contiguous, outputs preallocated and fully overwritten."""
