"""``.linetint`` project files: line art, hints and the last preview in one zip.

Layout (all at the zip's top level)::

    manifest.json   {"format": "linetint-project", "version": 1, "app_version": "...", "width": W,
                     "height": H, "source_name": "cat.png" | null,
                     "hint_colours": {"keep": true, "unhinted": "network" | "paper"},
                     "files": {"lineart": "lineart.png", "hints": "hints.json",
                               "hints_image": "hints.png", "result": "result.png" | null,
                               "shading": "shading.png" | null}}
    lineart.png     grey line art, W x H
    hints.json      the hint contract's JSON (model/hints.py), W x H
    hints.png       the same hints as an RGBA picture, for other tools; never read back
    result.png      the last preview, RGB W x H (absent when there was none)
    shading.png     grey W x H: the light and shade of the colour picture the page was recoloured from
                    (absent for line art)

Projects arrive from anywhere, so loading trusts nothing: entries are read into memory (never extracted),
each against a size limit checked on the declared size before reading and again while reading; a single
entry with an absolute or ``..`` path refuses the whole file; images are size-checked before decoding.

``hint_colours`` (View ▸ Keep Hint Colours, Unhinted Areas) changes what the project exports, so it
travels with it; projects written before it existed, or with a value this version does not know, open
with the defaults (kept, network colour) rather than not at all.

``shading`` came later too, in the same format version: a project without it is line art, as every
project before it was, and an older LineTint opening one with it shows the picture's lines as line art
rather than refusing the file.
"""

from __future__ import annotations

import io
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from linetint.imaging.hint_colours import Unhinted
from linetint.model.atomic import atomic_write, remove_stale_temps
from linetint.model.colorizer import is_working_size
from linetint.model.files import NotARegularFile, open_regular
from linetint.model.hints import HintFormatError, HintLayer, hint_rgba, layer_from_json, layer_to_json
from linetint.model.images import ImageInputError, check_size, decode_image, to_grey

from .colour_modes import HintColours
from .version import app_version

FORMAT_NAME = "linetint-project"
FORMAT_VERSION = 1
SUFFIX = ".linetint"

MANIFEST = "manifest.json"
LINEART = "lineart.png"
HINTS_JSON = "hints.json"
HINTS_PNG = "hints.png"
RESULT = "result.png"
SHADING = "shading.png"

# Limits against hostile files.  A 40-megapixel RGB picture of pure noise is ~120 MB as PNG.
MAX_ENTRIES = 64
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_HINTS_BYTES = 64 * 1024 * 1024  # the hint contract's JSON limit
MAX_IMAGE_BYTES = 256 * 1024 * 1024
MAX_ENTRY_BYTES = MAX_IMAGE_BYTES  # any entry, even one we would not read

# PNG compression: level 6 is PIL's default; autosaves favour speed (a 40 MP picture takes seconds at 6).
COMPRESS_LEVEL = 6
FAST_COMPRESS_LEVEL = 1


class ProjectError(ValueError):
    """A project file LineTint cannot open; the message says why."""


@dataclass(frozen=True)
class ProjectData:
    """Everything a project stores.  Arrays are not copied: do not mutate them after handing them over."""

    lineart: np.ndarray  # uint8 (H, W) grey
    hints: HintLayer  # at line-art size
    result: np.ndarray | None = None  # uint8 RGB preview at line-art size or at its working size
    source_name: str | None = None  # file name of the image the line art came from
    hint_colours: HintColours = HintColours()  # Keep Hint Colours and Unhinted Areas, as last chosen
    shading: np.ndarray | None = None  # uint8 (H, W): a recoloured colour picture's own grey

    @property
    def width(self) -> int:
        return int(self.lineart.shape[1])

    @property
    def height(self) -> int:
        return int(self.lineart.shape[0])


# --------------------------------------------------------------------------------------------------------
# Saving


def _png_bytes(array: np.ndarray, mode: str, compress_level: int) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()


def _check_data(data: ProjectData) -> None:
    lineart = data.lineart
    if not isinstance(lineart, np.ndarray) or lineart.ndim != 2 or lineart.dtype != np.uint8:
        raise ValueError("line art must be a uint8 (H, W) grey array")
    if (data.hints.width, data.hints.height) != (data.width, data.height):
        raise ValueError(
            f"hints are for {data.hints.width}x{data.hints.height}, line art is {data.width}x{data.height}"
        )
    result = data.result
    if result is not None and not is_preview(result, data.width, data.height):
        raise ValueError(f"result must be uint8 RGB at {data.width}x{data.height} or a working size of it")
    shading = data.shading
    if shading is not None and (
        not isinstance(shading, np.ndarray) or shading.dtype != np.uint8 or shading.shape != lineart.shape
    ):
        raise ValueError(f"shading must be uint8 grey at {data.width}x{data.height}")


def is_preview(rgb: object, width: int, height: int) -> bool:
    """uint8 RGB at the line art's size, or at a size the network runs at for it (a preview)."""
    if not isinstance(rgb, np.ndarray) or rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        return False
    return is_working_size((rgb.shape[1], rgb.shape[0]), width, height)


def _at_size(rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    if rgb.shape[:2] == (height, width):
        return rgb
    return np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BICUBIC))


def save_project(data: ProjectData, path: str | os.PathLike[str], *, fast: bool = False) -> None:
    """Write a project atomically: a crash or error mid-save leaves any previous file intact.

    ``fast`` trades file size for speed (autosave).  Raises OSError when the file cannot be written.
    """
    _check_data(data)
    level = FAST_COMPRESS_LEVEL if fast else COMPRESS_LEVEL
    files: dict[str, str | None] = {
        "lineart": LINEART,
        "hints": HINTS_JSON,
        "hints_image": HINTS_PNG,
        "result": RESULT if data.result is not None else None,
        "shading": SHADING if data.shading is not None else None,
    }
    manifest = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "app_version": app_version(),
        "width": data.width,
        "height": data.height,
        "source_name": data.source_name,
        "hint_colours": {"keep": data.hint_colours.keep, "unhinted": data.hint_colours.unhinted.value},
        "files": files,
    }
    with atomic_write(path) as f, zipfile.ZipFile(f, "w") as archive:
        deflate = {"compress_type": zipfile.ZIP_DEFLATED}
        stored = {"compress_type": zipfile.ZIP_STORED}  # PNG is compressed already
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2) + "\n", **deflate)
        archive.writestr(LINEART, _png_bytes(data.lineart, "L", level), **stored)
        archive.writestr(HINTS_JSON, layer_to_json(data.hints), **deflate)
        archive.writestr(HINTS_PNG, _png_bytes(hint_rgba(data.hints), "RGBA", level), **stored)
        if data.result is not None:  # always at line-art size in the file, as the format says
            archive.writestr(
                RESULT, _png_bytes(_at_size(data.result, data.width, data.height), "RGB", level), **stored
            )
        if data.shading is not None:
            archive.writestr(SHADING, _png_bytes(data.shading, "L", level), **stored)


# --------------------------------------------------------------------------------------------------------
# Loading

_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_name(name: str) -> bool:
    """An entry name that would point outside an extraction folder (on any OS)."""
    if not name or "\x00" in name or name.startswith(("/", "\\")) or _DRIVE.match(name):
        return True
    return any(part == ".." for part in re.split(r"[\\/]", name))


def _check_entries(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ProjectError(f"it has {len(infos)} entries; a project has at most {MAX_ENTRIES}")
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        if _unsafe_name(info.filename):
            raise ProjectError(f"it contains an entry with an unsafe path ({info.filename!r}); refusing it")
        if info.filename in entries:
            raise ProjectError(f"it contains {info.filename!r} twice")
        if info.file_size > MAX_ENTRY_BYTES:
            raise ProjectError(
                f"{info.filename} would unpack to {info.file_size} bytes, above the "
                f"{MAX_ENTRY_BYTES} byte limit"
            )
        if info.flag_bits & 0x1:
            raise ProjectError(f"{info.filename} is encrypted")
        entries[info.filename] = info
    return entries


def _read(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], name: str, limit: int) -> bytes:
    info = entries.get(name)
    if info is None:
        raise ProjectError(f"{name} is missing")
    if info.file_size > limit:
        raise ProjectError(f"{name} would unpack to {info.file_size} bytes, above the {limit} byte limit")
    try:
        with archive.open(info) as entry:
            data = entry.read(limit + 1)  # capped even if the declared size lies
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError) as exc:
        raise ProjectError(f"{name} is damaged ({exc})") from None
    if len(data) > limit:
        raise ProjectError(f"{name} unpacks to more than the {limit} byte limit")
    return data


def _decode_png(data: bytes, name: str) -> Image.Image:
    try:
        return decode_image(io.BytesIO(data), name, formats=("PNG",))
    except ImageInputError as exc:
        raise ProjectError(str(exc)) from None


def _manifest_int(manifest: dict[str, Any], key: str) -> int:
    value = manifest.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ProjectError(f"manifest {key}: {value!r} is not a positive integer")
    return value


def _parse_manifest(raw: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProjectError(f"manifest.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ProjectError("it is not a LineTint project (manifest format is not linetint-project)")
    version = manifest.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ProjectError(f"manifest version: {version!r} is not an integer")
    if version != FORMAT_VERSION:
        newer = " by a newer LineTint" if version > FORMAT_VERSION else ""
        raise ProjectError(
            f"it was written{newer} in project version {version}; "
            f"this LineTint reads version {FORMAT_VERSION}"
        )
    width, height = _manifest_int(manifest, "width"), _manifest_int(manifest, "height")
    try:
        check_size(width, height)
    except ImageInputError as exc:
        raise ProjectError(f"manifest: {exc}") from None
    source_name = manifest.get("source_name")
    if source_name is not None and not isinstance(source_name, str):
        raise ProjectError(f"manifest source_name: {source_name!r} is not text")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise ProjectError("manifest files: missing or not an object")
    for key in ("lineart", "hints"):
        if not isinstance(files.get(key), str):
            raise ProjectError(f"manifest files.{key}: missing")
    for key in ("result", "shading"):  # optional
        if files.get(key) is not None and not isinstance(files[key], str):
            raise ProjectError(f"manifest files.{key}: {files[key]!r} is not a file name")
    return manifest


def _check_shape(name: str, width: int, height: int, manifest: dict[str, Any]) -> None:
    if (width, height) != (manifest["width"], manifest["height"]):
        raise ProjectError(
            f"{name} is {width}x{height} but the project is {manifest['width']}x{manifest['height']}"
        )


def load_project(path: str | os.PathLike[str]) -> ProjectData:
    """Read and validate a project without extracting anything; raises ProjectError with a clear message."""
    path = Path(path)
    remove_stale_temps(os.path.realpath(path))  # left beside it by a save that was killed
    try:
        with open_regular(path) as file, zipfile.ZipFile(file) as archive:
            return _load(archive)
    except ProjectError as exc:
        raise ProjectError(f"{path.name}: {exc}") from None
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such file") from None
    except NotARegularFile as exc:
        raise ProjectError(str(exc)) from None
    except zipfile.BadZipFile:
        raise ProjectError(
            f"{path.name} is not a LineTint project, or it is damaged (not a zip file)"
        ) from None
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        # zipfile raises ValueError (e.g. a negative seek) on some corrupt central directories.
        raise ProjectError(f"{path.name} cannot be read ({exc})") from None


def _load(archive: zipfile.ZipFile) -> ProjectData:
    entries = _check_entries(archive)
    manifest = _parse_manifest(_read(archive, entries, MANIFEST, MAX_MANIFEST_BYTES))
    files = manifest["files"]

    lineart = to_grey(_decode_png(_read(archive, entries, files["lineart"], MAX_IMAGE_BYTES), "line art"))
    _check_shape("the line art", lineart.shape[1], lineart.shape[0], manifest)

    raw_hints = _read(archive, entries, files["hints"], MAX_HINTS_BYTES)
    try:
        hints = layer_from_json(raw_hints.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ProjectError(f"hints: not UTF-8 text ({exc})") from None
    except HintFormatError as exc:
        raise ProjectError(f"hints: {exc}") from None
    _check_shape("the hint layer", hints.width, hints.height, manifest)

    result = None
    if files.get("result") is not None:
        image = _decode_png(_read(archive, entries, files["result"], MAX_IMAGE_BYTES), "result")
        _check_shape("the result", *image.size, manifest)
        result = np.asarray(image.convert("RGB"), dtype=np.uint8)
    shading = None
    if files.get("shading") is not None:
        image = _decode_png(_read(archive, entries, files["shading"], MAX_IMAGE_BYTES), "shading")
        _check_shape("the shading", *image.size, manifest)
        shading = to_grey(image)
    hint_colours = _hint_colours(manifest.get("hint_colours"))
    return ProjectData(lineart, hints, result, manifest.get("source_name"), hint_colours, shading)


def _hint_colours(value: object) -> HintColours:
    """The manifest's hint colour choices; a view choice is never worth refusing the work over, so what
    is missing or unknown takes its default."""
    default = HintColours()
    if not isinstance(value, dict):
        return default
    keep = value.get("keep")
    unhinted = value.get("unhinted")
    return HintColours(
        keep if isinstance(keep, bool) else default.keep,
        Unhinted(unhinted) if unhinted in {choice.value for choice in Unhinted} else default.unhinted,
    )


__all__ = [
    "SUFFIX",
    "ProjectData",
    "ProjectError",
    "load_project",
    "save_project",
]
