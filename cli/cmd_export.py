"""``python main.py export DEAL.json -o MODEL.xlsx``: the deal as a live Excel model.

Inputs as named blue cells, the waterfall and metrics as formulas that reproduce the engine
(``docs/excel.md``), stress results and a Monte Carlo as engine values. Written atomically.
"""

from __future__ import annotations

import argparse
import sys

from cli.mc_options import add_mc_options, mc_options_error
from core.limits import check_paths


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="export a deal to an Excel model with live formulas")
    p.add_argument("deal", help="deal file (JSON)")
    p.add_argument("-o", "--output", required=True, help="Excel workbook to write (.xlsx)")
    p.add_argument(
        "--no-scenarios", action="store_true", help="leave out the Scenarios sheet (stresses)"
    )
    add_mc_options(p, 2000, 0, "the MonteCarlo sheet")
    p.add_argument(
        "--sizing",
        metavar="SIZING.json",
        help="record how the deal was sized on the Sizing sheet: the JSON `size --json` "
        "printed for this deal (a sculpted tranche's capacity is on that sheet anyway)",
    )
    p.add_argument(
        "--stress",
        nargs="+",
        default=[],
        metavar="NAME=VALUE",
        help="export the deal with these stress inputs applied to its terms (as `stress "
        "--set`), e.g. completion_delay_months=6: the workbook's input cells hold the "
        "stressed terms and its formulas follow them (a late completion is the SPV's delay "
        "cell); the refinancing-market stresses are not deal terms and are refused",
    )
    p.add_argument(
        "--with-values",
        action="store_true",
        help="also save each formula's value (LibreOffice recalculates a copy), so viewers "
        "that do not recalculate show numbers",
    )


def run(args: argparse.Namespace) -> int:
    from core.engine.results import run_deal
    from core.files.atomic import refuse_same_file
    from core.files.deal_json import load_deal
    from core.files.excel_export import ExcelExportError, export_workbook

    if message := mc_options_error(args):
        print(f"error: {message}", file=sys.stderr)
        return 2
    refuse_same_file(args.output, args.deal)
    check_paths(args.paths)
    deal = load_deal(args.deal)
    if args.stress:
        deal = stressed(deal, args.stress)
    sizing = None
    if args.sizing:
        sizing = read_sizing(args.sizing, deal)
        if isinstance(sizing, str):
            print(f"error: {sizing}", file=sys.stderr)
            return 2
    result = run_deal(deal)
    try:
        export_workbook(
            deal,
            args.output,
            result,
            scenarios=not args.no_scenarios,
            mc_paths=args.paths,
            mc_seed=args.seed,
            values=args.with_values,
            sizing=sizing,
        )
    except ExcelExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    m = result.metrics
    print(f"Exported {deal.name} -> {args.output}")
    if args.stress:
        print(f"  stressed: {', '.join(args.stress)}")
    print(
        f"  {result.compiled.timeline.n_periods} periods, {len(result.compiled.tranches)} "
        f"tranche(s); engine min DSCR {m['min_dscr']:.4f}x, LLCR {m['llcr']:.4f}x "
        "(the workbook's formulas give the same after recalculation)"
    )
    return 0


SIZING_KEYS = ("tranche", "name", "current_notional", "sized_notional", "binding", "case",
               "capacities", "checks")  # fmt: skip


def read_sizing(path: str, deal) -> dict | str:
    """The sizing record of ``size --json`` for ``deal``, or a message naming what is wrong."""
    import json

    from core.limits import read_text_file

    try:
        doc = json.loads(read_text_file(path))  # a folder, FIFO or huge file: refused
    except json.JSONDecodeError as exc:
        return f"{path}: not a sizing record: {exc}"
    if not isinstance(doc, dict) or (missing := [k for k in SIZING_KEYS if k not in doc]):
        what = ", ".join(missing) if isinstance(doc, dict) else "a JSON object"
        return f"{path}: not a sizing record of `size --json` (missing {what})"
    if doc["tranche"] not in deal.blocks or deal.blocks[doc["tranche"]].kind != "tranche":
        return f"{path}: sizes tranche {doc['tranche']!r}, which {deal.name} does not have"
    return doc


#: stress inputs that act on the compiled refinancing market, not on the deal's terms: the
#: workbook has no input cell for them
NOT_TERMS = ("refi_advance_cut", "refi_spread_shock")


def stressed(deal, items: list[str]):  # noqa: ANN001, ANN201 - Deal
    """``deal`` with the ``--stress NAME=VALUE`` inputs applied to its terms (BLOCK.FIELD: a
    term set directly), as ``stress --set`` applies them."""
    from cli.cmd_stress import parse_set
    from core.risk.errors import RiskInputError

    try:
        return _stressed(deal, parse_set(items))
    except RiskInputError as exc:  # named as this command's option
        raise RiskInputError(str(exc).replace("--set ", "--stress ", 1)) from None


def _stressed(deal, sets: dict):  # noqa: ANN001, ANN202 - Deal
    from core.risk.errors import RiskInputError
    from core.risk.stress import Stress, apply_overrides, apply_stress

    for name in NOT_TERMS:
        if sets.get(name):
            raise RiskInputError(
                f"--stress {name}: the refinancing market is not a deal term the workbook "
                "holds; export cannot apply it (use `stress --set`)"
            )
    fields = {k: sets.pop(k) for k in [k for k in sets if "." in k]}
    return apply_stress(apply_overrides(deal, fields), Stress(**sets))
