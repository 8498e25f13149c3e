"""A year of ratings exported through the job, each run stopped after its first heartbeat
(moto, files under a temporary data directory): the job goes on run after run, each from
the last rating it kept, and ends with the file of an uninterrupted job, byte for byte."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from chalicelib import composition
from chalicelib.domain.exports import ExportStatus
from chalicelib.services import export_jobs
from chalicelib.web.export_reports import REPORTS
from tests.functional.test_export_jobs import clock, data_dir, seeded, xlsx_rows  # noqa: F401  (fixtures)
from tests.http import Api

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_year_of_ratings_continued_run_after_run(seeded: Api, data_dir: Path, monkeypatch, fmt: str):  # noqa: F811
    monkeypatch.setattr(export_jobs, "HEARTBEAT_ROWS", 4)
    whole = seeded.post("/api/v1/exports", {"report": "ratings", "format": fmt, "params": YEAR}).json
    parts = seeded.post("/api/v1/exports", {"report": "ratings", "format": fmt, "params": YEAR}).json
    done = export_jobs.run_export(composition.export_ports(), REPORTS, whole["id"])
    assert done is not None and done.status is ExportStatus.done and done.rows == 30

    positions: list[str] = []
    for _ in range(20):
        job = export_jobs.run_export(composition.export_ports(), REPORTS, parts["id"], budget=timedelta(0))
        assert job is not None
        if job.status is not ExportStatus.queued:
            break
        assert job.checkpoint is not None and job.checkpoint.position is not None
        positions.append(job.checkpoint.position)
    assert job.status is ExportStatus.done and job.rows == 30 and job.attempts > 5
    assert positions[0].startswith("A01/2026-06-10@") and positions[-1].startswith("B02/")  # a hall's day, a rating id
    kept = data_dir / "exports"
    resumed, uninterrupted = (kept / f"{parts['id']}.{fmt}").read_bytes(), (kept / f"{whole['id']}.{fmt}").read_bytes()
    if fmt == "csv":
        assert resumed == uninterrupted
    else:  # the same cells (the zip's other parts carry the time it was written)
        assert xlsx_rows(resumed) == xlsx_rows(uninterrupted) and len(xlsx_rows(resumed)) == 30
    got = seeded.get(f"/api/v1/exports/{parts['id']}").json
    assert got["status"] == "done" and got["rows"] == 30 and got["url"]
