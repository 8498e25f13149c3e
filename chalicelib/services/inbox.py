"""Every stored notification reaches its recipients' console inboxes (SPEC §3 "Who is notified").

Delivered from the stream beside SNS or the log line: the recipients are read
from the user list (a keyed Query, a page at a time) and, for a branch, the
hall list; each gets one entry, counted once whatever the retries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from chalicelib.domain.accounts import User, UserPrincipal
from chalicelib.domain.inbox import InboxEntry, Reach, recipients
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.paging import MAX_PAGE_SIZE, Page
from chalicelib.services.organisation import every_hall
from chalicelib.services.ports import Clock, InboxRepository, OrganisationRepository, UserRepository


@dataclass(frozen=True)
class InboxPorts:
    inbox: InboxRepository
    users: UserRepository
    org: OrganisationRepository
    clock: Clock


def _every_user(users: UserRepository) -> Iterator[User]:
    cursor: str | None = None
    while True:
        page = users.list_users(cursor, MAX_PAGE_SIZE)
        yield from page.items
        if page.next is None:
            return
        cursor = page.next


def deliver(ports: InboxPorts, notification: Notification) -> int:
    """Put the notification in each recipient's inbox; the number of entries added."""
    branch_halls: frozenset[str] = frozenset()
    if Audience.branch in notification.audiences:
        hall = ports.org.get_hall(notification.hall_code)
        if hall is not None:
            branch_halls = frozenset(h.code for h in every_hall(ports.org) if h.branch == hall.branch)
    reach = Reach(notification.hall_code, branch_halls, notification.department)
    names = recipients(notification, _every_user(ports.users), reach)
    return ports.inbox.deliver([InboxEntry.of(name, notification) for name in names])


def entries(actor: UserPrincipal, ports: InboxPorts, cursor: str | None, limit: int) -> Page[InboxEntry]:
    return ports.inbox.entries(actor.username, cursor, limit)


def unread(actor: UserPrincipal, ports: InboxPorts) -> int:
    return ports.inbox.unread(actor.username)


def mark_read(actor: UserPrincipal, ports: InboxPorts, notification_id: str) -> bool:
    return ports.inbox.mark_read(actor.username, notification_id, ports.clock.now())
