"""The frozen app's entry point: the same `linetint` command that `pip install` creates."""

import sys

from linetint.app.cli import main

if __name__ == "__main__":
    sys.exit(main())
