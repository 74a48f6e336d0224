"""Fuzz every command with random mutations of the sample deals, in one process.

    python -m tests.fuzz_commands [-n 200] [--seed 1] [--paths 200] [--only run,stress]

Each round mutates one to three terms of a sample deal (any declared field of the block's
kind: a valid value, a bound, beyond it, huge, the wrong type, text with a control character;
``tests.strategies.mutate_randomly``), writes it to a file and runs every command of
``cli/`` on it through ``cli.main.cli_main`` (``import`` on the workbook ``export`` wrote, or
on the desk-style example). The promise checked (issue #16): exit 0, or exit 2 with one line
``error: ...`` on stderr and no output file (or a command's documented exit 1, "no result");
never an internal error (a bug), a traceback, a hang (each
command has ``--timeout`` seconds) or a temporary file left behind. Counts by command and
outcome are printed; the exit status is 1 when any round broke the promise, with the file and
mutation to reproduce it. Commands are found like ``cli/main.py`` finds them, their arguments
from their own parsers, so a new command is fuzzed without a change here.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import random
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cli.main import cli_main, command_modules  # noqa: E402
from tests.strategies import mutate_randomly  # noqa: E402

EXAMPLE_WORKBOOK = ROOT / "resources" / "examples" / "gpu_lease_model.xlsx"
#: arguments a command needs beyond what its parser says is required
EXTRA = {"size": ["--dscr", "1.30"], "stress": ["--scenario", "downside"]}
#: commands slower than the rest run on every n-th round only
EVERY = {"report": 2, "optimise": 3, "tornado": 3}
OUTCOMES = ("ok", "refused", "no result", "bug", "traceback", "hang", "out on refusal",
            "temp left")  # fmt: skip
#: outcomes that keep the promise ("no result": a documented exit 1, e.g. optimise finding no
#: structure that meets every constraint)
KEPT = ("ok", "refused", "no result")


class Hang(BaseException):
    """Raised by the alarm: a BaseException, so no ``except Exception`` swallows it."""


@dataclass
class Report:
    counts: dict[str, collections.Counter] = field(
        default_factory=lambda: collections.defaultdict(collections.Counter)
    )
    failures: list[str] = field(default_factory=list)
    seconds: collections.Counter = field(default_factory=collections.Counter)

    @property
    def broken(self) -> int:
        bad = set(OUTCOMES) - set(KEPT)
        return sum(c[o] for c in self.counts.values() for o in bad)

    def table(self) -> str:
        head = f"{'command':<12}" + "".join(f"{o:>15}" for o in OUTCOMES) + f"{'seconds':>9}"
        lines = [head]
        for name, c in sorted(self.counts.items()):
            cells = "".join(f"{c[o]:>15}" for o in OUTCOMES)
            lines.append(f"{name:<12}{cells}{self.seconds[name]:>9.1f}")
        return "\n".join(lines)


def command_argv(name: str, module: object, deal: Path, workbook: Path, out_dir: Path,
                 paths: int) -> tuple[list[str], Path | None]:  # fmt: skip
    """The arguments for ``name`` from its own parser, and the output file it writes."""
    parser = argparse.ArgumentParser(prog="x")
    sub = parser.add_subparsers(dest="command")
    module.register(sub)
    p = sub.choices[name]
    argv, output = [name], None
    for action in p._actions:
        if not action.option_strings and action.dest != "help":
            argv.append(str(workbook if action.dest == "workbook" else deal))
        elif action.required and "--output" in action.option_strings:
            help_text = (action.help or "").lower()
            ext = ".pdf" if "pdf" in help_text else ".xlsx" if "excel" in help_text else ".json"
            output = out_dir / f"{name}{ext}"
            argv += ["--output", str(output)]
    options = {o for a in p._actions for o in a.option_strings}
    if "--paths" in options:
        argv += ["--paths", str(paths)]
    if "--quiet" in options:
        argv.append("--quiet")
    return argv + EXTRA.get(name, []), output


def run_one(argv: list[str], output: Path | None, timeout: float) -> tuple[str, str]:
    """(outcome, stderr) of one command in this process."""
    err, out = io.StringIO(), io.StringIO()
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(Hang()))
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = cli_main(argv)
    except Hang:
        return "hang", err.getvalue()
    except SystemExit as exc:  # argparse
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException as exc:  # noqa: BLE001 - escaped cli_main: exactly what is counted
        return "traceback", f"{type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    text = err.getvalue()
    if "Traceback" in text:
        return "traceback", text
    if code == 0:
        return "ok", text
    if code == 2:
        lines = [x for x in text.strip().splitlines() if not x.startswith("\r[")]
        if output is not None and output.exists():
            return "out on refusal", text
        return ("refused" if len(lines) == 1 and lines[0].startswith("error: ") else "bug"), text
    if code == 1 and "internal error" not in text:
        return "no result", text
    return "bug", text


def fuzz(n: int, seed: int = 1, paths: int = 200, only: set[str] | None = None,
         timeout: float = 120.0, log=None) -> Report:  # fmt: skip  # noqa: ANN001
    """Run ``n`` rounds; ``log`` (a stream) gets one line per broken promise as it happens."""
    rng = random.Random(seed)
    report = Report()
    modules = {k: v for k, v in command_modules().items() if not only or k in only}
    for round_no in range(n):
        sample, doc, changed = mutate_randomly(rng)
        with tempfile.TemporaryDirectory(prefix="capstack-fuzz-") as tmp:
            work = Path(tmp)
            deal = work / f"round{round_no}.json"
            deal.write_text(json.dumps(doc))
            workbook = EXAMPLE_WORKBOOK
            for name, module in modules.items():
                if round_no % EVERY.get(name, 1):
                    continue
                argv, output = command_argv(name, module, deal, workbook, work, paths)
                start = time.perf_counter()
                outcome, text = run_one(argv, output, timeout)
                report.seconds[name] += time.perf_counter() - start
                temps = [p.name for p in work.iterdir() if p.name.endswith(".tmp")]
                if outcome in KEPT and temps:
                    outcome = "temp left"
                report.counts[name][outcome] += 1
                if name == "export" and outcome == "ok" and output is not None:
                    workbook = work / "exported.xlsx"  # import reads this round's export
                    shutil.copy(output, workbook)
                if outcome not in KEPT:
                    line = (f"round {round_no} {name}: {outcome}: {sample} with "
                            f"{'; '.join(changed)}: {text.strip()[:300]}")  # fmt: skip
                    report.failures.append(line)
                    if log is not None:
                        print(line, file=log, flush=True)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=200, help="rounds (default 200)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--paths", type=int, default=200, help="Monte Carlo paths per command")
    ap.add_argument("--only", default="", help="comma-separated commands (default: all)")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds a command may take")
    args = ap.parse_args(argv)
    only = {c for c in args.only.split(",") if c} or None
    start = time.perf_counter()
    report = fuzz(args.n, args.seed, args.paths, only, args.timeout, log=sys.stdout)
    print(report.table())
    print(f"{args.n} rounds in {time.perf_counter() - start:.0f} s; "
          f"{report.broken} broken promise(s)")  # fmt: skip
    return 1 if report.broken else 0


if __name__ == "__main__":
    sys.exit(main())
