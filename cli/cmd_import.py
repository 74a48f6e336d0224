"""``python main.py import MODEL.xlsx -o DEAL.json``: read an Excel model as a CapStack deal.

Prints the inputs found (with sheet!cell), what could not be mapped and the reconciliation of
the workbook's own DSCR / IRR / balances with CapStack's. The deal file is written atomically
and only when the import succeeds; bad input exits with status 2 and one clear message.
Macros in .xlsm workbooks are never run.
"""

from __future__ import annotations

import argparse
import json
import sys

FREQUENCIES = {"annual": 1, "semi-annual": 2, "quarterly": 4, "monthly": 12}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import", help="import an Excel model (.xlsx/.xlsm) as a deal file")
    p.add_argument("workbook", help="the Excel workbook (.xlsx or .xlsm; macros are never run)")
    p.add_argument("-o", "--output", required=True, help="deal file (JSON) to write")
    p.add_argument("--mapping", help="reuse a mapping saved for this workbook template")
    p.add_argument("--save-mapping", help="save the mapping used, for the next workbook")
    p.add_argument("--recalc", action="store_true", help="recalculate with LibreOffice first")
    p.add_argument("--frequency", choices=sorted(FREQUENCIES),
                   help="periods of the workbook's timeline (default: inferred from its dates, "
                        "period counters and per-period labels)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    from core.files.atomic import refuse_same_file
    from core.files.deal_json import save_deal
    from core.files.excel_import import Mapping, WorkbookError, import_workbook
    from core.files.excel_import.reconcile import table

    refuse_same_file(args.output, args.workbook, args.mapping)
    if args.save_mapping:
        refuse_same_file(args.save_mapping, args.workbook, args.mapping, what="mapping to save")
        refuse_same_file(
            args.save_mapping, args.output, what="mapping to save", other="deal file (-o)"
        )
    try:
        saved = Mapping.load(args.mapping) if args.mapping else None
        res = import_workbook(args.workbook, mapping=saved, recalc=args.recalc,
                              periods_per_year=FREQUENCIES.get(args.frequency or ""))  # fmt: skip
    except (WorkbookError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    save_deal(res.deal, args.output)
    if args.save_mapping and not res.capstack_roundtrip:
        res.mapping.save(args.save_mapping)
    if args.json:
        json.dump(_to_json(res, args.output), sys.stdout, allow_nan=False, default=str)
        sys.stdout.write("\n")
        return 0
    print(f"Imported {args.workbook} -> {args.output}")
    if res.capstack_roundtrip:
        print("CapStack workbook: the embedded deal was read with the workbook's inputs.")
    else:
        if res.warnings:
            print("\nWARNINGS (read before using the deal)")
            for w in res.warnings:
                print(f"  ! {w}")
        print("\nInputs the deal uses")
        for what, value, source in res.used:
            print(f"  {what:<26}{_show(value):>16}  {source}")
        print("\nInputs found")
        for e in res.mapping.entries:
            print(f"  {e.block_field:<26}{_show(e.value):>16}  {e.ref}  ({e.label!r}, "
                  f"confidence {e.confidence:.2f})")  # fmt: skip
        print("\nNot mapped / defaulted")
        for u in res.unmapped or ["  none"]:
            print(f"  {u}")
        print("\nReconciliation (workbook vs CapStack for the same inputs)")
        print(table(res.reconciliation))
    if res.notes:
        print("\nNotes")
        for n in res.notes:
            print(f"  {n}")
    if args.save_mapping and not res.capstack_roundtrip:
        print(f"\nMapping saved to {args.save_mapping}")
    return 0


def _show(v) -> str:
    return f"{v:,.4f}" if isinstance(v, float) else str(v)


def _to_json(res, output: str) -> dict:
    import math

    def num(v):
        return v if v is None or not isinstance(v, float) or math.isfinite(v) else None

    return {
        "deal_file": output,
        "capstack_roundtrip": res.capstack_roundtrip,
        "inputs": [
            {
                "target": e.block_field,
                "id": e.target,
                "cell": e.ref,
                "label": e.label,
                "value": e.value,
                "confidence": e.confidence,
                "scale": e.scale,
            }
            for e in res.mapping.entries
        ],  # fmt: skip
        "unmapped": res.unmapped,
        "warnings": res.warnings,
        "periods_per_year": res.periods_per_year,
        "frequency": res.frequency,
        "used": [{"input": w, "value": v, "source": s} for w, v, s in res.used],
        "reconciliation": [
            {
                "metric": r.metric,
                "workbook": num(r.workbook),
                "capstack": num(r.capstack),
                "difference": num(r.difference),
                "status": r.status,
                "source": r.where,
            }
            for r in res.reconciliation
        ],  # fmt: skip
        "notes": res.notes,
    }
