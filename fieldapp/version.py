"""fieldapp's one version number: the package's, the OpenAPI document's and the connector's.

Semantic versioning of the public API (``/api/v1``): a minor release adds, a major one breaks.
pyproject.toml reads it from here (``dynamic = ["version"]``); CHANGELOG.md says what changed.
"""

__version__ = "1.1.0"
