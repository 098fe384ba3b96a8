"""Smoke test of a BUILT LineTint bundle: runs the frozen executable, never the source.

    python packaging/smoke.py dist/LineTint/LineTint [--starts 5] [--screenshot build/smoke-window.png]

Checks, in order (exit status 1 and a FAIL line on the first that fails):

1. ``LineTint --version`` prints the version in pyproject.toml.
2. ``LineTint colorize LINEART --hints HINTS -o OUT.png`` writes a PNG of the line art's size (a line art
   from ../shared/data/lineart when that folder exists, else the shipped sample), and ``LineTint selftest``
   passes when the bundle ships a model.
3. The window: ``LineTint --no-recovery LINEART --hints HINTS`` on an X server (Xvfb, started here when
   DISPLAY is unset) until its top-level window is mapped and the preview pane shows an image (the first
   colorized preview), then a screenshot. The time from spawning the process to the window being mapped is
   the "time to first window"; it is measured over --starts runs (first and median reported). Without
   Xvfb the check falls back to QT_QPA_PLATFORM=offscreen and can only prove that the process reached the
   Qt event loop with the offscreen platform plugin and the model loaded (its /proc/PID/maps), and kept
   running.

--no-window skips 3 (the window check needs Linux: Xvfb or /proc); release.yml runs 1 and 2 on Windows and
macOS. Each run gets throw-away HOME and XDG folders, so no settings, autosaves or caches leak in or out.
With --record-libs FILE the window and colorize runs are traced with LD_DEBUG=libs and FILE receives every
shared object the frozen app loaded (relative to the bundle): the evidence behind the pruning in
linetint.spec.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import os
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED_LINEART = REPO.parent / "shared" / "data" / "lineart"
SAMPLE_LINEART = REPO / "resources" / "samples" / "girl-lineart.png"
SAMPLE_HINTS = REPO / "resources" / "samples" / "girl-hints.png"
PREVIEW_BACKGROUND = (38, 38, 42)  # linetint.app.canvas.BACKGROUND: the empty preview pane


def pyproject_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version\s*=\s*"([^"]+)"', project, re.MULTILINE)
    if not match:
        raise SystemExit("no version in pyproject.toml [project]")
    return match.group(1)


def pick_input() -> tuple[Path, Path]:
    """A line art and its hint layer: the first ../shared/data/lineart/*/ folder, else the sample."""
    if SHARED_LINEART.is_dir():
        for folder in sorted(p for p in SHARED_LINEART.iterdir() if p.is_dir()):
            if (folder / "lineart.png").is_file() and (folder / "hints.png").is_file():
                return folder / "lineart.png", folder / "hints.png"
    return SAMPLE_LINEART, SAMPLE_HINTS


class Fail(Exception):
    pass


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_", "XDG_", "LD_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_RUNTIME_DIR=str(home / "runtime"),
    )
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    env.update(extra)
    return env


# --- checks -----------------------------------------------------------------------------------------


def check_version(exe: Path, home: Path) -> str:
    want = pyproject_version()
    out = subprocess.run([exe, "--version"], env=clean_env(home), capture_output=True, text=True, timeout=120)
    got = out.stdout.strip()
    if out.returncode != 0 or got != f"LineTint {want}" or out.stderr.strip():
        raise Fail(
            f"--version: expected 'LineTint {want}', got {out.returncode} {got!r} {out.stderr[-3000:]}"
        )
    return got


def check_colorize(exe: Path, home: Path, lineart: Path, hints: Path, env_extra: dict[str, str]) -> str:
    from PIL import Image

    output = home / "colored.png"
    start = time.monotonic()
    out = subprocess.run(
        [exe, "colorize", lineart, "--hints", hints, "-o", output, "--device", "cpu"],
        env=clean_env(home, **env_extra),
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.monotonic() - start
    if out.returncode != 0:
        raise Fail(f"colorize exited {out.returncode}: {out.stderr.strip()[-2000:]}")
    # The one stderr line allowed: the untrained-model warning, while no trained model ships.
    noise = [line for line in out.stderr.splitlines() if not line.startswith("linetint colorize: warning:")]
    if noise and not env_extra:  # (LD_DEBUG writes to files, but be safe)
        raise Fail("colorize printed to stderr: " + "\n".join(noise)[-3000:])
    with Image.open(lineart) as src, Image.open(output) as dst:
        if dst.format != "PNG" or dst.size != src.size or dst.mode != "RGB":
            raise Fail(f"colorize wrote {dst.format} {dst.mode} {dst.size}, line art is {src.size}")
        return f"{dst.size[0]}x{dst.size[1]} RGB PNG in {seconds:.1f} s ({out.stdout.strip()})"


def check_selftest(exe: Path, home: Path) -> str:
    """`LineTint selftest`: the shipped model loads and colours the packaged sample (skipped without one)."""
    out = subprocess.run([exe, "selftest"], env=clean_env(home), capture_output=True, text=True, timeout=600)
    text = (out.stdout + out.stderr).strip()
    if out.returncode != 0 and "no shipped model" in text:
        return "skipped: no shipped model in the bundle"
    if out.returncode != 0:
        raise Fail(f"selftest exited {out.returncode}: {text[-2000:]}")
    return text


# --- the window on an X server ------------------------------------------------------------------------

MAP_NOTIFY, SUBSTRUCTURE_NOTIFY_MASK, Z_PIXMAP = 19, 1 << 19, 2


class XWindowAttributes(ctypes.Structure):  # the leading fields only; the buffer is made large enough
    _fields_ = [(n, ctypes.c_int) for n in ("x", "y", "width", "height", "border_width", "depth")]


class XImage(ctypes.Structure):  # the leading fields of Xlib's XImage
    _fields_ = [
        *((n, ctypes.c_int) for n in ("width", "height", "xoffset", "format")),
        ("data", ctypes.c_void_p),
        *(
            (n, ctypes.c_int)
            for n in (
                "byte_order",
                "bitmap_unit",
                "bitmap_bit_order",
                "bitmap_pad",
                "depth",
                "bytes_per_line",
                "bits_per_pixel",
            )
        ),
    ]


class X11:
    """Just enough Xlib (through ctypes) to see top-level windows being mapped and to grab their pixels."""

    def __init__(self, display: str) -> None:
        lib = ctypes.util.find_library("X11") or "libX11.so.6"
        x = self.x = ctypes.CDLL(lib)
        x.XOpenDisplay.restype = ctypes.c_void_p
        x.XOpenDisplay.argtypes = [ctypes.c_char_p]
        for name in ("XDefaultRootWindow", "XConnectionNumber", "XPending", "XFlush", "XCloseDisplay"):
            getattr(x, name).argtypes = [ctypes.c_void_p]
        x.XDefaultRootWindow.restype = ctypes.c_ulong
        x.XSelectInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_long]
        x.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        x.XFetchName.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_char_p)]
        x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p]
        x.XGetImage.restype = ctypes.POINTER(XImage)
        x.XGetImage.argtypes = [ctypes.c_void_p, ctypes.c_ulong] + [ctypes.c_int] * 2 + [ctypes.c_uint] * 2
        x.XGetImage.argtypes += [ctypes.c_ulong, ctypes.c_int]
        deadline = time.monotonic() + 5  # a just-started Xvfb may not accept connections at once
        while not (dpy := x.XOpenDisplay(display.encode())) and time.monotonic() < deadline:
            time.sleep(0.1)
        if not dpy:
            raise Fail(f"cannot open X display {display}")
        self.dpy = dpy
        self.root = x.XDefaultRootWindow(self.dpy)
        x.XSelectInput(self.dpy, self.root, SUBSTRUCTURE_NOTIFY_MASK)
        x.XFlush(self.dpy)
        self.fd = x.XConnectionNumber(self.dpy)

    def drain(self) -> None:
        event = (ctypes.c_long * 24)()
        while self.x.XPending(self.dpy):
            self.x.XNextEvent(self.dpy, event)

    def wait_for_map(self, deadline: float, alive) -> tuple[int, str]:
        """Block until a top-level (not override-redirect) window is mapped: (window, title)."""
        event = (ctypes.c_long * 24)()  # XEvent is a 192-byte union
        while time.monotonic() < deadline:
            while self.x.XPending(self.dpy):
                self.x.XNextEvent(self.dpy, event)
                # XMapEvent: int type; ulong serial; Bool send_event; Display*; Window event, window; Bool o_r
                if (
                    ctypes.c_int.from_buffer(event, 0).value == MAP_NOTIFY
                    and not ctypes.c_int.from_buffer(event, 48).value
                ):
                    window = event[5]
                    return window, self.title(window)
            if not alive():
                raise Fail("the app exited before showing a window")
            select.select([self.fd], [], [], 0.05)
        raise Fail("no window was mapped in time")

    def title(self, window: int) -> str:
        name = ctypes.c_char_p()
        if self.x.XFetchName(self.dpy, window, ctypes.byref(name)) and name.value:
            return name.value.decode("utf-8", "replace")
        return ""

    def grab(self, window: int):
        from PIL import Image

        attrs = ctypes.create_string_buffer(1024)  # larger than any XWindowAttributes
        if not self.x.XGetWindowAttributes(self.dpy, window, attrs):
            raise Fail("the window vanished")
        geo = XWindowAttributes.from_buffer(attrs)
        image = self.x.XGetImage(self.dpy, window, 0, 0, geo.width, geo.height, 0xFFFFFFFF, Z_PIXMAP)
        if not image:
            raise Fail("cannot read the window's pixels")
        im = image.contents
        if im.bits_per_pixel != 32:
            raise Fail(f"unexpected X image depth {im.bits_per_pixel}")
        size = im.bytes_per_line * im.height
        raw = ctypes.string_at(im.data, size)
        return Image.frombuffer("RGB", (im.width, im.height), raw, "raw", "BGRX", im.bytes_per_line, 1).copy()

    def close(self) -> None:
        self.x.XCloseDisplay(self.dpy)


def preview_shown(shot) -> bool:
    """The preview pane (right part of the window) is mostly covered by a picture: neither its empty grey
    nor the flat black of a window that has not painted yet."""
    import numpy as np

    w, h = shot.size
    pane = shot.crop((int(w * 0.65), int(h * 0.25), int(w * 0.95), int(h * 0.75))).convert("RGB")
    pixels = np.asarray(pane, dtype=np.int16).reshape(-1, 3)
    differ = (np.abs(pixels - PREVIEW_BACKGROUND).max(axis=1) > 6).mean()
    return differ > 0.3 and len(np.unique(pixels, axis=0)) > 64


def start_xvfb() -> tuple[subprocess.Popen, str]:
    """A private Xvfb on the first free display; retried, as a display can be taken between pick and bind."""
    errors = ""
    for _ in range(3):
        read, write = os.pipe()
        err = tempfile.TemporaryFile()
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
            pass_fds=(write,),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        os.close(write)
        number, deadline = b"", time.monotonic() + 30
        while not number.endswith(b"\n") and time.monotonic() < deadline:  # it may come in two writes;
            if select.select([read], [], [], 1)[0]:  # closing the pipe early kills Xvfb (EPIPE)
                chunk = os.read(read, 64)
                if not chunk:
                    break
                number += chunk
        os.close(read)
        number = number.decode().strip()
        if number:
            try:
                X11(f":{number}").close()
                return proc, f":{number}"
            except Fail:
                pass
        proc.kill()
        proc.wait()
        err.seek(0)
        errors += err.read().decode(errors="replace")[-500:]
    raise Fail(f"Xvfb did not start: {errors}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def evict(bundle: Path) -> int:
    """Drop the bundle's files from the page cache (posix_fadvise DONTNEED: no root needed), so the next
    start reads them from disk -- the nearest thing to a cold start without dropping all caches. System
    libraries outside the bundle (libc, libGL...) stay cached, as on a desktop in use. Returns bytes."""
    total = 0
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)  # only clean pages can be dropped
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                total += os.fstat(fd).st_size
            finally:
                os.close(fd)
    return total


def window_run(
    exe: Path, display: str, lineart: Path, hints: Path, shot_path: Path | None, env_extra: dict[str, str]
) -> tuple[float, float | None, str]:
    """One start: (seconds to the mapped window, seconds to the first preview or None, window title)."""
    xlib = X11(display)
    home = Path(tempfile.mkdtemp(prefix="linetint-smoke-"))
    log = open(home / "stderr.txt", "w+")
    try:
        xlib.drain()
        start = time.monotonic()
        proc = subprocess.Popen(
            [exe, "--no-recovery", "--device", "cpu", lineart, "--hints", hints],
            env=clean_env(home, DISPLAY=display, QT_QPA_PLATFORM="xcb", **env_extra),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            window, title = xlib.wait_for_map(start + 120, lambda: proc.poll() is None)
            mapped = time.monotonic() - start
            previewed, shot = None, None
            while time.monotonic() < start + 180 and proc.poll() is None:
                shot = xlib.grab(window)
                if preview_shown(shot):
                    previewed = time.monotonic() - start
                    break
                time.sleep(0.1)
            if proc.poll() is not None:
                log.seek(0)
                raise Fail(f"the app exited ({proc.returncode}) with the window open: {log.read()[-2000:]}")
            if shot_path is not None and shot is not None:
                time.sleep(0.5)  # let the status bar catch up
                shot = xlib.grab(window)
                shot_path.parent.mkdir(parents=True, exist_ok=True)
                shot.save(shot_path)
            return mapped, previewed, title
        finally:
            stop(proc)
            log.seek(0)
            text = log.read()
            if "Traceback" in text:
                raise Fail(f"the app printed a traceback:\n{text[-3000:]}")
    finally:
        log.close()
        xlib.close()
        shutil.rmtree(home, ignore_errors=True)


def offscreen_run(exe: Path, lineart: Path, hints: Path, env_extra: dict[str, str]) -> str:
    """No X server: prove the frozen app reaches Qt's event loop with a window and the model, and stays up."""
    home = Path(tempfile.mkdtemp(prefix="linetint-smoke-"))
    try:
        proc = subprocess.Popen(
            [exe, "--no-recovery", "--device", "cpu", lineart, "--hints", hints],
            env=clean_env(home, QT_QPA_PLATFORM="offscreen", **env_extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline, maps = time.monotonic() + 60, ""
        while time.monotonic() < deadline and proc.poll() is None:
            maps = Path(f"/proc/{proc.pid}/maps").read_text()
            if "libqoffscreen" in maps and "libtorch_cpu" in maps and "libQt6Widgets" in maps:
                break
            time.sleep(0.2)
        time.sleep(5)  # the model loads and the first preview runs in the background meanwhile
        alive = proc.poll() is None
        stop(proc)
        output = proc.stdout.read().decode(errors="replace")
        if not alive or "Traceback" in output:
            raise Fail(f"the app exited early or failed offscreen: {output[-2000:]}")
        if "libqoffscreen" not in maps:
            raise Fail("the offscreen platform plugin was never loaded")
        return "offscreen: Qt platform plugin, widgets and torch loaded, still running after 5 s"
    finally:
        shutil.rmtree(home, ignore_errors=True)


def loaded_libs(trace_dir: Path, bundle: Path) -> set[str]:
    libs = set()
    for trace in trace_dir.iterdir():
        for line in trace.read_text(errors="replace").splitlines():
            match = re.search(r"calling init: (\S+)", line)
            if match:
                path = Path(match.group(1)).resolve()
                libs.add(str(path.relative_to(bundle)) if path.is_relative_to(bundle) else str(path))
    return libs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exe", type=Path, help="the frozen executable, e.g. dist/LineTint/LineTint")
    parser.add_argument("--starts", type=int, default=1, help="window starts to time (first and median)")
    parser.add_argument("--screenshot", type=Path, help="save the window with its first preview here")
    parser.add_argument("--record-libs", type=Path, help="write every shared object the app loaded here")
    parser.add_argument("--offscreen", action="store_true", help="skip Xvfb even where it is installed")
    parser.add_argument(
        "--no-window", action="store_true", help="only --version and colorize (Windows, macOS CI)"
    )
    parser.add_argument(
        "--evict", action="store_true", help="drop the bundle from the page cache before each window start"
    )
    args = parser.parse_args()
    exe = args.exe.resolve()
    lineart, hints = pick_input()
    trace_dir = Path(tempfile.mkdtemp(prefix="linetint-ld-")) if args.record_libs else None
    env_extra = {"LD_DEBUG": "libs", "LD_DEBUG_OUTPUT": str(trace_dir / "ld")} if trace_dir else {}
    home = Path(tempfile.mkdtemp(prefix="linetint-smoke-"))
    xvfb = None
    try:
        print(f"smoke: {exe}")
        print(f"  version:  {check_version(exe, home)}")
        colorized = check_colorize(exe, home, lineart, hints, env_extra)
        print(f"  colorize: {lineart.relative_to(REPO.parent)} -> {colorized}")
        print(f"  selftest: {check_selftest(exe, home)}")
        display = os.environ.get("DISPLAY")
        if args.no_window:
            print("  window:   not checked (--no-window)")
        elif args.offscreen or (not display and not shutil.which("Xvfb")):
            print(f"  window:   {offscreen_run(exe, lineart, hints, env_extra)} (no X server: not timed)")
        else:
            if not display:
                xvfb, display = start_xvfb()
            starts = []
            for i in range(max(1, args.starts)):
                shot = args.screenshot if i == 0 else None
                traced = env_extra if i == 0 else {}
                if args.evict:
                    evict(exe.parent)
                mapped, previewed, title = window_run(exe, display, lineart, hints, shot, traced)
                if "LineTint" not in title:
                    raise Fail(f"the mapped window is titled {title!r}, not LineTint")
                if previewed is None:
                    raise Fail("the window never showed a preview")
                starts.append((mapped, previewed))
                print(
                    f"  window:   start {i + 1}: mapped after {mapped:.2f} s, "
                    f"first preview after {previewed:.2f} s ({title!r})"
                )
            if len(starts) > 1:
                print(
                    f"  window:   first start {starts[0][0]:.2f} s; median of {len(starts)} starts "
                    f"{statistics.median(s[0] for s in starts):.2f} s to the window, "
                    f"{statistics.median(s[1] for s in starts):.2f} s to the first preview"
                )
            if args.screenshot:
                print(f"  screenshot: {args.screenshot}")
        if trace_dir is not None:
            libs = sorted(loaded_libs(trace_dir, exe.parent.resolve()))
            args.record_libs.parent.mkdir(parents=True, exist_ok=True)
            args.record_libs.write_text("\n".join(libs) + "\n")
            print(f"  loaded:   {len(libs)} shared objects -> {args.record_libs}")
    except Fail as exc:
        print(f"smoke: FAIL: {exc}", file=sys.stderr)
        return 1
    finally:
        if xvfb is not None:
            xvfb.kill()
            xvfb.wait()
        shutil.rmtree(home, ignore_errors=True)
        if trace_dir is not None:
            shutil.rmtree(trace_dir, ignore_errors=True)
    print("smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
