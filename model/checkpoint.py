"""Checkpoints: weights + config + metadata in one file that loads without unpickling code.

Layout (a plain dict saved with `torch.save`, read with `torch.load(weights_only=True)`):
    format: "linetint-checkpoint", version: 1,
    config: ModelConfig.to_dict(), meta: {name, trained, summary, ...} (str/int/float/bool values),
    generator: state dict, plus optional training state (discriminator, optimizers, step, ...).
"""

from __future__ import annotations

import io
import os
import pickle
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import torch

from .atomic import atomic_write
from .config import ModelConfig
from .files import NotARegularFile, open_regular
from .networks import Generator, build_generator
from .quantize import SCALE_SUFFIX, dequantize_state, quantize_state

CHECKPOINT_FORMAT = "linetint-checkpoint"
CHECKPOINT_VERSION = 1
_HEADER_KEYS = {"format", "version", "config", "meta", "generator"}

# A checkpoint comes from anywhere, and its config decides how much memory building the network takes: a
# few bytes declaring huge widths or thousands of blocks must be refused before anything is allocated.
# Every preset fits well inside (the paper's generator is 218 M parameters, 0.9 GB in fp32).
CONFIG_MAXIMA = {
    "base_channels": 256,
    "max_channels": 2048,
    "n_blocks": 32,
    "hint_channels": 1024,
    "disc_channels": 256,
    "n_discriminators": 8,
}
MAX_GENERATOR_PARAMETERS = 300_000_000  # 1.2 GB in fp32
# Our own compressed checkpoints unpack to about 1.3x their size; a deflated run of zeros, to 1000x.
MAX_UNPACK_RATIO = 20
_SMALL_ARCHIVE_BYTES = 64 * 1024 * 1024  # below this unpacked, any ratio is harmless
_FLOAT_DTYPES = (torch.float32, torch.float16, torch.bfloat16, torch.float64)


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message says why in words a user can act on."""


@dataclass
class Checkpoint:
    config: ModelConfig
    generator: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # training state: discriminator, optimizers, …

    @property
    def name(self) -> str:
        return str(self.meta.get("name", self.config.name))

    @property
    def trained(self) -> bool:
        return bool(self.meta.get("trained", False))

    def build_generator(self) -> Generator:
        # Checked against the shapes the config gives before any tensor is converted: a wrong shape or a
        # huge expanded view must not be materialised, and NaN weights would colour everything black.
        check_weights(self.generator, _expected_state(self.config), self.config.name)
        generator = build_generator(self.config)
        state = dequantize_state(self.generator)
        try:
            generator.load_state_dict(state)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()
            detail = first[1].strip() if len(first) > 1 else first[0]
            raise CheckpointError(
                f"the weights do not fit the '{self.config.name}' model they claim to be ({detail})"
            ) from None
        return generator.eval()


def _expected_state(config: ModelConfig) -> dict[str, torch.Tensor]:
    """The generator's state dict on the meta device: names, shapes and dtypes, no memory."""
    with torch.device("meta"):
        return build_generator(config).state_dict()


def check_config(config: ModelConfig) -> None:
    """Refuse a config whose network would not fit a computer, before building it; CheckpointError."""
    for key, maximum in CONFIG_MAXIMA.items():
        value = getattr(config, key)
        if not 1 <= value <= maximum:
            raise CheckpointError(f"its model config has {key} {value}; LineTint accepts 1 to {maximum}")
    count = sum(t.numel() for t in _expected_state(config).values())
    if count > MAX_GENERATOR_PARAMETERS:
        raise CheckpointError(
            f"its model config describes a network of {count / 1e6:.0f} M parameters; LineTint accepts up "
            f"to {MAX_GENERATOR_PARAMETERS // 1_000_000} M"
        )


def check_weights(weights: dict[str, torch.Tensor], expected: dict[str, torch.Tensor], model: str) -> None:
    """Every expected tensor present, of its shape and a usable dtype, int8 ones with their scales, all
    finite; raises CheckpointError naming the first that is not."""
    scales = {k[: -len(SCALE_SUFFIX)]: v for k, v in weights.items() if k.endswith(SCALE_SUFFIX)}
    plain = {k: v for k, v in weights.items() if not k.endswith(SCALE_SUFFIX)}
    missing = sorted(expected.keys() - plain.keys())
    unexpected = sorted((plain.keys() | scales.keys()) - expected.keys())
    if missing or unexpected:
        what = f"missing {', '.join(missing[:3])}" if missing else f"unexpected {', '.join(unexpected[:3])}"
        more = len(missing) + len(unexpected) - 3
        what += f" and {more} more" if more > 0 else ""
        raise CheckpointError(f"the weights do not fit the '{model}' model they claim to be ({what})")
    for key, want in expected.items():
        problem = _tensor_problem(plain[key], scales.get(key), want)
        if problem:
            raise CheckpointError(
                f"the weights do not fit the '{model}' model they claim to be ({key} {problem})"
            )


def _tensor_problem(value: torch.Tensor, scale: torch.Tensor | None, want: torch.Tensor) -> str:
    """Why `value` (with its int8 `scale`, if any) cannot stand for `want`; "" when it can."""
    if tuple(value.shape) != tuple(want.shape):
        return f"is {tuple(value.shape)}, the model needs {tuple(want.shape)}"
    if not want.is_floating_point():  # a counter buffer, not a weight
        integral = not value.is_floating_point() and not value.is_complex()
        return "" if integral else f"is {value.dtype}, not integers"
    if value.dtype == torch.int8:
        if scale is None:
            return "is int8 without its scales"
        if scale.dtype not in _FLOAT_DTYPES or tuple(scale.shape) != (value.shape[0],):
            return f"has scales of {tuple(scale.shape)} {scale.dtype}, not ({value.shape[0]},) floats"
        value = scale
    elif scale is not None:
        return f"is {value.dtype} but has int8 scales"
    elif value.dtype not in _FLOAT_DTYPES:
        return f"is {value.dtype}, not floating-point weights"
    if not bool(torch.isfinite(value).all()):
        return "holds NaN or infinite values"
    return ""


STORAGE_CHOICES = ("fp32", "fp16", "int8")


def save_checkpoint(
    checkpoint: Checkpoint,
    path: str | os.PathLike[str],
    half: bool = False,
    storage: str = "fp32",
    compress: bool = False,
) -> None:
    """Write atomically: a crash mid-write leaves any previous file at `path` intact.

    `storage` shrinks the generator's weights for shipping: "fp16", or "int8" (see quantize.py);
    `half=True` is "fp16". `compress` deflates the file's zip entries (torch.load reads them; trained
    int8 weights shrink by about a quarter), for files that ship rather than files written every few
    training steps.
    """
    storage = "fp16" if half else storage
    if storage not in STORAGE_CHOICES:
        raise ValueError(f"storage must be one of {', '.join(STORAGE_CHOICES)}, not {storage!r}")
    weights = {k: v.detach().cpu() for k, v in checkpoint.generator.items()}
    if storage == "fp16":
        weights = {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}
    elif storage == "int8":
        weights = quantize_state(weights)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": checkpoint.config.to_dict(),
        "meta": dict(checkpoint.meta),
        "generator": weights,
        **checkpoint.extra,
    }
    with atomic_write(path) as f:
        if not compress:
            torch.save(payload, f)
            return
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        with zipfile.ZipFile(buffer) as plain, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as packed:
            for info in plain.infolist():
                packed.writestr(info.filename, plain.read(info), compresslevel=9)


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    path = Path(path)
    try:
        with open_regular(path) as file:
            return _parse(_unpickle(file, path.name), path.name)
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint not found: {path}") from None
    except NotARegularFile as exc:
        raise CheckpointError(str(exc)) from None
    except PermissionError as exc:
        raise CheckpointError(f"{path.name} cannot be read: {exc.strerror}") from None


def _unpickle(file: BinaryIO, name: str) -> Any:
    """torch.load with weights_only, after the file's first bytes say it may be a checkpoint."""
    head = file.read(64)
    kind = foreign_kind(head)
    if kind is not None:  # never handed to the unpickler, whose complaints would not say what it is
        raise CheckpointError(f"{name} is not a LineTint checkpoint: it is {kind}")
    if head.startswith(b"PK"):
        _check_unpacked_size(file, name)
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # protocol warnings for foreign pickles; we refuse them anyway
            return torch.load(file, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        # weights_only refuses any global it does not know, before anything is executed.
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        refused = [line for line in lines if "Unsupported" in line or "global" in line.lower()]
        if not refused:
            raise CheckpointError(
                f"{name} is truncated or not a LineTint checkpoint ({_reason(exc)})"
            ) from None
        raise CheckpointError(
            f"{name} holds pickled Python objects, which LineTint refuses to load "
            f"(it could run code): {refused[0][:200]}"
        ) from None
    except Exception as exc:  # the unpickler fails in many ways on foreign or cut files; all mean "not ours"
        raise CheckpointError(f"{name} is truncated or not a LineTint checkpoint ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    """The first line of an exception's message, or its type when it has none."""
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"%!PS", "a PostScript file"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89HDF", "an HDF5 (Keras) model file"),
    (b"GGUF", "a GGUF model file"),
)


def foreign_kind(head: bytes) -> str | None:
    """What a file starting with `head` is, in words, when it cannot be a checkpoint (torch.save writes a
    zip, or a pickle in its legacy format); None when it may be one."""
    if not head:
        return "empty"
    is_zip = head.startswith((b"PK\x03\x04", b"PK\x05\x06"))
    is_pickle = len(head) > 1 and head[0] == 0x80 and 2 <= head[1] <= 5
    if is_zip or is_pickle:
        return None
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    if _looks_like_safetensors(head):
        return "a safetensors file (LineTint reads the .pt checkpoints it writes)"
    if _looks_like_text(head):
        return "a text file"
    return "data of no format LineTint knows (neither a PyTorch zip nor a pickle)"


def _looks_like_text(head: bytes) -> bool:
    text = head.decode("utf-8", errors="ignore")
    # the 64 bytes may end inside a multi-byte character: up to 3 bytes may be dropped
    return len(text.encode("utf-8")) >= len(head) - 3 and all(c.isprintable() or c.isspace() for c in text)


def _looks_like_safetensors(head: bytes) -> bool:
    """An 8-byte little-endian header length, then that header's JSON object."""
    if len(head) < 10:
        return False
    size = int.from_bytes(head[:8], "little")
    return 2 <= size <= 100_000_000 and head[8:9] == b"{"


def _check_unpacked_size(file: BinaryIO, name: str) -> None:
    """A compressed checkpoint may declare gigabytes of zeros in a few kilobytes: refuse it unread."""
    size = os.fstat(file.fileno()).st_size
    try:
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # torch.load's own error says it is damaged
    if unpacked > _SMALL_ARCHIVE_BYTES and unpacked > MAX_UNPACK_RATIO * size:
        raise CheckpointError(
            f"{name} would unpack to {unpacked / 2**30:.1f} GiB from {size / 2**20:.1f} MiB; refusing it"
        )


def _parse(payload: Any, name: str) -> Checkpoint:
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{name} is not a LineTint checkpoint")
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{name} has checkpoint version {payload.get('version')!r}; "
            f"this LineTint reads version {CHECKPOINT_VERSION}"
        )
    try:
        config = ModelConfig.from_dict(payload["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{name} has an invalid model config: {exc}") from None
    try:
        check_config(config)
    except CheckpointError as exc:
        raise CheckpointError(f"{name}: {exc}") from None
    weights, meta = payload.get("generator"), payload.get("meta", {})
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise CheckpointError(f"{name} has no generator weights")
    if not isinstance(meta, dict):
        raise CheckpointError(f"{name} has invalid metadata")
    extra = {k: v for k, v in payload.items() if k not in _HEADER_KEYS}
    return Checkpoint(config=config, generator=weights, meta=meta, extra=extra)


def random_checkpoint(config: ModelConfig, seed: int = 0) -> Checkpoint:
    """An untrained model for tests and for running before any trained weights exist — never a product."""
    with torch.random.fork_rng(devices=[]):  # leave the caller's RNG stream alone
        torch.manual_seed(seed)
        generator = build_generator(config)
    meta = {
        "name": f"untrained-{config.name} (random weights)",
        "trained": False,
        "summary": "random initialisation; output is meaningless colour",
    }
    return Checkpoint(config=config, generator=generator.state_dict(), meta=meta)
