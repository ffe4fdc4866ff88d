"""``flask templates import|export``: the built-in library in and out of the database."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldapp.core.templating.library import (
    LIBRARY_DIRECTORY,
    format_template_file,
    load_library,
    parse_template_file,
)
from fieldapp.models import MessageTemplate, TemplateVersion


def test_import_publishes_every_library_template_once(
    runner: FlaskCliRunner, session: Session
) -> None:
    library = load_library(LIBRARY_DIRECTORY)

    first = runner.invoke(args=["templates", "import"])
    second = runner.invoke(args=["templates", "import"])

    assert first.exit_code == 0, first.output
    assert f"{len(library)} imported" in first.output
    assert f"0 imported, {len(library)} already present" in second.output
    versions = session.scalars(select(TemplateVersion)).all()
    assert len(versions) == len(library)
    assert {(v.number, v.status) for v in versions} == {(1, "published")}
    assert all(v.fields for v in versions)
    published = session.scalar(select(func.count()).where(MessageTemplate.published_number == 1))
    assert published == len(library)


def test_import_keeps_a_template_that_already_exists(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    runner.invoke(args=["templates", "import"])
    template = session.scalars(select(MessageTemplate).order_by(MessageTemplate.key)).first()
    assert template is not None
    template.name = "Renamed by a supervisor"
    session.commit()

    runner.invoke(args=["templates", "import"])

    session.expire_all()
    kept = session.get(MessageTemplate, template.id)
    assert kept is not None
    assert kept.name == "Renamed by a supervisor"


def test_a_broken_library_imports_nothing(
    runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    good = load_library(LIBRARY_DIRECTORY)[0]
    (tmp_path / f"{good.key}.txt").write_text(format_template_file(good), encoding="utf-8")
    hostile = parse_template_file(format_template_file(good).replace(good.body, "{{ 9**9**9 }}"))
    bad_text = format_template_file(hostile).replace(f"key: {good.key}", "key: zz-hostile")
    (tmp_path / "zz-hostile.txt").write_text(bad_text, encoding="utf-8")

    result = runner.invoke(args=["templates", "import", "--directory", str(tmp_path)])

    assert result.exit_code != 0
    assert "zz-hostile" in result.output
    assert session.scalar(select(func.count()).select_from(MessageTemplate)) == 0


def test_export_writes_files_that_read_back_as_the_published_wording(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    runner.invoke(args=["templates", "import"])

    result = runner.invoke(args=["templates", "export", "--directory", str(tmp_path / "out")])

    assert result.exit_code == 0, result.output
    exported = {t.key: t for t in load_library(tmp_path / "out")}
    shipped = {t.key: t for t in load_library(LIBRARY_DIRECTORY)}
    assert exported == shipped
