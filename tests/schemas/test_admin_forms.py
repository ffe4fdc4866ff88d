"""The admin console's forms accept exactly what the API's schemas accept."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import Schema, ValidationError

from fieldapp.schemas.admin_forms import NewApiKeyForm, NewUserForm, TeamForm, UserChangeForm
from fieldapp.schemas.api_keys import ApiKeyCreateSchema
from fieldapp.schemas.users import TeamSchema, UserCreateSchema, UserUpdateSchema

PAIRS: list[tuple[Schema, Schema]] = [
    (NewUserForm(), UserCreateSchema()),
    (UserChangeForm(), UserUpdateSchema()),
    (TeamForm(), TeamSchema()),
    (NewApiKeyForm(), ApiKeyCreateSchema()),
]


@pytest.mark.parametrize(("form", "api"), PAIRS)
def test_each_form_field_validates_as_the_apis_does(form: Schema, api: Schema) -> None:
    for name, field in form.load_fields.items():
        if name in api.load_fields:
            assert type(field) is type(api.load_fields[name]), name
            assert field.validators == api.load_fields[name].validators, name
            assert field.required == api.load_fields[name].required, name


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "short"}, "password"),
        ({"password": "password1234"}, "password"),
        ({"username": "x"}, "username"),
        ({"role": "superuser"}, "role"),
        ({"phone": "12"}, "phone"),
    ],
)
def test_new_user_form_refuses_what_the_api_refuses(data: dict[str, Any], field: str) -> None:
    valid = {
        "username": "pc.form",
        "display_name": "PC Form",
        "role": "officer",
        "team": "Response A",
        "password": "a long and unusual passphrase",
    }
    NewUserForm().load(valid)
    for schema in (NewUserForm(), UserCreateSchema()):
        with pytest.raises(ValidationError) as refused:
            schema.load({**valid, **data})
        assert field in refused.value.messages


def test_missing_fields_say_what_to_enter() -> None:
    with pytest.raises(ValidationError) as refused:
        NewApiKeyForm().load({})
    assert refused.value.messages == {
        "name": ["Enter a name for the key"],
        "username": ["Enter the username of the user the key acts for"],
        "scopes": ["Select at least one scope"],
    }


def test_the_api_keeps_its_own_messages() -> None:
    with pytest.raises(ValidationError) as refused:
        TeamSchema().load({})
    assert refused.value.messages == {"name": ["Missing data for required field."]}


def test_new_key_form_names_the_user_by_username_not_id() -> None:
    assert "user_id" not in NewApiKeyForm().load_fields
    with pytest.raises(ValidationError) as refused:
        NewApiKeyForm().load({"user_id": "x"})
    assert "user_id" in refused.value.messages


def test_a_change_carries_the_version_it_was_made_on() -> None:
    assert UserChangeForm().load({"version": "3", "role": "auditor"}) == {
        "version": 3,
        "role": "auditor",
    }
    with pytest.raises(ValidationError):
        UserChangeForm().load({"role": "auditor"})
