#!/bin/sh
# Run bench/gpu_session.py on the device machine (bench/gpu_env.sh says what is there).
set -eu
. bench/gpu_env.sh
python3 -m pytest -q -p no:cacheprovider -k gpu tests/test_cuda.py tests/test_training_loop.py || true  # go on
exec python3 bench/gpu_session.py --out "${OUT:-/tmp/linetint-gpu-out}" "$@"
