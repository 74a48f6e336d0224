"""``python main.py portfolio``: the result of the engine, byte-identical JSON, the same with
``--scheduler local``, refusals before any work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.files.portfolio_json import load_book
from core.portfolio.run import run_portfolio
from core.portfolio.runner import PortfolioConfig

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "resources" / "portfolios" / "ai_book.json"


def _main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "portfolio", *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300, env=dict(os.environ),
    )  # fmt: skip


def test_json_is_the_library_result_and_deterministic_and_the_same_on_dask():
    args = (str(BOOK), "--paths", "400", "--seed", "3", "--chunk", "200", "--json", "--quiet")
    one = _main(*args)
    assert one.returncode == 0, one.stderr
    assert _main(*args).stdout == one.stdout
    want = run_portfolio(load_book(BOOK), PortfolioConfig(n_paths=400, seed=3, chunk_size=200))
    assert one.stdout.strip() == want.to_json()
    dask = _main(*args, "--scheduler", "local")
    assert dask.returncode == 0, dask.stderr
    assert dask.stdout == one.stdout
    doc = json.loads(one.stdout)
    assert {d["id"] for d in doc["deals"]} == {"hyperion", "xai", "terawulf", "coreweave"}


def test_text_output_and_refusals():
    proc = _main(str(BOOK), "--paths", "200", "--quiet", "--no-converged")
    assert proc.returncode == 0, proc.stderr
    assert "99.9%  VaR" in proc.stdout and "Google" in proc.stdout
    big = _main(str(BOOK), "--paths", "2000000")  # 4 deals x 2M > 5M deal-paths
    assert big.returncode == 2 and "paths x deals" in big.stderr and "5,000,000" in big.stderr
    bad = _main(str(ROOT / "resources" / "deals" / "xai_gpu_spv.json"), "--paths", "10")
    assert bad.returncode == 2 and "format" in bad.stderr


def test_report_pdf(tmp_path):
    out = tmp_path / "book.pdf"
    proc = _main(str(BOOK), "--paths", "300", "--quiet", "--report", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF") and "Wrote" in proc.stderr
    bad = _main(str(BOOK), "--paths", "10", "--report", str(tmp_path / "x.txt"))
    assert bad.returncode == 2 and "must end in .pdf" in bad.stderr
    same = _main(str(BOOK), "--paths", "10", "--report", str(BOOK))
    assert same.returncode == 2 and BOOK.read_text().startswith("{")  # the book is intact
