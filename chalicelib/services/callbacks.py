"""Callback tasks (回访): opened from stored ratings and suggestions, worked by agents,
watched by the hourly clock check."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import callback_context, qrcodes
from chalicelib.domain import callbacks as rules
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.callback_context import Context
from chalicelib.domain.callbacks import (
    Attempt,
    AttemptResult,
    CallbackTask,
    Clocks,
    Flag,
    FollowUp,
    Outcome,
    SourceType,
    Status,
    TaskType,
)
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, Reason
from chalicelib.domain.labels import CALLBACK_FLAG, label
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.privacy import CONTACT_RETENTION, mask_phone
from chalicelib.domain.ratings import Rating
from chalicelib.domain.suggestions import Suggestion
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services.ports import CallbackRepository, Clock, OrganisationRepository

CHECK_BATCH = 200
MAX_PURGE_BATCHES = 100  # a night's purge stops at 20,000 tasks and goes on the next night


@dataclass(frozen=True)
class CallbackPorts:
    callbacks: CallbackRepository
    org: OrganisationRepository
    clock: Clock
    calendar: WorkingDays
    clocks: Mapping[TaskType, Clocks]


def _open(
    ports: CallbackPorts,
    *,
    source_type: SourceType,
    source_id: str,
    hall_code: str,
    task_type: TaskType,
    phone: str | None,
    created_at: datetime,
    context: Context,
) -> CallbackTask | None:
    task = rules.new_task(
        source_type=source_type,
        source_id=source_id,
        hall_code=hall_code,
        task_type=task_type,
        phone=phone,
        created_at=created_at,
        clocks=ports.clocks.get(task_type, Clocks()),
        calendar=ports.calendar,
        context=context,
    )
    return task if ports.callbacks.create(task, rules.tally(task, "opened", created_at)) else None


def open_for_rating(ports: CallbackPorts, rating: Rating) -> CallbackTask | None:
    """A task for a stored 差评 with a phone; None when none is due or it exists already.

    Its context names the clerk as the organisation knows them now (the rating keeps the number only).
    """
    task_type = rules.task_type_of_rating(rating)
    if task_type is None:
        return None
    staff = ports.org.get_staff(rating.staff_no) if rating.staff_no else None
    return _open(
        ports,
        source_type=SourceType.rating,
        source_id=rating.id,
        hall_code=rating.hall_code,
        task_type=task_type,
        phone=rating.phone,
        created_at=rating.received_at,
        context=callback_context.of_rating(rating, staff.name if staff else None),
    )


def open_for_suggestion(ports: CallbackPorts, suggestion: Suggestion) -> CallbackTask | None:
    task_type = rules.task_type_of_suggestion(suggestion)
    if task_type is None:
        return None
    return _open(
        ports,
        source_type=SourceType.suggestion,
        source_id=suggestion.id,
        hall_code=suggestion.hall_code,
        task_type=task_type,
        phone=suggestion.phone,
        created_at=suggestion.created_at,
        context=callback_context.of_suggestion(suggestion),
    )


def _task_for(actor: UserPrincipal, ports: CallbackPorts, task_id: str) -> CallbackTask:
    task = ports.callbacks.get(task_id)
    if task is None or not actor.can_see_hall(task.hall_code):
        raise NotFound(f"No callback task {task_id}.")
    return task


def shown_phone(task: CallbackTask, actor: UserPrincipal) -> str | None:
    """In full for the task's agent and admins; masked for everyone else."""
    if task.phone is None:
        return None
    if actor.role is Role.admin or (task.agent is not None and task.agent == actor.username):
        return task.phone
    return mask_phone(task.phone)


def list_tasks(
    actor: UserPrincipal,
    ports: CallbackPorts,
    hall_code: str,
    status: Status | None,
    cursor: str | None,
    limit: int,
) -> Page[CallbackTask]:
    actor.require_hall(hall_code)
    return ports.callbacks.list_by_hall(hall_code, status, cursor, limit)


def get_task(actor: UserPrincipal, ports: CallbackPorts, task_id: str) -> CallbackTask:
    return _task_for(actor, ports, task_id)


def _save(ports: CallbackPorts, before: CallbackTask, after: CallbackTask) -> CallbackTask:
    saved = after.model_copy(update={"version": before.version + 1})
    event = None
    if before.status is not Status.closed and saved.status is Status.closed:
        event = "closed"
    elif before.follow_up is None and saved.follow_up is not None:
        event = "follow_ups"
    elif not before.contacted and saved.contacted:
        event = "contacted"  # the first call attempt: counted in the month the task was opened
    ports.callbacks.save(saved, tallies=rules.tally(saved, event, ports.clock.now()) if event else None)
    return saved


def _assigned(task: CallbackTask) -> Forbidden:
    """Another agent has the task (managers and admins may still work it)."""
    return Forbidden(f"The task is assigned to {task.agent}.", reason=Reason("task_taken", {"agent": task.agent or ""}))


def claim(actor: UserPrincipal, ports: CallbackPorts, task_id: str) -> CallbackTask:
    """The actor becomes the task's agent: from then on they see the full phone number."""
    task = _task_for(actor, ports, task_id)
    if task.status is Status.closed:
        raise Conflict("The task is closed.", reason=rules.TASK_CLOSED)
    if task.agent not in (None, actor.username) and actor.role is Role.agent:
        raise _assigned(task)
    return _save(ports, task, task.model_copy(update={"agent": actor.username}))


def record_attempt(
    actor: UserPrincipal, ports: CallbackPorts, task_id: str, result: AttemptResult, note: str
) -> CallbackTask:
    task = _task_for(actor, ports, task_id)
    if task.agent is not None and task.agent != actor.username and actor.role is Role.agent:
        raise _assigned(task)
    attempt = Attempt(at=ports.clock.now(), by=actor.username, result=result, note=note)
    updated = rules.record_attempt(task, attempt)
    if updated.agent is None:
        updated = updated.model_copy(update={"agent": actor.username})
    return _save(ports, task, updated)


def close_task(
    actor: UserPrincipal,
    ports: CallbackPorts,
    task_id: str,
    outcome: Outcome,
    note: str,
    verified: bool | None = None,
    staff_no: str | None = None,
) -> CallbackTask:
    """Close with an outcome; a complaint or report may be closed as verified against a clerk."""
    task = _task_for(actor, ports, task_id)
    if task.agent is not None and task.agent != actor.username and actor.role is Role.agent:
        raise _assigned(task)
    if staff_no is not None and ports.org.get_staff(staff_no) is None:
        raise NotFound(f"No staff number {staff_no}.", {"staff_no": "unknown staff number"})
    closed = rules.close(task, outcome, note, actor.username, ports.clock.now(), verified, staff_no)
    return _save(ports, task, closed)


def follow_up_link(ports: CallbackPorts, key: bytes, source_type: SourceType, source_id: str) -> str | None:
    """The code of the customer's follow-up page when their rating or suggestion has a task."""
    task = ports.callbacks.get(rules.task_id(source_type, source_id))
    return qrcodes.follow_up_code(key, task.id) if task else None


def task_of_follow_up(ports: CallbackPorts, key: bytes, code: str) -> CallbackTask:
    """The task a customer's follow-up link names; NotFound for forged links and unknown tasks."""
    task_id = qrcodes.parse_follow_up_code(key, code)
    task = ports.callbacks.get(task_id) if task_id else None
    if task is None:
        raise NotFound("Unknown link.")
    return task


def give_follow_up(ports: CallbackPorts, key: bytes, code: str, level: int, comment: str) -> CallbackTask:
    """追评: the customer rates how a closed task was handled (once)."""
    task = task_of_follow_up(ports, key, code)
    if task.status is not Status.closed:
        raise Conflict("The callback is not finished yet.")
    if task.follow_up is not None:
        raise Conflict("This callback has been rated already.")
    follow_up = FollowUp(level=level, comment=comment, at=ports.clock.now())
    return _save(ports, task, task.model_copy(update={"follow_up": follow_up}))


def _notification(task: CallbackTask, flag: Flag, now: datetime) -> Notification:
    clock = "resolution" if task.contacted else "first_contact"
    zh, en = label(CALLBACK_FLAG, flag, "zh"), label(CALLBACK_FLAG, flag, "en").lower()
    audiences = (Audience.hall_manager,) if flag is Flag.at_risk else (Audience.hall_manager, Audience.branch)
    return Notification(
        id=f"{task.id}:{clock}:{flag.value}",
        kind=f"callback_{flag.value}",
        hall_code=task.hall_code,
        audiences=audiences,
        subject=f"回访任务{zh} / Callback task {en}: {task.id}",
        body=f"{task.hall_code} {task.task_type.value} {clock} due {task.next_due()}",
        created_at=now,
    )


def check_clocks(ports: CallbackPorts, on_overdue: Callable[[CallbackTask], object] | None = None) -> int:
    """The hourly job: re-flag tasks whose clocks moved on; notify each new flag once; hand each
    task newly overdue to ``on_overdue`` (it is listed as an alert)."""
    now = ports.clock.now()
    changed = 0
    for task in ports.callbacks.due_for_check(now, CHECK_BATCH):
        flags = rules.flags_at(task, now)
        if flags == task.flags:
            continue
        new = [f for f in flags if f not in task.flags]
        overdue = Flag.overdue in new and not task.was_overdue
        updated = task.model_copy(
            update={"flags": flags, "version": task.version + 1, "was_overdue": task.was_overdue or overdue}
        )
        try:
            ports.callbacks.save(
                updated,
                [_notification(task, f, now) for f in new],
                tallies=rules.tally(task, "overdue", now) if overdue else None,
            )
        except Conflict:
            continue  # an agent changed it meanwhile; the next run looks again
        if overdue and on_overdue is not None:
            on_overdue(updated)
        changed += bool(new)
    return changed


def purge_expired_phones(ports: CallbackPorts) -> int:
    """Phones go CONTACT_RETENTION after their task closed, from the task and its source: a batch at a
    time until none is left (each purge takes the task off the list it was read from)."""
    cutoff, purged = ports.clock.now() - CONTACT_RETENTION, 0
    for _ in range(MAX_PURGE_BATCHES):
        tasks = ports.callbacks.phones_to_purge(cutoff, CHECK_BATCH)
        for task in tasks:
            ports.callbacks.purge_phone(task)
        purged += len(tasks)
        if len(tasks) < CHECK_BATCH:
            break
    return purged
