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
def driver_paths(
    u: npt.NDArray[np.float64],
    z1: npt.NDArray[np.float64],
    z2: npt.NDArray[np.float64],
    zu: npt.NDArray[np.float64],
    zv: npt.NDArray[np.float64],
    jumps: npt.NDArray[np.int32],
    zr: npt.NDArray[np.float64],
    mpp: int,
    t: npt.NDArray[np.float64],
    p_enter: float,
    p_exit: float,
    rho_n: float,
    rho_s: float,
    rest_n: float,
    rest_s: float,
    rent_ou: int,
    rent_vol: float,
    rent_phi: float,
    rent_step: float,
    rent_var: npt.NDArray[np.float64],
    rent_mult: npt.NDArray[np.float64],
    util_phi: float,
    util_vol: float,
    util_c: float,
    value_beta: float,
    value_vol: float,
    jump_table: npt.NDArray[np.float64],
    gen_keep: float,
    btc_vol: float,
    base: npt.NDArray[np.float64],
    rate_vol: float,
    rent: npt.NDArray[np.float64],
    util: npt.NDArray[np.float64],
    value: npt.NDArray[np.float64],
    btc: npt.NDArray[np.float64],
    rates: npt.NDArray[np.float64],
    stress_share: npt.NDArray[np.float64],
    n_threads: int,
) -> None: ...
def path_reduce(
    loss: npt.NDArray[np.float64],
    shortfall: npt.NDArray[np.float64],
    balance: npt.NDArray[np.float64],
    flags: npt.NDArray[np.int32],
    dscr: npt.NDArray[np.float64],
    notional: npt.NDArray[np.float64],
    eps: float,
    accel_bit: int,
    default: npt.NDArray[np.uint8],
    min_dscr: npt.NDArray[np.float64],
    anyflag: npt.NDArray[np.int32],
    n_threads: int,
) -> None: ...
def path_facts(
    writeoff: npt.NDArray[np.float64],
    shortfall: npt.NDArray[np.float64],
    balance: npt.NDArray[np.float64],
    flags: npt.NDArray[np.int32],
    notional: npt.NDArray[np.float64],
    eps: float,
    accel_bit: int,
    ltv_bits: int,
    crypto_bits: int,
    revenue: npt.NDArray[np.float64],
    base_revenue: npt.NDArray[np.float64],
    rate: npt.NDArray[np.float64],
    base_curve: npt.NDArray[np.float64],
    floating: npt.NDArray[np.int32],
    year_fraction: npt.NDArray[np.float64],
    swap_accrual: npt.NDArray[np.float64] | None,
    proceeds: npt.NDArray[np.float64],
    base_sale: npt.NDArray[np.float64],
    asset_value: npt.NDArray[np.float64],
    base_value: npt.NDArray[np.float64],
    default: npt.NDArray[np.uint8],
    first: npt.NDArray[np.int32],
    ltv_at: npt.NDArray[np.int32],
    crypto_at: npt.NDArray[np.int32],
    gaps: npt.NDArray[np.float64],
    n_threads: int,
) -> None: ...
