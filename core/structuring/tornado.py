"""Sensitivity tornado: min DSCR, equity IRR and the senior tranche's expected loss when each
input moves down and up by a documented step, one at a time.

The debt stays as structured: every moved deal runs against the unmoved deal's debt schedules
and DSRA target (as a stress does, :mod:`core.risk.stress`), and the senior EL comes from a
Monte Carlo of the moved deal on the same seed and paths as the base (common random numbers),
so a bar is the input's effect, not sampling noise.

Inputs and steps (each applied to every block that has the field; shares clipped to [0, 1]):

========================  ===========================================  ==========
input                     fields                                       step
========================  ===========================================  ==========
rent                      lease annual rent and price per GPU-hour      +- 10%
operating costs           opex power price, maintenance, insurance,     +- 10%
                          maintenance capex, admin fees
base rate                 SPV base rate and base-rate curve             +- 1.00%
debt margin               tranche fixed coupon or floating spread       +- 1.00%
market rent decline       lease market rent decline                     +- 5 pp
GPU value decline         fleet market-value decline                    +- 5 pp
sale haircut              facility orderly-sale haircut                 +- 10 pp
utilisation               GPU-hour lease utilisation                    +- 5 pp
tax rate                  SPV tax rate                                  +- 5 pp
========================  ===========================================  ==========

An input the deal cannot feel (a base rate with fixed-rate debt, GPU value without a fleet,
a facility haircut without a facility, utilisation without GPU-hour billing, a market rent no
lease cash follows) is not run: ``Tornado.not_applicable`` names it with what the deal lacks
(core.risk.applicability), instead of a row of unchanged numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from core.engine.compile import compile_deal
from core.engine.kernel import run_waterfall
from core.engine.results import summarise
from core.model.deal import Deal
from core.risk.applicability import first_missing
from core.risk.montecarlo import MonteCarloConfig, MonteCarloResult, run_montecarlo


def _scale(kind: str, names: tuple[str, ...], step: float) -> Callable[[Deal, int], None]:
    def move(d: Deal, sign: int) -> None:
        for b in d.of_kind(kind):
            for n in names:
                d.set_term(b.id, n, b.terms[n] * (1 + sign * step))

    return move


def _shift(
    kind: str, names: tuple[str, ...], step: float, lo: float = 0.0, hi: float = 1.0
) -> Callable[[Deal, int], None]:
    def move(d: Deal, sign: int) -> None:
        for b in d.of_kind(kind):
            for n in names:
                v = b.terms[n]
                if isinstance(v, list):
                    d.set_term(b.id, n, [min(max(x + sign * step, lo), hi) for x in v])
                else:
                    d.set_term(b.id, n, min(max(v + sign * step, lo), hi))

    return move


def _debt_margin(step: float) -> Callable[[Deal, int], None]:
    def move(d: Deal, sign: int) -> None:
        for b in d.of_kind("tranche"):
            n = "spread" if b.terms["rate_type"] == "floating" else "coupon"
            d.set_term(b.id, n, min(max(b.terms[n] + sign * step, 0.0), 0.5))

    return move


@dataclass(frozen=True)
class TornadoInput:
    key: str
    label: str
    step: str  # how the input moves, for tables
    move: Callable[[Deal, int], None] = field(repr=False)
    #: what the deal must hold for the input to move anything (core.risk.applicability.NEEDS)
    needs: tuple[str, ...] = ()


INPUTS: tuple[TornadoInput, ...] = (
    TornadoInput("rent", "Rent", "+-10%",
                 _scale("lease", ("annual_rent", "price_per_gpu_hour"), 0.10)),
    TornadoInput("opex", "Operating costs", "+-10%",
                 _scale("opex", ("power_price", "maintenance", "insurance", "maintenance_capex",
                                 "admin_fees"), 0.10)),
    TornadoInput("base_rate", "Base rate", "+-1.00%",
                 _shift("spv", ("base_rate", "base_rate_curve"), 0.01, -0.05, 0.5),
                 ("floating_debt",)),
    TornadoInput("debt_margin", "Debt coupon / margin", "+-1.00%", _debt_margin(0.01)),
    TornadoInput("rent_decline", "Market rent decline", "+-5 pp",
                 _shift("lease", ("market_rent_decline",), 0.05), ("market_rent",)),
    TornadoInput("gpu_value", "GPU value decline", "+-5 pp",
                 _shift("gpu_fleet", ("mv_decline",), 0.05), ("gpu_fleet",)),
    TornadoInput("sale_haircut", "Sale haircut", "+-10 pp",
                 _shift("facility", ("sale_haircut",), 0.10), ("facility",)),
    TornadoInput("utilisation", "Utilisation", "+-5 pp",
                 _shift("lease", ("utilisation",), 0.05), ("gpu_hour_lease",)),
    TornadoInput("tax_rate", "Tax rate", "+-5 pp", _shift("spv", ("tax_rate",), 0.05)),
)  # fmt: skip
OUTPUTS = {"min_dscr": "min DSCR", "equity_irr": "equity IRR", "senior_el": "senior EL"}


@dataclass
class TornadoRow:
    key: str
    label: str
    step: str
    low: dict[str, float]  # output -> value with the input moved down
    high: dict[str, float]  # ... moved up

    def swing(self, output: str) -> float:
        a, b = self.low[output], self.high[output]
        if not (math.isfinite(a) and math.isfinite(b)):
            return math.inf if math.isfinite(a) != math.isfinite(b) else 0.0
        return abs(b - a)


@dataclass
class Tornado:
    deal: str
    base: dict[str, float]
    rows: list[TornadoRow]
    paths: int
    seed: int
    #: (key, label, what the deal lacks) of the inputs not run: they cannot move this deal
    not_applicable: list[tuple[str, str, str]] = field(default_factory=list)

    def ranked(self, output: str) -> list[TornadoRow]:
        """The rows by swing of ``output``, widest first (the tornado's order)."""
        return sorted(self.rows, key=lambda r: -r.swing(output))

    def to_dict(self) -> dict:
        def clean(d: dict) -> dict:
            return {k: (v if math.isfinite(v) else None) for k, v in d.items()}

        return {
            "deal": self.deal,
            "paths": self.paths,
            "seed": self.seed,
            "base": clean(self.base),
            "inputs": [
                {
                    "input": r.key,
                    "label": r.label,
                    "step": r.step,
                    "low": clean(r.low),
                    "high": clean(r.high),
                }
                for r in self.rows
            ],  # fmt: skip
            "order": {o: [r.key for r in self.ranked(o)] for o in OUTPUTS},
            "not_applicable": [
                {"input": k, "label": label, "reason": why} for k, label, why in self.not_applicable
            ],
        }


def _outputs(
    deal: Deal,
    sized_on: Deal,
    sized,
    mc: MonteCarloConfig | None,
    ran: MonteCarloResult | None = None,
) -> dict[str, float]:
    """``ran``: the Monte Carlo of ``deal`` on ``mc`` already run (its senior EL is reused)."""
    compiled = compile_deal(deal, sized=sized)
    res = summarise(compiled, run_waterfall(compiled.inputs))
    el = math.nan
    if mc is not None and compiled.tranches:
        if ran is None:
            ran = run_montecarlo(deal, mc, sized_on=sized_on)
        el = ran.tranches[0]["expected_loss"]
    return {"min_dscr": res.metrics["min_dscr"], "equity_irr": res.metrics["equity_irr"],
            "senior_el": el}  # fmt: skip


def tornado(
    deal: Deal,
    mc: MonteCarloConfig | None = None,
    inputs: tuple[TornadoInput, ...] = INPUTS,
    progress: Callable[[int, int], None] | None = None,
    base_mc: MonteCarloResult | None = None,
) -> Tornado:
    """Move each input down and up by its step; ``mc`` None leaves the senior EL out.

    ``base_mc``: the Monte Carlo of the unmoved ``deal`` on ``mc`` already run (a report's),
    whose senior EL is then the base case's, not a second run of the same paths; its paths,
    seed and market model must be ``mc``'s (the moved deals run on them: common random
    numbers)."""
    if base_mc is not None:
        c = base_mc.config
        if mc is None or (c.n_paths, c.seed, c.model) != (mc.n_paths, mc.seed, mc.model):
            raise ValueError(
                "base_mc must be a Monte Carlo on the tornado's own paths, seed and model"
            )
    sized = compile_deal(deal)
    base = _outputs(deal, deal, sized, mc, base_mc)
    rows, not_applicable = [], []
    for i, inp in enumerate(inputs):
        why = first_missing(deal, inp.needs)
        if why is not None:
            not_applicable.append((inp.key, inp.label, why))
            if progress is not None:
                progress(i + 1, len(inputs))
            continue
        values = []
        for sign in (-1, 1):
            d = deal.copy()
            inp.move(d, sign)
            values.append(_outputs(d, deal, sized, mc))
        rows.append(TornadoRow(inp.key, inp.label, inp.step, values[0], values[1]))
        if progress is not None:
            progress(i + 1, len(inputs))
    return Tornado(
        deal.name, base, rows, mc.n_paths if mc else 0, mc.seed if mc else 0, not_applicable
    )
