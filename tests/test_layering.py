"""The import rules of the product: model/ is the core, imaging/ (picture operations) stands on it,
training/ and app/ on both."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
QT = ("PySide6", "PyQt5", "PyQt6", "PySide2", "shiboken6", "qimage2ndarray", "pytestqt")
# Layers: app -> training -> imaging -> model; none imports one above it.
FORBIDDEN = {
    "model": QT + ("linetint.app", "linetint.training", "linetint.imaging"),
    "imaging": QT + ("linetint.app", "linetint.training", "torch"),  # picture operations: no networks
    "training": QT + ("linetint.app",),
}


def imported_modules(path: Path, repo: Path) -> list[str]:
    """Absolute names of everything a file imports, relative imports resolved."""
    package = ["linetint", *path.parent.relative_to(repo).parts]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package[: len(package) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


def violations(folder: str, repo: Path = REPO) -> list[str]:
    found = []
    for path in sorted((repo / folder).rglob("*.py")):
        for name in imported_modules(path, repo):
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[folder]):
                found.append(f"{path.relative_to(repo)} imports {name}")
    return found


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_core_packages_do_not_import_qt_or_their_dependants(folder):
    assert violations(folder) == []


def test_the_checker_catches_a_violation(tmp_path):
    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "bad.py").write_text("from ..app import cli\nimport PySide6.QtCore\n")
    (tmp_path / "model" / "ok.py").write_text("from . import hints\nfrom .hints import Hint\n")
    assert violations("model", tmp_path) == [
        "model/bad.py imports linetint.app",
        "model/bad.py imports linetint.app.cli",
        "model/bad.py imports PySide6.QtCore",
    ]
