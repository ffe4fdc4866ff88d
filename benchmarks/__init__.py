"""Benchmarks for fieldapp: gunicorn + wrk against reference endpoints in the same workers.

``make bench`` (``python -m benchmarks.run``) serves :mod:`benchmarks.reference` and reports each
endpoint's throughput as a ratio to a reference endpoint doing the same primitive work.
"""
