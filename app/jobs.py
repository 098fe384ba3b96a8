"""The app's one way to run picture-sized work off the GUI thread (the model excepted: app/worker.py).

`Jobs.run(work, done)` runs `work()` on a background thread and calls `done(result)` on the GUI thread,
through a queued signal, so handlers may touch widgets and documents. Jobs go in lanes: each lane runs
its jobs one at a time, in the order asked (two exports are written in order, autosaves never overlap);
lanes run side by side, so opening a picture does not wait for a long export to be written.

Quitting: `shutdown()` waits for the jobs that write files (`keep_on_quit`) and for whatever is running
(a NumPy call cannot be interrupted), drops the rest, and calls no handler after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, Signal

T = TypeVar("T")

Done = Callable[[Any], object]  # a handler's return value becomes the job's `outcome`
Failed = Callable[[BaseException], object]


def explain(exc: BaseException, *expected: type[BaseException]) -> str:
    """An exception as the user reads it: the message of an expected one (a bad file), the type too of
    anything else (a bug, which should say what it is)."""
    return str(exc) if isinstance(exc, expected) else f"{type(exc).__name__}: {exc}"


class Job(Generic[T]):
    """One piece of background work, as the GUI thread sees it."""

    def __init__(self, text: str, keep_on_quit: bool, latest_only: bool) -> None:
        self.text = text  # for the status bar while it runs: "Opening sketch.png…"
        self.keep_on_quit = keep_on_quit
        self.latest_only = latest_only
        self.finished = False  # its handler has run, or it was dropped
        self.outcome: object = None  # what the handler returned (None if dropped)
        self.future: Future[T] | None = None
        self._then: list[Callable[[object], object]] = []

    def then(self, follow: Callable[[object], object]) -> None:
        """`follow(outcome)` on the GUI thread after the handler (not if the job is dropped)."""
        self._then.append(follow)

    def wait(self, timeout_s: float = 60.0) -> object:
        """For scripts and tests only: spin the event loop until the handler has run; its outcome.
        The app itself never waits (that is the point of a job)."""
        deadline = time.monotonic() + timeout_s
        while not self.finished:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.text} took more than {timeout_s} s")
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.002)  # the job's thread needs the core more than this loop does
        return self.outcome


class Jobs(QObject):
    """Background lanes with completion on the GUI thread; create and use it on the GUI thread."""

    busyChanged = Signal(bool)  # a job with a text is waiting or running / none is (quiet: autosaves)
    textChanged = Signal(str)  # what the oldest unfinished job is doing ("" when idle)
    failed = Signal(str)  # a job without its own failure handler raised: the window shows one dialog
    _settled = Signal(object, object, object)  # job, result, exception: from a lane's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._handlers: dict[Job[Any], tuple[Done, Failed | None]] = {}
        self._queued: dict[str, list[Job[Any]]] = {}  # per lane, not yet finished, oldest first
        self._closed = False
        # Queued even when a job ends before `run` returns (its callback then runs on this thread): the
        # handler always comes from the event loop, after `run` has returned its Job.
        self._settled.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def idle(self) -> bool:
        """No job is waiting or running, quiet ones included."""
        return not self._handlers

    @property
    def busy(self) -> bool:
        return bool(self.text)

    @property
    def text(self) -> str:
        """What the oldest unfinished job is doing ("" when idle)."""
        waiting = [job.text for queued in self._queued.values() for job in queued if job.text]
        return waiting[0] if waiting else ""

    def run(
        self,
        work: Callable[[], T],
        done: Callable[[T], object],
        failed: Failed | None = None,
        *,
        text: str = "",
        lane: str = "general",
        keep_on_quit: bool = False,
        latest_only: bool = False,
    ) -> Job[T]:
        """Run `work()` in `lane`; `done(result)` or `failed(exception)` follows on the GUI thread
        (without `failed`, the exception's message goes to `failed`). `text` says what it does in the
        status bar while it waits and runs; without one it is quiet (an autosave). `latest_only`: it
        replaces the lane's `latest_only` jobs that have not started yet (a slider's older trials)."""
        job: Job[T] = Job(text, keep_on_quit, latest_only)
        was_busy = self.busy
        if self._closed:  # the window is going: nothing new starts
            job.finished = True
            return job
        if latest_only:
            for old in list(self._queued.get(lane, [])):
                if old.latest_only and old.future is not None and old.future.cancel():
                    self._drop(old, lane)
        self._handlers[job] = (done, failed)
        self._queued.setdefault(lane, []).append(job)
        pool = self._lanes.get(lane)
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"linetint-{lane}")
            self._lanes[lane] = pool
        job.future = pool.submit(work)
        # Called on the lane's thread when the work ends; the signal queues the rest onto the GUI thread.
        job.future.add_done_callback(lambda future: self._report(job, lane, future))
        self._changed(was_busy)
        return job

    def shutdown(self) -> None:
        """Finish what writes files and what runs, drop what waits; no handler runs after this."""
        self._closed = True
        for lane, queued in self._queued.items():
            for job in list(queued):
                if not job.keep_on_quit and job.future is not None and job.future.cancel():
                    self._drop(job, lane)
        for pool in self._lanes.values():
            pool.shutdown(wait=True)

    def _report(self, job: Job[Any], lane: str, future: Future[Any]) -> None:
        if future.cancelled():
            return  # dropped by `latest_only` or `shutdown`, which tidied up already
        exc = future.exception()  # every failure is the GUI's to report
        self._settled.emit(job, (lane, None if exc is not None else future.result()), exc)

    def _deliver(self, job: Job[Any], lane_result: tuple[str, Any], exc: BaseException | None) -> None:
        lane, result = lane_result
        handlers = None if self._closed else self._handlers.get(job)
        try:
            if handlers is None:
                return
            done, failed = handlers
            if exc is None:
                job.outcome = done(result)
            elif failed is not None:
                job.outcome = failed(exc)
            else:
                what = job.text.rstrip("…") or "A background task"
                self.failed.emit(f"{what} failed: {type(exc).__name__}: {exc}")
        finally:
            self._drop(job, lane)
        for follow in job._then:
            follow(job.outcome)

    def _drop(self, job: Job[Any], lane: str) -> None:
        job.finished = True
        was_busy = self.busy
        queued = self._queued.get(lane, [])
        if job in queued:
            queued.remove(job)
        if self._handlers.pop(job, None) is not None:
            self._changed(was_busy)

    def _changed(self, was_busy: bool) -> None:
        if self.busy != was_busy:
            self.busyChanged.emit(self.busy)
        self.textChanged.emit(self.text)
