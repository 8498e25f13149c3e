"""The suggestion repository: the same behaviour in memory and on DynamoDB Local."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.suggestions import AttemptWindow, BoxOpening, Suggestion, SuggestionKind, SuggestionStatus

NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
ALL = tuple(SuggestionStatus)


def suggestion(n: int, hall: str = "A01", **fields) -> Suggestion:
    values = {
        "id": f"s{n:03d}",
        "tracking_no": f"TS20261124-AAAA{n:04d}",
        "hall_code": hall,
        "kind": SuggestionKind.suggestion,
        "content": f"第{n}条 <b>内容</b>",
        "created_at": NOW + timedelta(seconds=n, microseconds=0 if n % 2 else 500),
        **fields,
    }
    return Suggestion(**values)


def test_a_suggestion_reads_back_equal_by_id_and_tracking_number(repos):
    s = suggestion(1, phone="13812345678", name="张先生", wants_reply=True, kind=SuggestionKind.complaint)
    repos.suggestions.add(s)
    assert repos.suggestions.get("s001") == s
    assert repos.suggestions.get_by_tracking_no(s.tracking_no) == s
    assert repos.suggestions.get("s404") is None
    assert repos.suggestions.get_by_tracking_no("TS20261124-ZZZZZZZZ") is None


def test_a_taken_tracking_number_is_a_conflict_and_stores_nothing(repos):
    repos.suggestions.add(suggestion(1))
    clash = suggestion(2, tracking_no=suggestion(1).tracking_no)
    with pytest.raises(Conflict):
        repos.suggestions.add(clash)
    assert repos.suggestions.get("s002") is None


def test_lists_are_newest_first_by_hall_and_status_and_page_to_the_end(repos):
    for n in range(1, 8):
        repos.suggestions.add(suggestion(n))
    repos.suggestions.add(suggestion(50, hall="B02"))
    opened = suggestion(3).opened(NOW, "mgr")
    repos.suggestions.update(opened, expected=SuggestionStatus.new)

    seen, cursor = [], None
    while True:
        page = repos.suggestions.list_by_hall("A01", ALL, cursor, 3)
        assert len(page.items) <= 3
        seen += [s.id for s in page.items]
        cursor = page.next
        if cursor is None:
            break
    assert seen == [f"s{n:03d}" for n in range(7, 0, -1)]
    assert [s.id for s in repos.suggestions.list_by_hall("A01", (SuggestionStatus.opened,), None, 10).items] == ["s003"]
    new = repos.suggestions.list_by_hall("A01", (SuggestionStatus.new,), None, 10)
    assert [s.id for s in new.items] == ["s007", "s006", "s005", "s004", "s002", "s001"] and new.next is None


def test_a_garbage_cursor_is_invalid_input(repos):
    with pytest.raises(InvalidInput):
        repos.suggestions.list_by_hall("A01", ALL, "not-a-cursor", 2)


def test_the_oldest_new_ones_come_first_and_up_to_the_limit(repos):
    for n in (3, 1, 2):
        repos.suggestions.add(suggestion(n))
    repos.suggestions.add(suggestion(9, hall="B02"))
    assert [s.id for s in repos.suggestions.oldest_new("A01", 2)] == ["s001", "s002"]
    assert [s.id for s in repos.suggestions.oldest_new("A01", 10)] == ["s001", "s002", "s003"]


def test_a_status_change_is_saved_only_from_the_status_read(repos):
    repos.suggestions.add(suggestion(1))
    opened = suggestion(1).opened(NOW, "mgr")
    repos.suggestions.update(opened, expected=SuggestionStatus.new)
    with pytest.raises(Conflict):
        repos.suggestions.update(suggestion(1).opened(NOW, "other"), expected=SuggestionStatus.new)
    replied = opened.replied("谢谢", NOW, "mgr")
    repos.suggestions.update(replied, expected=SuggestionStatus.opened)
    assert repos.suggestions.get("s001") == replied
    assert repos.suggestions.oldest_new("A01", 10) == []
    with pytest.raises(Conflict):
        repos.suggestions.update(suggestion(404).opened(NOW, "mgr"), expected=SuggestionStatus.new)


def test_the_last_box_opening_never_moves_backwards(repos):
    assert repos.suggestions.last_box_opening("A01") is None
    later = BoxOpening(hall_code="A01", opened_at=NOW + timedelta(minutes=5), opened_by="mgr", opened_count=2)
    repos.suggestions.record_box_opening(later)
    repos.suggestions.record_box_opening(BoxOpening(hall_code="A01", opened_at=NOW, opened_by="slow", opened_count=0))
    assert repos.suggestions.last_box_opening("A01") == later
    assert repos.suggestions.last_box_opening("B02") is None


def test_wrong_guesses_count_per_window_and_an_expired_counter_counts_nothing(repos):
    window = AttemptWindow.at(NOW)
    number = "TS20261124-AAAA0001"
    assert repos.suggestions.tracking_failures(number, window, NOW) == 0
    assert [repos.suggestions.add_tracking_failure(number, window) for _ in range(3)] == [1, 2, 3]
    assert repos.suggestions.tracking_failures(number, window, NOW) == 3
    assert repos.suggestions.tracking_failures("TS20261124-AAAA0002", window, NOW) == 0
    # Read after the window's end (TTL may not have deleted it yet): nothing counts.
    assert repos.suggestions.tracking_failures(number, window, window.expires_at) == 0
    next_window = AttemptWindow.at(NOW + timedelta(hours=1))
    assert repos.suggestions.tracking_failures(number, next_window, NOW + timedelta(hours=1)) == 0
