"""`linetint`: the desktop app with no arguments, headless subcommands otherwise.

Qt and the training package are imported only by the commands that need them, so `linetint colorize`
starts fast and works on a machine with no display.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def app_version() -> str:
    try:
        return version("linetint")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    from . import colorize_command

    parser = argparse.ArgumentParser(
        prog="linetint",
        description="Colorize line art from a few colour hints. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"LineTint {app_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    colorize_command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        print(
            "linetint: the desktop app is not part of this build yet; try `linetint colorize --help`",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
