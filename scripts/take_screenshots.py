"""Retake docs/screenshots: every sample deal at 1920x1080 (``<deal>.png``) and at 1280x720, the
laptop arrangement (``<deal>_1280x720.png``), plus the compare window and the first-deal guide.

    xvfb-run -a -s "-screen 0 1920x1080x24" .venv/bin/python scripts/take_screenshots.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
DEALS = ROOT / "resources" / "deals"
SIZES = {"": "1920x1080", "_1280x720": "1280x720"}


def main_windows() -> None:
    for deal in sorted(DEALS.glob("*.json")):
        for suffix, size in SIZES.items():
            out = OUT / f"{deal.stem}{suffix}.png"
            cmd = [sys.executable, str(ROOT / "main.py"), str(deal), "--screenshot", str(out),
                   "--size", size]  # fmt: skip
            subprocess.run(cmd, check=True, cwd=ROOT)


def compare_and_guide() -> None:
    sys.path.insert(0, str(ROOT))
    from gui.app import application, settle

    app = application()
    from core.files.deal_json import load_deal
    from gui.main_window import MainWindow

    a = load_deal(DEALS / "xai_gpu_spv.json")
    b = a.copy()
    loan = b.of_kind("tranche")[0]
    b.set_term(loan.id, "notional", 14_000.0)
    w = MainWindow(a, None, offer_recovery=False, restore_layout=False, with_results=False,
                   autosave_enabled=False)  # fmt: skip
    w.show()
    compare = w.compare(a, b, ("xai_gpu_spv.json", "USD 14.0bn loan"))
    compare.resize(1280, 900)
    settle(app, 500)
    compare.refresh()
    settle(app, 500)
    compare.grab().save(str(OUT / "compare.png"))
    guide = w.show_guide()
    guide.resize(560, 700)
    settle(app, 300)
    guide.grab().save(str(OUT / "first_deal_guide.png"))
    w.close()
    print(f"wrote {OUT / 'compare.png'} and {OUT / 'first_deal_guide.png'}")


if __name__ == "__main__":
    main_windows()
    compare_and_guide()
