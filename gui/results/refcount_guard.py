"""Work around a PySide6 6.12 reference-count bug that crashes the app on Python 3.11.

Every ``itemChange`` round trip of a QGraphicsItem (``setPos``, ``setVisible``,
``setParentItem``... which pyqtgraph and any QGraphicsScene call constantly) takes one
reference too many from the Python object it converts, so the reference counts of ``None``
and ``True`` fall by hundreds per plot drawn and by a few per mouse move. After about 16,000
the interpreter frees ``None`` and aborts ("Fatal Python error: none_dealloc"): with the
results charts, after a few dozen recomputations. Python 3.12+ makes these singletons
immortal; on 3.11 :func:`protect_singletons` gives them the same protection by adding 2**40
references, which the leak cannot use up.
"""

from __future__ import annotations

import ctypes
import sys

_MARGIN = 1 << 40
_done = False


def protect_singletons() -> bool:
    """Make ``None``, ``True`` and ``False`` effectively immortal (once per process).

    Returns True when the protection is in place (or not needed), False when this interpreter
    is not one it knows how to patch (then nothing is changed).
    """
    global _done
    if _done or sys.version_info >= (3, 12):
        return True
    if sys.implementation.name != "cpython" or hasattr(sys, "gettotalrefcount"):
        return False  # PyPy, or a debug build whose object header has extra fields
    for obj in (None, True, False):
        before = sys.getrefcount(obj)
        ctypes.c_ssize_t.from_address(id(obj)).value += _MARGIN
        assert sys.getrefcount(obj) - before >= _MARGIN - 1000
    _done = True
    return True
