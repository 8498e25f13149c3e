"""Export jobs over HTTP (moto, files under a temporary data directory): asking for a
year of ratings as XLSX or CSV, the run the stream starts, progress, the signed link,
who may ask for what, and a run that stops midway."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib import composition, events
from chalicelib.domain.exports import MAX_STALLS
from chalicelib.domain.ratings import Channel, Rating
from tests.fakes.clock import FixedClock
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Answer, Api

NOW = datetime(2026, 12, 20, 2, tzinfo=UTC)


def user(admin: Api, username: str, role: str, halls: list[str]) -> Api:
    body = {"username": username, "password": "a-long-password-1", "role": role, "halls": halls}
    assert admin.post("/api/v1/admin/users", body).status == 201
    other = Api(admin.client)
    other.token = other.login(username, "a-long-password-1")
    return other


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock(NOW)
    monkeypatch.setattr(composition, "clock", lambda: fixed)
    return fixed


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TINGSHENG_DATA_DIR", str(tmp_path))
    return tmp_path


@pytest.fixture
def seeded(clock: FixedClock, data_dir: Path, admin: Api) -> Api:
    admin.seed_hall("A01")
    admin.seed_hall("B02")
    for staff_no, hall in (("00123", "A01"), ("S09", "B02")):
        body = {"staff_no": staff_no, "name": "员工", "hall_code": hall}
        assert admin.post("/api/v1/admin/staff", body).status == 201
    # Ratings across the year: January, June and December.
    ratings = [
        Rating(
            id=f"00000000-0000-4000-8000-{n:012d}",
            channel=Channel.device,
            hall_code="A01" if n % 3 else "B02",
            counter_number=1,
            staff_no="00123" if n % 3 else "S09",
            level=1 + n % 5,
            comment='=HYPERLINK("x")' if n == 1 else None,
            rated_at=datetime(2026, 1 + (n % 3) * 5, 10, 2, tzinfo=UTC) + timedelta(minutes=n),
            received_at=datetime(2026, 1 + (n % 3) * 5, 10, 2, tzinfo=UTC),
        )
        for n in range(30)
    ]
    assert set(composition.ratings().save_batch(ratings).values()) == {"created"}
    return admin


def run_queued(job_id: str) -> None:
    """What the stream brings the export function: the job's item, queued."""
    image = {"sk": {"S": "EXPORT"}, "status": {"S": "queued"}, "id": {"S": job_id}}
    events.run_export_jobs({"Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": image}}]})


def download(api: Api, url: str) -> Answer:
    parts = urlsplit(url)
    return api.get(f"{parts.path}?{parts.query}", headers={"Accept": "*/*"}, token="")


def xlsx_rows(raw: bytes) -> list[dict[str, tuple[str, str]]]:
    """Each row as {header: (cell type, value)}; XlsxWriter writes strings inline (t="inlineStr")
    and leaves blank cells out."""
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    rows = []
    for row in re.findall(r"<row [^>]*>(.*?)</row>", sheet):
        cells = {}
        for attrs, inner in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", row):
            column = re.search(r'r="([A-Z]+)[0-9]+"', attrs)
            kind = re.search(r't="(\w+)"', attrs)
            text = re.search(r"<(?:t|v)[^>]*>(.*?)</(?:t|v)>", inner or "")
            assert column is not None
            cells[column.group(1)] = (kind.group(1) if kind else "n", text.group(1) if text else "")
        rows.append(cells)
    header, *body = rows
    return [{header[c][1]: cell for c, cell in r.items()} for r in body]


def test_a_year_of_every_hall_as_xlsx_through_the_job(seeded: Api):
    asked = seeded.post(
        "/api/v1/exports",
        {"report": "ratings", "format": "xlsx", "params": {"from": "2026-01-01", "to": "2026-12-31"}},
    )
    assert asked.status == 202, asked.raw
    job = asked.json
    assert job["status"] == "queued" and job["url"] is None and job["rows"] == 0

    run_queued(job["id"])

    done = seeded.get(f"/api/v1/exports/{job['id']}").json
    assert done["status"] == "done" and done["rows"] == 30 and done["bytes"] > 0
    assert done["file_name"] == "评价明细-20260101-20261231-all.xlsx"
    assert done["expires_at"] == (NOW + timedelta(days=7)).isoformat().replace("+00:00", "Z")
    answer = download(seeded, done["url"])
    assert answer.status == 200, answer.raw
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    by_column = xlsx_rows(answer.raw)
    assert list(by_column[0])[:4] == ["评价时间", "营业厅编码", "窗口", "工号"]
    assert len(by_column) == 30
    assert {r["工号"] for r in by_column} == {("inlineStr", "00123"), ("inlineStr", "S09")}
    assert all(r["评价等级"][0] == "n" for r in by_column)  # numbers as numbers
    assert all(r["评价时间"][0] == "n" and float(r["评价时间"][1]) > 46000 for r in by_column)  # dates are numbers
    assert ("inlineStr", '\'=HYPERLINK("x")') in [r.get("留言") for r in by_column]
    with zipfile.ZipFile(io.BytesIO(answer.raw)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<pane ySplit="1"' in sheet and "<autoFilter " in sheet  # frozen header, filter


def test_csv_jobs_write_what_the_download_writes(seeded: Api):
    job = seeded.post(
        "/api/v1/exports",
        {"report": "hall-monthly", "format": "csv", "params": {"month": "2026-06"}, "lang": "en"},
    ).json
    run_queued(job["id"])
    done = seeded.get(f"/api/v1/exports/{job['id']}").json
    assert done["status"] == "done" and done["rows"] == 2
    text = download(seeded, done["url"]).raw.decode()
    inline = seeded.get("/api/v1/reports/hall-monthly.csv?month=2026-06&lang=en").raw.decode()
    assert text == inline
    assert next(csv.reader(io.StringIO(text[1:])))[:3] == ["month", "branch", "hall_code"]


def test_every_report_of_today_exports(seeded: Api):
    for report, params in (
        ("staff-monthly", {"month": "2026-06"}),
        ("staff-monthly", {"month": "2026-06", "scope": "branch", "branch": "城东分中心"}),
        ("outreach", {"quarter": "2026Q2"}),
    ):
        job = seeded.post("/api/v1/exports", {"report": report, "params": params}).json
        run_queued(job["id"])
        assert seeded.get(f"/api/v1/exports/{job['id']}").json["status"] == "done", report


def test_the_link_is_signed_and_expires(seeded: Api, clock: FixedClock):
    job = seeded.post("/api/v1/exports", {"report": "outreach", "params": {"quarter": "2026Q4"}}).json
    run_queued(job["id"])
    url = seeded.get(f"/api/v1/exports/{job['id']}").json["url"]
    assert download(seeded, url.replace("sig=", "sig=0")).status == 404
    clock.advance(minutes=16)
    assert download(seeded, url).status == 404
    fresh = seeded.get(f"/api/v1/exports/{job['id']}").json["url"]
    assert download(seeded, fresh).status == 200
    clock.advance(days=7)
    seeded.token = seeded.login(ADMIN_USER, ADMIN_PASSWORD)  # a week on, the old token has expired
    gone = seeded.get(f"/api/v1/exports/{job['id']}").json
    assert gone["status"] == "done" and gone["url"] is None


def test_authorization_is_the_reports_own(seeded: Api):
    manager = user(seeded, "mgr", "manager", ["A01"])
    agent = user(seeded, "agent", "agent", ["A01"])
    ratings = {"report": "ratings", "params": {"from": "2026-01-01", "to": "2026-12-31", "hall": "B02"}}
    assert manager.post("/api/v1/exports", ratings).status == 403
    assert agent.post("/api/v1/exports", ratings | {"params": {"from": "2026-01-01", "to": "2026-01-02"}}).status == 403
    own = manager.post("/api/v1/exports", ratings | {"params": {"from": "2026-01-01", "to": "2026-12-31"}}).json
    run_queued(own["id"])
    done = manager.get(f"/api/v1/exports/{own['id']}").json
    assert done["status"] == "done" and done["rows"] == 20  # A01's only
    assert seeded.get(f"/api/v1/exports/{own['id']}").status == 200  # admins see every job
    assert agent.get(f"/api/v1/exports/{own['id']}").status == 404
    assert [j["id"] for j in manager.get("/api/v1/exports").json["items"]] == [own["id"]]
    assert seeded.get("/api/v1/exports").json["items"] == []


def test_bad_requests_name_the_field_and_store_nothing(seeded: Api):
    cases: list[tuple[dict[str, Any], str]] = [
        ({"report": "nonsense"}, "report"),
        ({"report": "ratings", "params": {"from": "2026-13-01", "to": "2026-12-31"}}, "from"),
        ({"report": "ratings", "params": {"from": "2026-12-31", "to": "2026-01-01"}}, "to"),
        ({"report": "hall-monthly", "params": {}}, "month"),
        ({"report": "outreach", "format": "pdf", "params": {"quarter": "2026Q4"}}, "format"),
    ]
    for body, field in cases:
        answer = seeded.post("/api/v1/exports", body)
        assert answer.status == 400 and field in answer.json["error"]["fields"], (body, answer.raw)
    assert seeded.get("/api/v1/exports").json["items"] == []


def test_a_retry_with_the_clients_id_asks_for_one_job(seeded: Api):
    body = {"id": "5b0b4c9e-2f1c-4c55-9d4e-0e4f6d1b2a3c", "report": "outreach", "params": {"quarter": "2026Q4"}}
    first, again = seeded.post("/api/v1/exports", body), seeded.post("/api/v1/exports", body)
    assert first.status == again.status == 202 and first.json["id"] == again.json["id"]
    assert len(seeded.get("/api/v1/exports").json["items"]) == 1


def test_a_run_that_stops_midway_is_run_again_then_failed_visibly(seeded: Api, clock: FixedClock):
    job = seeded.post("/api/v1/exports", {"report": "outreach", "params": {"quarter": "2026Q4"}}).json
    jobs = composition.export_jobs()
    for _ in range(MAX_STALLS):
        queued = jobs.get(job["id"])
        assert queued is not None and queued.status == "queued"
        assert jobs.claim(queued, clock.now()) is not None  # a run starts ... and is never heard of again
        clock.advance(minutes=1)
        assert events.sweep_exports() == 0  # still within its heartbeat
        assert seeded.get(f"/api/v1/exports/{job['id']}").json["status"] == "running"
        clock.advance(minutes=2)
        assert events.sweep_exports() == 1
    failed = seeded.get(f"/api/v1/exports/{job['id']}").json
    assert failed["status"] == "failed" and "interrupted 3 times" in failed["error"]


def test_the_31_day_download_points_to_the_job(seeded: Api):
    answer = seeded.get("/api/v1/reports/ratings.csv?from=2026-01-01&to=2026-12-31")
    assert answer.status == 400 and "/api/v1/exports" in answer.json["error"]["message"]
