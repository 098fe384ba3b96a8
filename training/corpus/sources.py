"""The drawings inside the archives as they ship: OpenMoji's npm package (.tgz), Debian's
openclipart-svg (.deb) and the portraits in Debian's wesnoth-1.16-data (.deb) — read in place, no
unpacking by hand.

Each drawing comes out as a `Drawing`: its SVG (or, for painted portraits, its PNG), and where the source
has one, the same drawing as exact black line art. `item` groups the variants of one drawing (OpenMoji's
skin tones, Wesnoth's repaints of one unit), so a split never puts one variant in training and another in
the held-out set.
"""

from __future__ import annotations

import io
import json
import os
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

OPENMOJI_LICENCE = "CC BY-SA 4.0"
OPENMOJI_CREDIT = "OpenMoji – the open-source emoji and icon project, CC BY-SA 4.0"
OPENCLIPART_LICENCE = "public domain"
MAX_SVG_BYTES = 2 * 2**20  # bigger drawings are scanned maps and patterns; rendering them takes seconds
OPENCLIPART_ROOT = "usr/share/openclipart/svg/"
# Battle for Wesnoth's character portraits: painted people (skin, hair, cloth) — what emoji and clip art
# lack. GPL-2.0-or-later like all of Wesnoth's art (the package's copyright file); artists are named in
# data/core/images/portraits/ARTISTS.
WESNOTH_LICENCE = "GPL-2.0-or-later"
WESNOTH_CREDIT = "Battle for Wesnoth portraits (wesnoth.org, Debian wesnoth-1.16-data), GPL-2.0-or-later"
WESNOTH_PORTRAITS = "/images/portraits/"
MAX_PNG_BYTES = 8 * 2**20  # portraits are 0.1-0.5 MB; anything far bigger is not one
_REPAINT = re.compile(r"-\d+$")  # "swordsman-2": another painting of the same unit


@dataclass(frozen=True)
class Drawing:
    source: str  # "openmoji" | "openclipart" | "wesnoth"
    item: str  # what the variants of one drawing share
    name: str  # unique within the source: the output file's stem
    original: str  # path inside the archive
    licence: str
    category: str  # OpenMoji group, Open Clip Art folder
    svg: bytes  # empty for a painted (raster) drawing
    lines_svg: bytes | None = None  # the same drawing as black line art, when the source has it
    png: bytes | None = None  # a painted drawing, drawn on transparency


def read_openmoji(archive: str | os.PathLike[str]) -> Iterator[Drawing]:
    """OpenMoji's colour SVGs with their black line-art twins, in openmoji.json's order."""
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        table = json.loads(_read(tar, members, "package/data/openmoji.json"))
        for entry in table:
            code = entry["hexcode"]
            colour = members.get(f"package/color/svg/{code}.svg")
            black = members.get(f"package/black/svg/{code}.svg")
            if colour is None or black is None or colour.size > MAX_SVG_BYTES:
                continue
            yield Drawing(
                source="openmoji",
                item=entry.get("skintone_base_hexcode") or code,
                name=code,
                original=colour.name,
                licence=OPENMOJI_LICENCE,
                category=entry.get("group", ""),
                svg=_read(tar, members, colour.name),
                lines_svg=_read(tar, members, black.name),
            )


def read_openclipart(archive: str | os.PathLike[str]) -> Iterator[Drawing]:
    """Open Clip Art's SVGs from the .deb's data tarball, in the tarball's order (a compressed stream:
    reading it in any other order decompresses it again for every step back)."""
    with tarfile.open(fileobj=io.BytesIO(deb_member(archive, "data.tar")), mode="r|*") as tar:
        for member in tar:
            path = member.name.lstrip("./")
            if not member.isfile() or not path.startswith(OPENCLIPART_ROOT) or not path.endswith(".svg"):
                continue
            if member.size > MAX_SVG_BYTES:
                continue
            relative = path[len(OPENCLIPART_ROOT) :]
            stem = relative[: -len(".svg")]
            yield Drawing(
                source="openclipart",
                item=stem,
                name=stem,
                original=path,
                licence=OPENCLIPART_LICENCE,
                category=relative.split("/", 1)[0],
                svg=_extract(tar, member),
            )


def read_wesnoth(archive: str | os.PathLike[str]) -> Iterator[Drawing]:
    """Wesnoth's portraits (core and campaigns) from the .deb's data tarball, in the tarball's order."""
    with tarfile.open(fileobj=io.BytesIO(deb_member(archive, "data.tar")), mode="r|*") as tar:
        for member in tar:
            path = member.name.lstrip("./")
            if not member.isfile() or WESNOTH_PORTRAITS not in path or not path.endswith(".png"):
                continue
            if member.size > MAX_PNG_BYTES:
                continue
            owner, relative = path.split(WESNOTH_PORTRAITS, 1)
            # "data/core" or "data/campaigns/<name>": names stay unique across them
            stem = f"{owner.rsplit('/', 1)[-1]}/{relative[: -len('.png')]}"
            folders = relative.split("/")
            yield Drawing(
                source="wesnoth",
                item=_REPAINT.sub("", stem),
                name=stem,
                original=path,
                licence=WESNOTH_LICENCE,
                category=folders[0] if len(folders) > 1 else "campaign",
                svg=b"",
                png=_extract(tar, member),
            )


def deb_member(archive: str | os.PathLike[str], prefix: str) -> bytes:
    """The first member of a Debian package (an `ar` archive) whose name starts with `prefix`."""
    with open(archive, "rb") as f:
        if f.read(8) != b"!<arch>\n":
            raise ValueError(f"{Path(archive).name} is not a Debian package (no ar header)")
        while header := f.read(60):
            name = header[:16].decode("ascii").strip().rstrip("/")
            size = int(header[48:58].decode("ascii").strip())
            data = f.read(size)
            if size % 2:
                f.read(1)  # members start on even offsets
            if name.startswith(prefix):
                return data
    raise ValueError(f"{Path(archive).name} holds no {prefix}* member")


def _read(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo], name: str) -> bytes:
    if name not in members:
        raise ValueError(f"{tar.name!s}: no {name} inside")  # opened from a path: a str
    return _extract(tar, members[name])


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    file = tar.extractfile(member)
    if file is None:  # a directory or a link to nothing
        raise ValueError(f"{tar.name!s}: {member.name} is not a file")
    return file.read()
