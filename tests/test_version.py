"""One version: the package's, the OpenAPI document's, the connector's and the changelog's."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import yaml
from flask import Flask

from fieldapp import __version__
from fieldapp.connector.definition import build_definition
from fieldapp.web.openapi import generate_document

ROOT = Path(__file__).resolve().parent.parent


def test_pyproject_reads_the_version_from_the_package() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "fieldapp.version.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_the_openapi_document_and_the_connector_carry_the_package_version(app: Flask) -> None:
    with app.app_context():
        document = yaml.safe_load(generate_document())
        connector = build_definition(document)
    assert document["info"]["version"] == __version__
    assert connector["info"]["version"] == __version__


def test_the_committed_files_carry_the_package_version() -> None:
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))
    connector = json.loads((ROOT / "connector/apiDefinition.swagger.json").read_text("utf-8"))
    assert document["info"]["version"] == __version__
    assert connector["info"]["version"] == __version__


def test_the_changelog_describes_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    [latest, *_] = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.MULTILINE)
    assert latest == __version__
