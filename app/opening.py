"""Reading what the user opens, on a background job (app/jobs.py): decoding, XDoG, areas, percentiles.

No Qt here: these run on a lane's thread and hand plain data back; the window makes the Document (a
QObject, which belongs to the GUI thread) from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from linetint.imaging.cleanup import needs_clean_up
from linetint.imaging.picture_hints import hints_from_picture
from linetint.imaging.xdog import xdog
from linetint.model.hints import HintLayer
from linetint.model.images import colourfulness, load_rgb, open_image, to_grey, to_rgb

from .project import SUFFIX as PROJECT_SUFFIX
from .project import ProjectData, load_project


@dataclass(frozen=True)
class OpenedFile:
    """A picture or project as read, with what the advice over the canvas needs to know of it."""

    path: Path
    project: ProjectData | None  # None: a picture, whose line art is `lineart`
    lineart: np.ndarray
    colourfulness: float  # of the picture (images.colourfulness); 0 for a project
    needs_clean_up: bool  # only worked out for a page without hints: the advice is for fresh pages


def read_file(path: Path) -> OpenedFile:
    """A project or line-art picture; raises ProjectError, ImageInputError or OSError."""
    if path.suffix.lower() == PROJECT_SUFFIX:
        data = load_project(path)
        clean_up = not len(data.hints) and needs_clean_up(data.lineart)
        return OpenedFile(path, data, data.lineart, 0.0, clean_up)
    image = open_image(path)
    grey = to_grey(image)
    return OpenedFile(path, None, grey, colourfulness(image), needs_clean_up(grey))


@dataclass(frozen=True)
class ColourPicture:
    """A finished colour picture read to recolour: what the network and the hints need, and what the
    result keeps of it."""

    lines: np.ndarray  # uint8 (H, W): its lines (XDoG), the network's line art
    hints: HintLayer  # one per area of `lines`, in the picture's colours
    shading: np.ndarray  # uint8 (H, W): its own grey, whose light and shade the recolouring keeps


def read_colour_picture(path: Path) -> ColourPicture:
    """A finished colour picture's lines (XDoG), hints in its colours and grey; raises ImageInputError."""
    image = open_image(path)
    picture = to_rgb(image)
    lines = xdog(picture)
    return ColourPicture(lines, hints_from_picture(lines, picture), to_grey(image))


def read_picture_hints(lineart: np.ndarray, path: Path) -> HintLayer:
    """One hint per area of `lineart`, coloured as the picture at `path` paints it; raises
    ImageInputError or PictureMismatch."""
    return hints_from_picture(lineart, load_rgb(path))
