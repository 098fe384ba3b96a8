#!/bin/sh
# Run bench/gpu_real_art.py on the device machine (bench/gpu_env.sh says what is there); the run names
# .pack in carry, holding `linetint corpus-pack`'s corpus-pack.tar.xz.
set -eu
. bench/gpu_env.sh
exec python3 bench/gpu_real_art.py --out "${OUT:-/tmp/linetint-real-out}" "$@"
