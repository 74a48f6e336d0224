"""Two structures side by side: deal A (e.g. the saved file, the deal before an edit) against
deal B (another file, the deal after the edit, an optimiser's result).

:func:`compare_deals` runs both through the engine (base case, the built-in stresses and, when
asked, a Monte Carlo with the same seed) and returns a :class:`Comparison`: each number of A and
B with the difference B - A and whether B is better, worse or the same for a lender; the two
capital stacks; and what changed in the structure (blocks added or removed, terms changed).
The GUI's compare window, ``python main.py compare`` and the report's compare page lay these
out; none of them computes a number.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.engine.results import DealResult, run_deal
from core.model.deal import Deal
from core.risk.montecarlo import MonteCarloConfig, MonteCarloResult, run_montecarlo
from core.risk.scenarios import BUILTIN
from core.risk.stress import run_stressed

#: a difference smaller than this (relative to the larger magnitude) is "same"
SAME = 1e-9
BETTER, WORSE, EQUAL, NEUTRAL = "better", "worse", "same", "changed"

#: DealResult.metrics key -> (label, kind, +1 higher is better / -1 lower is better / 0)
KEY_METRICS: tuple[tuple[str, str, str, int], ...] = (
    ("min_dscr", "Min DSCR", "ratio", 1),
    ("avg_dscr", "Avg DSCR", "ratio", 1),
    ("llcr", "LLCR", "ratio", 1),
    ("plcr", "PLCR", "ratio", 1),
    ("breakeven_cashflow_fall", "Break-even fall in cash flow", "pct", 1),
    ("equity_irr", "Equity IRR", "pct", 0),
    ("ltv_at_close", "LTV at close", "pct", -1),
    ("ltv_at_lease_end", "LTV at lease end", "pct", -1),
    ("total_debt", "Total debt (USD m)", "money", 0),
    ("total_equity", "Total equity (USD m)", "money", 0),
    ("debt_loss", "Debt loss (USD m)", "money", -1),
)
#: per stress: (metric key, label, kind, direction)
STRESS_METRICS = (
    ("min_dscr", "min DSCR", "ratio", 1),
    ("equity_irr", "equity IRR", "pct", 0),
    ("debt_loss", "debt loss (USD m)", "money", -1),
)


@dataclass(frozen=True)
class Row:
    """One number of A and of B. ``verdict``: what B's value means for a lender against A's
    (better / worse / same; "changed" for a number with no better side)."""

    label: str
    kind: str  # ratio, pct, money, text
    a: float | str | None
    b: float | str | None
    direction: int = 0

    @property
    def delta(self) -> float | None:
        if not (_number(self.a) and _number(self.b)):
            return None
        return float(self.b) - float(self.a)

    @property
    def verdict(self) -> str:
        d = self.delta
        if d is None:
            return EQUAL if self.a == self.b else NEUTRAL
        scale = max(abs(float(self.a)), abs(float(self.b)), 1e-12)
        if abs(d) <= SAME * scale:
            return EQUAL
        if self.direction == 0:
            return NEUTRAL
        return BETTER if d * self.direction > 0 else WORSE


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(float(v))


@dataclass(frozen=True)
class Change:
    """A structural difference: a block only in A or B, or a term that differs."""

    block: str  # the block's title (in B when it is in both)
    what: str  # "added", "removed" or the term's label
    a: str = ""
    b: str = ""


@dataclass
class Comparison:
    names: tuple[str, str]
    deals: tuple[Deal, Deal]
    results: tuple[DealResult, DealResult]
    metrics: list[Row]
    capital: tuple[list[tuple[str, float, float]], list[tuple[str, float, float]]]
    stress: dict[str, list[Row]]
    changes: list[Change]
    montecarlo: list[Row] = field(default_factory=list)
    mc_paths: int = 0

    def worse(self) -> list[Row]:
        """Every row in which B is worse than A for a lender."""
        rows = self.metrics + [r for rows in self.stress.values() for r in rows] + self.montecarlo
        return [r for r in rows if r.verdict == WORSE]


def capital_stack(result: DealResult) -> list[tuple[str, float, float]]:
    """(name, amount USD m, share of capital), most senior first, equity last."""
    rows = [
        (r["tranche"], float(r["notional"]), float(r["share_of_capital"]))
        for r in result.tranche_metrics.to_dict("records")
    ]
    rows += [
        (f"{e['investor']} (equity)", float(e["amount"]), float(e["share_of_capital"]))
        for e in result.equity_classes.to_dict("records")
    ]
    return rows


def metric_rows(a: DealResult, b: DealResult) -> list[Row]:
    rows = [
        Row(label, kind, a.metrics[key], b.metrics[key], d) for key, label, kind, d in KEY_METRICS
    ]
    rows.append(Row("Highest LTV while debt is outstanding", "pct", a.max_ltv[0], b.max_ltv[0], -1))
    rows.append(Row("Sources (USD m)", "money", a.total_sources, b.total_sources, 0))
    return rows


def structure_changes(a: Deal, b: Deal) -> list[Change]:
    """Blocks added or removed (by id) and terms that differ, in B's block order."""
    out: list[Change] = []
    for block_id, block in b.blocks.items():
        if block_id not in a.blocks or a.blocks[block_id].kind != block.kind:
            out.append(Change(block.title, "added"))
            continue
        old = a.blocks[block_id]
        for f in block.spec.fields:
            va, vb = old.terms.get(f.name), block.terms.get(f.name)
            if va != vb:
                out.append(Change(block.title, f.label, _term(f, va), _term(f, vb)))
    out += [Change(x.title, "removed") for k, x in a.blocks.items() if k not in b.blocks]
    links_a = {(c.kind, c.source, c.target) for c in a.connections.values()}
    links_b = {(c.kind, c.source, c.target) for c in b.connections.values()}
    for kind, s, t in sorted(links_b - links_a):
        out.append(Change(f"{_title(b, s)} -> {_title(b, t)}", f"link added ({kind})"))
    for kind, s, t in sorted(links_a - links_b):
        out.append(Change(f"{_title(a, s)} -> {_title(a, t)}", f"link removed ({kind})"))
    return out


def _title(deal: Deal, block_id: str) -> str:
    return deal.blocks[block_id].title if block_id in deal.blocks else block_id


def _term(f, v: object) -> str:  # noqa: ANN001 - core.model.fields.Field
    """A term as the properties panel shows it: rates in %, spreads in bp, money in USD m."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    shown = v * f.display_factor
    unit = f" {f.unit_label}" if f.unit_label else ""
    return f"{shown:,.6g}{unit}"


def _mc_rows(a: MonteCarloResult, b: MonteCarloResult) -> list[Row]:
    def total_el(mc: MonteCarloResult) -> float:
        return sum(t["expected_loss_usd_m"] for t in mc.tranches)

    def senior(mc: MonteCarloResult, key: str) -> float:
        return mc.tranches[0][key] if mc.tranches else math.nan

    return [
        Row("PD of the most senior tranche", "pct", senior(a, "probability_of_default"),
            senior(b, "probability_of_default"), -1),
        Row("EL of the most senior tranche", "pct", senior(a, "expected_loss"),
            senior(b, "expected_loss"), -1),
        Row("Expected loss, all tranches (USD m)", "money", total_el(a), total_el(b), -1),
        Row("Min DSCR, 5th percentile", "ratio", a.min_dscr["p5"], b.min_dscr["p5"], 1),
        Row("Min DSCR, median", "ratio", a.min_dscr["p50"], b.min_dscr["p50"], 1),
        Row("Equity IRR, median", "pct", a.equity_irr["p50"], b.equity_irr["p50"], 0),
        Row("P(lock-up)", "pct", a.covenant_breach.get("lockup", math.nan),
            b.covenant_breach.get("lockup", math.nan), -1),
    ]  # fmt: skip


def compare_deals(
    a: Deal,
    b: Deal,
    names: tuple[str, str] = ("A", "B"),
    *,
    mc_paths: int = 0,
    seed: int = 1,
    scenarios: tuple[str, ...] = ("downside", "severe"),
) -> Comparison:
    """Run both deals and compare them (see the module doc). ``mc_paths`` > 0 adds a Monte
    Carlo of that many paths for each, with the same ``seed``. Raises ``DealError`` for a deal
    the engine cannot run (naming the field)."""
    ra, rb = run_deal(a), run_deal(b)
    stress = {}
    for name in scenarios:
        sa, sb = run_stressed(a, BUILTIN[name]), run_stressed(b, BUILTIN[name])
        stress[name] = [
            Row(label, kind, sa.metrics[key], sb.metrics[key], d)
            for key, label, kind, d in STRESS_METRICS
        ]
    comparison = Comparison(
        names,
        (a, b),
        (ra, rb),
        metric_rows(ra, rb),
        (capital_stack(ra), capital_stack(rb)),
        stress,
        structure_changes(a, b),
    )
    if mc_paths > 0:
        config = MonteCarloConfig(n_paths=mc_paths, seed=seed)
        comparison.montecarlo = _mc_rows(run_montecarlo(a, config), run_montecarlo(b, config))
        comparison.mc_paths = mc_paths
    return comparison


def show(kind: str, v: object) -> str:
    """A value of a :class:`Row` as the views print it (n/a for a missing number)."""
    if not _number(v):
        return "n/a" if v is None or isinstance(v, float) else str(v)
    v = float(v)
    if kind == "ratio":
        return f"{v:.2f}x"
    if kind == "pct":
        return f"{v * 100:.2f}%"
    return f"{v:,.1f}"


def show_delta(row: Row) -> str:
    """B - A as the views print it: +0.12x, -1.30 pp, +1,500.0; blank when not a number."""
    d = row.delta
    if d is None:
        return ""
    if row.kind == "ratio":
        return f"{d:+.2f}x"
    if row.kind == "pct":
        return f"{d * 100:+.2f} pp"
    return f"{d:+,.1f}"
