"""``python main.py rating DEAL.json``: each tranche's implied rating from the Monte Carlo,
Moody's style on its expected loss and S&P style on its default probability, against the
idealised tables at its WAL, with the band the number of paths allows and any ``--target``
(docs/structuring.md)."""

from __future__ import annotations

import argparse

from cli.formatting import fmt
from cli.structuring_options import (
    add_options,
    mc_config,
    runner,
    structuring_parser,
    write_json,
)


def register(sub: argparse._SubParsersAction) -> None:
    p = structuring_parser(
        sub,
        "rating",
        "implied rating of each tranche from the Monte Carlo (EL and PD against the "
        "idealised tables by WAL), with its sampling band",
        {
            "--target": "TRANCHE=RATING, e.g. senior=A3 or senior=A- (repeat; default: each "
            "tranche's target rating in the deal)"
        },
    )
    add_options(p, 10_000)


def targets(deal, items: list[str]) -> dict[str, str]:
    from core.risk.errors import RiskInputError
    from core.structuring.candidate import resolve
    from core.structuring.implied_rating import notch

    out = {}
    for item in items:
        ref, sep, rating = item.partition("=")
        if not sep:
            raise RiskInputError(f"--target {item!r}: expected TRANCHE=RATING, e.g. senior=A3")
        try:
            notch(rating.strip())
        except ValueError as exc:
            raise RiskInputError(f"--target {item!r}: {exc}") from None
        out[resolve(deal, ref.strip())] = rating.strip()
    return out


def rate(deal, config, run) -> tuple[list[dict], dict]:
    """Each tranche's rating record (``ImpliedRating.to_dict`` plus its block id) and the
    ratings by block id."""
    from core.structuring.candidate import Evaluator

    ev = Evaluator(deal, mc=config, runner=run)
    c = ev.with_mc(ev.candidate({}))
    return [{"id": tid, **r.to_dict()} for tid, r in c.ratings.items()], c.ratings


def run(args: argparse.Namespace) -> int:
    from core.files.deal_json import load_deal
    from core.risk.errors import RiskInputError
    from core.structuring.implied_rating import meets

    deal = load_deal(args.deal)
    wanted = targets(deal, args.target)
    config = mc_config(args)
    if config is None:
        raise RiskInputError("--paths must be above 0: the rating comes from the Monte Carlo")
    rows, ratings = rate(deal, config, runner(args))
    for row in rows:  # --target overrides the tranche's own target rating
        if row["id"] in wanted:
            row["target"] = wanted[row["id"]]
            row["meets_target"] = meets(ratings[row["id"]], wanted[row["id"]])
    if args.json:
        write_json({"deal": deal.name, "paths": config.n_paths, "seed": config.seed,
                    "tranches": rows})  # fmt: skip
        return 0
    print(f"{deal.name}: implied ratings, {config.n_paths:,} paths, seed {config.seed}")
    shown = [(ratings[row["id"]], row.get("target")) for row in rows]
    print("\n".join(rating_lines(shown)))
    return 0


def rating_lines(rated: list) -> list[str]:
    """The implied-rating table (``rating``, ``montecarlo``): per tranche its WAL, EL, PD and
    ratings with the band the number of paths allows; ``rated``: (ImpliedRating, target)."""
    lines = [f"  {'tranche':<32}{'WAL':>7}{'EL':>9}{'PD':>9}  rating"]
    for r, target in rated:
        lines.append(
            f"  {r.tranche[:32]:<32}{r.wal_years:>6.2f}y{fmt(r.expected_loss, 'pct'):>9}"
            f"{fmt(r.probability_of_default, 'pct'):>9}  {r.describe(target)}"
        )
    lines.append("  EL vs Moody's idealised cumulative expected loss, PD vs the idealised default "
                 "rates, at the WAL; bands: 95% sampling interval")  # fmt: skip
    return lines
