"""The pure core packages stay pure: no web framework, no database, no app modules outside core."""

from __future__ import annotations

import ast
from importlib import resources

import pytest

FORBIDDEN_ROOTS = {"flask", "flask_jwt_extended", "flask_smorest", "sqlalchemy", "werkzeug"}
# Each pure package, and the rule data it must ship inside itself.
PACKAGES = {
    "fieldapp.core.victims_code": ("rulesets.json",),
    "fieldapp.core.templating": ("merge_fields.json", "lint_rules.json"),
    "fieldapp.core.letters": ("layout.json",),
    "fieldapp.core.editor": (),
}


def _imported_modules(package_name: str) -> set[str]:
    """Every module named by an import statement anywhere in the package."""
    names: set[str] = set()
    for entry in resources.files(package_name).iterdir():
        if not entry.name.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(entry.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
    return names


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_no_framework_or_database_library(package: str) -> None:
    roots = {name.split(".")[0] for name in _imported_modules(package)}
    assert not roots & FORBIDDEN_ROOTS


@pytest.mark.parametrize("package", PACKAGES)
def test_package_imports_nothing_from_fieldapp_outside_the_core(package: str) -> None:
    own = {name for name in _imported_modules(package) if name.split(".")[0] == "fieldapp"}
    assert own
    assert all(name.startswith("fieldapp.core.") for name in own)


@pytest.mark.parametrize(("package", "files"), PACKAGES.items())
def test_rule_data_ships_inside_the_package(package: str, files: tuple[str, ...]) -> None:
    for name in files:
        assert resources.files(package).joinpath(name).is_file()
