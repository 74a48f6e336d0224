"""The exported workbook's cells of the result on screen, found off the UI thread.

Building the model sheets in memory takes 0.1-0.5 s (``core.report.trace_periods.excel_layout``),
too long for a tooltip, so the first request for a result starts it on a thread and returns
None; ``ready`` fires when it is known (a newer result drops an older answer). The drill-down
dialog, an explicit click, may wait for it with :meth:`ExcelCells.wait`.
"""

from __future__ import annotations

import contextlib
import threading

from PySide6.QtCore import QObject, Signal

from core.engine.results import DealResult
from core.report.trace_periods import ExcelLayout, excel_layout


class ExcelCells(QObject):
    ready = Signal()
    _done = Signal(object, object, str)  # result, layout or None, error text

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._result: DealResult | None = None
        self.layout: ExcelLayout | None = None
        self.error = ""
        self._thread: threading.Thread | None = None
        self._done.connect(self._finished)

    def reset(self, result: DealResult | None) -> None:
        """Forget the cells of the previous result (computed again when asked for)."""
        self._result, self.layout, self.error, self._thread = result, None, "", None

    def get(self) -> ExcelLayout | None:
        """The layout if known; else start finding it and return None."""
        if self.layout is None and self._thread is None and self._result is not None:
            result = self._result
            self._thread = threading.Thread(target=self._work, args=(result,), daemon=True)
            self._thread.start()
        return self.layout

    def wait(self) -> ExcelLayout | None:
        """The layout, found now if it is not known yet (None with ``error`` if the export
        cannot write this deal)."""
        thread = self.get() is None and self._thread
        if thread:
            thread.join()
            self._finished(*self._answer)
        return self.layout

    def _work(self, result: DealResult) -> None:
        try:
            self._answer = (result, excel_layout(result), "")
        except Exception as exc:  # the export refuses the deal: say so, never crash
            self._answer = (result, None, f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(RuntimeError):  # the view was closed meanwhile: nobody to tell
            self._done.emit(*self._answer)

    def _finished(self, result: DealResult, layout: ExcelLayout | None, error: str) -> None:
        if result is not self._result or (self.layout is not None or self.error):
            return  # an older result's answer, or already taken
        self.layout, self.error = layout, error
        self.ready.emit()
