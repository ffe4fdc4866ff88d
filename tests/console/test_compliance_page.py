"""What the compliance page shows: week and time labels, and the order of chart series."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fieldapp.console import compliance_page
from fieldapp.core.charts import PALETTE
from fieldapp.core.weeks import Week
from fieldapp.services.compliance import Counts


def test_week_labels_name_the_days_covered() -> None:
    whole = Week(2026, 11, date(2026, 3, 9), date(2026, 3, 15))
    assert compliance_page.week_label(whole) == "2026-W11 (9 March to 15 March)"
    one_day = Week(2026, 9, date(2026, 3, 1), date(2026, 3, 1))
    assert compliance_page.week_label(one_day) == "2026-W09 (1 March)"


def test_times_are_written_in_uk_time_gov_uk_style() -> None:
    summer = datetime(2026, 6, 30, 22, 59, tzinfo=UTC)
    assert compliance_page.moment_text(summer) == "30 June 2026 at 11:59pm"
    assert compliance_page.day_text(date(2026, 3, 1)) == "1 March 2026"


def test_event_types_read_as_words() -> None:
    assert compliance_page.event_label("released_under_investigation") == (
        "Released under investigation"
    )


def test_stacked_bars_put_on_time_first_in_the_first_palette_colour() -> None:
    counts = Counts(due=9, met_on_time=4, met_late=3, missed=1, overdue=1)
    assert compliance_page.outcome_values(counts) == [4, 3, 1, 1]
    assert compliance_page.OUTCOMES[0] == ("met_on_time", "Met on time")
    assert PALETTE[0] == "#12436D"
