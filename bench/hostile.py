# ruff: noqa: E501 -- the cases are Python snippets in strings: one statement a line reads best
"""Hostile inputs against LineTint's loaders: outcome, time and peak memory of each, as a markdown table.

    python bench/hostile.py            # prints the table docs/reliability.md shows

Every case runs in a fresh Python process (its peak RSS is that process's, imports included), under a
time limit, in a throwaway folder. The files are made here, small on disk, by the same recipes the tests
use (tests/test_files.py, test_checkpoint.py, test_hints.py, test_app_project.py, test_atomic.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass

TIME_LIMIT_S = 300

# Each snippet runs with `d` (a Path to its own empty folder) defined; it prints its outcome, or raises.
PRELUDE = """
import io, json, os, resource, signal, subprocess, sys, time, zipfile
from pathlib import Path
import numpy as np
import torch
from PIL import Image
d = Path(sys.argv[1])
"""


@dataclass(frozen=True)
class Case:
    group: str
    name: str
    setup: str  # builds the hostile file(s); not timed
    act: str  # what a user does with it; timed; prints the outcome or raises


EPS = "b'%!PS-Adobe-3.0 EPSF-3.0\\n%%BoundingBox: 0 0 10 10\\n{ } loop\\n'"
CLI = "from linetint.app.cli import main\n"
TINY = (
    "from linetint.model.checkpoint import random_checkpoint, save_checkpoint\n"
    "from linetint.model.config import preset\n"
    "ck = random_checkpoint(preset('tiny'))\n"
)

CASES = [
    Case("formats", "EPS named x.png as line art (CLI)", f"(d/'x.png').write_bytes({EPS})",
         CLI + "print('exit', main(['colorize', str(d/'x.png'), '--device', 'cpu']))"),
    Case("formats", "EPS named x.png as a hint layer", f"(d/'x.png').write_bytes({EPS})",
         "from linetint.model.hints import load_hints\nload_hints(d/'x.png', 64, 48)"),
    Case("projects", "hints.json = 64 MiB of `{},` (66 KB zip)",
         "from linetint.app.project import ProjectData, save_project\n"
         "from linetint.model.hints import HintLayer\n"
         "save_project(ProjectData(np.full((60, 80), 255, np.uint8), HintLayer(80, 60)), d/'p.linetint')\n"
         "src = zipfile.ZipFile(d/'p.linetint'); out = zipfile.ZipFile(d/'bomb.linetint', 'w', zipfile.ZIP_DEFLATED)\n"
         "[out.writestr(n, src.read(n)) for n in src.namelist() if n != 'hints.json']\n"
         "out.writestr('hints.json', b'{\"format\": \"linetint-hints\", \"version\": 1, \"width\": 80, \"height\": 60, \"hints\": [' + b'{},' * ((64 << 20) // 3 - 40) + b'{}]}'); out.close()",
         "from linetint.app.project import load_project\nload_project(d/'bomb.linetint')"),
    Case("projects", "a FIFO named x.linetint", "os.mkfifo(d/'x.linetint')",
         "from linetint.app.project import load_project\nload_project(d/'x.linetint')"),
    Case("hint files", ".json hint file linked to /dev/zero", "(d/'h.json').symlink_to('/dev/zero')",
         "from linetint.model.hints import load_hints\nload_hints(d/'h.json', 64, 48)"),
    Case("hint files", "25,001 hints in JSON (one over the limit)",
         "hints = [{'x': i % 1000, 'y': i // 1000, 'size': 1, 'color': '#ff0000'} for i in range(25001)]\n"
         "(d/'h.json').write_text(json.dumps({'format': 'linetint-hints', 'version': 1, 'width': 1000, 'height': 1000, 'hints': hints}))",
         "from linetint.model.hints import load_hints\nload_hints(d/'h.json', 1000, 1000)"),
    Case("hint files", "25,000 hints in JSON (the limit) on 1000x1000",
         "hints = [{'x': i % 1000, 'y': i // 1000 * 4, 'size': 1, 'color': '#ff0000'} for i in range(25000)]\n"
         "(d/'h.json').write_text(json.dumps({'format': 'linetint-hints', 'version': 1, 'width': 1000, 'height': 1000, 'hints': hints}))",
         "from linetint.model.hints import load_hints\nprint(len(load_hints(d/'h.json', 1000, 1000)), 'hints loaded')"),
    Case("hint files", "40 MP hint PNG (7300x5479) on 80x60 line art",
         "a = np.zeros((5479, 7300, 4), np.uint8); a[100:400, 200:900] = (200, 30, 30, 255)\n"
         "Image.fromarray(a, 'RGBA').save(d/'big.png', compress_level=1)",
         "from linetint.model.hints import load_hints\nprint(len(load_hints(d/'big.png', 80, 60)), 'hints')"),
    Case("hint files", "40 MP hint PNG, fully painted, on 40 MP line art",
         "a = np.zeros((5479, 7300, 4), np.uint8); a[..., 0] = 200; a[..., 3] = 255\n"
         "Image.fromarray(a, 'RGBA').save(d/'big.png', compress_level=1)",
         "from linetint.model.hints import load_hints\nload_hints(d/'big.png', 7300, 5479)"),
    Case("hint files", "40 MP line art + 40 MP layer of 20,000 hints, CLI colorize (a maximum-size page)",
         "a = np.zeros((5479, 7300, 4), np.uint8)\nfor i in range(20000): y, x = divmod(i, 160); a[y * 30:y * 30 + 4, x * 45:x * 45 + 4] = (200, 30, 30, 255)\n"
         "Image.fromarray(a, 'RGBA').save(d/'layer.png', compress_level=1)\nImage.new('L', (7300, 5479), 255).save(d/'art.png')",
         CLI + "print('exit', main(['colorize', str(d/'art.png'), '--hints', str(d/'layer.png'), '--device', 'cpu', '-o', str(d/'o.png')]))"),
    Case("checkpoints", "config with n_blocks 5000, widths 2048",
         "torch.save({'format': 'linetint-checkpoint', 'version': 1, 'config': {'n_blocks': 5000, "
         "'max_channels': 2048, 'base_channels': 256}, 'generator': {}}, d/'c.pt')",
         CLI + "Image.new('L', (32, 24), 255).save(d/'a.png')\n"
         "print('exit', main(['colorize', str(d/'a.png'), '--checkpoint', str(d/'c.pt'), '--device', 'cpu']))"),
    Case("checkpoints", "config within limits, 1.6 G parameters",
         "torch.save({'format': 'linetint-checkpoint', 'version': 1, 'config': {'n_blocks': 32, "
         "'max_channels': 2048, 'base_channels': 256, 'hint_channels': 1024}, 'generator': {}}, d/'c.pt')",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt')"),
    Case("checkpoints", "NaN weights (CLI)", TINY + "ck.generator['stem.0.bias'][:] = float('nan')\nsave_checkpoint(ck, d/'c.pt')",
         CLI + "Image.new('L', (32, 24), 255).save(d/'a.png')\n"
         "print('exit', main(['colorize', str(d/'a.png'), '--checkpoint', str(d/'c.pt'), '--device', 'cpu']))"),
    Case("checkpoints", "int8 weights without scales",
         TINY + "ck.generator['stem.0.weight'] = ck.generator['stem.0.weight'].to(torch.int8)\nsave_checkpoint(ck, d/'c.pt')",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt').build_generator()"),
    Case("checkpoints", "a 10^10-element expanded view as a weight",
         TINY + "ck.generator['stem.0.weight'] = torch.zeros(1).expand(10**10)\nsave_checkpoint(ck, d/'c.pt')",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt').build_generator()"),
    Case("checkpoints", "wrong-shaped int8 scales (10^6 of them)",
         TINY + "save_checkpoint(ck, d/'c.pt', storage='int8')\np = torch.load(d/'c.pt', weights_only=True)\n"
         "p['generator']['stem.0.weight.__int8_scale'] = torch.ones(10**6)\ntorch.save(p, d/'c.pt')",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt').build_generator()"),
    Case("checkpoints", "4 KB of random bytes", "(d/'c.pt').write_bytes(os.urandom(4096))",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt')"),
    Case("checkpoints", "a PNG named c.pt", "Image.new('RGB', (8, 8)).save(d/'c.pt', format='PNG')",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt')"),
    Case("checkpoints", "a safetensors file", "h = b'{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}'\n"
         "(d/'c.pt').write_bytes(len(h).to_bytes(8, 'little') + h + bytes(8))",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt')"),
    Case("checkpoints", "an empty file", "(d/'c.pt').write_bytes(b'')",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt')"),
    Case("checkpoints", "zip declaring 2 GiB of zeros in 2 MB",
         "z = zipfile.ZipFile(d/'c.pt', 'w', zipfile.ZIP_DEFLATED)\ne = z.open('c/data/0', 'w', force_zip64=True)\n"
         "[e.write(bytes(1 << 20)) for _ in range(2048)]\ne.close(); z.close()",
         "from linetint.model.checkpoint import load_checkpoint\nload_checkpoint(d/'c.pt')"),
    Case("special files", "a FIFO named x.png (line art)", "os.mkfifo(d/'x.png')",
         "from linetint.model.images import load_lineart\nload_lineart(d/'x.png')"),
    Case("special files", "a folder named x.png", "(d/'x.png').mkdir()",
         "from linetint.model.images import load_lineart\nload_lineart(d/'x.png')"),
    Case("disk faults", "save over a folder (os.replace fails)",
         "(d/'work.linetint').mkdir()",
         "from linetint.app.project import ProjectData, save_project\nfrom linetint.model.hints import HintLayer\n"
         "save_project(ProjectData(np.full((60, 80), 255, np.uint8), HintLayer(80, 60)), d/'work.linetint')"),
    Case("disk faults", "save through a symlinked project",
         "from linetint.app.project import ProjectData, save_project\nfrom linetint.model.hints import HintLayer\n"
         "(d/'real').mkdir(); save_project(ProjectData(np.full((60, 80), 255, np.uint8), HintLayer(80, 60)), d/'real'/'w.linetint')\n"
         "(d/'w.linetint').symlink_to(d/'real'/'w.linetint')",
         "from linetint.app.project import ProjectData, save_project\nfrom linetint.model.hints import HintLayer\n"
         "save_project(ProjectData(np.full((60, 80), 255, np.uint8), HintLayer(80, 60)), d/'w.linetint')\n"
         "print('link kept' if (d/'w.linetint').is_symlink() else 'LINK REPLACED')"),
    Case("kills", "10 kill -9 during save, then one save",
         "from linetint.app.project import ProjectData, save_project\nfrom linetint.model.hints import HintLayer\n"
         "code = ('import numpy as np, sys; from linetint.app.project import ProjectData, save_project; '\n"
         "        'from linetint.model.hints import HintLayer; from linetint.model import atomic; import time\\n'\n"
         "        'real = atomic.os.replace\\natomic.os.replace = lambda *a: time.sleep(60)\\n'\n"
         "        'save_project(ProjectData(np.zeros((600, 800), np.uint8), HintLayer(800, 600)), sys.argv[1])')\n"
         "for _ in range(10):\n"
         "    p = subprocess.Popen([sys.executable, '-c', code, str(d/'w.linetint')])\n"
         "    while not list(d.glob('.w.linetint.*.tmp')) or len(list(d.glob('.w.linetint.*.tmp'))) <= _: time.sleep(0.05)\n"
         "    time.sleep(0.3); p.send_signal(signal.SIGKILL); p.wait()\n"
         "old = time.time() - 120\n[os.utime(t, (old, old)) for t in d.glob('.w.linetint.*.tmp')]\n"
         "print(len(list(d.glob('.w.linetint.*.tmp'))), 'temp files left by the kills', file=sys.stderr)",
         "from linetint.app.project import ProjectData, save_project\nfrom linetint.model.hints import HintLayer\n"
         "save_project(ProjectData(np.full((60, 80), 255, np.uint8), HintLayer(80, 60)), d/'w.linetint')\n"
         "print(len(list(d.glob('.w.linetint.*.tmp'))), 'temp files after the next save')"),
]  # fmt: skip

RUNNER = """
{prelude}
{setup}
start = time.perf_counter()
try:
{act}
    outcome = None
except Exception as exc:
    outcome = f"refused: {{exc}}"
seconds = time.perf_counter() - start
print(json.dumps({{"outcome": outcome, "seconds": seconds,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run_case(case: Case) -> dict:
    act = textwrap.indent(case.act, "    ")
    script = RUNNER.format(prelude=PRELUDE, setup=case.setup, act=act)
    with tempfile.TemporaryDirectory(prefix="linetint-hostile-") as folder:
        try:
            done = subprocess.run(
                [sys.executable, "-c", script, folder], capture_output=True, text=True, timeout=TIME_LIMIT_S
            )
        except subprocess.TimeoutExpired:
            return {
                "outcome": f"HUNG (killed after {TIME_LIMIT_S} s)",
                "seconds": TIME_LIMIT_S,
                "peak_mb": None,
            }
    lines = done.stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"outcome": f"CRASHED ({done.returncode}): {tail[0]}", "seconds": None, "peak_mb": None}
    said = " ".join(line for line in lines[:-1])
    stderr = done.stderr.strip().splitlines()
    outcome = report["outcome"] or " ".join([said] + [s for s in stderr if "linetint" in s][-1:])
    report["outcome"] = outcome.replace(folder + "/", "")  # the throwaway folder says nothing
    return report


def _cell(text: str, width: int = 150) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


def main() -> None:
    print("| set | input | outcome | time | peak memory |")
    print("| --- | --- | --- | --- | --- |")
    for case in CASES:
        r = run_case(case)
        seconds = "—" if r["seconds"] is None else f"{r['seconds']:.2f} s"
        peak = "—" if r["peak_mb"] is None else f"{r['peak_mb']:.0f} MB"
        print(f"| {case.group} | {case.name} | {_cell(r['outcome'])} | {seconds} | {peak} |", flush=True)


if __name__ == "__main__":
    main()
