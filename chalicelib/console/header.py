"""What the console's header counts on every page: the badge of unresolved alerts (managers and
admins) and the bell of unread notifications."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib import composition
from chalicelib.domain.accounts import UserPrincipal
from chalicelib.domain.errors import StorageBusy
from chalicelib.services import alerts, inbox


@dataclass(frozen=True)
class HeaderCounts:
    alerts: int | None  # None: not counted now (storage busy), the page shows no badge
    unread: int | None


def header_counts(user: UserPrincipal) -> HeaderCounts:
    try:
        return HeaderCounts(
            alerts=alerts.open_count(user, composition.alert_ports()),
            unread=inbox.unread(user, composition.inbox_ports()),
        )
    except StorageBusy:  # a page is still worth showing without its counts
        return HeaderCounts(None, None)
