"""The retention job's view of closed suggestions, the same in memory as on DynamoDB:
"closed before" compares times, never their text, and purging never creates a record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from chalicelib.domain.suggestions import Suggestion, SuggestionKind, SuggestionStatus

T0 = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


def suggestion(n: int) -> Suggestion:
    return Suggestion(
        id=f"s-{n}",
        tracking_no=f"TS20260501-ABCDEFG{n}",
        hall_code="A01",
        kind=SuggestionKind.praise,
        content="营业员很耐心，谢谢",
        name="王女士",
        phone="13812345678",
        created_at=T0,
    )


def closed(repos, n: int, at: datetime) -> Suggestion:
    repos.suggestions.add(suggestion(n))
    opened = suggestion(n).opened(T0, "mgr")
    repos.suggestions.update(opened, SuggestionStatus.new)
    done = opened.closed(at, "mgr")
    repos.suggestions.update(done, SuggestionStatus.opened)
    return done


def test_closed_before_compares_times_to_the_microsecond(repos):
    on_the_second = T0 + timedelta(days=1)  # no fraction: its text is the shortest a time has
    closed(repos, 1, on_the_second)
    closed(repos, 2, on_the_second + timedelta(microseconds=700_000))

    def due(cut_off: datetime) -> list[str]:
        return [s.id for s in repos.suggestions.contacts_to_purge(cut_off, 50)]

    assert due(on_the_second - timedelta(microseconds=1)) == []
    assert due(on_the_second) == ["s-1"]
    assert due(on_the_second + timedelta(microseconds=500_000)) == ["s-1"]
    assert due(on_the_second + timedelta(seconds=1)) == ["s-1", "s-2"]


def test_a_cut_off_in_another_timezone_means_the_same_instant(repos):
    closed(repos, 1, T0 + timedelta(days=1))
    shanghai = timezone(timedelta(hours=8))
    hour_before = (T0 + timedelta(days=1, hours=-1)).astimezone(shanghai)  # 09:00+08:00 reads later than 02:00Z
    assert repos.suggestions.contacts_to_purge(hour_before, 50) == []
    hour_after = (T0 + timedelta(days=1, hours=1)).astimezone(shanghai)
    assert [s.id for s in repos.suggestions.contacts_to_purge(hour_after, 50)] == ["s-1"]


def test_purging_a_suggestion_that_is_not_stored_stores_nothing(repos):
    repos.suggestions.purge_contact(suggestion(404))
    assert repos.suggestions.get("s-404") is None
    assert repos.suggestions.contacts_to_purge(T0 + timedelta(days=365), 50) == []
