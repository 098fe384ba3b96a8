"""Writing files so that a crash mid-write leaves the previous file intact."""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

# A temp file older than this is left from a save that was killed: no save of ours takes a minute to
# start writing, and a live one keeps its file's mtime fresh while it writes.
STALE_TEMP_SECONDS = 60


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary file in `path`'s folder; it replaces `path` only if the block finishes.

    A symlink is written through (its target is replaced, the link stays); errors name `path`, never
    the temp file; temp files left beside it by a killed save are removed.
    """
    shown = os.fspath(path)
    path = Path(os.path.realpath(path))
    remove_stale_temps(path)
    mode = _target_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise _named(exc, None, shown) from None
    try:
        if hasattr(os, "fchmod"):  # mkstemp's file is private (0600); keep the mode a plain write would give
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _named(exc, tmp, shown) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _named(exc: OSError, tmp: str | None, shown: str) -> OSError:
    """`exc` naming the user's file where it named our hidden temp file (str(exc) reads `filename`);
    `tmp` None: any file it names is one mkstemp tried."""
    if exc.filename is not None and (tmp is None or exc.filename == tmp):
        # a new one: an OSError once given a second file name prints "-> None" after clearing it
        return type(exc)(exc.errno, exc.strerror, shown)
    return exc


def remove_stale_temps(path: str | os.PathLike[str]) -> int:
    """Delete temp files of atomic_write for `path` (`.NAME.xxxxxxxx.tmp`) left by a killed save;
    returns how many. Only our own pattern, and only old ones: a save running now keeps its file."""
    path = Path(path)
    pattern = re.compile(rf"\.{re.escape(path.name)}\.[A-Za-z0-9_]{{8}}\.tmp")
    removed = 0
    try:
        candidates = [p for p in path.parent.iterdir() if pattern.fullmatch(p.name)]
    except OSError:
        return 0  # an unreadable folder: the save itself will say why
    now = time.time()
    for candidate in candidates:
        try:
            info = candidate.lstat()
            if stat.S_ISREG(info.st_mode) and now - info.st_mtime > STALE_TEMP_SECONDS:
                candidate.unlink()
                removed += 1
        except OSError:
            continue  # gone meanwhile, or not ours to delete
    return removed


def _target_mode(path: Path) -> int:
    """An existing file's permissions, else what `open()` would create under the current umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
