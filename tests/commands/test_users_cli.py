"""flask --app wsgi users create."""

from __future__ import annotations

import uuid

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldapp.models import Team, User
from tests.factories import audit_rows, create_team, login


def test_users_create_reads_the_password_from_stdin_and_creates_the_team(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    result = runner.invoke(
        args=[
            "users", "create", "--username", "PS.Khan", "--role", "supervisor",
            "--team", "Eastfield Response", "--password-stdin",
            "--display-name", "PS Amira Khan", "--rank", "Sergeant", "--collar-number", "3301",
        ],
        input="a very long password\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "created supervisor ps.khan" in result.output
    user = session.scalar(select(User).where(User.username == "ps.khan"))
    assert user is not None
    assert (user.role, user.rank, user.collar_number) == ("supervisor", "Sergeant", "3301")
    assert user.team.name == "Eastfield Response"
    assert "a very long password" not in result.output
    login(app.test_client(), "ps.khan", "a very long password")


def test_users_create_takes_the_team_id_and_never_makes_a_team_of_an_unknown_id(
    runner: FlaskCliRunner, session: Session
) -> None:
    team = create_team(session, name="Northfield Response")
    args = ["users", "create", "--role", "officer", "--password-stdin", "--team"]
    made = runner.invoke(
        args=[*args, str(team.id), "--username", "pc.byid"], input="a very long password\n"
    )
    assert made.exit_code == 0, made.output
    assert "in team Northfield Response" in made.output
    user = session.scalar(select(User).where(User.username == "pc.byid"))
    assert user is not None and user.team_id == team.id
    unknown = str(uuid.uuid4())
    refused = runner.invoke(
        args=[*args, unknown, "--username", "pc.lost"], input="a very long password\n"
    )
    assert refused.exit_code != 0
    assert "Unknown team" in refused.output
    assert session.scalar(select(Team).where(Team.name == unknown)) is None
    assert session.scalar(select(User).where(User.username == "pc.lost")) is None


def test_users_create_is_audited_under_the_system_actor(
    runner: FlaskCliRunner, session: Session
) -> None:
    args = ["users", "create", "--username", "admin.cli", "--role", "admin", "--team", "HQ"]
    result = runner.invoke(args=[*args, "--password-stdin"], input="a very long password\n")
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.username == "admin.cli"))
    assert user is not None
    [record] = audit_rows(session, resource_type="user", resource_id=str(user.id))
    assert (record.actor_name, record.actor_id, record.operation, record.outcome) == (
        "system",
        None,
        "administration",
        "allowed",
    )
    assert record.reason == "created admin"
    assert "a very long password" not in repr(vars(record))


def test_users_create_refuses_a_weak_password_and_creates_nothing(
    runner: FlaskCliRunner, session: Session
) -> None:
    args = ["users", "create", "--username", "pc.weak", "--role", "officer", "--team", "T1"]
    result = runner.invoke(args=[*args, "--password-stdin"], input="short\n")
    assert result.exit_code != 0
    assert "password" in result.output
    assert session.scalar(select(User).where(User.username == "pc.weak")) is None
    assert session.scalar(select(Team).where(Team.name == "T1")) is None


def test_users_create_refuses_a_common_password_and_creates_nothing(
    runner: FlaskCliRunner, session: Session
) -> None:
    args = ["users", "create", "--username", "pc.common", "--role", "officer", "--team", "T2"]
    result = runner.invoke(args=[*args, "--password-stdin"], input="Password2024!\n")
    assert result.exit_code != 0
    assert "password: This password is one of the most common" in result.output
    assert session.scalar(select(User).where(User.username == "pc.common")) is None


def test_users_create_refuses_an_unknown_role(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "--username", "x.y", "--role", "chief", "--team", "T",
              "--password-stdin"],
        input="a very long password\n",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "chief" in result.output


def test_users_create_refuses_a_taken_username(runner: FlaskCliRunner, session: Session) -> None:
    args = ["users", "create", "--username", "pc.dup", "--role", "officer", "--team", "T2",
            "--password-stdin"]  # fmt: skip
    assert runner.invoke(args=args, input="a very long password\n").exit_code == 0
    second = runner.invoke(args=args, input="another long password\n")
    assert second.exit_code == 1
    assert "taken" in second.output
