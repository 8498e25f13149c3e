"""Who is notified (SPEC §3 "Who is notified") and each recipient's console inbox.

"The hall manager" is every active manager whose halls include the hall;
"the branch" every active manager whose halls include all halls of that branch;
"company admins" every active admin; "the department" every active handler of
the notification's department (work orders). Each audience has one rule in
``RECIPIENT_RULES``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from .accounts import Role, User
from .notifications import Audience, Notification


@dataclass(frozen=True)
class Reach:
    """What deciding the recipients of one notification needs to know."""

    hall_code: str
    branch_halls: frozenset[str]  # every hall of the hall's branch
    department: str | None = None  # a work order's department, for its handlers


Rule = Callable[[User, Reach], bool]


def _manages_hall(user: User, reach: Reach) -> bool:
    return user.role is Role.manager and reach.hall_code in user.halls


def _manages_branch(user: User, reach: Reach) -> bool:
    return user.role is Role.manager and bool(reach.branch_halls) and reach.branch_halls <= set(user.halls)


def _is_admin(user: User, reach: Reach) -> bool:
    return user.role is Role.admin


def _handles_department(user: User, reach: Reach) -> bool:
    return user.role is Role.handler and reach.department is not None and reach.department in user.departments


RECIPIENT_RULES: Mapping[Audience, Rule] = {
    Audience.hall_manager: _manages_hall,
    Audience.branch: _manages_branch,
    Audience.company: _is_admin,
    Audience.department: _handles_department,
}


def recipients(notification: Notification, users: Iterable[User], reach: Reach) -> list[str]:
    """The usernames a notification reaches, each once, in name order."""
    rules = [RECIPIENT_RULES[a] for a in notification.audiences if a in RECIPIENT_RULES]
    return sorted({u.username for u in users if u.active and any(rule(u, reach) for rule in rules)})


class InboxEntry(BaseModel):
    """One notification in one recipient's inbox."""

    model_config = ConfigDict(frozen=True)

    username: str
    notification_id: str
    kind: str
    hall_code: str
    subject: str
    body: str
    created_at: datetime
    read_at: datetime | None = None

    @classmethod
    def of(cls, username: str, n: Notification) -> InboxEntry:
        return cls(
            username=username,
            notification_id=n.id,
            kind=n.kind,
            hall_code=n.hall_code,
            subject=n.subject,
            body=n.body,
            created_at=n.created_at,
        )
