"""Argument parsing and dispatch for ``python main.py``.

Each command lives in its own module ``cli/cmd_<name>.py`` with ``register(subparsers)`` and
``run(args) -> int``; this module finds them, so a new command never edits this file.
Bad input prints one clear message (naming the field, cell or line) and exits with status 2.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import cli
from core.model.errors import DealError


def command_modules() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(cli.__path__):
        if info.name.startswith("cmd_"):
            found[info.name[4:]] = importlib.import_module(f"cli.{info.name}")
    return dict(sorted(found.items()))


COMMANDS = tuple(info.name[4:] for info in pkgutil.iter_modules(cli.__path__)
                 if info.name.startswith("cmd_"))  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="CapStack: structure, stress and document AI-infrastructure financings. "
        "Without a command, opens the desktop application (optionally on DEAL.json).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules().values():
        module.register(sub)
    return parser


def cli_main(argv: list[str]) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(command_modules()[args.command].run(args))
    except (DealError, ImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. piped into head
        return 0
