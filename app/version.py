"""The installed LineTint's version, for `--version`, the About box and project manifests."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def app_version() -> str:
    try:
        return version("linetint")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


__all__ = ["app_version"]
