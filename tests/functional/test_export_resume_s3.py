"""Export files in S3 (moto, which holds parts to S3's rules: 5 MiB at least but the last):
a job stopped by its budget and by a crash continues its multipart upload in the next
run and ends with the object an uninterrupted run writes, byte for byte; an XLSX is
written from its kept rows; and through the API the link is a presigned GET."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib import composition
from chalicelib.adapters import export_files
from chalicelib.adapters.export_files import S3ExportFiles
from chalicelib.domain.accounts import Role, User, UserPrincipal
from chalicelib.domain.csv_export import Cell, Lang
from chalicelib.domain.errors import StorageBusy
from chalicelib.domain.export_rows import RowSource, numbered
from chalicelib.domain.exports import MAX_STALLS, ExportFormat, ExportStatus
from chalicelib.services import export_jobs
from chalicelib.services.export_jobs import ExportPorts, ReportRows
from tests.fakes.clock import FixedClock
from tests.fakes.exports import InMemoryExportJobs
from tests.fakes.organisation import InMemoryUserRepository
from tests.functional.test_export_jobs import run_queued
from tests.http import Api

BUCKET = "tingsheng-exports-test"
ADMIN = UserPrincipal(username="root", role=Role.admin)
MIB = 1024 * 1024
DAY = timedelta(days=1)  # a run with time enough for every row


class Wide:
    """8,000 rows of about 1.8 KB in 8 segments (a 5 MiB part every ~2,900 rows); a row read
    takes a second of the clock; ``crash_at`` (a count of rows read) raises storage trouble there, once."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock, self.read = clock, 0
        self.crash_at: int | None = None

    def check(self, actor: UserPrincipal, params: Mapping[str, str]) -> None:
        return None

    def _part(self, k: int) -> Iterator[dict[str, Cell]]:
        for n in range(1000):
            self.read += 1
            self.clock.advance(seconds=1)
            if self.read == self.crash_at:
                self.crash_at = None
                raise StorageBusy()
            yield {"staff_no": f"{k:02d}{n:05d}", "total": n * k, "comment": f"留言{n}" * 200}

    def tallied_rows(self, actor: UserPrincipal, params: Mapping[str, str], past: int) -> int | None:
        return None

    def open(self, actor: UserPrincipal, params: Mapping[str, str], lang: Lang, position: str | None) -> ReportRows:
        segments = ((f"part-{k}", lambda k=k: numbered(self._part(k))) for k in range(8))
        return ReportRows(("staff_no", "total", "comment"), RowSource(segments, position), "宽表")


@pytest.fixture
def s3(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(export_files, "PART_BYTES", 5 * MIB)  # S3's least part
    monkeypatch.setattr(export_jobs, "HEARTBEAT_ROWS", 250)
    client = boto3.client("s3", region_name="cn-north-1")
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
    return client


def ports_of(s3: Any, clock: FixedClock) -> ExportPorts:
    users = InMemoryUserRepository()
    users.add_user(User(username="root", password_hash="x", role=Role.admin, created_at=clock.now()))
    return ExportPorts(jobs=InMemoryExportJobs(), files=S3ExportFiles(s3, BUCKET), users=users, clock=clock)


def ask(ports: ExportPorts, report: Wide, fmt: ExportFormat) -> str:
    return export_jobs.request_export(ADMIN, ports, {"wide": report}, report="wide", fmt=fmt, params={}, lang="zh").id


def stored(s3: Any, job_id: str, fmt: ExportFormat) -> bytes:
    return bytes(s3.get_object(Bucket=BUCKET, Key=f"exports/{job_id}.{fmt.value}")["Body"].read())


def sheet(raw: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return z.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("fmt", [ExportFormat.csv, ExportFormat.xlsx])
def test_an_upload_continues_across_runs_into_the_same_object(s3: Any, fmt: ExportFormat):
    clock = FixedClock()
    ports = ports_of(s3, clock)
    whole_report = Wide(clock)
    whole_id = ask(ports, whole_report, fmt)
    whole = export_jobs.run_export(ports, {"wide": whole_report}, whole_id, budget=DAY)
    assert whole is not None and whole.status is ExportStatus.done and whole.rows == 8000

    report = Wide(clock)
    job_id = ask(ports, report, fmt)
    first = export_jobs.run_export(ports, {"wide": report}, job_id, budget=timedelta(seconds=3300))
    assert first is not None and first.status is ExportStatus.queued and first.checkpoint is not None
    kept = first.checkpoint.file
    assert kept.upload_id and len(kept.parts) >= 1 and kept.bytes >= 5 * MIB and not kept.complete
    assert first.rows == first.checkpoint.rows == 3000 < report.read  # rows past the last part are read again

    report.crash_at = report.read + 4200  # the second run (re-reading 1,000 rows) crashes past a part
    with pytest.raises(StorageBusy):
        export_jobs.run_export(ports, {"wide": report}, job_id, budget=DAY)
    crashed = ports.jobs.get(job_id)
    assert crashed is not None and crashed.checkpoint is not None
    assert len(crashed.checkpoint.file.parts) > len(kept.parts)
    assert crashed.checkpoint.file.upload_id == kept.upload_id  # the same upload, continued
    clock.advance(minutes=3)
    assert export_jobs.sweep(ports) == 1

    done = export_jobs.run_export(ports, {"wide": report}, job_id, budget=DAY)
    assert done is not None and done.status is ExportStatus.done and done.rows == 8000 and done.attempts == 3
    if fmt is ExportFormat.csv:
        assert stored(s3, job_id, fmt) == stored(s3, whole_id, fmt)
        assert done.bytes == whole.bytes > 2 * 5 * MIB
    else:
        assert sheet(stored(s3, job_id, fmt)) == sheet(stored(s3, whole_id, fmt))
    left = s3.list_objects_v2(Bucket=BUCKET, Prefix="exports/rows/").get("KeyCount", 0)
    assert left == 0  # an XLSX's kept rows go once it is written
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert "X-Amz-Signature=" in ports.files.link(done, clock.now())


def test_a_failed_job_abandons_its_upload(s3: Any):
    clock = FixedClock()
    ports = ports_of(s3, clock)
    report = Wide(clock)
    job_id = ask(ports, report, ExportFormat.csv)
    report.crash_at = 3300
    with pytest.raises(StorageBusy):
        export_jobs.run_export(ports, {"wide": report}, job_id, budget=DAY)
    assert len(s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])) == 1
    job = ports.jobs.get(job_id)
    assert job is not None and job.checkpoint is not None
    file = ports.files.open(job, ("staff_no",), None, job.checkpoint.file)
    file.discard()
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_through_the_api_the_file_is_an_s3_object_behind_a_presigned_link(
    s3: Any, monkeypatch: pytest.MonkeyPatch, admin: Api
):
    monkeypatch.setenv("TINGSHENG_EXPORT_BUCKET", BUCKET)
    composition.reset()
    admin.seed_hall("A01")
    body = {"report": "hall-monthly", "format": "csv", "params": {"month": "2026-11"}}
    job = admin.post("/api/v1/exports", body).json
    run_queued(job["id"])
    done = admin.get(f"/api/v1/exports/{job['id']}").json
    assert done["status"] == "done" and done["url"].startswith("https://") and "X-Amz-Signature=" in done["url"]
    inline = admin.get("/api/v1/reports/hall-monthly.csv?month=2026-11").raw
    assert stored(s3, job["id"], ExportFormat.csv) == inline


def test_s3_that_cannot_take_a_part_now_leaves_the_job_to_be_continued(s3: Any, monkeypatch: pytest.MonkeyPatch):
    clock = FixedClock()
    ports = ports_of(s3, clock)
    report = Wide(clock)
    job_id = ask(ports, report, ExportFormat.csv)
    sent = s3.upload_part
    calls: list[int] = []

    def slow_down(**kwargs: Any) -> Any:
        calls.append(kwargs["PartNumber"])
        if len(calls) == 2:  # the second part: S3 asks to slow down
            raise ClientError(
                {"Error": {"Code": "SlowDown"}, "ResponseMetadata": {"HTTPStatusCode": 503}}, "UploadPart"
            )
        return sent(**kwargs)

    monkeypatch.setattr(s3, "upload_part", slow_down)
    with pytest.raises(StorageBusy):
        export_jobs.run_export(ports, {"wide": report}, job_id, budget=DAY)
    stopped = ports.jobs.get(job_id)
    assert stopped is not None and stopped.status is ExportStatus.running and stopped.kept_rows == 3000
    clock.advance(minutes=3)
    assert export_jobs.sweep(ports) == 1
    done = export_jobs.run_export(ports, {"wide": report}, job_id, budget=DAY)
    assert done is not None and done.status is ExportStatus.done and done.rows == 8000
    assert calls == [1, 2, 2, 3]


def test_runs_that_never_fill_a_part_fail_the_job_and_give_up_its_upload(s3: Any):
    clock = FixedClock()
    ports = ports_of(s3, clock)
    report = Wide(clock)
    job_id = ask(ports, report, ExportFormat.csv)
    for n in range(1, MAX_STALLS + 1):  # each run stops at its first heartbeat: 250 rows, no part yet
        job = export_jobs.run_export(ports, {"wide": report}, job_id, budget=timedelta(0))
        assert job is not None and job.checkpoint is None and job.stalls == n
    assert job.status is ExportStatus.failed and f"interrupted {MAX_STALLS} times" in (job.error or "")
    # The last run's upload is aborted; earlier runs' (no checkpoint named them) go by the lifecycle rule.
    assert len(s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])) == MAX_STALLS - 1
