"""No import circles in the product, deferred (in-function) imports included.

A circle works until someone moves an import or calls a function during import; then a module is used
half-initialised. Imports guarded by ``if TYPE_CHECKING:`` never run, so they may close a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("app", "model", "imaging", "training")


def module_name(path: Path, repo: Path) -> str:
    parts = ["linetint", *path.relative_to(repo).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth, skipping `if TYPE_CHECKING:` bodies."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return found


def import_graph(repo: Path = REPO, folders: tuple[str, ...] = FOLDERS) -> dict[str, set[str]]:
    """Module -> the product modules it imports (a package's `__init__` is the package's name)."""
    files = {module_name(p, repo): p for folder in folders for p in sorted((repo / folder).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                # `from package import submodule` imports the submodule; any other name comes from `module`.
                submodule = f"{module}.{alias.name}"
                targets.add(submodule if submodule in files else module)
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of modules (Tarjan), each as a path back to its start."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle_within(graph, group) for group in groups]


def _circle_within(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, through the group only."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"{sorted(group)} is strongly connected but has no circle through {start}")


def test_no_import_circles() -> None:
    found = [" -> ".join(circle) for circle in cycles(import_graph())]
    assert found == [], "import circles:\n" + "\n".join(found)


def test_the_checker_finds_deferred_circles_and_skips_type_checking(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "a.py").write_text("from . import b\n")
    (tmp_path / "app" / "b.py").write_text("def later():\n    from linetint.app.c import thing\n")
    (tmp_path / "app" / "c.py").write_text("from .a import x\n")
    (tmp_path / "app" / "d.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .e import y\nfrom .a import x\n"
    )
    (tmp_path / "app" / "e.py").write_text("from .d import z\n")
    graph = import_graph(tmp_path, ("app",))
    assert graph["linetint.app.d"] == {"linetint.app.a"}
    assert cycles(graph) == [["linetint.app.a", "linetint.app.b", "linetint.app.c", "linetint.app.a"]]
