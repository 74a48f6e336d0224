"""A deal with an interest-rate swap: the printed summary and `run` show its terms and what it
paid, from the engine's numbers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from core.files.deal_json import dump_deal, load_deal
from core.report.data import gather
from gui.report.content import metrics_section
from gui.results.formatting import fmt_money
from tests.engine.test_swap_deal import SAMPLE, hedged

ROOT = Path(__file__).resolve().parents[2]


def test_report_metrics_show_the_swap_terms_and_cash():
    data = gather(hedged(fixed=0.0355, ratio=0.8), mc_paths=0)
    out = data.result.outputs
    html = metrics_section(data)
    assert "Hedging. Interest-rate swap with Hedge bank: Pay 3.55% fixed" in html
    assert "80.00% of Apollo-led senior loan" in html
    assert fmt_money(float(out.swap_cash[0].sum())) in html
    assert "Net swap cash received / (paid)" in html


def test_report_of_a_deal_without_swaps_says_nothing_of_them():
    data = gather(load_deal(SAMPLE), mc_paths=0)
    assert "swap_net_cash" not in data.result.metrics
    assert "swap" not in metrics_section(data).lower()


def test_cli_run_prints_the_swap_line(tmp_path):
    deal = hedged(fixed=0.06)
    path = tmp_path / "swapped.json"
    path.write_text(dump_deal(deal))
    text = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "run", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    line = next(x for x in text.splitlines() if "interest-rate swaps" in x)
    paid = float(line.split("(paid)")[1].split()[0].replace(",", ""))
    from core.engine.results import run_deal

    want = run_deal(deal).outputs.swap_cash[0].sum()
    assert paid < 0 and np.isclose(paid, want, atol=0.05)
