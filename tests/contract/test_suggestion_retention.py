from datetime import UTC, datetime, timedelta

from chalicelib.domain.suggestions import Suggestion, SuggestionKind, SuggestionStatus

T0 = datetime(2026, 5, 1, 2, 0, tzinfo=UTC)


def closed_with_contact(repos, n: int, closed: datetime) -> Suggestion:
    s = Suggestion(
        id=f"s-{n}",
        tracking_no=f"TS20260501-ABCDEFG{n}",
        hall_code="A01",
        kind=SuggestionKind.praise,
        content="营业员很耐心，谢谢",
        name="王女士",
        phone="13812345678",
        created_at=T0,
    )
    repos.suggestions.add(s)
    opened = s.opened(T0, "mgr")
    repos.suggestions.update(opened, SuggestionStatus.new)
    done = opened.closed(closed, "mgr")
    repos.suggestions.update(done, SuggestionStatus.opened)
    return done


def test_names_and_phones_of_closed_suggestions_go_after_the_retention_period(repos):
    old = closed_with_contact(repos, 1, T0 + timedelta(days=1))
    closed_with_contact(repos, 2, T0 + timedelta(days=30))
    due = repos.suggestions.contacts_to_purge(T0 + timedelta(days=10), 50)
    assert [s.id for s in due] == [old.id]
    repos.suggestions.purge_contact(due[0])
    purged = repos.suggestions.get(old.id)
    assert (purged.name, purged.phone, purged.has_phone) == (None, None, False)
    assert purged.content == old.content  # the record stays
    assert repos.suggestions.contacts_to_purge(T0 + timedelta(days=10), 50) == []
    assert repos.suggestions.get("s-2").phone == "13812345678"
