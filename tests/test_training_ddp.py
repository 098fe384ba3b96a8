"""Two gloo processes under torchrun train one model: after the steps both hold the same weights."""

import os
import subprocess
import sys
import textwrap

import pytest
import torch

from linetint.model.checkpoint import load_checkpoint

WORKER = textwrap.dedent(
    """
    import hashlib, os, sys
    import torch
    from torch.utils.data import Dataset
    from linetint.training.loop import train
    from linetint.training.options import TrainOptions

    class Shards(Dataset):
        # per-sample randomness from (epoch, index): each rank draws different pictures
        def __init__(self):
            self.epoch = 0
        def set_epoch(self, epoch):
            self.epoch = epoch
        def __len__(self):
            return 8
        def __getitem__(self, i):
            g = torch.Generator().manual_seed(self.epoch * 100 + i)
            target = torch.rand(3, 32, 32, generator=g) * 2 - 1
            hints = torch.zeros(4, 32, 32)
            hints[:, 3:7, 3:7] = 1
            return {"lineart": target[:1].sign(), "hints": hints, "target": target}

    out = sys.argv[1]
    options = TrainOptions(out=out, config="tiny", generator="csa-noattn", steps=2, batch=4, crop=32,
                           workers=0, vgg_weights="random", device="cpu", checkpoint_every=1)
    result = train(options, dataset=Shards())
    digest = hashlib.sha256()
    for module in (result.generator, result.discriminator):
        for key, value in sorted(module.state_dict().items()):
            digest.update(key.encode() + value.numpy().tobytes())
    rank = os.environ["RANK"]
    with open(os.path.join(out, f"rank{rank}.sha256"), "w") as f:
        f.write(digest.hexdigest() + " " + repr(result.losses["g_total"]))
    """
)


@pytest.mark.skipif(not torch.distributed.is_available(), reason="torch built without distributed")
def test_two_gloo_processes_end_with_identical_weights(tmp_path):
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    run_dir = tmp_path / "run"
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [*command, str(script), str(run_dir)], env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3000:]
    hashes = [(run_dir / f"rank{r}.sha256").read_text().split() for r in (0, 1)]
    assert hashes[0] == hashes[1]  # same weights, and the same (all-reduced) logged loss
    checkpoint = load_checkpoint(run_dir / "checkpoint-latest.pt")
    assert checkpoint.extra["training"]["step"] == 2
    assert checkpoint.extra["training"]["options"]["batch"] == 4  # the global batch, 2 per process
    log = (run_dir / "train.log").read_text()
    assert "over 2 processes" in log and log.count("finished at step 2") == 1  # rank 0 alone logs
