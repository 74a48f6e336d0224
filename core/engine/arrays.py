"""The arrays the waterfall kernel reads and writes, declared once.

``EngineInputs`` is what :mod:`core.engine.compile` makes of a deal (and what the Monte Carlo
makes of a deal plus random drivers). Per-path arrays have shape ``(P, T)``; a first dimension
of 1 means "the same on every path" and is broadcast, so a deterministic run and a batch of
100,000 paths go through the same kernel. Tranches are ordered by seniority (rank 1 first);
``group_start`` marks runs of equal rank, which are paid pro rata.

``EngineOutputs`` holds every number the kernel produces, path by path. Money is in the deal's
unit (USD millions).

Each field is declared with :func:`kernel_field` (its shape class, C type and meaning). These
declarations are the single source of the kernel's plumbing: ``core.engine.codegen`` renders
the Cython context struct, the code that fills it from these dataclasses, the output binding,
the scratch-row layout the Monte Carlo kernel uses and the type stub from them at build time
(``setup.py``). To add an input or an output, declare it here and rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

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
ACTION_NAMES = {TRAP: "TRAP", SWEEP: "SWEEP", ACCELERATE: "ACCELERATE"}

# Shape classes of a kernel field. P paths, T periods, K tranches, G seniority groups.
PATH = "path"  # input (P or 1, T): per path and period, a first dimension of 1 is shared
PERIOD = "period"  # input (T,)
TRANCHE = "tranche"  # input (K,)
TRANCHE_PERIOD = "tranche_period"  # input (K, T), row-major
GROUPS = "groups"  # input (G + 1,): tranche index where each seniority group starts
SCALAR = "scalar"  # input scalar
PT = "pt"  # output (P, T)
PKT = "pkt"  # output (P, K, T)

F64, I32 = "double", "int"


def kernel_field(
    shape: str,
    doc: str,
    ctype: str = F64,
    minimum: int | None = None,
    optional: bool = False,
    **kw,
):
    """A dataclass field of the kernel's declaration: ``shape`` class, C type, meaning.

    ``minimum`` (scalars): the kernel clamps the value up to it. ``optional`` (arrays): the
    field defaults to ``None``, which the kernel reads as zeros of its shape (a per-path one
    as one shared row): a mechanic the deal does not use. Other keyword arguments
    (``default``) go to :func:`dataclasses.field`.
    """
    meta = {"shape": shape, "ctype": ctype, "doc": doc, "minimum": minimum, "optional": optional}
    if optional:
        kw.setdefault("default", None)
    return field(metadata=meta, **kw)


@dataclass
class EngineInputs:
    # fmt: off
    revenue: np.ndarray = kernel_field(PATH, "operating revenue incl. backstop payments and termination fees")  # noqa: E501
    opex: np.ndarray = kernel_field(PATH, "operating costs incl. maintenance capex")
    fees: np.ndarray = kernel_field(PATH, "senior fees (SPV admin, trustee), paid before interest")
    proceeds: np.ndarray = kernel_field(PATH, "planned asset sale proceeds incl. RVG payments: mandatory prepayment")  # noqa: E501
    asset_value: np.ndarray = kernel_field(PATH, "market value of GPUs and facility, for LTV")
    liquidation_value: np.ndarray = kernel_field(PATH, "what a forced sale in that period would raise")  # noqa: E501
    crypto_value: np.ndarray = kernel_field(PATH, "value of pledged crypto collateral")
    base_rate: np.ndarray = kernel_field(PATH, "annual base rate for floating tranches")
    depreciation: np.ndarray = kernel_field(PERIOD, "book depreciation (only used for tax)")
    dsra_target: np.ndarray = kernel_field(PERIOD, "DSRA target balance at the end of each period")
    fixed_rate: np.ndarray = kernel_field(TRANCHE, "annual coupon of fixed tranches")
    spread: np.ndarray = kernel_field(TRANCHE, "spread of floating tranches")
    floating: np.ndarray = kernel_field(TRANCHE, "1 when floating", I32)
    year_fraction: np.ndarray = kernel_field(TRANCHE_PERIOD, "accrual fraction per period (day count)")  # noqa: E501
    notional: np.ndarray = kernel_field(TRANCHE, "opening balance at close")
    scheduled_principal: np.ndarray = kernel_field(TRANCHE_PERIOD, "scheduled repayment (base case)")  # noqa: E501
    maturity: np.ndarray = kernel_field(TRANCHE, "period in which all that is left falls due", I32)
    sweep_pct: np.ndarray = kernel_field(TRANCHE, "share of spare cash swept to this tranche")
    pik: np.ndarray = kernel_field(TRANCHE, "1 when unpaid interest capitalises", I32)
    group_start: np.ndarray = kernel_field(GROUPS, "tranche index where each seniority group starts", I32)  # noqa: E501
    dsra_initial: float = kernel_field(SCALAR, "DSRA balance at close", default=0.0)
    tax_rate: float = kernel_field(SCALAR, "tax rate on positive taxable income", default=0.0)
    lockup_dscr: float = kernel_field(SCALAR, "lock-up DSCR level; 0 disables the test", default=0.0)  # noqa: E501
    default_dscr: float = kernel_field(SCALAR, "default DSCR level; 0 disables the test", default=0.0)  # noqa: E501
    ltv_max: float = kernel_field(SCALAR, "maximum LTV; 0 disables the test", default=0.0)
    lockup_action: int = kernel_field(SCALAR, "TRAP or SWEEP", I32, default=TRAP)
    default_action: int = kernel_field(SCALAR, "ACCELERATE or SWEEP", I32, default=ACCELERATE)
    ltv_action: int = kernel_field(SCALAR, "TRAP, SWEEP or ACCELERATE", I32, default=SWEEP)
    lookback: int = kernel_field(SCALAR, "periods in the DSCR test window", I32, default=1)
    liquidation_lag: int = kernel_field(SCALAR, "periods from acceleration to the forced sale", I32, minimum=1, default=1)  # noqa: E501
    margin_call_ltv: float = kernel_field(SCALAR, "crypto margin-call LTV; 0 when there is no crypto collateral", default=0.0)  # noqa: E501
    crypto_liquidation_ltv: float = kernel_field(SCALAR, "LTV at which pledged crypto is sold", default=0.0)  # noqa: E501
    swap_float_accrual: np.ndarray | None = kernel_field(PERIOD, "interest-rate swaps: sum of notional x year fraction (the floating leg received per unit of base rate)", optional=True)  # noqa: E501
    swap_fixed_leg: np.ndarray | None = kernel_field(PERIOD, "interest-rate swaps: sum of notional x fixed rate x year fraction (the fixed leg paid)", optional=True)  # noqa: E501
    period_years: float = kernel_field(SCALAR, "length of a period in years (discounts a swap's breakage)", default=0.0)  # noqa: E501
    build: np.ndarray | None = kernel_field(PERIOD, "construction: 1 in each planned construction period (no DSCR or LTV test; interest from the Treasury reserve or capitalised)", optional=True)  # noqa: E501
    capex: np.ndarray | None = kernel_field(PATH, "construction: capex spent on the path (the schedule moved by its completion delay); the Treasury reserve pays the share capex-linked draws do not fund, equity what the reserve cannot pay", optional=True)  # noqa: E501
    treasury_initial: float = kernel_field(SCALAR, "construction: Treasury (proceeds) reserve funded at closing", default=0.0)  # noqa: E501
    treasury_yield: float = kernel_field(SCALAR, "construction: periodic yield on the Treasury reserve", default=0.0)  # noqa: E501
    idc_capitalised: int = kernel_field(SCALAR, "construction: 1 when interest during construction is capitalised, 0 when the Treasury reserve pays it", I32, default=0)  # noqa: E501
    # delayed-draw term loans (core/engine/draws.py, steps/draws.pxi); notional is the draw at close
    draw_amount: np.ndarray | None = kernel_field(TRANCHE_PERIOD, "delayed draws: amount scheduled to be drawn at the start of each period after closing", optional=True)  # noqa: E501
    draw_maturity: np.ndarray | None = kernel_field(TRANCHE_PERIOD, "delayed draws: last period of the own schedule of a draw made in that period (the closing draw's in column 0)", I32, optional=True)  # noqa: E501
    draw_rate: np.ndarray | None = kernel_field(TRANCHE_PERIOD, "delayed draws: periodic rate of the annuity of a draw made in that period", optional=True)  # noqa: E501
    draw_amort: np.ndarray | None = kernel_field(TRANCHE, "delayed draws: 0 not a delayed-draw tranche, 1 bullet, 2 annuity, 3 straight line (each draw its own schedule)", I32, optional=True)  # noqa: E501
    draw_io: np.ndarray | None = kernel_field(TRANCHE, "delayed draws: interest-only periods after each draw", I32, optional=True)  # noqa: E501
    draw_end: np.ndarray | None = kernel_field(TRANCHE, "delayed draws: first period after the availability period (the undrawn commitment lapses)", I32, optional=True)  # noqa: E501
    draw_share: np.ndarray | None = kernel_field(TRANCHE, "delayed draws linked to capex: the tranche draws this share of each period's capex (commitment / total capex; 0: on its schedule)", optional=True)  # noqa: E501
    draw_first: np.ndarray | None = kernel_field(TRANCHE, "delayed draws: first period a draw may amortise in (completion on a construction deal; 0: the end of the draw's own interest-only period)", I32, optional=True)  # noqa: E501
    commitment: np.ndarray | None = kernel_field(TRANCHE, "delayed draws: the commitment (0 for other tranches)", optional=True)  # noqa: E501
    commitment_fee_rate: np.ndarray | None = kernel_field(TRANCHE, "delayed draws: annual fee on the undrawn commitment", optional=True)  # noqa: E501
    max_advance: np.ndarray | None = kernel_field(TRANCHE, "delayed draws: borrowing base, debt after a draw / delivered collateral value (0: no test)", optional=True)  # noqa: E501
    draw_capex: np.ndarray | None = kernel_field(PERIOD, "delayed draws: cost of the GPUs delivered at the start of each period after closing (draws, then equity, pay it)", optional=True)  # noqa: E501
    # --- refinancing of a balloon at maturity (docs/engine.md, "Refinancing"); None: none ---
    refi_on: np.ndarray | None = kernel_field(TRANCHE, "refinancing: 1 when the balance left at maturity is refinanced into a new tranche, up to its sizing", I32, optional=True)  # noqa: E501
    refi_maturity: np.ndarray | None = kernel_field(TRANCHE, "refinancing: period in which all of the refinanced tranche falls due", I32, optional=True)  # noqa: E501
    refi_fixed: np.ndarray | None = kernel_field(TRANCHE, "refinancing: 1 when the new tranche's rate is fixed at refinancing (base rate then + spread), 0 floating", I32, optional=True)  # noqa: E501
    refi_spread: np.ndarray | None = kernel_field(TRANCHE, "refinancing: the new tranche's spread over the base rate", optional=True)  # noqa: E501
    refi_advance: np.ndarray | None = kernel_field(TRANCHE, "refinancing: advance rate on the collateral's market value at maturity; 0: no advance test", optional=True)  # noqa: E501
    refi_dscr: np.ndarray | None = kernel_field(TRANCHE, "refinancing: minimum DSCR of the new tranche on the CFADS to its maturity; 0: no DSCR test", optional=True)  # noqa: E501
    refi_schedule: np.ndarray | None = kernel_field(TRANCHE_PERIOD, "refinancing: the new tranche's scheduled principal per unit refinanced", optional=True)  # noqa: E501
    refi_cfads: np.ndarray | None = kernel_field(PERIOD, "refinancing: the base case's contracted CFADS the DSCR test sizes on (scaled on a path by its revenue at maturity against the base case's)", optional=True)  # noqa: E501
    refi_revenue: np.ndarray | None = kernel_field(PERIOD, "refinancing: the base case's revenue (the scale of a path's contracted CFADS at maturity)", optional=True)  # noqa: E501
    refi_advance_cut: np.ndarray | None = kernel_field(PATH, "refinancing market: the maximum advance is 1 - this in that period (1: the market is shut)", optional=True)  # noqa: E501
    refi_spread_add: np.ndarray | None = kernel_field(PATH, "refinancing market: added to the new tranche's spread for a refinancing in that period", optional=True)  # noqa: E501
    # --- end of refinancing ---
    # fmt: on

    @property
    def n_periods(self) -> int:
        return int(self.depreciation.shape[0])

    @property
    def n_tranches(self) -> int:
        return int(self.notional.shape[0])

    @property
    def n_paths(self) -> int:
        return max(
            int(getattr(self, f).shape[0]) for f in PATH_FIELDS if getattr(self, f) is not None
        )

    def with_paths(self, **arrays: np.ndarray) -> EngineInputs:
        """A copy with some per-path arrays replaced (used by scenarios and Monte Carlo)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name, arr in arrays.items():
            if name not in PATH_FIELDS:
                raise KeyError(f"{name} is not a per-path input")
            values[name] = np.ascontiguousarray(np.atleast_2d(arr), dtype=np.float64)
        return EngineInputs(**values)


@dataclass
class EngineOutputs:
    # fmt: off
    cfads: np.ndarray = kernel_field(PT, "cash flow available for debt service")
    tax: np.ndarray = kernel_field(PT, "tax paid")
    debt_service: np.ndarray = kernel_field(PT, "interest due this period + scheduled principal due")  # noqa: E501
    balloon: np.ndarray = kernel_field(PT, "principal due at a tranche's final maturity (or the horizon's last period) beyond its schedule: a balloon or bullet; in debt_service, not in the DSCR")  # noqa: E501
    dscr: np.ndarray = kernel_field(PT, "cfads / (debt_service - balloon), the scheduled debt service; NaN when none is due")  # noqa: E501
    dscr_test: np.ndarray = kernel_field(PT, "trailing-window DSCR used by the covenants; NaN when none")  # noqa: E501
    ltv: np.ndarray = kernel_field(PT, "opening debt / (asset value + crypto held); NaN when no collateral")  # noqa: E501
    proceeds: np.ndarray = kernel_field(PT, "sale, liquidation and crypto proceeds received")
    injection: np.ndarray = kernel_field(PT, "equity injected to cover negative cash flow")
    dsra_balance: np.ndarray = kernel_field(PT, "DSRA balance, end of period")
    trap_balance: np.ndarray = kernel_field(PT, "lock-up account, end of period")
    distribution: np.ndarray = kernel_field(PT, "paid to equity")
    flags: np.ndarray = kernel_field(PT, "bitmask of FLAG_*", I32)
    interest_due: np.ndarray = kernel_field(PKT, "accrued this period (excl. arrears brought forward)")  # noqa: E501
    interest_paid: np.ndarray = kernel_field(PKT, "interest paid")
    principal_paid: np.ndarray = kernel_field(PKT, "scheduled, swept, prepaid and from proceeds")
    pik: np.ndarray = kernel_field(PKT, "interest capitalised")
    shortfall: np.ndarray = kernel_field(PKT, "interest and scheduled principal due but unpaid, end of period")  # noqa: E501
    balance: np.ndarray = kernel_field(PKT, "closing balance")
    writeoff: np.ndarray = kernel_field(PKT, "balance written off (loss)")
    swap_cash: np.ndarray = kernel_field(PT, "net swap cash received (+) or paid (-) by the SPV, breakage included")  # noqa: E501
    swap_breakage: np.ndarray = kernel_field(PT, "value of the swap's remaining settlements to the SPV (+) or the counterparty (-), in the period it is terminated")  # noqa: E501
    swap_arrears: np.ndarray = kernel_field(PT, "swap payments the SPV owes and has not paid, end of period")  # noqa: E501
    swap_writeoff: np.ndarray = kernel_field(PT, "swap arrears left unpaid when the SPV's cash ends (the counterparty's loss)")  # noqa: E501
    treasury_balance: np.ndarray = kernel_field(PT, "construction: Treasury (proceeds) reserve, end of period")  # noqa: E501
    treasury_income: np.ndarray = kernel_field(PT, "construction: yield earned on the Treasury reserve")  # noqa: E501
    capex_paid: np.ndarray = kernel_field(PT, "construction: capex paid out of the Treasury reserve")  # noqa: E501
    treasury_draw: np.ndarray = kernel_field(PT, "construction: Treasury reserve cash into the waterfall (interest during construction; the rest at completion)")  # noqa: E501
    # delayed-draw term loans
    drawn: np.ndarray = kernel_field(PKT, "delayed draws made at the start of the period (the closing draw is the opening balance)")  # noqa: E501
    undrawn: np.ndarray = kernel_field(PKT, "undrawn commitment after the period's draw (0 once the availability period ends)")  # noqa: E501
    commitment_fee: np.ndarray = kernel_field(PKT, "commitment fee on the undrawn commitment (part of interest_due)")  # noqa: E501
    refinanced: np.ndarray = kernel_field(PT, "balance refinanced at maturity into the new tranches (a rollover: no cash)")  # noqa: E501
    # fmt: on

    @classmethod
    def empty(cls, n_paths: int, n_tranches: int, n_periods: int) -> EngineOutputs:
        out = {}
        for f in fields(cls):
            shape = (n_paths, n_tranches, n_periods) if f.metadata["shape"] == PKT else None
            dtype = np.int32 if f.metadata["ctype"] == I32 else np.float64
            out[f.name] = np.zeros(shape or (n_paths, n_periods), dtype=dtype)
        return cls(**out)


def _names(cls: type, *shapes: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.metadata["shape"] in shapes)


PATH_FIELDS = _names(EngineInputs, PATH)
PKT_FIELDS = _names(EngineOutputs, PKT)
