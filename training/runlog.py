"""What a run records for people: RUN/train.log (echoed to stderr) and TensorBoard scalars, images, text.

Only rank 0 records; the other processes get a RunLog that does nothing, so the loop needs no `if`s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import torch
from tqdm import tqdm

from linetint.model.tensors import unit

if TYPE_CHECKING:
    from torch.utils.tensorboard import SummaryWriter

LOG_NAME = "train.log"
TENSORBOARD_DIR = "tensorboard"


class RunLog:
    def __init__(self, run_dir: Path, enabled: bool = True) -> None:
        self.enabled = enabled
        self._file: TextIO | None = None
        self._writer: SummaryWriter | None = None
        if enabled:
            from torch.utils.tensorboard import SummaryWriter  # needs the `train` extra: only when training

            self._file = open(Path(run_dir) / LOG_NAME, "a", encoding="utf-8")  # noqa: SIM115 (closed in close)
            self._writer = SummaryWriter(log_dir=str(Path(run_dir) / TENSORBOARD_DIR))

    def info(self, message: str) -> None:
        if self._file is None:  # not enabled
            return
        self._file.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}\n")
        self._file.flush()
        tqdm.write(message, file=sys.stderr)  # prints above a progress bar instead of through it

    def text(self, tag: str, message: str, step: int) -> None:
        if self._writer is not None:
            self._writer.add_text(tag, message, step)

    def scalars(self, values: dict[str, float], step: int) -> None:
        if self._writer is not None:
            for name, value in values.items():
                self._writer.add_scalar(f"loss/{name}", value, step)

    def images(
        self,
        lineart: torch.Tensor,
        hints: torch.Tensor,
        output: torch.Tensor,
        target: torch.Tensor,
        step: int,
    ) -> None:
        if self._writer is not None:
            self._writer.add_image("samples", sample_grid(lineart, hints, output, target), step)

    def close(self) -> None:
        if self._writer is not None and self._file is not None:
            self._writer.close()
            self._file.close()


def sample_grid(
    lineart: torch.Tensor, hints: torch.Tensor, output: torch.Tensor, target: torch.Tensor, rows: int = 4
) -> torch.Tensor:
    """(3, H*rows, W*4) in [0, 1]: one sample per row, columns line art | hints | output | target."""
    lines = []
    for i in range(min(rows, lineart.shape[0])):
        hint = torch.where(hints[i, 3:4] > 0, hints[i, :3], torch.ones_like(hints[i, :3]))  # on white paper
        cells = [lineart[i].expand(3, -1, -1), hint, output[i], target[i]]
        lines.append(torch.cat([c.detach().float().cpu() for c in cells], dim=2))
    return unit(torch.cat(lines, dim=1)).clamp(0, 1)
