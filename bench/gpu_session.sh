#!/bin/sh
# Run bench/gpu_session.py on the device machine: its python3 has torch with CUDA, numpy, pillow, scipy,
# tqdm and tensorboard but no PySide6, and nothing can be installed from the network there. The model
# and training packages need none of Qt, so `linetint` is mapped onto the checkout by links instead.
set -eu
site=$(mktemp -d)
mkdir "$site/linetint"
for part in app model training resources; do ln -s "$PWD/$part" "$site/linetint/$part"; done
export PYTHONPATH="$site" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
python3 -m pytest -q -p no:cacheprovider -k gpu tests/test_cuda.py tests/test_training_loop.py || true  # go on
exec python3 bench/gpu_session.py --out "${OUT:-/tmp/linetint-gpu-out}" "$@"
