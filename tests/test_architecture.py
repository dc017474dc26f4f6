"""The house rules of the import graph: layers import downwards only, and no module imports
itself back through others (no import circles), counting imports inside functions too."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("graph", "loaders", "queries", "ontology", "api")
# What each layer may import of ours besides itself (api -> loaders -> graph -> queries/ontology).
ALLOWED: dict[str, frozenset[str]] = {
    "api": frozenset({"loaders", "graph", "queries", "ontology"}),
    "loaders": frozenset({"graph", "queries", "ontology"}),
    "graph": frozenset({"queries", "ontology"}),
    "queries": frozenset({"ontology"}),
    "ontology": frozenset(),
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return "aimstrace." + ".".join(parts)


def _is_type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.Module, module: str, is_package: bool) -> set[str]:
    """Every module of ours that a module imports, at any depth, typing-only imports aside."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if _is_type_checking_block(child):
                continue
            if isinstance(child, ast.Import):
                found.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module.split(".") if is_package else module.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (child.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in child.names)
            visit(child)

    visit(tree)
    return found


def _source_modules() -> dict[str, tuple[Path, ast.Module]]:
    modules: dict[str, tuple[Path, ast.Module]] = {}
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            modules[_module_name(path)] = (path, ast.parse(path.read_text(encoding="utf-8")))
    return modules


def import_graph() -> nx.DiGraph:
    """Modules of ours as nodes, an edge from each module to each module of ours it imports."""
    modules = _source_modules()
    graph = nx.DiGraph()
    graph.add_nodes_from(modules)
    for name, (path, tree) in modules.items():
        for target in _imports(tree, name, path.name == "__init__.py"):
            # `from package import submodule` names the submodule; `from m import f` names m.
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                graph.add_edge(name, target)
    return graph


def _layer(module: str) -> str:
    return module.split(".")[1]


def test_every_module_is_seen() -> None:
    graph = import_graph()
    assert "aimstrace.graph.engine" in graph
    assert "aimstrace.loaders.pipeline" in graph
    assert graph.has_edge("aimstrace.graph.engine", "aimstrace.graph.store")


def test_layers_import_downwards_only() -> None:
    wrong = [
        f"{source} imports {target}"
        for source, target in import_graph().edges
        if _layer(source) != _layer(target) and _layer(target) not in ALLOWED[_layer(source)]
    ]
    assert wrong == []


def test_no_import_circles() -> None:
    cycles = [" -> ".join([*cycle, cycle[0]]) for cycle in nx.simple_cycles(import_graph())]
    assert cycles == []


def test_no_bare_top_level_imports() -> None:
    """Inside the project, our folders are imported as aimstrace.X, never as bare X."""
    offenders = []
    for path, tree in _source_modules().values():
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                names = [node.module]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in FOLDERS
            ]
    assert offenders == []


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_package_says_what_it_owns_and_may_import(folder: str) -> None:
    for init in sorted((ROOT / folder).rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(doc.split()) >= 15, f"{init.relative_to(ROOT)} has no package docstring"
        assert "import" in doc, f"{init.relative_to(ROOT)} does not say what it may import"


def test_test_modules_have_unique_basenames() -> None:
    """The test folders are not packages: two files of one name stop pytest's collection."""
    seen: dict[str, list[str]] = {}
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        seen.setdefault(path.name, []).append(str(path.relative_to(ROOT)))
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}
