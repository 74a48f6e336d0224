"""Deal compare (core.compare, python main.py compare, the compare page): B - A and the
lender's verdict against hand-known changes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.compare import BETTER, EQUAL, NEUTRAL, WORSE, Row, compare_deals, show_delta
from core.engine.results import run_deal
from core.files.deal_json import load_deal, save_deal

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "deals" / "xai_gpu_spv.json"


@pytest.fixture(scope="module")
def pair():
    a = load_deal(SAMPLE)
    b = a.copy()
    loan = b.of_kind("tranche")[0]
    b.set_term(loan.id, "notional", loan.terms["notional"] + 1_500.0)
    return a, b, loan


def test_verdicts_follow_the_lenders_side():
    assert Row("DSCR", "ratio", 1.3, 1.2, 1).verdict == WORSE
    assert Row("LTV", "pct", 0.7, 0.6, -1).verdict == BETTER
    assert Row("IRR", "pct", 0.1, 0.2, 0).verdict == NEUTRAL
    assert Row("x", "money", 5.0, 5.0, 1).verdict == EQUAL
    assert (
        Row("x", "ratio", None, 1.0, 1).verdict == NEUTRAL
        and Row("x", "ratio", 1, None).delta is None
    )
    assert show_delta(Row("LTV", "pct", 0.70, 0.7125, -1)) == "+1.25 pp"


def test_more_debt_on_the_same_deal(pair):
    a, b, loan = pair
    c = compare_deals(a, b, ("a", "b"))
    rows = {r.label: r for r in c.metrics}
    assert rows["Total debt (USD m)"].delta == pytest.approx(1_500.0)
    assert rows["Total equity (USD m)"].verdict == EQUAL
    # A's and B's numbers are the engine's own runs of each deal
    assert rows["Min DSCR"].a == run_deal(a).metrics["min_dscr"]
    assert rows["Min DSCR"].b == run_deal(b).metrics["min_dscr"]
    assert rows["Min DSCR"].verdict == WORSE  # more debt on the same cash flow
    assert all(rs[0].verdict == WORSE for rs in c.stress.values())  # min DSCR in each stress
    assert [(ch.block, ch.what) for ch in c.changes] == [(loan.title, "Notional")]
    (a_stack, b_stack) = c.capital
    assert b_stack[0][1] - a_stack[0][1] == pytest.approx(1_500.0)
    assert sum(s for _, _, s in b_stack) == pytest.approx(1.0)


def test_structure_changes_list_blocks_and_links(pair):
    a, _, _ = pair
    b = a.copy()
    b.add_block("equity", {"investor": "Mezz fund", "amount": 100.0}, block_id="pref")
    b.connect("issues", b.of_kind("spv")[0].id, "pref")
    c = compare_deals(a, b, scenarios=())
    whats = [ch.what for ch in c.changes]
    assert ("Mezz fund", "added") in [(ch.block, ch.what) for ch in c.changes]
    assert any(w == "link added (issues)" for w in whats)
    total = {r.label: r for r in c.metrics}["Total equity (USD m)"]
    assert total.delta == pytest.approx(100.0)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "compare", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)  # fmt: skip


def test_command_line_text_json_and_refusals(pair, tmp_path):
    a, b, _ = pair
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    save_deal(a, pa)
    save_deal(b, pb)
    out = run_cli(str(pa), str(pb))
    assert out.returncode == 0, out.stderr
    assert "Min DSCR" in out.stdout and "worse" in out.stdout and "+1,500.0" in out.stdout
    js = run_cli(str(pa), str(pb), "--json")
    data = json.loads(js.stdout)
    debt = next(r for r in data["metrics"] if r["label"] == "Total debt (USD m)")
    assert debt["delta"] == pytest.approx(1_500.0) and debt["verdict"] == "changed"
    same = run_cli(str(pa), str(pb), "-o", str(pa))  # the output would overwrite an input
    assert same.returncode == 2 and pa.read_bytes() == (tmp_path / "a.json").read_bytes()
    missing = run_cli(str(pa), str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "nope.json" in missing.stderr


def test_report_with_a_compare_page(pair, tmp_path):
    a, b, _ = pair
    pa, pb, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "r.pdf"
    save_deal(a, pa)
    save_deal(b, pb)
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "report", str(pa), "-o", str(out), "--paths", "0",
         "--compare", str(pb)], capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert text.index("Deal compare") > text.index("Key metrics")  # after the risk summary
    assert "+1,500.0" in text and "worse" in text
    refused = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "report", str(pa), "-o", str(pb), "--compare",
         str(pb)], capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert refused.returncode == 2


def test_monte_carlo_rows_are_each_deals_own_run_on_the_same_seed(pair):
    from core.risk.montecarlo import MonteCarloConfig, run_montecarlo

    a, b, _ = pair
    c = compare_deals(a, b, mc_paths=400, seed=3, scenarios=())
    config = MonteCarloConfig(n_paths=400, seed=3)
    ma, mb = run_montecarlo(a, config), run_montecarlo(b, config)
    rows = {r.label: r for r in c.montecarlo}
    pd_row = rows["PD of the most senior tranche"]
    assert pd_row.a == ma.tranches[0]["probability_of_default"]
    assert pd_row.b == mb.tranches[0]["probability_of_default"]
    assert rows["Min DSCR, 5th percentile"].b == mb.min_dscr["p5"]
    assert c.mc_paths == 400
