"""Output over input in the GUI's save dialogs, and the sweep of stale temporaries at start.

Every dialog that writes a file (Save As, Export Excel, Export PDF, Print to a PDF file, the
compare PDF, an import mapping) calls :func:`refused` with the files the open deal was read
from (``DealDocument.read_from``: its own deal file, the workbook it was imported from, the
sample it was opened from); the check itself is ``core.files.atomic.refuse_same_file``, the
one the command line uses. :func:`sweep_folders` removes the temporaries killed saves left.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from PySide6.QtWidgets import QMessageBox, QWidget

from core.files.atomic import refuse_same_file, remove_stale_temporaries_in
from core.model.errors import FileRefused


def refused(
    parent: QWidget | None,
    output: str,
    inputs: Iterable[str | None],
    what: str,
    title: str = "CapStack",
) -> bool:
    """True (after a message naming both files) when ``output`` is one of ``inputs``."""
    try:
        refuse_same_file(output, *inputs, what=what, other="file the deal was read from")
    except FileRefused as exc:
        QMessageBox.warning(parent, title, f"Nothing was written.\n\n{exc}")
        return True
    return False


def sweep_folders(paths: Iterable[str]) -> list[str]:
    """Remove the stale temporaries in the folders of ``paths`` (files or folders); returns
    the full names of those removed."""
    removed: list[str] = []
    seen: set[str] = set()
    for path in paths:
        folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        if folder in seen:
            continue
        seen.add(folder)
        removed += [os.path.join(folder, n) for n in remove_stale_temporaries_in(folder)]
    return removed
