"""Argument parsing and dispatch for ``python main.py``.

Commands: ``run`` (this issue); later issues add ``stress``, ``montecarlo``, ``export``,
``import`` and ``report``. Bad input prints one clear message and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from core.model.errors import DealError

COMMANDS = ("run",)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="CapStack: structure, stress and document AI-infrastructure financings. "
        "Without a command, opens the desktop application (optionally on DEAL.json).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run a deal and print its cash flows and credit metrics")
    run.add_argument("deal", help="deal file (JSON)")
    run.add_argument("--json", action="store_true", help="print one JSON object")
    run.add_argument(
        "--engine",
        choices=("cython", "reference"),
        default="cython",
        help="waterfall implementation (reference: pure NumPy, for checking)",
    )
    return parser


def cli_main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
    except DealError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    build_parser().print_help()
    return 2


def _run(args: argparse.Namespace) -> int:
    from cli.run_cmd import result_to_json, result_to_text
    from core.engine.results import run_deal
    from core.files.deal_json import load_deal

    result = run_deal(load_deal(args.deal), engine=args.engine)
    if args.json:
        json.dump(result_to_json(result), sys.stdout, allow_nan=False)
        sys.stdout.write("\n")
    else:
        print(result_to_text(result))
    return 0
