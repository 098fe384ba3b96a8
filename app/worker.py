"""The background colorizer: the GUI thread never runs the model.

One `ColorizeWorker` lives in its own QThread. `submit()` may be called from the GUI thread at any rate:
a preview request replaces any preview request still waiting (latest wins, at most one queued), the
running one finishes; export renders queue up and every one runs, in order, before waiting previews.
The GUI shows a result only if it is newer than the one on screen (so colour follows a long drag instead
of freezing until the hand stops) and drops every result of a document that is no longer open.

Progressive previews: an edit made while the worker is idle first gets a quick pass at a small working
size (`QUICK_SIDE`), then the full one; a newer edit that arrives meanwhile supersedes the full pass. The
quick pass is skipped when the measured timings say the full one would arrive about as soon. Edits that
arrive while the model runs, or within `DRAG_GAP_S` of its last preview (a drag), get full passes only,
started at most every `BURST_INTERVAL_S`: a drag then costs a few runs a second, not one per mouse
move, and the CPU stays usable (docs/performance.md has the measurements behind these numbers).

All torch work of the app happens on this thread, model loading included: torch's OpenMP gives every
thread that runs a parallel op its own thread team, and with more threads than cores libgomp stops
spinning at barriers, which made previews ~25 % slower when the GUI thread had run torch too (measured).
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from PIL import Image
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtGui import QImage

from linetint.imaging.compose import compose
from linetint.imaging.flats import flat_colours
from linetint.imaging.hint_colours import AreaLabels, label_areas
from linetint.imaging.recolour import with_lightness
from linetint.model.colorizer import ModelInfo, load_colorizer, shrink_to_working_size, working_size
from linetint.model.devices import keep_freed_memory, returning_freed_memory
from linetint.model.hints import HintLayer

from .colour_modes import FREE_HINTS, HintColours, chosen_colour, hint_colours
from .qt_images import rgb_to_qimage

QUICK_SIDE = 256  # long side of the quick first pass
QUICK_MIN_GAIN = 2.0  # run the quick pass only if the full one is estimated at least this much slower
QUICK_MIN_FULL_S = 0.25  # ... and slower than this: a full pass this fast is the quick feedback
BURST_INTERVAL_S = 0.3  # during a burst of edits, start a preview at most this often (~3 a second)
DRAG_GAP_S = 0.1  # an edit this soon after the last preview finished continues a drag; clicks come slower
EXACT_FLATS_SIDE = 4096  # bigger exports get flats worked out at this size: ~35 bytes and 0.25 µs a pixel
TIMING_MEMORY = 0.5  # weight of the newest measurement in the per-size running estimate


def model_threads(cores: int | None = None) -> int:
    """Intra-op threads for the model: every core but one on machines with more than two, else all.

    Measured on 2 cores (docs/performance.md): 2 threads make an edit's preview ~1.7x faster than 1, and
    the GUI's longest event-loop stall stays about half its 30 ms budget either way (the GUI thread needs
    little CPU and the OS schedules it promptly). Beyond 2 cores one is left for the GUI, the compositor
    and the user's other programs (a judgement, not measured: the development machine has 2 cores).
    """
    cores = cores or os.cpu_count() or 1
    return cores - 1 if cores > 2 else cores


class ColorizerLike(Protocol):
    @property
    def info(self) -> ModelInfo: ...  # a real Colorizer also has `last_timing`, for the status bar

    def colorize(self, lineart: np.ndarray, hints: HintLayer, max_side: int) -> np.ndarray: ...

    def to(self, device: str) -> ColorizerLike: ...


@dataclass(frozen=True)
class ModelChoice:
    checkpoint: Path | None = None  # None: the shipped model
    device: str = "auto"
    precision: str = "auto"  # one the device cannot run falls back, with ModelInfo.notice saying so


@dataclass(frozen=True)
class QuickPass:
    serial: int  # one below the full pass's, so the full result always replaces the quick one
    max_side: int


@dataclass(frozen=True)
class PreviewRequest:
    serial: int  # increases with every edit; results carry it back so stale ones can be dropped
    lineart: np.ndarray  # never mutated after it is handed over
    hints: HintLayer  # immutable
    max_side: int
    full_render: bool = False  # an export: never replaced by a later preview request
    quick: QuickPass | None = None  # a smaller first pass, if it pays off
    flat: bool = False  # also make flat colours (imaging/flats.py) of the result
    hint_colours: HintColours = FREE_HINTS  # Keep Hint Colours (imaging/hint_colours.py) and its choices
    # a recoloured colour picture's grey at line-art size (read-only), for previews; an export's file
    # is composed with it as it is written (app/export.py), so a render does not need it
    shading: np.ndarray | None = None


@dataclass(frozen=True)
class PreviewResult:
    serial: int
    rgb: np.ndarray
    seconds: float
    info: ModelInfo
    full_render: bool = False
    quick: bool = False  # the small first pass; the full one follows unless a newer edit came
    detail: str = ""  # how the hint features were encoded (incremental / full), for the status bar
    flat: np.ndarray | None = None  # the flat colours of `rgb`, when the request asked for them
    flat_lined: np.ndarray | None = None  # ... with the line art multiplied over them, for the preview
    kept: np.ndarray | None = None  # `rgb` with hinted areas in their hints' colours (Keep Hint Colours)
    # `colour` with the light and shade of the colour picture being recoloured (imaging/recolour.py), for
    # previews of a document with shading; its lines are in that lightness, none are multiplied over.
    recoloured: np.ndarray | None = None
    # `display` and `canvas` as QImages, made on the worker thread: converting a page of megapixels
    # takes tens of milliseconds that the GUI thread would otherwise spend (None for exports).
    display_image: QImage | None = None
    canvas_image: QImage | None = None

    @property
    def colour(self) -> np.ndarray:
        """The colour the user asked for, without lines (`colour_modes.chosen_colour`)."""
        return chosen_colour(self.rgb, self.flat, self.kept)

    @property
    def display(self) -> np.ndarray:
        """The preview picture: a recoloured picture with its own light and shade, else the network's
        output (its own lines; hint colours kept if asked for), or flat colours under the lines."""
        if self.recoloured is not None:
            return self.recoloured
        if self.flat_lined is not None:
            return self.flat_lined
        return self.rgb if self.kept is None else self.kept

    @property
    def lined(self) -> bool:
        """Whether `canvas` already holds the picture's lines: the canvas then draws it as it is, without
        multiplying the line art over it."""
        return self.recoloured is not None

    @property
    def canvas(self) -> np.ndarray:
        """What the canvas shows under (or, when `lined`, instead of) its line art in Preview Under mode."""
        return self.colour if self.recoloured is None else self.recoloured


Loader = Callable[[ModelChoice], ColorizerLike]


def default_loader(choice: ModelChoice) -> ColorizerLike:
    return load_colorizer(choice.checkpoint, choice.device, choice.precision, precision_fallback=True)


class _WorkingSizes:
    """One grey page (line art, shading) at the working sizes asked for, remembered: the same page comes
    with every edit's request (at the quick pass's size and the full one's)."""

    def __init__(self) -> None:
        self._page: np.ndarray | None = None
        self._sizes: dict[int, np.ndarray] = {}

    def __call__(self, page: np.ndarray, max_side: int) -> np.ndarray:
        if page is not self._page:
            self._page, self._sizes = page, {}
        if max_side not in self._sizes:
            self._sizes[max_side] = shrink_to_working_size(page, max_side)
        return self._sizes[max_side]


def _enlarged(rgb: np.ndarray, width: int, height: int, resample: Image.Resampling) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).resize((width, height), resample))


def _is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or "out of memory" in str(exc).lower()


class ColorizeWorker(QObject):
    """Runs in the worker thread; talk to it only through `submit`, `load_model` and its signals."""

    resultReady = Signal(object)  # PreviewResult
    runFailed = Signal(int, str)  # serial, message
    modelLoaded = Signal(object)  # ModelInfo
    modelFailed = Signal(str)
    deviceFellBack = Signal(str)
    busyChanged = Signal(bool)
    _wake = Signal()
    _load = Signal(object)

    def __init__(self, loader: Loader = default_loader, threads: int | None = None) -> None:
        super().__init__()
        self._loader = loader
        self._threads = threads or model_threads()
        self._colorizer: ColorizerLike | None = None
        self._lock = threading.Lock()
        self._pending: PreviewRequest | None = None
        self._pending_renders: list[PreviewRequest] = []  # exports: every one runs, in order
        self._lineart_sizes = _WorkingSizes()  # the page's line art, by max_side
        self._shading_sizes = _WorkingSizes()  # a recoloured picture's shading, by max_side
        # The line art's areas, by the size they were found at: one labelling per page and size, so an
        # edit of the hints costs only the recolouring (issue 14: ≤ 15 ms at 512²).
        self._labels_cache: tuple[np.ndarray, dict[tuple[int, int], AreaLabels]] | None = None
        self._wake.connect(self._drain)
        self._load.connect(self._do_load)
        self._estimates: dict[tuple[int, int], float] = {}  # working size -> seconds, running estimate
        self._last_preview_start = self._last_preview_end = float("-inf")
        self.runs = 0  # model runs done, for the app's diagnostics and tests
        self.quick_runs = 0  # of which quick first passes

    # --- called from the GUI thread -------------------------------------------------------------------
    def submit(self, request: PreviewRequest) -> None:
        with self._lock:
            if request.full_render:
                self._pending_renders.append(request)
            else:
                self._pending = request
        self._wake.emit()

    def load_model(self, choice: ModelChoice) -> None:
        self._load.emit(choice)

    # --- worker thread ---
    @Slot(object)
    def _do_load(self, choice: ModelChoice) -> None:
        # Here, in the worker thread: torch's OpenMP thread count is per calling thread.
        torch.set_num_threads(self._threads)
        keep_freed_memory()  # previews reuse pages instead of page-faulting fresh ones every run
        try:
            self._colorizer = self._loader(choice)
        except Exception as exc:  # a bad checkpoint must not take the app down
            self.modelFailed.emit(str(exc) or type(exc).__name__)
            return
        self._estimates.clear()
        self.modelLoaded.emit(self._colorizer.info)
        self._drain()

    @Slot()
    def _drain(self) -> None:
        came_while_busy = False  # True once this drain has run something: what is pending came meanwhile
        while self._colorizer is not None:
            with self._lock:
                waiting = self._pending is not None or bool(self._pending_renders)
            if not waiting:
                return
            # A burst: edits that queued up behind a run, or that follow the last preview within a mouse
            # move (a fast model goes idle between the moves of a drag). No quick pass, and paced.
            burst = came_while_busy or time.perf_counter() - self._last_preview_end < DRAG_GAP_S
            if burst:
                self._pace()
            request: PreviewRequest | None
            with self._lock:
                if self._pending_renders:
                    request = self._pending_renders.pop(0)
                else:
                    request, self._pending = self._pending, None
            if request is None:
                return
            self.busyChanged.emit(True)
            try:
                if request.full_render:
                    with returning_freed_memory():  # an export's peak is not kept for the previews
                        self._run(request, request.serial, request.max_side)
                else:
                    self._preview(request, quick_allowed=not burst)
            finally:
                self.busyChanged.emit(False)
            came_while_busy = True

    def drop_waiting(self) -> None:
        """Forget the waiting preview and renders (any thread): the app is closing."""
        with self._lock:
            self._pending, self._pending_renders = None, []

    def _pace(self) -> None:
        """In a burst, wait until BURST_INTERVAL_S after the last preview started (exports never wait)."""
        with self._lock:
            if self._pending_renders:
                return
        wait = self._last_preview_start + BURST_INTERVAL_S - time.perf_counter()
        if wait > 0:
            time.sleep(wait)

    def _preview(self, request: PreviewRequest, quick_allowed: bool) -> None:
        self._last_preview_start = time.perf_counter()
        try:
            quick = request.quick
            if quick_allowed and quick is not None and self._quick_pays(request, quick):
                if not self._run(request, quick.serial, quick.max_side, quick=True):
                    return
                with self._lock:
                    if self._pending is not None:
                        return  # a newer edit is waiting: its passes replace this one's full pass
            self._run(request, request.serial, request.max_side)
        finally:
            self._last_preview_end = time.perf_counter()

    def _quick_pays(self, request: PreviewRequest, quick: QuickPass) -> bool:
        """Whether the quick pass would show something useful clearly before the full one could."""
        height, width = request.lineart.shape[:2]
        quick_size = working_size(width, height, quick.max_side)
        full_size = working_size(width, height, request.max_side)
        if quick_size == full_size:
            return False
        full, fast = self._estimates.get(full_size), self._estimates.get(quick_size)
        if full is None or fast is None:
            return True  # not measured yet: a quick pass is cheap, and teaches the estimate
        return full >= QUICK_MIN_FULL_S and full >= QUICK_MIN_GAIN * fast

    def _remember(self, request: PreviewRequest, max_side: int, seconds: float) -> None:
        height, width = request.lineart.shape[:2]
        key = working_size(width, height, max_side)
        old = self._estimates.get(key)
        self._estimates[key] = seconds if old is None else old + TIMING_MEMORY * (seconds - old)

    def _run(self, request: PreviewRequest, serial: int, max_side: int, quick: bool = False) -> bool:
        assert self._colorizer is not None
        # Previews stay at the size the network ran at: enlarging a big page's colour to full size and
        # turning it into QImages cost more than the network itself (the views scale it when drawing).
        lineart = request.lineart if request.full_render else self._lineart_sizes(request.lineart, max_side)
        start = time.perf_counter()
        try:
            rgb = self._colorizer.colorize(lineart, request.hints, max_side)
        except Exception as exc:
            if not self._fall_back_to_cpu(exc):
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                self.runFailed.emit(serial, detail)
                return False
            start = time.perf_counter()
            try:
                rgb = self._colorizer.colorize(lineart, request.hints, max_side)
            except Exception as retry_exc:
                self.runFailed.emit(serial, str(retry_exc) or type(retry_exc).__name__)
                return False
        seconds = time.perf_counter() - start
        self.runs += 1
        self.quick_runs += quick
        if not request.full_render:
            self._remember(request, max_side, seconds)
        kept, flat = self._finish_colours(request, lineart, rgb)
        recoloured, flat_lined = None, None
        if not request.full_render:  # exports compose their files as they write them (app/export.py)
            recoloured, flat_lined = self._preview_pictures(request, lineart, max_side, rgb, flat, kept)
        info, detail = self._colorizer.info, self._detail()
        result = PreviewResult(
            serial,
            rgb,
            seconds,
            info,
            request.full_render,
            quick,
            detail,
            flat=flat,
            flat_lined=flat_lined,
            kept=kept,
            recoloured=recoloured,
        )
        if not request.full_render:
            display_image = rgb_to_qimage(result.display)
            canvas_image = display_image if result.canvas is result.display else rgb_to_qimage(result.canvas)
            result = replace(result, display_image=display_image, canvas_image=canvas_image)
        self.resultReady.emit(result)
        return True

    def _preview_pictures(
        self,
        request: PreviewRequest,
        lineart: np.ndarray,
        max_side: int,
        rgb: np.ndarray,
        flat: np.ndarray | None,
        kept: np.ndarray | None,
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(recoloured, flat_lined) of a preview at the working size of `lineart`: the chosen colour with
        the light and shade of a recoloured picture (its lines are in them), else the flats under the
        lines; None where neither applies."""
        if request.shading is not None:
            shading = self._shading_sizes(request.shading, max_side)
            return with_lightness(chosen_colour(rgb, flat, kept), shading), None
        return None, (None if flat is None else compose(lineart, flat))

    def _finish_colours(
        self, request: PreviewRequest, lineart: np.ndarray, rgb: np.ndarray
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """(kept, flat) of the network's `rgb` (at `lineart`'s size), as the request asks: Keep Hint
        Colours and Flat Colours. Exports bigger than EXACT_FLATS_SIDE work them out at that size and
        enlarge them (the network's colour is no finer than its working size; the areas' labels would take
        ~35 bytes a pixel at full size)."""
        if not request.flat and not request.hint_colours.keep:
            return None, None
        height, width = lineart.shape
        scale = EXACT_FLATS_SIDE / max(height, width)
        grey, colour = lineart, rgb
        if scale < 1:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            grey = np.asarray(Image.fromarray(lineart).resize(size, Image.Resampling.BOX))
            colour = np.asarray(Image.fromarray(rgb).resize(size, Image.Resampling.BOX))
        flat = flat_colours(grey, colour) if request.flat else None
        kept = None
        if request.hint_colours.keep:
            labels = self._labels(request.lineart, grey)
            # a preview with flats shows only them; exports carry both (the layered files as layers)
            shaded = request.full_render or not request.flat
            kept, flat = hint_colours(colour, flat, labels, request.hints, request.hint_colours, shaded)
        if scale < 1:  # flats stay flat (nearest); kept colours keep their shading smooth (bicubic)
            kept = None if kept is None else _enlarged(kept, width, height, Image.Resampling.BICUBIC)
            flat = None if flat is None else _enlarged(flat, width, height, Image.Resampling.NEAREST)
        return kept, flat

    def _labels(self, page: np.ndarray, grey: np.ndarray) -> AreaLabels:
        """The areas of `grey` (the document's line art `page` at some size), remembered per page and
        size: labelling takes far longer than recolouring, and the page changes only when its line art
        does."""
        if self._labels_cache is None or self._labels_cache[0] is not page:
            self._labels_cache = (page, {})
        sizes = self._labels_cache[1]
        key = (grey.shape[1], grey.shape[0])
        if key not in sizes:
            sizes[key] = label_areas(grey)
        return sizes[key]

    def _detail(self) -> str:
        timing = getattr(self._colorizer, "last_timing", None)
        report = getattr(timing, "hint_report", None)
        if report is None:
            return ""
        if report.mode == "incremental":
            return f"hints re-encoded: {report.macs / max(report.full_macs, 1):.0%}"
        return "hints unchanged" if report.mode == "unchanged" else "hints encoded in full"

    def _fall_back_to_cpu(self, exc: Exception) -> bool:
        """After a GPU failure, keep working on the CPU rather than leave the user without a preview."""
        assert self._colorizer is not None
        if self._colorizer.info.device == "CPU":
            return False
        reason = "out of memory" if _is_out_of_memory(exc) else str(exc) or type(exc).__name__
        try:
            self._colorizer = self._colorizer.to("cpu")
        except Exception:
            return False
        self.deviceFellBack.emit(f"The GPU failed ({reason}); LineTint continues on the CPU.")
        return True


class PreviewEngine(QObject):
    """GUI-side owner of the worker thread: numbers requests and drops stale results."""

    # serials: every request gets the next one; `_shown` is on screen; `_floor` marks a document switch.

    previewReady = Signal(object)  # PreviewResult, only the newest
    renderReady = Signal(object)  # PreviewResult of `render_full`
    renderFailed = Signal(int, str)  # serial of a `render_full` the model failed on, message
    failed = Signal(str)  # a preview failed
    modelLoaded = Signal(object)
    modelFailed = Signal(str)
    deviceFellBack = Signal(str)
    busyChanged = Signal(bool)

    def __init__(
        self,
        loader: Loader = default_loader,
        parent: QObject | None = None,
        quick_side: int | None = QUICK_SIDE,
        threads: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._serial = self._shown = self._floor = self._latest_preview = 0
        self._renders: set[int] = set()  # serials of `render_full` requests not yet answered
        self.quick_side = quick_side  # None: no quick first pass
        self._thread = QThread()
        self._thread.setObjectName("linetint-colorizer")
        self.worker = ColorizeWorker(loader, threads)
        self.worker.moveToThread(self._thread)
        self.worker.resultReady.connect(self._on_result)
        self.worker.runFailed.connect(self._on_failed)
        self.worker.modelLoaded.connect(self.modelLoaded)
        self.worker.modelFailed.connect(self.modelFailed)
        self.worker.deviceFellBack.connect(self.deviceFellBack)
        self.worker.busyChanged.connect(self.busyChanged)
        self._thread.start()

    def load_model(self, choice: ModelChoice) -> None:
        self.worker.load_model(choice)

    def request(
        self,
        lineart: np.ndarray,
        hints: HintLayer,
        max_side: int,
        flat: bool = False,
        hint_colours: HintColours = FREE_HINTS,
        shading: np.ndarray | None = None,
    ) -> int:
        """A preview (latest wins); with `shading` (a document recoloured from a colour picture) the
        result's `recoloured` keeps that picture's light and shade."""
        quick = None
        if self.quick_side is not None and self.quick_side < max_side:
            self._serial += 1
            quick = QuickPass(self._serial, self.quick_side)
        self._serial += 1
        self._latest_preview = self._serial
        request = PreviewRequest(
            self._serial,
            lineart,
            hints,
            max_side,
            quick=quick,
            flat=flat,
            hint_colours=hint_colours,
            shading=shading,
        )
        self.worker.submit(request)
        return self._serial

    @property
    def up_to_date(self) -> bool:
        """True when the newest request's result is on screen."""
        return self._shown >= self._latest_preview

    def render_full(
        self,
        lineart: np.ndarray,
        hints: HintLayer,
        max_side: int,
        flat: bool = False,
        hint_colours: HintColours = FREE_HINTS,
    ) -> int:
        """A run for export, at up to `max_side`; it waits for the running preview but is never dropped."""
        self._serial += 1
        request = PreviewRequest(
            self._serial, lineart, hints, max_side, full_render=True, flat=flat, hint_colours=hint_colours
        )
        self._renders.add(self._serial)
        self.worker.submit(request)
        return self._serial

    def invalidate(self) -> None:
        """Forget outstanding requests (another document): their results will be dropped."""
        self._serial += 1
        self._floor = self._shown = self._latest_preview = self._serial

    def shutdown(self) -> None:
        """Stop the worker: what waits is dropped, only a run under way is finished (a torch call cannot be
        interrupted); the window hides before calling this, so the user does not wait on it."""
        self.worker.drop_waiting()
        self._thread.quit()
        self._thread.wait()

    @Slot(object)
    def _on_result(self, result: PreviewResult) -> None:
        if result.full_render:
            self._renders.discard(result.serial)
            if result.serial > self._floor:
                self.renderReady.emit(result)
            return
        if result.serial > max(self._shown, self._floor):
            self._shown = result.serial
            self.previewReady.emit(result)

    @Slot(int, str)
    def _on_failed(self, serial: int, message: str) -> None:
        if serial in self._renders:
            self._renders.discard(serial)
            if serial > self._floor:
                self.renderFailed.emit(serial, message)
        elif serial > self._floor:
            self.failed.emit(message)
