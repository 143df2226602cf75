"""No two modules of copilot/ or ui/ import each other, directly or round a longer circle.

A circle makes a newcomer read both ends to understand either, and it usually means a
shared piece has no home of its own yet. Every import counts: at the top, inside a
function (a lazy import only hides the circle) and under TYPE_CHECKING (a type hint is
still a dependency). Read from the source with `ast`, so nothing is imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("copilot", "ui")


def module_files(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> its file; a package is its __init__.py."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of `known` that `name` imports anywhere in its file.

    `from package import thing` is an import of the submodule `package.thing` when there is
    one, else of the package itself."""
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: climb from this module's package
                anchor = here.split(".")[:len(here.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names)
    inside = set()
    for target in targets:
        while target and target not in known:  # copilot.x.y.attribute -> copilot.x.y
            target = target.rpartition(".")[0]
        if target and target != name:
            inside.add(target)
    return inside


def knots(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each group of two or more modules that all reach one another, sorted (Tarjan's strongly
    connected components, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


def circle_through(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    first, members = group[0], set(group)
    came_from: dict[str, str] = {}
    frontier = [first]
    while frontier:
        following = []
        for node in frontier:
            for nxt in sorted(graph[node] & members):
                if nxt == first:
                    path = [node]  # back from `node` to `first`, then turned round
                    while path[-1] != first:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), first]
                if nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return group


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    known = module_files(root, packages)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def test_no_import_circles_in_copilot_or_ui():
    graph = import_graph(REPO)
    assert "copilot.engine.loop" in graph["copilot.result.recording"]  # the reader sees real imports
    found = knots(graph)
    assert not found, "import circles:\n" + "\n".join(
        f"{' -> '.join(circle_through(knot, graph))} ({len(knot)} modules in this knot: {', '.join(knot)})"
        for knot in found)


def test_a_circle_through_a_lazy_or_type_only_import_is_caught(tmp_path):
    package = tmp_path / "demo"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "window.py").write_text("from demo.actions import Actions\n")
    (package / "actions.py").write_text("from typing import TYPE_CHECKING\n"
                                        "if TYPE_CHECKING:\n    from demo.window import Window\n")
    (package / "analyze.py").write_text("def run():\n    from . import sessions\n")
    (package / "sessions.py").write_text("from .analyze import run\n")
    (package / "alone.py").write_text("import demo.window\n")
    graph = import_graph(tmp_path, ("demo",))
    found = sorted(knots(graph))
    assert found == [["demo.actions", "demo.window"], ["demo.analyze", "demo.sessions"]]
    assert circle_through(found[0], graph) == ["demo.actions", "demo.window", "demo.actions"]
