"""Render the risk summary of every sample deal for the docs: docs/report/<deal>.png.

Each PNG shows all pages of the PDF that ``python main.py report`` writes, side by side in a
grid (pdftoppm renders the pages; Qt stitches them). Run after a change to the report or the
engine:

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/render_report_docs.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QColor, QImage, QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from core.files.deal_json import load_deal  # noqa: E402
from gui.report.document import build_report  # noqa: E402

DPI = 60
GAP = 16
COLUMNS = 4


def stitch(pages: list[Path], out: Path) -> None:
    images = [QImage(str(p)) for p in pages]
    w, h = images[0].width(), images[0].height()
    cols = min(COLUMNS, len(images))
    rows = -(-len(images) // cols)
    sheet = QImage(
        cols * w + (cols + 1) * GAP, rows * h + (rows + 1) * GAP, QImage.Format.Format_RGB32
    )
    sheet.fill(QColor("#d9dde3"))
    painter = QPainter(sheet)
    painter.setPen(QColor("#9aa3ad"))
    for k, img in enumerate(images):
        x = GAP + (k % cols) * (w + GAP)
        y = GAP + (k // cols) * (h + GAP)
        painter.drawImage(x, y, img)
        painter.drawRect(x - 1, y - 1, w + 1, h + 1)
    painter.end()
    sheet.save(str(out), "PNG")


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    out_dir = ROOT / "docs" / "report"
    out_dir.mkdir(parents=True, exist_ok=True)
    for deal_path in sorted((ROOT / "resources" / "deals").glob("*.json")):
        with tempfile.TemporaryDirectory() as tmp:
            pdf = Path(tmp) / f"{deal_path.stem}.pdf"
            # the file name, not the absolute path, goes in the header
            _, pages = build_report(load_deal(deal_path), str(pdf), str(deal_path))
            subprocess.run(
                ["pdftoppm", "-r", str(DPI), "-png", str(pdf), str(Path(tmp) / "p")], check=True
            )
            stitch(sorted(Path(tmp).glob("p-*.png")), out_dir / f"{deal_path.stem}.png")
        print(f"docs/report/{deal_path.stem}.png: {pages} pages")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
