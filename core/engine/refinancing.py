"""Refinancing of a tranche's balloon at maturity: the kernel's inputs from the tranches'
refinancing terms (``core.model.kinds.refinancing``). The mechanics are the kernel's
(``_refi_size`` in ``_waterfall.pyx``, the cfads step; ``reference.refi_size``) and
docs/engine.md, "Refinancing"."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from core.engine.constants import EPS
from core.engine.schedules import annuity_payment
from core.engine.timeline import Timeline
from core.model.deal import Block

if TYPE_CHECKING:
    from core.engine.arrays import EngineInputs
    from core.engine.results import DealResult


def refi_maturity(maturity: int, tenor_years: float, tl: Timeline) -> int:
    """Period in which the new tranche falls due: ``tenor_years`` after ``maturity``."""
    return maturity + max(1, tl.periods(tenor_years))


def unit_schedule(kind: str, first: int, last: int, T: int, rate: np.ndarray) -> np.ndarray:
    """The new tranche's scheduled principal per unit refinanced, periods ``first..last``
    (``last`` may lie beyond the horizon: the rest is then due in its last period). An
    annuity is level at the periodic ``rate`` of its first period (the engine's annuity
    convention, docs/engine.md)."""
    out = np.zeros(T)
    n = last - first + 1
    if kind == "bullet" or n <= 0:
        return out
    end = min(last, T - 1) + 1
    if kind == "straight_line":
        out[first:end] = 1.0 / n
        return out
    r = float(rate[min(first, T - 1)])
    pay = annuity_payment(1.0, r, n)
    left = 1.0
    for u in range(first, end):
        out[u] = min(pay - r * left, left)
        left -= out[u]
    return out


def refi_inputs(
    tranches: list[Block], maturities: list[int], tl: Timeline, base: np.ndarray
) -> dict:
    """The ``refi_*`` fields of ``EngineInputs`` (empty when no tranche refinances, so a deal
    without refinancing compiles to exactly the inputs it had before); ``base`` is the deal's
    base-rate curve (T,)."""
    K, T = len(tranches), tl.n_periods
    if not any(b.terms.get("refinance") for b in tranches):
        return {}
    on = np.zeros(K, dtype=np.int32)
    fixed = np.zeros(K, dtype=np.int32)
    mat = np.zeros(K, dtype=np.int32)
    spread, advance, dscr = np.zeros(K), np.zeros(K), np.zeros(K)
    schedule = np.zeros((K, T))
    for k, (b, m) in enumerate(zip(tranches, maturities, strict=True)):
        t = b.terms
        if not t.get("refinance") or m >= T - 1:  # due in the last period: nothing to roll
            continue
        on[k] = 1
        mat[k] = refi_maturity(m, t["refi_tenor_years"], tl)
        spread[k] = t["refi_spread"]
        fixed[k] = t.get("refi_rate_type", "floating") == "fixed"
        advance[k] = t["refi_advance"] if t["refi_sizing"] != "dscr" else 0.0
        dscr[k] = t["refi_dscr"] if t["refi_sizing"] != "advance" else 0.0
        # the annuity is level at its first period's rate: a fixed rate is the base at maturity
        annual = np.full(T, base[m] + spread[k]) if fixed[k] else base + spread[k]
        rate = annual * tl.year_fraction(t["day_count"])
        schedule[k] = unit_schedule(t["refi_amortisation"], m + 1, int(mat[k]), T, rate)
    return {
        "refi_on": on,
        "refi_fixed": fixed,
        "refi_maturity": mat,
        "refi_spread": spread,
        "refi_advance": advance,
        "refi_dscr": dscr,
        "refi_schedule": schedule,
    }


def refi_base(inputs: EngineInputs, base: EngineInputs) -> EngineInputs:
    """``inputs`` with the base case's contracted CFADS and revenue the refinancing's DSCR
    test sizes on (``base``: the inputs of the deal compiled on its own path): CFADS = EBITDA
    - tax on (EBITDA - depreciation), the interest tax shield left out. On a path the kernel
    scales it by the path's revenue in the maturity period against the base case's: the
    lender refinances the contract as it stands then, not the path's future."""
    ebitda = base.revenue[0] - base.opex[0] - base.fees[0]
    cfads = ebitda - base.tax_rate * np.maximum(ebitda - base.depreciation, 0.0)
    return replace(
        inputs,
        refi_cfads=np.ascontiguousarray(cfads, dtype=np.float64),
        refi_revenue=np.ascontiguousarray(base.revenue[0], dtype=np.float64),
    )


@dataclass(frozen=True)
class RefinancingOutcome:
    """What happened to one tranche's balloon at its maturity on a result's first path."""

    tranche: str
    maturity: str  # ISO date the balloon is paid: the end of the maturity period
    balloon: float  # USD m due: the balance at the start of the maturity period
    refinanced: float  # rolled into the new tranche
    paid_from_cash: float
    short: float  # not refinanced and not paid: a shortfall (of the controlling class: default)
    new_maturity: str  # ISO date the new tranche falls due (or the horizon's last period)
    spread: float  # the new tranche's spread over the base rate, at refinancing
    rate_type: str = "floating"  # "fixed": the rate below for the new tranche's life
    rate: float = float("nan")  # its annual rate at refinancing: base rate then + spread

    def to_dict(self) -> dict:
        return asdict(self)

    def rate_text(self) -> str:
        """The new tranche's rate as a reader sees it: "base + 3.50%" (floating) or
        "7.20% fixed (base 3.70% + 3.50%)"."""
        if self.rate_type != "fixed":
            return f"base + {self.spread * 100:.2f}%"
        base = self.rate - self.spread
        return f"{self.rate * 100:.2f}% fixed (base {base * 100:.2f}% + {self.spread * 100:.2f}%)"


def refinancing_outcomes(result: DealResult, path: int = 0) -> list[RefinancingOutcome]:
    """Each tranche with refinancing terms whose maturity falls in the horizon: its balloon and
    how it was met (the amount refinanced is the kernel's own sizing, recomputed by its NumPy
    specification ``reference.refi_size`` from the inputs and this path's opening balance)."""
    from core.engine.arrays import FLAG_ACCELERATED
    from core.engine.reference import refi_size, refi_terms

    inp, out = result.compiled.inputs, result.outputs
    if inp.refi_on is None:
        return []
    K, T = inp.n_tranches, inp.n_periods
    tl = result.compiled.timeline
    names = list(result.tranches)
    r = refi_terms(inp, K, T)
    rows = []
    for k in np.flatnonzero(np.asarray(inp.refi_on) != 0):
        m = int(inp.maturity[k])
        if m >= T - 1:
            continue
        balloon = float(out.balance[path, k, m - 1]) if m > 0 else float(inp.notional[k])
        accelerated = bool((out.flags[path, :m] & FLAG_ACCELERATED).any())
        rolled = 0.0 if accelerated else refi_size(inp, r, int(k), m, balloon, path)
        rolled = rolled if rolled > EPS else 0.0
        paid = min(float(out.principal_paid[path, k, m]), balloon - rolled)
        add = float(r.add[min(path, r.add.shape[0] - 1), m])
        base = float(inp.base_rate[min(path, inp.base_rate.shape[0] - 1), m])
        rows.append(
            RefinancingOutcome(
                names[k],
                tl.end(m).isoformat(),
                balloon,
                rolled,
                paid,
                max(balloon - rolled - paid, 0.0),
                tl.end(min(int(r.maturity[k]), T - 1)).isoformat(),
                float(r.spread[k]) + add,
                "fixed" if r.fixed[k] else "floating",
                base + float(r.spread[k]) + add,
            )
        )
    return rows
