"""``python main.py montecarlo DEAL.json --paths N --seed S``: per-tranche PD, EL and LGD,
distributions of min DSCR and equity IRR, covenant-breach probabilities.

A progress bar goes to stderr (``--quiet`` hides it); ``--json`` prints one JSON object on
stdout, byte-identical for the same seed and chunk size. ``--scheduler ADDRESS`` (or the
``CAPSTACK_DASK_SCHEDULER`` environment variable; ``local`` for a LocalCluster on this machine)
runs the chunks on a Dask cluster with the same result.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from cli.formatting import fmt
from core.limits import check_paths
from core.report.valuation import recovery_basis
from core.risk.errors import RiskInputError


class ProgressBar:
    """A text progress bar on a stream (stderr), redrawn in place."""

    def __init__(self, stream=sys.stderr, width: int = 30) -> None:
        self.stream, self.width, self.start = stream, width, time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        frac = done / total if total else 1.0
        fill = int(round(frac * self.width))
        secs = time.perf_counter() - self.start
        self.stream.write(
            f"\r[{'#' * fill}{'.' * (self.width - fill)}] {done:,}/{total:,} paths {secs:5.1f}s"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def to_text(d: dict) -> str:
    lines = [
        d["deal"],
        "=" * len(d["deal"]),
        f"{d['paths']:,} paths, seed {d['seed']}, chunk {d['chunk_size']:,}",
        "",
        f"  {'tranche':<36}{'PD':>9}{'EL':>9}{'LGD':>9}{'P(loss)':>9}",
    ]
    for t in d["tranches"]:
        lines.append(
            f"  {t['name'][:36]:<36}{fmt(t['probability_of_default'], 'pct'):>9}"
            f"{fmt(t['expected_loss'], 'pct'):>9}{fmt(t['loss_given_default'], 'pct'):>9}"
            f"{fmt(t['probability_of_loss'], 'pct'):>9}"
        )
    lines += attribution_text(d["attribution"])
    keys = ("p1", "p5", "p25", "p50", "p75", "p95", "p99")
    lines += ["", "  percentile  " + "".join(f"{k:>9}" for k in keys)]
    lines.append("  min DSCR    " + "".join(f"{fmt(d['min_dscr'][k], 'x'):>9}" for k in keys))
    lines.append("  equity IRR  " + "".join(f"{fmt(d['equity_irr'][k], 'pct'):>9}" for k in keys))
    lines.append("  (min DSCR over the periods after which debt is still outstanding)")
    lines += ["", "  covenant breach probability"]
    for k, v in d["covenant_breach_probability"].items():
        lines.append(f"    {k:<18}{fmt(v, 'pct'):>9}")
    s = d["sponsor"]
    lines += [
        "",
        f"  sponsor exposure back on balance sheet: expected RVG paid {s['expected_rvg_paid']:,.1f}"
        f" (P {fmt(s['probability_rvg_called'], 'pct')}), expected backstop paid "
        f"{s['expected_backstop_paid']:,.1f} (P {fmt(s['probability_backstop_paid'], 'pct')})",
    ]
    return "\n".join(lines)


def attribution_text(att: dict) -> list[str]:
    """Per tranche, what its defaults and losses came from (the first cause of each first
    default, docs/risk.md), and the drivers that do not apply to the deal."""
    titles = {c["id"]: c["title"] for c in att["causes"]}
    lines = [
        "",
        "  causes of default (first cause of each default)   share of defaults  share of EL"
        "       PD       EL",
    ]
    for t in att["tranches"]:
        lines.append(f"  {t['name'][:60]}: {t['defaults']:,} defaulting paths")
        # a tranche that never defaults has no shares (None): nothing to rank
        ranked = sorted(t["causes"].items(), key=lambda kv: -(kv[1]["share_of_defaults"] or 0.0))
        for cid, v in ranked:
            if (v["share_of_defaults"] or 0.0) > 0:
                lines.append(
                    f"    {titles[cid][:46]:<46}{fmt(v['share_of_defaults'], 'pct'):>20}"
                    f"{fmt(v['share_of_expected_loss'], 'pct'):>13}"
                    f"{fmt(v['probability_of_default'], 'pct'):>9}"
                    f"{fmt(v['expected_loss'], 'pct'):>9}"
                )
        if not t["defaults"]:
            lines.append("    no default on any path")
    absent = [f"{c['title']} ({c['reason']})" for c in att["causes"] if not c["applicable"]]
    if absent:
        lines.append("  not applicable to this deal: " + "; ".join(absent))
    return lines


def load_model(path: str | None):
    from core.risk.paths import MarketModel

    if path is None:
        return MarketModel()
    if path == "deterministic":
        return MarketModel.deterministic()
    from core.limits import read_text_file

    try:
        data = json.loads(read_text_file(path))
    except json.JSONDecodeError as exc:
        raise RiskInputError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (RecursionError, ValueError) as exc:  # nesting, huge integers
        raise RiskInputError(f"{path}: not a market-model file ({type(exc).__name__})") from None
    if not isinstance(data, dict):
        raise RiskInputError(f"{path}: expected an object of market-model parameters")
    return MarketModel.from_dict(data)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "montecarlo",
        help="Monte Carlo of every risk driver: PD, EL, LGD per tranche, DSCR and IRR ranges",
    )
    p.add_argument("deal", help="deal file (JSON)")
    p.add_argument("--paths", type=int, default=10_000, help="number of paths (default 10,000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--chunk", type=int, default=4096, help="paths per chunk (default 4,096)")
    p.add_argument("--threads", type=int, default=None, help="kernel threads (default: all)")
    p.add_argument(
        "--model",
        default=None,
        help="market-model parameters FILE.json (see docs/risk.md), or 'deterministic'",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address (tcp://host:8786), or 'local' for a LocalCluster; "
        "default $CAPSTACK_DASK_SCHEDULER, else this process",
    )
    p.add_argument(
        "--scenario",
        default=None,
        help="run on a stressed deal: base, downside, severe, or one scenario of FILE.json",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    from core.files.deal_json import dump_deal, load_deal, loads_deal
    from core.risk.distributed import DealCodec, run_distributed, scheduler_address
    from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

    check_paths(args.paths)
    deal = original = load_deal(args.deal)
    if args.scenario:
        from core.files.scenario_json import scenario
        from core.risk.stress import apply_stress

        found = scenario(args.scenario)
        if len(found) != 1:
            raise RiskInputError(
                f"--scenario {args.scenario}: the file holds {len(found)} scenarios; "
                "the Monte Carlo runs one (write it to a file of its own)"
            )
        deal = apply_stress(deal, next(iter(found.values())))
    config = MonteCarloConfig(
        n_paths=args.paths,
        seed=args.seed,
        chunk_size=args.chunk,
        model=load_model(args.model),
        n_threads=args.threads,
    )
    config.validate()
    bar = None if args.quiet else ProgressBar(sys.stderr)
    address = scheduler_address(args.scheduler)
    if address is None:
        sized_on = original if args.scenario else None
        result = run_montecarlo(deal, config, progress=bar, sized_on=sized_on)
    else:
        result = run_distributed(
            deal,
            config,
            DealCodec(dump_deal, loads_deal),
            scheduler=None if address == "local" else address,
            progress=bar,
            sized_on=original if args.scenario else None,
        )
    if args.json:
        if args.scenario:  # say what was stressed, keeping the output deterministic
            doc = json.loads(result.to_json())
            doc["scenario"] = args.scenario
            sys.stdout.write(json.dumps(doc, sort_keys=True) + "\n")
        else:
            sys.stdout.write(result.to_json() + "\n")
    else:
        text = to_text(json.loads(result.to_json())) + "\n" + ratings_text(original, result)
        basis = recovery_basis(original)
        text += f"\n  {basis}" if basis else ""
        print(text if not args.scenario else f"scenario: {args.scenario}\n{text}")
    return 0


def ratings_text(deal, result) -> str:  # noqa: ANN001 - Deal, MonteCarloResult
    """Each tranche's implied rating from this run, as ``rating`` prints it (the WAL from the
    base case of ``deal``, the band from the number of paths)."""
    from cli.cmd_rating import rating_lines
    from core.structuring.implied_rating import ratings_of

    rated = [(r, r.target) for r in ratings_of(deal, result)]
    return "\n  implied ratings\n" + "\n".join(rating_lines(rated))
