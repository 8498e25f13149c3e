"""Export jobs (SPEC §4.10): asking for one, following it, and running it.

A job is asked for with the report's own query and checked at once with the
report's own rules (a bad month or someone else's hall is a 4xx, nothing
stored). It runs later, in its own function run, as the user who asked for it
(re-read then: a user deactivated meanwhile gets nothing). The run reads the
report lazily and writes each row as it comes, so memory stays flat whatever
the range; it writes its progress every ``HEARTBEAT_ROWS`` rows, which is also
its sign of life, together with a checkpoint whenever the file could keep
every row so far (``ExportFile.checkpoint``). Past its ``budget`` a run stops
at a heartbeat and queues the job again: the next run resumes from the last
checkpoint, the report's rows from its position and the file from what was
kept, so no row is lost or written twice. A run that stops without a word is
found by ``sweep``, which queues the job again the same way.

Which reports can be exported, and how each checks and reads its query, is the
HTTP layer's registry (``web/export_reports.py``); this module takes it as a
mapping of ``ExportReport``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.csv_export import Lang
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, StorageBusy
from chalicelib.domain.export_rows import RowSource
from chalicelib.domain.exports import (
    FILE_DAYS,
    HEARTBEAT_ROWS,
    HEARTBEAT_SECONDS,
    RUN_BUDGET,
    XLSX_MAX_ROWS,
    XLSX_ROWS_PER_SECOND,
    Checkpoint,
    ExportFormat,
    ExportJob,
    ExportStatus,
    FileState,
    file_name,
)
from chalicelib.domain.paging import Page
from chalicelib.services.ports import Clock, ExportFile, ExportFiles, ExportJobRepository, UserRepository

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReportRows:
    """A report opened for export: its column keys, its rows (read as iterated, from a position),
    its file's stem."""

    columns: Sequence[str]
    rows: RowSource
    stem: str  # in the job's language, without the extension
    headers: Mapping[str, str] | None = None  # headers of columns that are no fixed key (a survey's questions)


class ExportReport(Protocol):
    def check(self, actor: UserPrincipal, params: Mapping[str, str]) -> None:
        """Refuse now what the report would refuse: a bad query (InvalidInput naming the
        parameter) or a caller who may not read it (Forbidden). Reads little or nothing."""
        ...

    def tallied_rows(self, actor: UserPrincipal, params: Mapping[str, str], past: int) -> int | None:
        """The rows the file would hold, as tallies tell it cheaply (once past ``past`` it may answer
        early, with the count so far); None when they cannot tell. Asking for an XLSX reads it."""
        ...

    def open(self, actor: UserPrincipal, params: Mapping[str, str], lang: Lang, position: str | None) -> ReportRows:
        """The report as ``actor`` may read it, from ``position`` (``RowSource.position`` after the
        last row written; None: the start); rows are read as they are iterated."""
        ...


@dataclass(frozen=True)
class ExportPorts:
    jobs: ExportJobRepository
    files: ExportFiles
    users: UserRepository
    clock: Clock


def request_export(
    actor: UserPrincipal,
    ports: ExportPorts,
    reports: Mapping[str, ExportReport],
    *,
    report: str,
    fmt: ExportFormat,
    params: Mapping[str, str],
    lang: Lang,
    job_id: str | None = None,
) -> ExportJob:
    """A queued job, checked as the report checks its query. ``job_id`` (a client's UUID) makes a
    retry answer the job stored the first time."""
    source = reports.get(report)
    if source is None:
        raise InvalidInput("No such report.", {"report": f"one of {', '.join(sorted(reports))}"})
    source.check(actor, params)
    if fmt is ExportFormat.xlsx:
        rows = source.tallied_rows(actor, params, XLSX_MAX_ROWS)
        if rows is not None and rows > XLSX_MAX_ROWS:
            raise _xlsx_refusal(f"{rows:,} rows or more")
    job = ExportJob(
        id=job_id or uuid.uuid4().hex,
        report=report,
        format=fmt,
        params=dict(params),
        lang=lang,
        requested_by=actor.username,
        created_at=ports.clock.now(),
    )
    try:
        ports.jobs.add(job)
    except Conflict:
        stored = ports.jobs.get(job.id)
        if stored is None or stored.requested_by != actor.username:
            raise Conflict("That id names another export.", {"id": "taken"}) from None
        return stored
    return job


def get_export(actor: UserPrincipal, jobs: ExportJobRepository, job_id: str) -> ExportJob:
    """One job: the asker's own (an admin sees every job)."""
    job = jobs.get(job_id)
    if job is None or not _may_see(actor, job):
        raise NotFound(f"No export {job_id}.")
    return job


def _may_see(actor: UserPrincipal, job: ExportJob) -> bool:
    return job.requested_by == actor.username or actor.role is Role.admin


def list_exports(actor: UserPrincipal, jobs: ExportJobRepository, cursor: str | None, limit: int) -> Page[ExportJob]:
    """The asker's jobs, newest first."""
    return jobs.by_requester(actor.username, cursor, limit)


def _principal(users: UserRepository, username: str) -> UserPrincipal:
    user = users.get_user(username)
    if user is None or not user.active:
        raise Forbidden(f"User {username} is no longer active.")
    return UserPrincipal(username=user.username, role=user.role, halls=frozenset(user.halls))


def run_export(
    ports: ExportPorts, reports: Mapping[str, ExportReport], job_id: str, budget: timedelta = RUN_BUDGET
) -> ExportJob | None:
    """Write a queued job's file, from its checkpoint if an earlier run kept one; answers the job as
    this run left it (done, failed, or queued again past ``budget``), or None when there was nothing
    to run (not queued, or taken by another run). A refusal (the report's rules, the XLSX cap) fails
    the job with its reason; storage trouble leaves it running for the sweep to queue again."""
    job = ports.jobs.get(job_id)
    if job is None or job.status is not ExportStatus.queued:
        return None
    running = ports.jobs.claim(job, ports.clock.now())
    if running is None:
        return None
    try:
        return _write(ports, reports, running, ports.clock.now() + budget)
    except StorageBusy:
        raise  # the heartbeat stops; the sweep queues the job again
    except DomainError as e:
        return _settle(ports, running, ExportStatus.failed, error=e.message)
    except Exception:
        _settle(ports, running, ExportStatus.failed, error="The export failed unexpectedly.")
        raise


def _write(ports: ExportPorts, reports: Mapping[str, ExportReport], job: ExportJob, deadline: datetime) -> ExportJob:
    kept = job.checkpoint or Checkpoint()
    source = reports[job.report].open(_principal(ports.users, job.requested_by), job.params, job.lang, kept.position)
    file = ports.files.open(job, source.columns, source.headers, job.checkpoint.file if job.checkpoint else None)
    rows = kept.rows
    clock = ports.clock
    last_beat = clock.now()

    def alive() -> None:
        """A heartbeat while the file is put in place (an XLSX written from its kept rows takes minutes)."""
        nonlocal last_beat
        if _overdue(clock, last_beat):
            last_beat = clock.now()
            ports.jobs.progress(job, rows, last_beat)

    try:
        if not kept.file.complete:
            for row in source.rows:
                if job.format is ExportFormat.xlsx and rows >= XLSX_MAX_ROWS:
                    raise _xlsx_refusal(f"More than {XLSX_MAX_ROWS:,} rows")
                file.write(row)
                rows += 1
                if rows % HEARTBEAT_ROWS == 0 or (rows % 100 == 0 and _overdue(clock, last_beat)):
                    last_beat = clock.now()
                    job = _beat(ports, job, rows, file.checkpoint(), source.rows.position, last_beat)
                    if last_beat >= deadline:
                        return _stop(ports, job, file)
            job = _beat(ports, job, rows, file.finish(), source.rows.position, clock.now())
            if job.format is ExportFormat.xlsx and clock.now() + _xlsx_writing(rows) > deadline:
                return _stop(ports, job, file)  # every row is kept: a fresh run writes the XLSX with all its time
        size = file.close(alive)
    except StorageBusy:
        file.release()
        raise
    except BaseException:
        file.discard()
        raise
    now = clock.now()
    done = job.model_copy(
        update={
            "status": ExportStatus.done,
            "rows": rows,
            "bytes": size,
            "heartbeat_at": now,
            "finished_at": now,
            "expires_at": now + timedelta(days=FILE_DAYS),
            "file_name": file_name(source.stem, job.format),
            "checkpoint": None,
        }
    )
    if not ports.jobs.settle(done):
        raise StorageBusy("The export changed while it ran.")
    return done


def _xlsx_writing(rows: int) -> timedelta:
    """About how long writing an XLSX of ``rows`` kept rows takes."""
    return timedelta(seconds=rows / XLSX_ROWS_PER_SECOND)


def _xlsx_refusal(rows: str) -> InvalidInput:
    return InvalidInput(
        f"{rows}: too many for XLSX (at most {XLSX_MAX_ROWS:,}); ask for CSV or a shorter range.",
        {"format": f"csv for more than {XLSX_MAX_ROWS:,} rows"},
    )


def _beat(
    ports: ExportPorts, job: ExportJob, rows: int, kept: FileState | None, position: str | None, now: datetime
) -> ExportJob:
    """Progress and a sign of life; with a checkpoint when the file kept every row so far."""
    checkpoint = Checkpoint(rows=rows, position=position, file=kept) if kept is not None else None
    ports.jobs.progress(job, rows, now, checkpoint)
    return job.model_copy(update={"rows": rows, "heartbeat_at": now, "checkpoint": checkpoint or job.checkpoint})


def _stop(ports: ExportPorts, job: ExportJob, file: ExportFile) -> ExportJob:
    """The run's time is up: the job queued again from its last checkpoint (the next run starts
    as the stream brings the change), what was kept left for it; or, when runs keep making no
    progress, failed and the file given up."""
    stopped = job.stopped(ports.clock.now())
    if not ports.jobs.settle(stopped):
        raise StorageBusy("The export changed while it ran.")
    if stopped.status is ExportStatus.failed:
        file.discard()
    else:
        file.release()
    logger.info("export paused", extra={"export_id": job.id, "rows": stopped.rows, "to": stopped.status.value})
    return stopped


def _overdue(clock: Clock, last_beat: datetime) -> bool:
    return (clock.now() - last_beat).total_seconds() >= HEARTBEAT_SECONDS


def _settle(ports: ExportPorts, job: ExportJob, status: ExportStatus, error: str | None = None) -> ExportJob:
    now = ports.clock.now()
    settled = job.model_copy(update={"status": status, "error": error, "finished_at": now, "heartbeat_at": now})
    ports.jobs.settle(settled)
    return settled


def sweep(ports: ExportPorts) -> int:
    """Jobs whose run stopped midway: queued again (the next run resumes from the last checkpoint),
    or, after ``MAX_STALLS`` runs in a row that kept nothing new, failed saying so (what they kept
    goes with the expired files). A queued job no run took for ``UNCLAIMED_AFTER`` is written again,
    so the stream brings it to a run. Files kept past ``FILE_DAYS`` are removed where no lifecycle rule
    does it. Answers how many jobs it changed."""
    now = ports.clock.now()
    changed = 0
    for job in ports.jobs.active():
        if job.unclaimed(now) and ports.jobs.nudge(job, now):
            changed += 1
            logger.warning("export never started: queued again", extra={"export_id": job.id})
        if not job.interrupted(now):
            continue
        settled = job.stopped(now)
        if ports.jobs.settle(settled):
            changed += 1
            logger.warning("export interrupted", extra={"export_id": job.id, "to": settled.status.value})
    expired = ports.files.expire(now)
    if expired:
        logger.info("expired export files removed", extra={"files": expired})
    return changed


def link(actor: UserPrincipal, ports: ExportPorts, job: ExportJob) -> str | None:
    """A short-lived link to the job's file while it is kept; None before it is done or once expired."""
    if not _may_see(actor, job) or not job.file_ready(ports.clock.now()):
        return None
    return ports.files.link(job, ports.clock.now())
