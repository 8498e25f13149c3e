"""五进 outreach: recording, correcting and deleting events, quarter coverage,
publishing snapshots (SPEC §3).

Coverage reads the per-hall counters that every event write keeps (an edit or
a deletion moves them in the same transaction), never the events; publishing
freezes coverage and the event list into a new version, which no later edit
touches.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.organisation import Hall
from chalicelib.domain.outreach import (
    Category,
    Coverage,
    OutreachEvent,
    PublishedEvent,
    Snapshot,
    coverage,
    edited,
    quarter_bounds,
    quarter_of,
    same_content,
)
from chalicelib.domain.paging import Page
from chalicelib.services import audit
from chalicelib.services.audit import Auditor
from chalicelib.services.organisation import every_hall, existing_hall
from chalicelib.services.ports import Clock, OrganisationRepository, Outbox, OutreachRepository

# Two admins publishing at once both aim at the same next version; the loser
# of the conditional put re-reads and takes the one after.
PUBLISH_ATTEMPTS = 3
# An edit or a deletion that lost to a concurrent one re-reads the event and tries again.
CHANGE_ATTEMPTS = 3


def require_outreach_role(actor: UserPrincipal) -> None:
    """Admins, and managers for their halls, record, correct and read 五进 events."""
    actor.require_role(Role.admin, Role.manager)


def _require_hall(actor: UserPrincipal, org: OrganisationRepository, hall_code: str) -> Hall:
    require_outreach_role(actor)
    actor.require_hall(hall_code)
    return existing_hall(org, hall_code)


def _halls_of(actor: UserPrincipal, org: OrganisationRepository) -> list[Hall]:
    if actor.role is Role.admin:
        return list(every_hall(org))
    return [h for h in (org.get_hall(code) for code in sorted(actor.halls)) if h is not None]


def _started(quarter: str, clock: Clock) -> None:
    first, _ = quarter_bounds(quarter)
    if first > today_in_shanghai(clock.now()):
        raise InvalidInput(f"{quarter} has not started yet.", {"quarter": "a quarter that has started"})


@dataclass(frozen=True)
class RecordedEvent:
    event: OutreachEvent
    created: bool  # False: a retry of an event recorded before


def record_event(
    actor: UserPrincipal,
    org: OrganisationRepository,
    repo: OutreachRepository,
    clock: Clock,
    *,
    quarter: str,
    hall_code: str,
    category: Category,
    date: date,
    place: str,
    title: str,
    participants: int = 0,
    households_visited: int = 0,
    safety_checks: int = 0,
    materials: int = 0,
    notes: str = "",
    photos: tuple[str, ...] = (),
    event_id: str | None = None,
) -> RecordedEvent:
    """Record an event once: a retry carrying the same ``event_id`` gets the stored event back."""
    _require_hall(actor, org, hall_code)
    now = clock.now()
    event = OutreachEvent(
        event_id=event_id or uuid.uuid4().hex,
        quarter=quarter,
        hall_code=hall_code,
        category=category,
        date=date,
        place=place,
        title=title,
        participants=participants,
        households_visited=households_visited,
        safety_checks=safety_checks,
        materials=materials,
        notes=notes,
        photos=photos,
        created_at=now,
        created_by=actor.username,
    )
    _not_future(event.date, clock)
    try:
        repo.add_event(event)
    except Conflict:
        if not event_id:
            raise
        stored = repo.get_event(event.event_id)
        if stored is None:
            raise Conflict(f"Event {event.event_id} was recorded and has been deleted since.") from None
        # The stored event may have moved to another hall since: the retry finds it where
        # the actor may see it; someone else's id stays a conflict.
        if not actor.can_see_hall(stored.hall_code):
            raise
        return RecordedEvent(stored, created=False)
    return RecordedEvent(event, created=True)


def _not_future(day: date, clock: Clock) -> None:
    if day > today_in_shanghai(clock.now()):
        raise InvalidInput("An event is recorded once it has taken place.", {"date": "in the future"})


def get_event(actor: UserPrincipal, repo: OutreachRepository, event_id: str) -> OutreachEvent:
    """An event, for an admin or a manager of its hall; NotFound when none has this id (any more)."""
    require_outreach_role(actor)
    event = repo.get_event(event_id)
    if event is None:
        raise NotFound(f"No 五进 event {event_id}.", {"id": "unknown event"})
    actor.require_hall(event.hall_code)
    return event


def recorded_with(actor: UserPrincipal, repo: OutreachRepository, event_id: str) -> OutreachEvent | None:
    """The event a form's id recorded already, when the actor may see it; None for an unused id."""
    require_outreach_role(actor)
    event = repo.get_event(event_id)
    return event if event is not None and actor.can_see_hall(event.hall_code) else None


def edit_event(
    actor: UserPrincipal,
    org: OrganisationRepository,
    repo: OutreachRepository,
    clock: Clock,
    event_id: str,
    changes: Mapping[str, Any],
    *,
    revision: int | None = None,
) -> OutreachEvent:
    """Correct an event: any field but its id and quarter (the date stays inside the quarter).

    Its hall's counters move with it in the same write (to the new hall when the hall
    changes: the actor must hold both); published versions are never touched. With
    ``revision`` (the one the caller was shown), a change made meanwhile is a Conflict
    rather than overwritten; without it the event is re-read and ``changes`` applied
    to what is stored now.
    """
    for _ in range(CHANGE_ATTEMPTS):
        before = get_event(actor, repo, event_id)
        if revision is not None and before.revision != revision:
            raise Conflict(
                f"Event {event_id} has been changed since revision {revision}.", {"revision": "changed meanwhile"}
            )
        if changes.get("hall_code", before.hall_code) != before.hall_code:
            _require_hall(actor, org, changes["hall_code"])
        after = edited(before, changes, clock.now(), actor.username)
        _not_future(after.date, clock)
        if same_content(before, after):
            return before
        try:
            repo.replace_event(before, after)
        except Conflict:
            if revision is not None:
                raise
            continue
        return after
    raise Conflict(f"Event {event_id} is being changed by someone else; try again.")


def delete_event(actor: UserPrincipal, repo: OutreachRepository, clock: Clock, event_id: str) -> OutreachEvent:
    """Delete an event and take it off its hall's counters in the same write; published
    versions keep it. Its id is never taken again. Answers the event as it was."""
    for _ in range(CHANGE_ATTEMPTS):
        event = get_event(actor, repo, event_id)
        try:
            repo.delete_event(event, actor.username, clock.now())
        except Conflict:
            continue
        return event
    raise Conflict(f"Event {event_id} is being changed by someone else; try again.")


def list_events(
    actor: UserPrincipal,
    org: OrganisationRepository,
    repo: OutreachRepository,
    *,
    quarter: str,
    hall_code: str,
    cursor: str | None,
    limit: int,
) -> Page[OutreachEvent]:
    _require_hall(actor, org, hall_code)
    return repo.list_events(quarter, hall_code, cursor, limit)


def quarter_coverage(
    actor: UserPrincipal, org: OrganisationRepository, repo: OutreachRepository, quarter: str
) -> Coverage:
    """Per hall (the actor's halls; every hall for an admin): counts by category and covered or not."""
    require_outreach_role(actor)
    return coverage(quarter, _halls_of(actor, org), repo.tallies(quarter))


def halls_without_events(org: OrganisationRepository, repo: OutreachRepository, quarter: str) -> list[Hall]:
    """The halls that have not held an event in ``quarter`` yet (for the reminder before quarter end)."""
    tallies = repo.tallies(quarter)
    return [h for h in every_hall(org) if h.code not in tallies or tallies[h.code].events < 1]


REMIND_DAYS_BEFORE_END = 14


def remind_halls_without_events(
    org: OrganisationRepository, repo: OutreachRepository, outbox: Outbox, clock: Clock
) -> int:
    """Two weeks before a quarter ends, store one reminder per hall with no 五进 event yet (once)."""
    now = clock.now()
    today = today_in_shanghai(now)
    quarter = quarter_of(today)
    if quarter_bounds(quarter)[1] - today != timedelta(days=REMIND_DAYS_BEFORE_END):
        return 0
    stored = 0
    for hall in halls_without_events(org, repo, quarter):
        reminder = Notification(
            id=f"outreach-reminder:{quarter}:{hall.code}",
            kind="outreach_reminder",
            hall_code=hall.code,
            audiences=(Audience.hall_manager, Audience.branch),
            subject=f"{quarter} “五进”活动提醒：{hall.name}本季度尚无活动记录",
            body=f"{quarter} ends on {quarter_bounds(quarter)[1]}; every hall holds at least one event a quarter.",
            created_at=now,
        )
        stored += outbox.put(reminder)
    return stored


def publish_quarter(
    actor: UserPrincipal,
    org: OrganisationRepository,
    repo: OutreachRepository,
    clock: Clock,
    quarter: str,
    auditor: Auditor | None = None,
) -> Snapshot:
    """Freeze the quarter's coverage and events as the next version; earlier versions stay as they were."""
    actor.require_admin()
    _started(quarter, clock)
    for _ in range(PUBLISH_ATTEMPTS):
        snapshot = Snapshot(
            quarter=quarter,
            version=repo.latest_version(quarter) + 1,
            published_at=clock.now(),
            published_by=actor.username,
            coverage=coverage(quarter, list(every_hall(org)), repo.tallies(quarter)),
            events=tuple(
                PublishedEvent(**e.model_dump(include=set(PublishedEvent.model_fields)))
                for e in repo.quarter_events(quarter)
            ),
        )
        try:
            repo.add_snapshot(snapshot)
        except Conflict:
            continue
        logged = {"version": snapshot.version, "published_at": snapshot.published_at.isoformat()}
        audit.record(auditor, actor.username, Action.publish, RecordKind.outreach, quarter, after=logged)
        return snapshot
    raise Conflict(f"{quarter} is being published by someone else; try again.")


def published(repo: OutreachRepository, quarter: str, version: int | None = None) -> Snapshot:
    """A published version (the latest by default); NotFound before the first or for an unknown one."""
    wanted = version if version is not None else repo.latest_version(quarter)
    snapshot = repo.get_snapshot(quarter, wanted) if wanted >= 1 else None
    if snapshot is None:
        if version is None:
            raise NotFound(f"{quarter} has not been published yet.")
        raise NotFound(f"{quarter} has no published version {version}.", {"version": "unknown version"})
    return snapshot
