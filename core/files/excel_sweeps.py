"""``CashFlows`` steps at the bottom of the waterfall: acceleration and cash sweeps, the lock-up
account, and the distribution to equity with write-offs and closing balances. Steps of
:mod:`core.files.excel_waterfall`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.files.excel_draws import lent
from core.files.excel_grid import Context, Section
from core.files.excel_keys import CF, PROCEEDS, SWEEP, P, TrancheFlow, TrancheParams
from core.files.excel_payments import prepay

if TYPE_CHECKING:
    from core.files.excel_waterfall import Flow


def sweeps(s: Section, ctx: Context, flow: Flow) -> None:
    """An acceleration releases trapped cash; a sweep-all action sends the spare cash to debt
    by seniority; then each tranche's percentage sweep, in seniority order."""
    a, cash, trap = s.at, flow.cash, flow.trap
    s.add(
        CF.CASH8,
        "Cash incl. trapped cash released to an acceleration",
        lambda t, r: f"{a(cash, r)}+IF({a(CF.ACCEL, r)}=1,{a(trap, r)},0)",
    )
    s.add(
        CF.TRAP8,
        "Lock-up account after acceleration",
        lambda t, r: f"IF({a(CF.ACCEL, r)}=1,0,{a(trap, r)})",
    )
    s.add(
        CF.SWEPT,
        "Cash swept to debt",
        lambda t, r: f"IF({a(CF.SWEEP_ALL, r)}=1,{a(CF.CASH8, r)},0)",
    )
    left = prepay(s, ctx, SWEEP, CF.SWEPT, flow)
    s.add(
        CF.CASH8B,
        "Cash after sweep",
        lambda t, r: f"{a(CF.CASH8, r)}-{a(CF.SWEPT, r)}+{a(left, r)}",
    )
    flow.cash, flow.trap = CF.CASH8B, CF.TRAP8
    for k in range(ctx.K):
        _percentage_sweep(s, ctx, k, flow)


def _percentage_sweep(s: Section, ctx: Context, k: int, flow: Flow) -> None:
    a, tk, share = s.at, TrancheFlow(k), TrancheParams(k).sweep
    cash, bal = flow.cash, flow.balances[k]
    s.add(
        tk.pct_sweep,
        f"{ctx.tranche_name(k)}: percentage sweep",
        lambda t, r: (
            f"IF(AND({a(CF.SWEEP_ALL, r)}=0,{share}>0),MIN({a(cash, r)}*{share},{a(bal, r)}),0)"
        ),
    )
    s.add(
        tk.cash_after_sweep, "Cash after sweep", lambda t, r: f"{a(cash, r)}-{a(tk.pct_sweep, r)}"
    )
    s.add(
        tk.after_sweeps,
        f"{ctx.tranche_name(k)}: balance after sweeps",
        lambda t, r: f"{a(bal, r)}-{a(tk.pct_sweep, r)}",
    )
    flow.cash, flow.balances[k] = tk.cash_after_sweep, tk.after_sweeps


def lockup(s: Section, ctx: Context, flow: Flow) -> None:
    """Cash is held in the lock-up account while cash is trapped or a class is short; the
    account is released once the tests pass again."""
    a, cash, trap = s.at, flow.cash, flow.trap
    shortfalls = [TrancheFlow(k).shortfall for k in range(ctx.K)]
    s.flag(CF.SHORT_ANY, "Any class short", lambda t, r: f"{s.grid.total(shortfalls, r)}>{P.EPS}")
    s.flag(
        CF.HOLD,
        "Cash held in lock-up account",
        lambda t, r: f"OR({a(CF.TRAP_MODE, r)}=1,AND({a(CF.SHORT_ANY, r)}=1,{a(CF.RELEASE, r)}=0))",
    )
    s.add(
        CF.TRAP9,
        "Lock-up account after trap",
        lambda t, r: f"{a(trap, r)}+IF({a(CF.HOLD, r)}=1,{a(cash, r)},0)",
    )
    s.flag(
        CF.CURED,
        "Tests pass: release lock-up account",
        lambda t, r: (
            f"AND({a(CF.HOLD, r)}=0,{a(CF.LOCK, r)}=0,{a(CF.LTVB, r)}=0,{a(CF.SWEEP_ALL, r)}=0)"
        ),
    )
    s.add(
        CF.TRAP,
        "Lock-up account (closing)",
        lambda t, r: f"IF({a(CF.CURED, r)}=1,0,{a(CF.TRAP9, r)})",
    )
    flow.trap = CF.TRAP


def distribution(s: Section, ctx: Context, flow: Flow) -> None:
    """What is not held goes to equity (with the lock-up account once cured); at the end of the
    debt (release or last period) what is still owed is written off."""
    a, cash = s.at, flow.cash
    s.add(
        CF.DISTRIBUTION,
        "Distribution to equity",
        lambda t, r: (
            f"IF({a(CF.HOLD, r)}=1,0,{a(cash, r)})+IF({a(CF.CURED, r)}=1,{a(CF.TRAP9, r)},0)"
        ),
        total=True,
    )
    s.flag(
        CF.ENDS,
        "Debt ends (release or last period)",
        lambda t, r: f"AND(OR({a(CF.RELEASE, r)}=1,{a(CF.LAST, r)}=1),{a(CF.ALIVE, r)}=1)",
    )
    s.flag(
        CF.DEAD,
        "SPV ended: liquidated or wound up by the planned sale (closing)",
        lambda t, r: f"OR({a(CF.ALIVE, r)}=0,{a(CF.LIQ, r)}=1,{a(CF.LAST, r)}=1)",
    )
    for k in range(ctx.K):
        _closing(s, ctx, k, flow.balances[k])
    closing = [TrancheFlow(k).closing for k in range(ctx.K)]
    s.add(
        CF.DEBT_OWED,
        "Debt outstanding (closing)",
        lambda t, r: s.grid.total(closing, r) if closing else "0",
    )
    s.add(
        CF.EQUITY_CF,
        "Net equity cash flow",
        lambda t, r: f"{a(CF.DISTRIBUTION, r)}-{a(CF.INJECTION, r)}",
        total=True,
    )


def _closing(s: Section, ctx: Context, k: int, bal: str) -> None:
    """A tranche's write-off, closing balance and arrears, principal and cash received."""
    a, tk, nm = s.at, TrancheFlow(k), ctx.tranche_name(k)

    def ends(r) -> str:

        return f"{a(CF.ENDS, r)}=1"

    s.add(
        tk.writeoff,
        f"{nm}: written off",
        lambda t, r: f"IF({ends(r)},{a(bal, r)}+{a(tk.arrears, r)},0)",
        total=True,
    )
    s.add(tk.closing, f"{nm}: closing balance", lambda t, r: f"IF({ends(r)},0,{a(bal, r)})")
    s.add(
        tk.arrears_out,
        f"{nm}: arrears carried forward",
        lambda t, r: f"IF({ends(r)},0,{a(tk.arrears, r)})",
    )
    paid = (tk.sched_paid, PROCEEDS.paid(k), SWEEP.paid(k), tk.pct_sweep)
    s.add(
        tk.principal_paid,
        f"{nm}: principal paid",
        lambda t, r: "+".join(a(p, r) for p in paid),
        total=True,
    )
    s.add(
        tk.to_lenders,
        f"{nm}: cash to lenders",
        lambda t, r: f"{a(tk.interest_paid, r)}+{a(tk.principal_paid, r)}{lent(ctx, k, a, r)}",
        total=True,
    )
