"""Recompute a deal off the UI thread: debounced, one run at a time, stale results dropped.

:meth:`RecomputeWorker.request` is cheap and may be called on every keystroke. After a quiet
``delay_ms`` the latest deal is copied (on the UI thread, so later edits cannot race with the
run) and run on a pool thread; a request made while a run is going waits for it and then runs
once with the newest deal. A run that finishes after a newer request was made is discarded:
only the latest request's result (or failure) is ever reported.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QEventLoop,
    QObject,
    QRunnable,
    QThreadPool,
    QTimer,
    Signal,
)

from core.engine.results import DealResult, run_deal
from core.model.deal import Deal
from core.model.errors import DealError
from core.risk.stress import Stress, run_stressed


def run_with_stress(deal: Deal, stress: Stress | None) -> DealResult:
    """The engine run a results view shows: the deal, stressed when ``stress`` is given
    (with the debt sized on the unstressed deal, as it was when it was raised)."""
    return run_deal(deal) if stress is None else run_stressed(deal, stress)


def describe_failure(exc: BaseException, what: str = "the deal") -> str:
    """One line for the status bar naming what is wrong (field path and value for deal errors)."""
    if isinstance(exc, DealError):
        return f"Cannot run {what}: {exc}"
    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" (in {where.name}, {where.filename.rsplit('/', 1)[-1]}:{where.lineno})" if where else ""
    return f"Cannot run {what}: {type(exc).__name__}: {exc}{at}"


class _Relay(QObject):
    done = Signal(int, object, str)  # request id, DealResult or None, failure message


class _Run(QRunnable):
    def __init__(self, request_id: int, deal: Deal, stress: Stress | None, relay: _Relay) -> None:
        super().__init__()
        self.request_id, self.deal, self.stress, self.relay = request_id, deal, stress, relay

    def run(self) -> None:
        try:
            result = run_with_stress(self.deal, self.stress)
        except Exception as exc:  # any bad input must come back as a message, never a crash
            self.relay.done.emit(self.request_id, None, describe_failure(exc))
            return
        self.relay.done.emit(self.request_id, result, "")


class RecomputeWorker(QObject):
    """Emits ``finished(result)`` or ``failed(message)`` for the latest request only."""

    finished = Signal(object)
    failed = Signal(str)
    #: True while a request is waiting or running
    busyChanged = Signal(bool)

    def __init__(
        self,
        source: Callable[[], tuple[Deal, Stress | None]],
        delay_ms: int = 250,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._source = source
        self._timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self._start)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.done.connect(self._done)
        self._latest = 0  # id of the newest request
        self._running: int | None = None  # id of the run in progress
        self._answered = 0  # id of the newest request reported (result or failure)
        self.last_ok = False  # whether the newest report was a result

    @property
    def pending(self) -> bool:
        return self._answered != self._latest

    def request(self) -> int:
        """Ask for a recomputation of the current deal; returns the request id."""
        was_pending = self.pending
        self._latest += 1
        if not was_pending:
            self.busyChanged.emit(True)
        self._timer.start()
        return self._latest

    def flush(self) -> None:
        """Start the waiting request now instead of after the debounce delay."""
        if self._timer.isActive():
            self._timer.stop()
            self._start()

    def _start(self) -> None:
        if self._running is not None:
            return  # _done starts the newest request when the current run ends
        self._running = self._latest
        try:
            deal, stress = self._source()
            job = _Run(self._latest, deal.copy(), stress, self._relay)
        except Exception as exc:  # no deal to copy: report it like a failed run
            self._done(self._latest, None, describe_failure(exc))
            return
        self._pool.start(job)

    def _done(self, request_id: int, result: DealResult | None, message: str) -> None:
        self._running = None
        if request_id != self._latest:
            if not self._timer.isActive():
                self._start()  # a newer request came in during the run: run it now
            return
        self._answered = request_id
        self.last_ok = result is not None
        self.busyChanged.emit(False)
        if result is None:
            self.failed.emit(message)
        else:
            self.finished.emit(result)

    def wait_idle(self, timeout_ms: int = 10000) -> bool:
        """Block (processing events) until the newest request is answered; False on timeout."""
        deadline = QDeadlineTimer(timeout_ms)
        self.flush()
        while self.pending and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            self._pool.waitForDone(5)
            self.flush()
        QCoreApplication.processEvents()
        return not self.pending

    def shutdown(self) -> None:
        """Stop the timer and wait for the run in progress (call before the app quits)."""
        self._timer.stop()
        self._pool.waitForDone(30000)
