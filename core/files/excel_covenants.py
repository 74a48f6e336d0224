"""``CashFlows`` steps after the scheduled debt service: proceeds prepay debt, the DSRA is topped
up or releases its excess, and the covenants are tested (trailing DSCR window, LTV) with their
actions (lock-up, sweep, acceleration). Steps of :mod:`core.files.excel_waterfall`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.engine import arrays as A
from core.files import excel_keys as K
from core.files import excel_style as st
from core.files.excel_construction import CN, not_building
from core.files.excel_grid import Context, Section
from core.files.excel_keys import CF, PROCEEDS, SC, P, flag_bit
from core.files.excel_payments import prepay

if TYPE_CHECKING:
    from core.files.excel_waterfall import Flow

#: the engine's flag bits and the 1/0 column that sets each
FLAG_COLUMNS = (
    (A.FLAG_LOCKUP, CF.LOCK),
    (A.FLAG_DSCR_DEFAULT, CF.DDEF),
    (A.FLAG_LTV_BREACH, CF.LTVB),
    (A.FLAG_PAYMENT_DEFAULT, CF.PDEF),
    (A.FLAG_ACCELERATED, CF.ACCEL),
    (A.FLAG_LIQUIDATED, CF.LIQ),
    (A.FLAG_MARGIN_CALL, CF.MARGIN),
    (A.FLAG_CRYPTO_SOLD, CF.SELL),
)


def proceeds_prepayment(s: Section, ctx: Context, flow: Flow) -> None:
    """Sale, liquidation and crypto proceeds prepay debt, as far as the cash left allows."""
    a, cash = s.at, flow.cash
    s.add(
        CF.MAND,
        "Mandatory prepayment from proceeds",
        lambda t, r: f"MIN({a(cash, r)},{a(CF.SALE, r)})",
    )
    left = prepay(s, ctx, PROCEEDS, CF.MAND, flow)
    s.add(
        CF.CASH5,
        "Cash after prepayment",
        lambda t, r: f"{a(cash, r)}-{a(CF.MAND, r)}+{a(left, r)}",
    )
    flow.cash = CF.CASH5


def dsra(s: Section, ctx: Context, flow: Flow) -> None:
    """The DSRA is topped up to its target from cash, or releases what exceeds it."""
    a, sc, dsra, cash, balances = s.at, ctx.grids[K.SCHEDULES], flow.dsra, flow.cash, flow.balances
    s.add(
        CF.DSRA_TGT,
        "DSRA target",
        lambda t, r: (
            f"IF(AND({s.grid.total(balances, r)}>{P.EPS},{a(CF.RELEASE, r)}=0),"
            f"{sc.ext(SC.DSRA_TARGET, r)},0)"
        ),
    )
    s.add(
        CF.TOP,
        "DSRA top-up",
        lambda t, r: (
            f"IF({a(dsra, r)}<{a(CF.DSRA_TGT, r)},MIN({a(cash, r)},"
            f"{a(CF.DSRA_TGT, r)}-{a(dsra, r)}),0)"
        ),
    )
    s.add(
        CF.EXCESS,
        "DSRA release (excess over target)",
        lambda t, r: f"MAX({a(dsra, r)}+{a(CF.TOP, r)}-{a(CF.DSRA_TGT, r)},0)",
    )
    s.add(
        CF.DSRA,
        "DSRA balance (closing)",
        lambda t, r: f"{a(dsra, r)}+{a(CF.TOP, r)}-{a(CF.EXCESS, r)}",
    )
    s.add(
        CF.CASH6,
        "Cash after DSRA",
        lambda t, r: f"{a(cash, r)}-{a(CF.TOP, r)}+{a(CF.EXCESS, r)}",
    )
    flow.cash, flow.dsra = CF.CASH6, CF.DSRA


def covenants(s: Section, ctx: Context, flow: Flow) -> None:
    """The covenant tests and the actions they trigger; then the flags bitmask."""
    _dscr_test(s, flow)
    _breaches(s)
    _actions(s)
    a = s.at
    s.add(
        CF.FLAGS,
        "Flags (bitmask)",
        lambda t, r: "+".join(f"{flag_bit(bit)}*{a(key, r)}" for bit, key in FLAG_COLUMNS),
        st.INT,
        8,
    )


def _dscr_test(s: Section, flow: Flow) -> None:
    """CFADS and debt service summed over the last ``p_lookback`` periods, and their ratio."""
    g, a, balances = s.grid, s.at, flow.balances

    def window(key: str):
        return lambda t, r: (
            f"SUMPRODUCT(({g.to_row(CF.T, r)}>={a(CF.T, r)}-{P.LOOKBACK}+1)*{g.to_row(key, r)}"
            f"{_operating(r)})"
        )

    def _operating(r: int) -> str:  # construction periods count for nothing in the window
        return f"*(1-{g.to_row(CN.BUILD, r)})" if CN.BUILD in g.index else ""

    s.add(CF.SCF, "CFADS in test window", window(CF.CFADS))
    s.add(
        CF.SDS,
        "Scheduled debt service in test window (balloons not tested)",
        lambda t, r: (
            f"SUMPRODUCT(({g.to_row(CF.T, r)}>={a(CF.T, r)}-{P.LOOKBACK}+1)*"
            f"({g.to_row(CF.DS, r)}-{g.to_row(CF.BALLOON, r)}){_operating(r)})"
        ),
    )
    s.add(
        CF.TEST,
        "DSCR test (trailing window)",
        lambda t, r: f'IF({a(CF.SDS, r)}>{P.EPS},{a(CF.SCF, r)}/{a(CF.SDS, r)},"")',
        st.RATIO,
    )
    s.flag(
        CF.HAS_DEBT,
        "Debt outstanding",
        lambda t, r: f"AND({a(CF.ALIVE, r)}=1,{a(CF.DEBT_OPEN, r)}>{P.EPS})",
    )
    s.flag(
        CF.OWING,
        "Debt owed after payments and proceeds (DSCR tested)",
        lambda t, r: not_building(s, r, f"AND({a(CF.ALIVE, r)}=1,{g.total(balances, r)}>{P.EPS})"),
    )


def _breaches(s: Section) -> None:
    """Lock-up and DSCR default (tested only while debt is owed), LTV breach, payment default
    of the controlling class."""
    a = s.at

    def below(level: str):
        return lambda t, r: (
            f"IF(AND({a(CF.OWING, r)}=1,{level}>0,{a(CF.SDS, r)}>{P.EPS}),"
            f"IF({a(CF.SCF, r)}/{a(CF.SDS, r)}<{level},1,0),0)"
        )

    s.add(CF.LOCK, "Lock-up (DSCR test below lock-up level)", below(P.LOCKUP_DSCR), st.FLAG, 9)
    s.add(CF.DDEF, "DSCR default", below(P.DEFAULT_DSCR), st.FLAG, 9)
    s.add(
        CF.LTVB,
        "LTV breach",
        lambda t, r: (
            f"IF({not_building(s, r, f'AND({a(CF.HAS_DEBT, r)}=1,{P.LTV_MAX}>0)')},"
            f"IF(OR({a(CF.COLL, r)}<={P.EPS},"
            f"{a(CF.DEBT_OPEN, r)}>{P.LTV_MAX}*{a(CF.COLL, r)}),1,0),0)"
        ),
        st.FLAG,
        9,
    )
    s.flag(
        CF.PDEF,
        "Payment default",
        lambda t, r: f"AND({a(CF.HAS_DEBT, r)}=1,{a(CF.CONTROLLING, r)}=1)",
        9,
    )
    s.flag(
        CF.DFLT,
        "Default (DSCR or payment)",
        lambda t, r: f"OR({a(CF.DDEF, r)}=1,{a(CF.PDEF, r)}=1)",
        9,
    )


def _actions(s: Section) -> None:
    """Acceleration (and the period it starts), all spare cash swept, or cash trapped."""
    a = s.at

    def when(flag: str, action: str, choice: str) -> str:
        return f'AND({flag}=1,{action}="{choice}")'

    s.flag(
        CF.GO_ACCEL,
        "Acceleration triggered",
        lambda t, r: (
            f"OR({when(a(CF.DFLT, r), P.DEFAULT_ACTION, 'accelerate')},"
            f"{when(a(CF.LTVB, r), P.LTV_ACTION, 'accelerate')})"
        ),
        9,
    )
    s.add(
        CF.ACCEL_T,
        "Accelerated in period (-1 none)",
        lambda t, r: (
            f"IF(AND({a(CF.GO_ACCEL, r)}=1,{a(CF.ACCEL_OPEN, r)}<0,{a(CF.RELEASE, r)}=0),"
            f"{a(CF.T, r)},{a(CF.ACCEL_OPEN, r)})"
        ),
        st.INT,
        10,
    )
    s.flag(
        CF.ACCEL,
        "Accelerated",
        lambda t, r: f"AND({a(CF.ALIVE, r)}=1,{a(CF.ACCEL_T, r)}>=0,{a(CF.LIQ, r)}=0)",
        9,
    )
    s.flag(
        CF.SWEEP_ALL,
        "All spare cash swept",
        lambda t, r: (
            f"OR({a(CF.ACCEL, r)}=1,{a(CF.LIQ, r)}=1,"
            f"{when(a(CF.DFLT, r), P.DEFAULT_ACTION, 'sweep')},"
            f"{when(a(CF.LOCK, r), P.LOCKUP_ACTION, 'sweep')},"
            f"{when(a(CF.LTVB, r), P.LTV_ACTION, 'sweep')})"
        ),
        9,
    )
    s.flag(
        CF.TRAP_MODE,
        "Cash trapped",
        lambda t, r: (
            f"AND({a(CF.SWEEP_ALL, r)}=0,{a(CF.RELEASE, r)}=0,"
            f"OR({when(a(CF.LOCK, r), P.LOCKUP_ACTION, 'trap')},"
            f"{when(a(CF.LTVB, r), P.LTV_ACTION, 'trap')}))"
        ),
        9,
    )
