"""The recently opened files (File ▸ Open Recent), most recent first, kept in QSettings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from .settings import APPLICATION, ORGANIZATION

MAX_RECENT = 10
KEY = "recent/files"


class RecentFiles:
    def __init__(self, store: QSettings | None = None) -> None:
        self._store = store or QSettings(ORGANIZATION, APPLICATION)

    def paths(self) -> list[Path]:
        value = self._store.value(KEY, [])
        # QSettings gives a str for a one-item list from INI files, and None or junk from a damaged file.
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [Path(item) for item in items if isinstance(item, str) and item][:MAX_RECENT]

    def add(self, path: Path) -> None:
        path = path.absolute()
        self._write([path, *[p for p in self.paths() if p != path]])

    def remove(self, path: Path) -> None:
        self._write([p for p in self.paths() if p != path.absolute()])

    def clear(self) -> None:
        self._write([])

    def _write(self, paths: list[Path]) -> None:
        self._store.setValue(KEY, [str(p) for p in paths[:MAX_RECENT]])
        self._store.sync()
