"""Follow-up callback tasks (回访): which sources need one, their two clocks, and their life.

A task runs two clocks counted in working days: first contact (default 1)
and resolution (default 7), the State Grid service commitment. A clock that
starts on a day off starts at 00:00 of the next working day; its deadline is
the same time of day, n working days on. Past 80 % of a running clock the
task is ``at_risk``, past its deadline ``overdue``.
"""

from __future__ import annotations

import collections
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .business_time import SHANGHAI
from .callback_context import Context
from .errors import Conflict, InvalidInput, Reason
from .ratings import BAD_UP_TO_LEVEL, Rating
from .stats import Ratio, StatKey, StatKind, hall_event
from .suggestions import Suggestion, SuggestionKind
from .workdays import WorkingDays

AT_RISK_FRACTION = 0.8
FAILED_ATTEMPTS_FOR_UNREACHABLE = 3
SATISFIED_FOLLOW_UP = 4
TASK_CLOSED = Reason("task_closed")

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class SourceType(StrEnum):
    rating = "rating"
    suggestion = "suggestion"
    ticket = "ticket"


class TaskType(StrEnum):
    """Why a task exists; clocks are configurable per type."""

    bad_rating = "bad_rating"
    complaint = "complaint"
    report = "report"
    reply_request = "reply_request"
    ticket_answer = "ticket_answer"  # a work order's answer, called back


class Status(StrEnum):
    open = "open"
    in_progress = "in_progress"
    closed = "closed"


class Outcome(StrEnum):
    resolved_satisfied = "resolved_satisfied"
    resolved_unsatisfied = "resolved_unsatisfied"
    unreachable = "unreachable"


class AttemptResult(StrEnum):
    no_answer = "no_answer"
    reached = "reached"
    wrong_number = "wrong_number"


class Flag(StrEnum):
    at_risk = "at_risk"
    overdue = "overdue"


class Clocks(BaseModel):
    """Working days allowed for first contact and for resolution."""

    model_config = ConfigDict(frozen=True)

    first_contact_days: Annotated[int, Field(ge=0, le=60)] = 1
    resolution_days: Annotated[int, Field(ge=1, le=120)] = 7


DEFAULT_CLOCKS = {t: Clocks() for t in TaskType}


def clocks_per_type(overrides: Mapping[str, Mapping[str, int]]) -> dict[TaskType, Clocks]:
    """The default clocks with per-type overrides, e.g. ``{"complaint": {"resolution_days": 5}}``.

    Raises ValueError naming an unknown task type; pydantic's ValidationError for a bad number.
    """
    clocks = dict(DEFAULT_CLOCKS)
    for name, change in overrides.items():
        try:
            task_type = TaskType(name)
        except ValueError:
            raise ValueError(f"unknown task type {name!r}; one of {', '.join(t.value for t in TaskType)}") from None
        clocks[task_type] = Clocks.model_validate(clocks[task_type].model_dump() | dict(change))
    return clocks


class Attempt(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: datetime
    by: str
    result: AttemptResult
    note: Note = ""


class FollowUp(BaseModel):
    """追评: the customer's rating of how the callback was handled."""

    model_config = ConfigDict(frozen=True)

    level: Annotated[int, Field(ge=1, le=5)]
    comment: Note = ""
    at: datetime


class CallbackTask(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    hall_code: str
    source_type: SourceType
    source_id: str
    task_type: TaskType
    status: Status = Status.open
    flags: tuple[Flag, ...] = ()
    created_at: datetime
    first_contact_due: datetime
    resolution_due: datetime
    attempts: tuple[Attempt, ...] = ()
    outcome: Outcome | None = None
    note: Note = ""
    phone: str | None = None
    agent: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    follow_up: FollowUp | None = None
    context: Context | None = None  # what the agent needs to call well, from the source (callback_context)
    was_overdue: bool = False  # counted once in the hall's overdue tally, whichever clock ran out
    version: int = 0  # bumped on every save: concurrent edits of one task cannot both win
    # A complaint or report closed as verified (属实) against a clerk: counts against their stars
    # (SPEC §3.3) until work orders record verified complaints.
    verified: bool | None = None
    verified_staff_no: str | None = None

    @property
    def failed_attempts(self) -> int:
        return sum(a.result is not AttemptResult.reached for a in self.attempts)

    @property
    def contacted(self) -> bool:
        return bool(self.attempts)

    def next_due(self) -> datetime | None:
        """The deadline of the clock still running, if any."""
        if self.status is Status.closed:
            return None
        return self.resolution_due if self.contacted else self.first_contact_due


RESOLVED = (Outcome.resolved_satisfied, Outcome.resolved_unsatisfied)


def tally(task: CallbackTask, event: str, at: datetime) -> dict[StatKey, collections.Counter[str]]:
    """The hall-month counts an event of a task adds to.

    In the month it happens: ``opened``; ``overdue`` (once a task); ``closed``
    with ``outcome_<outcome>``; ``follow_ups`` with ``follow_up_satisfied`` for
    a 追评 of 4 or 5. In the month the task was opened, whenever they happen:
    ``contacted`` (its first call attempt) and ``resolved`` (closed as resolved),
    so a month's 回访率 and 整改率 are of the tasks opened in it and never pass
    100 %. The rates of ``CallbackRates`` follow from them.
    """
    if event == "contacted":
        return hall_event(task.hall_code, StatKind.callbacks, task.created_at, collections.Counter(contacted=1))
    counts = collections.Counter({event: 1})
    if event == "closed" and task.outcome is not None:
        counts[f"outcome_{task.outcome.value}"] += 1
    if event == "follow_ups" and task.follow_up is not None and task.follow_up.level >= SATISFIED_FOLLOW_UP:
        counts["follow_up_satisfied"] += 1
    found = hall_event(task.hall_code, StatKind.callbacks, at, counts)
    if event == "closed" and task.verified and task.verified_staff_no:
        month = at.astimezone(SHANGHAI).strftime("%Y-%m")
        clerk = StatKey(task.hall_code, month, StatKind.verified_complaint, task.verified_staff_no, None)
        found[clerk] = collections.Counter(complaints=1)
    if event == "closed" and task.outcome in RESOLVED:
        for key, more in hall_event(
            task.hall_code, StatKind.callbacks, task.created_at, collections.Counter(resolved=1)
        ).items():
            found.setdefault(key, collections.Counter()).update(more)
    return found


@dataclass(frozen=True)
class CallbackRates:
    """回访率, 整改率 and 回访满意率 of a hall-month, from its callback tallies (``tally``).

    - 回访率 (contact rate): the month's tasks with a first contact (a call attempt) / the month's tasks
    - 整改率 (resolution rate): the month's tasks closed as resolved, satisfied or not / the month's tasks
    - 回访满意率 (follow-up satisfaction): 追评 of 4 or 5 / 追评 given in the month

    "The month's tasks" are the tasks opened in it; a task still open counts in the
    denominators, so one task closed of two reads 1 / 2, not 100 %.
    """

    counts: Mapping[str, int]

    def _count(self, name: str) -> int:
        return int(self.counts.get(name, 0))

    @property
    def contact_rate(self) -> Ratio:
        return Ratio(self._count("contacted"), self._count("opened"))

    @property
    def resolution_rate(self) -> Ratio:
        return Ratio(self._count("resolved"), self._count("opened"))

    @property
    def follow_up_satisfaction(self) -> Ratio:
        return Ratio(self._count("follow_up_satisfied"), self._count("follow_ups"))


def task_id(source_type: SourceType, source_id: str) -> str:
    """One task per source: the id is derived from it, so a second create collides."""
    return f"{source_type.value}-{source_id}"


def task_type_of_rating(rating: Rating) -> TaskType | None:
    """Every 差评 that left a phone number with consent (phones are kept only with consent)."""
    if rating.level <= BAD_UP_TO_LEVEL and rating.phone and rating.scored:
        return TaskType.bad_rating
    return None


def task_type_of_suggestion(suggestion: Suggestion) -> TaskType | None:
    if suggestion.kind is SuggestionKind.complaint:
        return TaskType.complaint
    if suggestion.kind is SuggestionKind.report:
        return TaskType.report
    if suggestion.wants_reply and suggestion.phone:
        return TaskType.reply_request
    return None


def deadline(start: datetime, working_days: int, calendar: WorkingDays) -> datetime:
    """``working_days`` working days after ``start`` (Asia/Shanghai), as a UTC-aware time."""
    local = start.astimezone(SHANGHAI)
    day, clock_time = local.date(), local.timetz()
    if not calendar.is_working_day(day):
        day, clock_time = calendar.add_working_days(day, 1), time(0, tzinfo=SHANGHAI)
    due_day = calendar.add_working_days(day, working_days)
    return datetime.combine(due_day, clock_time).astimezone(start.tzinfo)


def new_task(
    *,
    source_type: SourceType,
    source_id: str,
    hall_code: str,
    task_type: TaskType,
    phone: str | None,
    created_at: datetime,
    clocks: Clocks,
    calendar: WorkingDays,
    context: Context | None = None,
) -> CallbackTask:
    return CallbackTask(
        id=task_id(source_type, source_id),
        hall_code=hall_code,
        source_type=source_type,
        source_id=source_id,
        task_type=task_type,
        created_at=created_at,
        phone=phone,
        first_contact_due=deadline(created_at, clocks.first_contact_days, calendar),
        resolution_due=deadline(created_at, clocks.resolution_days, calendar),
        context=context,
    )


def flags_at(task: CallbackTask, now: datetime) -> tuple[Flag, ...]:
    """The flags of a task now: the worse of its running clocks."""
    due = task.next_due()
    if due is None:
        return ()
    if now > due:
        return (Flag.overdue,)
    if now >= task.created_at + (due - task.created_at) * AT_RISK_FRACTION:
        return (Flag.at_risk,)
    return ()


def next_check(task: CallbackTask) -> datetime | None:
    """When the flags of a task will next change on their own (None: never)."""
    due = task.next_due()
    if due is None or Flag.overdue in task.flags:
        return None
    if Flag.at_risk in task.flags:
        return due + timedelta(microseconds=1)
    return task.created_at + (due - task.created_at) * AT_RISK_FRACTION


def record_attempt(task: CallbackTask, attempt: Attempt) -> CallbackTask:
    if task.status is Status.closed:
        raise Conflict("The task is closed.", reason=TASK_CLOSED)
    attempts = (*task.attempts, attempt)
    updated = task.model_copy(update={"attempts": attempts, "status": Status.in_progress})
    return updated.model_copy(update={"flags": flags_at(updated, attempt.at)})


# The task types whose source may be verified against a clerk on close.
VERIFIABLE = (TaskType.complaint, TaskType.report)


def close(
    task: CallbackTask,
    outcome: Outcome,
    note: str,
    by: str,
    at: datetime,
    verified: bool | None = None,
    staff_no: str | None = None,
) -> CallbackTask:
    if task.status is Status.closed:
        raise Conflict("The task is closed already.", reason=TASK_CLOSED)
    if verified is not None and task.task_type not in VERIFIABLE:
        raise InvalidInput("Only a complaint or report is verified.", {"verified": "not a complaint or report"})
    if verified and not staff_no:
        raise InvalidInput("Name the clerk the complaint was verified against.", {"staff_no": "required when verified"})
    if staff_no and not verified:
        raise InvalidInput("A clerk is named only for a verified complaint.", {"staff_no": "only when verified"})
    if outcome is Outcome.unreachable and task.failed_attempts < FAILED_ATTEMPTS_FOR_UNREACHABLE:
        raise InvalidInput(
            "Unreachable needs three failed attempts first.",
            {"outcome": f"{task.failed_attempts} failed attempts so far; unreachable needs 3"},
            reason=Reason(
                "unreachable_too_early", {"failed": task.failed_attempts, "needed": FAILED_ATTEMPTS_FOR_UNREACHABLE}
            ),
        )
    if outcome is not Outcome.unreachable and not any(a.result is AttemptResult.reached for a in task.attempts):
        raise InvalidInput(
            "Record the call that reached the customer first.",
            {"outcome": "no attempt reached them"},
            reason=Reason("not_reached_yet"),
        )
    return task.model_copy(
        update={
            "status": Status.closed,
            "outcome": outcome,
            "note": note,
            "closed_by": by,
            "closed_at": at,
            "flags": (),
            "verified": verified,
            "verified_staff_no": staff_no if verified else None,
        }
    )
