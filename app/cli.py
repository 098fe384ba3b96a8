"""`linetint`: the desktop app with no arguments, headless subcommands otherwise.

Qt and the training package are imported only by the commands that need them, so `linetint colorize`
starts fast and works on a machine with no display.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .version import app_version

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    from . import colorize_command, selftest_command

    parser = argparse.ArgumentParser(
        prog="linetint",
        description="Colorize line art from a few colour hints. Without a command, opens the app: "
        "`linetint [FILE]` opens FILE (line art or a .linetint project) in the window.",
    )
    parser.add_argument("--version", action="version", version=f"LineTint {app_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    colorize_command.register(commands)
    selftest_command.register(commands)
    try:  # an app bundle may ship without the training package
        from linetint.training import cli as training_cli
    except ImportError:
        return parser
    training_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0] not in _command_names(parser) | {"-h", "--help", "--version"}:
        from .gui import launch  # Qt is loaded only for the window

        return launch(argv)
    args = parser.parse_args(argv)
    return int(args.run(args))


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    subparsers = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name for action in subparsers for name in action.choices}


if __name__ == "__main__":
    sys.exit(main())
