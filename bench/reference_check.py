"""Cross-check the rebuilt third-party networks against their reference implementations.

LineTint rebuilds VGG19 (torchvision layout) and pytorch-fid's FID Inception without depending on
torchvision or pytorch-fid. This script builds the references with random weights, loads the *same*
state dict into both (strictly: every name and shape must match, which is what the released weight files
need) and compares their outputs on random pictures.

    python bench/reference_check.py            # needs torchvision and pytorch-fid importable

Not a test: LineTint must not depend on torchvision (pip would pull CUDA builds). On a CPU machine unpack
the two wheels beside the venv instead of installing them:

    pip download --no-deps -d /tmp/ref torchvision==0.28.0 pytorch-fid   # torchvision matching torch
    (cd /tmp/ref && mkdir -p site && cd site && for w in ../*.whl; do unzip -qo $w; done)
    PYTHONPATH=/tmp/ref/site .venv/bin/python bench/reference_check.py

(torchvision's compiled ops need not load: only its model definitions are used.)
"""

from __future__ import annotations

import json
import sys
import types

import torch

from linetint.model.vgg import VGG19Features, layer_index
from linetint.training.inception import fid_inception

TAPS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_4", "relu5_1")


def import_references() -> tuple[types.ModuleType, types.ModuleType]:
    # torchvision registers meta kernels for its compiled ops on import; without them (an unpacked
    # wheel built for another CUDA) that fails, and nothing here needs them.
    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("stub"))
    import torchvision.models
    from pytorch_fid import inception

    return torchvision.models, inception


def check_vgg19(models: types.ModuleType) -> dict:
    torch.manual_seed(0)
    reference = models.vgg19(weights=None).eval()
    ours = VGG19Features(last="relu5_1").eval()
    ours.load_torchvision(reference.state_dict())  # the loader a real vgg19-dcbb9e9d.pth goes through
    rgb01 = torch.rand(2, 3, 96, 128)
    with torch.no_grad():
        mine = ours(rgb01, TAPS)
        x = (rgb01 - ours.mean) / ours.std  # torchvision leaves ImageNet normalisation to the caller
        diffs = {}
        for index, layer in enumerate(reference.features[: layer_index("relu5_1") + 1]):
            x = layer(x)
            for tap in TAPS:
                if layer_index(tap) == index:
                    diffs[tap] = float((mine[tap] - x).abs().max() / x.abs().max())
    return {"max_relative_difference": diffs}


def check_fid_inception(inception: types.ModuleType) -> dict:
    ours = fid_inception(None, seed=0)
    state = ours.state_dict()
    # fid_inception_v3() downloads the release file; hand it our random weights instead, so the
    # reference loads the same numbers (strict load inside pytorch-fid: same names and shapes).
    inception.load_state_dict_from_url = lambda *args, **kwargs: state
    reference = inception.InceptionV3([inception.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()
    rgb01 = torch.rand(3, 3, 200, 260)
    with torch.no_grad():
        theirs = reference(rgb01)[0].flatten(1)
        mine = ours(rgb01)
    return {
        "state_dict_tensors": len(state),
        "max_relative_difference": float((mine - theirs).abs().max() / theirs.abs().max()),
    }


def main() -> int:
    models, inception = import_references()
    report = {
        "torch": torch.__version__,
        "torchvision": sys.modules["torchvision"].__version__,
        "vgg19": check_vgg19(models),
        "fid_inception": check_fid_inception(inception),
    }
    print(json.dumps(report, indent=2))
    worst = max(
        *report["vgg19"]["max_relative_difference"].values(),
        report["fid_inception"]["max_relative_difference"],
    )
    return 0 if worst < 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
