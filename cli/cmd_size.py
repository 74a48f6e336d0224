"""``python main.py size DEAL.json``: the largest notional of a tranche such that every chosen
constraint holds, naming the binding one (docs/structuring.md).

``--dscr 1.30`` sculpts the tranche to that DSCR on the base-case CFADS (``--case downside``:
a stressed case's) and sizes it in closed form; ``--min-dscr``, ``--avg-dscr``, ``--llcr``,
``--max-ltv``, ``--advance-rate``, ``--repaid-by DATE|lease``, ``--max-pd``, ``--max-el``,
``--rating A3`` and any ``--constraint TEXT`` are sized by bisection on the engine.
``-o SIZED.json`` writes the sized deal, ``--excel MODEL.xlsx`` its Excel model with a Sizing
sheet.
"""

from __future__ import annotations

import argparse
import sys

from cli.formatting import fmt
from cli.structuring_options import (
    add_options,
    case_stress,
    mc_config,
    runner,
    structuring_parser,
    write_json,
)
from core.structuring.constraints import SHORTCUTS


def register(sub: argparse._SubParsersAction) -> None:
    p = structuring_parser(
        sub,
        "size",
        "debt sizing: the largest notional of a tranche under DSCR, LLCR, LTV, "
        "repayment, PD / EL or rating constraints, naming the binding one",
    )
    p.add_argument("--tranche", default="senior", help="senior, junior, a block id or a name")
    p.add_argument("--dscr", type=float, default=None, help="sculpt to this target DSCR (x)")
    p.add_argument("--min-dscr", dest="min_dscr", help="minimum DSCR (x)")
    p.add_argument("--avg-dscr", dest="avg_dscr", help="minimum average DSCR (x)")
    p.add_argument("--llcr", help="minimum LLCR (x)")
    p.add_argument("--max-ltv", dest="max_ltv", help="maximum LTV at close (e.g. 0.8 or 80%%)")
    p.add_argument("--advance-rate", dest="advance_rate", help="maximum debt / asset cost")
    p.add_argument("--repaid-by", dest="repaid_by", help="YYYY-MM-DD, or 'lease' (its end)")
    p.add_argument("--max-pd", dest="max_pd", help="maximum Monte Carlo PD (e.g. 1%%)")
    p.add_argument("--max-el", dest="max_el", help="maximum Monte Carlo EL (e.g. 0.25%%)")
    p.add_argument("--rating", help="minimum implied rating (Moody's or S&P, e.g. A3 or A-)")
    p.add_argument(
        "--constraint", action="append", default=[], help="any constraint, e.g. 'llcr>=1.4'"
    )
    p.add_argument(
        "--case", default="base", help="CFADS and checks on: base, downside, severe or FILE.json"
    )
    p.add_argument(
        "--keep-equity", action="store_true", help="keep the equity amounts (default: rebalance)"
    )
    p.add_argument("-o", "--output", help="write the sized deal here (JSON)")
    p.add_argument("--excel", help="write the sized deal's Excel model with a Sizing sheet")
    add_options(p, 2000)


def constraint_texts(args: argparse.Namespace) -> list[str]:
    out = [
        form.format(t=args.tranche, v=getattr(args, name))
        for name, form in SHORTCUTS.items()
        if getattr(args, name) is not None
    ]
    return out + list(args.constraint)


def to_text(d: dict) -> str:
    lines = [
        f"Sizing {d['name']} ({d['tranche']}) on the {d['case']} case",
        f"  current notional {fmt(d['current_notional'])}   sized {fmt(d['sized_notional'])}"
        f"   binding: {d['binding']}",
        "",
        f"  {'constraint':<48}{'capacity':>12}  note",
    ]
    for c in d["capacities"]:
        mark = "*" if c["constraint"] == d["binding"] else " "
        lines.append(f" {mark}{c['constraint'][:48]:<48}{fmt(c['capacity']):>12}  {c['note']}")
    if d["checks"]:
        lines += ["", "  at the sized notional:"]
        for c in d["checks"]:
            ok = "holds" if c["holds"] else "FAILS"
            lines.append(f"    {c['constraint']:<46}{c['value']:>14}  {ok}")
    m = d["metrics"]
    lines += [
        "",
        f"  min DSCR {fmt(m['min_dscr'], 'x')}   average DSCR {fmt(m['avg_dscr'], 'x')}   "
        f"LLCR {fmt(m['llcr'], 'x')}   equity IRR {fmt(m['equity_irr'], 'pct')}   "
        f"LTV at close {fmt(m['ltv'], 'pct')}   total debt {fmt(m['proceeds'])}",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from core.files.atomic import refuse_same_file
    from core.files.deal_json import load_deal, save_deal
    from core.structuring.candidate import local_runner
    from core.structuring.constraints import parse_constraint
    from core.structuring.sizing import size_tranche

    for out in (args.output, args.excel):
        if out:
            refuse_same_file(out, args.deal)
    deal = load_deal(args.deal)
    stress, label = case_stress(args.case)
    constraints = [parse_constraint(t, deal) for t in constraint_texts(args)]
    config = mc_config(args) if any(c.needs_mc for c in constraints) else None
    result = size_tranche(
        deal,
        args.tranche,
        constraints,
        sculpt_dscr=args.dscr,
        case=stress,
        case_name=label,
        mc=config,
        runner=runner(args) if config else local_runner,
        rebalance_equity=not args.keep_equity,
    )
    doc = result.to_dict()
    if args.output:
        save_deal(result.deal, args.output)
    if args.excel:
        from core.files.excel_sizing import export_sized

        export_sized(result.deal, args.excel, doc)
    if args.json:
        write_json(doc)
    else:
        print(to_text(doc))
        for path in (args.output, args.excel):
            if path:
                print(f"  wrote {path}", file=sys.stderr)
    return 0
