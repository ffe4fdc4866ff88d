"""Run the schemathesis CLI after parsing its coverage module once at a shallow stack.

CPython 3.11's ``ast.parse`` can raise "SystemError: AST constructor recursion depth
mismatch" when called deep in a stack. Hypothesis parses the source of any module whose
lambdas it describes, and schemathesis' coverage phase makes it do so for its own large
``coverage/_schema.py`` from deep inside a generator. Parsing that file first, here at the top
of the stack, into a parse cache shared by all threads (Hypothesis' own is per thread, and
schemathesis runs its workers in threads) keeps the interpreter bug out of the run. Test
tooling only; nothing in fieldapp depends on it.
"""

from __future__ import annotations

import ast
import linecache
import sys

from hypothesis.internal import lambda_sources
from schemathesis.cli import schemathesis
from schemathesis.specs.openapi.coverage import _schema


def prewarm(path: str) -> None:
    """Parse a module's source into a shared lambda cache, keyed as Hypothesis keys it."""
    shared: dict[tuple[str, ...], list[ast.Lambda]] = {}
    lines = tuple(linecache.getlines(path))
    if lines:
        shared[lines] = lambda_sources.extract_all_lambdas(ast.parse("".join(lines)))
    # A plain dict: one cache for every worker thread; other files are parsed and added as usual.
    lambda_sources.AST_LAMBDAS_CACHE = shared  # type: ignore[assignment]


if __name__ == "__main__":
    prewarm(_schema.__file__)
    sys.exit(schemathesis())
