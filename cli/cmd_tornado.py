"""``python main.py tornado DEAL.json``: min DSCR, equity IRR and the senior tranche's expected
loss with each input moved down and up by its documented step (docs/structuring.md), widest
bar first."""

from __future__ import annotations

import argparse

from cli.formatting import fmt
from cli.structuring_options import add_options, mc_config, structuring_parser, write_json

KINDS = {"min_dscr": "x", "equity_irr": "pct", "senior_el": "pct"}


def register(sub: argparse._SubParsersAction) -> None:
    p = structuring_parser(
        sub,
        "tornado",
        "sensitivity tornado: min DSCR, equity IRR and senior EL when each input moves by its step",
    )
    add_options(p, 2000)


def to_text(d: dict) -> str:
    from core.structuring.tornado import OUTPUTS

    lines = [f"{d['deal']}: sensitivity tornado (senior EL: {d['paths']:,} paths, seed "
             f"{d['seed']}, the same paths for every bar)"]  # fmt: skip
    rows = {r["input"]: r for r in d["inputs"]}
    for out, label in OUTPUTS.items():
        kind = KINDS[out]
        lines += ["", f"  {label}: base {fmt(d['base'][out], kind)}",
                  f"    {'input':<24}{'step':>10}{'down':>11}{'up':>11}{'swing':>11}"]  # fmt: skip
        for key in d["order"][out]:
            r = rows[key]
            lo, hi = r["low"][out], r["high"][out]
            swing = abs(hi - lo) if lo is not None and hi is not None else None
            lines.append(
                f"    {r['label']:<24}{r['step']:>10}{fmt(lo, kind):>11}{fmt(hi, kind):>11}"
                f"{fmt(swing, kind):>11}"
            )
    na = d.get("not_applicable", [])
    if na:
        text = "; ".join(f"{i['label']} ({i['reason']})" for i in na)
        lines += ["", f"  not applicable to this deal: {text}"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from core.files.deal_json import load_deal
    from core.structuring.tornado import tornado

    if args.scheduler:
        from core.risk.errors import RiskInputError

        raise RiskInputError("--scheduler: the tornado runs here (each bar's Monte Carlo is small)")
    deal = load_deal(args.deal)
    doc = tornado(deal, mc_config(args)).to_dict()
    if args.json:
        write_json(doc)
    else:
        print(to_text(doc))
    return 0
