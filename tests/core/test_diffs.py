"""Side-by-side diffs: every row says in words what changed, with both sides' line numbers."""

from __future__ import annotations

from fieldapp.core.diffs import DiffRow, diff_parts, side_by_side


def test_identical_texts_are_all_unchanged() -> None:
    rows = side_by_side("one\ntwo", "one\ntwo")
    assert rows == (
        DiffRow("Unchanged", 1, "one", 1, "one"),
        DiffRow("Unchanged", 2, "two", 2, "two"),
    )


def test_an_inserted_line_is_added_with_only_a_new_number() -> None:
    rows = side_by_side("one\nthree", "one\ntwo\nthree")
    assert [row.change for row in rows] == ["Unchanged", "Added", "Unchanged"]
    assert rows[1] == DiffRow("Added", None, None, 2, "two")
    assert rows[2] == DiffRow("Unchanged", 2, "three", 3, "three")


def test_a_deleted_line_is_removed_with_only_an_old_number() -> None:
    rows = side_by_side("one\ntwo\nthree", "one\nthree")
    assert rows[1] == DiffRow("Removed", 2, "two", None, None)
    assert rows[2] == DiffRow("Unchanged", 3, "three", 2, "three")


def test_a_replaced_line_is_changed_side_by_side() -> None:
    rows = side_by_side("Hello\nCall me.", "Hello\nPlease call me.")
    assert rows[1] == DiffRow("Changed", 2, "Call me.", 2, "Please call me.")


def test_a_longer_replacement_pairs_lines_then_adds_the_rest() -> None:
    rows = side_by_side("a\nx\nz", "a\ny1\ny2\nz")
    assert [(r.change, r.old_number, r.new_number) for r in rows] == [
        ("Unchanged", 1, 1),
        ("Changed", 2, 2),
        ("Added", None, 3),
        ("Unchanged", 3, 4),
    ]


def test_a_shorter_replacement_pairs_lines_then_removes_the_rest() -> None:
    rows = side_by_side("a\nx1\nx2\nz", "a\ny\nz")
    assert [(r.change, r.old_number, r.new_number) for r in rows] == [
        ("Unchanged", 1, 1),
        ("Changed", 2, 2),
        ("Removed", 3, None),
        ("Unchanged", 4, 3),
    ]


def test_no_old_text_makes_every_line_added() -> None:
    rows = side_by_side(None, "a\nb")
    assert [row.change for row in rows] == ["Added", "Added"]


def test_blank_lines_keep_their_numbers() -> None:
    rows = side_by_side("a\n\nb", "a\n\nc")
    assert rows[1] == DiffRow("Unchanged", 2, "", 2, "")
    assert rows[2] == DiffRow("Changed", 3, "b", 3, "c")


def test_parts_skip_what_neither_side_has_and_count_changes() -> None:
    parts = diff_parts(
        {"Subject": None, "Body": "a\nb"},
        {"Subject": None, "Body": "a\nc\nd"},
    )
    assert [part.name for part in parts] == ["Body"]
    body = parts[0]
    assert body.changed
    assert (body.count("Changed"), body.count("Added"), body.count("Unchanged")) == (1, 1, 1)


def test_an_unchanged_part_says_so() -> None:
    (subject,) = diff_parts({"Subject": "Hi"}, {"Subject": "Hi"})
    assert not subject.changed
