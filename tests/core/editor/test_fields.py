"""The merge-field picker groups the catalogue by what each field belongs to."""

from __future__ import annotations

from fieldapp.core.editor.fields import GROUP_TITLES, group_fields
from fieldapp.core.templating import load_catalogue
from fieldapp.core.templating.catalogue import MergeField


def test_every_catalogue_field_is_offered_once_in_a_titled_group() -> None:
    catalogue = load_catalogue()
    groups = group_fields(catalogue.fields.values())
    offered = [field.name for group in groups for field in group.fields]
    assert sorted(offered) == sorted(catalogue.fields)
    assert [g.root for g in groups][:3] == ["victim", "case", "officer"]
    assert all(group.title == GROUP_TITLES[group.root] for group in groups)


def test_an_unknown_root_comes_last_with_a_readable_title() -> None:
    fields = [
        MergeField("court_details.name", "string", "allowed", "The court."),
        MergeField("victim.first_name", "string", "allowed", "First name."),
    ]
    groups = group_fields(fields)
    assert [(g.root, g.title) for g in groups] == [
        ("victim", GROUP_TITLES["victim"]),
        ("court_details", "Court details"),
    ]
