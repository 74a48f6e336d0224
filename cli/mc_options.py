"""``--paths`` / ``--seed`` for commands that add an optional Monte Carlo to their output
(``export``, ``report``); 0 paths leaves it out."""

from __future__ import annotations

import argparse


def add_mc_options(p: argparse.ArgumentParser, paths: int, seed: int, where: str) -> None:
    p.add_argument(
        "--paths",
        type=int,
        default=paths,
        help=f"Monte Carlo paths for {where} (0: no Monte Carlo; default {paths:,})",
    )
    p.add_argument("--seed", type=int, default=seed, help=f"Monte Carlo seed (default {seed})")


def mc_options_error(args: argparse.Namespace) -> str | None:
    """The message for a negative ``--paths`` or ``--seed``, else None."""
    for name in ("paths", "seed"):
        if getattr(args, name) < 0:
            return f"--{name} must be 0 or more, got {getattr(args, name)}"
    return None
