"""Build LineTint's bundle for this OS: `python packaging/build.py` (or `make bundle`).

1. stages the package: copies this source tree to build/src and `pip install`s it (no dependencies) into
   build/staging -- PyInstaller cannot follow an editable install, and the staged metadata carries
   pyproject's version into the bundle;
2. runs PyInstaller with packaging/linetint.spec -> dist/LineTint/ (onedir), and on macOS dist/LineTint.app;
3. Linux: strips the shared objects (`strip --strip-unneeded`) and checks every bundled ELF file still finds
   the libraries it links to;
4. writes what users download:
       Linux    dist/LineTint-<version>-linux-x86_64.tar.gz   (the onedir folder)
       Windows  dist/LineTint-Setup-<version>.exe             (Inno Setup, when ISCC is installed)
       macOS    dist/LineTint-<version>-macos-<arch>.dmg      (packaging/macos/make_dmg.sh)
5. prints the unpacked and archive sizes.

`--no-prune` builds the plain bundle (no excludes, filters or stripping), for comparison.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
REPO = PACKAGING.parent
BUILD, DIST = REPO / "build", REPO / "dist"
STAGING = BUILD / "staging"
BUNDLE = DIST / "LineTint"
# What `pip install .` needs from the source tree (pyproject's package-dir folders and its readme).
SOURCE = ["pyproject.toml", "README.md", "app", "model", "imaging", "training", "resources"]

# Shared objects `strip --strip-unneeded` must not touch (fnmatch on the path inside the bundle). Beyond
# these, strip() keeps the original of any file whose stripped copy the dynamic loader refuses: GNU strip
# breaks libraries that patchelf rewrote (auditwheel's vendored numpy.libs/pillow.libs: "ELF load command
# address/offset not page-aligned"). Files without a symbol table are left alone: nothing to gain.
NO_STRIP: list[str] = []
# Libraries a bundled file may link to that the user's desktop provides and this build host may lack.
SYSTEM_PROVIDED = ["libwayland-*"]  # only the Wayland platform plugin links to them: on Wayland they exist


def pyproject_version() -> str:
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        project = text.split("[project]", 1)[1].split("\n[", 1)[0]
        return re.search(r'^version\s*=\s*"([^"]+)"', project, re.MULTILINE).group(1)
    return tomllib.loads(text)["project"]["version"]


def run(cmd: list, **kwargs) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def stage(version: str) -> None:
    """build/staging/linetint/... and its .dist-info, as `pip install .` would put them in site-packages."""
    src = BUILD / "src"  # a copy, so setuptools' build/ and .egg-info never touch the working tree
    for path in (src, STAGING):
        shutil.rmtree(path, ignore_errors=True)
    src.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCE:
        path = REPO / name
        (shutil.copytree if path.is_dir() else shutil.copy2)(
            path, src / name, **({"ignore": ignore} if path.is_dir() else {})
        )
    try:  # the dev venv has setuptools: no network needed; otherwise pip fetches it in isolation
        import setuptools  # noqa: F401

        isolation = ["--no-build-isolation"]
    except ImportError:
        isolation = []
    run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *isolation, "--target", STAGING, src]
    )
    staged = next(STAGING.glob("linetint-*.dist-info")).name
    if staged != f"linetint-{version}.dist-info":
        raise SystemExit(f"staged {staged}, but pyproject says {version}")


def is_elf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def shared_objects(root: Path) -> list[Path]:
    return [
        p for p in root.rglob("*") if p.is_file() and not p.is_symlink() and (".so" in p.name) and is_elf(p)
    ]


def has_symtab(path: Path) -> bool:
    out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True).stdout
    return " .symtab " in out


def loader_accepts(path: Path, env: dict[str, str]) -> bool:
    """The dynamic loader maps `path` (ldd exits 0; a malformed ELF file makes it fail)."""
    return subprocess.run(["ldd", path], capture_output=True, env=env).returncode == 0


def strip(root: Path) -> None:
    from fnmatch import fnmatch

    env = {**os.environ, "LD_LIBRARY_PATH": str(root / "_internal")}
    files = [p for p in shared_objects(root) if has_symtab(p)]
    files = [p for p in files if not any(fnmatch(str(p.relative_to(root)), g) for g in NO_STRIP)]
    before = sum(p.stat().st_size for p in files)
    refused: list[str] = []

    def one(path: Path) -> None:
        tmp = path.with_name(path.name + ".stripped")
        subprocess.run(["strip", "--strip-unneeded", "-o", tmp, path], check=True)
        if loader_accepts(tmp, env) or not loader_accepts(path, env):
            shutil.copymode(path, tmp)
            tmp.replace(path)
        else:
            tmp.unlink()
            refused.append(str(path.relative_to(root)))

    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(one, files))
    after = sum(p.stat().st_size for p in files)
    print(f"strip: {len(files)} shared objects with symbols, {mb(before)} -> {mb(after)}")
    if refused:
        print(f"strip: kept {len(refused)} unstripped (broken when stripped): {' '.join(sorted(refused))}")


def check_links(root: Path, strict: bool = True) -> None:
    """Every bundled ELF file finds the libraries it links to, the way the frozen app looks for them
    (the bootloader puts _internal on LD_LIBRARY_PATH)."""
    from fnmatch import fnmatch

    env = {**os.environ, "LD_LIBRARY_PATH": str(root / "_internal")}
    missing: dict[str, set[str]] = {}

    def one(path: Path) -> None:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, env=env)
        if out.returncode != 0:
            missing.setdefault(f"(unloadable: {out.stderr.strip()[-200:]})", set()).add(str(path))
        for line in out.stdout.splitlines():
            if "not found" in line:
                name = line.split()[0]
                if not any(fnmatch(name, g) for g in SYSTEM_PROVIDED):
                    missing.setdefault(name, set()).add(str(path.relative_to(root)))

    files = [p for p in shared_objects(root)] + [root / "LineTint"]
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        list(pool.map(one, files))
    for link in (p for p in root.rglob("*") if p.is_symlink() and not p.exists()):
        missing.setdefault(f"(dangling link to {os.readlink(link)})", set()).add(str(link.relative_to(root)))
    if missing:
        for name, users in sorted(missing.items()):
            print(f"check: {name} not found, needed by {', '.join(sorted(users)[:3])}", file=sys.stderr)
        if strict:
            raise SystemExit("check: the bundle lacks libraries its files link to (see above)")
        return
    print(f"check: all {len(files)} ELF files find the libraries they link to")


def glibc_floor(root: Path) -> str:
    """The newest glibc symbol version any bundled file asks for: the oldest glibc the bundle runs on."""
    found: set[tuple[int, ...]] = set()
    for path in [*shared_objects(root), root / "LineTint"]:
        out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True).stdout
        found.update(tuple(map(int, v.split("."))) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out))
    return ".".join(map(str, max(found))) if found else "?"


def size_of(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB"


def archive_linux(version: str) -> Path:
    out = DIST / f"LineTint-{version}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:  # -9 takes twice as long for 1 % less
        tar.add(BUNDLE, arcname="LineTint")
    return out


def installer_windows(version: str) -> Path | None:
    iscc = shutil.which("ISCC") or shutil.which("iscc")
    programs = Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)"))
    default = programs / "Inno Setup 6" / "ISCC.exe"
    if not iscc and default.is_file():
        iscc = str(default)
    if not iscc:
        print("Inno Setup's ISCC not found: no installer (choco install innosetup)", file=sys.stderr)
        return None
    run(
        [
            iscc,
            f"/DAppVersion={version}",
            f"/DSourceDir={BUNDLE}",
            f"/O{DIST}",
            PACKAGING / "windows" / "linetint.iss",
        ]
    )
    return DIST / f"LineTint-Setup-{version}.exe"


def dmg_macos(version: str) -> Path:
    out = DIST / f"LineTint-{version}-macos-{platform.machine()}.dmg"
    run(["bash", PACKAGING / "macos" / "make_dmg.sh", DIST / "LineTint.app", version, out])
    return out


def check_qt_bindings() -> None:
    """Refuse to bundle a PySide6 that loses references to None on this Python: the built app would abort
    after a minute of use (issue 12; app/qt_refcounts.py)."""
    probe = (
        "import os; os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from PySide6.QtGui import QGuiApplication; app = QGuiApplication([])\n"
        "from linetint.app.qt_refcounts import probe_refcounts; p = probe_refcounts()\n"
        "print(p.describe()); raise SystemExit(0 if p.sound else 1)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    print(done.stdout.strip() or done.stderr.strip())
    if done.returncode != 0:
        raise SystemExit("check: these Qt bindings would crash the bundled app; not building it")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-prune", action="store_true", help="plain bundle: no excludes, filters, strip")
    parser.add_argument("--no-archive", action="store_true", help="stop after dist/LineTint/")
    args = parser.parse_args()
    start = time.monotonic()
    version = pyproject_version()
    print(f"LineTint {version} for {sys.platform}-{platform.machine()}, Python {platform.python_version()}")
    check_qt_bindings()
    stage(version)
    env = {**os.environ, "LINETINT_STAGING": str(STAGING), "LINETINT_PRUNE": "0" if args.no_prune else "1"}
    env["PYTHONWARNINGS"] = "ignore::DeprecationWarning"  # torch's, printed as the hooks import it
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            DIST,
            "--workpath",
            BUILD / "pyinstaller",
            PACKAGING / "linetint.spec",
        ],
        env=env,
    )
    if sys.platform.startswith("linux"):
        if not args.no_prune:
            strip(BUNDLE)
        check_links(BUNDLE, strict=not args.no_prune)  # the plain bundle has the gtk3 theme, GTK lacking
        print(f"glibc: the bundle needs glibc >= {glibc_floor(BUNDLE)} (the build host's, at most)")
    unpacked = size_of(BUNDLE)
    print(f"unpacked: {BUNDLE.relative_to(REPO)} {mb(unpacked)} ({unpacked} bytes)")
    if not args.no_archive:
        if sys.platform.startswith("linux"):
            out = archive_linux(version)
        elif sys.platform == "win32":
            out = installer_windows(version)
        else:
            out = dmg_macos(version)
        if out is not None:
            print(f"archive: {out.relative_to(REPO)} {mb(out.stat().st_size)} ({out.stat().st_size} bytes)")
    print(f"built in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
