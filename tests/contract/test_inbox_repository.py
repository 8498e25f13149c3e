"""Console inboxes: an entry per recipient counted unread once whatever the retries, listed newest
first, read once (the count goes down once), and only one's own."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import NotFound
from chalicelib.domain.inbox import InboxEntry

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def entry(user: str, n: int) -> InboxEntry:
    return InboxEntry(
        username=user,
        notification_id=f"note-{n}",
        kind="alert_negative_spike",
        hall_code="A01",
        subject=f"subject {n}",
        body="body",
        created_at=T0 + timedelta(minutes=n),
    )


def test_entries_count_once_list_newest_first_and_read_once(repos):
    assert repos.inbox.deliver([entry("li", 1), entry("wang", 1)]) == 2
    assert repos.inbox.deliver([entry("li", 1), entry("li", 2)]) == 1  # the first came before
    assert (repos.inbox.unread("li"), repos.inbox.unread("wang"), repos.inbox.unread("zhao")) == (2, 1, 0)
    page = repos.inbox.entries("li", None, 1)
    assert [e.notification_id for e in page.items] == ["note-2"] and page.next
    assert [e.notification_id for e in repos.inbox.entries("li", page.next, 5).items] == ["note-1"]
    assert repos.inbox.mark_read("li", "note-1", T0)
    assert not repos.inbox.mark_read("li", "note-1", T0)
    assert repos.inbox.unread("li") == 1
    assert repos.inbox.entries("li", None, 5).items[1].read_at == T0
    with pytest.raises(NotFound):
        repos.inbox.mark_read("zhao", "note-1", T0)  # another's entry
