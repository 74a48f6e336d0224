# GENERATED from core/engine/_waterfall.pyi.tp by core/engine/codegen.py: do not edit.
"""Type stub of the compiled waterfall kernel (core/engine/_waterfall.pyx)."""

from core.engine.arrays import EngineInputs, EngineOutputs

ABI_VERSION: int
EPS: float

def waterfall(inputs: EngineInputs, outputs: EngineOutputs, n_threads: int = 1) -> None:
    """Run every path of ``inputs`` into ``outputs`` (preallocated, fully overwritten).

    Outputs, in declaration order:
    ``cfads`` (P, T): cash flow available for debt service
    ``tax`` (P, T): tax paid
    ``debt_service`` (P, T): interest due this period + scheduled principal due
    ``balloon`` (P, T): principal due at a tranche's final maturity (or the horizon's last
        period) beyond its schedule: a balloon or bullet; in debt_service, not in the DSCR
    ``dscr`` (P, T): cfads / (debt_service - balloon), the scheduled debt service; NaN when none
        is due
    ``dscr_test`` (P, T): trailing-window DSCR used by the covenants; NaN when none
    ``ltv`` (P, T): opening debt / (asset value + crypto held); NaN when no collateral
    ``proceeds`` (P, T): sale, liquidation and crypto proceeds received
    ``injection`` (P, T): equity injected to cover negative cash flow
    ``dsra_balance`` (P, T): DSRA balance, end of period
    ``trap_balance`` (P, T): lock-up account, end of period
    ``distribution`` (P, T): paid to equity
    ``flags`` (P, T, int32): bitmask of FLAG_*
    ``interest_due`` (P, K, T): accrued this period (excl. arrears brought forward)
    ``interest_paid`` (P, K, T): interest paid
    ``principal_paid`` (P, K, T): scheduled, swept, prepaid and from proceeds
    ``pik`` (P, K, T): interest capitalised
    ``shortfall`` (P, K, T): interest and scheduled principal due but unpaid, end of period
    ``balance`` (P, K, T): closing balance
    ``writeoff`` (P, K, T): balance written off (loss)
    ``swap_cash`` (P, T): net swap cash received (+) or paid (-) by the SPV, breakage included
    ``swap_breakage`` (P, T): value of the swap's remaining settlements to the SPV (+) or the
        counterparty (-), in the period it is terminated
    ``swap_arrears`` (P, T): swap payments the SPV owes and has not paid, end of period
    ``swap_writeoff`` (P, T): swap arrears left unpaid when the SPV's cash ends (the
        counterparty's loss)
    ``treasury_balance`` (P, T): construction: Treasury (proceeds) reserve, end of period
    ``treasury_income`` (P, T): construction: yield earned on the Treasury reserve
    ``capex_paid`` (P, T): construction: capex paid out of the Treasury reserve
    ``treasury_draw`` (P, T): construction: Treasury reserve cash into the waterfall (interest
        during construction; the rest at completion)
    ``drawn`` (P, K, T): delayed draws made at the start of the period (the closing draw is the
        opening balance)
    ``undrawn`` (P, K, T): undrawn commitment after the period's draw (0 once the availability
        period ends)
    ``commitment_fee`` (P, K, T): commitment fee on the undrawn commitment (part of
        interest_due)
    ``refinanced`` (P, T): balance refinanced at maturity into the new tranches (a rollover: no
        cash)
    """
