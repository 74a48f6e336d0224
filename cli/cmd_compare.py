"""``python main.py compare A.json B.json``: two structures side by side (core.compare): key
metrics, the built-in stresses and optionally a Monte Carlo with the same seed, each with the
difference B - A and whether B is better or worse for a lender; the capital stacks and what
changed in the structure. ``-o COMPARE.pdf`` prints the compare page (gui/report)."""

from __future__ import annotations

import argparse
import json
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("compare", help="compare two deals: metrics, stresses, Monte Carlo")
    p.add_argument("deal_a", help="deal file A (JSON), e.g. the current structure")
    p.add_argument("deal_b", help="deal file B (JSON), e.g. the proposed structure")
    p.add_argument(
        "--paths",
        type=int,
        default=0,
        help="Monte Carlo paths for each deal (default 0: no Monte Carlo)",
    )
    p.add_argument("--seed", type=int, default=1, help="Monte Carlo seed, the same for both")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("-o", "--output", metavar="COMPARE.pdf", help="also print the compare page")
    p.add_argument("--paper", choices=("A4", "Letter"), default="A4")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    from core.compare import compare_deals
    from core.files.atomic import refuse_same_file
    from core.files.deal_json import load_deal
    from core.limits import check_paths

    if args.paths < 0:
        print(f"error: --paths {args.paths}: must be 0 or more", file=sys.stderr)
        return 2
    check_paths(args.paths)
    if args.output:
        refuse_same_file(args.output, args.deal_a, args.deal_b)
    a, b = load_deal(args.deal_a), load_deal(args.deal_b)
    names = (os.path.basename(args.deal_a), os.path.basename(args.deal_b))
    if names[0] == names[1]:
        names = (args.deal_a, args.deal_b)
    comparison = compare_deals(a, b, names, mc_paths=args.paths, seed=args.seed)
    if args.json:
        json.dump(to_json(comparison), sys.stdout, allow_nan=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(to_text(comparison))
    if args.output:
        from cli.cmd_report import _application

        _app = _application()
        from gui.report.compare_page import write_compare_pdf

        pages = write_compare_pdf(comparison, args.output, args.paper)
        print(f"Wrote {args.output}: {pages} page(s), {args.paper}", file=sys.stderr)
    return 0


def _rows_text(rows, width: int = 40) -> list[str]:  # noqa: ANN001 - core.compare.Row
    from core.compare import show, show_delta

    return [
        f"  {r.label:<{width}} {show(r.kind, r.a):>12} {show(r.kind, r.b):>12} "
        f"{show_delta(r):>12}  {r.verdict}"
        for r in rows
    ]


def to_text(c) -> str:  # noqa: ANN001 - core.compare.Comparison
    a, b = c.names
    head = f"  {'':<40} {'A':>12} {'B':>12} {'B - A':>12}  for lenders"
    lines = [f"A: {a} ({c.deals[0].name})", f"B: {b} ({c.deals[1].name})", "", "Key metrics",
             head, *_rows_text(c.metrics)]  # fmt: skip
    for name, rows in c.stress.items():
        lines += ["", f"Stress: {name}", *_rows_text(rows)]
    if c.montecarlo:
        lines += [
            "",
            f"Monte Carlo ({c.mc_paths:,} paths each, same seed)",
            *_rows_text(c.montecarlo),
        ]
    for side, stack in zip((a, b), c.capital, strict=True):
        lines += ["", f"Capital stack of {side}"]
        lines += [f"  {n:<40} {v:>12,.1f} {s * 100:>7.1f}%" for n, v, s in stack]
    lines += ["", "Structure changes (A -> B)"]
    lines += [
        f"  {ch.block}: {ch.what}" + (f" {ch.a} -> {ch.b}" if ch.a or ch.b else "")
        for ch in c.changes
    ] or ["  none"]
    worse = c.worse()
    lines += ["", f"B is worse for lenders on {len(worse)} number(s)" + (
        ": " + ", ".join(r.label for r in worse[:6]) if worse else "")]  # fmt: skip
    return "\n".join(lines)


def to_json(c) -> dict:  # noqa: ANN001 - core.compare.Comparison
    from core.engine.result_json import json_safe

    def rows(rs) -> list[dict]:  # noqa: ANN001
        return [{"label": r.label, "kind": r.kind, "a": r.a, "b": r.b, "delta": r.delta,
                 "verdict": r.verdict} for r in rs]  # fmt: skip

    return json_safe(
        {
            "a": c.names[0],
            "b": c.names[1],
            "metrics": rows(c.metrics),
            "stress": {k: rows(v) for k, v in c.stress.items()},
            "montecarlo": rows(c.montecarlo),
            "paths": c.mc_paths,
            "capital": [
                [{"name": n, "amount": v, "share": s} for n, v, s in side] for side in c.capital
            ],  # fmt: skip
            "changes": [ch.__dict__ for ch in c.changes],
        }
    )
