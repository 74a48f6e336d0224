"""Run a deal and gather what every view shows: periods, tranches, metrics, events.

``run_deal`` is the one entry point the GUI, the command line, the Excel export and the
report use; none of them recompute a number made here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd

from core.engine import metrics as m
from core.engine.arrays import FLAG_LIQUIDATED, FLAG_NAMES, PT, EngineOutputs
from core.engine.compile import CompiledDeal, Drivers, compile_deal
from core.engine.constants import EPS
from core.engine.derived import Derived, net_equity_flow
from core.engine.leverage import LookThrough, look_through
from core.model.deal import Deal

PERIOD_COLUMNS = (
    "revenue",
    "opex",
    "fees",
    "tax",
    "cfads",
    "debt_service",
    "dscr",
    "dscr_test",
    "ltv",
    "asset_value",
    "proceeds",
    "injection",
    "dsra_balance",
    "trap_balance",
    "distribution",
)  # then every other (P, T) output of the kernel, by its declared name (core.engine.arrays)
TRANCHE_COLUMNS = (
    "balance",
    "interest_due",
    "interest_paid",
    "principal_paid",
    "pik",
    "shortfall",
    "writeoff",
    "drawn",
    "undrawn",
    "commitment_fee",
)
#: the per-period series of the JSON output (core/engine/result_json.py), in order, by key:
#: a column of ``DealResult.periods`` or a per-period property of DealResult (derived.py)
JSON_PERIOD_SERIES = {
    "revenue": "revenue",
    "opex": "operating_costs",
    "cfads": "cfads",
    "debt_service": "debt_service",
    "dscr": "dscr",
    "ltv": "ltv",
    "dsra_balance": "dsra_balance",
    "equity_distribution": "net_equity_flow",
}
#: each tranche's series in the JSON output, in order, by key: a ``TRANCHE_COLUMNS`` column
JSON_TRANCHE_SERIES = {
    "balance": "balance",
    "interest": "interest_paid",
    "principal": "principal_paid",
    "shortfall": "shortfall",
    "writeoff": "writeoff",
}


@dataclass
class Event:
    period: int
    date: str
    kind: str
    tranche: str | None = None


@dataclass
class DealResult(Derived):
    """A run's results; the numbers derived from them are :class:`Derived`'s properties."""

    compiled: CompiledDeal
    outputs: EngineOutputs  # all paths (one for a deterministic run)
    periods: pd.DataFrame  # path 0, one row per period, indexed by period end date
    tranches: dict[str, pd.DataFrame]  # by tranche name, in seniority order
    tranche_metrics: pd.DataFrame
    equity_flows: pd.DataFrame  # per equity class, with the investment at closing
    metrics: dict[str, float | str | None]
    events: list[Event] = field(default_factory=list)
    look_through: list[LookThrough] = field(default_factory=list)

    @property
    def sources(self) -> dict[str, float]:
        return self.compiled.sources

    @property
    def uses(self) -> dict[str, float]:
        return self.compiled.uses


def run_deal(deal: Deal, engine: str = "cython", drivers: Drivers | None = None) -> DealResult:
    """Compile and run ``deal``; ``engine`` is ``"cython"`` (compiled per-path compile and
    waterfall) or ``"reference"`` (both NumPy specifications)."""
    from core.engine.kernel import run_waterfall

    compiled = compile_deal(deal, drivers, engine="reference" if engine == "reference" else None)
    out = run_waterfall(compiled.inputs, engine=engine)
    return summarise(compiled, out)


def summarise(compiled: CompiledDeal, out: EngineOutputs, path: int = 0) -> DealResult:
    inp, tl = compiled.inputs, compiled.timeline
    T, ppy = tl.n_periods, tl.periods_per_year
    dates = pd.DatetimeIndex([d.isoformat() for d in tl.end_dates], name="date")

    # after the lenders sell the collateral, or the planned sale winds the SPV up (the
    # kernel's ``dead``), the SPV has no operations left to show
    sold = inp.proceeds[path if inp.proceeds.shape[0] > 1 else 0] > EPS
    liquidated = ((out.flags[path] & FLAG_LIQUIDATED) != 0) | sold
    operating = ~(np.cumsum(liquidated) - liquidated).astype(bool)

    def row(a: np.ndarray) -> np.ndarray:
        return np.broadcast_to(a[path if a.shape[0] > 1 else 0], (T,)) * operating

    periods = pd.DataFrame(
        {
            "revenue": row(inp.revenue),
            "opex": row(inp.opex),
            "fees": row(inp.fees),
            "tax": out.tax[path],
            "cfads": out.cfads[path],
            "debt_service": out.debt_service[path],
            "dscr": out.dscr[path],
            "dscr_test": out.dscr_test[path],
            "ltv": out.ltv[path],
            "asset_value": row(inp.asset_value),
            # delayed draws: the GPUs delivered after closing (paid by the draws, then equity)
            "gpus_delivered": row(np.atleast_2d(_zeros_if_none(inp.draw_capex, T))),
            "proceeds": out.proceeds[path],
            "injection": out.injection[path],
            "dsra_balance": out.dsra_balance[path],
            "trap_balance": out.trap_balance[path],
            "distribution": out.distribution[path],
            "flags": out.flags[path],
        },
        index=dates,
    )
    for f in fields(EngineOutputs):  # a new kernel output is a column with no edit here
        if f.metadata["shape"] == PT and f.name not in periods:
            periods[f.name] = getattr(out, f.name)[path]
    names = [b.terms["name"] for b in compiled.tranches]
    tranches = {
        name: pd.DataFrame({c: getattr(out, c)[path, k] for c in TRANCHE_COLUMNS}, index=dates)
        for k, name in enumerate(names)
    }

    years = tl.years_end
    debt0 = float(inp.notional.sum())
    rows = []
    for k, (b, name) in enumerate(zip(compiled.tranches, names, strict=True)):
        # a delayed draw is lent in its period: the lender's flow is out then
        flows = out.interest_paid[path, k] + out.principal_paid[path, k] - out.drawn[path, k]
        cf = np.concatenate([[-inp.notional[k]], flows])
        lent = float(inp.notional[k] + out.drawn[path, k].sum())
        y = m.irr(cf[None, :])[0]
        loss = float(out.writeoff[path, k].sum())
        rows.append(
            {
                "tranche": name,
                "seniority": b.terms["seniority"],
                "notional": lent,
                "commitment": float(b.terms["notional"]),
                "share_of_capital": np.nan,
                "rate": _rate_label(b.terms),
                "amortisation": b.terms["amortisation"],
                "maturity": tl.end(min(int(inp.maturity[k]), T - 1)).isoformat(),
                "wal_years": m.wal(out.principal_paid[path, k], years),
                "yield": float(m.annualise(y, ppy, effective=False)),
                "loss": loss,
                "loss_pct": loss / lent if lent > 0 else np.nan,
                "interest_shortfall_periods": int((out.shortfall[path, k] > 1e-9).sum()),
            }
        )
    eq_total = sum(b.terms["amount"] for b in compiled.equity)
    capital = debt0 + float(out.drawn[path].sum()) + eq_total  # delayed draws lent later
    for r in rows:
        r["share_of_capital"] = r["notional"] / capital if capital > 0 else np.nan
    tranche_metrics = pd.DataFrame(rows)

    net_equity = net_equity_flow(periods).to_numpy()
    eq = compiled.equity
    split = m.equity_split(
        net_equity,
        [b.terms["amount"] for b in eq],
        [b.terms["first_loss_order"] for b in eq],
        [b.terms["preferred_return"] for b in eq],
        ppy,
    )
    equity_flows = pd.DataFrame(
        {
            b.terms["investor"]: np.concatenate([[-b.terms["amount"]], split[i]])
            for i, b in enumerate(eq)
        },
        index=pd.DatetimeIndex([tl.closing.isoformat()], name="date").append(dates),
    )
    equity_cf = np.concatenate([[-eq_total], net_equity])
    equity_irr = m.annualise(m.irr(equity_cf[None, :])[0], ppy, effective=True)

    dscr = out.dscr[path]
    mn, avg = m.dscr_stats(dscr)
    rate = _weighted_periodic_rate(compiled)
    # cover ratios on all the debt lent: delayed draws at their value at closing
    lent0 = debt0 + float(
        np.sum(
            out.drawn[path].sum(axis=0) * np.cumprod(np.concatenate([[1.0], 1 / (1 + rate[:-1])]))
        )
    )
    final = _final_maturity(inp, T)
    lease_end = int(
        min(
            compiled.sale_period[path]
            if compiled.sale_period.shape[0] > 1
            else compiled.sale_period[0],
            T - 1,
        )
    )
    ltv = out.ltv[path]
    events = _events(out, path, tl, names)
    first = {
        kind: next((e.date for e in events if e.kind == kind), None)
        for kind in ("lock-up", "DSCR default", "LTV breach", "payment default")
    }
    lt = look_through(
        compiled, debt0, {g.id: g.terms["cap"] for g in compiled.deal.of_kind("guarantee")}
    )
    # cover ratios from the first operating period: at closing, or at the completion of a
    # construction phase (the debt then outstanding, the DSRA then held, CFADS from then on)
    con = compiled.level.construction if compiled.level is not None else None
    c0 = con.completion if con is not None and 0 < con.completion < T else 0
    debt_c = lent0 if c0 == 0 else float(out.balance[path, :, c0 - 1].sum())
    dsra_c = inp.dsra_initial if c0 == 0 else float(out.dsra_balance[path, c0 - 1])
    cf_c, rate_c = out.cfads[path, c0:], rate[c0:]
    metrics = {
        "min_dscr": float(mn),
        "avg_dscr": float(avg),
        "llcr": m.cover_ratio(cf_c, rate_c, debt_c, dsra_c, max(final - c0, 0)),
        "plcr": m.cover_ratio(cf_c, rate_c, debt_c, dsra_c, T - 1 - c0),
        "equity_irr": float(equity_irr),
        # why there is no IRR ("" when there is one): shown in its place
        "equity_irr_note": m.irr_note(equity_cf) if not np.isfinite(equity_irr) else "",
        "ltv_at_close": float(ltv[0]) if T else np.nan,
        "ltv_at_lease_end": float(ltv[lease_end]),
        "total_debt": debt0 + float(out.drawn[path].sum()),  # with delayed draws: all lent
        "total_equity": eq_total,
        "debt_loss": float(out.writeoff[path].sum()),
        "first_lockup": first["lock-up"],
        "first_dscr_default": first["DSCR default"],
        "first_ltv_breach": first["LTV breach"],
        "first_payment_default": first["payment default"],
        # the DSCR the covenant tests, on its trailing window, beside the per-period one
        "min_dscr_window": float(m.window_dscr_min(out.dscr_test[path], out.balance[path], EPS)),
        "dscr_window_months": int(inp.lookback) * tl.months_per_period,
        # balloons and bullets: in the debt service, not in the DSCR (shown here instead)
        "balloons": float(out.balloon[path].sum()),
    }
    basis = dscr_basis(metrics, tl.months_per_period)
    metrics["breakeven_cashflow_fall"] = m.breakeven_fall(basis)
    metrics["cashflow_rise_needed"] = m.rise_needed(basis)
    if inp.refi_on is not None:  # balloons refinanced at maturity (core.engine.refinancing)
        metrics["refinanced"] = float(out.refinanced[path].sum())
    if compiled.swaps:  # interest-rate swaps: what they paid, what breaking them cost
        metrics["swap_net_cash"] = float(out.swap_cash[path].sum())
        metrics["swap_breakage"] = float(out.swap_breakage[path].sum())
        metrics["swap_counterparty_loss"] = float(out.swap_writeoff[path].sum())
    return DealResult(
        compiled, out, periods, tranches, tranche_metrics, equity_flows, metrics, events, lt
    )


def _final_maturity(inp, T: int) -> int:
    """The loan life's last period (LLCR): the latest final maturity, a refinanced balloon's
    new tranche's included (it is the same debt, rolled)."""
    if not len(inp.maturity):
        return T - 1
    last = int(inp.maturity.max())
    if inp.refi_on is not None and np.any(inp.refi_on):
        last = max(last, int(np.max(np.where(inp.refi_on != 0, inp.refi_maturity, 0))))
    return int(min(last, T - 1))


def dscr_basis(metrics: dict, months_per_period: int) -> float:
    """The DSCR a reader and the deal check take as the deal's: the lowest on the covenant's
    test window when the window is longer than a period (a semi-annual payer modelled
    quarterly), else the lowest per period (docs/engine.md, "DSCR")."""
    if metrics["dscr_window_months"] > months_per_period and np.isfinite(
        metrics["min_dscr_window"]
    ):
        return float(metrics["min_dscr_window"])
    return float(metrics["min_dscr"])


def _rate_label(t: dict) -> str:
    if t["rate_type"] == "floating":
        return f"Base + {t['spread'] * 100:.2f}%"
    return f"{t['coupon'] * 100:.3f}% fixed"


def _weighted_periodic_rate(compiled: CompiledDeal) -> np.ndarray:
    """Notional-weighted all-in rate per period of the tranches at closing (the debt rate)."""
    inp = compiled.inputs
    if inp.notional.sum() <= 0:
        return np.zeros(compiled.timeline.n_periods)
    base = inp.base_rate[0]
    annual = np.where(
        inp.floating[:, None] == 1, base[None, :] + inp.spread[:, None], inp.fixed_rate[:, None]
    )
    w = inp.notional / inp.notional.sum()
    return (w[:, None] * annual * inp.year_fraction).sum(axis=0)


def _events(out: EngineOutputs, path: int, tl, names: list[str]) -> list[Event]:
    events = []
    prev = 0
    for t in range(tl.n_periods):
        f = int(out.flags[path, t])
        for bit, label in FLAG_NAMES.items():
            if f & bit and not prev & bit:
                events.append(Event(t, tl.end(t).isoformat(), label))
        prev = f
        for k, name in enumerate(names):
            if out.shortfall[path, k, t] > 1e-9 and (
                t == 0 or out.shortfall[path, k, t - 1] <= 1e-9
            ):
                events.append(Event(t, tl.end(t).isoformat(), "shortfall", name))
            if out.writeoff[path, k, t] > 1e-9:
                events.append(Event(t, tl.end(t).isoformat(), "write-off", name))
    return events


def _zeros_if_none(a: np.ndarray | None, T: int) -> np.ndarray:
    return np.zeros(T) if a is None else np.asarray(a, dtype=float)
