"""Sample the audit sealer's lag on a database while a benchmark runs against it.

``.venv/bin/python -m benchmarks.sealer_lag --seconds 120`` (``FIELDAPP_BENCH_DATABASE_URL``)
looks every half second at the oldest unsealed audit record and prints the p50, p99 and maximum
of its age (seconds) over the samples taken while the tables existed. Read-only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading

import psycopg

from benchmarks.instance import postgres_conninfo
from benchmarks.tamper import DEFAULT_URL

LAG = """
SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - MIN(r.occurred_at)), 0)
FROM audit_records r WHERE NOT EXISTS (SELECT 1 FROM audit_seals s WHERE s.record_seq = r.seq)
"""


def sample(url: str, seconds: float, every: float = 0.5) -> list[float]:
    """The unsealed lag, sampled every ``every`` seconds for ``seconds``."""
    samples: list[float] = []
    pause = threading.Event()
    for _ in range(int(seconds / every)):
        try:
            with psycopg.connect(postgres_conninfo(url), autocommit=True) as connection:
                row = connection.execute(LAG).fetchone()
                samples.append(float(row[0]) if row else 0.0)
        except psycopg.Error:
            pass  # the benchmark is recreating the schema
        pause.wait(every)
    return samples


def main() -> int:
    """Sample and print the lag's percentiles."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args()
    samples = sample(os.environ.get("FIELDAPP_BENCH_DATABASE_URL", DEFAULT_URL), args.seconds)
    if len(samples) < 2:
        print("no samples")
        return 1
    cuts = statistics.quantiles(samples, n=100)
    print(f"sealer lag over {len(samples)} samples: p50 {cuts[49]:.2f} s, p99 {cuts[98]:.2f} s, "
          f"max {max(samples):.2f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
