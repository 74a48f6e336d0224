"""Every key of the exported workbook, declared once: sheet names, the round-trip sheet's marker,
the defined names of the Inputs and Parameters cells, and the column keys of each per-period
grid (``Timeline``, ``Leases``, ``Schedules``, ``CashFlows``).

Defined names (``in_*``, ``p_*``) are part of the workbook: formulas and the import read them.
Column keys are internal (a grid turns them into column letters); they never reach the file.
Keys of one tranche, lease or rank are attributes of a small object built from its index
(``TrancheFlow(0).opening`` is ``"bo0"``).
"""

from __future__ import annotations

# ------------------------------------------------------------------------ sheets
INPUTS = "Inputs"
PARAMETERS = "Parameters"
TIMELINE = "Timeline"
LEASES = "Leases"
SCHEDULES = "Schedules"
CASHFLOWS = "CashFlows"
METRICS = "Metrics"
SCENARIOS = "Scenarios"
MONTECARLO = "MonteCarlo"
RESULTS = "Results"
ROUNDTRIP = "_capstack"  # very hidden: marker, version, the deal JSON
ROUNDTRIP_MARKER = "capstack-deal"  # ROUNDTRIP!A1
ROUNDTRIP_VERSION = 1  # ROUNDTRIP!A2
ROUNDTRIP_FIRST_ROW = 3  # the deal JSON from A3 down, in pieces

# ------------------------------------------------------------------ Inputs names
INPUT_SEP = "__"  # in_<block>__<field>[__<i>]


def input_prefix(name_id: str) -> str:
    """The defined-name prefix of a block's terms (``name_id``: the block id made name-safe)."""
    return f"in_{name_id}{INPUT_SEP}"


# ------------------------------------------------------------- Parameters names
class P:
    """Defined names of the ``Parameters`` rows (``p_*``)."""

    # constants of the engine (core.engine.constants), named so no formula types a number
    EPS = "p_eps"
    TINY = "p_tiny"
    HOURS_PER_YEAR = "p_hours_per_year"
    DAY_COUNT_BASE = "p_day_count_base"
    MONTHS_PER_YEAR = "p_months_per_year"
    PPY_MONTHLY = "p_ppy_monthly"
    PPY_QUARTERLY = "p_ppy_quarterly"
    PPY_ANNUAL = "p_ppy_annual"
    USD_PER_M = "p_usd_per_m"
    THOUSANDS_PER_M = "p_thousands_per_m"
    IRR_LO = "p_irr_lo"
    IRR_HI = "p_irr_hi"
    NO_CAP = "p_no_cap"  # a cap that never binds (an assumed lease has no backstop cap)
    # what follows the latest lease end (codes, named so no formula types them)
    MODE_SELL, MODE_RELET = "p_mode_sell", "p_mode_relet"
    MODE_FORCED, MODE_RELET_DEFAULT = "p_mode_forced", "p_mode_relet_default"
    FIRE_SHARE = "p_fire_share"  # the fleet's share of the market (fire-sale volume)
    DB_RATE = "p_db_rate"  # the declining-balance rate a year
    # the deal's scalars
    PPY = "p_ppy"
    MPP = "p_mpp"
    T = "p_T"
    TAX = "p_tax"
    LOCKUP_DSCR = "p_lockup_dscr"
    LOCKUP_ACTION = "p_lockup_action"
    DEFAULT_DSCR = "p_default_dscr"
    DEFAULT_ACTION = "p_default_action"
    LTV_MAX = "p_ltv_max"
    LTV_ACTION = "p_ltv_action"
    LOOKBACK = "p_lookback"
    LAG = "p_lag"
    MARGIN_LTV = "p_margin_ltv"
    CRYPTO_LIQ_LTV = "p_crypto_liq_ltv"
    DEBT0 = "p_debt0"
    EQUITY0 = "p_equity0"
    FINAL = "p_final"
    DSRA_N = "p_dsra_n"
    DSRA_FUNDED = "p_dsra_funded"
    DSRA0 = "p_dsra0"
    COMM_END = "p_comm_end"
    STOP = "p_stop"
    SALE = "p_sale"


class TrancheParams:
    """``Parameters`` names of the k-th tranche (seniority order)."""

    def __init__(self, k: int) -> None:
        self.mat = f"p_k{k}_mat"
        self.io = f"p_k{k}_io"
        self.sweep = f"p_k{k}_sweep"
        self.n0 = f"p_k{k}_n0"  # drawn at closing (the notional, or a delayed draw's first)
        self.avail = f"p_k{k}_avail"  # delayed draws: first period after availability
        self.dterm = f"p_k{k}_dterm"  # delayed draws: periods of each draw's own term


class DD:
    """Delayed-draw columns and names (:mod:`core.files.excel_draws`): ``Timeline`` (the draw
    schedule and the fleet delivered), ``CashFlows`` (step "draws"), ``Parameters``."""

    ALL, DELIVERED, CAPEX, DISC0 = "dd_all", "dd_deliv", "dd_capex", "dd_disc0"  # Timeline
    PRE, EQUITY, DRAWN = "dd_pre", "dd_eq", "dd_drawn"  # CashFlows
    LENT0 = "p_lent0"  # closing debt plus the draws at their value at closing (LLCR)


class TrancheDraws:
    """Delayed-draw columns of the k-th tranche; ``j``: the j-th draw of its schedule."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.sched = f"dds{k}"  # Timeline: scheduled draw in the period
        self.due = f"ddue{k}"  # CashFlows: scheduled draw still available
        self.drawn, self.undrawn, self.fee = f"ddd{k}", f"ddu{k}", f"ddf{k}"
        self.principal = f"ddp{k}"  # CashFlows: the draws' own schedules summed
        self.plan = f"ddpl{k}"  # Schedules: planned draw on capex (a tranche linked to capex)
        self.accreted = f"ddac{k}"  # Schedules: planned balance by completion (construction)

    def left(self, j: int, where: str) -> str:
        return f"dl{where}{self.k}_{j}"

    def paid(self, j: int, where: str) -> str:
        return f"dp{where}{self.k}_{j}"


class LeaseParams:
    """``Parameters`` names of the j-th lease."""

    def __init__(self, j: int) -> None:
        q = f"p_l{j}_"
        self.r0, self.start, self.end0, self.rn = q + "r0", q + "start", q + "end0", q + "rn"
        self.endall, self.cend, self.term, self.dflt = (
            q + "endall",
            q + "cend",
            q + "term",
            q + "dflt",
        )
        self.stop, self.terminated, self.defaulted = q + "stop", q + "terminated", q + "defaulted"
        self.cap, self.horizon, self.end = q + "cap", q + "horizon", q + "end"
        self.ends, self.sell = q + "ends", q + "sell"
        self.relet_from = q + "relet_from"  # a re_lease recovery re-lets from (period)
        self.lag = q + "lag"  # its search lag (periods)
        self.bs_relet = q + "bs_relet"  # a scope-default backstop pays until (re-let)
        self.hourly = q + "hourly"  # first-period rent when billed by the GPU-hour
        self.called, self.bs_start = q + "called", q + "bs_start"  # the backstop's call
        self.bs_alive, self.bs_ends = q + "bs_alive", q + "bs_ends"  # guarantors, terms


class SponsorParams:
    """``Parameters`` names of the i-th counterparty (a sponsor credit)."""

    def __init__(self, i: int) -> None:
        self.default = f"p_cp{i}_default"


class GuaranteeParams:
    """``Parameters`` names of the i-th guarantee (deal order), and its ``Schedules`` rows."""

    def __init__(self, i: int) -> None:
        self.end, self.floor, self.pays = f"p_g{i}_end", f"p_g{i}_floor", f"p_g{i}_pays"
        self.at_sale, self.on_liquidation = f"rvg_sale{i}", f"rvg_liq{i}"


# ------------------------------------------------------------------ Timeline
class TL:
    """``Timeline`` columns."""

    T = "t"
    START = "start"
    END = "end"
    YEAR = "year"  # calendar year of the period end
    OPS = "ops"  # 1 while operating (before p_stop)
    YS = "ys"  # years from closing at the period's start
    YE = "ye"  # ... at its end
    LAST = "last"
    ACT = "act"  # ACT/360 fraction
    BASE = "base"
    DRATE = "drate"
    DISC = "disc"


class TrancheRate:
    """``Timeline`` columns of the k-th tranche."""

    def __init__(self, k: int) -> None:
        self.yf, self.rate, self.per = f"yf{k}", f"rate{k}", f"per{k}"


# ------------------------------------------------------------------ Leases
class LS:
    """``Leases`` columns."""

    T = "t"
    REVENUE = "revenue"


def flag_bit(bit: int) -> str:
    """The ``Parameters`` name holding the engine's flag ``bit`` (``core.engine.arrays``
    FLAG_*), e.g. ``p_flag16`` for an acceleration: the Flags row adds them, no number typed."""
    return f"p_flag{bit}"


class LeaseCols:
    """``Leases`` columns of the j-th lease."""

    def __init__(self, j: int) -> None:
        self.mkt, self.seg, self.segstart = f"mkt{j}", f"seg{j}", f"segstart{j}"
        self.level, self.rent, self.paid = f"level{j}", f"rent{j}", f"paid{j}"
        self.owed, self.before, self.backstop = f"owed{j}", f"before{j}", f"bs{j}"
        self.exhausted, self.relet = f"exh{j}", f"relet{j}"
        self.walk = f"walk{j}"  # the period the tenant walks away (T: not then)
        self.relet_default, self.relet_expiry = f"reletd{j}", f"relete{j}"


# ------------------------------------------------------------------ Schedules
class SC:
    """``Schedules`` columns."""

    T = "t"
    OPERATING = "operating"
    POWER, FIXED_COSTS, GROWTH = "power", "fixed_costs", "growth"  # opex helper columns
    OPEX = "opex"
    FEES = "fees"
    GPU_COST = "gpu_cost"
    GPU_SL, GPU_DB = "gpu_sl", "gpu_db"  # straight-line and declining-balance book values
    GPU_YEAR, GPU_CURVE_A, GPU_CURVE_B, GPU_CU = "gpu_yr", "gpu_cva", "gpu_cvb", "gpu_cu"
    GPU_STEPS, GPU_SCRAP = "gpu_steps", "gpu_scrap"
    GPU_BOOK = "gpu_book"
    GPU_MV = "gpu_mv"
    FAC_BOOK = "fac_book"
    FAC_MV = "fac_mv"
    DEP_GPU = "dep_gpu"
    DEP_FAC = "dep_fac"
    DEP = "dep"
    MV = "mv"
    SALE_VALUE = "sale_value"
    FORCED_VALUE = "forced_value"
    ASSET_VALUE = "asset_value"
    LIQ_VALUE = "liq_value"
    PROCEEDS = "proceeds"
    GPU_SALVAGE, FIRE_HAIRCUT, SALE_GOT = "gpu_salvage", "fire_haircut", "sale_got"
    RVG_SALE, RVG_LIQ = "rvg_sale", "rvg_liq"
    CRYPTO = "crypto"
    CFADS_PRE = "cfads_pre"
    TAX_BASE = "tax_base"
    CFADS_BASE = "cfads_base"
    DS_BASE = "ds_base"
    DSRA_TARGET = "dsra_target"


class TrancheSchedule:
    """``Schedules`` columns of the k-th tranche's base-case debt schedule."""

    def __init__(self, k: int) -> None:
        self.rate0, self.pmt, self.abal, self.ann = f"r0_{k}", f"pmt{k}", f"abal{k}", f"ann{k}"
        self.straight, self.custom = f"sl{k}", f"cu{k}"
        self.fixed, self.open, self.interest = f"fixed{k}", f"open{k}", f"int{k}"
        self.nonsculpted, self.sculpted, self.sched = f"nons{k}", f"sc{k}", f"sched{k}"


# ------------------------------------------------------------------ CashFlows
class CF:
    """``CashFlows`` columns that are one per period (not per tranche or rank)."""

    # opening
    T, LAST = "t", "last"  # the dates are the sheet's band (excel_grid)
    ALIVE, ACCEL_OPEN, CHELD_OPEN = "alive", "accel_open", "cheld_open"
    DSRA_OPEN, TRAP_OPEN, DEBT_OPEN = "dsra_open", "trap_open", "debt_open"
    # 1 collateral
    CRYPTO, ASSET_VALUE, COLL, LTV = "crypto", "asset_value", "coll", "ltv"
    MARGIN, SELL, CRYPTO_SALE = "margin", "sell", "crypto_sale"
    LIQ, LIQ_CASH, CHELD = "liq", "liq_cash", "cheld"
    RELEASE, RESERVE_CASH, DSRA1, TRAP1 = "release", "reserve_cash", "dsra1", "trap1"
    # 2 CFADS
    REVENUE, OPEX, FEES, EBITDA, TAX, CFADS = "revenue", "opex", "fees", "ebitda", "tax", "cfads"
    DS, DSCR, SALE, CASH0, INJECTION, CASH2 = "ds", "dscr", "sale", "cash0", "injection", "cash2"
    DEBT_OWED = "debt_owed"  # closing debt: the periods min_dscr_window counts
    BALLOON = "balloon"  # principal due at final maturity beyond the schedule: not in the DSCR
    # 4 principal
    CONTROLLING = "controlling"
    # 5 proceeds, 6 DSRA
    MAND, CASH5 = "mand", "cash5"
    DSRA_TGT, TOP, EXCESS, DSRA, CASH6 = "dsra_tgt", "top", "excess", "dsra", "cash6"
    # 7 covenants
    SCF, SDS, TEST, HAS_DEBT, OWING = "scf", "sds", "test", "has_debt", "owing"
    LOCK, DDEF, LTVB, PDEF, DFLT = "lock", "ddef", "ltvb", "pdef", "dflt"
    GO_ACCEL, ACCEL_T, ACCEL = "go_accel", "accel_t", "accel"
    SWEEP_ALL, TRAP_MODE, FLAGS = "sweep_all", "trap_mode", "flags"
    # 8 sweeps
    CASH8, TRAP8, SWEPT, CASH8B = "cash8", "trap8", "swept", "cash8b"
    # 9 lock-up
    SHORT_ANY, HOLD, TRAP9, CURED, TRAP = "short_any", "hold", "trap9", "cured", "trap"
    # 10 distribution
    DISTRIBUTION, ENDS, DEAD, EQUITY_CF = "distribution", "ends", "dead", "equity_cf"


class TrancheFlow:
    """``CashFlows`` columns of the k-th tranche (seniority order), by step."""

    def __init__(self, k: int) -> None:
        self.opening, self.arrears_in = f"bo{k}", f"ao{k}"  # opening
        self.interest_due, self.principal_due = f"ic{k}", f"due{k}"  # 2 CFADS
        self.balloon = f"bln{k}"  # 2 CFADS: principal due beyond the schedule at maturity
        self.owed = f"ow{k}"  # 3 interest
        self.interest_paid, self.pik, self.arrears = f"ipaid{k}", f"pik{k}", f"arr2_{k}"
        self.after_pik = f"b2_{k}"
        self.sched_paid, self.unpaid = f"spaid{k}", f"unp{k}"  # 4 scheduled principal
        self.after_sched, self.shortfall = f"b3_{k}", f"short{k}"
        self.pct_sweep, self.cash_after_sweep = f"psw{k}", f"cs{k}"  # 8 sweeps
        self.after_sweeps = f"b6_{k}"
        self.writeoff, self.closing, self.arrears_out = f"wo{k}", f"bal{k}", f"arr{k}"  # 10
        self.principal_paid, self.to_lenders = f"prin{k}", f"flow{k}"


class RankOpening:
    """``CashFlows`` opening balance of the i-th seniority rank."""

    def __init__(self, i: int) -> None:
        self.opening = f"gopen{i}"


class RankPayment:
    """``CashFlows`` columns of rank i paying what its tranches are owed in one step (``step``:
    ``"i"`` interest, ``"p"`` scheduled principal), from cash then from the DSRA."""

    def __init__(self, step: str, i: int) -> None:
        self.owed, self.paid, self.cash = f"{step}gdue{i}", f"{step}pay{i}", f"{step}cash{i}"
        self.draw, self.dsra, self.share = f"{step}draw{i}", f"{step}dsra{i}", f"{step}frac{i}"


class Prepayment:
    """``CashFlows`` columns of one prepayment in order of seniority (``tag``: ``"m"`` proceeds,
    ``"s"`` cash sweep): per rank balance, paid, amount left and share; per tranche paid."""

    def __init__(self, tag: str, after: str) -> None:
        self.tag, self.after = tag, after

    def rank(self, i: int) -> tuple[str, str, str, str]:
        """(balance, prepaid, amount left, share prepaid) of rank i."""
        t = self.tag
        return f"gb{t}{i}", f"ppay{t}{i}", f"pleft{t}{i}", f"pfrac{t}{i}"

    def paid(self, k: int) -> str:
        return f"pp{self.tag}_{k}"

    def balance_after(self, k: int) -> str:
        return f"{self.after}{k}"


PROCEEDS = Prepayment("m", "b4_")
SWEEP = Prepayment("s", "b5_")


# ------------------------------------------------------------------ interest-rate swaps
class SW:
    """Columns and names of the interest-rate swaps (``Schedules``, ``CashFlows``,
    ``Parameters``), in :mod:`core.files.excel_swaps`."""

    PERIOD_YEARS = "p_period_years"
    # Schedules: the legs summed over swaps
    FLOAT_ACCRUAL, FIXED_LEG = "swfa", "swfl"
    # CashFlows, step "swap"
    DONE_OPEN, OWING_OPEN, ENDS = "sw_done_open", "sw_owing_open", "sw_ends"
    BREAKAGE, SETTLE, DS_PRE, DSCR_PRE = "sw_brk", "sw_settle", "ds_pre", "dscr_pre"
    IN, OWED, PAY, CASH = "sw_in", "sw_owed", "sw_pay", "sw_cash_after"
    NET, LOST, OWING, DONE = "sw_net", "sw_lost", "sw_owing", "sw_done"


class SwapCols:
    """``Schedules`` columns of the j-th swap (deal order)."""

    def __init__(self, j: int) -> None:
        self.start, self.end = f"sw{j}_start", f"sw{j}_end"
        self.notional, self.accrual, self.fixed = f"sw{j}_n", f"sw{j}_fa", f"sw{j}_fl"


# ------------------------------------------------------------------ Checks
class CK:
    """The ``Checks`` sheet (:mod:`core.files.excel_checks`): its names and per-period columns."""

    SHEET = "Checks"
    MASTER, ENGINE = "chk_ok", "chk_engine"  # master (integrity) flag; workbook = CapStack flag
    TOL, REL = "chk_tol", "chk_rel"  # tolerances: USD m, relative
    T, IN, COSTS, INTEREST, PRINCIPAL = "ck_t", "ck_in", "ck_costs", "ck_int", "ck_prin"
    ACCOUNTS, DIST, DIFF = "ck_acc", "ck_dist", "ck_diff"


# ------------------------------------------------------------------ Sensitivity
class SN:
    """The ``Sensitivity`` sheet (:mod:`core.files.excel_sensitivity`): the scenario switch and
    the active case's flex, which CashFlows' revenue and operating costs follow."""

    SHEET = "Sensitivity"
    CASE = "sc_case"
    REVENUE_CUT, OPEX_UP = "sc_rev_cut", "sc_opex_up"
