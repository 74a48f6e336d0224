"""Starting the application: arguments, bad deal files, the built-in sample and --screenshot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtGui import QImage

from core.files.deal_json import dump_deal, load_deal
from gui.app import SAMPLE_DEAL, make_window, run_app

ROOT = Path(__file__).resolve().parents[2]
DEAL = ROOT / "resources" / "deals" / "xai_gpu_spv.json"


def test_no_argument_opens_the_sample_unsaved(qtbot) -> None:  # noqa: ANN001
    window, error = make_window(None)
    qtbot.addWidget(window)
    assert error is None
    assert dump_deal(window.document.deal) == dump_deal(load_deal(SAMPLE_DEAL))
    assert window.document.path is None  # Save asks where: the sample is never overwritten


def test_deal_argument_opens_that_file(qtbot, tmp_path) -> None:  # noqa: ANN001
    mine = tmp_path / "mine.json"
    mine.write_bytes(DEAL.read_bytes())
    window, error = make_window(str(mine))
    qtbot.addWidget(window)
    assert error is None and window.document.path == str(mine)
    assert set(window.scene.blocks) == set(load_deal(DEAL).blocks)
    sample, _ = make_window(str(DEAL))  # a shipped sample opens as an unsaved copy
    qtbot.addWidget(sample)
    assert sample.document.path is None


def test_bad_deal_file_shows_the_error_and_starts_empty(qtbot, tmp_path, isolated) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "capstack-deal", "format_version": 1, "name": 3}', "utf-8")
    window, error = make_window(str(bad))
    qtbot.addWidget(window)
    assert error is not None and "bad.json" in error
    assert isolated.shown[-1][0] == "warning" and error in isolated.shown[-1][2]
    assert [b.kind for b in window.document.deal.blocks.values()] == ["spv"]


def test_screenshot_of_a_bad_deal_exits_2(tmp_path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "shot.png"
    assert run_app([str(tmp_path / "missing.json"), "--screenshot", str(out)]) == 2
    assert "cannot open deal" in capsys.readouterr().err
    assert not out.exists()


def test_screenshot_renders_the_window_after_the_first_result(tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "shot.png"
    assert run_app([str(DEAL), "--screenshot", str(out)]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 1000)


def test_screenshot_at_200_percent_scaling(tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "shot2x.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_SCALE_FACTOR="2")
    done = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), str(DEAL), "--screenshot", str(out)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (3200, 2000)
