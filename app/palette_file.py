"""GIMP palette files (.gpl), the palette format Krita, Inkscape and GIMP all read and write.

The format: a first line ``GIMP Palette``, optional ``Name:`` and ``Columns:`` lines, ``#`` comments, then
one colour a line, ``R G B`` (0-255) and an optional name after whitespace (GIMP writes a tab). No Qt here:
the palette panel and any script share it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from linetint.model.atomic import atomic_write

Rgb = tuple[int, int, int]

MAGIC = "GIMP Palette"
SUFFIX = ".gpl"
MAX_BYTES = 4 * 1024 * 1024  # the largest palettes shipped with GIMP and Krita are a few tens of kB
MAX_COLOURS = 10_000  # more is no palette a painter picks from, and the panel would draw them all
_COLOUR_LINE = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)(?:\s+(.*?))?\s*$")


class PaletteFileError(ValueError):
    """A palette file that cannot be read or is not a GIMP palette; the message says why, for the user."""


@dataclass(frozen=True)
class Swatch:
    rgb: Rgb
    name: str = ""

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.rgb)


@dataclass(frozen=True)
class Palette:
    name: str = ""
    columns: int = 0  # 0: the reader chooses
    swatches: tuple[Swatch, ...] = field(default=())


def parse_gpl(text: str, source: str = "the palette") -> Palette:
    """The palette in `text`; raises PaletteFileError naming `source` and the line at fault."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != MAGIC:
        raise PaletteFileError(f"{source} is not a GIMP palette: its first line is not '{MAGIC}'")
    name, columns = "", 0
    swatches: list[Swatch] = []
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, colon, value = stripped.partition(":")
        key = key.strip().lower() if colon else ""
        if key == "name":
            name = value.strip()
            continue
        if key == "columns":
            columns = _columns(value, source, number)
            continue
        match = _COLOUR_LINE.match(line)
        if match is None:
            raise PaletteFileError(f"{source}, line {number}: '{_short(stripped)}' is not 'R G B name'")
        rgb = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if any(c > 255 for c in rgb):
            raise PaletteFileError(f"{source}, line {number}: colour values go from 0 to 255")
        if len(swatches) == MAX_COLOURS:
            raise PaletteFileError(f"{source} has more than {MAX_COLOURS:,} colours")
        swatches.append(Swatch(rgb, (match.group(4) or "").strip()))
    return Palette(name, columns, tuple(swatches))


def read_gpl(path: str | os.PathLike[str]) -> Palette:
    """Read a .gpl file; every failure (missing, unreadable, binary, malformed) is a PaletteFileError."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise PaletteFileError(f"{path.name} is too large for a palette ({path.stat().st_size:,} bytes)")
        data = path.read_bytes()
    except OSError as exc:
        raise PaletteFileError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PaletteFileError(f"{path.name} is not a GIMP palette: it is not text") from None
    return parse_gpl(text, path.name)


def format_gpl(palette: Palette) -> str:
    """`palette` as GIMP writes it: values right-aligned in three columns, a tab before the name."""
    lines = [MAGIC, f"Name: {_one_line(palette.name) or 'LineTint'}"]
    if palette.columns > 0:
        lines.append(f"Columns: {palette.columns}")
    lines.append("#")
    for swatch in palette.swatches:
        r, g, b = swatch.rgb
        lines.append(f"{r:3d} {g:3d} {b:3d}\t{_one_line(swatch.name) or swatch.hex}")
    return "\n".join(lines) + "\n"


def write_gpl(palette: Palette, path: str | os.PathLike[str]) -> None:
    """Write `palette` to `path` atomically; raises OSError naming `path`."""
    with atomic_write(path) as file:
        file.write(format_gpl(palette).encode("utf-8"))


def _columns(value: str, source: str, number: int) -> int:
    try:
        columns = int(value.strip())
    except ValueError:
        raise PaletteFileError(f"{source}, line {number}: Columns must be a whole number") from None
    return max(0, min(columns, 256))


def _one_line(text: str) -> str:
    # A name holding a line break would start a line of its own, which no reader would take for a colour
    return re.sub(r"[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]+", " ", text).strip()


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "MAGIC",
    "SUFFIX",
    "Palette",
    "PaletteFileError",
    "Swatch",
    "format_gpl",
    "parse_gpl",
    "read_gpl",
    "write_gpl",
]
