"""The packaging files hang together, without building anything (the build itself runs in .ci/bundle)."""

import ast
import importlib.util
import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"


def pyproject_version() -> str:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    return re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.M).group(1)


def load_build_script():
    spec = importlib.util.spec_from_file_location("linetint_packaging_build", PACKAGING / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_spec_and_scripts_parse_as_python():
    for path in ("linetint.spec", "build.py", "entry.py", "smoke.py", "make_icons.py"):
        ast.parse((PACKAGING / path).read_text(), filename=path)


def test_entry_point_is_the_linetint_command():
    entry = (PACKAGING / "entry.py").read_text()
    assert "from linetint.app.cli import main" in entry
    assert 'linetint = "linetint.app.cli:main"' in (REPO / "pyproject.toml").read_text()


def test_spec_is_onedir_ships_metadata_and_leaves_training_out():
    spec = (PACKAGING / "linetint.spec").read_text()
    assert 'copy_metadata("linetint")' in spec
    assert "exclude_binaries=True" in spec and "COLLECT(" in spec  # onedir, not onefile
    assert '"linetint.training"' in spec
    assert "version=VERSION" in spec and "DIST.version" in spec  # the .app's version is the package's


def test_build_script_reads_pyprojects_version():
    assert load_build_script().pyproject_version() == pyproject_version()


def test_no_second_version_string():
    """pyproject.toml is the only place the version is written: installers and plist get it passed in."""
    version = pyproject_version()
    files = [
        PACKAGING / "linetint.spec",
        PACKAGING / "build.py",
        PACKAGING / "windows" / "linetint.iss",
        PACKAGING / "macos" / "Info.plist",
        PACKAGING / "macos" / "make_dmg.sh",
        REPO / ".github" / "workflows" / "release.yml",
    ]
    for path in files:
        assert version not in path.read_text(), f"{path.name} hard-codes the version {version}"
    iss = (PACKAGING / "windows" / "linetint.iss").read_text()
    assert "#ifndef AppVersion" in iss and "#error" in iss
    assert re.search(r"^AppVersion=\{#AppVersion\}$", iss, re.M)
    assert "OutputBaseFilename=LineTint-Setup-{#AppVersion}" in iss
    plist = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert not {"CFBundleVersion", "CFBundleShortVersionString"} & plist.keys()


def test_windows_installer_registers_the_project_type():
    iss = (PACKAGING / "windows" / "linetint.iss").read_text()
    for needed in (
        'Subkey: "Software\\Classes\\.linetint"',
        "DefaultIcon",
        "Open with LineTint",
        '"%1"',
        "desktopicon",
        "{group}",
        "{uninstallexe}",
        "SetupIconFile=linetint.ico",
    ):
        assert needed in iss, needed


def test_macos_plist_declares_the_project_type():
    plist = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    assert plist["NSHighResolutionCapable"] is True
    (exported,) = plist["UTExportedTypeDeclarations"]
    assert exported["UTTypeIdentifier"] == "com.linetint.project"
    assert exported["UTTypeTagSpecification"]["public.filename-extension"] == ["linetint"]
    types = {t for d in plist["CFBundleDocumentTypes"] for t in d["LSItemContentTypes"]}
    assert "com.linetint.project" in types
    plistlib.loads((PACKAGING / "macos" / "entitlements.plist").read_bytes())


def test_icons_exist_with_their_sizes():
    from PIL import Image

    with Image.open(PACKAGING / "windows" / "linetint.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])
    with Image.open(PACKAGING / "macos" / "linetint.icns") as icns:
        assert icns.format == "ICNS" and max(icns.info["sizes"])[0] >= 512


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_shell_scripts_parse_and_are_executable():
    for path in (PACKAGING / "macos" / "make_dmg.sh", REPO / ".ci" / "bundle"):
        subprocess.run(["bash", "-n", path], check=True)
        assert path.stat().st_mode & 0o111, f"{path} is not executable"


def test_release_workflow_builds_the_three_installers():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    trigger = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert trigger["push"]["tags"] == ["v*"]
    (job,) = workflow["jobs"].values()
    matrix = job["strategy"]["matrix"]["include"]
    systems = {entry["os"].split("-")[0] for entry in matrix}
    assert systems == {"ubuntu", "windows", "macos"}
    steps = " ".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"])
    assert "python packaging/build.py" in steps and ".[packaging]" in steps
    assert "download.pytorch.org/whl/cpu" in str(matrix)
    assert "action-gh-release" in steps
