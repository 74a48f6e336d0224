"""``python main.py stress DEAL.json``: named scenarios, ad-hoc stresses, a two-input grid and
break-evens, as text or one JSON object (``--json``)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from cli.formatting import fmt
from core.engine.result_json import json_safe
from core.risk.errors import RiskInputError


def parse_set(items: list[str]) -> dict:
    from core.risk.scenarios import STRESS_FIELDS, check_value

    out = {}
    for item in items:
        if "=" not in item:
            raise RiskInputError(f"--set {item!r}: expected NAME=VALUE, e.g. rent_deflation=0.2")
        name, raw = (s.strip() for s in item.split("=", 1))
        if "." in name:  # BLOCK_ID.FIELD: any input of the deal
            out[name] = _literal(raw)
            continue
        if name not in STRESS_FIELDS:
            raise RiskInputError(
                f"--set {item!r}: unknown input {name!r}; expected one of "
                f"{', '.join(STRESS_FIELDS)}"
            )
        try:
            value = None if raw.lower() in ("none", "null") else float(raw)
        except ValueError:
            raise RiskInputError(f"--set {item!r}: {raw!r} is not a number") from None
        if name == "renewals" and value is not None and value == int(value):
            value = int(value)
        out[name] = check_value(name, value, f"--set {name}")
    return out


def _literal(raw: str):
    """A --set value for a deal field: JSON (number, true/false, list, "text") or plain text."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def scenario_rows(deal, scenarios: dict) -> list[dict]:
    from core.engine.results import run_deal
    from core.risk.lookthrough import sponsor_stress
    from core.risk.stress import run_stressed

    base = run_deal(deal)
    rows = []
    for name, stress in scenarios.items():
        res = run_stressed(deal, stress, sized=base.compiled)
        tm = res.tranche_metrics
        rows.append(
            {
                "scenario": name,
                "stress": stress.describe(),
                "min_dscr": res.metrics["min_dscr"],
                "equity_irr": res.metrics["equity_irr"],
                "debt_loss": res.metrics["debt_loss"],
                "tranches": [
                    {"name": r.tranche, "loss": r.loss, "loss_pct": r.loss_pct}
                    for r in tm.itertuples()
                ],
                "sponsors": [
                    s.to_dict() for s in sponsor_stress(res.compiled, base.look_through, name)
                ],
            }
        )
    return rows


def breakeven_rows(deal, base) -> tuple[list[dict], dict]:
    from core.risk.breakeven import DRIVERS, dscr_headroom, solve_breakeven

    names = [b.terms["name"] for b in _tranches(deal)]
    rows = [
        solve_breakeven(deal, driver, k, tol=1e-4, base=base).to_dict()
        for driver in DRIVERS
        for k in range(len(names))
    ]
    return rows, dscr_headroom(deal, base).to_dict()


def _tranches(deal):
    spv = deal.of_kind("spv")[0]
    return sorted(
        (b for b in deal.links(spv.id, "issues") if b.kind == "tranche"),
        key=lambda b: b.terms["seniority"],
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stress",
        help="deterministic scenarios, stresses, a two-input grid and break-evens",
        description="Run named or ad-hoc stresses of a deal through the deterministic engine.",
    )
    p.add_argument("deal", help="deal file (JSON)")
    p.add_argument(
        "--scenario",
        action="append",
        help="base, downside, severe, forced_sale, guarantor_default, walk_away or a "
        "scenario-set FILE.json (repeatable; default: all the built-in scenarios)",
    )
    p.add_argument(
        "--set",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="stress inputs applied on top of each scenario, e.g. rent_deflation=0.2",
    )
    p.add_argument(
        "--grid",
        nargs=2,
        metavar="NAME=LO:HI:N",
        help="two-input grid, e.g. rent_deflation=0:0.4:5 residual_haircut=0:0.6:4",
    )
    p.add_argument(
        "--breakeven",
        action="store_true",
        help="break-even of every driver for every tranche, and DSCR headroom",
    )
    p.add_argument("--risks", action="store_true", help="the risk catalogue (DOMAIN risks)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from core.files.deal_json import load_deal
    from core.files.scenario_json import scenario
    from core.risk.scenarios import BUILTIN
    from core.risk.stress import Stress, apply_overrides

    sets = parse_set(args.set)
    fields_set = {k: sets.pop(k) for k in [k for k in sets if "." in k]}
    deal = apply_overrides(load_deal(args.deal), fields_set)
    scenarios: dict = {}
    for s in args.scenario or ([] if sets or fields_set else list(BUILTIN)):
        scenarios.update(scenario(s))
    if not scenarios:
        scenarios = {"custom": Stress()}
    scenarios = {k: replace(v, **sets) for k, v in scenarios.items()}
    doc: dict = {"deal": deal.name, "scenarios": scenario_rows(deal, scenarios)}
    if fields_set:
        doc["fields_set"] = fields_set
    first = next(iter(scenarios.values()))
    if args.grid:
        from core.risk.grid import parse_range, stress_grid

        df = stress_grid(deal, parse_range(args.grid[0]), parse_range(args.grid[1]), first)
        doc["grid"] = df.to_dict(orient="records")
    if args.breakeven:
        doc["breakeven"], doc["dscr_headroom"] = breakeven_rows(deal, first)
    if args.risks:
        from core.risk.catalogue import risk_summary

        doc["risks"] = [o.to_dict() for o in risk_summary(deal)]
    if args.json:
        json.dump(json_safe(doc), sys.stdout, allow_nan=False, sort_keys=True)
        sys.stdout.write("\n")
    else:
        print(to_text(doc))
    return 0


def to_text(doc: dict) -> str:
    lines = [doc["deal"], "=" * len(doc["deal"]), "Scenarios (USD millions)"]
    for r in doc["scenarios"]:
        lines.append(f"  {r['scenario']}: {r['stress']}")
        lines.append(
            f"    min DSCR {fmt(r['min_dscr'], 'x')}   equity IRR "
            f"{fmt(r['equity_irr'], 'pct')}   debt loss {fmt(r['debt_loss'])}"
        )
        for t in r["tranches"]:
            lines.append(
                f"    {t['name'][:40]:<40} loss {fmt(t['loss']):>10} ({fmt(t['loss_pct'], 'pct')})"
            )
        for s in r["sponsors"]:
            if s["returned_on_balance_sheet"] > 0:
                paid = [
                    f"RVG called {fmt(s['rvg_paid'])}",
                    f"backstop paid {fmt(s['backstop_paid'])}",
                ]
                if s["completion_paid"] > 0:
                    paid.append(f"completion guarantee paid {fmt(s['completion_paid'])}")
                lines.append(f"    {s['sponsor']}: {', '.join(paid)} back on balance sheet")
    if "grid" in doc:
        import pandas as pd

        from core.risk.grid import pivot

        df = pd.DataFrame(doc["grid"])
        for metric, kind in (("min_dscr", "x"), ("senior_loss", "pct"), ("equity_irr", "pct")):
            table = pivot(df, metric).to_string(float_format=lambda v, k=kind: fmt(v, k))
            lines += ["", f"Grid: {metric}", table]
    if "breakeven" in doc:
        lines += ["", "Break-even (most severe value with no loss)"]
        for b in doc["breakeven"]:
            lines.append(f"  {b['driver']:<20} {b['tranche'][:32]:<32} {b['label']}")
        h = doc["dscr_headroom"]
        lines.append(
            f"  DSCR headroom: min test DSCR {fmt(h['min_test_dscr'], 'x')}; CFADS can "
            f"fall {fmt(h['cfads_fall_to_lockup'], 'pct')} to lock-up "
            f"({fmt(h['lockup_dscr'], 'x')}), {fmt(h['cfads_fall_to_default'], 'pct')}"
            f" to default ({fmt(h['default_dscr'], 'x')})"
        )
    if "risks" in doc:
        lines += ["", "Risk catalogue"]
        for o in doc["risks"]:
            if o.get("not_applicable"):  # the deal has nothing for this stress to move
                lines.append(f"  {o['title']}: not applicable ({o['not_applicable']})")
                continue
            lines.append(
                f"  {o['title']}: {o['stress']}; min DSCR {fmt(o['min_dscr'], 'x')}, "
                f"debt loss {fmt(sum(o['loss_by_tranche'].values()))}, "
                f"break-even {o['breakeven']['driver']} {o['breakeven']['label']}"
            )
            per = o.get("breakeven_by_tranche") or []
            if len(per) > 1:  # each tranche's own edge
                lines += [f"    {b['tranche']}: {b['label']}" for b in per]
    return "\n".join(lines)
