"""Where the collateral value or a recovery is shown, the views say which basis it rests on
(physical or going concern): ``run``, ``montecarlo``, the GUI's metrics and the printed
report. The numbers are the engine's (hand-worked in tests/engine/test_going_concern.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.engine.results import run_deal
from core.files.deal_json import dump_deal, load_deal
from core.report.data import gather
from core.report.valuation import valuation_lines
from gui.report.content import metrics_section
from gui.results.metrics_table import metric_rows
from tests.engine.test_going_concern import leased_facility

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "deals" / "terawulf_backstop.json"


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )  # fmt: skip


def test_the_run_says_the_collateral_is_valued_as_a_going_concern(tmp_path):
    """The hand-worked deal: LTV at close 500 / 272.32 = 183.61% on the going-concern value,
    the liquidation in year 2 at 214.11 x 0.95 = 203.40."""
    path = tmp_path / "gc.json"
    path.write_text(dump_deal(leased_facility()))
    proc = _main("run", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "LTV at close 183.61% (going-concern value)" in proc.stdout
    assert "buyer's yield 8.00%, sale cost in a forced sale 5.00%" in proc.stdout
    assert "at the going-concern value: USD 203.4m" in proc.stdout
    rows = dict(metric_rows(run_deal(leased_facility())))
    assert rows["LTV at close"].endswith("(going-concern value)")


def _physical():
    """TeraWulf with the term off (the sample values its collateral as a going concern)."""
    d = load_deal(SAMPLE)
    d.set_term("spv", "going_concern_yield", 0.0)
    return d


def test_without_the_term_the_views_read_as_before():
    result = run_deal(_physical())
    assert valuation_lines(result) == []
    assert not dict(metric_rows(result))["LTV at close"].endswith(")")
    assert "LTV at close (physical value)" in metrics_section(gather(_physical(), 0))


def test_the_report_and_the_monte_carlo_name_the_basis(tmp_path):
    data = gather(leased_facility(), mc_paths=0)
    html = metrics_section(data)
    assert "LTV at close (going-concern value)" in html
    assert "Collateral valued as a going concern while a lease performs" in html
    path = tmp_path / "gc.json"
    path.write_text(dump_deal(leased_facility()))
    proc = _main("montecarlo", str(path), "--model", "deterministic", "--paths", "50")
    assert proc.returncode == 0, proc.stderr
    assert "recoveries and collateral values: the going-concern value" in proc.stdout


def test_a_deterministic_monte_carlo_without_defaults_prints_its_causes():
    """Every driver off, the notes never default: the causes table says so (it crashed on
    the shares of a tranche without defaults, None)."""
    proc = _main("montecarlo", str(SAMPLE), "--model", "deterministic", "--paths", "20")
    assert proc.returncode == 0, proc.stderr
    assert "no default on any path" in proc.stdout


def test_the_ltv_chart_names_the_collateral_value(qtbot):
    """The chart's value curve is the engine's asset value (272.32 at close, the lease's
    going-concern value) and is named for its basis."""
    from gui.results.ltv_chart import LtvChart

    chart = LtvChart()
    qtbot.addWidget(chart)
    result = run_deal(leased_facility())
    chart.show_result(result)
    y = chart.asset_curve.getData()[1]
    assert y[0] == result.periods["asset_value"].iloc[0] == result.compiled.inputs.asset_value[0, 0]
    assert round(float(y[0]), 2) == 272.32
    assert "Collateral value (going concern)" in _legend(chart)
    chart.show_result(run_deal(_physical()))  # TeraWulf with the term off
    assert "Asset market value" in _legend(chart)
    assert "Collateral value (going concern)" not in _legend(chart)


def _legend(chart) -> list[str]:  # noqa: ANN001 - LtvChart
    return [label.text for _, label in chart.values.legend.items]
