"""`linetint train`, `lines` and `evaluate`, also as `python -m linetint.training`.

Importing this module is cheap: torch's training pieces, tqdm and TensorBoard load only when a command
runs, so `linetint colorize` does not pay for them and an app bundle without them still starts.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from linetint.model.config import PRESETS

from .options import (
    AMP_CHOICES,
    GAN_LOSSES,
    GENERATORS,
    PERCEPTUAL_CHOICES,
    RANDOM_VGG,
    SYNTHETIC,
    TrainOptions,
)

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(TrainOptions)}


def register(commands: argparse._SubParsersAction) -> None:
    """Add `train`, `lines`, `faces`, `evaluate`, `corpus`, `corpus-pack` and `train-vgg` to a
    `linetint`-style subparsers object."""
    from . import vgg_pretrain_cli
    from .corpus import cli as corpus_cli

    _register_train(commands)
    _register_lines(commands)
    _register_faces(commands)
    _register_evaluate(commands)
    corpus_cli.register(commands)
    vgg_pretrain_cli.register(commands)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m linetint.training` (what torchrun runs)."""
    parser = argparse.ArgumentParser(prog="python -m linetint.training", description="LineTint training.")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


def _register_train(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="train a colorization model (the paper's settings by default)",
        description="Train the CSA generator, its ablation, or the pix2pixHD baseline with the losses of "
        "section 3.3. Defaults are the paper's: global batch 32, 512 px crops, Adam 2e-4 (0.5, 0.999). "
        "On several GPUs: torchrun --nproc_per_node=K -m linetint.training train ... "
        "Checkpoints go to OUT/checkpoint-latest.pt (resumable) and OUT/generator-latest.pt (for "
        "`linetint colorize --checkpoint`); watch with `tensorboard --logdir OUT`.",
        argument_default=argparse.SUPPRESS,  # so --resume knows which options were given
    )
    add = parser.add_argument
    add("--data", metavar="DIR", help=f"illustration folder, or '{SYNTHETIC}' for generated pictures")
    add("--lines", type=Path, metavar="DIR", help="line art made by `linetint lines` for --data")
    add("--tags", type=Path, metavar="FILE", help="Danbooru tags (CSV/JSON): drop greyscale-tagged pictures")
    add(
        "--line-probs", metavar="M=P,...",
        help="line-art mixture by method (xdog, sketchkeras, simplify, exact), e.g. xdog=0.3,exact=0.7 "
        "(default: the paper's xdog=0.1,sketchkeras=0.5,simplify=0.4)",
    )  # fmt: skip
    _number(add, "--synthetic-share", float, "share of samples that are generated pictures instead")
    add(
        "--folder-shares", metavar="DIR=P,...",
        help="over-sample top-level folders of --data: e.g. wesnoth=0.25 draws 25 %% of the illustration "
        "samples from DATA/wesnoth/** and the rest from the other pictures; '' turns it off on --resume "
        "(default: every picture alike)",
    )  # fmt: skip
    _number(
        add, "--thin-lines", float,
        "share of samples whose line art is redrawn 1-3 px thin and grey, as sketches look at the app's "
        "working size",
    )  # fmt: skip
    _number(
        add, "--detail-lines", float,
        "share of samples given curved strokes inside areas of one colour (lines that are not colour "
        "boundaries, as hair strands and folds)",
    )  # fmt: skip
    _number(
        add, "--hatching", float,
        "share of samples given groups of short parallel strokes inside areas of one colour (blush and "
        "shadow marks, which are not dark areas)",
    )  # fmt: skip
    _number(
        add, "--line-gaps", float,
        "share of samples with short pieces of their lines erased (outlines that do not close, as in "
        "sketches, where colour must still stop)",
    )  # fmt: skip
    _number(
        add, "--zoom", float,
        "enlarge each picture by a random factor in 1..ZOOM before the crop, so that crops show drawings "
        "at the scale of the app's 768 px working size; 1: never",
    )  # fmt: skip
    add(
        "--picture-weights", metavar="GLOB=W,...|@FILE",
        help="draw pictures of --data in proportion to weights: the first glob (on the path under --data) "
        "a picture matches gives its weight, others weigh 1, 0 leaves it out; e.g. "
        "'openmoji/*-1F3FB.png=3'; @FILE reads one GLOB=W per line; '' turns it off on --resume "
        "(default: every picture alike)",
    )  # fmt: skip
    add("--init", type=Path, metavar="CKPT", help="start the generator from this model (fine-tuning)")
    _number(
        add, "--d-warmup", int,
        "the run's steps 0..N-1 train only the discriminator, against the fixed (--init) generator",
    )  # fmt: skip
    _number(
        add, "--lr-decay", int,
        "the last N steps before --steps bring the learning rates linearly to 0, so the weights settle "
        "(pix2pixHD); set --steps to where the run ends",
    )  # fmt: skip
    add("--out", type=Path, metavar="RUN", required=True, help="run folder: checkpoints, logs")
    add("--config", choices=tuple(PRESETS), help=f"model widths (default {_DEFAULTS['config']})")
    add("--generator", choices=GENERATORS, help=f"network (default {_DEFAULTS['generator']})")
    _number(add, "--steps", int, "training iterations")
    _number(add, "--batch", int, "GLOBAL batch, split evenly over the torchrun processes")
    _number(add, "--crop", int, "random square crop side in px (multiple of 16)")
    _number(add, "--lr", float, "Adam learning rate, G and D")
    _number(add, "--beta1", float, "Adam beta1")
    _number(add, "--beta2", float, "Adam beta2")
    _number(add, "--lambda", float, "weight of feature matching + perceptual terms (eq. 4)", "loss_lambda")
    add("--gan-loss", choices=GAN_LOSSES, help=f"adversarial loss (default {_DEFAULTS['gan_loss']})")
    add(
        "--perceptual", choices=PERCEPTUAL_CHOICES,
        help="vgg: the paper's VGG19 perceptual term; off: without it, about 30 %% cheaper a step "
        f"(default {_DEFAULTS['perceptual']})",
    )  # fmt: skip
    _number(
        add, "--ema", float,
        "decay of a moving average of G's weights that generator-latest.pt holds, e.g. 0.999; 0: off",
    )  # fmt: skip
    _number(add, "--checkpoint-every", int, "write checkpoints every N steps (and at the end)")
    _number(add, "--log-every", int, "TensorBoard scalars every N steps")
    _number(add, "--image-every", int, "TensorBoard sample grids every N steps")
    _number(add, "--seed", int, "seed for initialisation, data order and hints")
    _number(add, "--workers", int, "data loader processes per training process")
    add(
        "--amp", choices=AMP_CHOICES,
        help="mixed precision: on = fp16 (CUDA), bf16 = bfloat16 (CPUs with AVX512-BF16/AMX, recent GPUs); "
        "auto = fp16 on CUDA, off elsewhere (default auto)",
    )  # fmt: skip
    add("--device", choices=("auto", "cpu", "cuda"), help="where to train (default auto)")
    add(
        "--vgg-weights",
        metavar="FILE|URL|random",
        help="ImageNet VGG19 (torchvision's vgg19-dcbb9e9d.pth) for the perceptual loss and hint branch "
        "(default: $LINETINT_VGG19_WEIGHTS, else torch hub's cache/download); "
        f"'{RANDOM_VGG}' trains without them, for smoke tests only",
    )
    add(
        "--time-limit",
        type=float,
        dest="time_limit",
        metavar="MIN",
        help="stop after MIN minutes of training with a checkpoint, for job schedulers with wall-time "
        "limits; continue later with --resume (default: no limit)",
    )
    add("--resume", action="store_true", help="continue OUT/checkpoint-latest.pt with its saved settings")
    parser.set_defaults(run=run_train)


def _number(add: Callable[..., object], flag: str, kind: type, text: str, dest: str | None = None) -> None:
    dest = dest or flag.lstrip("-").replace("-", "_")
    metavar = "N" if kind is int else "X"
    add(flag, type=kind, dest=dest, metavar=metavar, help=f"{text} (default {_DEFAULTS[dest]})")


def options_from_args(args: argparse.Namespace) -> TrainOptions:
    """TrainOptions from the given flags; with --resume, the run's saved options under the given ones."""
    from linetint.model.checkpoint import CheckpointError

    from .checkpointing import read_saved_options
    from .options import OptionsError

    fields = {f.name for f in dataclasses.fields(TrainOptions)}
    given = {k: v for k, v in vars(args).items() if k in fields}
    if not given.get("resume", False):
        if "data" not in given:
            raise OptionsError(f"--data is required: an illustration folder, or '{SYNTHETIC}'")
        return TrainOptions(**given)
    try:
        saved = read_saved_options(given["out"])
    except CheckpointError as exc:
        raise OptionsError(str(exc)) from None
    return TrainOptions(**{**saved.to_dict(), **given}).resumed_from(saved, set(given) - {"resume"})


def run_train(args: argparse.Namespace) -> int:
    try:
        from linetint.model.devices import DeviceError

        from .loop import TrainingDiverged, train
        from .options import OptionsError
    except ImportError as exc:
        print(
            f"linetint train: the training extras are missing ({exc.name}); install them with "
            "`pip install 'linetint[train]'`",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    try:
        result = train(options_from_args(args))
    except (OptionsError, DeviceError) as exc:
        print(f"linetint train: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except TrainingDiverged as exc:
        print(f"linetint train: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("linetint train: interrupted; continue from the last checkpoint with --resume", file=sys.stderr)
        return EXIT_FAILURE
    print(f"{result.checkpoint} (step {result.step})")
    if result.out_of_time:
        print(
            f"linetint train: stopped at the time limit; continue with --resume --out {args.out}",
            file=sys.stderr,
        )
    return EXIT_OK


# --------------------------------------------------------------------------------------------------------
# linetint lines


_METHODS = ("xdog", "sketchkeras", "simplify")


def _register_lines(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "lines",
        help="precompute line art (XDoG, sketchKeras, Sketch Simplification) for an illustration folder",
        description="Write one extractor's line art for every picture under --in (any nesting) to "
        "OUT/<method>/<relative path>.png: grey, white paper, the picture's size — the layout "
        "`linetint train --lines OUT` reads. Existing files are kept (an interrupted run resumes) unless "
        "--overwrite; unreadable pictures are skipped with a message. Weights: sketchKeras needs its "
        "mod.h5 (https://github.com/lllyasviel/sketchKeras, Releases) converted once with `python -m "
        "linetint.training.extractors.sketchkeras convert mod.h5 sketchkeras.pth`; Sketch Simplification "
        "needs model_gan (https://github.com/bobbens/sketch_simplification) as a .pth state dict (or the "
        ".t7 with torchfile installed) and, for the paper's 3x enlargement, waifu2x's "
        "upconv_7/art/scale2.0x_model.json (https://github.com/nagadomi/waifu2x; without it: Lanczos).",
    )
    add = parser.add_argument
    add("--in", dest="source", type=Path, metavar="DIR", required=True, help="illustration folder")
    add("--out", type=Path, metavar="DIR", required=True, help="line-art folder (give it to train --lines)")
    add("--method", choices=_METHODS, default="xdog", help="extractor (default xdog)")
    add(
        "--weights",
        metavar="FILE|URL",
        help="the learned extractor's weights (default: $LINETINT_SKETCHKERAS_WEIGHTS or "
        "$LINETINT_SIMPLIFY_WEIGHTS)",
    )
    add(
        "--upscaler-weights",
        metavar="FILE|URL",
        help="waifu2x upconv_7 weights (JSON or .pth) for simplify's 3x enlargement (default: "
        "$LINETINT_WAIFU2X_WEIGHTS, else Lanczos with a warning)",
    )
    add(
        "--device", choices=("auto", "cpu", "cuda", "mps"), default="auto", help="where to run (default auto)"
    )
    add("--overwrite", action="store_true", help="redo pictures whose line art already exists")
    parser.set_defaults(run=run_lines)


def _register_faces(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "faces",
        help="draw procedural anime-style busts with their exact line art (a face prior for training)",
        description="Write COUNT busts (training/faces.py: light-skinned faces with anime eyes, hair with "
        "bangs and strands, collars) to OUT/train/faces/ and their line art to OUT/train-lines/exact/faces/, "
        "the layout of `linetint corpus`: copy both into a corpus and train with --folder-shares faces=P. "
        "Seeded: the same seed and count give the same files.",
    )
    add = parser.add_argument
    add("--out", type=Path, metavar="DIR", required=True, help="folder to write into")
    add("--count", type=int, default=1500, help="how many busts (default 1500)")
    add("--side", type=int, default=384, help="picture height in px; widths vary 3/4-1 of it (default 384)")
    add("--seed", type=int, default=0, help="seed (default 0)")
    parser.set_defaults(run=run_faces)


def run_faces(args: argparse.Namespace) -> int:
    from .faces import write_faces

    if args.count < 1 or args.side < 64:
        print("linetint faces: --count must be at least 1 and --side at least 64", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        write_faces(args.out, args.count, args.side, args.seed)
    except OSError as exc:
        print(f"linetint faces: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{args.out}: {args.count} busts with their line art")
    return EXIT_OK


def _warned(prefix: str, caught: list[warnings.WarningMessage]) -> None:
    for warning in caught:
        print(f"{prefix}: warning: {warning.message}", file=sys.stderr)


def run_lines(args: argparse.Namespace) -> int:
    from linetint.model.devices import DeviceError, pick_device

    from .extractors import build_extractor
    from .extractors.weights import ExtractorWeightsError, error_detail
    from .lines import extract_folder

    prefix = "linetint lines"
    if not args.source.is_dir():
        print(f"{prefix}: --in {args.source}: no such folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            extractor = build_extractor(
                args.method, args.weights, pick_device(args.device), args.upscaler_weights
            )
        _warned(prefix, caught)
    except (ExtractorWeightsError, DeviceError) as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT

    def report_unreadable(path: Path, reason: str) -> None:
        _progress_write(f"{prefix}: skipping unreadable picture {path}: {reason}")

    try:
        summary = extract_folder(
            args.source,
            args.out,
            args.method,
            extractor,
            overwrite=args.overwrite,
            on_unreadable=report_unreadable,
            progress=lambda paths: _progress(paths, args.method),
        )
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted; run the same command again to continue", file=sys.stderr)
        return EXIT_FAILURE
    except RuntimeError as exc:  # e.g. out of GPU memory on a huge picture; finished files are kept
        print(f"{prefix}: {error_detail(exc)}; run the same command again to continue", file=sys.stderr)
        return EXIT_FAILURE
    if summary.found == 0:
        print(f"{prefix}: no pictures under {args.source}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"{args.out / args.method}: {summary.written} written, {summary.existing} already there, "
        f"{len(summary.unreadable)} unreadable"
    )
    return EXIT_OK


def _progress(items: Iterable[Path], desc: str) -> Iterable[Path]:
    try:
        from tqdm import tqdm
    except ImportError:  # tqdm is a training extra; without it, no bar
        return items
    return tqdm(items, desc=desc, unit="picture", dynamic_ncols=True)


def _progress_write(text: str) -> None:
    """One line on stderr that does not break a running tqdm bar."""
    try:
        from tqdm import tqdm
    except ImportError:
        print(text, file=sys.stderr)
        return
    tqdm.write(text, file=sys.stderr)


# --------------------------------------------------------------------------------------------------------
# linetint evaluate


def _register_evaluate(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "evaluate",
        help="FID, L1 and hint-colour error of a checkpoint on a test folder (Table 1)",
        description="Score a checkpoint on the colour pictures under --data with FIXED hints, so every model "
        "is compared on the same hints: make the hints file once with --make-hints, then evaluate each "
        "checkpoint with it. Each picture's centre --size square (pictures smaller than that are first "
        "enlarged) is the target; line art is XDoG of it unless --lines gives precomputed line art. FID "
        "uses pytorch-fid's Inception weights (pt_inception-2015-12-05-6726825d.pth: --fid-weights FILE, "
        "$LINETINT_FID_WEIGHTS, or torch hub's cache/download). Prints the metrics and writes them to --out.",
    )
    add = parser.add_argument
    add("--checkpoint", type=Path, metavar="FILE", help="generator checkpoint (e.g. RUN/generator-latest.pt)")
    add("--data", type=Path, metavar="DIR", required=True, help="test illustration folder")
    add("--hints", type=Path, metavar="FIXED.json", required=True, help="fixed hints (see --make-hints)")
    add(
        "--make-hints",
        action="store_true",
        help="simulate hints for every test picture with --seed and write them to --hints (refuses to "
        "replace an existing file without --overwrite); with --checkpoint, then evaluate",
    )
    add("--seed", type=int, default=0, metavar="N", help="seed for --make-hints (default 0)")
    add("--overwrite", action="store_true", help="let --make-hints replace an existing hints file")
    add(
        "--fid-weights",
        metavar="FILE|URL|random",
        help="FID Inception weights (default: $LINETINT_FID_WEIGHTS, else torch hub's cache/download); "
        "'random' for smoke tests — not comparable to published FID",
    )
    add("--lines", type=Path, metavar="DIR", help="precomputed line art from `linetint lines` for --data")
    add("--line-method", choices=_METHODS, default="xdog", help="which line art to use (default xdog)")
    add("--size", type=int, default=512, metavar="N", help="crop side the generator runs at (default 512)")
    add("--tags", type=Path, metavar="FILE", help="Danbooru tags: drop greyscale-tagged pictures (as train)")
    add("--batch", type=int, default=16, metavar="N", help="pictures per Inception batch (default 16)")
    add(
        "--device", choices=("auto", "cpu", "cuda", "mps"), default="auto", help="where to run (default auto)"
    )
    add("--out", type=Path, metavar="REPORT.json", help="also write the report here")
    parser.set_defaults(run=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    from linetint.model.checkpoint import CheckpointError
    from linetint.model.devices import DeviceError

    from .evaluate import (
        EvalError,
        EvalOptions,
        evaluate,
        format_report,
        make_fixed_hints,
        save_fixed_hints,
        save_report,
    )
    from .fid import FIDWeightsError

    prefix = "linetint evaluate"
    try:
        if args.make_hints:
            if args.hints.exists() and not args.overwrite:
                raise EvalError(
                    f"{args.hints} exists; fixed hints are made once so every model sees the same ones "
                    "(--overwrite replaces them)"
                )
            if not args.data.is_dir():
                raise EvalError(f"--data {args.data}: no such folder")
            fixed = make_fixed_hints(
                args.data, args.size, args.seed, tag_file=args.tags, progress=lambda p: _progress(p, "hints")
            )
            save_fixed_hints(fixed, args.hints)
            print(
                f"{args.hints}: hints for {len(fixed.layers)} pictures (size {args.size}, seed {args.seed})"
            )
            if args.checkpoint is None:
                return EXIT_OK
        elif args.checkpoint is None:
            raise EvalError("--checkpoint is required (or --make-hints to write the hints file)")
        options = EvalOptions(
            checkpoint=args.checkpoint,
            data=args.data,
            hints=args.hints,
            fid_weights=args.fid_weights,
            lines=args.lines,
            line_method=args.line_method,
            size=args.size,
            device=args.device,
            batch=args.batch,
            tags=args.tags,
        )
        report = evaluate(options, progress=lambda p: _progress(p, "evaluate"))
    except (EvalError, FIDWeightsError, CheckpointError, DeviceError) as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted", file=sys.stderr)
        return EXIT_FAILURE
    print(format_report(report))
    if args.out is not None:
        save_report(report, args.out)
        print(f"report       {args.out}")
    return EXIT_OK
