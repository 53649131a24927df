"""The apps' layers, read from the code itself (docs/adr/0015-one-way-layers.md).

import-linter (``make lint``) enforces the layers contract in pyproject.toml;
this test reads the same contract and checks, independently of that tool,
the app-level import graph built from every ``import`` statement (module
level, inside functions and under TYPE_CHECKING; migrations excluded): no two
apps import each other, no app imports one above it, and no module imports a
``_private`` name of another app.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def layers_contract(root: Path = ROOT) -> list[list[str]]:
    """The layers, highest first, each a list of sibling apps, from pyproject.toml."""
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]
    (contract,) = [c for c in config["contracts"] if c["type"] == "layers"]
    return [[app.strip() for app in layer.split("|")] for layer in contract["layers"]]


@dataclass(frozen=True)
class Import:
    source: str  # file, relative to the root
    line: int
    module: str  # the module imported from
    names: tuple[str, ...]  # the names imported (empty for ``import x``)


def imports_in(path: Path, root: Path) -> Iterator[Import]:
    """Every absolute import in a file, wherever it stands in the file."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        where = str(path.relative_to(root))
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(where, node.lineno, alias.name, ())
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield Import(where, node.lineno, node.module, tuple(a.name for a in node.names))


def app_sources(root: Path, apps: Iterable[str]) -> Iterator[tuple[str, Path]]:
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" not in path.relative_to(root).parts:
                yield app, path


def app_graph(root: Path, apps: list[str]) -> dict[tuple[str, str], list[Import]]:
    """(importing app, imported app) -> the imports that make the edge."""
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for app, path in app_sources(root, apps):
        for imp in imports_in(path, root):
            target = imp.module.split(".")[0]
            if target in apps and target != app:
                edges[(app, target)].append(imp)
    return edges


def two_way_pairs(edges: dict[tuple[str, str], list[Import]]) -> set[tuple[str, str]]:
    return {(a, b) for (a, b) in edges if (b, a) in edges and a < b}


def upward_edges(
    edges: dict[tuple[str, str], list[Import]], layers: list[list[str]]
) -> list[tuple[str, str]]:
    """Edges from an app to one in a higher layer or to a sibling in its own."""
    rank = {app: i for i, layer in enumerate(layers) for app in layer}  # 0 is the top
    return sorted((a, b) for (a, b) in edges if rank[b] <= rank[a])


def private_imports(root: Path, apps: list[str]) -> list[Import]:
    """Imports of another app's ``_private`` module or name."""
    found = []
    for app, path in app_sources(root, apps):
        for imp in imports_in(path, root):
            parts = imp.module.split(".")
            if parts[0] not in apps or parts[0] == app:
                continue
            if any(p.startswith("_") for p in parts) or any(n.startswith("_") for n in imp.names):
                found.append(imp)
    return found


def all_apps(layers: list[list[str]]) -> list[str]:
    return [app for layer in layers for app in layer]


def describe(edges: dict[tuple[str, str], list[Import]], pairs: Iterable[tuple[str, str]]) -> str:
    return "\n".join(
        f"{a} -> {b}: " + ", ".join(f"{i.source}:{i.line}" for i in edges[(a, b)]) for a, b in pairs
    )


# --- the project ------------------------------------------------------------


def test_every_app_is_in_a_layer() -> None:
    apps = set(all_apps(layers_contract()))
    packages = {
        p.parent.name
        for p in ROOT.glob("*/__init__.py")
        if p.parent.name not in {"tests", "bench", "bin"}
    }
    assert packages == apps


def test_no_two_apps_import_each_other() -> None:
    edges = app_graph(ROOT, all_apps(layers_contract()))
    pairs = two_way_pairs(edges)
    assert not pairs, describe(edges, sorted(pairs) + sorted((b, a) for a, b in pairs))


def test_no_app_imports_one_above_it_or_a_sibling() -> None:
    layers = layers_contract()
    edges = app_graph(ROOT, all_apps(layers))
    upward = upward_edges(edges, layers)
    assert not upward, describe(edges, upward)


def test_no_app_imports_another_apps_private_names() -> None:
    found = private_imports(ROOT, all_apps(layers_contract()))
    assert not found, "\n".join(f"{i.source}:{i.line} {i.module} {i.names}" for i in found)


# --- the checker itself, on a made-up tree -----------------------------------


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_checker_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "low/__init__.py": "",
            "low/a.py": "def f():\n    from high.b import thing\n",
            "low/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import high\n",
            "low/migrations/0001.py": "from high import b\n",
            "high/__init__.py": "",
            "high/b.py": "from low.a import f\nthing = 1\n",
        },
    )
    edges = app_graph(root, ["high", "low"])
    assert {(i.source, i.line) for i in edges[("low", "high")]} == {
        ("low/a.py", 2),
        ("low/c.py", 3),
    }
    assert two_way_pairs(edges) == {("high", "low")}
    assert upward_edges(edges, [["high"], ["low"]]) == [("low", "high")]


def test_the_checker_refuses_siblings_and_private_names(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "left/__init__.py": "from right._impl import x\nfrom right import _y\n",
            "right/__init__.py": "from right._impl import x\n",
            "right/_impl.py": "x = 1\n",
        },
    )
    edges = app_graph(root, ["left", "right"])
    assert upward_edges(edges, [["left", "right"]]) == [("left", "right")]
    found = private_imports(root, ["left", "right"])
    assert [(i.module, i.names) for i in found] == [("right._impl", ("x",)), ("right", ("_y",))]
