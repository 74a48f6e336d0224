"""``size``, ``optimise`` and ``tornado`` on the command line: text, JSON, files written,
bad input refused with a message naming it (exit 2)."""

from __future__ import annotations

import json

import openpyxl
import pytest

from cli.main import cli_main
from core.files.deal_json import load_deal, save_deal
from tests.engine.deal_builders import sculpted_terawulf
from tests.structuring.test_sizing import C, R, annuity_factor, quarterly

TERAWULF = "resources/deals/terawulf_backstop.json"


@pytest.fixture
def sculpted(tmp_path):
    """The TeraWulf sample with its notes sculpted (no refinancing), as a deal file."""
    path = tmp_path / "terawulf_sculpted.json"
    save_deal(sculpted_terawulf(), path)
    return str(path)


@pytest.fixture
def deal_file(tmp_path):
    path = tmp_path / "deal.json"
    save_deal(quarterly(), path)
    return path


def test_size_json_names_the_binding_constraint(deal_file, capsys):
    rc = cli_main(["size", str(deal_file), "--min-dscr", "1.25", "--llcr", "1.5", "--json"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["binding"] == "llcr>=1.5"
    assert doc["sized_notional"] == pytest.approx(C / (1.5 * annuity_factor(R, 20)), rel=1e-5)
    assert [c["constraint"] for c in doc["capacities"]] == ["min_dscr>=1.25", "llcr>=1.5"]


def test_size_writes_the_sized_deal_and_its_sizing_sheet(tmp_path, capsys, sculpted):
    out, xlsx = tmp_path / "sized.json", tmp_path / "sized.xlsx"
    rc = cli_main(["size", sculpted, "--dscr", "1.30", "--max-ltv", "1.9", "-o", str(out),
                   "--excel", str(xlsx)])  # fmt: skip
    assert rc == 0
    text = capsys.readouterr().out
    assert "binding: senior.ltv<=1.9" in text and "sculpted to 1.30x" in text
    sized = load_deal(out)
    notes = sized.blocks["notes"].terms
    assert notes["amortisation"] == "sculpted" and notes["target_dscr"] == 1.30
    ws = openpyxl.load_workbook(xlsx)["Sizing"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r[0]}
    assert rows["Binding constraint"][0] == "senior.ltv<=1.9"
    assert rows["Sized notional"][0] == pytest.approx(notes["notional"])
    assert rows["senior.ltv<=1.9"][1] == "yes"


def test_size_refuses_bad_input(deal_file, capsys):
    assert cli_main(["size", str(deal_file), "--constraint", "dscr>1"]) == 2
    assert "constraint 'dscr>1'" in capsys.readouterr().err
    assert cli_main(["size", str(deal_file), "--tranche", "mezz", "--min-dscr", "1.2"]) == 2
    assert "unknown tranche 'mezz'" in capsys.readouterr().err
    assert cli_main(["size", str(deal_file), "--min-dscr", "1.2", "-o", str(deal_file)]) == 2
    assert cli_main(["size", str(deal_file), "--rating", "A3", "--paths", "-5"]) == 2
    assert "--paths" in capsys.readouterr().err


def test_size_on_a_rating_uses_the_monte_carlo(capsys):
    rc = cli_main(["size", TERAWULF, "--rating", "Baa3", "--paths", "2000", "--json"])
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    check = doc["checks"][0]
    assert check["constraint"] == "senior.rating>=Baa3" and check["holds"]
    assert 0 < doc["sized_notional"] < 2640


def test_optimise_writes_the_best_structure(tmp_path, capsys):
    out = tmp_path / "best.json"
    deal = tmp_path / "deal.json"
    save_deal(quarterly(), deal)
    rc = cli_main(["optimise", str(deal), "--objective", "proceeds", "--constraint",
                   "min_dscr>=1.25", "-o", str(out), "--json"])  # fmt: skip
    assert rc == 0
    doc = json.loads(capsys.readouterr().out)
    best = C / (1.25 * annuity_factor(R, 20))
    assert doc["best"]["notionals"]["senior"] == pytest.approx(best, rel=1e-6)
    assert load_deal(out).blocks["senior"].terms["notional"] == pytest.approx(best, rel=1e-6)
    assert doc["frontier"] and doc["direction"] == "max"


def test_optimise_with_no_feasible_structure_exits_1(deal_file, capsys):
    rc = cli_main(["optimise", str(deal_file), "--objective", "proceeds",
                   "--constraint", "proceeds>=1000000"])  # fmt: skip
    assert rc == 1
    assert "no structure explored meets every constraint" in capsys.readouterr().out


def test_rating_command_against_a_target(capsys):
    rc = cli_main(["rating", TERAWULF, "--paths", "2000", "--target", "senior=Aaa", "--json"])
    assert rc == 0
    row = json.loads(capsys.readouterr().out)["tranches"][0]
    assert row["id"] == "notes" and row["target"] == "Aaa"
    assert row["meets_target"] == (row["moodys_el_rating"] == "Aaa")
    assert cli_main(["rating", TERAWULF, "--target", "senior"]) == 2
    assert "TRANCHE=RATING" in capsys.readouterr().err


def test_tornado_command(capsys, sculpted):
    assert cli_main(["tornado", sculpted, "--paths", "0", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["order"]["min_dscr"][0] == "rent"
    assert doc["base"]["senior_el"] is None  # no Monte Carlo asked for
    assert cli_main(["tornado", sculpted, "--paths", "0"]) == 0
    assert "Rent" in capsys.readouterr().out


def test_monte_carlo_constraints_on_dask_give_the_local_answer():
    from dask.distributed import Client, LocalCluster

    from cli.structuring_options import dask_runner
    from core.risk.montecarlo import MonteCarloConfig
    from core.structuring.constraints import parse_constraint
    from core.structuring.sizing import size_tranche

    deal = load_deal(TERAWULF)
    cons = [parse_constraint("senior.el<=1%", deal)]
    cfg = MonteCarloConfig(n_paths=800, seed=9, chunk_size=400)
    local = size_tranche(deal, "senior", cons, mc=cfg)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                     dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        remote = size_tranche(deal, "senior", cons, mc=cfg, runner=dask_runner(client))
    assert remote.notional == local.notional > 0
    assert remote.checks == local.checks


def test_montecarlo_prints_the_ratings_rating_prints(capsys):
    """``montecarlo`` ends with each tranche's implied rating, the same line ``rating`` prints
    for the same paths and seed; the EL and PD on it are the run's own loss share and default
    rate (computed here from the library's per-path statistics), and the band is there."""
    from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

    args = [TERAWULF, "--paths", "1500", "--seed", "3"]
    assert cli_main(["montecarlo", *args, "--quiet"]) == 0
    mc_out = capsys.readouterr().out
    assert cli_main(["rating", *args]) == 0
    rating_out = capsys.readouterr().out
    line = next(x for x in rating_out.splitlines() if "senior secured notes" in x)
    assert line in mc_out.splitlines()
    lib = run_montecarlo(load_deal(TERAWULF), MonteCarloConfig(n_paths=1500, seed=3))
    notional = lib.tranches[0]["notional"]
    el = float(lib.stats.loss[:, 0].mean()) / notional
    pd = float(lib.stats.default[:, 0].mean())
    assert 0.01 < el < 0.5 and 0.05 < pd < 0.9  # TeraWulf's notes lose on some paths
    assert f"{el * 100:.2f}%" in line and f"{pd * 100:.2f}%" in line
    assert "(EL, band " in line and "(PD, band " in line
    assert "implied ratings" in mc_out
