"""`linetint corpus`: build a training folder from drawing archives as they ship."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TypeVar

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "corpus",
        help="build a training folder of real drawings from OpenMoji / Open Clip Art / Wesnoth archives",
        description="Render the drawings of OpenMoji's npm package (openmoji-X.tgz: colour drawings with "
        "their own black line art), Debian's openclipart-svg (.deb) and the painted portraits in Debian's "
        "wesnoth-1.16-data (.deb), as they ship, into OUT: colour pictures on white in OUT/train and "
        "OUT/heldout, exact line art in OUT/train-lines/exact (train with --data OUT/train --lines "
        "OUT/train-lines), manifest.csv (source, original path, licence, split) and summary.json (what "
        "each rule dropped). Needs the corpus extra: pip install "
        "'linetint[corpus]' (CairoSVG and the cairo library). docs/corpus.md says what is dropped and why.",
    )
    add = parser.add_argument
    add("--openmoji", type=Path, metavar="TGZ", help="OpenMoji npm package, e.g. openmoji-17.0.0.tgz")
    add("--openclipart", type=Path, metavar="DEB", help="Debian openclipart-svg package (.deb)")
    add("--wesnoth", type=Path, metavar="DEB", help="Debian wesnoth-1.16-data package (.deb): its portraits")
    add("--out", type=Path, metavar="DIR", required=True, help="corpus folder (must be new or empty)")
    add("--heldout", type=float, default=0.07, help="share of drawings held out (default 0.07)")
    add("--side", type=int, default=384, help="long side of the pictures in px (default 384)")
    add("--stroke-scale", type=float, default=0.5, help="OpenMoji line width factor (default 0.5)")
    add("--seed", type=int, default=0, help="seed of the split (default 0)")
    add("--workers", type=int, default=None, help="rendering processes (default: one per core)")
    add("--limit", type=int, default=None, help="at most this many drawings per archive (a quick look)")
    parser.set_defaults(run=run_corpus)
    _register_pack(commands)


def _register_pack(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "corpus-pack",
        help="pack a corpus folder into one small .tar.xz (for a GPU machine that takes 64 MiB)",
        description="Pack CORPUS's train pictures and their line art into PACK (.tar.xz) for a machine "
        "that cannot render SVGs: `python3 -c \"import tarfile; tarfile.open('PACK').extractall('DEST', "
        "filter='data')\"` gives DEST/train and DEST/train-lines back. Lossless, except that a lone flat "
        "picture may be stored with a 256-colour palette that moves no channel by more than "
        "0.5 of 255 on average. docs/corpus.md has sizes and times.",
    )
    add = parser.add_argument
    add("corpus", type=Path, help="a folder `linetint corpus` made")
    add("pack", type=Path, help="the .tar.xz to write (replaced only once complete)")
    add("--folders", nargs="+", default=["train", "train-lines"], help="folders of CORPUS to pack")
    parser.set_defaults(run=run_pack)


def run_pack(args: argparse.Namespace) -> int:
    from .pack import pack_corpus

    missing = [folder for folder in args.folders if not (args.corpus / folder).is_dir()]
    if missing:
        print(f"linetint corpus-pack: {args.corpus} has no {', '.join(missing)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        summary = pack_corpus(
            args.corpus, args.pack, args.folders, progress=lambda groups: _progress(groups, "drawings")
        )
    except (OSError, ValueError) as exc:  # an unreadable picture, a full disk
        print(f"linetint corpus-pack: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"{args.pack}: {summary.files} pictures ({summary.linked} as links to identical ones, "
        f"{summary.palette} with a palette) in {summary.packed_bytes / 2**20:.1f} MiB"
    )
    return EXIT_OK


def run_corpus(args: argparse.Namespace) -> int:
    from .build import CorpusOptions, build_corpus
    from .render import RendererMissing, RenderOptions

    prefix = "linetint corpus"
    problem = _check_args(args)
    if problem:
        print(f"{prefix}: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    options = CorpusOptions(
        out=args.out, openmoji=args.openmoji, openclipart=args.openclipart, wesnoth=args.wesnoth,
        heldout=args.heldout, seed=args.seed, render=RenderOptions(args.side, args.stroke_scale),
        limit=args.limit,
        **({"workers": args.workers} if args.workers else {}),
    )  # fmt: skip
    try:
        summary = build_corpus(options, progress=_progress)
    except RendererMissing as exc:
        print(f"{prefix}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, ValueError) as exc:  # an archive that is not what it claims
        print(f"{prefix}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    counts = summary.to_dict()
    print(f"{args.out}: kept {counts['kept']}; items {counts['items']}; dropped {counts['dropped']}")
    return EXIT_OK


def _check_args(args: argparse.Namespace) -> str | None:
    archives = (
        ("--openmoji", args.openmoji), ("--openclipart", args.openclipart), ("--wesnoth", args.wesnoth)
    )  # fmt: skip
    if all(path is None for _, path in archives):
        return "give at least one archive: --openmoji TGZ, --openclipart DEB, --wesnoth DEB"
    for flag, path in archives:
        if path is not None and not path.is_file():
            return f"{flag} {path}: no such file"
    if not 0 < args.heldout < 1:
        return f"--heldout must be between 0 and 1, got {args.heldout}"
    if args.side < 64:
        return f"--side must be at least 64 px, got {args.side}"
    if args.out.exists() and any(args.out.iterdir()):
        return f"--out {args.out} is not empty: choose a new folder"
    return None


T = TypeVar("T")


def _progress(results: Iterable[T], desc: str = "drawings") -> Iterable[T]:
    try:
        from tqdm import tqdm
    except ImportError:
        return results
    return tqdm(results, desc=desc, unit=desc.rstrip("s"), dynamic_ncols=True)
