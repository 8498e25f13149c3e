"""Export jobs stored alike in memory and in DynamoDB: a run owns its job by the attempt it
claimed; a second claim, or a stale run's progress or result, changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.errors import Conflict, StorageBusy
from chalicelib.domain.exports import Checkpoint, ExportFormat, ExportJob, ExportStatus, FilePart, FileState

T0 = datetime(2026, 12, 1, 2, tzinfo=UTC)


def job(n: int, by: str = "mgr") -> ExportJob:
    return ExportJob(
        id=f"{n:032x}",
        report="ratings",
        format=ExportFormat.xlsx,
        params={"from": "2026-01-01", "to": "2026-12-31"},
        lang="zh",
        requested_by=by,
        created_at=T0 + timedelta(minutes=n),
    )


def test_a_job_is_claimed_once_and_only_its_run_writes_it(repos):
    jobs = repos.exports
    jobs.add(job(1))
    with pytest.raises(Conflict):
        jobs.add(job(1))
    queued = jobs.get(job(1).id)
    assert queued == job(1) and queued.status is ExportStatus.queued
    running = jobs.claim(queued, T0)
    assert running is not None and running.attempts == 1 and running.status is ExportStatus.running
    assert jobs.claim(queued, T0) is None  # a second delivery of the record finds it taken
    jobs.progress(running, 2000, T0 + timedelta(seconds=5))
    stored = jobs.get(running.id)
    assert stored.rows == 2000 and stored.heartbeat_at == T0 + timedelta(seconds=5)
    assert [j.id for j in jobs.active()] == [running.id]

    requeued = stored.model_copy(update={"status": ExportStatus.queued, "rows": 0})
    assert jobs.settle(requeued)  # the sweep: queued again
    second = jobs.claim(jobs.get(running.id), T0)
    assert second is not None and second.attempts == 2
    with pytest.raises(StorageBusy):
        jobs.progress(running, 4000, T0)  # the first run, come back to life, owns nothing now
    assert not jobs.settle(running.model_copy(update={"status": ExportStatus.done}))

    done = second.model_copy(
        update={"status": ExportStatus.done, "rows": 10, "bytes": 99, "expires_at": T0 + timedelta(days=7)}
    )
    assert jobs.settle(done)
    assert jobs.get(done.id) == done
    assert jobs.active() == []


def test_a_users_jobs_newest_first_a_page_at_a_time(repos):
    for n in range(5):
        repos.exports.add(job(n))
    repos.exports.add(job(9, by="other"))
    first = repos.exports.by_requester("mgr", None, 3)
    assert [j.id for j in first.items] == [job(n).id for n in (4, 3, 2)] and first.next
    rest = repos.exports.by_requester("mgr", first.next, 3)
    assert [j.id for j in rest.items] == [job(n).id for n in (1, 0)] and rest.next is None


def test_a_checkpoint_is_kept_with_its_rows_and_a_later_run_resumes_from_it(repos):
    jobs = repos.exports
    jobs.add(job(2))
    running = jobs.claim(jobs.get(job(2).id), T0)
    kept = FileState(bytes=12_582_912, upload_id="up-1", parts=(FilePart(number=1, etag='"e1"'),))
    checkpoint = Checkpoint(rows=4000, position="A01/2026-03-02@17", file=kept)
    jobs.progress(running, 4000, T0 + timedelta(seconds=5), checkpoint)
    jobs.progress(running, 5000, T0 + timedelta(seconds=9))  # a heartbeat with nothing new kept
    stored = jobs.get(running.id)
    assert stored.rows == 5000 and stored.checkpoint == checkpoint
    assert jobs.settle(stored.stopped(T0 + timedelta(minutes=5)))  # queued again from the checkpoint
    again = jobs.claim(jobs.get(running.id), T0 + timedelta(minutes=5))
    assert again is not None and again.rows == again.started_rows == 4000 and again.checkpoint == checkpoint
    assert jobs.get(running.id) == again


def test_a_queued_job_is_nudged_only_while_no_run_has_taken_it(repos):
    jobs = repos.exports
    jobs.add(job(3))
    queued = jobs.get(job(3).id)
    assert jobs.nudge(queued, T0 + timedelta(minutes=16))
    assert jobs.get(queued.id).heartbeat_at == T0 + timedelta(minutes=16)
    running = jobs.claim(jobs.get(queued.id), T0 + timedelta(minutes=17))
    assert running is not None
    assert not jobs.nudge(queued, T0 + timedelta(minutes=18))  # taken meanwhile: left alone
    assert jobs.get(queued.id).status is ExportStatus.running
