"""Argument parsing and dispatch for ``python main.py``.

Each command lives in its own module ``cli/cmd_<name>.py`` with ``register(subparsers)`` and
``run(args) -> int``; this module finds them, so a new command never edits this file.
Bad input prints one clear message (naming the field, cell or line) and exits with status 2.
Nothing escapes as a traceback: running out of memory is reported as a size to lower (exit 2),
Ctrl-C exits 130 and an unexpected error, a bug, prints one line asking for a report (exit 1;
``CAPSTACK_DEBUG=1`` shows its traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
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
    except BrokenPipeError:  # e.g. piped into head (an OSError: caught first)
        _quiet_stdout()
        return 0
    except (DealError, ImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except MemoryError:
        print(f"error: {args.command}: out of memory; lower the deal's size or --paths "
              "(limits in docs/limits.md)", file=sys.stderr)  # fmt: skip
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line, not a traceback, unless asked for
        if os.environ.get("CAPSTACK_DEBUG"):
            raise
        print(f"error: internal error in {args.command} ({type(exc).__name__}: {exc}); "
              "please report it with the input file (CAPSTACK_DEBUG=1 shows the details)",
              file=sys.stderr)  # fmt: skip
        return 1


def _quiet_stdout() -> None:
    """After a broken pipe, point stdout at /dev/null so the exit flush does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
