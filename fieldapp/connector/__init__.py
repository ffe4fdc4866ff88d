"""The Power Platform custom connector: its curated surface, the Swagger 2.0 conversion,
the certification lint, the definition built from them, and where it is served and written.

``surface``, ``swagger2``, ``lint`` and ``definition`` are pure (plain dicts in and out, no
Flask); ``blueprint`` serves the files at /connector/... and ``commands`` adds
``flask --app wsgi connector write``, which regenerates the committed ``connector/`` files.
"""
