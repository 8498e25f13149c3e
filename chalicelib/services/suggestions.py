"""The suggestion box: dropping a suggestion, tracking it, and the manager's
daily opening, reply and close.

Staff never see a suggestion's name or phone here, and content reaches them
with phone and ID numbers masked (``staff_view``). The stored item keeps kind,
``wants_reply`` and whether a phone was given, so the event pipeline can turn
it into a callback task or a digest entry from what was stored.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.domain import suggestions as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Conflict, NotFound, TooManyRequests
from chalicelib.domain.paging import Page
from chalicelib.domain.privacy import CONTACT_RETENTION, mask_personal_data
from chalicelib.domain.suggestions import (
    AttemptWindow,
    BoxOpening,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
    TooManyAttempts,
)
from chalicelib.services.organisation import existing_hall, open_hall
from chalicelib.services.ports import Clock, OrganisationRepository, RateLimiter, SuggestionRepository

MAX_PURGE_BATCHES = 100  # a night's purge stops at 20,000 items and goes on the next night
MAX_OPENED_AT_ONCE = 200  # keeps one answer well inside Lambda's 6 MB response limit
_TRACKING_NO_TRIES = 3  # 40 random bits a day: a clash is already unlikely once


class WorkingDayRule(Protocol):
    def is_working_day(self, day: date) -> bool: ...


# ----- customers -----


@dataclass(frozen=True)
class BoxLimits:
    """The anonymous box takes a family's worth of notes from one address, and a busy
    day's worth for one hall; past that it is a flood, not feedback."""

    per_client: int = 10
    client_window_seconds: int = 600
    per_hall: int = 120
    hall_window_seconds: int = 3600


def _within_limits(limiter: RateLimiter, limits: BoxLimits, client: str, hall_code: str, now: datetime) -> None:
    if not limiter.allow("box-client", client, limits.per_client, limits.client_window_seconds, now):
        raise TooManyRequests(
            "Too many notes from this network: please try again later.",
            retry_after=_rest_of_window(now, limits.client_window_seconds),
        )
    if not limiter.allow("box-hall", hall_code, limits.per_hall, limits.hall_window_seconds, now):
        raise TooManyRequests(
            "This hall's box is taking too many notes right now: please try again later.",
            retry_after=_rest_of_window(now, limits.hall_window_seconds),
        )


def _rest_of_window(now: datetime, window_seconds: int) -> int:
    """Seconds until the fixed window (aligned on the epoch, as the limiter counts) ends."""
    return window_seconds - int(now.timestamp()) % window_seconds


def submit_suggestion(
    repo: SuggestionRepository,
    org: OrganisationRepository,
    clock: Clock,
    limiter: RateLimiter,
    *,
    client: str,
    hall_code: str,
    kind: SuggestionKind,
    content: str,
    name: str | None,
    phone: str | None,
    consent: bool,
    wants_reply: bool,
    key: str | None = None,
) -> Suggestion:
    """Drop a suggestion. With a form ``key`` (``rules.FORM_KEY_PATTERN``) it is stored under an id
    derived from the hall and the key: a second drop with that key stores nothing and answers the
    first (counting against no rate limit)."""
    open_hall(org, hall_code)
    rules.check_consent(consent=consent, name=name, phone=phone)
    keyed = rules.keyed_id(hall_code, key) if key is not None else None
    if keyed is not None and (first := repo.get(keyed)) is not None:
        return first
    now = clock.now()
    _within_limits(limiter, BoxLimits(), client, hall_code, now)
    for attempt in range(_TRACKING_NO_TRIES):
        suggestion = Suggestion(
            id=keyed or uuid.uuid4().hex,
            tracking_no=rules.new_tracking_no(now),
            hall_code=hall_code,
            kind=kind,
            content=content,
            wants_reply=wants_reply,
            name=name if consent else None,
            phone=phone if consent else None,
            created_at=now,
        )
        try:
            repo.add(suggestion)
            return suggestion
        except Conflict:
            if keyed is not None and (first := repo.get(keyed)) is not None:
                return first  # the same key, sent twice at once: the other request stored it
            if attempt == _TRACKING_NO_TRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def dropped_with(repo: SuggestionRepository, hall_code: str, key: str) -> Suggestion | None:
    """The suggestion dropped into ``hall_code``'s box with the form key ``key``, if any."""
    return repo.get(rules.keyed_id(hall_code, key))


@dataclass(frozen=True)
class Receipt:
    """What the receipt page after a drop shows to whoever holds its address: no more than
    /track shows without the phone's last four digits."""

    tracking_no: str
    hall_name: str
    kind: SuggestionKind | None  # None when a phone was given: its digits guard even the kind on /track
    needs_phone4: bool


def receipt(repo: SuggestionRepository, org: OrganisationRepository, hall_code: str, tracking_no: str) -> Receipt:
    """The receipt of a suggestion dropped into ``hall_code``'s box; NotFound for any other number."""
    number = rules.normalise_tracking_no(tracking_no)
    suggestion = repo.get_by_tracking_no(number) if number else None
    if suggestion is None or suggestion.hall_code != hall_code:
        raise NotFound("No suggestion has this tracking number.", {"tracking_no": "unknown"})
    hall = existing_hall(org, hall_code)
    return Receipt(
        tracking_no=suggestion.tracking_no,
        hall_name=hall.name,
        kind=None if suggestion.has_phone else suggestion.kind,
        needs_phone4=suggestion.has_phone,
    )


@dataclass(frozen=True)
class Tracked:
    """What the tracking page may show: never the name or phone."""

    suggestion_id: str
    tracking_no: str
    hall_code: str
    hall_name: str
    kind: SuggestionKind
    status: SuggestionStatus
    created_at: datetime
    reply: str | None
    replied_at: datetime | None


def track_suggestion(
    repo: SuggestionRepository,
    org: OrganisationRepository,
    clock: Clock,
    tracking_no: str,
    phone4: str | None,
) -> Tracked:
    """Raises NotFound, InvalidInput (phone4 missing or malformed), Forbidden (wrong phone4),
    TooManyAttempts (the window's wrong guesses are used up, even for a right guess)."""
    number = rules.normalise_tracking_no(tracking_no)
    suggestion = repo.get_by_tracking_no(number) if number else None
    if suggestion is None:
        raise NotFound("No suggestion has this tracking number.", {"tracking_no": "unknown"})
    given = rules.require_phone4(suggestion, phone4)
    if given is not None:
        now = clock.now()
        window = AttemptWindow.at(now)
        if repo.tracking_failures(suggestion.tracking_no, window, now) >= rules.TRACKING_ATTEMPTS_PER_WINDOW:
            raise TooManyAttempts("Too many wrong tries: try again in an hour.", {"phone4": "too many wrong tries"})
        if not rules.phone4_matches(suggestion, given):
            repo.add_tracking_failure(suggestion.tracking_no, window)
            raise rules.wrong_phone4()
    hall = org.get_hall(suggestion.hall_code)
    return Tracked(
        suggestion_id=suggestion.id,
        tracking_no=suggestion.tracking_no,
        hall_code=suggestion.hall_code,
        hall_name=hall.name if hall else suggestion.hall_code,
        kind=suggestion.kind,
        status=suggestion.status,
        created_at=suggestion.created_at,
        reply=suggestion.reply,
        replied_at=suggestion.replied_at,
    )


# ----- managers and admins -----


def staff_view(suggestion: Suggestion) -> dict[str, Any]:
    """The suggestion as staff lists show it (SPEC §4.3), personal data in the content masked."""
    return {
        "id": suggestion.id,
        "tracking_no": suggestion.tracking_no,
        "hall_code": suggestion.hall_code,
        "kind": suggestion.kind,
        "content": mask_personal_data(suggestion.content),
        "status": suggestion.status,
        "wants_reply": suggestion.wants_reply,
        "created_at": suggestion.created_at,
        "opened_at": suggestion.opened_at,
        "reply": suggestion.reply,
        "replied_at": suggestion.replied_at,
    }


def _require_box_keeper(actor: UserPrincipal, hall_code: str) -> None:
    """Managers of the hall and admins; agents handle callbacks, not the box."""
    actor.require_role(Role.manager, Role.admin)
    actor.require_hall(hall_code)


def list_suggestions(
    actor: UserPrincipal,
    repo: SuggestionRepository,
    org: OrganisationRepository,
    *,
    hall_code: str,
    status: SuggestionStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[Suggestion]:
    _require_box_keeper(actor, hall_code)
    existing_hall(org, hall_code)
    statuses = (status,) if status else tuple(SuggestionStatus)
    return repo.list_by_hall(hall_code, statuses, cursor, limit)


@dataclass(frozen=True)
class BoxOpened:
    items: list[Suggestion]  # oldest first, the order they were dropped in
    more: bool  # more new suggestions wait: open again


def open_suggestion_box(
    actor: UserPrincipal,
    repo: SuggestionRepository,
    org: OrganisationRepository,
    clock: Clock,
    hall_code: str,
) -> BoxOpened:
    """Mark the hall's new suggestions opened and return them; an empty box still counts as opened."""
    _require_box_keeper(actor, hall_code)
    existing_hall(org, hall_code)
    now = clock.now()
    waiting = repo.oldest_new(hall_code, MAX_OPENED_AT_ONCE + 1)
    opened: list[Suggestion] = []
    for suggestion in waiting[:MAX_OPENED_AT_ONCE]:
        changed = suggestion.opened(now, actor.username)
        try:
            repo.update(changed, expected=SuggestionStatus.new)
        except Conflict:
            continue  # someone opening the box at the same moment took it: it is theirs to show
        opened.append(changed)
    repo.record_box_opening(
        BoxOpening(hall_code=hall_code, opened_at=now, opened_by=actor.username, opened_count=len(opened))
    )
    return BoxOpened(items=opened, more=len(waiting) > MAX_OPENED_AT_ONCE)


@dataclass(frozen=True)
class BoxState:
    hall_code: str
    last_opened: BoxOpening | None
    overdue: bool


def suggestion_box_state(
    actor: UserPrincipal,
    repo: SuggestionRepository,
    org: OrganisationRepository,
    clock: Clock,
    calendar: WorkingDayRule,
    hall_code: str,
) -> BoxState:
    """When the box was last opened, and whether a working day has passed since (dashboard flag)."""
    _require_box_keeper(actor, hall_code)
    hall = existing_hall(org, hall_code)
    last = repo.last_box_opening(hall_code)
    overdue = rules.box_overdue(
        last.opened_at if last else None, clock.now(), calendar.is_working_day, hall_created=hall.created_at
    )
    return BoxState(hall_code=hall_code, last_opened=last, overdue=overdue)


def _change(actor: UserPrincipal, repo: SuggestionRepository, suggestion_id: str) -> Suggestion:
    actor.require_role(Role.manager, Role.admin)  # before the read: an agent learns nothing
    suggestion = repo.get(suggestion_id)
    if suggestion is None:
        raise NotFound(f"No suggestion {suggestion_id}.")
    _require_box_keeper(actor, suggestion.hall_code)
    return suggestion


def reply_to_suggestion(
    actor: UserPrincipal, repo: SuggestionRepository, clock: Clock, suggestion_id: str, reply: str
) -> Suggestion:
    suggestion = _change(actor, repo, suggestion_id)
    changed = suggestion.replied(reply, clock.now(), actor.username)
    repo.update(changed, expected=suggestion.status)
    return changed


def close_suggestion(actor: UserPrincipal, repo: SuggestionRepository, clock: Clock, suggestion_id: str) -> Suggestion:
    suggestion = _change(actor, repo, suggestion_id)
    changed = suggestion.closed(clock.now(), actor.username)
    repo.update(changed, expected=suggestion.status)
    return changed


def purge_expired_contacts(repo: SuggestionRepository, clock: Clock, batch: int = 200) -> int:
    """Names and phones go CONTACT_RETENTION after their suggestion closed (tracking then needs no phone4).

    A batch at a time until none is left: each purge takes the suggestion off the list it was read from.
    """
    cutoff, purged = clock.now() - CONTACT_RETENTION, 0
    for _ in range(MAX_PURGE_BATCHES):
        found = repo.contacts_to_purge(cutoff, batch)
        for suggestion in found:
            repo.purge_contact(suggestion)
        purged += len(found)
        if len(found) < batch:
            break
    return purged
