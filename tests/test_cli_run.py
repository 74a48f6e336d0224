"""``python main.py run``: text and JSON output carry the engine's numbers; bad input exits 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.engine.results import run_deal
from core.files.deal_json import load_deal

ROOT = Path(__file__).resolve().parents[1]
DEAL = ROOT / "resources" / "deals" / "terawulf_backstop.json"


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_run_json_matches_engine():
    proc = _main("run", str(DEAL), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    result = run_deal(load_deal(DEAL))
    for key in ("min_dscr", "avg_dscr", "llcr", "equity_irr"):
        assert doc["metrics"][key] == pytest.approx(result.metrics[key], rel=1e-12)
    assert len(doc["periods"]) == len(result.periods)
    first = doc["periods"][0]
    assert set(first) == {
        "date",
        "revenue",
        "opex",
        "cfads",
        "debt_service",
        "dscr",
        "ltv",
        "dsra_balance",
        "equity_distribution",
    }
    assert first["date"] == result.periods.index[0].date().isoformat()
    assert first["cfads"] == pytest.approx(result.periods["cfads"].iloc[0])
    (tranche,) = doc["tranches"]
    assert tranche["name"] == "7.75% senior secured notes"
    assert tranche["balance"] == pytest.approx(result.tranches[tranche["name"]].balance.tolist())
    for key in ("interest", "principal", "shortfall"):
        assert len(tranche[key]) == len(doc["periods"])


def test_run_text_summary_and_reference_engine():
    proc = _main("run", str(DEAL), "--engine", "reference")
    assert proc.returncode == 0, proc.stderr
    result = run_deal(load_deal(DEAL))
    assert f"min DSCR {result.metrics['min_dscr']:.2f}x" in proc.stdout
    assert "Sources and uses" in proc.stdout and "Capital stack" in proc.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"format": "capstack-deal", "format_version": 1, "name": "x", "blocks": '
            '[{"id": "t", "kind": "tranche", "terms": {"notional": -5}}], "connections": []}',
            "blocks[t].terms.notional",
        ),
        ("{not json", "line 1"),
    ],
)
def test_bad_deal_file_exits_2_with_path(tmp_path, content, expected):
    path = tmp_path / "bad.json"
    path.write_text(content)
    proc = _main("run", str(path))
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert proc.stdout == ""


def test_missing_file_exits_2():
    proc = _main("run", "no/such/deal.json")
    assert proc.returncode == 2
    assert "no/such/deal.json" in proc.stderr
