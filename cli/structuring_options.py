"""Options the structuring commands share (``size``, ``optimise``, ``rating``, ``tornado``):
the parser with its deal file and repeated options (:func:`structuring_parser`), the Monte
Carlo behind PD / EL / rating constraints (``--paths``, ``--seed``, ``--model``), run on Dask
with ``--scheduler``, and the case the debt is sized on (``--case``)."""

from __future__ import annotations

import argparse
import sys


def structuring_parser(
    sub: argparse._SubParsersAction,
    name: str,
    help_text: str,
    repeated: dict[str, str] | None = None,
) -> argparse.ArgumentParser:
    """The sub-command ``name`` reading one deal file, with each of ``repeated`` (option ->
    help) an option that may be given several times (a list, empty by default)."""
    p = sub.add_parser(name, help=help_text)
    p.add_argument("deal", help="deal file (JSON)")
    for option, text in (repeated or {}).items():
        p.add_argument(option, action="append", default=[], help=text)
    return p


def add_options(p: argparse.ArgumentParser, paths: int) -> None:
    p.add_argument(
        "--paths",
        type=int,
        default=paths,
        help=f"Monte Carlo paths for PD / EL / rating figures (default {paths:,}; 0: none)",
    )
    p.add_argument("--seed", type=int, default=1, help="Monte Carlo seed (default 1)")
    p.add_argument(
        "--model",
        default=None,
        help="market-model parameters FILE.json (docs/risk.md), or 'deterministic'",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler address, or 'local'; default $CAPSTACK_DASK_SCHEDULER, else here",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")


def mc_config(args: argparse.Namespace):
    """The Monte Carlo configuration (None with ``--paths 0``); bad values raise with the
    option's name."""
    from cli.cmd_montecarlo import load_model
    from core.limits import check_paths
    from core.risk.errors import RiskInputError
    from core.risk.montecarlo import MonteCarloConfig

    if args.paths < 0:
        raise RiskInputError(f"--paths must be 0 or more, got {args.paths}")
    check_paths(args.paths)
    if args.paths == 0:
        return None
    config = MonteCarloConfig(n_paths=args.paths, seed=args.seed, model=load_model(args.model))
    config.validate()
    return config


def runner(args: argparse.Namespace):
    """Runs each candidate's Monte Carlo here, or on Dask when a scheduler is given."""
    from core.risk.distributed import scheduler_address
    from core.structuring.candidate import local_runner

    address = scheduler_address(args.scheduler)
    if address is None:
        return local_runner
    from dask.distributed import Client, LocalCluster

    if address == "local":
        return dask_runner(Client(LocalCluster(n_workers=2, dashboard_address=None)))
    return dask_runner(Client(address))


def dask_runner(client):  # noqa: ANN001, ANN201
    """A Monte Carlo runner on the Dask ``client`` (chunks merged exactly: the same result as
    a local run, core/risk/distributed.py); the deal travels as deal-file JSON."""
    from core.files.deal_json import dump_deal, loads_deal
    from core.risk.distributed import DealCodec, run_distributed

    codec = DealCodec(dump_deal, loads_deal)

    def run(deal, config):  # noqa: ANN001, ANN202
        return run_distributed(deal, config, codec, client=client)

    return run


def case_stress(name: str | None):
    """(stress or None, label) for ``--case`` base / downside / severe / FILE.json."""
    if name in (None, "base"):
        return None, "base"
    from core.files.scenario_json import scenario
    from core.risk.errors import RiskInputError

    found = scenario(name)
    if len(found) != 1:
        raise RiskInputError(
            f"--case {name}: the file holds {len(found)} scenarios; give a file with one"
        )
    label, stress = next(iter(found.items()))
    return stress, label


def write_json(doc: dict) -> None:
    import json

    from core.engine.result_json import json_safe

    sys.stdout.write(json.dumps(json_safe(doc), sort_keys=True, indent=1) + "\n")
