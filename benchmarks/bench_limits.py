"""Time and memory of every command at the documented limits (core/limits.py, docs/limits.md).

    python benchmarks/bench_limits.py [--quick]

Each case runs ``python main.py COMMAND ...`` in a child process of its own (so its peak
resident memory is its own, read with ``getrusage`` in the child) twice: on the largest deal
the limits allow and, as the reference in the same run, on the Hyperion sample; reported are
the wall time, the ratio to the reference and the peak memory. The largest deal is the
Hyperion JV on a 50-year monthly timeline (600 periods, the limit) with its bonds split into
20 tranches (the limit) of 4 seniority ranks. Also: the Monte Carlo at the path limit and an
import refused at the workbook cell limit. ``--quick`` runs a subset with fewer paths.
"""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core import limits  # noqa: E402
from core.files.deal_json import loads_deal  # noqa: E402
from core.model.deal import Deal  # noqa: E402

SAMPLE = ROOT / "resources" / "deals" / "hyperion_jv.json"
_CHILD = (
    "import resource, sys, time; from cli.main import cli_main; t = time.perf_counter(); "
    "rc = cli_main(sys.argv[1:]); dt = time.perf_counter() - t; "
    "print('@@', rc, dt, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
)


def largest_doc() -> dict:
    """The sample's document stretched to the limits: 600 monthly periods, 40 tranches."""
    doc = json.loads(SAMPLE.read_text())
    spv = next(b for b in doc["blocks"] if b["kind"] == "spv")
    spv["terms"].update(period="monthly", horizon_years=limits.MAX_PERIODS / 12)
    bonds = next(b for b in doc["blocks"] if b["kind"] == "tranche")
    total = bonds["terms"]["notional"]
    links = [c for c in doc["connections"] if bonds["id"] in (c["source"], c["target"])]
    for k in range(limits.MAX_TRANCHES):
        tranche = bonds if k == 0 else copy.deepcopy(bonds)
        tranche["id"] = bonds["id"] if k == 0 else f"bonds_{k}"
        tranche["terms"].update(
            name=f"Bonds series {k + 1}",
            notional=total / limits.MAX_TRANCHES,
            seniority=1 + k % 4,
            tenor_years=20.0 + k % 5,
        )
        if k:
            doc["blocks"].append(tranche)
            for c in links:
                new = dict(c, id=f"{c['id']}_{k}")
                new["source" if c["source"] == bonds["id"] else "target"] = tranche["id"]
                doc["connections"].append(new)
    return doc


def largest_deal() -> Deal:
    return loads_deal(json.dumps(largest_doc()), "largest deal")


def _child(argv: list[str]) -> tuple[int, float, float]:
    """(exit code, seconds, peak MB) of ``main.py`` COMMAND in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, *argv], capture_output=True, text=True, cwd=ROOT,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    line = next(x for x in proc.stderr.splitlines() if x.startswith("@@"))
    _, rc, dt, rss = line.split()
    return int(rc), float(dt), int(rss) / 1024


def _cases(big: Path, work: Path, quick: bool) -> list[tuple[str, list[str]]]:
    mc = "2000" if quick else "10000"
    return [
        ("run --json", ["run", "{deal}", "--json"]),
        ("stress (3 scenarios)", ["stress", "{deal}", "--json"]),
        (f"montecarlo {int(mc):,} paths", ["montecarlo", "{deal}", "--paths", mc, "--quiet"]),
        (
            "export (no Monte Carlo)",
            ["export", "{deal}", "-o", str(work / "x.xlsx"), "--paths", "0"],
        ),  # fmt: skip
        (
            "report (2,000 paths)",
            ["report", "{deal}", "-o", str(work / "x.pdf"), "--paths", "2000"],
        ),  # fmt: skip
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="capstack-limits-") as tmp:
        work = Path(tmp)
        big = work / "largest.json"
        big.write_text(json.dumps(largest_doc()))
        print(f"{'case':<28}{'sample s':>10}{'largest s':>11}{'ratio':>8}{'largest MB':>12}")
        for label, argv in _cases(big, work, args.quick):
            ref = _child([a.replace("{deal}", str(SAMPLE)) for a in argv])
            got = _child([a.replace("{deal}", str(big)) for a in argv])
            assert ref[0] == 0 and got[0] == 0, (label, ref, got)
            print(f"{label:<28}{ref[1]:>10.2f}{got[1]:>11.2f}{got[1] / ref[1]:>7.1f}x"
                  f"{got[2]:>12.0f}")  # fmt: skip
        paths = 200_000 if args.quick else limits.MAX_PATHS
        ref = _child(["montecarlo", str(SAMPLE), "--paths", "100000", "--quiet"])
        got = _child(["montecarlo", str(SAMPLE), "--paths", str(paths), "--quiet"])
        print(
            f"{f'montecarlo {paths:,} paths':<28}{ref[1]:>10.2f}{got[1]:>11.2f}"
            f"{got[1] / ref[1]:>7.1f}x{got[2]:>12.0f}   (sample; reference 100,000 paths)"
        )
        refused = _child(["montecarlo", str(SAMPLE), "--paths", str(limits.MAX_PATHS + 1)])
        print(
            f"{'montecarlo limit + 1':<28}{'':>10}{refused[1]:>11.3f}{'':>8}"
            f"{refused[2]:>12.0f}   exit {refused[0]} (refused up front)"
        )
        wide = work / "wide.xlsx"
        _wide_workbook(wide, limits.MAX_WORKBOOK_CELLS - 20_000)
        got = _child(["import", str(wide), "-o", str(work / "w.json")])
        print(
            f"{'import at the cell limit':<28}{'':>10}{got[1]:>11.2f}{'':>8}{got[2]:>12.0f}"
            f"   exit {got[0]} ({wide.stat().st_size / 1e6:.1f} MB file)"
        )
        _wide_workbook(wide, limits.MAX_WORKBOOK_CELLS + 20_000)
        got = _child(["import", str(wide), "-o", str(work / "w.json")])
        print(
            f"{'import over the cell limit':<28}{'':>10}{got[1]:>11.3f}{'':>8}{got[2]:>12.0f}"
            f"   exit {got[0]} (refused up front)"
        )


def _wide_workbook(path: Path, cells: int) -> None:
    """Sheets of one 16,384-cell row each, ``cells`` cells in all."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    s = 0
    while cells > 0:
        n = min(cells, 16_384)
        wb.create_sheet(f"S{s}").append([1.0] * n)
        cells, s = cells - n, s + 1
    wb.save(path)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - start:.0f} s")
