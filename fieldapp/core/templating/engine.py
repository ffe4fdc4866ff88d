"""The sandboxed template engine: validate a supervisor's source, then render it with data.

Templates are untrusted code (docs/security.md, section 1). ``validate`` never compiles: it
checks the source's size and nesting by a linear scan, parses it (parsing folds no constants)
and walks the tree against an allow-list. ``render`` compiles only a tree that passes the same
walk, streams the output under a length cap, and turns absent data into ``MissingData`` naming
the fields.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Generator, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NoReturn

from jinja2 import Template, TemplateSyntaxError, Undefined, UndefinedError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from fieldapp.core.templating.allowlist import MAX_SOURCE_CHARS, check_tree, nesting_problem
from fieldapp.core.templating.budget import DEFAULT_BUDGET, RenderBudget
from fieldapp.core.templating.catalogue import Catalogue
from fieldapp.core.templating.errors import (
    MissingData,
    OutputTooLong,
    Problem,
    TemplateRefused,
    TemplatingError,
)

# Filters a template may use, with how many positional (literal) arguments each may take.
FILTER_ARGUMENTS: Mapping[str, int] = {
    "upper": 0,
    "lower": 0,
    "capitalize": 0,
    "title": 0,
    "trim": 1,
    "default": 2,
    "join": 1,
    "first": 0,
    "last": 0,
    "length": 0,
}
TESTS = frozenset(
    ("defined", "undefined", "none", "string", "number", "in", "eq", "ne", "lt", "gt", "le", "ge")
)
CACHE_SIZE = 256


@dataclass
class _RenderState:
    """What one render has learned: the fields it needed and lacked, and where each part lives."""

    paths: dict[int, str]
    missing: set[str] = field(default_factory=set)


_STATE: ContextVar[_RenderState | None] = ContextVar("templating_render_state", default=None)


class AbsentData(Undefined):
    """A merge field the data lacks: false in ``if``, and recorded when a render needs it.

    As strict as ``StrictUndefined``: printing, looping over, measuring or comparing it records
    the field, and the render then fails with ``MissingData``. Only ``if``, ``is defined`` and
    ``default`` may use it quietly.
    """

    __slots__ = ()

    def __bool__(self) -> bool:
        """Absent data is false, so ``{% if event.answer_bail_on %}`` can guard it."""
        return False

    def _needed(self) -> bool:
        """Record the field as missing; False for a nameless undefined (an empty list's first)."""
        state = _STATE.get()
        if self._undefined_name is None:
            return False
        if state is None:
            self._fail_with_undefined_error()
        state.missing.add(self._undefined_name)
        return True

    def __str__(self) -> str:
        """Recorded; renders as nothing (the render then fails with ``MissingData``)."""
        self._needed()
        return ""

    def __iter__(self) -> Iterator[Any]:
        """Recorded; iterates as empty."""
        self._needed()
        return iter(())

    def __len__(self) -> int:
        """Recorded; counts as empty."""
        self._needed()
        return 0

    def __eq__(self, other: object) -> bool:
        """Recorded; equal to nothing."""
        self._needed()
        return False

    def __ne__(self, other: object) -> bool:
        """Recorded; unequal to everything."""
        self._needed()
        return True

    def __contains__(self, item: object) -> bool:
        """Recorded; contains nothing."""
        self._needed()
        return False

    def __hash__(self) -> int:
        """Hashable like plain ``Undefined``."""
        return id(type(self))

    def _compare(self, *args: Any, **kwargs: Any) -> NoReturn:
        """Recorded; ordering needs a value, so the render stops here."""
        self._needed()
        self._fail_with_undefined_error()

    __lt__ = __le__ = __gt__ = __ge__ = _compare


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox; on plain data, ``a.b`` only ever reads the key ``b``."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Read a merge field, never a method of the dict holding it."""
        if type(obj) is dict and attribute in obj:  # the usual case, checked cheaply first
            return obj[attribute]
        if isinstance(obj, Undefined):
            parent = obj._undefined_name
            return self.undefined(name=attribute if parent is None else f"{parent}.{attribute}")
        if isinstance(obj, Mapping):
            if attribute in obj:
                return obj[attribute]
            state = _STATE.get()
            root = None if state is None else state.paths.get(id(obj))
            return self.undefined(name=attribute if root is None else f"{root}.{attribute}")
        return super().getattr(obj, attribute)


def _environment(*, html: bool) -> _Sandbox:
    """A sandbox with no loader, no globals, and only the allow-listed filters and tests."""
    env = _Sandbox(
        loader=None,
        undefined=AbsentData,
        autoescape=html,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        cache_size=0,
        auto_reload=False,
    )
    env.globals.clear()
    env.filters = {name: env.filters[name] for name in FILTER_ARGUMENTS}
    env.tests = {name: env.tests[name] for name in TESTS}
    return env


_ENVIRONMENTS = {False: _environment(html=False), True: _environment(html=True)}


class TemplateCache:
    """A bounded, thread-safe LRU of compiled templates keyed by (cache key, html)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[tuple[str, bool], Template] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, bool]) -> Template | None:
        """The compiled template for ``key``, marked as recently used."""
        with self._lock:
            template = self._items.get(key)
            if template is not None:
                self._items.move_to_end(key)
            return template

    def put(self, key: tuple[str, bool], template: Template) -> None:
        """Keep a compiled template, dropping the least recently used past ``maxsize``."""
        with self._lock:
            self._items[key] = template
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)

    def clear(self) -> None:
        """Forget every compiled template."""
        with self._lock:
            self._items.clear()

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` has a compiled template."""
        with self._lock:
            return key in self._items

    def __len__(self) -> int:
        """How many compiled templates are kept."""
        with self._lock:
            return len(self._items)


TEMPLATE_CACHE = TemplateCache(CACHE_SIZE)


def _parse(source: str, max_chars: int) -> nodes.Template:
    """Parse a source that passes the cheap size and nesting checks; never compile it."""
    limit = min(max_chars, MAX_SOURCE_CHARS)
    if len(source) > limit:
        message = f"the template is longer than {limit} characters"
        raise TemplateRefused([Problem("source_too_long", message)])
    problem = nesting_problem(source)
    if problem is not None:
        raise TemplateRefused([problem])
    try:
        return _ENVIRONMENTS[False].parse(source)
    except TemplateSyntaxError as exc:
        message = f"the template is not valid: {exc.message or 'syntax error'}"[:300]
        raise TemplateRefused([Problem("syntax_error", message, exc.lineno)]) from None
    except (RecursionError, ValueError, OverflowError):
        message = "the template is too deeply nested or has a literal that is too large"
        raise TemplateRefused([Problem("too_complex", message)]) from None


def validate(source: str, *, catalogue: Catalogue, max_chars: int) -> frozenset[str]:
    """The dotted merge fields a source uses; ``TemplateRefused`` listing every problem."""
    tree = _parse(source, max_chars)
    return check_tree(tree, catalogue=catalogue, filters=FILTER_ARGUMENTS, tests=TESTS)


#: Changes a checked tree before it is compiled; it may only rewrite text (``TemplateData``).
TreeTransform = Callable[[nodes.Template], None]


def _compiled(
    source: str, cache_key: str | None, html: bool, transform: TreeTransform | None = None
) -> Template:
    """The compiled template, from the cache when ``cache_key`` has been seen."""
    key = None if cache_key is None or transform is not None else (cache_key, html)
    template = None if key is None else TEMPLATE_CACHE.get(key)
    if template is None:
        tree = _parse(source, MAX_SOURCE_CHARS)
        check_tree(tree, catalogue=None, filters=FILTER_ARGUMENTS, tests=TESTS)
        if transform is not None:
            transform(tree)
        try:
            template = _ENVIRONMENTS[html].from_string(tree)
        except (RecursionError, SyntaxError, MemoryError):
            message = "the template is too complex to prepare"
            raise TemplateRefused([Problem("too_complex", message)]) from None
        if key is not None:
            TEMPLATE_CACHE.put(key, template)
    return template


def render(
    source: str,
    context: Mapping[str, Any],
    *,
    max_chars: int,
    cache_key: str | None = None,
    html: bool = False,
    budget: RenderBudget = DEFAULT_BUDGET,
    transform: TreeTransform | None = None,
) -> str:
    """Merge a validated source with a context: at most ``max_chars`` characters of output,
    within ``budget`` (time and chunks, checked as the output streams).

    ``transform`` rewrites the checked tree's text before compiling (never cached): tracing
    which source line each output line came from marks the text this way.
    """
    template = _compiled(source, cache_key, html, transform)
    paths = {id(part): root for root, part in context.items() if type(part) is dict}
    state = _RenderState(paths=paths)
    token = _STATE.set(state)
    # The render function itself, streamed: Template.generate() only adds a generator layer.
    stream = template.root_render_func(template.new_context(dict(context)))
    chunks: list[str] = []
    size = 0
    meter = budget.meter()
    try:
        for chunk in stream:
            meter.spend()
            size += len(chunk)
            if size > max_chars:
                raise OutputTooLong(max_chars)
            chunks.append(chunk)
    except TemplatingError:
        raise
    except UndefinedError as exc:
        if not state.missing:
            raise _render_failed(exc, template) from None
    except Exception as exc:
        raise _render_failed(exc, template) from None
    finally:
        if isinstance(stream, Generator):
            stream.close()
        _STATE.reset(token)
    if state.missing:
        raise MissingData(state.missing)
    return "".join(chunks)


def _render_failed(exc: BaseException, template: Template) -> TemplateRefused:
    """A render error named by its kind and template line, never by its (data-bearing) text."""
    message = f"the template could not be merged ({type(exc).__name__})"
    line = _template_line(exc.__traceback__, template)
    return TemplateRefused([Problem("render_failed", message, line)])


def _template_line(tb: TracebackType | None, template: Template) -> int | None:
    """The template line an exception was raised on, from the compiled code's line map."""
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return line
