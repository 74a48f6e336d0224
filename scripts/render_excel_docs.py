"""Render pages of exported workbooks for the docs: docs/excel/<deal>_<sheet>.png.

Each sample in PAGES is exported with its saved values (``export --with-values``), printed to
PDF by LibreOffice with the workbook's own print setup, and the first page of each listed
sheet is rendered by pdftoppm - what a credit analyst sees on paper. Run after a change to the
export's layout:

    .venv/bin/python scripts/render_excel_docs.py
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.files.deal_json import load_deal  # noqa: E402
from core.files.excel_export import export_workbook  # noqa: E402

OUT = ROOT / "docs" / "excel"
DPI = 80
#: deal -> {sheet title's first words: png name}
PAGES = {
    "xai_gpu_spv": {"CashFlows:": "cashflows", "Checks:": "checks"},
    "terawulf_backstop": {"Sizing": "sizing", "Schedules:": "schedules"},
}


def first_pages(pdf: Path, titles: dict[str, str]) -> dict[str, int]:
    """The first page (1-based) whose first line starts with each title."""
    found: dict[str, int] = {}
    n = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines() if line.startswith("Pages:")))  # fmt: skip
    for page in range(1, n + 1):
        args = ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"]
        text = subprocess.run(args, capture_output=True, text=True, check=True)
        first = next((line.strip() for line in text.stdout.splitlines() if line.strip()), "")
        for title, name in titles.items():
            if first.startswith(title) and name not in found:
                found[name] = page
    return found


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="capstack-excel-docs-") as tmp:
        work = Path(tmp)
        for deal, titles in PAGES.items():
            xlsx = work / f"{deal}.xlsx"
            export_workbook(load_deal(ROOT / "resources" / "deals" / f"{deal}.json"), xlsx,
                            scenarios=False, mc_paths=0, values=True)  # fmt: skip
            subprocess.run(["soffice", f"-env:UserInstallation=file://{work}/profile",
                            "--headless", "--convert-to", "pdf", "--outdir", str(work),
                            str(xlsx)], capture_output=True, check=True, timeout=600)  # fmt: skip
            pdf = xlsx.with_suffix(".pdf")
            for name, page in first_pages(pdf, titles).items():
                stem = work / f"{deal}_{name}"
                args = ["pdftoppm", "-r", str(DPI), "-png", "-singlefile"]
                subprocess.run([*args, "-f", str(page), "-l", str(page), str(pdf), str(stem)],
                               check=True)  # fmt: skip
                shutil.copy(stem.with_suffix(".png"), OUT / f"{deal}_{name}.png")
                print(f"docs/excel/{deal}_{name}.png: page {page} of {pdf.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
