"""Autosave and crash recovery, without widgets (the window debounces and calls ``save``).

Each running app gets a session folder under the autosave directory, created on its first autosave::

    autosave/session-<pid>-<random>/
        session.lock      held with an OS lock (flock / msvcrt) for as long as the session runs
        session.json      {"pid", "host", "started"}: for people reading the folder
        <key>.linetint    the autosaved project (``save_project``, atomic)
        <key>.json        {"display_name", "original_path", "saved_at"}

A clean exit deletes the folder.  A folder left behind whose lock nobody holds belongs to a session that
crashed (the OS drops the lock of a dead process, so a reused pid cannot fool us, unlike a bare pid file):
its projects are what ``pending()`` offers for recovery.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import platformdirs

from linetint.model.atomic import atomic_write

from .project import SUFFIX, ProjectData, load_project, save_project

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
    import msvcrt

APP_NAME = "LineTint"
SESSION_PREFIX = "session-"
LOCK_NAME = "session.lock"
INFO_NAME = "session.json"
DEFAULT_KEY = "document"
# A session folder is created before its lock is taken; never judge one younger than this stale.
CREATION_GRACE_S = 60.0

_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def default_autosave_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "autosave"


class SupportsSnapshot(Protocol):
    """What ``save`` needs from a document (``Document`` has it)."""

    path: Path | None
    source_path: Path | None

    def snapshot(self) -> ProjectData: ...

    def display_name(self) -> str: ...


@dataclass(frozen=True)
class RecoveryEntry:
    """An autosave left by a session that did not exit cleanly."""

    project_path: Path  # open with AutosaveStore.load (or load_project)
    display_name: str  # what the document was called, e.g. "cat.linetint" or "Untitled"
    original_path: Path | None  # the project or image it was opened from, if any
    saved_at: float  # seconds since the epoch

    @property
    def session_dir(self) -> Path:
        return self.project_path.parent

    @property
    def marker_path(self) -> Path:
        return self.project_path.with_suffix(".json")


# --------------------------------------------------------------------------------------------------------
# OS locks: released by the OS when the process dies, however it dies


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def _unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
        else:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


def _session_is_stale(session_dir: Path) -> bool:
    """True when no running process holds the session's lock (and the folder is past its creation)."""
    try:
        age = time.time() - session_dir.stat().st_mtime
    except OSError:
        return False
    try:
        fd = os.open(session_dir / LOCK_NAME, os.O_RDWR)
    except FileNotFoundError:
        return age > CREATION_GRACE_S  # lock never created, or removed by an exit that did not finish
    except OSError:
        return False  # cannot tell: never offer (and never delete) another session's files
    try:
        if _try_lock(fd):
            _unlock(fd)
            return age > CREATION_GRACE_S or any(session_dir.glob(f"*{SUFFIX}"))
        return False
    finally:
        os.close(fd)


def _read_marker(path: Path) -> dict[str, object]:
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # the project is what matters; a missing or broken marker only loses its name
    return marker if isinstance(marker, dict) else {}


def _write_json(path: Path, value: Mapping[str, object]) -> None:
    with atomic_write(path) as f:
        f.write((json.dumps(value, indent=2) + "\n").encode("utf-8"))


class AutosaveStore:
    """Autosaves of this session, and recovery of those left by sessions that crashed."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_autosave_dir()
        self._session_dir: Path | None = None
        self._lock_fd: int | None = None

    @property
    def session_dir(self) -> Path | None:
        """This session's folder, or None before the first ``save``."""
        return self._session_dir

    # ----------------------------------------------------------------------------------------------------
    # This session

    def save(
        self,
        state: ProjectData | SupportsSnapshot,
        *,
        key: str = DEFAULT_KEY,
        display_name: str | None = None,
        original_path: str | os.PathLike[str] | None = None,
    ) -> Path:
        """Autosave a document (or its ``snapshot()``) atomically; returns the autosave's path.

        ``key`` names the document within this session (one per open document).  For a document, the
        name and original path default to its ``display_name()`` and its project path, else its image path.
        Raises OSError when the autosave folder cannot be written.
        """
        if not _KEY.fullmatch(key):
            raise ValueError(f"autosave key {key!r} must be 1-64 letters, digits, '-' or '_'")
        if not isinstance(state, ProjectData):
            if original_path is None:
                original_path = state.path or state.source_path
            if display_name is None:
                display_name = state.display_name()
            state = state.snapshot()
        if display_name is None:
            display_name = state.source_name or "Untitled"
        session = self._ensure_session()
        project = session / f"{key}{SUFFIX}"
        save_project(state, project, fast=True)
        marker = {
            "display_name": display_name,
            "original_path": os.fspath(original_path) if original_path is not None else None,
            "saved_at": time.time(),
        }
        _write_json(project.with_suffix(".json"), marker)
        return project

    def forget(self, key: str = DEFAULT_KEY) -> None:
        """Drop this session's autosave of one document (it was saved by the user, or closed)."""
        if self._session_dir is None:
            return
        for suffix in (SUFFIX, ".json"):
            (self._session_dir / f"{key}{suffix}").unlink(missing_ok=True)

    def mark_clean_exit(self) -> None:
        """The app is quitting normally: remove this session's autosaves and its lock."""
        session, fd = self._session_dir, self._lock_fd
        self._session_dir = self._lock_fd = None
        if fd is not None:
            _unlock(fd)
            os.close(fd)
        if session is not None:
            shutil.rmtree(session, ignore_errors=True)

    def _ensure_session(self) -> Path:
        if self._session_dir is not None and self._session_dir.is_dir():
            return self._session_dir
        if self._lock_fd is not None:  # the folder was removed under us: start a new session
            self.mark_clean_exit()
        self.directory.mkdir(parents=True, exist_ok=True)
        session = self.directory / f"{SESSION_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
        session.mkdir()
        fd = os.open(session / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        # Another app's pending() may be probing this new lock at this very moment; it lets go at once.
        for _ in range(100):
            if _try_lock(fd):
                break
            time.sleep(0.01)
        else:
            os.close(fd)
            raise OSError(f"cannot lock {session / LOCK_NAME}")
        self._session_dir, self._lock_fd = session, fd
        info = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}
        _write_json(session / INFO_NAME, info)
        return session

    # ----------------------------------------------------------------------------------------------------
    # Sessions that crashed

    def pending(self) -> list[RecoveryEntry]:
        """Autosaves left by sessions that did not exit cleanly, newest first.

        Folders of crashed sessions with nothing to recover are removed on the way.
        """
        if not self.directory.is_dir():
            return []
        entries: list[RecoveryEntry] = []
        for session in sorted(self.directory.glob(f"{SESSION_PREFIX}*")):
            if session == self._session_dir or not session.is_dir() or not _session_is_stale(session):
                continue
            projects = sorted(session.glob(f"*{SUFFIX}"))
            if not projects:
                shutil.rmtree(session, ignore_errors=True)
                continue
            for project in projects:
                entries.append(self._entry(project))
        entries.sort(key=lambda entry: entry.saved_at, reverse=True)
        return entries

    @staticmethod
    def _entry(project: Path) -> RecoveryEntry:
        marker = _read_marker(project.with_suffix(".json"))
        name = marker.get("display_name")
        original = marker.get("original_path")
        saved_at = marker.get("saved_at")
        if not isinstance(saved_at, (int, float)):
            try:
                saved_at = project.stat().st_mtime
            except OSError:
                saved_at = 0.0
        return RecoveryEntry(
            project_path=project,
            display_name=name if isinstance(name, str) and name else "Untitled",
            original_path=Path(original) if isinstance(original, str) else None,
            saved_at=float(saved_at),
        )

    def load(self, entry: RecoveryEntry) -> ProjectData:
        """The recovered document's data; raises ProjectError.  Open it as modified, then ``discard``."""
        return load_project(entry.project_path)

    def discard(self, entry: RecoveryEntry) -> None:
        """Delete a recovery entry (recovered or declined); its session folder goes with its last entry."""
        entry.project_path.unlink(missing_ok=True)
        entry.marker_path.unlink(missing_ok=True)
        session = entry.session_dir
        if session != self._session_dir and not any(session.glob(f"*{SUFFIX}")):
            shutil.rmtree(session, ignore_errors=True)


__all__ = ["AutosaveStore", "RecoveryEntry", "default_autosave_dir"]
