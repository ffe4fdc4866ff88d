"""The allow-list a template's syntax tree must pass, and the cheap checks run before parsing.

Everything not named here is refused with a problem naming the construct and its line: calls,
``set``, macros, include/import/extends, square brackets, arithmetic, ``~`` and the rest.
The walk is iterative and counts nodes, so no template can make it recurse or run long.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jinja2 import nodes

from fieldapp.core.templating.catalogue import Catalogue
from fieldapp.core.templating.errors import Problem, TemplateRefused

MAX_SOURCE_CHARS = 100_000
MAX_NESTING = 12
MAX_NODES = 5_000
# Compiling walks the tree recursively, so a long chain such as x|upper|upper|... must stop here.
MAX_TREE_DEPTH = 40
MAX_LITERAL_CHARS = 500
MAX_LIST_ITEMS = 50
LOOP_ATTRIBUTES = frozenset(("index", "index0", "first", "last", "length", "revindex", "revindex0"))
_BLOCK_TAGS = frozenset(
    ("if", "for", "macro", "call", "filter", "block", "with", "autoescape", "raw", "trans")
)
_PASS_THROUGH = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.If, nodes.Compare, nodes.Operand,
    nodes.And, nodes.Or, nodes.Not, nodes.CondExpr,
)  # fmt: skip
_REFUSED: tuple[tuple[tuple[type[nodes.Node], ...], str, str], ...] = (
    ((nodes.Call,), "call", "calling a function or method is not allowed"),
    ((nodes.Assign, nodes.AssignBlock), "set", "{% set %} is not allowed"),
    ((nodes.Macro, nodes.CallBlock), "macro", "macros and {% call %} are not allowed"),
    ((nodes.FilterBlock,), "filter_block", "{% filter %} blocks are not allowed"),
    ((nodes.With,), "with", "{% with %} is not allowed"),
    (
        (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block),
        "include",
        "a template cannot include, import or extend another, or define blocks",
    ),
    ((nodes.Getitem, nodes.Slice), "subscript", "square brackets are not allowed: use a.b"),
    ((nodes.Concat,), "concatenation", "~ is not allowed: write the parts side by side"),
    ((nodes.BinExpr, nodes.Neg, nodes.Pos), "arithmetic", "arithmetic is not allowed"),
    ((nodes.Dict, nodes.Pair), "dict", "dictionaries are not allowed"),
    ((nodes.Keyword,), "keyword_argument", "keyword arguments are not allowed"),
)


def nesting_problem(source: str) -> Problem | None:
    """A linear scan for brackets or blocks nested deeper than ``MAX_NESTING``, before parsing."""
    brackets = blocks = 0
    line = 1
    in_tag = False
    quote = ""
    index, end = 0, len(source)
    while index < end:
        char = source[index]
        line += char == "\n"
        if not in_tag:
            if char == "{" and source[index + 1 : index + 2] in ("{", "%"):
                in_tag, brackets = True, 0
                if source[index + 1] == "%":
                    blocks = _count_block(source, index + 2, blocks)
                index += 1
        elif quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char in "([{":
            brackets += 1
        elif char in ")]}" and brackets:
            brackets -= 1
        elif char in "}%" and source[index + 1 : index + 2] == "}":
            in_tag = False
            index += 1
        if brackets > MAX_NESTING or blocks > MAX_NESTING:
            message = f"the template is nested more than {MAX_NESTING} deep"
            return Problem("too_deeply_nested", message, line)
        index += 1
    return None


def _count_block(source: str, start: int, depth: int) -> int:
    """The block depth after the tag starting at ``start`` (its first word opens or closes)."""
    word = source[start : start + 24].lstrip(" \t\r\n-+").split(None, 1)
    name = word[0].rstrip("%}-+") if word else ""
    if name in _BLOCK_TAGS:
        return depth + 1
    if name.startswith("end"):
        return max(depth - 1, 0)
    return depth


@dataclass(frozen=True)
class _Scope:
    """Where a node sits: inside a for loop, and the loop's item name when ``loop`` is usable."""

    in_loop: bool = False
    target: str | None = None


class _Walk:
    """One walk of a tree: the problems found and the merge fields used."""

    def __init__(
        self, catalogue: Catalogue | None, filters: Mapping[str, int], tests: frozenset[str]
    ) -> None:
        self.catalogue = catalogue
        self.filters = filters
        self.tests = tests
        self.roots = frozenset() if catalogue is None else catalogue.roots
        self.problems: list[Problem] = []
        self.fields: set[str] = set()

    def refuse(self, node: nodes.Node, code: str, message: str) -> None:
        """Note a problem at the node's line."""
        self.problems.append(Problem(code, message, getattr(node, "lineno", None)))

    def run(self, tree: nodes.Template) -> None:
        """Visit every node without recursion, stopping at ``MAX_NODES``."""
        stack: list[tuple[nodes.Node, _Scope, int]] = [(tree, _Scope(), 0)]
        count = 0
        while stack:
            node, scope, depth = stack.pop()
            count += 1
            if count > MAX_NODES:
                self.refuse(node, "too_complex", f"the template has more than {MAX_NODES} parts")
                return
            if depth > MAX_TREE_DEPTH:
                self.refuse(node, "too_complex", "the template is nested too deeply")
                return
            children = self.visit(node, scope)
            stack.extend((child, inner, depth + 1) for child, inner in reversed(list(children)))

    def visit(self, node: nodes.Node, scope: _Scope) -> Iterable[tuple[nodes.Node, _Scope]]:
        """Check one node; the children still to visit, with their scope."""
        if isinstance(node, _PASS_THROUGH):
            return [(child, scope) for child in node.iter_child_nodes()]
        if isinstance(node, nodes.Const):
            self.check_const(node)
        elif isinstance(node, nodes.List | nodes.Tuple):
            self.check_literal_list(node)
        elif isinstance(node, nodes.Name):
            self.check_name(node, scope)
        elif isinstance(node, nodes.Getattr):
            self.check_field(node, scope)
        elif isinstance(node, nodes.Filter | nodes.Test):
            return self.check_filter_or_test(node, scope)
        elif isinstance(node, nodes.For):
            return self.check_for(node, scope)
        else:
            self.refuse(node, *_refusal(node))
        return []

    def check_const(self, node: nodes.Const) -> None:
        """Literals: short strings, numbers, booleans and none."""
        value = node.value
        if not isinstance(value, str | int | float | bool | None):
            self.refuse(node, "literal", "only text, number, true/false and none literals")
        elif isinstance(value, str) and len(value) > MAX_LITERAL_CHARS:
            self.refuse(node, "literal", f"text in quotes is limited to {MAX_LITERAL_CHARS}")

    def check_literal_list(self, node: nodes.List | nodes.Tuple) -> None:
        """A short list of literals, for ``in``."""
        if len(node.items) > MAX_LIST_ITEMS:
            self.refuse(node, "literal", f"lists are limited to {MAX_LIST_ITEMS} items")
        for item in node.items:
            if isinstance(item, nodes.Const):
                self.check_const(item)
            else:
                self.refuse(item, "literal", "lists may hold only literals")

    def check_name(self, node: nodes.Name, scope: _Scope) -> None:
        """A bare name: only the current loop's item."""
        if node.name == scope.target and node.ctx == "load":
            return
        if node.name.startswith("_"):
            self.refuse(node, "private_name", "names starting with _ are not allowed")
        elif node.name == "loop" and scope.target is not None:
            self.refuse(node, "unknown_field", "use loop.index, loop.first or loop.last")
        else:
            self.refuse(node, "unknown_field", f"{node.name} is not a merge field")

    def check_field(self, node: nodes.Getattr, scope: _Scope) -> str | None:
        """A dotted name: a catalogue field, or ``loop.<attribute>`` in a loop; its name."""
        parts: list[str] = []
        base: nodes.Node = node
        while isinstance(base, nodes.Getattr):
            parts.insert(0, base.attr)
            base = base.node
        if not isinstance(base, nodes.Name):
            self.refuse(node, "attribute", "a dot may only follow a merge field name")
            return None
        dotted = ".".join((base.name, *parts))
        if any(part.startswith("_") for part in (base.name, *parts)):
            self.refuse(node, "private_name", "names starting with _ are not allowed")
        elif base.name == "loop" and scope.target is not None:
            if len(parts) != 1 or parts[0] not in LOOP_ATTRIBUTES:
                self.refuse(node, "unknown_field", f"{dotted} is not available in a loop")
        elif base.name == scope.target or (self.catalogue and dotted not in self.catalogue):
            self.refuse(node, "unknown_field", f"{dotted} is not a merge field")
        else:
            self.fields.add(dotted)
            return dotted
        return None

    def check_filter_or_test(
        self, node: nodes.Filter | nodes.Test, scope: _Scope
    ) -> list[tuple[nodes.Node, _Scope]]:
        """An allow-listed filter or test, with only literal positional arguments."""
        kind = "filter" if isinstance(node, nodes.Filter) else "test"
        allowed = self.filters.get(node.name) if kind == "filter" else None
        if node.node is None:
            self.refuse(node, "filter_block", "{% filter %} blocks are not allowed")
            return []
        if allowed is None and not (kind == "test" and node.name in self.tests):
            self.refuse(node, kind, f"the {kind} '{node.name}' is not allowed")
            return []
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            self.refuse(node, "keyword_argument", f"'{node.name}' takes only plain arguments")
        elif allowed is not None and len(node.args) > allowed:
            self.refuse(node, kind, f"'{node.name}' takes at most {allowed} arguments")
        elif not all(isinstance(arg, nodes.Const | nodes.List | nodes.Tuple) for arg in node.args):
            self.refuse(node, kind, f"the arguments of '{node.name}' must be literals")
            return [(node.node, scope)]
        return [(node.node, scope), *((arg, scope) for arg in node.args)]

    def check_for(self, node: nodes.For, scope: _Scope) -> list[tuple[nodes.Node, _Scope]]:
        """A loop over a list merge field: not nested, not recursive, no inline condition."""
        target = node.target.name if isinstance(node.target, nodes.Name) else None
        if scope.in_loop:
            self.refuse(node, "nested_loop", "a for loop cannot be inside another")
        elif node.recursive or node.test is not None:
            self.refuse(node, "loop", "recursive loops and 'for ... if' are not allowed")
        elif target is None or target.startswith("_") or target in {"loop", *self.roots}:
            self.refuse(node, "loop", "the loop item needs a plain name of its own")
        elif not isinstance(node.iter, nodes.Getattr):
            self.refuse(node, "loop", "a for loop must go over a list merge field")
        else:
            name = self.check_field(node.iter, scope)
            spec = None if self.catalogue is None or name is None else self.catalogue.fields[name]
            if spec is not None and spec.type != "list":
                self.refuse(node, "loop", f"{name} is not a list")
        inner = _Scope(in_loop=True, target=target)
        return [(child, inner) for child in node.body] + [
            (child, _Scope(in_loop=True)) for child in node.else_
        ]


def _refusal(node: nodes.Node) -> tuple[str, str]:
    """The problem code and message for a construct outside the allow-list."""
    for kinds, code, message in _REFUSED:
        if isinstance(node, kinds):
            return code, message
    return "not_allowed", f"{type(node).__name__} is not allowed in a template"


def check_tree(
    tree: nodes.Template,
    *,
    catalogue: Catalogue | None,
    filters: Mapping[str, int],
    tests: frozenset[str],
) -> frozenset[str]:
    """The merge fields a parsed template uses; ``TemplateRefused`` if it leaves the allow-list.

    With no catalogue, any dotted name passes (the structure is still checked): ``render`` uses
    this on sources it is handed, so that it never compiles an unsafe tree.
    """
    walk = _Walk(catalogue, filters, tests)
    walk.run(tree)
    if walk.problems:
        raise TemplateRefused(sorted(walk.problems, key=lambda p: p.line or 0))
    return frozenset(walk.fields)
