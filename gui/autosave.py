"""Autosave to a recovery file, and recovery after a crash.

The open deal is written (atomically, through ``save_deal``) to ``recovery.capstack.json`` in
the application data folder every 60 s and shortly after each change while it has unsaved
changes, and the file it belongs to (if any) to ``recovery.path.json`` beside it, so recovery
restores the path too. A clean exit or a save removes both, so finding them at start means a
crash.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, QTimer

from core.files.atomic import write_atomically
from core.files.deal_json import load_deal, save_deal
from core.model.deal import Deal
from gui.document import DealDocument

INTERVAL_MS = 60_000
DEBOUNCE_MS = 2_000
FILE_NAME = "recovery.capstack.json"
PATH_FILE_NAME = "recovery.path.json"


def recovery_dir() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))


def recovery_path() -> Path:
    return recovery_dir() / FILE_NAME


def recovery_path_file() -> Path:
    return recovery_dir() / PATH_FILE_NAME


def recovered_file() -> str | None:
    """The deal file the recovered work belongs to (None: it was never saved)."""
    try:
        path = json.loads(recovery_path_file().read_text(encoding="utf-8")).get("path")
    except (OSError, ValueError, AttributeError):
        return None
    return path if isinstance(path, str) and path else None


def has_recovery() -> bool:
    return recovery_path().is_file()


def load_recovery() -> Deal:
    """The deal in the recovery file (drafts too); raises ``DealError`` / ``OSError``."""
    return load_deal(recovery_path(), check=False)


def discard_recovery() -> None:
    for path in (recovery_path(), recovery_path_file()):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


class AutoSaver(QObject):
    """Writes the document to the recovery file while it has unsaved changes."""

    def __init__(self, document: DealDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.last_error: str | None = None
        self._timer = QTimer(self, interval=INTERVAL_MS, timeout=self.save_now)
        self._debounce = QTimer(self, interval=DEBOUNCE_MS, singleShot=True)
        self._debounce.timeout.connect(self.save_now)
        document.changed.connect(self._debounce.start)
        self._timer.start()

    def save_now(self) -> bool:
        """Write the recovery file now if there is anything unsaved; True if written."""
        if not self.document.is_modified():
            return False
        try:
            recovery_dir().mkdir(parents=True, exist_ok=True)
            save_deal(self.document.deal, recovery_path())
            where = json.dumps({"path": self.document.path or ""}).encode("utf-8")
            write_atomically(recovery_path_file(), where)
        except OSError as exc:
            self.last_error = f"Autosave failed: {exc}"
            return False
        self.last_error = None
        return True

    def stop(self) -> None:
        """Stop saving and remove the recovery file (clean exit)."""
        self._timer.stop()
        self._debounce.stop()
        discard_recovery()
