"""The ports services depend on; adapters (DynamoDB) and test fakes satisfy them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import collections
    from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
    from datetime import date, datetime, timedelta
    from pathlib import Path

    from chalicelib.domain.accounts import SignInFailures, User
    from chalicelib.domain.alerts import Alert, AlertKind, AlertRules, AlertStatus
    from chalicelib.domain.appeals import Appeal, AppealStatus
    from chalicelib.domain.audit import AuditEntry, RecordKind
    from chalicelib.domain.callbacks import CallbackTask
    from chalicelib.domain.callbacks import Status as CallbackStatus
    from chalicelib.domain.checklists import Checklist
    from chalicelib.domain.csv_export import Cell
    from chalicelib.domain.departments import Department
    from chalicelib.domain.exports import Checkpoint, ExportJob, FileState
    from chalicelib.domain.inbox import InboxEntry
    from chalicelib.domain.inspections import Inspection
    from chalicelib.domain.notifications import Notification
    from chalicelib.domain.organisation import Counter, Device, Hall, Staff
    from chalicelib.domain.outreach import HallTally, OutreachEvent, Snapshot
    from chalicelib.domain.paging import Page
    from chalicelib.domain.presses import Press
    from chalicelib.domain.publications import MonthSnapshot, Publication
    from chalicelib.domain.ratings import Rating
    from chalicelib.domain.shifts import ClerkPlace, ShiftEvent
    from chalicelib.domain.stars import RuleSet, StarPublication, StarSnapshot
    from chalicelib.domain.stats import StatKey, StatKind
    from chalicelib.domain.suggestions import AttemptWindow, BoxOpening, Suggestion, SuggestionStatus
    from chalicelib.domain.surveys import Invitation, Survey, SurveyResponse, SurveyVersion
    from chalicelib.domain.tickets import Flag as TicketFlag
    from chalicelib.domain.tickets import Status as TicketStatus
    from chalicelib.domain.tickets import Ticket
    from chalicelib.domain.unrated import UnratedVisit


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class OrganisationRepository(Protocol):
    """Halls, counters, staff and devices. ``add_*`` raise Conflict on a taken key."""

    def add_hall(self, hall: Hall) -> None: ...
    def save_hall(self, hall: Hall) -> None:
        """Replace a stored hall (its code stays); NotFound if there is none."""
        ...

    def get_hall(self, code: str) -> Hall | None: ...
    def list_halls(self, cursor: str | None, limit: int) -> Page[Hall]: ...

    def add_counter(self, counter: Counter) -> None: ...
    def save_counter(self, counter: Counter) -> None: ...
    def get_counter(self, hall_code: str, number: int) -> Counter | None: ...
    def list_counters(self, hall_code: str) -> list[Counter]: ...

    def add_staff(self, staff: Staff) -> None: ...
    def save_staff(self, staff: Staff) -> None:
        """Replace a stored clerk; a new hall moves them to that hall's staff list."""
        ...

    def get_staff(self, staff_no: str) -> Staff | None: ...
    def list_staff(self, hall_code: str, cursor: str | None, limit: int) -> Page[Staff]: ...

    def add_device(self, device: Device) -> None: ...
    def get_device(self, device_id: str) -> Device | None: ...
    def list_devices(self, hall_code: str) -> list[Device]: ...
    def revoke_device(self, device_id: str, at: datetime) -> Device:
        """Mark revoked (idempotent); NotFound when there is no such device."""
        ...

    def touch_device(self, device_id: str, at: datetime, unless_seen_after: datetime | None) -> bool:
        """Record that the device was seen at ``at``; nothing (False) when it is revoked, unknown
        or was seen after ``unless_seen_after`` already (one write a minute, whatever the calls)."""
        ...

    def report_health(self, device_id: str, at: datetime, buffered: int, firmware: str | None) -> None:
        """A heartbeat: seen at ``at``, with what the device says it holds (nothing for a revoked one)."""
        ...

    def devices_seen_before(self, before: datetime) -> list[Device]:
        """Active devices last seen before ``before``, or never seen and registered before it (a keyed
        read per index shard)."""
        ...


class UserRepository(Protocol):
    def add_user(self, user: User) -> None: ...
    def get_user(self, username: str) -> User | None: ...
    def list_users(self, cursor: str | None, limit: int) -> Page[User]: ...
    def any_admin(self) -> bool: ...
    def end_sessions(self, username: str) -> int:
        """Add one to the user's session epoch, atomically (every token signed before stops
        working); the new epoch. NotFound when there is no such user."""
        ...

    def save_profile(self, user: User, end_sessions: bool) -> None:
        """Store a user's role, halls and whether active (NotFound if there is none); with
        ``end_sessions`` the session epoch goes up in the same write."""
        ...

    def set_password(self, username: str, password_hash: str) -> int:
        """Store a new password hash and add one to the session epoch in the same write; the
        new epoch. NotFound when there is no such user."""
        ...


class SignInFailureLog(Protocol):
    """Failed sign-ins, as ``SignInThrottle`` reads them. ``account`` is an opaque key of
    the name typed (any text may be typed), ``client`` the caller's address."""

    def failures(
        self, account: str, client: str, now: datetime, forget_after_seconds: int, address_window_seconds: int
    ) -> SignInFailures:
        """The pair's failures (none once ``forget_after_seconds`` passed since its last one)
        and the address's failures in the fixed window of ``address_window_seconds`` holding ``now``."""
        ...

    def add_failure(
        self, account: str, client: str, now: datetime, forget_after_seconds: int, address_window_seconds: int
    ) -> None:
        """Count one failure of the pair (starting again from one when the old ones are
        forgotten) and one of the address in the current window."""
        ...

    def forget_pair(self, account: str, client: str) -> None:
        """A success: the pair's failures are forgotten (the address's are kept)."""
        ...


class TallyReader(Protocol):
    """The pre-aggregated tallies that reports read (the rating repository is one)."""

    def tallies_of_kind(self, hall_code: str, month: str, kind: StatKind) -> dict[StatKey, collections.Counter[str]]:
        """One kind of one hall-month, every shard (one Query on a key prefix); no item, no entry."""
        ...


class RatingRepository(TallyReader, Protocol):
    """Ratings and the tallies they feed (read back one kind at a time, as a TallyReader)."""

    def save_batch(self, ratings: Sequence[Rating]) -> dict[str, str]:
        """Store new ratings and the tallies they feed, atomically per rating.

        An id given twice counts once (the first). Answers each id's status:
        ``created``, or ``duplicate`` when the id was stored before (then
        nothing changes). Never stores a rating without its tallies.
        """
        ...

    def get_rating(self, rating_id: str) -> Rating | None: ...
    def ratings_of_day(self, hall_code: str, day: str) -> Iterator[Rating]: ...
    def day_page(self, hall_code: str, day: str, cursor: str | None, limit: int) -> Page[Rating]:
        """A hall's ratings of one Asia/Shanghai day, in time order, a page at a time."""
        ...

    def presses_near(self, device_id: str, times: Sequence[datetime], min_interval: timedelta) -> PressWindow:
        """The device's stored presses within ``min_interval`` of any of ``times`` (and possibly a few
        more), with what the storage needs to tell later whether they changed (SPEC §3 Misuse)."""
        ...

    def save_presses(self, window: PressWindow, ratings: Sequence[Rating], turned: Sequence[Rating]) -> SaveOutcome:
        """Store a device's new ratings (ids unique, each flagged against ``window``), mark each of
        ``turned`` (stored ratings, as read) misuse, and move the tallies, the press record
        with them: all in one transaction.

        ``window`` may hold more than these ratings' neighbourhood (a whole batch's, read once);
        only the parts within ``window.min_interval`` of them must be unchanged since read.
        Nothing is written when any new id was stored before (``duplicates``), when those parts
        changed since they were read or a turned rating changed (``changed``), or when the whole
        does not fit one transaction (``too_large``). Once saved, ``window`` is the window as
        it stands after the write (without reading it again), for the batch's next ratings.
        """
        ...


@dataclass(frozen=True)
class PressWindow:
    device_id: str
    presses: tuple[Press, ...]
    versions: Mapping[str, int]  # each part of the device's press record read, and its version (0: none yet)
    min_interval: timedelta  # the neighbourhood it was read for: presses closer than this decide misuse


@dataclass(frozen=True)
class SaveOutcome:
    duplicates: tuple[str, ...] = ()
    changed: bool = False
    too_large: bool = False
    window: PressWindow | None = None  # set exactly when saved: the window after the write

    @property
    def saved(self) -> bool:
        return self.window is not None


class ShiftRepository(Protocol):
    """Each counter's shift history, and where each clerk last signed in."""

    def record(self, hall_code: str, counter_number: int, event: ShiftEvent) -> None:
        """Add an event; recording the same event again changes nothing."""
        ...

    def history(self, hall_code: str, counter_number: int, first: datetime, last: datetime) -> list[ShiftEvent]:
        """The event in force at ``first`` (if any) and every later event up to ``last``, in time order."""
        ...

    def place_of(self, staff_no: str) -> ClerkPlace | None: ...
    def move(self, staff_no: str, place: ClerkPlace) -> None:
        """Remember where the clerk signed in, unless a later sign-in is known already."""
        ...


class RateLimiter(Protocol):
    def allow(self, scope: str, key: str, limit: int, window_seconds: int, now: datetime) -> bool:
        """Count one hit in the current fixed window; False once ``limit`` is passed."""
        ...


class OutreachRepository(Protocol):
    """五进 events, the per-hall counters they feed, and published snapshots."""

    def add_event(self, event: OutreachEvent) -> None:
        """Store the event and add it to its hall's counters, atomically; Conflict if its id is taken."""
        ...

    def get_event(self, event_id: str) -> OutreachEvent | None: ...

    def replace_event(self, before: OutreachEvent, after: OutreachEvent) -> None:
        """Store ``after`` (same id and quarter) in place of ``before`` and move the counters by
        the difference (``count_changes``), atomically; Conflict if the stored event is no
        longer ``before``'s revision (changed or deleted meanwhile): nothing is written."""
        ...

    def delete_event(self, event: OutreachEvent, deleted_by: str, deleted_at: datetime) -> None:
        """Remove the event and take it off its hall's counters, atomically; Conflict if the
        stored event is no longer this revision. Its id stays taken: a retried POST of the
        deleted event records nothing."""
        ...

    def list_events(self, quarter: str, hall_code: str, cursor: str | None, limit: int) -> Page[OutreachEvent]:
        """A hall's events of a quarter, by date."""
        ...

    def quarter_events(self, quarter: str) -> list[OutreachEvent]:
        """Every event of a quarter, by hall then date."""
        ...

    def tallies(self, quarter: str) -> dict[str, HallTally]:
        """The counters of every hall that has had an event in the quarter, by hall code (a hall
        whose events were all deleted keeps its counters, at zero)."""
        ...

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Store a publication; Conflict if its version is taken (never overwrites),
        PayloadTooLarge if it is too large to store."""
        ...

    def latest_version(self, quarter: str) -> int:
        """The highest published version, 0 before the first."""
        ...

    def get_snapshot(self, quarter: str, version: int) -> Snapshot | None: ...


class MonthPublicationRepository(Protocol):
    """Published versions of a month's staff ranking and hall summary, written once each."""

    def add(self, snapshot: MonthSnapshot) -> None:
        """Store a version, all of it or nothing; Conflict if its number is taken (never
        overwrites), PayloadTooLarge if it is too large to store."""
        ...

    def latest_version(self, month: str) -> int:
        """The highest published version, 0 before the first."""
        ...

    def versions(self, month: str) -> list[Publication]:
        """Every version of the month, oldest first (without its rows)."""
        ...

    def get(self, month: str, version: int) -> MonthSnapshot | None: ...


class SuggestionRepository(Protocol):
    """The suggestion box. Status changes are conditional on the status read (Conflict if it moved)."""

    def add(self, suggestion: Suggestion) -> None:
        """Store a new suggestion; Conflict if its tracking number is taken."""
        ...

    def get(self, suggestion_id: str) -> Suggestion | None: ...
    def get_by_tracking_no(self, tracking_no: str) -> Suggestion | None: ...
    def list_by_hall(
        self, hall_code: str, statuses: tuple[SuggestionStatus, ...], cursor: str | None, limit: int
    ) -> Page[Suggestion]:
        """Newest first across the given statuses."""
        ...

    def oldest_new(self, hall_code: str, limit: int) -> list[Suggestion]: ...
    def update(self, suggestion: Suggestion, expected: SuggestionStatus) -> None:
        """Save a status change; Conflict unless the stored status is still ``expected``."""
        ...

    def record_box_opening(self, opening: BoxOpening) -> None: ...
    def contacts_to_purge(self, closed_before: datetime, limit: int) -> list[Suggestion]:
        """Closed suggestions, closed at or before the given instant, that still hold a name or phone."""
        ...

    def purge_contact(self, suggestion: Suggestion) -> None:
        """Remove the name and phone of a suggestion (nothing when it is not stored)."""
        ...

    def last_box_opening(self, hall_code: str) -> BoxOpening | None: ...
    def tracking_failures(self, tracking_no: str, window: AttemptWindow, now: datetime) -> int: ...
    def add_tracking_failure(self, tracking_no: str, window: AttemptWindow) -> int:
        """Count one wrong guess in the window; the new count."""
        ...


class CallbackRepository(Protocol):
    def create(self, task: CallbackTask, tallies: Mapping[StatKey, collections.Counter[str]]) -> bool:
        """Store a new task and add ``tallies``; False (and no change) when its source has one already."""
        ...

    def get(self, task_id: str) -> CallbackTask | None: ...
    def list_by_hall(
        self, hall_code: str, status: CallbackStatus | None, cursor: str | None, limit: int
    ) -> Page[CallbackTask]:
        """Earliest due first."""
        ...

    def save(
        self,
        task: CallbackTask,
        notify: Sequence[Notification] = (),
        tallies: Mapping[StatKey, collections.Counter[str]] | None = None,
    ) -> None:
        """Store ``task`` (whose version is one more than the stored one; Conflict if another
        write came first), with ``notify`` written to the outbox and ``tallies`` added in the
        same transaction."""
        ...

    def due_for_check(self, now: datetime, limit: int) -> list[CallbackTask]:
        """Open tasks whose flags may have changed by ``now``."""
        ...

    def phones_to_purge(self, now: datetime, limit: int) -> list[CallbackTask]: ...
    def purge_phone(self, task: CallbackTask) -> None:
        """Remove the phone number from the task and from its source."""
        ...


class Outbox(Protocol):
    def put(self, notification: Notification) -> bool:
        """Store a notification to send; False when one with its id exists."""
        ...


class Publisher(Protocol):
    def publish(self, notification: Notification) -> None:
        """Deliver a stored notification (SNS in AWS; a log line locally)."""
        ...


class CalendarRepository(Protocol):
    def overrides(self) -> dict[date, bool]: ...
    def set_override(self, day: date, working: bool, by: str) -> None: ...
    def remove_override(self, day: date) -> None: ...


class AppealRepository(Protocol):
    def lodge(self, appeal: Appeal) -> None:
        """Store a new appeal; Conflict when the rating has one already."""
        ...

    def get(self, rating_id: str) -> Appeal | None: ...
    def list_by_hall(self, hall_code: str, status: AppealStatus, cursor: str | None, limit: int) -> Page[Appeal]: ...
    def decide(self, appeal: Appeal, rating: Rating | None) -> None:
        """Store a decision of a pending appeal (Conflict if decided meanwhile or never lodged); with
        ``rating`` (upheld), mark it so and take it out of the tallies in the same transaction
        (Conflict, and nothing changes, if the rating is not stored, left the scores already or
        has another misuse flag than ``rating`` shows)."""
        ...


class AuditLog(Protocol):
    """Who changed what, when, before and after; entries are added, never changed. Lists are
    newest first, a page at a time."""

    def add(self, entry: AuditEntry) -> None: ...
    def history(self, kind: RecordKind, key: str, cursor: str | None, limit: int) -> Page[AuditEntry]:
        """The entries filed under a record (``AuditEntry.filed_under``)."""
        ...

    def between(self, first: datetime, last: datetime, cursor: str | None, limit: int) -> Page[AuditEntry]:
        """Every entry made at ``first <= at < last``."""
        ...

    def by_actor(self, actor: str, first: datetime, last: datetime, cursor: str | None, limit: int) -> Page[AuditEntry]:
        """The entries one user made at ``first <= at < last``."""
        ...


class DepartmentRepository(Protocol):
    def add(self, department: Department) -> None:
        """Store a new department; Conflict if its code is taken."""
        ...

    def save(self, department: Department) -> None:
        """Replace a stored department; NotFound if there is none."""
        ...

    def get(self, code: str) -> Department | None: ...
    def list(self, cursor: str | None, limit: int) -> Page[Department]:
        """By code."""


class UnratedRepository(Protocol):
    def save_visits(self, visits: Sequence[UnratedVisit]) -> dict[str, str]:
        """Store new unrated visits and the tallies they feed, atomically per visit. An id given
        twice counts once; answers ``created``, or ``duplicate`` for an id stored before."""
        ...


@dataclass(frozen=True)
class QueueOf:
    """Whose queue of unclosed work orders: a hall's or a department's (exactly one)."""

    hall_code: str | None = None
    department: str | None = None


class TicketRepository(Protocol):
    """Work orders, their queues, the ledger and the sparse clock index."""

    def create(
        self,
        ticket: Ticket,
        tallies: Mapping[StatKey, collections.Counter[str]],
        notify: Sequence[Notification] = (),
    ) -> bool:
        """Store a new order, its number, its queues, ``tallies`` and ``notify`` at once (and, for an order made from
        a suggestion, link the suggestion to it); False, and nothing written, when its id is stored
        already. Conflict when its number is taken (the caller draws another)."""
        ...

    def get(self, ticket_id: str) -> Ticket | None: ...
    def get_by_no(self, ticket_no: str) -> Ticket | None: ...

    def save(
        self,
        ticket: Ticket,
        notify: Sequence[Notification] = (),
        tallies: Mapping[StatKey, collections.Counter[str]] | None = None,
        new_task: CallbackTask | None = None,
        changed_task: CallbackTask | None = None,
    ) -> None:
        """Store ``ticket`` (its version one more than the stored one; Conflict if another write came
        first) with its queues, ``notify`` in the outbox, ``tallies``, a callback task opened for it
        (``new_task``: Conflict if one exists) and a callback task whose context it changed
        (``changed_task``, version-checked like the order), all in one transaction."""
        ...

    def queue(
        self,
        of: QueueOf,
        status: TicketStatus | None,
        flag: TicketFlag | None,
        cursor: str | None,
        limit: int,
    ) -> Page[Ticket]:
        """Unclosed orders of a hall or a department, earliest due first (``status``, ``flag``: only those)."""
        ...

    def ledger(self, hall_code: str, month: str) -> list[Ticket]:
        """Every order a hall created in a month (Asia/Shanghai), by creation time."""
        ...

    def due_for_check(self, now: datetime, limit: int) -> list[Ticket]:
        """Unanswered orders whose flags may have changed by ``now``."""
        ...


# ---- inspections and stars (SPEC §3.3) ------------------------------------------------
class ChecklistRepository(Protocol):
    """Checklist versions, written once each (the built-in one is the service's, not stored)."""

    def add(self, checklist: Checklist) -> None:
        """Store a version; Conflict if its number is taken for its code."""
        ...

    def get(self, code: str, version: int) -> Checklist | None: ...
    def latest(self, code: str) -> Checklist | None: ...
    def every_latest(self) -> list[Checklist]:
        """The newest stored version of every checklist, by code."""
        ...


class InspectionRepository(Protocol):
    def add(self, inspection: Inspection) -> None:
        """Store a new inspection and add it to its month tallies, atomically; Conflict if its id is taken."""
        ...

    def get(self, inspection_id: str) -> Inspection | None: ...
    def list_by_hall(self, hall_code: str, month: str, cursor: str | None, limit: int) -> Page[Inspection]:
        """A hall's inspections of a month (by ``inspected_at``, Asia/Shanghai), in time order."""
        ...

    def list_by_inspector(self, inspector: str, month: str, cursor: str | None, limit: int) -> Page[Inspection]:
        """One inspector's inspections of a month, in time order."""
        ...

    def save(self, before: Inspection, after: Inspection) -> None:
        """Store ``after`` (its revision one more than ``before``'s) in place of ``before``; when it
        leaves the scores, take it out of the tallies in the same transaction. Conflict (nothing
        written) if the stored inspection is no longer ``before``."""
        ...


class StarRuleRepository(Protocol):
    def add(self, rules: RuleSet) -> None:
        """Store a version; Conflict if its number is taken."""
        ...

    def latest(self) -> RuleSet | None: ...
    def get(self, version: int) -> RuleSet | None: ...


class StarPublicationRepository(Protocol):
    """Published versions of a quarter's stars, written once each."""

    def add(self, snapshot: StarSnapshot) -> None:
        """Store a version, all of it or nothing; Conflict if its number is taken."""
        ...

    def latest_version(self, quarter: str) -> int: ...
    def versions(self, quarter: str) -> list[StarPublication]: ...
    def get(self, quarter: str, version: int) -> StarSnapshot | None: ...


@dataclass(frozen=True)
class OpenAlert:
    """What the index of open alerts says of one: enough to check its cause and resolve it."""

    alert_id: str
    kind: AlertKind
    scope: str
    hall_code: str
    counter: int | None
    subject: str | None
    raised_at: datetime


class AlertRepository(Protocol):
    """Alerts, one open per kind and scope; the rules; the rolling window's tallies."""

    def rules(self) -> AlertRules: ...
    def save_rules(self, rules: AlertRules) -> None: ...
    def times_raised(self, kind: AlertKind, scope: str) -> int: ...
    def raise_alert(self, alert: Alert, notification: Notification | None) -> bool:
        """Store a new open alert (and its notification in the outbox), atomically; False and
        nothing written when the kind and scope have an open one."""
        ...

    def open_alerts(self, kind: AlertKind, hall_code: str | None = None) -> list[OpenAlert]:
        """Open (and acknowledged, unresolved) alerts of a kind, of every hall or one: one keyed Query."""
        ...

    def resolve(self, alert: OpenAlert, at: datetime) -> bool:
        """Resolve an alert still unresolved; False when it was resolved meanwhile."""
        ...

    def acknowledge(self, alert_id: str, by: str, note: str, at: datetime) -> Alert:
        """Acknowledge an open alert; NotFound for no such alert, Conflict unless it is open."""
        ...

    def get(self, alert_id: str) -> Alert | None: ...
    def list_by_hall(self, hall_code: str, status: AlertStatus, cursor: str | None, limit: int) -> Page[Alert]:
        """Newest first."""
        ...

    def window_tallies(
        self, hall_code: str, first: datetime, last: datetime
    ) -> dict[StatKey, collections.Counter[str]]:
        """The hall's window tallies (``StatKind.window``) of every counter, for the slots from
        ``first`` to ``last`` (one Query per Shanghai month they touch)."""
        ...


class InboxRepository(Protocol):
    """Each user's console inbox and its unread count."""

    def deliver(self, entries: Sequence[InboxEntry]) -> int:
        """Add each entry (one per recipient) with its unread count; an entry there already changes
        nothing. The number added."""
        ...

    def entries(self, username: str, cursor: str | None, limit: int) -> Page[InboxEntry]:
        """Newest first."""
        ...

    def unread(self, username: str) -> int: ...
    def mark_read(self, username: str, notification_id: str, at: datetime) -> bool:
        """Mark an entry read and count it off, once; False when it was read already. NotFound
        when the user has no such entry."""


# ----- surveys -----


class SurveyRepository(Protocol):
    """Surveys, their frozen versions, responses, per-version-and-hall tallies and invitations."""

    def add(self, survey: Survey) -> None:
        """Store a new survey; Conflict when its id is taken."""
        ...

    def get(self, survey_id: str) -> Survey | None: ...
    def save(self, survey: Survey, was: Survey) -> None:
        """Replace the stored survey (its draft, status) on condition it is still ``was``, the one
        read (its ``updated_at``); Conflict when it changed meanwhile."""
        ...

    def publish(self, survey: Survey, version: SurveyVersion, was: Survey) -> None:
        """Store ``version`` (frozen) and ``survey`` (now at that version) together, on condition the
        survey is still ``was``; Conflict when another publication or an edit came first."""
        ...

    def list_surveys(self, cursor: str | None, limit: int) -> Page[Survey]: ...
    def version(self, survey_id: str, version: int) -> SurveyVersion | None: ...
    def versions(self, survey_id: str) -> list[SurveyVersion]: ...

    def respond(self, response: SurveyResponse, increments: collections.Counter[str], invitation: str | None) -> bool:
        """Store a response, add ``increments`` to its version's and hall's tally and mark the
        ``invitation`` used, all or nothing. False (nothing written) when a response with its id is
        stored already; InvitationUsed when the invitation answered before."""
        ...

    def response(self, survey_id: str, response_id: str) -> SurveyResponse | None: ...
    def responses(self, survey_id: str, version: int | None) -> Iterator[SurveyResponse]:
        """Every stored response (of one version), in version then submission order: exports only."""
        ...

    def tallies(self, survey_id: str, version: int | None) -> list[tuple[int, str, collections.Counter[str]]]:
        """(version, hall, counters) of every tally of the survey (or of one version)."""
        ...

    def add_invitation(self, invitation: Invitation) -> None: ...
    def invitation(self, invitation_id: str) -> Invitation | None: ...
    def opt_out(self, phone_key: str) -> None:
        """Remember that the number with this keyed hash is never to be invited again (退订)."""
        ...

    def opted_out(self, phone_key: str) -> bool: ...


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send one SMS (SNS or a domestic gateway in production; a log line locally)."""


# ---- export jobs (SPEC §4.10) ---------------------------------------------------
class ExportJobRepository(Protocol):
    """Export jobs, one item each; every change but the first is conditional on the status read."""

    def add(self, job: ExportJob) -> None: ...
    def get(self, job_id: str) -> ExportJob | None: ...
    def claim(self, job: ExportJob, now: datetime) -> ExportJob | None:
        """``job`` (queued, as read) becomes running with one more attempt; None when another run
        took it or it changed meanwhile."""
        ...

    def progress(self, job: ExportJob, rows: int, now: datetime, checkpoint: Checkpoint | None = None) -> None:
        """A running job's rows so far and a heartbeat, and the checkpoint a later run would resume
        from when one is given (unconditional on the rows: only this run writes them); StorageBusy
        when the job is no longer this run's."""
        ...

    def nudge(self, job: ExportJob, now: datetime) -> bool:
        """Write a queued job (as read) again, its heartbeat at ``now``, so the stream brings it to a
        run once more; False when it changed meanwhile."""
        ...

    def settle(self, job: ExportJob) -> bool:
        """Store ``job`` (done, failed, or queued again) if the stored one is still running as read
        (same attempt); False when it is not."""
        ...

    def by_requester(self, username: str, cursor: str | None, limit: int) -> Page[ExportJob]:
        """A user's jobs, newest first."""
        ...

    def active(self) -> list[ExportJob]:
        """Every queued or running job (the sweep reads them; finished jobs are not among them)."""
        ...


class ExportFile(Protocol):
    """One file being written, row by row, in constant memory, and kept as it goes so a later
    run can continue it."""

    def write(self, row: Mapping[str, Cell]) -> None: ...
    def checkpoint(self) -> FileState | None:
        """Keep every row written so far, if it can be kept now (S3 keeps whole parts); answers how
        far the file is kept, or None when nothing new is."""
        ...

    def finish(self) -> FileState:
        """Keep every row written: the file holds them all (state ``complete``)."""
        ...

    def close(self, alive: Callable[[], None]) -> int:
        """Put the finished file where downloads come from (an XLSX is written from the kept
        rows first, calling ``alive`` now and then: the run's heartbeat); answers its size in bytes."""
        ...

    def release(self) -> None:
        """The run stops here: what was kept stays for a later run."""
        ...

    def discard(self) -> None:
        """Give up the file (the job failed): nothing is kept."""
        ...


class ExportFiles(Protocol):
    """Where export files are written and fetched: S3 in AWS, the data directory locally."""

    def open(
        self,
        job: ExportJob,
        columns: Sequence[str],
        headers: Mapping[str, str] | None = None,
        kept: FileState | None = None,
    ) -> ExportFile:
        """A new file with a header row (``headers`` names columns that are no fixed key), or, given
        what an earlier run ``kept``, that file continued from there."""
        ...

    def link(self, job: ExportJob, now: datetime) -> str:
        """A short-lived link to a finished job's file."""
        ...

    def fetch(self, job: ExportJob, expires: int, signature: str, now: datetime) -> Path | None:
        """The kept file a signed app link names, when the link is genuine and unexpired (the
        local store's links); None otherwise, and always for stores whose links lead elsewhere."""
        ...

    def expire(self, now: datetime) -> int:
        """Remove files kept over ``FILE_DAYS`` (where no lifecycle rule does it); answers how many."""


@dataclass(frozen=True)
class DeviceBatchReads:
    """What a device's rating batch needs that is read by key, read together (SPEC §4.2, §3)."""

    hall: Hall | None
    counter: Counter | None
    staff: Mapping[str, Staff | None]  # each clerk the batch names; None: no such staff number
    presses: PressWindow  # the device's presses around the batch's times


class DeviceBatchReader(Protocol):
    def read_for_batch(
        self,
        device_id: str,
        hall_code: str,
        counter_number: int,
        staff_nos: Collection[str],
        times: Sequence[datetime],
        min_interval: timedelta,
    ) -> DeviceBatchReads:
        """The device's counter and hall, the clerks named, and the device's presses within
        ``min_interval`` of ``times`` (as ``RatingRepository.presses_near`` reads them), in one
        read: one BatchGetItem in DynamoDB (another for each further 100 keys), each key once."""
        ...
