# Sourced by the device machine's entry scripts (bench/gpu_*.sh). Its python3 has torch with CUDA, numpy,
# pillow, scipy, tqdm and tensorboard but no PySide6, and nothing can be installed from the network there.
# The packages below need none of Qt, so `linetint` is mapped onto the checkout by links instead.
site=$(mktemp -d)
mkdir "$site/linetint"
for part in app model imaging training resources; do ln -s "$PWD/$part" "$site/linetint/$part"; done
export PYTHONPATH="$site" PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
