"""The package's import graph, function-level imports included, has no cycle (issue 10)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PKG = Path(__file__).resolve().parents[1] / "model"


def module_name(path: Path) -> str:
    parts = ["zonesim", *path.relative_to(PKG).with_suffix("").parts]
    return ".".join(parts[:-1]) if parts[-1] == "__init__" else ".".join(parts)


def import_graph() -> nx.DiGraph:
    """Edges module -> imported zonesim module (and the packages whose ``__init__`` that import
    runs), from every import statement at any depth (``TYPE_CHECKING`` blocks excluded: they
    never run)."""
    modules = {module_name(p): p for p in PKG.rglob("*.py")}
    g = nx.DiGraph()
    g.add_nodes_from(modules)
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                skip.update(id(n) for n in ast.walk(node))
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, base]) if base else ".".join(parent)
                targets = [f"{base}.{a.name}" for a in node.names] + [base]
            for t in targets:
                # the longest known module the name refers to
                while t and t not in modules:
                    t = t.rsplit(".", 1)[0] if "." in t else ""
                # importing a.b.c runs a/__init__ and a/b/__init__ first
                while t:
                    if t != name and not name.startswith(t + "."):
                        g.add_edge(name, t)
                    t = t.rsplit(".", 1)[0] if "." in t else ""
    return g


def test_graph_sees_the_package():
    g = import_graph()
    assert "zonesim.model" in g and g.number_of_edges() > 50
    assert g.has_edge("zonesim.model", "zonesim.year.plan")


def test_no_import_cycle():
    cycles = list(nx.simple_cycles(import_graph()))
    shortest = sorted(cycles, key=len)[:5]
    assert not cycles, f"{len(cycles)} import cycles, e.g. {[' -> '.join(c) for c in shortest]}"
