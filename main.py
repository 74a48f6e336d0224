"""CapStack entry point.

python main.py                       open the desktop application on a sample deal
python main.py DEAL.json             open the application on that deal
python main.py run DEAL.json [--json]  run a deal from the command line
python main.py --help                all commands
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from cli.main import COMMANDS, cli_main

    if argv and (argv[0] in COMMANDS or argv[0] in ("-h", "--help")):
        return cli_main(argv)
    try:
        from gui.app import run_app
    except ImportError as exc:
        if "gui.app" not in str(exc) and "gui" not in getattr(exc, "name", ""):
            raise
        print(
            "The desktop application is not built yet; use the command line: "
            "python main.py run DEAL.json (see python main.py --help).",
            file=sys.stderr,
        )
        return 2
    return run_app(argv)


if __name__ == "__main__":
    sys.exit(main())
