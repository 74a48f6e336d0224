"""Portfolio statistics from the per-path results of a run (core.portfolio.runner).

- **Loss**: on each path the book's loss is the sum over deals of the share held of each
  tranche times its write-off (USD m), plus the holdcos' debt held. EL is its mean.
- **VaR** at level ``a``: the smallest loss ``l`` with ``P(L <= l) >= a`` (the empirical
  ``inverted_cdf`` quantile). **ES** at ``a``: the mean of the ``ceil((1 - a) N)`` largest path
  losses (ties in path order), so ES >= VaR and the contributions below add up exactly.
- **Contributions**: a deal's (or counterparty's) EL contribution is the mean of its part of
  the loss; its ES contribution the mean of its part over the same tail paths as the ES
  (Euler allocation of the expected shortfall); both sum to the book's EL and ES.
- A counterparty's part of a deal's loss on a path: the deal's loss split equally over the
  counterparties it is exposed to (tenant, guarantor) that defaulted within its horizon on
  that path; with none, it is "market and deal events".
"""

from __future__ import annotations

import math

import numpy as np

from core.portfolio.plan import BookPlan
from core.portfolio.runner import LOSS_EPS, PortfolioChunk

LEVELS = (0.99, 0.999)
MARKET = "market and deal events"
LOSS_BINS = 40


def var_es(loss: np.ndarray, level: float) -> tuple[float, float, np.ndarray]:
    """(VaR, ES, indices of the tail paths) of path losses at ``level``."""
    n = loss.shape[0]
    k = max(1, math.ceil((1.0 - level) * n - 1e-9))
    var = float(np.quantile(loss, level, method="inverted_cdf"))
    order = np.argsort(-loss, kind="stable")
    tail = order[:k]
    return var, float(loss[tail].mean()), tail


def _label(level: float) -> str:
    return f"{level * 100:g}%"


def summarise(plan: BookPlan, r: PortfolioChunk, converged: PortfolioChunk | None = None) -> dict:
    """The portfolio result as a plain dict (JSON-ready)."""
    book = plan.book
    n = r.n
    total = r.deal_loss.sum(axis=1)
    names = [dp.position.id for dp in plan.deals] + [h.id for h in book.holdcos]
    exposure = [dp.exposure for dp in plan.deals] + [
        sum(d.principal * h.shares.get(d.id, 0.0) for d in h.debt) for h in book.holdcos
    ]
    tails = {lv: var_es(total, lv) for lv in LEVELS}
    out: dict = {
        "book": book.name,
        "paths": n,
        "exposure": float(sum(exposure)),
        "expected_loss": float(total.mean()),
        "probability_of_loss": float((total > LOSS_EPS).mean()),
        "var": {_label(lv): t[0] for lv, t in tails.items()},
        "es": {_label(lv): t[1] for lv, t in tails.items()},
        "stress_regime_share": float(r.stress_share.mean()),
        "loss_histogram": _histogram(total, sum(exposure)),
        "warnings": list(plan.warnings),
    }
    deals = []
    for j, name in enumerate(names):
        x = r.deal_loss[:, j]
        row = {
            "id": name,
            "exposure": exposure[j],
            "expected_loss": float(x.mean()),
            "es_contribution": {_label(lv): float(x[t[2]].mean()) for lv, t in tails.items()},
            "standalone_var": {_label(lv): var_es(x, lv)[0] for lv in LEVELS},
            "standalone_es": {_label(lv): var_es(x, lv)[1] for lv in LEVELS},
        }
        if j < len(plan.deals):
            dp = plan.deals[j]
            row["deal"] = dp.position.deal.name
            row["file"] = dp.position.file
            row["tranches"] = [
                {
                    "id": b.id,
                    "name": b.terms["name"],
                    "share_held": float(dp.shares[k]),
                    "notional": float(dp.sized.inputs.notional[k]),
                    "expected_loss": float(r.tranche_loss[j][k] / n / dp.sized.inputs.notional[k])
                    if dp.sized.inputs.notional[k] > 0
                    else 0.0,
                    "probability_of_loss": float(r.tranche_lossy[j][k] / n),
                }
                for k, b in enumerate(dp.sized.tranches)
            ]
        else:
            hc = book.holdcos[j - len(plan.deals)]
            h = r.holdco_default[:, j - len(plan.deals)]
            owned = [i for i, dp in enumerate(plan.deals) if dp.position.id in hc.owns]
            spv = (r.deal_loss[:, owned] > LOSS_EPS).any(axis=1) if owned else np.zeros(n, bool)
            row["holdco"] = True
            row["probability_of_default"] = float(h.mean())
            # both layers of the double leverage fail on the same path
            row["probability_with_spv_loss"] = float((h & spv).mean())
        deals.append(row)
    out["deals"] = deals
    standalone = {_label(lv): sum(d["standalone_es"][_label(lv)] for d in deals) for lv in LEVELS}
    out["diversification"] = {
        "sum_of_standalone_es": standalone,
        "benefit": {
            k: (1.0 - out["es"][k] / v) if v > LOSS_EPS else math.nan for k, v in standalone.items()
        },
    }
    out["counterparties"] = _counterparties(plan, r, tails)
    out["look_through"] = look_through(plan)
    if converged is not None:
        c_total = converged.deal_loss.sum(axis=1)
        out["converged"] = {
            "expected_loss": float(c_total.mean()),
            "var": {_label(lv): var_es(c_total, lv)[0] for lv in LEVELS},
            "es": {_label(lv): var_es(c_total, lv)[1] for lv in LEVELS},
            "stress_regime_share": float(converged.stress_share.mean()),
            "benefit": {
                _label(lv): (
                    1.0 - var_es(c_total, lv)[1] / s
                    if (
                        s := sum(
                            var_es(converged.deal_loss[:, j], lv)[1] for j in range(len(names))
                        )
                    )
                    > LOSS_EPS
                    else math.nan
                )
                for lv in LEVELS
            },
        }
    return out


def _histogram(total: np.ndarray, exposure: float) -> dict:
    top = max(float(total.max(initial=0.0)), 1e-9)
    edges = np.linspace(0.0, top, LOSS_BINS + 1)
    counts = np.histogram(total, edges)[0]
    return {
        "edges": edges.tolist(),
        "probability": (counts / max(total.shape[0], 1)).tolist(),
        "exposure": exposure,
    }


def _counterparties(plan: BookPlan, r: PortfolioChunk, tails: dict) -> list[dict]:
    rows = []
    caps: dict[int, float] = {}
    deals_of: dict[int, set[str]] = {}
    exposure: dict[int, float] = {}
    for dp in plan.deals:
        for c in set(dp.exposed.values()):
            exposure[c] = exposure.get(c, 0.0) + dp.exposure
        for c, cap, _kind in dp.guarantees.values():
            if c >= 0:
                caps[c] = caps.get(c, 0.0) + cap
                deals_of.setdefault(c, set()).add(dp.position.id)
    tail99 = tails[LEVELS[0]][2]
    for c, cf in enumerate(plan.credits):
        paid = r.guarantee_paid[:, c]
        row = {
            "name": cf.name,
            "annual_pd": 1.0 - math.exp(-cf.hazard),
            "rho_normal": cf.rho_normal,
            "rho_stress": cf.rho_stress,
            "roles": plan.roles.get(cf.name, {}),
            "exposure": exposure.get(c, 0.0),
            "probability_of_default": float(r.cp_default[:, c].mean()),
            "expected_loss": float(r.cp_loss[:, c].mean()),
            "es_contribution": {
                _label(lv): float(r.cp_loss[t[2], c].mean()) for lv, t in tails.items()
            },
            "guarantee_caps": caps.get(c, 0.0),
            "guarantee_deals": sorted(deals_of.get(c, ())),
            "expected_guarantee_paid": float(paid.mean()),
            "probability_guarantee_called": float((paid > LOSS_EPS).mean()),
            "probability_called_in_two_or_more_deals": float((r.guarantee_deals[:, c] >= 2).mean()),
            "guarantee_paid_99": float(np.quantile(paid, 0.99, method="inverted_cdf")),
            "guarantee_paid_in_tail": float(paid[tail99].mean()),
        }
        rows.append(row)
    C = len(plan.credits)
    rows.append(
        {
            "name": MARKET,
            "expected_loss": float(r.cp_loss[:, C].mean()),
            "es_contribution": {
                _label(lv): float(r.cp_loss[t[2], C].mean()) for lv, t in tails.items()
            },
        }
    )
    return rows


def look_through(plan: BookPlan) -> list[dict]:
    """Each counterparty's look-through leverage summed over every SPV of the book
    (core.engine.leverage, the base case of each deal): its own balance-sheet debt once (the
    largest any deal states) plus the debt of the SPVs it consolidates; its share of SPV
    debt, lease PVs and guarantee caps added; a holdco's own debt is on its sponsor's balance
    sheet (the miner's double leverage: holdco debt over SPV debt)."""
    from core.engine.results import run_deal

    agg: dict[str, dict] = {}
    for dp in plan.deals:
        res = run_deal(dp.position.deal)
        for s, lt in zip(dp.sized.sponsors, res.look_through, strict=True):
            name = plan.book.name_of(dp.position, s.id)
            a = agg.setdefault(
                name,
                {"sponsor": name, "on_balance_sheet": 0.0, "spv_debt_share": 0.0,
                 "lease_pv": 0.0, "guarantees": 0.0, "spvs": []},
            )  # fmt: skip
            own = s.terms["balance_sheet_debt"]  # its own debt, once (the largest stated)
            a["own_debt"] = max(a.get("own_debt", 0.0), own)
            a["consolidated_spv_debt"] = a.get("consolidated_spv_debt", 0.0) + (
                lt.on_balance_sheet - own
            )
            a["on_balance_sheet"] = a["own_debt"] + a["consolidated_spv_debt"]
            a["spv_debt_share"] += lt.spv_debt_share
            a["lease_pv"] += lt.lease_pv
            a["guarantees"] += lt.guarantees
            a["spvs"].append(dp.position.id)
    for h in plan.book.holdcos:
        name = h.counterparty or h.name
        a = agg.setdefault(
            name,
            {"sponsor": name, "on_balance_sheet": 0.0, "spv_debt_share": 0.0, "lease_pv": 0.0,
             "guarantees": 0.0, "spvs": []},
        )  # fmt: skip
        # the holdco's debt is its sponsor's own debt: the larger of it and what the deals
        # state (the same debt stated twice), and it owns its SPVs' equity: their debt at its
        # share counts off balance sheet (non-recourse), the miner's double leverage
        a["holdco_debt"] = a.get("holdco_debt", 0.0) + sum(d.principal for d in h.debt)
        a["own_debt"] = max(a.get("own_debt", 0.0), a["holdco_debt"])
        a["on_balance_sheet"] = a["own_debt"] + a.get("consolidated_spv_debt", 0.0)
        for pid, share in h.owns.items():
            dp = next(d for d in plan.deals if d.position.id == pid)
            a["spv_debt_share"] += share * float(dp.sized.inputs.notional.sum())
        a["spvs"].append(h.id)
    rows = []
    for a in agg.values():
        off = a["spv_debt_share"] + a["lease_pv"] + a["guarantees"]
        a["off_balance_sheet"] = off
        a["economic"] = a["on_balance_sheet"] + off
        a["ratio"] = (
            a["economic"] / a["on_balance_sheet"] if a["on_balance_sheet"] > 1e-12 else math.nan
        )
        rows.append(a)
    return sorted(rows, key=lambda a: -a["economic"])
