"""Special files handed over as pictures, hints, projects or checkpoints: refused at once, never read."""

import os
import threading
from pathlib import Path

import pytest

from linetint.app.project import ProjectError, load_project
from linetint.model.checkpoint import CheckpointError, load_checkpoint
from linetint.model.files import FileTooLarge, read_limited
from linetint.model.hints import HintFormatError, load_hints, load_hints_json
from linetint.model.images import ImageInputError, load_lineart

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")


def test_a_json_hint_file_linked_to_dev_zero_is_refused_unread(tmp_path):
    (tmp_path / "h.json").symlink_to("/dev/zero")
    with pytest.raises(HintFormatError, match="h.json is a character device, not a file"):
        load_hints(tmp_path / "h.json", 64, 48)


def test_a_hint_layer_linked_to_dev_zero_is_refused_unread(tmp_path):
    (tmp_path / "layer.png").symlink_to("/dev/zero")
    with pytest.raises(HintFormatError, match="layer.png is a character device"):
        load_hints(tmp_path / "layer.png", 64, 48)


class Writer:
    """The other end of a FIFO, so that code which (wrongly) reads it gets bytes and ends instead of
    waiting forever for a writer."""

    def __init__(self, fifo: Path, data: bytes) -> None:
        self.thread = threading.Thread(target=self._write, args=(fifo, data), daemon=True)
        self.thread.start()

    @staticmethod
    def _write(fifo: Path, data: bytes) -> None:
        try:
            with open(fifo, "wb") as end:
                end.write(data)
        except BrokenPipeError:
            pass  # the reader refused it and closed: as it should


def _release(fifo: Path) -> None:
    """Let a writer still waiting to open `fifo` go on. Non-blocking: a loader that opened the FIFO
    (without reading it) already let the writer finish, and a blocking open would then wait forever."""
    os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))


def _fifo(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    Writer(path, data)
    return path


def test_a_fifo_named_like_a_project_is_refused_at_once(tmp_path):
    fifo = _fifo(tmp_path, "x.linetint", b"PK\x05\x06" + bytes(18))
    with pytest.raises(ProjectError, match="x.linetint is a named pipe"):
        load_project(fifo)
    _release(fifo)


@pytest.mark.parametrize(
    "name, load, error",
    [
        ("x.png", load_lineart, ImageInputError),
        ("x.json", load_hints_json, HintFormatError),
        ("x.pt", load_checkpoint, CheckpointError),
    ],
)
def test_a_fifo_named_like_anything_else_is_refused_at_once(tmp_path, name, load, error):
    fifo = _fifo(tmp_path, name, b"{}")
    with pytest.raises(error, match=f"{name} is a named pipe"):
        load(fifo)
    _release(fifo)


def test_a_folder_is_named_as_one(tmp_path):
    (tmp_path / "art.png").mkdir()
    with pytest.raises(ImageInputError, match="art.png is a folder"):
        load_lineart(tmp_path / "art.png")


def test_reads_stop_at_the_limit_whatever_the_size_said(tmp_path):
    (tmp_path / "big.json").write_bytes(b" " * 101)
    assert read_limited(tmp_path / "big.json", 101) == b" " * 101
    with pytest.raises(FileTooLarge, match="big.json is larger than the 100 byte limit"):
        read_limited(tmp_path / "big.json", 100)
