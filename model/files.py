"""Opening files a user (or a stranger) hands us: regular files only, and never more than a limit read.

A size check on `stat` sees 0 bytes for /dev/zero or a pipe, and opening a FIFO for reading blocks until
someone writes to it: so the file is opened without blocking and refused unless it is a regular file,
before a single byte is read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO


class NotARegularFile(OSError):
    """A path that names a folder, pipe, device or socket; the message says which, by the user's name."""


class FileTooLarge(OSError):
    """A file holding more than the caller's limit; the message gives both sizes."""


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """Open `path` for binary reading if it is (or links to) a regular file; NotARegularFile otherwise.

    FileNotFoundError and PermissionError pass through unchanged.
    """
    # O_NONBLOCK: opening a FIFO must not wait for a writer. It changes nothing for regular files.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(f"{Path(path).name} is {_kind(mode)}, not a file")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    """The whole of a regular file of at most `limit` bytes; FileTooLarge (or NotARegularFile) otherwise.

    Reads at most limit + 1 bytes whatever `stat` said: a file may grow while it is read.
    """
    with open_regular(path) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"{Path(path).name} is larger than the {limit} byte limit")
    return data
