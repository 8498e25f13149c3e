"""Every key of the single table in one place (see docs/data-model.md).

Entities live under their own partition (``HALL#A01``, ``STAFF#A0123`` ...);
the sort key names the item kind, so one partition can later hold an entity's
children. ``gsi1`` serves the lists an admin or manager pages through.
"""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.stats import CLERK_KINDS, StatKey, StatKind


def hall(code: str) -> tuple[str, str]:
    return f"HALL#{code}", "HALL"


def counter(hall_code: str, number: int) -> tuple[str, str]:
    # Zero-padded so counters sort by number within their hall.
    return f"HALL#{hall_code}", f"COUNTER#{number:03d}"


COUNTER_PREFIX = "COUNTER#"


def staff(staff_no: str) -> tuple[str, str]:
    # Staff numbers are unique company-wide: a device names staff by number alone.
    return f"STAFF#{staff_no}", "STAFF"


def device(device_id: str) -> tuple[str, str]:
    return f"DEVICE#{device_id}", "DEVICE"


def user(username: str) -> tuple[str, str]:
    return f"USER#{username}", "USER"


# gsi1 partitions
ALL_HALLS = "HALLS"
ALL_USERS = "USERS"


def hall_staff(hall_code: str) -> str:
    return f"HALL#{hall_code}#STAFF"


def hall_devices(hall_code: str) -> str:
    return f"HALL#{hall_code}#DEVICES"


# 五进 outreach. A hall's events of a quarter share one partition, sorted by
# date; the quarter's partition holds one counter item per hall and the
# published snapshots, so coverage is one Query and never reads events.
def outreach_event(quarter: str, hall_code: str, day: str, event_id: str) -> tuple[str, str]:
    return f"OUTREACH#{quarter}#HALL#{hall_code}", f"EVENT#{day}#{event_id}"


OUTREACH_EVENT_PREFIX = "EVENT#"


def outreach_hall_events(quarter: str, hall_code: str) -> str:
    return f"OUTREACH#{quarter}#HALL#{hall_code}"


def outreach_tally(quarter: str, hall_code: str) -> tuple[str, str]:
    return f"OUTREACH#{quarter}", f"TALLY#{hall_code}"


OUTREACH_TALLY_PREFIX = "TALLY#"


def outreach_snapshot(quarter: str, version: int) -> tuple[str, str]:
    # Zero-padded so the latest version is the last item of a Query on the prefix.
    return f"OUTREACH#{quarter}", f"SNAPSHOT#{version:06d}"


OUTREACH_SNAPSHOT_PREFIX = "SNAPSHOT#"


def outreach_quarter(quarter: str) -> str:
    return f"OUTREACH#{quarter}"


# gsi1: every event of a quarter, by hall then date (what publishing lists).
def outreach_quarter_events(quarter: str) -> str:
    return f"OUTREACH#{quarter}#EVENTS"


# Frozen versions (frozen_versions.py). A month's versions share one partition,
# as a quarter's published stars do: a small header per version (who, when, how
# many chunks) and, beside it, the frozen rows as compressed chunks (a large
# month passes one item's 400 KB), so listing the versions never reads the rows.
def month_publications(month: str) -> str:
    return f"MONTH#{month}"


def version_of(version: int) -> str:
    # Zero-padded so the latest version is the last item of a Query on the prefix.
    return f"{VERSION_PREFIX}{version:06d}"


VERSION_PREFIX = "VERSION#"


def chunk_of(version: int, index: int) -> str:
    # A prefix apart from the headers' ("CHUNK#" < "VERSION#"), zero-padded so a
    # version's chunks come back in order from one Query.
    return f"{chunks_of(version)}{index:03d}"


def chunks_of(version: int) -> str:
    return f"CHUNK#{version:06d}#"


# ---- ratings -------------------------------------------------------------
def rating(rating_id: str) -> tuple[str, str]:
    # Keyed by the device-chosen id: the conditional put on it is what makes
    # a retried rating a duplicate.
    return f"RATING#{rating_id}", "RATING"


def hall_ratings_of_day(hall_code: str, day: str) -> str:
    """gsi1 partition of a hall's ratings on one Asia/Shanghai day (YYYY-MM-DD); sorted by rated_at."""
    return f"HALL#{hall_code}#RATINGS#{day}"


def hall_month_stats(hall_code: str, month: str) -> str:
    """The partition of every tally of one hall and month: one Query reads them all."""
    return f"STATS#{hall_code}#{month}"


def stat(key: StatKey) -> tuple[str, str]:
    """Kind first (``DAY#24#C001``), so one kind of a hall-month is a Query on a prefix; counter shard last."""
    shard = "" if key.shard is None else f"#C{key.shard:03d}"
    part = f"#{key.part}" if key.part else ""
    return hall_month_stats(key.hall_code, key.month), f"{key.kind.value.upper()}{part}{shard}"


def parse_stat(hall_code: str, month: str, sk: str) -> StatKey:
    """The inverse of ``stat`` (staff numbers and keys never hold '#')."""
    head, *rest = sk.split("#")
    kind = StatKind(head.lower())
    if kind is StatKind.tickets:  # the part only (a department's or a clerk's), never a shard
        return StatKey(hall_code, month, kind, rest[0] if rest else "", None)
    if kind in CLERK_KINDS:
        return StatKey(hall_code, month, kind, rest[0], None)
    if not rest:  # hall-wide tallies with neither part nor shard (callbacks, suggestions)
        return StatKey(hall_code, month, kind, "", None)
    return StatKey(hall_code, month, kind, "#".join(rest[:-1]), int(rest[-1][1:]))


def instant(at: datetime) -> str:
    """A UTC time of one fixed width (microseconds, ``Z``): such strings sort in time order."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def press_minute(device_id: str, at: datetime) -> tuple[str, str]:
    # A device's presses are kept by the UTC minute they were made in: one item
    # per minute holds them (a map, id -> time and flag) and a version that every
    # write of the minute conditions on, so two batches judging the same presses
    # cannot both write.
    return device_presses(device_id), at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def device_presses(device_id: str) -> str:
    return f"DEVICE#{device_id}#PRESSES"


def shift_event(hall_code: str, counter_number: int, at: datetime, change: str, staff_no: str) -> tuple[str, str]:
    # A counter's shift history, in time order by sort key; at one instant an
    # end ("0") sorts before a start ("1"). The same event always has the same
    # key, so recording it again overwrites it with itself.
    order = "0" if change == "out" else "1"
    return shift_history(hall_code, counter_number), f"{instant(at)}#{order}#{change}#{staff_no}"


def shift_history(hall_code: str, counter_number: int) -> str:
    return f"SHIFTS#{hall_code}#{counter_number:03d}"


def clerk_place(staff_no: str) -> tuple[str, str]:
    return f"STAFF#{staff_no}", "PLACE"


def rate_window(scope: str, client: str, window_start: int) -> tuple[str, str]:
    # The window's start is part of the key, so an expired window (TTL is lazy)
    # is never counted again.
    return f"LIMIT#{scope}#{client}#{window_start}", "LIMIT"


def sign_in_failures(account: str, client: str) -> tuple[str, str]:
    """The failed sign-ins of one account (a hash of the name typed) from one address."""
    return f"SIGNIN#{account}#{client}", "FAILURES"


# ---- suggestion box (意见箱) ---------------------------------------------
def suggestion(suggestion_id: str) -> tuple[str, str]:
    return f"SUGGESTION#{suggestion_id}", "SUGGESTION"


def tracking_no(number: str) -> tuple[str, str]:
    # Points a tracking number at its suggestion; its conditional put is what
    # keeps tracking numbers unique.
    return f"TRACKING#{number}", "TRACKING"


def tracking_failures(number: str, window: str) -> tuple[str, str]:
    # One counter per tracking number and fixed window: a new window starts at
    # zero, and TTL (lazy) only cleans up.
    return f"TRACKING#{number}", f"FAILURES#{window}"


def suggestion_box(hall_code: str) -> tuple[str, str]:
    # The hall's "last opened" item lives beside the hall.
    return f"HALL#{hall_code}", "SUGGESTION_BOX"


def hall_suggestions(hall_code: str, status: str) -> str:
    """gsi1 partition of a hall's suggestions in one status; the item moves as its status changes."""
    return f"HALL#{hall_code}#SUGGESTIONS#{status}"


def suggestion_order(created_at: str, suggestion_id: str) -> str:
    """gsi1 sort key: a fixed-width UTC time first, so a Query reads them in arrival order."""
    return f"{created_at}#{suggestion_id}"


# ---- callbacks and notifications -------------------------------------------
def callback(task_id: str) -> tuple[str, str]:
    # The id is derived from the source (rating-<id>, suggestion-<id>): the
    # conditional put on it is what makes "one task per source".
    return f"CALLBACK#{task_id}", "CALLBACK"


def hall_callbacks(hall_code: str, closed: bool) -> str:
    """gsi1 partition of a hall's active (open, in progress) or closed tasks; sorted by due time."""
    return f"HALL#{hall_code}#CALLBACKS#{'closed' if closed else 'active'}"


# gsi2 (sparse): tasks whose flags change at gsi2sk, and closed tasks whose phone expires.
CALLBACKS_TO_CHECK = "CALLBACKS#CHECK"
CALLBACK_PHONES = "CALLBACKS#PHONES"


def notification(notification_id: str) -> tuple[str, str]:
    return f"NOTIFY#{notification_id}", "NOTIFY"


# ---- working-day calendar -------------------------------------------------
CALENDAR = "CALENDAR"


def calendar_day(day: str) -> tuple[str, str]:
    """An admin's override of one date (YYYY-MM-DD); all overrides share one small partition."""
    return CALENDAR, f"DAY#{day}"


# ---- appeals ----------------------------------------------------------------
def appeal(rating_id: str) -> tuple[str, str]:
    # Keyed by the rating: one appeal per rating, however often it is lodged.
    return f"APPEAL#{rating_id}", "APPEAL"


def hall_appeals(hall_code: str, status: str) -> str:
    """gsi1 partition of a hall's appeals in one status; sorted by when they were lodged."""
    return f"HALL#{hall_code}#APPEALS#{status}"


# gsi2 (sparse): closed suggestions that still hold a name or phone, by closed_at.
SUGGESTION_CONTACTS = "SUGGESTIONS#CONTACTS"


def outreach_event_id(event_id: str) -> tuple[str, str]:
    """A guard per event id: a retried POST with the same id finds it and records nothing again."""
    return f"OUTREACH#EVENT#{event_id}", "EVENT_ID"


# ---- the audit log ------------------------------------------------------------
def audit_entry(kind: str, key: str, at: datetime, entry_id: str) -> tuple[str, str]:
    # Filed under its record (a counter's and a device's under their hall): the
    # record's history is one Query, newest first. Time first in the sort key, the
    # entry's id after it, so two changes in the same microsecond both stay.
    return audit_record(kind, key), audit_order(at, entry_id)


def audit_record(kind: str, key: str) -> str:
    return f"AUDIT#{kind.upper()}#{key}"


def audit_order(at: datetime, entry_id: str) -> str:
    """Sort key of an entry in every list (table, gsi1, gsi2): fixed-width UTC, so text order is time order."""
    return f"{instant(at)}#{entry_id}"


def audit_month(at: datetime) -> str:
    """gsi1 partition of the entries made in one UTC month: the log by time, a month per partition
    so that no partition takes every write for ever."""
    return f"AUDIT#{at.astimezone(UTC):%Y-%m}"


def audit_actor(username: str) -> str:
    """gsi2 partition of one user's entries, in time order."""
    return f"AUDIT#BY#{username}"


# ---- work orders (工单) and departments ------------------------------------------
def department(code: str) -> tuple[str, str]:
    return f"DEPT#{code}", "DEPARTMENT"


ALL_DEPARTMENTS = "DEPARTMENTS"  # gsi1: every department, by code


def ticket(ticket_id: str) -> tuple[str, str]:
    # Keyed by the client's id (or one derived from a suggestion): the
    # conditional put on it is what makes a retried create store one order.
    return f"TICKET#{ticket_id}", "TICKET"


def ticket_queue(ticket_id: str, where: str) -> tuple[str, str]:
    """A copy of an unclosed order beside it, listed in a hall's (``HALL``) or a department's
    (``DEPT``) queue on gsi1; it goes when the order closes or leaves the department."""
    return f"TICKET#{ticket_id}", f"QUEUE#{where}"


def ticket_no(number: str) -> tuple[str, str]:
    # Points a ticket number at its order; its conditional put keeps numbers unique.
    return f"TICKETNO#{number}", "TICKETNO"


def hall_tickets_of_month(hall_code: str, month: str) -> str:
    """gsi1 partition of the orders a hall created in one Asia/Shanghai month (the ledger), by creation time."""
    return f"HALL#{hall_code}#TICKETS#{month}"


def hall_ticket_queue(hall_code: str) -> str:
    """gsi1 partition of a hall's unclosed orders, by due time."""
    return f"HALL#{hall_code}#TICKETS#QUEUE"


def department_ticket_queue(code: str) -> str:
    """gsi1 partition of a department's unclosed orders, by due time."""
    return f"DEPT#{code}#TICKETS#QUEUE"


# gsi2 (sparse): unanswered orders whose flags change at gsi2sk.
TICKETS_TO_CHECK = "TICKETS#CHECK"


# ---- inspections (明察暗访) and star ratings ------------------------------------------
def checklist_version(code: str, version: int) -> tuple[str, str]:
    # Zero-padded so a checklist's newest version is the last item of a Query on its partition.
    return checklist(code), f"VERSION#{version:06d}"


def checklist(code: str) -> str:
    return f"CHECKLIST#{code}"


# gsi1: every checklist version, by code then version (a few dozen at most).
ALL_CHECKLISTS = "CHECKLISTS"


def inspection(inspection_id: str) -> tuple[str, str]:
    # Keyed by the client's id: the conditional put on it is what makes a retried create a no-op.
    return f"INSPECTION#{inspection_id}", "INSPECTION"


def hall_inspections(hall_code: str, month: str) -> str:
    """gsi1 partition of a hall's inspections of one month (Asia/Shanghai), sorted by inspected_at."""
    return f"HALL#{hall_code}#INSPECTIONS#{month}"


def inspector_inspections(username: str, month: str) -> str:
    """gsi2 partition of one inspector's inspections of one month, sorted by inspected_at."""
    return f"INSPECTOR#{username}#{month}"


def star_rules(version: int) -> tuple[str, str]:
    # One small partition of rule versions, zero-padded: the newest is the last.
    return STAR_RULES, f"VERSION#{version:06d}"


STAR_RULES = "STARRULES"


def star_publications(quarter: str) -> str:
    # As for months: a small header per version and its rows as compressed chunks beside it.
    return f"STARS#{quarter}"


# ---- live operations: unrated visits, device health, alerts, inboxes ----------
def unrated_visit(visit_id: str) -> tuple[str, str]:
    # Keyed by the device-chosen id, like a rating: the conditional put on it
    # makes a resent visit a duplicate.
    return f"UNRATED#{visit_id}", "UNRATED"


# gsi2 (sparse) of device items: devices by when they were last seen, spread over
# a few partitions by device id so that no one partition takes every device's
# minute-by-minute writes. Revoked devices leave it.
SEEN_SHARDS = 8


def devices_seen(shard: int) -> str:
    return f"DEVICES#SEEN#{shard}"


def seen_shard(device_id: str) -> int:
    return sum(device_id.encode()) % SEEN_SHARDS


def alert(alert_id: str) -> tuple[str, str]:
    return f"ALERT#{alert_id}", "ALERT"


def alert_scope(kind: str, scope: str) -> tuple[str, str]:
    # One item per kind and scope, kept for ever: ``open_id`` names the open alert
    # (its conditional set is "one open alert per kind and scope") and ``raised``
    # counts the alerts it has had (a repeat notifies the branch too).
    return f"ALERTSCOPE#{kind}#{scope}", "SCOPE"


def open_alerts(kind: str) -> str:
    """gsi2 partition (sparse) of the scope items of one kind with an open alert; gsi2sk ``<hall>#<scope>``."""
    return f"ALERTS#OPEN#{kind}"


def hall_alerts(hall_code: str, status: str) -> str:
    """gsi1 partition of a hall's alerts in one status, by raised_at; an alert moves as its status changes."""
    return f"HALL#{hall_code}#ALERTS#{status}"


ALERT_RULES = ("ALERT_RULES", "RULES")


def inbox_entry(username: str, notification_id: str) -> tuple[str, str]:
    # Keyed by the notification: delivering it again (a retried stream record) finds it there.
    return inbox(username), f"NOTE#{notification_id}"


def inbox(username: str) -> str:
    """A user's inbox partition; gsi1 of the same name lists it newest first (gsi1sk: created_at)."""
    return f"INBOX#{username}"


def inbox_unread(username: str) -> tuple[str, str]:
    # The unread count moves in the same transaction as the entry it counts.
    return inbox(username), "UNREAD"


# ---- surveys (定期客户满意度调查) -------------------------------------------------
def survey(survey_id: str) -> tuple[str, str]:
    return f"SURVEY#{survey_id}", "SURVEY"


def survey_version(survey_id: str, version: int) -> tuple[str, str]:
    # Beside the survey, zero-padded: a Query on the prefix lists the versions in order.
    return f"SURVEY#{survey_id}", f"{SURVEY_VERSION_PREFIX}{version:06d}"


SURVEY_VERSION_PREFIX = "VERSION#"
# gsi1 partition listing every survey, newest last (sorted by created_at).
ALL_SURVEYS = "SURVEYS"


def survey_response(survey_id: str, response_id: str) -> tuple[str, str]:
    # Keyed by the form's response_id within its survey: the conditional put on
    # it is what makes a double submit count once.
    return f"SURVEY#{survey_id}#RESPONSE#{response_id}", "RESPONSE"


def survey_responses(survey_id: str) -> str:
    """gsi1 partition of a survey's responses; gsi1sk ``survey_response_order`` sorts them by version, then time."""
    return f"SURVEY#{survey_id}#RESPONSES"


def survey_response_order(version: int, submitted_at: datetime, response_id: str) -> str:
    return f"{survey_version_prefix(version)}{instant(submitted_at)}#{response_id}"


def survey_version_prefix(version: int) -> str:
    return f"V{version:06d}#"


def survey_tally(survey_id: str, version: int, hall_code: str) -> tuple[str, str]:
    # One tally item per version and hall in one partition: results of a version
    # are one Query on the version's prefix, whatever the number of responses.
    return f"SURVEY#{survey_id}#TALLY", f"{survey_version_prefix(version)}HALL#{hall_code}"


def survey_tallies(survey_id: str) -> str:
    return f"SURVEY#{survey_id}#TALLY"


def survey_invitation(invitation_id: str) -> tuple[str, str]:
    return f"INVITATION#{invitation_id}", "INVITATION"


# Export jobs (SPEC §4.10). A user's jobs are listed through gsi1, newest
# first; a job still queued or running also sits in one gsi2 partition (sparse:
# the keys go when it finishes), so the sweep finds them with one Query.
def export_job(job_id: str) -> tuple[str, str]:
    return f"EXPORT#{job_id}", "EXPORT"


def user_exports(username: str) -> str:
    return f"USER#{username}#EXPORTS"


ACTIVE_EXPORTS = "EXPORTS#ACTIVE"


def sms_opt_out(phone_key: str) -> tuple[str, str]:
    # Keyed by the number's keyed hash: the number itself is never stored.
    return f"SMSOPTOUT#{phone_key}", "OPTOUT"
