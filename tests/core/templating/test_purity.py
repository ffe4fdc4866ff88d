"""The template package stays pure: no web framework, no database, no app modules."""

from __future__ import annotations

import ast
from importlib import resources

FORBIDDEN_ROOTS = {"flask", "flask_jwt_extended", "flask_smorest", "sqlalchemy", "werkzeug"}


def _imported_modules() -> set[str]:
    """Every module named by an import statement anywhere in the package."""
    package = resources.files("fieldapp.core.templating")
    names: set[str] = set()
    for entry in package.iterdir():
        if not entry.name.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(entry.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


def test_package_imports_no_framework_or_database_library() -> None:
    roots = {name.split(".")[0] for name in _imported_modules()}
    assert not roots & FORBIDDEN_ROOTS


def test_package_imports_nothing_from_fieldapp_outside_the_core() -> None:
    own = {name for name in _imported_modules() if name.split(".")[0] == "fieldapp"}
    assert own
    assert all(name.startswith("fieldapp.core.") for name in own)


def test_merge_field_catalogue_ships_inside_the_package() -> None:
    data = resources.files("fieldapp.core.templating").joinpath("merge_fields.json")
    assert data.is_file()
