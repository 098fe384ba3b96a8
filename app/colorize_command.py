"""`linetint colorize`: line art + hint file -> colour PNG, without the GUI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from linetint.imaging.cleanup import apply_levels, auto_levels
from linetint.imaging.flats import flat_colours
from linetint.imaging.hint_colours import Unhinted, label_areas
from linetint.imaging.line_source import is_colour_picture, network_lineart
from linetint.imaging.picture_hints import PictureMismatch, hints_from_picture
from linetint.model.checkpoint import CheckpointError
from linetint.model.colorizer import DEFAULT_MAX_SIDE, Colorizer, load_colorizer
from linetint.model.devices import DEVICE_CHOICES, PRECISION_CHOICES, DeviceError
from linetint.model.hints import HintFormatError, HintLayer, load_hints
from linetint.model.images import ImageInputError, load_rgb, open_image, to_grey

from .colour_modes import HintColours, hint_colours
from .export import EXPORT_KINDS, export_picture

EXIT_OK, EXIT_BAD_INPUT = 0, 2
EXPORT_SUFFIXES = tuple(f".{kind}" for kind in EXPORT_KINDS)


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "colorize",
        help="colorize a line art file with a hint file, no window",
        description="Colorize LINEART with the colour hints in --hints and write a PNG at the line "
        "art's own size, the line art multiplied over the colour as the app's Export Image does; a "
        "finished colour picture is recoloured keeping its own light and shade.",
    )
    parser.add_argument("lineart", type=Path, help="line art image (PNG, JPEG, WebP, BMP, TIFF)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--hints", type=Path, help="hints: a .json hint file or a transparent PNG layer")
    source.add_argument(
        "--hints-from",
        type=Path,
        metavar="PICTURE",
        help="hints taken from a colour picture of the same drawing (a rough, flats, an old colouring): "
        "one per area the lines enclose, in the picture's colour there",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        help="output: .png, or a layered .psd / .ora (line art, colour, hints as layers); "
        "default LINEART-colored.png",
    )
    parser.add_argument("--checkpoint", type=Path, help="model checkpoint (default: the shipped model)")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="auto", help="where to run (auto)")
    parser.add_argument(
        "--precision",
        choices=PRECISION_CHOICES,
        default="auto",
        help="arithmetic: auto = fp16 on CUDA, bf16 on CPUs with native bf16 (AVX512-BF16, AMX), else "
        "fp32; a choice the device cannot run is an error",
    )
    parser.add_argument(
        "--max-side",
        type=int,
        default=DEFAULT_MAX_SIDE,
        metavar="N",
        help=f"run the network at most N px a side, result resized back (default {DEFAULT_MAX_SIDE})",
    )
    parser.add_argument(
        "--no-lines",
        dest="lines_over",
        action="store_false",
        help="write the network's colour alone, without the line art multiplied over it (nor a colour "
        "picture's light and shade)",
    )
    parser.add_argument(
        "--clean-up",
        action="store_true",
        help="first even out the paper and set the levels of a scanned or photographed sketch, as the "
        "app's Clean Up Line Art ▸ Auto does (the output's lines are the cleaned ones)",
    )
    parser.add_argument(
        "--flat",
        action="store_true",
        help="flat colours: one colour per area the lines enclose (the median of the network's), as the "
        "app's View ▸ Flat Colours",
    )
    parser.add_argument(
        "--free-hints",
        dest="keep_hints",
        action="store_false",
        help="leave the network's colours as they come; by default every area the lines enclose that "
        "holds hints takes its hints' colour and keeps the network's shading (View ▸ Keep Hint Colours)",
    )
    parser.add_argument(
        "--as-lineart",
        action="store_true",
        help="take a colour picture's grey as the line art, multiplied over the colour; by default a "
        "finished colour illustration is recoloured from its lines (XDoG) and keeps its own light and "
        "shade (the new colour in Color blend mode over its grey), as File ▸ Open a Colour Picture to "
        "Recolour does",
    )
    parser.add_argument(
        "--unhinted",
        choices=[choice.value for choice in Unhinted],
        default=Unhinted.TINT.value,
        help="areas without hints: the network's colour as a pale tint (default), at full strength, or "
        "white paper, to see what is left to hint (View ▸ Unhinted Areas)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        output = args.output or args.lineart.with_name(f"{args.lineart.stem}-colored.png")
        kind = output.suffix.lower()
        if kind not in EXPORT_SUFFIXES:
            raise ImageInputError(f"the output must be a .png, .psd or .ora file, not {output.name}")
        if args.max_side < 16:
            raise ImageInputError(f"--max-side must be at least 16, got {args.max_side}")
        choice = HintColours(args.keep_hints, Unhinted(args.unhinted))
        if not choice.keep and choice.unhinted is Unhinted.PAPER:
            # Unhinted areas are told apart only where hinted ones keep their colours: say so, not ignore it
            raise ImageInputError("--unhinted paper needs the hint colours kept: drop --free-hints")
        grey, shading = _lineart(args.lineart, args.as_lineart)
        if args.clean_up:  # the lines only: a colour picture's light and shade stay its own
            grey = apply_levels(grey, auto_levels(grey))
        height, width = grey.shape
        if args.hints_from:
            hints = hints_from_picture(grey, load_rgb(args.hints_from))
        elif args.hints:
            hints = load_hints(args.hints, width, height)
        else:
            hints = HintLayer(width, height, ())
        colorizer = _load_colorizer(args.checkpoint, args.device, args.precision)
        rgb = colorizer.colorize(grey, hints, max_side=args.max_side)
        flat = flat_colours(grey, rgb) if args.flat else None
        kept = None
        if choice.keep:  # as the app's worker does, on the colour at the line art's size
            kept, flat = hint_colours(rgb, flat, label_areas(grey), hints, choice)
        export_picture(
            kind[1:], grey, rgb, hints, output, flat, kept, multiply_lines=args.lines_over, shading=shading
        )
    except (
        ImageInputError,
        HintFormatError,
        PictureMismatch,
        CheckpointError,
        DeviceError,
        FileNotFoundError,
    ) as exc:
        print(f"linetint colorize: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"linetint colorize: cannot write {output}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    info = colorizer.info
    print(f"{output} ({width}x{height}, {len(hints)} hints, {info.name} on {info.device}, {info.precision})")
    return EXIT_OK


def _lineart(path: Path, as_lineart: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """(line art for the network, shading): a colour picture's lines and its grey, whose light and shade
    the output keeps; else the picture's grey and no shading (the line art is multiplied over)."""
    image = open_image(path)
    if as_lineart or not is_colour_picture(image):
        return to_grey(image), None
    print(
        f"linetint colorize: {path.name} is a colour picture: recolouring it from its lines, keeping its "
        "light and shade (--as-lineart takes its grey as line art instead)",
        file=sys.stderr,
    )
    return network_lineart(image), to_grey(image)


def _load_colorizer(checkpoint: Path | None, device: str, precision: str) -> Colorizer:
    colorizer = load_colorizer(checkpoint, device, precision)
    if not colorizer.info.trained:
        why = "no trained model is shipped yet; using" if checkpoint is None else f"{checkpoint.name} holds"
        print(
            f"linetint colorize: warning: {why} UNTRAINED weights ({colorizer.info.name}): the colours "
            "mean nothing. Pass --checkpoint with a trained model.",
            file=sys.stderr,
        )
    return colorizer
