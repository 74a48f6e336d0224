"""GUI test setup: offscreen Qt, settings and recovery file in a temporary folder, and
message boxes that never block (tests that care replace the answer)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QMessageBox

from core.files.deal_json import load_deal
from core.model.deal import Deal
from gui import autosave
from gui.document import DealDocument

DEALS = Path(__file__).resolve().parents[2] / "resources" / "deals"
SAMPLE = DEALS / "hyperion_jv.json"


class Answers:
    """Records message boxes and answers ``question`` with ``self.reply``."""

    def __init__(self) -> None:
        self.reply = QMessageBox.StandardButton.Discard
        self.shown: list[tuple[str, str, str]] = []

    def question(self, parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN201
        self.shown.append(("question", title, text))
        return self.reply

    def other(self, kind: str):  # noqa: ANN201
        def show(parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN202
            self.shown.append((kind, title, text))
            return QMessageBox.StandardButton.Ok

        return show


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch, qapp) -> Answers:  # noqa: ANN001
    QCoreApplication.setOrganizationName("CapStack")
    QCoreApplication.setApplicationName("CapStack-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "ini"))
    monkeypatch.setattr(autosave, "recovery_dir", lambda: tmp_path / "recovery")
    answers = Answers()
    monkeypatch.setattr(QMessageBox, "question", answers.question)
    for kind in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, kind, answers.other(kind))
    return answers


@pytest.fixture
def sample_deal() -> Deal:
    return load_deal(SAMPLE)


@pytest.fixture
def doc(sample_deal: Deal) -> DealDocument:
    return DealDocument(sample_deal)


@pytest.fixture
def window(qtbot, sample_deal):  # noqa: ANN001, ANN201
    """The main window on the sample deal, without result docks (no background runs)."""
    from gui.main_window import MainWindow

    w = MainWindow(
        sample_deal, None, offer_recovery=False, restore_layout=False, with_results=False
    )
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w
