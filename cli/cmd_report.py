"""``python main.py report DEAL.json -o SUMMARY.pdf``: the printed term-sheet risk summary.

Two to four pages (``docs/report.md``): header with the deal file's hash, structure diagram,
capital stack, sources and uses, key metrics, covenant headroom, one block per risk (stress,
result, break-even), DSCR and balance charts, and a Monte Carlo. Needs no display: without
one, Qt draws off screen. Written atomically.
"""

from __future__ import annotations

import argparse
import os
import sys

from cli.mc_options import add_mc_options, mc_options_error
from core.limits import check_paths
from core.report.data import DEFAULT_PATHS, DEFAULT_SEED

PAPERS = ("A4", "Letter")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="print a deal's term-sheet risk summary to PDF")
    p.add_argument("deal", help="deal file (JSON)")
    p.add_argument("-o", "--output", required=True, help="PDF file to write")
    p.add_argument("--paper", choices=PAPERS, default="A4", help="paper size (default A4)")
    add_mc_options(p, DEFAULT_PATHS, DEFAULT_SEED, "the last page")
    p.add_argument(
        "--compare",
        metavar="OTHER.json",
        help="add a compare page: this deal (A) against OTHER.json (B), side by side",
    )


def _application() -> object:
    """The Qt application the drawing needs; off screen when there is no display."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(["capstack-report"])


def run(args: argparse.Namespace) -> int:
    from core.files.atomic import refuse_same_file
    from core.files.deal_json import load_deal
    from core.risk.errors import RiskInputError

    if message := mc_options_error(args):
        print(f"error: {message}", file=sys.stderr)
        return 2
    if not args.output.lower().endswith(".pdf"):
        print(f"error: --output must end in .pdf, got {args.output!r}", file=sys.stderr)
        return 2
    refuse_same_file(args.output, args.deal, args.compare)
    check_paths(args.paths)
    deal = load_deal(args.deal)
    other = load_deal(args.compare) if args.compare else None
    app = _application()
    from gui.report.document import ReportError, build_report

    try:
        if other is None:
            data, pages = build_report(
                deal, args.output, args.deal, args.paper, mc_paths=args.paths, mc_seed=args.seed
            )
        else:
            from gui.report.compare_page import build_report_with_compare

            names = (os.path.basename(args.deal), os.path.basename(args.compare))
            data, _, pages = build_report_with_compare(
                deal, other, args.output, names, args.deal, args.paper, args.paths, args.seed
            )
    except (ReportError, RiskInputError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        del app
    h = data.header
    print(f"Wrote {args.output}: {pages} pages, {args.paper}")
    print(f"  {h.deal_name}; {h.file_name} SHA-256 {h.file_hash}")
    print(
        f"  min DSCR {data.result.metrics['min_dscr']:.2f}x; {len(data.risks)} risks stressed"
        + (f"; Monte Carlo {args.paths:,} paths, seed {args.seed}" if args.paths else "")
    )
    return 0
