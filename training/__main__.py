"""`python -m linetint.training train ...`, which is what `torchrun ... -m linetint.training` runs."""

import sys

from .cli import main

sys.exit(main())
