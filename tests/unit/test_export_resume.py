"""A job longer than one run continues in the next (SPEC §4.10): files under a temporary
data directory, jobs in memory, a clock that moves as rows are read. Stopped by its
budget or by a crash, a job resumes from its last checkpoint and the file it ends with
is byte for byte the file of an uninterrupted run; a job that keeps making no progress
fails visibly; files are removed after 7 days."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib.adapters import export_files
from chalicelib.adapters.export_files import LocalExportFiles
from chalicelib.domain.accounts import Role, User, UserPrincipal
from chalicelib.domain.csv_export import Cell, Lang
from chalicelib.domain.errors import Conflict, StorageBusy
from chalicelib.domain.export_rows import RowSource, numbered
from chalicelib.domain.exports import MAX_STALLS, ExportFormat, ExportStatus
from chalicelib.services import export_jobs
from chalicelib.services.export_jobs import ExportPorts, ReportRows
from tests.fakes.clock import FixedClock
from tests.fakes.exports import InMemoryExportJobs
from tests.fakes.organisation import InMemoryUserRepository

ADMIN = UserPrincipal(username="root", role=Role.admin)
HALLS, DAYS = ("A01", "B02", "C03"), 6


class HallDays:
    """Rows in segments, a hall's day each (as ratings are read); each row read takes a second
    of the clock; ``crash_at`` (a count of rows read) raises storage trouble there, once."""

    def __init__(self, clock: FixedClock, crash_at: int | None = None) -> None:
        self.clock, self.crash_at, self.read = clock, crash_at, 0

    def check(self, actor: UserPrincipal, params: Mapping[str, str]) -> None:
        return None

    def _day(self, hall: str, day: int) -> Iterator[dict[str, Cell]]:
        for n in range((day * 7 + len(hall) * 3) % 11 + 2):
            self.read += 1
            self.clock.advance(seconds=1)
            if self.read == self.crash_at:
                self.crash_at = None
                raise StorageBusy()
            yield {"staff_no": f"{n:05d}", "hall_code": hall, "level": day % 5 + 1, "comment": "=1+1, 好"}

    def tallied_rows(self, actor: UserPrincipal, params: Mapping[str, str], past: int) -> int | None:
        return None

    def open(self, actor: UserPrincipal, params: Mapping[str, str], lang: Lang, position: str | None) -> ReportRows:
        segments = ((f"{h}/{d}", lambda h=h, d=d: numbered(self._day(h, d))) for h in HALLS for d in range(DAYS))
        return ReportRows(("staff_no", "hall_code", "level", "comment"), RowSource(segments, position), "分段")


def ports_at(tmp_path: Path, clock: FixedClock) -> ExportPorts:
    users = InMemoryUserRepository()
    users.add_user(User(username="root", password_hash="x", role=Role.admin, created_at=clock.now()))
    files = LocalExportFiles(tmp_path / "exports", b"k" * 32, "http://localhost")
    return ExportPorts(jobs=InMemoryExportJobs(), files=files, users=users, clock=clock)


def ask(ports: ExportPorts, report: HallDays, fmt: ExportFormat) -> str:
    job = export_jobs.request_export(
        ADMIN, ports, {"days": report}, report="days", fmt=fmt, params={}, lang="zh", job_id=None
    )
    return job.id


def uninterrupted(tmp_path: Path, fmt: ExportFormat) -> bytes:
    clock = FixedClock()
    ports = ports_at(tmp_path / "whole", clock)
    report = HallDays(clock)
    job_id = ask(ports, report, fmt)
    done = export_jobs.run_export(ports, {"days": report}, job_id)
    assert done is not None and done.status is ExportStatus.done and done.attempts == 1
    return (tmp_path / "whole" / "exports" / f"{job_id}.{fmt.value}").read_bytes()


def sheet(raw: bytes) -> bytes:
    """The worksheet of an XLSX (its other parts carry the time it was written)."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return z.read("xl/worksheets/sheet1.xml")


@pytest.fixture(autouse=True)
def small_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_jobs, "HEARTBEAT_ROWS", 7)


@pytest.mark.parametrize("fmt", [ExportFormat.csv, ExportFormat.xlsx])
def test_a_job_stopped_by_its_budget_resumes_and_ends_with_the_same_file(tmp_path: Path, fmt: ExportFormat):
    whole = uninterrupted(tmp_path, fmt)
    clock = FixedClock()
    ports = ports_at(tmp_path / "parts", clock)
    report = HallDays(clock)
    job_id = ask(ports, report, fmt)
    runs: list[tuple[str, int]] = []
    while True:
        job = export_jobs.run_export(ports, {"days": report}, job_id, budget=timedelta(seconds=30))
        assert job is not None
        runs.append((job.status.value, job.rows))
        if job.status is not ExportStatus.queued:
            break
        assert job.checkpoint is not None and job.rows == job.checkpoint.rows and job.rows % 7 == 0
    assert len(runs) > 3 and runs[-1][0] == "done"
    assert [rows for _, rows in runs] == sorted(rows for _, rows in runs)  # every run went further
    done = ports.jobs.get(job_id)
    assert done is not None and done.rows == runs[-1][1] and done.checkpoint is None
    kept = (tmp_path / "parts" / "exports" / f"{job_id}.{fmt.value}").read_bytes()
    if fmt is ExportFormat.csv:
        assert kept == whole
        assert kept.count(b"\r\n") == done.rows + 1
    else:
        assert sheet(kept) == sheet(whole)
    assert report.read < done.rows + 7 * len(runs)  # each run re-reads at most its segment's written rows
    assert list((tmp_path / "parts" / "exports" / "partial").iterdir()) == []


def test_a_crash_after_a_checkpoint_resumes_there_after_the_sweep(tmp_path: Path):
    whole = uninterrupted(tmp_path, ExportFormat.csv)
    clock = FixedClock()
    ports = ports_at(tmp_path / "crash", clock)
    report = HallDays(clock, crash_at=40)
    job_id = ask(ports, report, ExportFormat.csv)
    with pytest.raises(StorageBusy):
        export_jobs.run_export(ports, {"days": report}, job_id)
    stopped = ports.jobs.get(job_id)
    assert stopped is not None and stopped.status is ExportStatus.running and stopped.kept_rows == 35
    partial = tmp_path / "crash" / "exports" / "partial" / f"{job_id}.csv"
    assert partial.stat().st_size > stopped.checkpoint.file.bytes  # type: ignore[union-attr]  # rows past it
    clock.advance(minutes=3)
    assert export_jobs.sweep(ports) == 1
    done = export_jobs.run_export(ports, {"days": report}, job_id)
    assert done is not None and done.status is ExportStatus.done and done.attempts == 2
    assert (tmp_path / "crash" / "exports" / f"{job_id}.csv").read_bytes() == whole


def test_runs_that_keep_nothing_new_fail_the_job_visibly(tmp_path: Path):
    clock = FixedClock()
    ports = ports_at(tmp_path, clock)
    report = HallDays(clock)
    job_id = ask(ports, report, ExportFormat.csv)
    # The first run keeps 7 rows before its budget is spent: progress, no stall.
    first = export_jobs.run_export(ports, {"days": report}, job_id, budget=timedelta(0))
    assert first is not None and first.status is ExportStatus.queued and first.kept_rows == 7 and first.stalls == 0
    # Then every run crashes before its first heartbeat.
    for n in range(1, MAX_STALLS + 1):
        report.crash_at = report.read + 3
        with pytest.raises(StorageBusy):
            export_jobs.run_export(ports, {"days": report}, job_id)
        clock.advance(minutes=3)
        assert export_jobs.sweep(ports) == 1
        job = ports.jobs.get(job_id)
        assert job is not None and job.stalls == n and job.kept_rows == 7
    assert job.status is ExportStatus.failed and f"interrupted {MAX_STALLS} times" in (job.error or "")
    assert export_jobs.run_export(ports, {"days": report}, job_id) is None


def test_positions_skip_what_was_given_and_refuse_what_is_gone():
    def rated(*ids: str) -> Callable[[], list[tuple[str, dict[str, Cell]]]]:
        return lambda: [(i, {"id": i}) for i in ids]

    segments = [("a", rated("r1", "r2")), ("b", rated("r3")), ("c", rated("r4", "r5"))]
    rows = RowSource(segments)
    given = iter(rows)
    assert [next(given)["id"] for _ in range(3)] == ["r1", "r2", "r3"] and rows.position == "b@r3"
    assert [r["id"] for r in RowSource(segments, "a@r1")] == ["r2", "r3", "r4", "r5"]
    assert [r["id"] for r in RowSource(segments, "a@r2")] == ["r3", "r4", "r5"]
    assert [r["id"] for r in RowSource(segments, "c@r5")] == []
    # A rating stored late into a day written in part: before the mark it is not written, after it once.
    late = [("a", rated("r0", "r1", "r1b", "r2")), ("b", rated("r3"))]
    assert [r["id"] for r in RowSource(late, "a@r1")] == ["r1b", "r2", "r3"]
    with pytest.raises(Conflict):
        list(RowSource(segments, "gone@r1"))
    with pytest.raises(Conflict):
        list(RowSource(segments, "b@r9"))
    whole = RowSource.whole(lambda: [{"n": 1}, {"n": 2}, {"n": 3}])
    assert [r["n"] for r in whole] == [1, 2, 3] and whole.position == "all@3"
    assert [r["n"] for r in RowSource.whole(lambda: [{"n": 1}, {"n": 2}, {"n": 3}], "all@1")] == [2, 3]


def test_local_files_go_after_seven_days(tmp_path: Path):
    now = datetime(2026, 12, 20, 2, tzinfo=UTC)
    files = LocalExportFiles(tmp_path, b"k" * 32, "http://localhost")
    (tmp_path / "partial").mkdir()
    (tmp_path / "partial" / "export-x-work").mkdir()
    ages = {"old.csv": 8, "young.xlsx": 6, "partial/abandoned.jsonl": 7.5, "partial/running.csv": 0.1}
    for name, days in {**ages, "partial/export-x-work": 9, "partial": 30}.items():
        if not (tmp_path / name).exists():
            (tmp_path / name).write_bytes(b"x")
        at = (now - timedelta(days=days)).timestamp()
        os.utime(tmp_path / name, (at, at))
    assert files.expire(now) == 3
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert left == ["partial/running.csv", "young.xlsx"]
    assert LocalExportFiles(tmp_path / "none", b"k" * 32, "http://localhost").expire(now) == 0


def test_the_sweep_removes_expired_files(tmp_path: Path):
    clock = FixedClock()
    ports = ports_at(tmp_path, clock)
    report = HallDays(clock)
    job_id = ask(ports, report, ExportFormat.csv)
    assert export_jobs.run_export(ports, {"days": report}, job_id) is not None
    kept = tmp_path / "exports" / f"{job_id}.csv"
    written = kept.stat().st_mtime
    clock.current = datetime.fromtimestamp(written, UTC) + timedelta(days=6)
    export_jobs.sweep(ports)
    assert kept.exists()
    clock.advance(days=1, seconds=1)
    export_jobs.sweep(ports)
    assert not kept.exists()


def test_an_xlsx_read_late_in_a_run_is_written_by_a_fresh_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    whole = uninterrupted(tmp_path, ExportFormat.xlsx)
    monkeypatch.setattr(export_jobs, "XLSX_ROWS_PER_SECOND", 1)  # writing takes a second a row
    clock = FixedClock()
    ports = ports_at(tmp_path / "late", clock)
    report = HallDays(clock)
    job_id = ask(ports, report, ExportFormat.xlsx)
    # Reading every row takes about 120 s of a 150 s budget: no time left to write the XLSX.
    read = export_jobs.run_export(ports, {"days": report}, job_id, budget=timedelta(seconds=150))
    assert read is not None and read.status is ExportStatus.queued and read.checkpoint is not None
    assert read.checkpoint.file.complete and read.rows == read.checkpoint.rows == report.read
    written = export_jobs.run_export(ports, {"days": report}, job_id, budget=timedelta(seconds=150))
    assert written is not None and written.status is ExportStatus.done and written.rows == read.rows
    assert report.read == read.rows  # the fresh run read no row again
    assert sheet((tmp_path / "late" / "exports" / f"{job_id}.xlsx").read_bytes()) == sheet(whole)


def test_writing_an_xlsx_from_its_kept_rows_keeps_the_heartbeat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(export_files, "ALIVE_ROWS", 5)
    monkeypatch.setattr(export_jobs, "HEARTBEAT_SECONDS", 0.0)  # every sign of life is written
    clock = FixedClock()
    ports = ports_at(tmp_path, clock)
    report = HallDays(clock)
    job_id = ask(ports, report, ExportFormat.xlsx)
    beats: list[bool] = []
    progress = ports.jobs.progress
    monkeypatch.setattr(
        ports.jobs,
        "progress",
        lambda job, rows, now, checkpoint=None: (
            beats.append(bool(checkpoint and checkpoint.file.complete)),
            progress(job, rows, now, checkpoint),
        ),
    )
    done = export_jobs.run_export(ports, {"days": report}, job_id)
    assert done is not None and done.status is ExportStatus.done
    after = beats[beats.index(True) + 1 :]  # after every row was kept: the XLSX being written
    assert len(after) == done.rows // 5


def test_a_queued_job_no_run_took_is_written_again_for_the_stream(tmp_path: Path):
    clock = FixedClock()
    ports = ports_at(tmp_path, clock)
    job_id = ask(ports, HallDays(clock), ExportFormat.csv)
    clock.advance(minutes=14)
    assert export_jobs.sweep(ports) == 0  # runs may be busy with other jobs
    clock.advance(minutes=2)
    assert export_jobs.sweep(ports) == 1
    nudged = ports.jobs.get(job_id)
    assert nudged is not None and nudged.status is ExportStatus.queued and nudged.heartbeat_at == clock.now()
    assert export_jobs.sweep(ports) == 0  # not again until another 15 minutes pass
