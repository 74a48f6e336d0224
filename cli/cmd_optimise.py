"""``python main.py optimise DEAL.json --objective equity_irr --constraint "min_dscr>=1.30"
--constraint "senior.rating>=A3"``: tranche sizes (and optionally amortisation profiles and DSRA
months) that maximise an objective under constraints, the frontier explored, and ``-o`` the
best structure as a deal file (docs/structuring.md)."""

from __future__ import annotations

import argparse
import sys

from cli.formatting import fmt
from cli.structuring_options import (
    add_options,
    mc_config,
    runner,
    structuring_parser,
    write_json,
)

SHOWN_ROWS = 30


def register(sub: argparse._SubParsersAction) -> None:
    p = structuring_parser(
        sub,
        "optimise",
        "capital-structure optimiser: tranche sizes that maximise equity IRR or proceeds "
        "(or minimise the cost of debt) under constraints, with the frontier explored",
        {
            "--constraint": "e.g. 'min_dscr>=1.30', 'senior.rating>=A3', 'senior.el<=0.5%%', "
            "'ltv<=0.8'",
            "--tranche": "a tranche to size (repeat; default every tranche): senior, junior, "
            "id or name",
        },
    )
    p.add_argument(
        "--objective",
        default="equity_irr",
        help="equity_irr (default), proceeds or wacd (weighted cost of debt, minimised)",
    )
    p.add_argument(
        "--amortisation",
        default=None,
        help="profiles to try for the sized tranches, comma-separated (e.g. annuity,sculpted)",
    )
    p.add_argument("--dsra-months", default=None, help="DSRA sizes to try, e.g. 0,6,12")
    p.add_argument("--grid", type=int, default=7, help="sizes per tranche in the first grid")
    p.add_argument(
        "--spread-grid",
        default=None,
        help="price the sized tranches by implied rating, e.g. 'A2=1.5%%,Baa2=2.5%%,Ba2=4%%'",
    )
    p.add_argument(
        "--keep-equity", action="store_true", help="keep the equity amounts (default: rebalance)"
    )
    p.add_argument("-o", "--output", help="write the best structure here (JSON)")
    add_options(p, 2000)


def _list(raw: str | None, option: str, cast) -> list:
    from core.risk.errors import RiskInputError

    if raw is None:
        return []
    out = []
    for item in raw.split(","):
        try:
            out.append(cast(item.strip()))
        except ValueError:
            raise RiskInputError(f"{option} {raw!r}: {item.strip()!r} is not valid") from None
    return out


def _amortisation(name: str) -> str:
    from core.model.kinds.debt import TRANCHE

    choices = next(f.choices for f in TRANCHE.fields if f.name == "amortisation")
    if name not in choices:
        raise ValueError(name)
    return name


def to_text(d: dict, names: dict[str, str]) -> str:
    direction, label = d["direction"], d["objective"]
    lines = [f"Optimise {label} ({'maximise' if direction == 'max' else 'minimise'})"]
    lines.append("  constraints: " + ("; ".join(d["constraints"]) or "none"))
    best = d["best"]
    if best is None:
        lines.append("  no structure explored meets every constraint")
    else:
        sizes = ", ".join(f"{names[t]} {fmt(n)}" for t, n in best["notionals"].items())
        m = best["metrics"]
        lines += [
            f"  best ({best['option']}): {sizes}",
            f"    {label} {_objective(label, best['objective'])}   min DSCR "
            f"{fmt(m['min_dscr'], 'x')}   equity IRR {fmt(m['equity_irr'], 'pct')}   "
            f"proceeds {fmt(m['proceeds'])}   cost of debt {fmt(m['wacd'], 'pct')}",
        ]
        for c in d["changes"]:
            lines.append(f"    {c['block']}.{c['field']}: {c['from']} -> {c['to']}")
    rows = d["frontier"]
    lines += ["", f"  frontier: {len(rows)} structures explored ({d['engine_runs']} engine runs, "
              f"{d['monte_carlo_runs']} Monte Carlo runs)"]  # fmt: skip
    ids = list(rows[0]["notionals"]) if rows else []
    head = "".join(f"{names[t][:14]:>15}" for t in ids)
    lines.append(f"  {'option':<18}{head}{label[:12]:>13}{'min DSCR':>10}  ok  fails")
    shown = sorted(rows, key=lambda r: (not r["feasible"], -_key(direction, r["objective"])))
    for r in shown[:SHOWN_ROWS]:
        sizes = "".join(f"{fmt(r['notionals'][t]):>15}" for t in ids)
        lines.append(
            f"  {r['option'][:18]:<18}{sizes}{_objective(label, r['objective']):>13}"
            f"{fmt(r['metrics']['min_dscr'], 'x'):>10}  {'yes' if r['feasible'] else ' no'}"
            f"  {'; '.join(r['failed'])[:60]}"
        )
    if len(rows) > SHOWN_ROWS:
        lines.append(f"  ... {len(rows) - SHOWN_ROWS} more in --json")
    return "\n".join(lines)


def _key(direction: str, v) -> float:
    if v is None:
        return float("-inf")
    return v if direction == "max" else -v


def _objective(label: str, v) -> str:
    return fmt(v) if label == "proceeds" else fmt(v, "pct")


def run(args: argparse.Namespace) -> int:
    from core.files.atomic import refuse_same_file
    from core.files.deal_json import load_deal, save_deal
    from core.structuring.candidate import local_runner, resolve
    from core.structuring.constraints import parse_constraint
    from core.structuring.optimise import optimise

    if args.output:
        refuse_same_file(args.output, args.deal)
    deal = load_deal(args.deal)
    constraints = [parse_constraint(t, deal) for t in args.constraint]
    ids = [resolve(deal, t) for t in args.tranche] or None
    from core.structuring.pricing import parse_grid

    spreads = parse_grid(args.spread_grid) if args.spread_grid else None
    needs_mc = spreads or any(c.needs_mc for c in constraints)
    config = mc_config(args) if needs_mc else None
    result = optimise(
        deal,
        args.objective,
        constraints,
        tranche_ids=ids,
        amortisations=_list(args.amortisation, "--amortisation", _amortisation),
        dsra_months=_list(args.dsra_months, "--dsra-months", float),
        mc=config,
        runner=runner(args) if config else local_runner,
        grid=args.grid,
        rebalance_equity=not args.keep_equity,
        spread_grid=spreads,
    )
    doc = result.to_dict()
    if args.output and result.deal is not None:
        save_deal(result.deal, args.output)
    if args.json:
        write_json(doc)
    else:
        names = {b.id: b.terms["name"] for b in deal.of_kind("tranche")}
        print(to_text(doc, names))
        if args.output and result.deal is not None:
            print(f"  wrote {args.output}", file=sys.stderr)
    return 0 if result.best is not None else 1
