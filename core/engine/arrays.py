"""The arrays the waterfall kernel reads and writes.

``EngineInputs`` is what :mod:`core.engine.compile` makes of a deal (and what the Monte Carlo
makes of a deal plus random drivers). Per-path arrays have shape ``(P, T)``; a first dimension
of 1 means "the same on every path" and is broadcast, so a deterministic run and a batch of
100,000 paths go through the same kernel. Tranches are ordered by seniority (rank 1 first);
``group_start`` marks runs of equal rank, which are paid pro rata.

``EngineOutputs`` holds every number the kernel produces, path by path. Money is in the deal's
unit (USD millions).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

# Bits of EngineOutputs.flags, one int per path and period.
FLAG_LOCKUP = 1  # DSCR below the lock-up level
FLAG_DSCR_DEFAULT = 2  # DSCR below the default level
FLAG_LTV_BREACH = 4  # LTV above its maximum
FLAG_PAYMENT_DEFAULT = 8  # the controlling (most senior outstanding) class was not paid in full
FLAG_ACCELERATED = 16  # debt accelerated: all cash to debt in order of seniority
FLAG_LIQUIDATED = 32  # collateral sold by the lenders this period
FLAG_MARGIN_CALL = 64  # crypto collateral LTV above the margin-call level
FLAG_CRYPTO_SOLD = 128  # crypto collateral sold to repay debt

FLAG_NAMES = {
    FLAG_LOCKUP: "lock-up",
    FLAG_DSCR_DEFAULT: "DSCR default",
    FLAG_LTV_BREACH: "LTV breach",
    FLAG_PAYMENT_DEFAULT: "payment default",
    FLAG_ACCELERATED: "accelerated",
    FLAG_LIQUIDATED: "liquidated",
    FLAG_MARGIN_CALL: "margin call",
    FLAG_CRYPTO_SOLD: "crypto sold",
}

# Action codes
TRAP, SWEEP, ACCELERATE = 0, 1, 2


@dataclass
class EngineInputs:
    # --- per path and period, shape (P or 1, T)
    revenue: np.ndarray  # operating revenue incl. backstop payments and termination fees
    opex: np.ndarray  # operating costs incl. maintenance capex
    fees: np.ndarray  # senior fees (SPV admin, trustee), paid before interest
    proceeds: np.ndarray  # planned asset sale proceeds incl. RVG payments: mandatory prepayment
    asset_value: np.ndarray  # market value of GPUs and facility, for LTV
    liquidation_value: np.ndarray  # what a forced sale in that period would raise
    crypto_value: np.ndarray  # value of pledged crypto collateral
    base_rate: np.ndarray  # annual base rate for floating tranches
    # --- per period, shape (T,)
    depreciation: np.ndarray  # book depreciation (only used for tax)
    dsra_target: np.ndarray  # DSRA target balance at the end of each period
    # --- per tranche, shape (K,) or (K, T)
    fixed_rate: np.ndarray  # (K,) annual coupon of fixed tranches
    spread: np.ndarray  # (K,) spread of floating tranches
    floating: np.ndarray  # (K,) int 1 when floating
    year_fraction: np.ndarray  # (K, T) accrual fraction per period (day count)
    notional: np.ndarray  # (K,) opening balance at close
    scheduled_principal: np.ndarray  # (K, T) scheduled repayment (base case)
    maturity: np.ndarray  # (K,) int: period in which all that is left falls due
    sweep_pct: np.ndarray  # (K,) share of spare cash swept to this tranche
    pik: np.ndarray  # (K,) int 1 when unpaid interest capitalises
    group_start: np.ndarray  # (G+1,) int: tranche index where each seniority group starts
    # --- scalars
    dsra_initial: float = 0.0
    tax_rate: float = 0.0
    lockup_dscr: float = 0.0  # 0 disables the test
    default_dscr: float = 0.0
    ltv_max: float = 0.0
    lockup_action: int = TRAP  # TRAP or SWEEP
    default_action: int = ACCELERATE  # ACCELERATE or SWEEP
    ltv_action: int = SWEEP  # TRAP, SWEEP or ACCELERATE
    lookback: int = 1  # periods in the DSCR test window
    liquidation_lag: int = 1  # periods from acceleration to the forced sale (at least 1)
    margin_call_ltv: float = 0.0  # 0 when there is no crypto collateral
    crypto_liquidation_ltv: float = 0.0

    @property
    def n_periods(self) -> int:
        return int(self.depreciation.shape[0])

    @property
    def n_tranches(self) -> int:
        return int(self.notional.shape[0])

    @property
    def n_paths(self) -> int:
        return max(int(getattr(self, f).shape[0]) for f in PATH_FIELDS)

    def with_paths(self, **arrays: np.ndarray) -> EngineInputs:
        """A copy with some per-path arrays replaced (used by scenarios and Monte Carlo)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, arr in arrays.items():
            if name not in PATH_FIELDS:
                raise KeyError(f"{name} is not a per-path input")
            values[name] = np.ascontiguousarray(np.atleast_2d(arr), dtype=np.float64)
        return EngineInputs(**values)


PATH_FIELDS = (
    "revenue",
    "opex",
    "fees",
    "proceeds",
    "asset_value",
    "liquidation_value",
    "crypto_value",
    "base_rate",
)


@dataclass
class EngineOutputs:
    # --- (P, T)
    cfads: np.ndarray
    tax: np.ndarray
    debt_service: np.ndarray  # interest due this period + scheduled principal due
    dscr: np.ndarray  # cfads / debt_service; NaN when no debt service is due
    dscr_test: np.ndarray  # trailing-window DSCR used by the covenants; NaN when none
    ltv: np.ndarray  # opening debt / (asset value + crypto held); NaN when no collateral
    proceeds: np.ndarray  # sale, liquidation and crypto proceeds received
    injection: np.ndarray  # equity injected to cover negative cash flow
    dsra_balance: np.ndarray  # end of period
    trap_balance: np.ndarray  # lock-up account, end of period
    distribution: np.ndarray  # paid to equity
    flags: np.ndarray  # int32 bitmask, FLAG_*
    # --- (P, K, T)
    interest_due: np.ndarray  # accrued this period (excl. arrears brought forward)
    interest_paid: np.ndarray
    principal_paid: np.ndarray  # scheduled, swept, prepaid and from proceeds
    pik: np.ndarray  # interest capitalised
    shortfall: np.ndarray  # interest and scheduled principal due but unpaid, end of period
    balance: np.ndarray  # closing balance
    writeoff: np.ndarray  # balance written off (loss)

    @classmethod
    def empty(cls, n_paths: int, n_tranches: int, n_periods: int) -> EngineOutputs:
        pt = (n_paths, n_periods)
        pkt = (n_paths, n_tranches, n_periods)
        out = {}
        for f in fields(cls):
            if f.name == "flags":
                out[f.name] = np.zeros(pt, dtype=np.int32)
            elif f.name in PKT_FIELDS:
                out[f.name] = np.zeros(pkt)
            else:
                out[f.name] = np.zeros(pt)
        return cls(**out)


PKT_FIELDS = (
    "interest_due",
    "interest_paid",
    "principal_paid",
    "pik",
    "shortfall",
    "balance",
    "writeoff",
)
