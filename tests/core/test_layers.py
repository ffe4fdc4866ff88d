"""The layers point one way: inner layers never reach the web, and no fieldapp import cycles.

Nothing under services/, models/ or core/ (nor the connector's pure modules and the demo data)
imports flask, fieldapp.web or fieldapp.api, directly or (for flask) through the fieldapp
modules it imports.

The import graph is read from the source with ``ast``, never by importing. Imports inside
functions count (a late import that closes a circle is still a circle, as ``errors.py`` and
``limits.py`` had); imports under ``if TYPE_CHECKING:`` do not, since they never run. Importing
``a.b.c`` also runs the packages ``a`` and ``a.b``; those implicit edges are left out, as
import-linter does, or every module would sit in a cycle with the app factory in
``fieldapp/__init__.py``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "fieldapp"
# The connector's pure modules and the demo data left core/ and services/ for rooms of their
# own (issue 11); they keep the rule of the layer they came from.
INNER_LAYERS = (
    "fieldapp.services",
    "fieldapp.models",
    "fieldapp.core",
    "fieldapp.connector.surface",
    "fieldapp.connector.swagger2",
    "fieldapp.connector.lint",
    "fieldapp.connector.definition",
    "fieldapp.demo.accounts",
    "fieldapp.demo.cases",
)
FORBIDDEN_IN_INNER_LAYERS = ("flask", "fieldapp.web", "fieldapp.api")
# Modules allowed to sit in an import cycle, each with the reason it cannot be avoided yet. None
# today: the provider vocabulary lives in messages/providers/contract.py, so the Notify provider no
# longer imports the package whose provider_from_config late-imports it.
CYCLE_EXEMPTIONS: dict[str, str] = {}


def _module_name(path: Path) -> str:
    """The dotted name of a source file under fieldapp/."""
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, ast.Module]:
    """Every fieldapp module (migration scripts included), parsed."""
    return {
        _module_name(path): ast.parse(path.read_text(encoding="utf-8"))
        for path in sorted(PACKAGE_ROOT.rglob("*.py"))
    }


def _is_type_checking(test: ast.expr) -> bool:
    """Whether an ``if`` guards code that only type checkers see."""
    name = test.attr if isinstance(test, ast.Attribute) else getattr(test, "id", None)
    return name == "TYPE_CHECKING"


def _runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node`` except those under ``if TYPE_CHECKING:``, which never run."""
    for child in ast.iter_child_nodes(node):
        yield child
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for alternative in child.orelse:
                yield alternative
                yield from _runtime_nodes(alternative)
        else:
            yield from _runtime_nodes(child)


def _imported(name: str, tree: ast.Module, known: set[str], *, runtime_only: bool) -> set[str]:
    """The modules a module imports: fieldapp ones resolved to modules, others by full name."""
    package = name if _is_package(name) else name.rpartition(".")[0]
    nodes = _runtime_nodes(tree) if runtime_only else ast.walk(tree)
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0]
                base = f"{anchor}.{base}" if base else anchor
            for alias in node.names:
                child = f"{base}.{alias.name}"
                found.add(child if child in known else base)
    return found


def _is_package(name: str) -> bool:
    """Whether a fieldapp module is a package (a folder with __init__.py)."""
    return (PACKAGE_ROOT.parent / name.replace(".", "/") / "__init__.py").is_file()


@cache
def _runtime_imports() -> dict[str, frozenset[str]]:
    """What each fieldapp module imports when it runs (TYPE_CHECKING left out)."""
    modules = _modules()
    known = set(modules)
    return {
        name: frozenset(_imported(name, tree, known, runtime_only=True))
        for name, tree in modules.items()
    }


def _graph() -> dict[str, set[str]]:
    """fieldapp's import graph as it runs, fieldapp modules only."""
    imports = _runtime_imports()
    return {name: set(imported & imports.keys()) for name, imported in imports.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

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
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _inner_modules() -> list[str]:
    """Every module of the services, models and core layers, and the others held to their rule."""
    return [
        name
        for name in _modules()
        if any(name == layer or name.startswith(layer + ".") for layer in INNER_LAYERS)
    ]


@pytest.mark.parametrize("module", _inner_modules())
def test_inner_layers_import_neither_flask_nor_the_web_nor_the_api(module: str) -> None:
    modules = _modules()
    # Anywhere in the module, even under TYPE_CHECKING: a type from the web is still a dependency.
    imported = _imported(module, modules[module], set(modules), runtime_only=False)
    reaching_up = sorted(
        name
        for name in imported
        for forbidden in FORBIDDEN_IN_INNER_LAYERS
        if name == forbidden or name.startswith(forbidden + ".")
    )
    assert reaching_up == []


@pytest.mark.parametrize("module", _inner_modules())
def test_inner_layers_do_not_reach_flask_through_other_fieldapp_modules(module: str) -> None:
    # errors.py once held the Flask rendering, so every service raising an error loaded Flask.
    graph = _graph()
    imports = _runtime_imports()
    reached, todo = {module}, [module]
    while todo:
        for name in graph[todo.pop()] - reached:
            reached.add(name)
            todo.append(name)
    using_flask = sorted(
        name for name in reached if any(i.split(".")[0] == "flask" for i in imports[name])
    )
    assert using_flask == []


def test_no_import_cycle_among_fieldapp_modules() -> None:
    cycles = [cycle for cycle in _cycles(_graph()) if not set(cycle) <= set(CYCLE_EXEMPTIONS)]
    assert cycles == [], "import cycles: " + "; ".join(" <-> ".join(cycle) for cycle in cycles)


def test_every_cycle_exemption_is_still_needed() -> None:
    in_cycles = {name for cycle in _cycles(_graph()) for name in cycle}
    assert set(CYCLE_EXEMPTIONS) <= in_cycles


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_the_import_reader_counts_late_imports_but_not_type_checking_ones() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    import flask\n"
        "def late() -> None:\n"
        "    from fieldapp import errors\n"
    )
    imported = _imported("fieldapp.x", ast.parse(source), {"fieldapp.errors"}, runtime_only=True)
    assert imported == {"typing", "fieldapp.errors"}
