"""The CapStack desktop application (PySide6): canvas, palette, property panel, files.

Holds no financial logic: every number shown comes from the engine (``DealResult``) or
``core.risk``; the model lives in ``core.model`` and is edited only through undo commands.

Importing this package first checks for a PySide6 reference-counting bug (seen in 6.12.0 on
CPython 3.11): ``SignalInstance.emit()`` drops one reference to ``True`` per call, and Python
overrides of C++ virtuals (``paint`` and the like) drop references to ``None``, so after a few
thousand signals or repaints CPython aborts with "bool_dealloc" / "none_dealloc". Where the
bug is present, ``True``, ``False`` and ``None`` are given a very large reference count (what
CPython 3.12 does anyway by making them immortal), which makes the lost references harmless.
"""

from __future__ import annotations

import ctypes
import sys

PADDING = 1 << 40


def _emit_loses_references() -> bool:
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    before = sys.getrefcount(True), sys.getrefcount(False)
    for _ in range(4):
        probe.ping.emit()
    after = sys.getrefcount(True), sys.getrefcount(False)
    return after[0] < before[0] or after[1] < before[1]


def _guard_bool_refcounts() -> bool:
    """Pad the refcounts of True/False/None when PySide6 drops references; True if it does."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False  # immortal there
    lost = _emit_loses_references()
    if lost:
        for obj in (True, False, None):
            ctypes.c_ssize_t.from_address(id(obj)).value += PADDING
    return lost


PYSIDE_EMIT_REFCOUNT_BUG = _guard_bool_refcounts()
