"""Saving through links, after kills, and into places that refuse it."""

import os
import time

import numpy as np
import pytest

from linetint.app.project import ProjectData, load_project, save_project
from linetint.model.atomic import STALE_TEMP_SECONDS
from linetint.model.hints import Hint, HintLayer


def page(n_hints: int = 1) -> ProjectData:
    hints = tuple(Hint(i, 1, 2, (200, 10, 10)) for i in range(n_hints))
    return ProjectData(np.full((12, 16), 255, np.uint8), HintLayer(16, 12, hints))


def test_saving_through_a_symlinked_project_writes_the_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "work.linetint"
    save_project(page(1), target)
    link = tmp_path / "work.linetint"
    link.symlink_to(target)
    save_project(page(3), link)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert len(load_project(target).hints) == 3


def _temp(folder, name: str, age_s: float):
    path = folder / name
    path.write_bytes(b"half a project")
    then = time.time() - age_s
    os.utime(path, (then, then))
    return path


@pytest.mark.parametrize("when", ["save", "open"])
def test_temp_files_left_by_a_killed_save_are_removed_on_the_next_save_or_open(tmp_path, when):
    project = tmp_path / "work.linetint"
    save_project(page(), project)
    stale = [_temp(tmp_path, f".work.linetint.k{i}lled00.tmp", STALE_TEMP_SECONDS + 5) for i in range(3)]
    running = _temp(tmp_path, ".work.linetint.running0.tmp", 1)  # a save in progress right now
    foreign = [
        _temp(tmp_path, ".other.linetint.oldoldol.tmp", 3600),  # another project's
        _temp(tmp_path, ".work.linetint.mine.tmp", 3600),  # not our pattern
        _temp(tmp_path, "work.linetint.abcdefgh.tmp", 3600),
    ]
    if when == "save":
        save_project(page(2), project)
    else:
        load_project(project)
    assert not any(path.exists() for path in stale)
    assert running.exists() and all(path.exists() for path in foreign)


def test_a_failed_save_names_the_users_file_not_the_temp_file(tmp_path):
    (tmp_path / "work.linetint").mkdir()  # os.replace cannot put a file over a folder
    with pytest.raises(OSError) as failed:
        save_project(page(), tmp_path / "work.linetint")
    message = str(failed.value)
    assert message.endswith("Is a directory: " + repr(str(tmp_path / "work.linetint")))
    assert [p.name for p in tmp_path.iterdir()] == ["work.linetint"]  # no temp file left either
