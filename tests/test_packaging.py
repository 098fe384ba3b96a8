"""`pip install .` must give a self-contained `linetint` package and nothing generic in site-packages."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            out,
            REPO,
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("linetint-*.whl")
    return path


def test_wheel_holds_only_the_linetint_package_and_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names}
    assert {t for t in top_level if not t.endswith(".dist-info")} == {"linetint"}
    for expected in (
        "linetint/model/hints.py",
        "linetint/app/cli.py",
        "linetint/training/__init__.py",
        "linetint/resources/samples/girl-lineart.png",
    ):
        assert expected in names
    assert not any("/tests/" in n or n.startswith("tests/") for n in names)


def test_installed_wheel_imports_and_finds_its_sample(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel],
        check=True,
        capture_output=True,
    )
    probe = (
        "import linetint.model.colorizer as c, linetint.resources as r; "
        "print(c.__file__); print(r.resource('samples', 'girl-lineart.png').is_file())"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    module_file, found = result.stdout.split()
    assert module_file.startswith(str(site)) and found == "True"
