"""In-process: fieldapp's render path against a bare sandboxed Jinja loop, on one template.

``python -m benchmarks.render`` (``make bench-render``) renders the built-in ``arrested-sms-en``
(``message_templates/``) with the sample merge context ``--messages`` times (10,000)
two ways:

- **fieldapp**: :func:`fieldapp.core.templating.check.render_wording` with a cache key, as a
  preview or a send does: the compiled template from the engine's cache, the render state, the
  streamed output under its length cap, and the SMS normalisation;
- **bare**: ``ImmutableSandboxedEnvironment().from_string(source)`` once, then ``.render(context)``.

Each way is warmed up, then timed ``--repeats`` times (5), interleaved; the medians and the ratio
bare / fieldapp (1.0: as fast) are printed and written to
``benchmarks/results/<timestamp>-render.json``. No server, no database, no wrk.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from benchmarks.report import RESULTS_DIR
from benchmarks.settings import REPO_ROOT, parse_positive
from fieldapp.core.templating.check import Wording, render_wording, sample_context
from fieldapp.core.templating.library import LIBRARY_DIRECTORY, LibraryTemplate, load_library

TEMPLATE_KEY = "arrested-sms-en"
#: The cache key fieldapp's preview would use is the version's content hash; any fixed key will do.
CACHE_KEY = f"benchmarks.render:{TEMPLATE_KEY}"
MESSAGES = 10_000
REPEATS = 5
#: The warm-up renders each way before timing (the first fills fieldapp's template cache).
WARMUP_MESSAGES = 1_000

Loop = Callable[[int], None]


def library_template(key: str) -> LibraryTemplate:
    """A built-in library template by key."""
    for item in load_library(LIBRARY_DIRECTORY):
        if item.key == key:
            return item
    raise SystemExit(f"no built-in template {key!r} in {LIBRARY_DIRECTORY}")


def fieldapp_loop(template: LibraryTemplate, context: Mapping[str, Any]) -> Loop:
    """Render through fieldapp's path, with a cache key, ``n`` times."""
    wording = Wording(template.channel, template.language, template.body, template.subject)

    def loop(n: int) -> None:
        for _ in range(n):
            render_wording(wording, context, cache_key=CACHE_KEY)

    return loop


def bare_loop(template: LibraryTemplate, context: Mapping[str, Any]) -> Loop:
    """Compile once in a plain sandbox, then render ``n`` times."""
    compiled = ImmutableSandboxedEnvironment().from_string(template.body)

    def loop(n: int) -> None:
        for _ in range(n):
            compiled.render(context)

    return loop


def timed(loop: Loop, n: int) -> float:
    """Seconds to run ``loop(n)``, with the garbage collector paused (as timeit does)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        loop(n)
        return time.perf_counter() - started
    finally:
        if collecting:
            gc.enable()


def measure(loops: Mapping[str, Loop], messages: int, repeats: int) -> dict[str, list[float]]:
    """Warm each loop up, then time each ``repeats`` times, alternating which goes first."""
    for loop in loops.values():
        loop(min(WARMUP_MESSAGES, messages))
    times: dict[str, list[float]] = {name: [] for name in loops}
    names = list(loops)
    for number in range(repeats):
        order = names if number % 2 == 0 else names[::-1]
        for name in order:
            times[name].append(timed(loops[name], messages))
    return times


def check_same_words(template: LibraryTemplate, context: Mapping[str, Any]) -> None:
    """Stop unless both ways merge the same words (whitespace aside), so both do the same work."""
    wording = Wording(template.channel, template.language, template.body, template.subject)
    ours = render_wording(wording, context, cache_key=CACHE_KEY).body.split()
    bare = ImmutableSandboxedEnvironment().from_string(template.body).render(context).split()
    if not ours or ours != bare:
        raise SystemExit(f"the two ways merge different text:\n{ours}\n{bare}")


def build_report(
    started: datetime, messages: int, repeats: int, times: Mapping[str, list[float]]
) -> dict[str, Any]:
    """The JSON report: every timing, the medians and the ratio."""
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "benchmark": "render",
        "template": TEMPLATE_KEY,
        "messages": messages,
        "repeats": repeats,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "jinja2": jinja2.__version__,
        },
        "seconds": {name: [round(t, 6) for t in values] for name, values in times.items()},
        "median_seconds": {name: round(value, 6) for name, value in medians.items()},
        "microseconds_per_message": {
            name: round(value / messages * 1e6, 2) for name, value in medians.items()
        },
        "ratio_bare_to_fieldapp": round(medians["bare"] / medians["fieldapp"], 4),
    }


def write_report(report: Mapping[str, Any]) -> Path:
    """Save the report as ``benchmarks/results/<timestamp>-render.json``."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromisoformat(report["started_at"]).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}-render.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


def format_report(report: Mapping[str, Any]) -> str:
    """The medians and the ratio as plain text."""
    heading = f"{report['messages']:,} renders of {report['template']}"
    lines = [f"{heading}, median of {report['repeats']} timings"]
    for name in ("fieldapp", "bare"):
        seconds = report["median_seconds"][name]
        per = report["microseconds_per_message"][name]
        lines.append(f"  {name:<9} {seconds:8.3f} s  ({per:.1f} us per message)")
    lines.append(f"  ratio bare / fieldapp: {report['ratio_bare_to_fieldapp']:.2f} (1.0 = as fast)")
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line: how many messages per timing, and how many timings."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.render",
        description="Time fieldapp's template render path against a bare sandboxed Jinja loop.",
    )
    parser.add_argument("--messages", type=parse_positive, default=MESSAGES, help="per timing")
    parser.add_argument("--repeats", type=parse_positive, default=REPEATS, help="timings each")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Time both ways, print the medians and the ratio, and save the JSON report."""
    args = parse_args(argv)
    started = datetime.now(UTC)
    template = library_template(TEMPLATE_KEY)
    context = sample_context(template.language)
    check_same_words(template, context)
    loops = {"fieldapp": fieldapp_loop(template, context), "bare": bare_loop(template, context)}
    times = measure(loops, args.messages, args.repeats)
    report = build_report(started, args.messages, args.repeats, times)
    print(format_report(report))
    print(f"\nsaved {write_report(report).relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
