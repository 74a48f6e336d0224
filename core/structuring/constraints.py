"""Structuring constraints: ``min_dscr>=1.30``, ``senior.rating>=A3``, ``senior.el<=0.5%``,
``senior.repaid<=lease``; parsed from text, evaluated on a :class:`Candidate`.

Deal metrics: ``min_dscr``, ``avg_dscr``, ``llcr``, ``plcr`` (x), ``equity_irr``, ``ltv`` (at
close), ``max_ltv`` (highest over the life), ``wacd`` (notional-weighted yield of the debt),
``debt_loss`` (USD m), ``proceeds`` (total debt, USD m). Tranche metrics, as ``TRANCHE.metric``
(``TRANCHE`` is ``senior``, ``junior``, a block id or a tranche name): ``notional``,
``advance_rate`` (debt down to and including the tranche / asset cost), ``ltv`` (the same over
the assets' market value at close), ``wal`` (years), ``repaid`` (the date the base-case
balance reaches zero; a date ``YYYY-MM-DD`` or ``lease``, the end of the longest contracted
lease term), and from the Monte Carlo ``pd``, ``el`` (share of notional) and ``rating``
(the implied rating of :mod:`core.structuring.implied_rating`: a Moody's symbol is compared
with the EL-based rating, an S&P symbol with the PD-based one).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

from core.model.deal import Deal
from core.structuring.candidate import Candidate, Evaluator, StructuringError, resolve
from core.structuring.implied_rating import notch

DEAL_METRICS = (
    "min_dscr",
    "avg_dscr",
    "llcr",
    "plcr",
    "equity_irr",
    "ltv",
    "max_ltv",
    "wacd",
    "debt_loss",
    "proceeds",
)
TRANCHE_METRICS = ("notional", "advance_rate", "ltv", "wal", "repaid", "pd", "el", "rating")
MC_METRICS = ("pd", "el", "rating")
#: the sizing constraints by name -> their text (``{t}`` the tranche, ``{v}`` the value)
SHORTCUTS = {
    "min_dscr": "min_dscr>={v}",
    "avg_dscr": "avg_dscr>={v}",
    "llcr": "llcr>={v}",
    "max_ltv": "{t}.ltv<={v}",
    "advance_rate": "{t}.advance_rate<={v}",
    "repaid_by": "{t}.repaid<={v}",
    "max_pd": "{t}.pd<={v}",
    "max_el": "{t}.el<={v}",
    "rating": "{t}.rating>={v}",
}
#: ratios undefined without debt service (no debt): a floor on them holds
COVER_RATIOS = ("min_dscr", "avg_dscr", "llcr", "plcr")
_PATTERN = re.compile(r"^\s*([A-Za-z0-9_ .\-]+?)\s*(>=|<=)\s*(\S.*?)\s*$")


@dataclass(frozen=True)
class Constraint:
    """``metric op value`` on the deal (``tranche`` None) or on one tranche (its block id)."""

    text: str
    metric: str
    op: str  # ">=" or "<="
    value: float | str  # a number, a rating symbol, a date or "lease"
    tranche: str | None = None

    @property
    def needs_mc(self) -> bool:
        return self.tranche is not None and self.metric in MC_METRICS

    def measure(self, ev: Evaluator, c: Candidate) -> float | str | None:
        """The candidate's value of the metric (None: the tranche is never repaid)."""
        if self.tranche is None:
            return c.metrics()[self.metric]
        v = tranche_metric(ev, c, self.tranche, self.metric)
        return v.against(str(self.value)) if self.metric == "rating" else v

    def holds(self, ev: Evaluator, c: Candidate) -> bool:
        v = self.measure(ev, c)
        if self.metric == "rating":
            a, b = notch(str(v)), notch(str(self.value))  # v is on the target's scale
            return a <= b if self.op == ">=" else a >= b
        if self.metric == "repaid":
            limit = _limit_date(c.deal, str(self.value))
            return v is not None and (v <= limit if self.op == "<=" else v >= limit)
        if isinstance(v, float) and math.isnan(v):
            no_service = float(c.result.periods["debt_service"].abs().sum()) == 0.0
            return self.metric in COVER_RATIOS and self.op == ">=" and no_service
        return v >= self.value if self.op == ">=" else v <= self.value

    def slack(self, ev: Evaluator, c: Candidate) -> float | None:
        """How far the candidate is inside the limit (>= 0 where it holds): 1 - floor / value
        for a positive floor (a cover ratio falls as 1 / notional, so this is about linear in
        the notional), else the gap relative to the limit. None for a rating, a date, a
        default probability (a step in the notional) or a value that is not a finite number.
        Lets the sizing search interpolate (sizing.largest)."""
        if self.metric in ("rating", "repaid", "pd") or not isinstance(self.value, float | int):
            return None
        v = self.measure(ev, c)
        if not isinstance(v, float | int) or not math.isfinite(v):
            return None
        if self.op == ">=" and self.value > 0:  # a floor on a cover ratio, ~ 1 / notional:
            return 1.0 - self.value / v if v > 0 else -1.0  # linear in the notional
        scale = max(abs(float(self.value)), 1e-9)
        return (v - self.value) / scale if self.op == ">=" else (self.value - v) / scale

    def show(self, v: float | str | dt.date | None) -> str:
        if v is None:
            return "never"
        if isinstance(v, str | dt.date):
            return str(v)
        if isinstance(v, float) and math.isnan(v):
            return "n/a"
        if self.metric in ("equity_irr", "ltv", "max_ltv", "wacd", "advance_rate", "pd", "el"):
            return f"{v * 100:.2f}%"
        if self.metric in COVER_RATIOS:
            return f"{v:.3f}x"
        return f"{v:,.2f}"


def least_slack(constraints: list[Constraint], ev: Evaluator, c: Candidate) -> float | None:
    """The smallest slack of ``constraints`` on ``c`` (None when one has none)."""
    values = [k.slack(ev, c) for k in constraints]
    return None if not values or None in values else min(values)


def tranche_metric(ev: Evaluator, c: Candidate, tid: str, metric: str):
    res = c.result
    order = [b.id for b in res.compiled.tranches]
    k = order.index(tid)
    name = res.compiled.tranches[k].terms["name"]
    if metric in MC_METRICS:
        r = ev.with_mc(c).ratings[tid]
        return {"pd": r.probability_of_default, "el": r.expected_loss, "rating": r}[metric]
    tm = res.tranche_metrics.iloc[k]
    if metric == "notional":
        return float(tm["notional"])
    if metric == "wal":
        return float(tm["wal_years"])
    if metric == "repaid":
        bal = res.tranches[name]["balance"]
        tol = 1e-9 * max(float(tm["notional"]), 1.0)
        if float(bal.iloc[-1]) > tol or float(tm["loss"]) > tol:
            return None
        open_ = bal > tol
        idx = int(open_.to_numpy().nonzero()[0].max()) + 1 if open_.any() else 0
        return bal.index[idx].date()
    rank = res.compiled.tranches[k].terms["seniority"]
    above = sum(
        float(n)
        for b, n in zip(res.compiled.tranches, res.tranche_metrics["notional"], strict=True)
        if b.terms["seniority"] <= rank
    )
    if metric == "advance_rate":
        return above / res.compiled.asset_cost if res.compiled.asset_cost > 0 else math.inf
    value = float(res.compiled.asset_value[0, 0])
    return above / value if value > 0 else math.inf  # ltv


def lease_end(deal: Deal) -> dt.date:
    """End of the longest contracted lease term (start + initial term, no renewals)."""
    from core.engine.timeline import add_months

    spv = deal.of_kind("spv")[0]
    closing = dt.date.fromisoformat(spv.terms["closing_date"])
    months = [
        int(b.terms["start_month"]) + round(12 * float(b.terms["term_years"]))
        for b in deal.of_kind("lease")
    ]
    if not months:
        raise StructuringError("repaid<=lease: the deal has no lease")
    return add_months(closing, max(months))


def _limit_date(deal: Deal, value: str) -> dt.date:
    return lease_end(deal) if value == "lease" else dt.date.fromisoformat(value)


def _number(raw: str, where: str) -> float:
    text = raw.strip()
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1], 0.01
    elif text.endswith("x"):
        text = text[:-1]
    try:
        v = float(text) * scale
    except ValueError:
        raise StructuringError(f"{where}: {raw!r} is not a number") from None
    if not math.isfinite(v):
        raise StructuringError(f"{where}: {raw!r} is not a finite number")
    return v


def parse_constraint(text: str, deal: Deal) -> Constraint:
    """One constraint from text; errors name the constraint and what is wrong."""
    where = f"constraint {text!r}"
    m = _PATTERN.match(text)
    if not m:
        raise StructuringError(f"{where}: expected METRIC>=VALUE or TRANCHE.METRIC<=VALUE")
    lhs, op, raw = m.groups()
    tranche, _, metric = lhs.rpartition(".")
    if not tranche:
        if metric not in DEAL_METRICS:
            raise StructuringError(
                f"{where}: unknown metric {metric!r}; deal metrics are {', '.join(DEAL_METRICS)}"
                f", tranche metrics TRANCHE.{{{','.join(TRANCHE_METRICS)}}}"
            )
        return Constraint(text, metric, op, _number(raw, where))
    if metric not in TRANCHE_METRICS:
        raise StructuringError(
            f"{where}: unknown tranche metric {metric!r}; expected one of "
            f"{', '.join(TRANCHE_METRICS)}"
        )
    tid = resolve(deal, tranche)
    if metric == "rating":
        try:
            notch(raw)
        except ValueError as exc:
            raise StructuringError(f"{where}: {exc}") from None
        return Constraint(text, metric, op, raw, tid)
    if metric == "repaid":
        if raw != "lease":
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                raise StructuringError(
                    f"{where}: {raw!r} is not a date (YYYY-MM-DD) or 'lease'"
                ) from None
        return Constraint(text, metric, op, raw, tid)
    return Constraint(text, metric, op, _number(raw, where), tid)
