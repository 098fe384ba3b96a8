"""Data files shipped inside the package: sample line art, icons, the default model."""

from importlib.resources import files
from importlib.resources.abc import Traversable


def resource(*parts: str) -> Traversable:
    """A shipped file, found the same way from a source tree, a wheel or a frozen bundle."""
    node = files(__name__)
    for part in parts:
        node = node / part
    return node
