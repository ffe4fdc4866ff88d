"""Hostile templates: sandbox escapes, template bombs and resource exhaustion are all refused.

Every payload goes through ``validate`` and ``render`` in a child process with a 512 MB address
space limit, so a payload that hangs, eats memory or crashes fails its test instead of taking the
test run down. The child counts the work of each call (Python function calls, C ones included,
by a profile hook): each must be refused within a work bound linear in the largest source, never
by a clock, so a busy machine cannot fail the test. The child's timeout is a hang guard only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fieldapp.core.templating.budget import RenderBudget
from fieldapp.core.templating.engine import render
from fieldapp.core.templating.errors import OutputTooLong

REPOSITORY = Path(__file__).resolve().parents[3]
MEMORY_LIMIT = 512 * 1024 * 1024
#: A hang guard only (a payload that loops for ever); no assertion relies on it.
CHILD_TIMEOUT_SECONDS = 300
MAX_SOURCE = 50_000
#: Refusing any payload costs at most this many calls: linear in the largest source allowed.
#: The costliest today (a 37,000-character chain) takes about 790,000, about 21 per character.
MAX_CALLS_EACH = 40 * MAX_SOURCE
NESTED = 10_000

HOSTILE: dict[str, str] = {
    "mro_subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "str_format_cve_2024_56326": '{{ "{0.__class__}".format(victim) }}',
    "attr_filter_cve_2025_27516": "{{ victim|attr('__class__') }}",
    "attr_format_chain": "{{ victim|attr('first_name')|attr('format') }}",
    "power_tower": "{{ 9**9**9 }}",
    "power_brackets": "{{ 9**(9**9) }}",
    "nested_range_loops": (
        "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}"
    ),
    "format_padding": "{{ '{:>1000000000}'.format('x') }}",
    "percent_padding": "{{ '%999999999s' % 1 }}",
    "set_doubling": "{% set a = 'x' %}" + "{% set a = a ~ a %}" * 30 + "{{ a }}",
    "self": "{{ self }}",
    "self_globals": "{{ self.__init__.__globals__ }}",
    "cycler": "{{ cycler }}",
    "cycler_os": "{{ cycler.__init__.__globals__.os.environ }}",
    "lipsum": "{{ lipsum() }}",
    "joiner": "{{ joiner }}",
    "namespace": "{{ namespace() }}",
    "include": "{% include 'x' %}",
    "import": "{% import 'x' as y %}",
    "extends": "{% extends 'x' %}",
    "recursive_macro": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "recursive_loop": "{% for x in event.charges recursive %}{{ loop(x) }}{% endfor %}",
    "config": "{{ config }}",
    "request": "{{ request }}",
    "orm_state": "{{ victim._sa_instance_state }}",
    "dunder_dict": "{{ victim.__dict__ }}",
    "dict_method_call": "{{ victim.items() }}",
    "nested_brackets": "{{ " + "(" * NESTED + "1" + ")" * NESTED + " }}",
    "nested_lists": "{{ " + "[" * NESTED + "]" * NESTED + " }}",
    "concatenated_brackets": "{{ '(' * 10000 ~ ')' * 10000 }}",
    "nested_ifs": "{% if true %}" * NESTED + "x" + "{% endif %}" * NESTED,
    "nested_ifs_compact": "{%if 1%}" * 2_000 + "{%endif%}" * 2_000,
    "not_chain": "{{ " + "not " * NESTED + "victim.first_name }}",
    "minus_chain": "{{ " + "-" * NESTED + "1 }}",
    "filter_chain": "{{ victim.first_name" + "|upper" * 5_000 + " }}",
    "and_chain": "{{ " + " and ".join(["victim.first_name"] * 2_000) + " }}",
    "conditional_chain": "{{ " + "'a' if victim.first_name else " * 1_500 + "'b' }}",
    "five_megabytes": "x" * 5_000_000,
    "list_multiplication": "{{ [1]*10**9 }}",
    "string_multiplication": "{{ 'a' * 10**9 }}",
    "huge_integer_literal": "{{ " + "9" * 5_000 + " }}",
    "nested_field_loops": (
        "{% for a in event.charges %}{% for b in event.charges %}{{ a }}{{ b }}"
        "{% endfor %}{% endfor %}"
    ),
    "filter_block": "{% filter upper %}{{ victim.first_name }}{% endfilter %}",
    "tojson": "{{ victim|tojson }}",
    "map_filter": "{{ event.charges|map('upper') }}",
    "replace_empty_needle": "{{ victim.first_name.replace('', 'y'*1000) }}",
    "replace_filter": "{{ victim.first_name|replace('', 'y') }}",
    "format_filter": "{{ '%s'|format(victim) }}",
    "safe_filter": "{{ victim.first_name|safe }}",
    "getitem": "{{ victim['first_name'] }}",
    "slice": "{{ victim.first_name[::-1] }}",
    "join_attribute_keyword": "{{ event.charges|join(attribute='__class__') }}",
    "join_star_args": "{{ event.charges|join(*victim) }}",
    "loop_cycle": "{% for c in event.charges %}{{ loop.cycle('a', 'b') }}{% endfor %}",
    "autoescape_off": "{% autoescape false %}{{ victim.first_name }}{% endautoescape %}",
    "with_block": "{% with a = victim %}{{ a }}{% endwith %}",
    "dict_literal_key_leak": "{{ {}[victim.first_name] }}",
    "too_many_parts": "{{ force.name }}-" * 2_900,
    "unclosed_tags": "{{" * 20_000,
}
BENIGN = "Dear {{ victim.first_name }}, {% for c in event.charges %}{{ c }}{% endfor %}"

CHILD = r"""
import json, resource, sys

limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from fieldapp.core.templating.catalogue import load_catalogue
from fieldapp.core.templating.engine import render, validate
from fieldapp.core.templating.errors import TemplateRefused

catalogue = load_catalogue()
max_source = int(sys.argv[2])
print(json.dumps({"memory_limit": resource.getrlimit(resource.RLIMIT_AS)[0]}), flush=True)
calls = 0

def count_calls(frame, event, arg):
    global calls
    if event in ("call", "c_call"):
        calls += 1

for name, source in json.load(sys.stdin).items():
    print(json.dumps({"started": name}), flush=True)
    result = {"name": name}
    for stage in ("validate", "render"):
        calls, codes = 0, []
        sys.setprofile(count_calls)
        try:
            if stage == "validate":
                validate(source, catalogue=catalogue, max_chars=max_source)
            else:
                render(source, {}, max_chars=1000)
            outcome = "accepted"
        except TemplateRefused as refused:
            outcome, codes = "refused", [problem.code for problem in refused.problems]
        except BaseException as exc:
            outcome = type(exc).__name__
        finally:
            sys.setprofile(None)
        result[stage] = {"outcome": outcome, "codes": codes, "calls": calls}
    print(json.dumps(result), flush=True)
"""


@pytest.fixture(scope="module")
def child_results() -> dict[str, Any]:
    """Run every payload (and one benign control) through one memory-limited child process."""
    payloads = {**HOSTILE, "benign_control": BENIGN}
    command = [sys.executable, "-c", CHILD, str(MEMORY_LIMIT), str(MAX_SOURCE)]
    try:
        finished = subprocess.run(
            command,
            input=json.dumps(payloads),
            capture_output=True,
            text=True,
            cwd=REPOSITORY,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
        output, failure = finished.stdout, f"exit status {finished.returncode}"
    except subprocess.TimeoutExpired as expired:
        raw = expired.stdout or b""
        output = raw.decode() if isinstance(raw, bytes) else raw
        failure = f"timed out after {CHILD_TIMEOUT_SECONDS}s"
    results: dict[str, Any] = {"failure": failure, "last_started": None}
    for line in output.splitlines():
        record = json.loads(line)
        if "started" in record:
            results["last_started"] = record["started"]
        elif "name" in record:
            results[record["name"]] = record
        else:
            results.update(record)
    return results


def _result(child_results: dict[str, Any], name: str) -> dict[str, Any]:
    """One payload's result, failing the test if the child hung or died before reporting it."""
    if name not in child_results:
        pytest.fail(
            f"the child process gave no result for {name}: {child_results['failure']}, "
            f"last payload started: {child_results['last_started']}"
        )
    result: dict[str, Any] = child_results[name]
    return result


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_template_is_refused_cheaply_by_validate_and_render(
    name: str, child_results: dict[str, Any]
) -> None:
    result = _result(child_results, name)
    for stage in ("validate", "render"):
        assert result[stage]["outcome"] == "refused", (stage, result[stage])
        assert result[stage]["codes"], stage
        assert result[stage]["calls"] < MAX_CALLS_EACH, (stage, result[stage])


def test_child_runs_under_the_memory_limit(child_results: dict[str, Any]) -> None:
    assert child_results.get("memory_limit") == MEMORY_LIMIT


def test_child_accepts_a_benign_template(child_results: dict[str, Any]) -> None:
    result = _result(child_results, "benign_control")
    assert result["validate"]["outcome"] == "accepted"
    # The control renders with no data, so it is refused only for the data it lacks.
    assert result["render"]["outcome"] == "MissingData"


class CountingList(list[str]):
    """A list that counts how many items a render took from it."""

    taken = 0

    def __iter__(self) -> Iterator[str]:
        """Yield items, counting each."""
        for item in super().__iter__():
            self.taken += 1
            yield item


def test_validated_loop_over_huge_data_stops_at_the_cap(context: dict[str, Any]) -> None:
    charges = CountingList(["x" * 100] * 1_000_000)
    context["event"]["charges"] = charges
    source = "{% for c in event.charges %}{{ c }}{% endfor %}"
    timeless = RenderBudget(clock=lambda: 0.0)  # only the output cap may stop this render
    with pytest.raises(OutputTooLong):
        render(source, context, max_chars=918, budget=timeless)
    assert charges.taken < 20


def test_validated_join_over_huge_data_stops_at_the_cap(context: dict[str, Any]) -> None:
    context["event"]["charges"] = ["burglary"] * 100_000
    with pytest.raises(OutputTooLong):
        render("{{ event.charges|join(', ') }}", context, max_chars=918)


def test_merged_data_is_never_run_as_a_template(context: dict[str, Any]) -> None:
    context["victim"]["first_name"] = "{{ 9**9**9 }}{% include 'x' %}"
    merged = render("Dear {{ victim.first_name }}", context, max_chars=918)
    assert merged == "Dear {{ 9**9**9 }}{% include 'x' %}"
