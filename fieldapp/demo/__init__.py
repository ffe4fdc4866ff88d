"""Demo data for ``make run``: accounts (``accounts``), cases (``cases``) and ``flask demo``."""
