"""``python main.py stress`` and ``montecarlo``: engine numbers, byte-identical JSON, progress
bar on stderr, clear errors with exit status 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.engine.results import run_deal
from core.files.deal_json import load_deal
from core.risk.montecarlo import MonteCarloConfig, run_montecarlo
from core.risk.scenarios import BUILTIN
from core.risk.stress import Stress, apply_stress, run_stressed

ROOT = Path(__file__).resolve().parents[1]
DEAL = ROOT / "resources" / "deals" / "hyperion_jv.json"


def _main(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_stress_json_scenarios_grid_breakeven():
    proc = _main(
        "stress", str(DEAL), "--scenario", "severe", "--set", "base_rate_shock=0.01",
        "--grid", "rent_deflation=0:0.2:2", "residual_haircut=0,0.5", "--breakeven", "--json",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    deal = load_deal(DEAL)
    from dataclasses import replace

    stress = replace(BUILTIN["severe"], base_rate_shock=0.01)
    res = run_stressed(deal, stress)
    (row,) = doc["scenarios"]
    assert row["scenario"] == "severe"
    assert row["min_dscr"] == pytest.approx(res.metrics["min_dscr"], rel=1e-12)
    assert row["debt_loss"] == pytest.approx(res.metrics["debt_loss"], rel=1e-12)
    assert len(doc["grid"]) == 4
    drivers = {b["driver"] for b in doc["breakeven"]}
    assert {"rent_deflation", "residual_haircut", "termination_year"} <= drivers
    assert doc["dscr_headroom"]["lockup_dscr"] > 0


def test_stress_text_and_defaults():
    proc = _main("stress", str(DEAL), "--set", "rent_deflation=0.3")
    assert proc.returncode == 0, proc.stderr
    assert "custom: rent deflation +30.0%" in proc.stdout
    res = run_stressed(load_deal(DEAL), Stress(rent_deflation=0.3))
    assert f"{res.metrics['min_dscr']:.2f}x" in proc.stdout


def test_stress_names_a_completion_guarantee_payment():
    """Hyperion a year late: Meta's completion guarantee pays the delay's costs; the look-through
    line calls it that (it said "backstop paid"), with the engine's amount."""
    proc = _main("stress", str(DEAL), "--scenario", "construction_delay")
    assert proc.returncode == 0, proc.stderr
    deal = load_deal(DEAL)
    res = run_stressed(deal, BUILTIN["construction_delay"])
    (cg,) = [b for b in deal.blocks.values() if b.terms.get("guarantee_type") == "completion"]
    paid = float(res.compiled.guarantee_paid[cg.id][0].sum())
    assert paid > 0
    line = [x for x in proc.stdout.splitlines() if "back on balance sheet" in x]
    assert line == [
        f"    Meta Platforms: RVG called 0.0, backstop paid 0.0, completion guarantee paid "
        f"{paid:,.1f} back on balance sheet"
    ]


def test_stress_any_deal_field():
    proc = _main("stress", str(DEAL), "--set", "lease.term_years=2", "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    deal = load_deal(DEAL)
    deal.set_term("lease", "term_years", 2)
    assert doc["fields_set"] == {"lease.term_years": 2}
    assert doc["scenarios"][0]["debt_loss"] == pytest.approx(run_deal(deal).metrics["debt_loss"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["stress", str(DEAL), "--set", "rent_deflation=2"], "rent_deflation = 2.0 is outside"),
        (["stress", str(DEAL), "--set", "speed=1"], "unknown input 'speed'"),
        (["stress", str(DEAL), "--scenario", "awful"], "unknown scenario 'awful'"),
        (["stress", str(DEAL), "--grid", "rent_deflation=0:1", "x=1"], "NAME=LO:HI:N"),
        (["stress", str(DEAL), "--set", "lease.term_years=-2"], "terms.term_years: must be"),
        (["stress", str(DEAL), "--set", "nope.x=1"], "expected BLOCK_ID.FIELD"),
        (["montecarlo", str(DEAL), "--paths", "0"], "--paths must be"),
        (["montecarlo", str(DEAL), "--model", "missing.json"], "missing.json"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(args, message):
    proc = _main(*args)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_montecarlo_json_is_byte_identical_and_matches_the_library(tmp_path):
    args = ("montecarlo", str(DEAL), "--paths", "700", "--seed", "9", "--chunk", "300", "--json")
    a, b = _main(*args), _main(*args)
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    assert "700/700 paths" in a.stderr  # the progress bar goes to stderr
    doc = json.loads(a.stdout)
    lib = run_montecarlo(load_deal(DEAL), MonteCarloConfig(n_paths=700, seed=9, chunk_size=300))
    assert a.stdout.strip() == lib.to_json()
    t = doc["tranches"][0]
    for key in ("probability_of_default", "expected_loss", "loss_given_default"):
        assert key in t
    assert set(doc["min_dscr"]) >= {"p5", "p50", "p95"}
    assert "lockup" in doc["covenant_breach_probability"]
    model = tmp_path / "model.json"
    model.write_text(json.dumps({"rent_vol": 0.0, "btc_vol": 0.0}))
    c = _main(*args, "--model", str(model), "--quiet")
    assert c.returncode == 0 and c.stderr == ""
    assert json.loads(c.stdout)["model"]["rent_vol"] == 0.0


def test_montecarlo_text():
    proc = _main("montecarlo", str(DEAL), "--paths", "300", "--seed", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "PD" in proc.stdout and "min DSCR" in proc.stdout and "lockup" in proc.stdout


def test_montecarlo_text_says_what_the_defaults_came_from():
    """Each cause's shares are the library's, printed; drivers the deal lacks are named as not
    applicable (Hyperion: no crypto, all debt fixed-rate)."""
    proc = _main("montecarlo", str(DEAL), "--paths", "2000", "--seed", "1", "--quiet")
    assert proc.returncode == 0, proc.stderr
    lib = run_montecarlo(load_deal(DEAL), MonteCarloConfig(n_paths=2000, seed=1))
    t = lib.attribution["tranches"][0]
    titles = {c["id"]: c["title"] for c in lib.attribution["causes"]}
    assert f"{t['defaults']:,} defaulting paths" in proc.stdout
    shown = [cid for cid, v in t["causes"].items() if v["share_of_defaults"] > 0]
    assert len(shown) >= 2
    lines = proc.stdout.splitlines()
    for cid in shown:
        v = t["causes"][cid]
        row = next(x for x in lines if x.strip().startswith(titles[cid]))
        assert f"{v['share_of_defaults'] * 100:.2f}%" in row
        assert f"{v['share_of_expected_loss'] * 100:.2f}%" in row
    na = next(x for x in lines if "not applicable to this deal:" in x)
    assert "Crypto collateral (no crypto collateral)" in na
    assert "Guarantor default (backstop stops) (no backstop from a third party;" in na
    assert "Rates (all debt is fixed-rate)" in proc.stdout
    assert "debt is still outstanding" in proc.stdout


def test_montecarlo_on_a_scenario_equals_the_library_on_the_stressed_deal():
    proc = _main(
        "montecarlo", str(DEAL), "--paths", "300", "--seed", "4", "--scenario", "severe",
        "--json", "--quiet",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc.pop("scenario") == "severe"
    deal = load_deal(DEAL)
    lib = run_montecarlo(
        apply_stress(deal, BUILTIN["severe"]), MonteCarloConfig(n_paths=300, seed=4), sized_on=deal
    )
    assert doc == json.loads(lib.to_json())


def test_stress_risks_marks_what_does_not_apply():
    """Hyperion has no GPU fleet, no crypto and fixed-rate bonds: those stresses are named as
    not applicable, not printed as zero-loss stresses; the others give their debt loss."""
    text = _main("stress", str(DEAL), "--risks")
    assert text.returncode == 0, text.stderr
    out = text.stdout
    assert "Rates: not applicable (all debt is fixed-rate)" in out
    assert "Technology obsolescence / residual value: not applicable (no GPU fleet)" in out
    assert "Correlation convergence (BTC and compute rent): not applicable" in out
    doc = json.loads(_main("stress", str(DEAL), "--risks", "--json").stdout)
    by_id = {o["risk"]: o for o in doc["risks"]}
    assert by_id["rates"]["not_applicable"] == "all debt is fixed-rate"
    lease = by_id["lease"]
    assert lease["not_applicable"] is None
    line = next(x for x in out.splitlines() if x.startswith(f"  {lease['title']}:"))
    assert f"debt loss {sum(lease['loss_by_tranche'].values()):,.1f}" in line
