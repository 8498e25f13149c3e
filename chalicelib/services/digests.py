"""The daily suggestion-box digest (每天一开箱), prepared at 08:30 on working days."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import labels
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.organisation import Hall
from chalicelib.domain.suggestions import box_overdue
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services.organisation import every_hall
from chalicelib.services.ports import Clock, OrganisationRepository, Outbox, SuggestionRepository

DIGEST_ITEMS = 50


def digest_for(
    hall: Hall, suggestions: SuggestionRepository, calendar: WorkingDays, now: datetime
) -> Notification | None:
    """What arrived since the last opening, and whether the box is overdue; None when nothing waits."""
    hall_code = hall.code
    waiting = suggestions.oldest_new(hall_code, DIGEST_ITEMS)
    if not waiting:
        return None
    opening = suggestions.last_box_opening(hall_code)
    overdue = box_overdue(
        opening.opened_at if opening else None, now, calendar.is_working_day, hall_created=hall.created_at
    )
    day = now.astimezone(SHANGHAI).strftime("%Y-%m-%d")
    lines = [
        f"- {labels.label(labels.SUGGESTION_KIND, s.kind, 'zh')} {s.tracking_no} "
        f"{s.created_at.astimezone(SHANGHAI):%m-%d %H:%M}"
        for s in waiting
    ]
    more = "（更多未列出）" if len(waiting) == DIGEST_ITEMS else ""
    return Notification(
        id=f"digest:{hall_code}:{day}",
        kind="suggestion_digest",
        hall_code=hall_code,
        audiences=(Audience.hall_manager, Audience.branch) if overdue else (Audience.hall_manager,),
        subject=f"意见箱待开箱 {len(waiting)}{'+' if more else ''} 条"
        + ("（已超过一个工作日未开箱）" if overdue else ""),
        body="\n".join([*lines, more]).strip(),
        created_at=now,
    )


def prepare_digests(
    org: OrganisationRepository,
    suggestions: SuggestionRepository,
    outbox: Outbox,
    calendar: WorkingDays,
    clock: Clock,
) -> int:
    """Store one digest per hall with unopened suggestions; nothing on days off; once a day."""
    now = clock.now()
    if not calendar.is_working_day(now.astimezone(SHANGHAI).date()):
        return 0
    stored = 0
    for hall in every_hall(org):
        digest = digest_for(hall, suggestions, calendar, now)
        if digest is not None and outbox.put(digest):
            stored += 1
    return stored
