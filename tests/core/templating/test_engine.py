"""The engine: what a template may do, what it is refused and why, and how it renders."""

from __future__ import annotations

from typing import Any

import pytest

from fieldapp.core.templating.catalogue import Catalogue, flatten_context
from fieldapp.core.templating.engine import TEMPLATE_CACHE, TemplateCache, render, validate
from fieldapp.core.templating.errors import MissingData, OutputTooLong, TemplateRefused

LIMIT = 5_000


def _refusal(source: str, catalogue: Catalogue, max_chars: int = LIMIT) -> TemplateRefused:
    """The refusal validate() raises for a source."""
    with pytest.raises(TemplateRefused) as caught:
        validate(source, catalogue=catalogue, max_chars=max_chars)
    return caught.value


def _codes(source: str, catalogue: Catalogue) -> list[tuple[str, int | None]]:
    """The (code, line) of each problem validate() finds."""
    return [(p.code, p.line) for p in _refusal(source, catalogue).problems]


# --- what a template may do -------------------------------------------------------------------


ALLOWED = [
    ("Dear {{ victim.first_name }},", "Dear Sam,"),
    ("{{ case.crime_reference|lower }}", "cr/2026/000123"),
    ("{{ victim.first_name|upper }} {{ case.offence|capitalize }}", "SAM Burglary of your home"),
    ("{{ force.support_name|title|trim }}", "Victim Support"),
    ("{{ event.charges|join(', ') }}", "burglary of a home"),
    (
        "{{ event.charges|first }}/{{ event.charges|last }}/{{ event.charges|length }}",
        "burglary of a home/burglary of a home/1",
    ),
    ("{% if officer.rank %}{{ officer.rank }} {% endif %}{{ officer.name }}", "PC Jo Ashworth"),
    (
        "{% if event.decision_maker == 'cps' %}CPS"
        "{% elif event.decision_maker == 'police' %}us{% else %}?{% endif %}",
        "us",
    ),
    (
        "{% if event.decision_maker in ['police', 'cps'] and not case.offence is none %}"
        "y{% endif %}",
        "y",
    ),
    ("{{ 'yes' if event.charges else 'no' }}", "yes"),
    ("{% if event.answer_bail_on is defined or false %}bail{% endif %}", "bail"),
    (
        "{% for c in event.bail_conditions %}{{ loop.index }}. {{ c }}{% endfor %}",
        "1. They must not contact you, directly or through anyone else."
        "2. They must not go near your home.",
    ),
    (
        "{% for c in event.charges %}{% if loop.first %}[{% endif %}{{ c }}"
        "{% if loop.last %}]{% endif %}{% endfor %}",
        "[burglary of a home]",
    ),
    ("{{ next_update.date }} at {{ event.time }}", "Tuesday 31 March 2026 at 2:30pm"),
    ("{{ 42 }} {{ 'text' }} {{ true }}", "42 text True"),
    ("{{ 'x' if victim.first_name }}", "x"),
]


@pytest.mark.parametrize(("source", "expected"), ALLOWED)
def test_allowed_constructs_validate_and_render(
    source: str, expected: str, catalogue: Catalogue, context: dict[str, Any]
) -> None:
    validate(source, catalogue=catalogue, max_chars=LIMIT)
    assert render(source, context, max_chars=LIMIT) == expected


def test_validate_returns_every_field_used(catalogue: Catalogue) -> None:
    source = (
        "{% if officer.rank %}{{ officer.rank }}{% endif %}"
        "{% for c in event.charges %}{{ c }} {{ loop.index }}{% endfor %}"
        "{{ victim.first_name|default('there') }}"
    )
    fields = validate(source, catalogue=catalogue, max_chars=LIMIT)
    assert fields == {"officer.rank", "event.charges", "victim.first_name"}


def test_block_tags_leave_no_blank_lines_or_trailing_newline(context: dict[str, Any]) -> None:
    source = "Hello\n{% if officer.rank %}\n{{ officer.rank }}\n  {% endif %}\nBye\n"
    assert render(source, context, max_chars=LIMIT) == "Hello\nPC\nBye"


def test_for_else_renders_when_the_list_is_empty(context: dict[str, Any]) -> None:
    context["event"]["charges"] = []
    source = "{% for c in event.charges %}{{ c }}{% else %}none{% endfor %}"
    assert render(source, context, max_chars=LIMIT) == "none"


# --- what is refused, and where ----------------------------------------------------------------


REFUSED = [
    ("{{ victim.first_name.upper() }}", "call"),
    ("{% set a = 1 %}", "set"),
    ("{% set a %}x{% endset %}", "set"),
    ("{% macro m() %}x{% endmacro %}", "macro"),
    ("{% call victim.first_name() %}x{% endcall %}", "macro"),
    ("{% filter upper %}x{% endfilter %}", "filter_block"),
    ("{% with a = 1 %}x{% endwith %}", "with"),
    ("{% include 'x' %}", "include"),
    ("{% import 'x' as y %}", "include"),
    ("{% from 'x' import y %}", "include"),
    ("{% extends 'x' %}", "include"),
    ("{% block b %}x{% endblock %}", "include"),
    ("{{ victim['first_name'] }}", "subscript"),
    ("{{ victim.first_name[1:] }}", "subscript"),
    ("{{ 2 ** 3 }}", "arithmetic"),
    ("{{ 2 * 3 }}", "arithmetic"),
    ("{{ 2 + 3 }}", "arithmetic"),
    ("{{ 2 - 3 }}", "arithmetic"),
    ("{{ 2 / 3 }}", "arithmetic"),
    ("{{ 2 // 3 }}", "arithmetic"),
    ("{{ 2 % 3 }}", "arithmetic"),
    ("{{ -2 }}", "arithmetic"),
    ("{{ victim.first_name ~ victim.last_name }}", "concatenation"),
    ("{{ {'a': 1} }}", "dict"),
    ("{{ victim.first_name|attr('x') }}", "filter"),
    ("{{ victim.first_name|replace('a', 'b') }}", "filter"),
    ("{{ victim.first_name is callable }}", "test"),
    ("{{ event.charges|join(d=', ') }}", "keyword_argument"),
    ("{{ event.charges|join(', ', 'x') }}", "filter"),
    ("{{ event.charges|join(victim.first_name) }}", "filter"),
    ("{{ victim.__class__ }}", "private_name"),
    ("{{ _x }}", "private_name"),
    ("{{ victim }}", "unknown_field"),
    ("{{ range }}", "unknown_field"),
    ("{{ loop.index }}", "unknown_field"),
    ("{{ ''.x }}", "attribute"),
    ("{% for c in event.charges %}{{ c.x }}{% endfor %}", "unknown_field"),
    ("{% for c in event.charges %}{{ loop.cycle }}{% endfor %}", "unknown_field"),
    ("{% for c in event.charges %}{{ loop }}{% endfor %}", "unknown_field"),
    ("{% for c in case.offence %}{{ c }}{% endfor %}", "loop"),
    ("{% for c in event.charges if c %}{{ c }}{% endfor %}", "loop"),
    ("{% for c in event.charges recursive %}{{ c }}{% endfor %}", "loop"),
    ("{% for victim in event.charges %}{{ victim }}{% endfor %}", "loop"),
    ("{% for a, b in event.charges %}{{ a }}{% endfor %}", "loop"),
    ("{% for c in ['a'] %}{{ c }}{% endfor %}", "loop"),
    (
        "{% for a in event.charges %}{% for b in event.charges %}{% endfor %}{% endfor %}",
        "nested_loop",
    ),
    ("{% autoescape false %}x{% endautoescape %}", "not_allowed"),
    ("{{ victim.first_name", "syntax_error"),
    ("{% do x %}", "syntax_error"),
    ("{{ '" + "x" * 600 + "' }}", "literal"),
    ("{{ victim.first_name in [victim.last_name] }}", "literal"),
]


@pytest.mark.parametrize(("source", "code"), REFUSED)
def test_refused_construct_is_named(source: str, code: str, catalogue: Catalogue) -> None:
    assert code in {problem.code for problem in _refusal(source, catalogue).problems}


def test_refusal_names_the_line_of_each_problem(catalogue: Catalogue) -> None:
    source = "Dear {{ victim.first_name }}\n\n{% set a = 1 %}\nx\n{{ victim.first_name() }}"
    assert _codes(source, catalogue) == [("set", 3), ("call", 5)]


def test_unknown_fields_are_each_listed_with_their_line(catalogue: Catalogue) -> None:
    refusal = _refusal("{{ victim.nickname }}\n{{ officer.email }}", catalogue)
    assert [(p.code, p.line) for p in refusal.problems] == [
        ("unknown_field", 1),
        ("unknown_field", 2),
    ]
    assert "victim.nickname" in refusal.problems[0].message
    assert "officer.email" in refusal.problems[1].message


def test_syntax_error_names_its_line(catalogue: Catalogue) -> None:
    assert _codes("line one\nline two {% if %}", catalogue) == [("syntax_error", 2)]


def test_source_longer_than_the_limit_is_refused(catalogue: Catalogue) -> None:
    assert _refusal("x" * 101, catalogue, max_chars=100).problems[0].code == "source_too_long"
    validate("x" * 100, catalogue=catalogue, max_chars=100)


def test_deep_nesting_is_refused_before_parsing(catalogue: Catalogue) -> None:
    source = "{% if true %}" * 13 + "x" + "{% endif %}" * 13
    assert _codes(source, catalogue) == [("too_deeply_nested", 1)]
    validate("{% if true %}" * 5 + "x" + "{% endif %}" * 5, catalogue=catalogue, max_chars=LIMIT)


def test_brackets_in_plain_text_do_not_count_as_nesting(catalogue: Catalogue) -> None:
    validate("(((((((((((((((( {{ victim.first_name }}", catalogue=catalogue, max_chars=LIMIT)


def test_too_many_parts_are_refused(catalogue: Catalogue) -> None:
    source = "{{ force.name }}-" * 3_000
    refusal = _refusal(source, catalogue, max_chars=100_000)
    assert refusal.problems[-1].code == "too_complex"


# --- rendering --------------------------------------------------------------------------------


def test_missing_data_names_every_needed_field_and_no_values(context: dict[str, Any]) -> None:
    values = [v for v in flatten_context(context).values() if isinstance(v, str)]
    del context["event"]["hearing_date"]
    del context["next_update"]["date"]
    source = "{{ victim.first_name }} {{ event.hearing_date }} on {{ next_update.date }}"
    with pytest.raises(MissingData) as caught:
        render(source, context, max_chars=LIMIT)
    assert caught.value.fields == ("event.hearing_date", "next_update.date")
    assert not any(value in str(caught.value) for value in values)


def test_missing_event_names_the_event_fields(context: dict[str, Any]) -> None:
    del context["event"]
    with pytest.raises(MissingData) as caught:
        render(
            "{{ event.date }}{% for c in event.charges %}{{ c }}{% endfor %}", context, max_chars=99
        )
    assert caught.value.fields == ("event.charges", "event.date")


@pytest.mark.parametrize(
    "source",
    [
        "{% if event.answer_bail_on %}on {{ event.answer_bail_on }}{% endif %}ok",
        "{% if event.answer_bail_on is defined %}{{ event.answer_bail_on }}{% endif %}ok",
        "{{ event.answer_bail_on|default('') }}ok",
        "{{ 'no' if event.answer_bail_on else '' }}ok",
    ],
)
def test_guarded_absent_field_renders_without_it(source: str, context: dict[str, Any]) -> None:
    del context["event"]
    assert render(source, context, max_chars=LIMIT) == "ok"


@pytest.mark.parametrize(
    "source",
    [
        "{{ officer.rank|upper }}",
        "{% if officer.rank == 'PC' %}x{% endif %}",
        "{% if officer.rank < 'PC' %}x{% endif %}",
        "{{ officer.rank|length }}",
        "{% if 'a' in officer.rank %}x{% endif %}",
    ],
)
def test_using_an_absent_field_is_missing_data(source: str, context: dict[str, Any]) -> None:
    del context["officer"]["rank"]
    with pytest.raises(MissingData) as caught:
        render(source, context, max_chars=LIMIT)
    assert caught.value.fields == ("officer.rank",)


def test_first_of_an_empty_list_is_blank(context: dict[str, Any]) -> None:
    context["event"]["charges"] = []
    assert render("[{{ event.charges|first }}]", context, max_chars=LIMIT) == "[]"


def test_failure_while_merging_names_the_line_not_the_data(context: dict[str, Any]) -> None:
    with pytest.raises(TemplateRefused) as caught:
        render("ok\n{% if victim.first_name < 3 %}x{% endif %}", context, max_chars=LIMIT)
    problem = caught.value.problems[0]
    assert (problem.code, problem.line) == ("render_failed", 2)
    assert "Sam" not in str(caught.value)


def test_dict_methods_are_never_reachable(context: dict[str, Any]) -> None:
    with pytest.raises(MissingData) as caught:
        render("{{ victim.items }}{{ victim.keys }}", context, max_chars=LIMIT)
    assert caught.value.fields == ("victim.items", "victim.keys")


def test_render_refuses_an_unsafe_source_it_was_handed(context: dict[str, Any]) -> None:
    with pytest.raises(TemplateRefused) as caught:
        render("{{ victim.__class__ }}{{ 9 ** 9 }}", context, max_chars=LIMIT)
    assert {p.code for p in caught.value.problems} == {"private_name", "arithmetic"}


def test_output_is_capped(context: dict[str, Any]) -> None:
    source = "{{ victim.first_name }}{{ victim.last_name }}"
    assert render(source, context, max_chars=9) == "SamTaylor"
    with pytest.raises(OutputTooLong) as caught:
        render(source, context, max_chars=8)
    assert caught.value.max_chars == 8


def test_html_render_escapes_merged_data(context: dict[str, Any]) -> None:
    context["victim"]["first_name"] = "<b>Sam</b>"
    source = "<p>{{ victim.first_name }}, {{ event.court_name }}</p>"
    assert render(source, context, max_chars=LIMIT, html=True) == (
        "<p>&lt;b&gt;Sam&lt;/b&gt;, Cardiff Magistrates&#39; Court</p>"
    )
    assert render(source, context, max_chars=LIMIT) == (
        "<p><b>Sam</b>, Cardiff Magistrates' Court</p>"
    )


def test_render_does_not_change_the_context(context: dict[str, Any]) -> None:
    before = repr(context)
    render("{% for c in event.charges %}{{ c }}{% endfor %}", context, max_chars=LIMIT)
    assert repr(context) == before


# --- the compiled-template cache --------------------------------------------------------------


def test_cache_key_reuses_the_compiled_template(context: dict[str, Any]) -> None:
    assert render("A {{ victim.first_name }}", context, max_chars=99, cache_key="v1") == "A Sam"
    compiled = TEMPLATE_CACHE.get(("v1", False))
    assert compiled is not None
    # A version never changes, so the key alone picks the compiled template.
    assert render("B", context, max_chars=99, cache_key="v1") == "A Sam"
    assert TEMPLATE_CACHE.get(("v1", False)) is compiled


def test_html_and_text_are_cached_apart(context: dict[str, Any]) -> None:
    render("<{{ victim.first_name }}", context, max_chars=99, cache_key="v1")
    render("<{{ victim.first_name }}", context, max_chars=99, cache_key="v1", html=True)
    assert ("v1", False) in TEMPLATE_CACHE
    assert ("v1", True) in TEMPLATE_CACHE


def test_no_cache_key_caches_nothing(context: dict[str, Any]) -> None:
    render("{{ victim.first_name }}", context, max_chars=99)
    assert len(TEMPLATE_CACHE) == 0


def test_refused_source_is_not_cached(context: dict[str, Any]) -> None:
    with pytest.raises(TemplateRefused):
        render("{{ 1 + 1 }}", context, max_chars=99, cache_key="bad")
    assert ("bad", False) not in TEMPLATE_CACHE


def test_cache_drops_the_least_recently_used(context: dict[str, Any]) -> None:
    cache = TemplateCache(maxsize=2)
    render("x", context, max_chars=9, cache_key="a")
    compiled = TEMPLATE_CACHE.get(("a", False))
    assert compiled is not None
    cache.put(("a", False), compiled)
    cache.put(("b", False), compiled)
    assert cache.get(("a", False)) is compiled  # "a" is now the most recently used
    cache.put(("c", False), compiled)
    assert ("b", False) not in cache
    assert ("a", False) in cache
    assert len(cache) == 2


def test_long_chains_are_refused_before_compiling(catalogue: Catalogue) -> None:
    source = "{{ victim.first_name" + "|upper" * 100 + " }}"
    assert _codes(source, catalogue) == [("too_complex", 1)]
    validate("{{ victim.first_name|upper|lower|trim }}", catalogue=catalogue, max_chars=LIMIT)
