"""Where each column of the period table and each series of the results charts comes from:
its definition, its formula and the line of the exported workbook's ``CashFlows`` sheet that
computes it again (``core.report.trace`` does the same for the key metrics).

A trace is keyed as the GUI keys its data: an engine period column (``DealResult.periods``),
``tranche:<column>`` for a per-tranche column (``DealResult.tranches``), ``use:<key>`` for a
part of the waterfall chart's stack (``DealResult.cash_uses``) and the derived series
``debt_outstanding`` and ``cash_in``. :func:`excel_layout` builds the model sheets of the
export in memory and says which cells hold a line (``CashFlows!E57:BL57``) and one period of
it; nothing here computes a number of the deal.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.engine.derived import CASH_USES
from core.engine.results import DealResult
from core.files import excel_grid
from core.files.excel_keys import CF, SW, TrancheFlow
from core.model.deal import Deal


@dataclass(frozen=True)
class SeriesTrace:
    key: str
    label: str
    definition: str
    formula: str
    excel: str | None = None  # its CashFlows line key (a TrancheFlow attribute per tranche)
    reads: tuple[str, ...] = ()  # the period columns its formula reads (same keys)

    def describe(self, where: str | None = None) -> str:
        """``label: definition``, the formula and, when given, where the workbook has it."""
        text = f"{self.label}: {self.definition}\nFormula: {self.formula}"
        return text + (f"\nExcel: {where}" if where else "")


def _traces(*items: SeriesTrace) -> dict[str, SeriesTrace]:
    return {t.key: t for t in items}


_DS = "interest due + scheduled principal due (+ net swap settlement on a swapped deal)"
#: the engine's period columns, as the period table shows them
PERIOD_TRACES: dict[str, SeriesTrace] = _traces(
    SeriesTrace("revenue", "Revenue", "lease and contract cash received in the period "
                "(after tenant defaults, walk-aways, backstops and re-leasing)",
                "sum over leases of the rent paid", CF.REVENUE),
    SeriesTrace("opex", "Opex", "operating costs of the operating assets (power, fixed costs)",
                "power + fixed costs, grown by the cost index", CF.OPEX),
    SeriesTrace("fees", "Fees", "senior fees paid ahead of debt service (management, agency)",
                "fee schedule of the deal", CF.FEES),
    SeriesTrace("tax", "Tax", "cash tax on the SPV's taxable profit",
                "tax rate x max(revenue - opex - fees - depreciation - interest due, 0)",
                CF.TAX, ("revenue", "opex", "fees")),
    SeriesTrace("cfads", "CFADS", "cash flow available for debt service",
                "revenue - opex - fees - tax", CF.CFADS, ("revenue", "opex", "fees", "tax")),
    SeriesTrace("debt_service", "Debt service", "what the debt is due in the period", _DS,
                CF.DS),
    SeriesTrace("balloon", "Balloon", "principal due at a final maturity (or the horizon) "
                "beyond the schedule: a balloon or bullet, paid or refinanced, not in the DSCR",
                "principal due - scheduled principal, at final maturity", CF.BALLOON),
    SeriesTrace("dscr", "DSCR", "debt service coverage of the period on its scheduled debt "
                "service (blank when nothing is due)", "CFADS / (debt service - balloon)",
                CF.DSCR, ("cfads", "debt_service", "balloon")),
    SeriesTrace("dscr_test", "DSCR tested", "the coverage the covenants test: over the "
                "trailing test window", "sum of CFADS over the window / sum of scheduled debt "
                "service over the window", CF.TEST, ("cfads", "debt_service", "balloon")),
    SeriesTrace("ltv", "LTV", "debt outstanding as the period starts over the collateral's "
                "market value", "opening debt / (asset market value + crypto held)", CF.LTV,
                ("asset_value",)),
    SeriesTrace("asset_value", "Asset value", "market value of the collateral (GPUs on their "
                "value curve, facilities; with the SPV's going-concern yield, the leased "
                "assets' going-concern value when higher while a lease performs)",
                "sum over assets of the market value (or the going-concern value)",
                CF.ASSET_VALUE),
    SeriesTrace("proceeds", "Sale proceeds", "cash from the planned sale, a liquidation or "
                "crypto sold", "sale + liquidation + crypto proceeds", CF.SALE),
    SeriesTrace("injection", "Equity injection", "equity the sponsor puts in to cover a "
                "deficit of cash before debt service", "max(-(CFADS + proceeds + reserves "
                "released), 0)", CF.INJECTION, ("cfads", "proceeds")),
    SeriesTrace("dsra_balance", "DSRA balance", "the debt service reserve account at the "
                "period's end", "opening + top-up - draws - release", CF.DSRA),
    SeriesTrace("trap_balance", "Lock-up account", "cash trapped by a lock-up at the "
                "period's end", "opening + cash trapped - releases", CF.TRAP),
    SeriesTrace("distribution", "Distribution", "cash paid to the equity after debt service, "
                "reserves, sweeps and lock-up", "cash left at the end of the waterfall",
                CF.DISTRIBUTION),
    SeriesTrace("swap_cash", "Swap net cash", "what the swaps paid the SPV (+) or cost it (-)",
                "floating leg received - fixed leg paid, after arrears", SW.NET),
    SeriesTrace("swap_breakage", "Swap breakage", "termination value settled when a swap "
                "ends early (to the SPV + / counterparty -)", "mark-to-market of the "
                "remaining legs at the period's rates", SW.BREAKAGE),
    SeriesTrace("swap_arrears", "Swap arrears", "swap payments owed and not yet paid",
                "opening + unpaid settlement and breakage - paid", SW.OWING),
    SeriesTrace("refinanced", "Refinanced at maturity", "the balloon rolled into a new "
                "tranche (floating or fixed) at its legal final maturity (what the market "
                "lends)", "min(balance due, advance x collateral value, DSCR-sized amount)"),
    SeriesTrace("flags", "Events", "covenant and default events of the period",
                "the flags of the covenant step (lock-up, DSCR default, LTV breach, payment "
                "default, acceleration...)", CF.FLAGS),
)  # fmt: skip

#: per-tranche columns (DealResult.tranches); ``excel`` names the TrancheFlow attribute
TRANCHE_TRACES: dict[str, SeriesTrace] = _traces(
    SeriesTrace("balance", "balance", "principal outstanding at the period's end",
                "opening + PIK - principal paid - written off", "closing"),
    SeriesTrace("interest_paid", "interest paid", "interest paid in the period, by "
                "seniority, pro rata within a rank, from cash then the DSRA",
                "interest owed x share of it the cash covers", "interest_paid"),
    SeriesTrace("principal_paid", "principal paid", "principal repaid in the period",
                "scheduled + prepaid from proceeds + cash sweep", "principal_paid"),
    SeriesTrace("shortfall", "shortfall", "interest and scheduled principal due and not paid",
                "interest arrears + unpaid scheduled principal", "shortfall"),
    SeriesTrace("writeoff", "write-off", "principal the lenders never get back (when the deal "
                "ends with debt outstanding)", "balance + arrears in the period the deal "
                "ends, else 0", "writeoff"),
)  # fmt: skip

#: the waterfall chart's stack (DealResult.cash_uses) and the derived series
SERIES_TRACES: dict[str, SeriesTrace] = _traces(
    SeriesTrace("use:costs", CASH_USES["costs"], "what the period's costs took",
                "opex + fees + tax"),
    SeriesTrace("use:interest", CASH_USES["interest"], "interest paid to every tranche",
                "sum over tranches of interest paid"),
    SeriesTrace("use:principal", CASH_USES["principal"], "principal repaid to every tranche",
                "sum over tranches of principal paid"),
    SeriesTrace("use:dsra", CASH_USES["dsra"], "cash put into the debt service reserve "
                "(negative: released from it)", "DSRA closing - DSRA opening"),
    SeriesTrace("use:swap", CASH_USES["swap"], "net swap payment (negative: received)",
                "-(swap net cash)"),
    SeriesTrace("use:trap", CASH_USES["trap"], "cash trapped by a lock-up (negative: "
                "released)", "lock-up account closing - opening"),
    SeriesTrace("use:gpus", CASH_USES["gpus"], "equity's share of the GPUs delivered with "
                "delayed draws (in its injection)", "GPUs delivered - drawn"),
    SeriesTrace("use:distribution", CASH_USES["distribution"], "cash paid to the equity",
                "the period's distribution", CF.DISTRIBUTION),
    SeriesTrace("debt_outstanding", "Debt outstanding", "principal of every tranche at the "
                "period's end", "sum over tranches of the closing balance"),
    SeriesTrace("cash_in", "Revenue + sale proceeds + injections", "all the cash the SPV had "
                "in the period (with a construction phase, also what the Treasury reserve "
                "pays in)", "revenue + sale proceeds + equity injection + Treasury draw"),
)  # fmt: skip


def trace_of(key: str) -> SeriesTrace:
    """The trace of ``key`` (a period column, ``tranche:<column>``, ``use:<key>`` or a derived
    series); KeyError for anything else."""
    if key.startswith("tranche:"):
        return TRANCHE_TRACES[key.split(":", 1)[1]]
    return PERIOD_TRACES.get(key) or SERIES_TRACES[key]


def excel_key(key: str, k: int | None = None) -> str | None:
    """The CashFlows line key of ``key`` (``k``: the tranche's seniority position)."""
    trace = trace_of(key)
    if trace.excel is None:
        return None
    return getattr(TrancheFlow(k), trace.excel) if key.startswith("tranche:") else trace.excel


class ExcelLayout:
    """Where the exported workbook of one deal holds each line (see :func:`excel_layout`)."""

    def __init__(self, grid: excel_grid.Grid, tranches: list[str]) -> None:
        self.grid = grid
        self.tranches = tranches  # tranche names in seniority order (the workbook's k)

    def _key(self, key: str, tranche: str | None) -> str | None:
        k = self.tranches.index(tranche) if tranche is not None else None
        found = excel_key(key, k)
        return found if found in self.grid.index else None

    def label(self, key: str, tranche: str | None = None) -> str | None:
        """The line's label on the sheet (None: the workbook has no such line)."""
        found = self._key(key, tranche)
        return None if found is None else self.grid.columns[self._position_of(found)].header

    def _position_of(self, found: str) -> int:
        return next(i for i, c in enumerate(self.grid.columns) if c.key == found)

    def line(self, key: str, tranche: str | None = None) -> str | None:
        """``CashFlows!$E$57:$BL$57``: the cells of every period (None: no such line)."""
        found = self._key(key, tranche)
        return None if found is None else self.grid.col_range(found, sheet=True)

    def cell(self, key: str, t: int, tranche: str | None = None) -> str | None:
        """``CashFlows!G57``: the cell of period ``t`` (0: the first period after closing)."""
        found = self._key(key, tranche)
        return None if found is None else self.grid.ext(found, _position(self.grid, t))

    def where(self, key: str, tranche: str | None = None) -> str | None:
        """``CashFlows line 'CFADS' (CashFlows!$E$57:$BL$57)`` for a tooltip."""
        line = self.line(key, tranche)
        if line is None:
            return None
        return f"{self.grid.sheet} line '{self.label(key, tranche)}' ({line})"


def _position(grid: excel_grid.Grid, t: int) -> int:
    """Where period ``t`` sits on the grid (its column: time runs across)."""
    return grid.first + t


def excel_layout(result: DealResult, deal: Deal | None = None) -> ExcelLayout:
    """The CashFlows layout of the exported workbook of ``deal`` (default: the deal of
    ``result``): its model sheets built in memory, 0.1-0.5 s, no scenarios, no Monte Carlo."""
    from core.files.excel_export import model_grids
    from core.files.excel_keys import CASHFLOWS

    grids = model_grids(result.compiled.deal if deal is None else deal, result)
    names = [b.terms["name"] for b in result.compiled.tranches]
    return ExcelLayout(grids[CASHFLOWS], names)
