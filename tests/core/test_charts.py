"""Chart geometry: round scales, stacked segments that add up, columns on a fixed 0-100 scale."""

from __future__ import annotations

import ast
from importlib import resources

import pytest

from fieldapp.core import charts
from fieldapp.core.charts import nice_step, nice_ticks, percent_column_chart, stacked_bar_chart


@pytest.mark.parametrize(
    ("maximum", "step"),
    [(0, 1.0), (4, 1.0), (9, 2.0), (10, 2.0), (23, 5.0), (48, 10.0), (130, 50.0), (1000, 200.0)],
)
def test_steps_are_one_two_or_five_times_a_power_of_ten(maximum: float, step: float) -> None:
    assert nice_step(maximum) == step


def test_ticks_start_at_zero_and_reach_past_the_maximum_in_whole_counts() -> None:
    assert nice_ticks(23) == [0, 5, 10, 15, 20, 25]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(0.4, whole=False) == [0, 0.1, 0.2, 0.3, 0.4]


def test_stacked_segments_sit_end_to_end_on_one_scale() -> None:
    chart = stacked_bar_chart(
        [("North", [6, 2, 0, 2]), ("South", [20, 0, 0, 0])],
        width=600, label_width=150, total_width=50,
    )  # fmt: skip
    assert [t.value for t in chart.ticks] == [0, 5, 10, 15, 20]
    assert chart.plot_left == 150 and chart.plot_width == 400  # 20 units at 20 per unit
    north, south = chart.bars
    assert [(s.x, s.width) for s in north.segments] == [
        (150, 120), (270, 40), (310, 0), (310, 40)
    ]  # fmt: skip
    assert north.total == 10 and north.total_x == 356
    assert south.segments[0].width == 400 and south.total_x == 556
    assert north.y == 12 and south.y == 50  # gap 12, bars 26 high
    assert chart.plot_bottom == 88 and chart.height == 116
    # The last tick sits at the right end of the plot.
    assert chart.ticks[-1].position == 550


def test_values_are_written_only_inside_segments_wide_enough() -> None:
    chart = stacked_bar_chart([("A", [100, 1, 0])], width=500, label_width=100, total_width=0)
    wide, narrow, empty = chart.bars[0].segments
    assert wide.show_value and wide.text_x == pytest.approx(wide.x + wide.width / 2, abs=0.1)
    assert not narrow.show_value  # 4 units wide: "1" would not fit
    assert not empty.show_value


def test_an_empty_chart_has_a_scale_and_no_bars() -> None:
    chart = stacked_bar_chart([])
    assert chart.bars == () and [t.value for t in chart.ticks] == [0, 1]


def test_long_labels_are_shortened_with_an_ellipsis() -> None:
    chart = stacked_bar_chart([("Northtown Neighbourhood Policing Team", [1])], label_limit=12)
    assert chart.bars[0].label == "Northtown N…"
    assert charts.shorten("Short", 12) == "Short"


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="zero or more"):
        stacked_bar_chart([("A", [-1])])


def test_columns_share_a_fixed_percentage_scale() -> None:
    chart = percent_column_chart(
        [("W10", 100.0), ("W11", 50.0), ("W12", None), ("W13", 0.0)],
        width=448, axis_width=48, plot_height=200, top_margin=20, gap_share=0.5,
    )  # fmt: skip
    full, half, missing, zero = chart.columns
    assert chart.plot_left == 48 and chart.plot_right == 440  # slot 98, bar 49
    assert (full.x, full.width, full.y, full.height) == (72.5, 49, 20, 200)
    assert (half.y, half.height) == (120, 100)
    assert (missing.height, missing.value_text) == (0, "none")
    assert (zero.height, zero.value_text) == (0, "0%")
    assert full.value_text == "100%" and half.value_text == "50%"
    assert [(t.text, t.position) for t in chart.ticks] == [
        ("0%", 220), ("25%", 170), ("50%", 120), ("75%", 70), ("100%", 20)
    ]  # fmt: skip
    assert chart.plot_bottom == 220 and chart.label_y == 240


def test_crowded_columns_label_every_few_and_drop_their_values() -> None:
    weeks = [(f"W{n:02d}", 50.0) for n in range(1, 54)]
    chart = percent_column_chart(weeks, width=640)
    shown = [column.label for column in chart.columns if column.show_label]
    assert shown[:3] == ["W01", "W04", "W07"]
    assert not any(column.show_value for column in chart.columns)
    few = percent_column_chart(weeks[:4], width=640)
    assert all(c.show_label and c.show_value for c in few.columns)


def test_percentages_outside_0_to_100_are_refused() -> None:
    with pytest.raises(ValueError, match="0 to 100"):
        percent_column_chart([("W1", 101.0)])


def test_palette_is_the_analysis_function_categorical_order() -> None:
    assert charts.PALETTE == ("#12436D", "#28A197", "#801650", "#F46A25")
    assert len(charts.TEXT_ON) == len(charts.PALETTE)


def test_the_module_is_pure() -> None:
    source = resources.files("fieldapp.core").joinpath("charts.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= {"__future__", "math", "collections", "dataclasses"}
