"""The reports that came after the export jobs export through them too (SPEC §4.10): the
work-order ledger, inspections, stars and a survey's responses, CSV byte for byte what the
download writes, XLSX with the question texts as headers; authorization is the report's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chalicelib import composition, events
from tests.fakes.clock import FixedClock
from tests.functional.test_export_jobs import xlsx_rows
from tests.http import Answer, Api

NOW = datetime(2026, 12, 20, 2, tzinfo=UTC)
MONTH, QUARTER = "2026-12", "2026Q4"


@pytest.fixture
def at_now(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(composition, "clock", lambda: FixedClock(NOW))
    monkeypatch.setenv("TINGSHENG_DATA_DIR", str(tmp_path))


@pytest.fixture
def seeded(at_now: None, admin: Api) -> Api:
    admin.seed_hall("A01", counters=1)
    assert admin.post("/api/v1/admin/staff", {"staff_no": "00123", "name": "张三", "hall_code": "A01"}).status == 201
    assert admin.post("/api/v1/tickets", {"hall_code": "A01", "kind": "consultation", "subject": "电价"}).status == 201
    return admin


def run(api: Api, report: str, params: dict[str, str], fmt: str = "csv") -> dict:
    asked = api.post("/api/v1/exports", {"report": report, "format": fmt, "params": params})
    assert asked.status == 202, asked.raw
    image = {"sk": {"S": "EXPORT"}, "status": {"S": "queued"}, "id": {"S": asked.json["id"]}}
    events.run_export_jobs({"Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": image}}]})
    done = api.get(f"/api/v1/exports/{asked.json['id']}").json
    assert done["status"] == "done", (report, done)
    return done


def fetch(api: Api, url: str) -> Answer:
    parts = urlsplit(url)
    return api.get(f"{parts.path}?{parts.query}", headers={"Accept": "*/*"}, token="")


@pytest.mark.parametrize(
    ("report", "params", "download"),
    [
        ("tickets", {"month": MONTH}, f"/api/v1/reports/tickets.csv?month={MONTH}"),
        ("inspections", {"month": MONTH}, f"/api/v1/reports/inspections.csv?month={MONTH}"),
        ("stars", {"quarter": QUARTER}, f"/api/v1/reports/stars.csv?quarter={QUARTER}"),
    ],
)
def test_a_csv_job_writes_what_the_download_writes(seeded: Api, report: str, params: dict, download: str):
    done = run(seeded, report, params)
    assert fetch(seeded, done["url"]).raw == seeded.get(download).raw


def test_a_surveys_responses_export_with_one_column_per_question(seeded: Api):
    template = seeded.get("/api/v1/surveys/templates/customer-perception").json
    survey_id = seeded.post("/api/v1/surveys", template).json["id"]
    assert seeded.post(f"/api/v1/surveys/{survey_id}/publish").status == 201
    links = seeded.get(f"/api/v1/surveys/{survey_id}/links").json["items"]
    code = links[0]["url"].rsplit("/q/", 1)[1]
    matrix = {f"q1.{row}": 4 for row in ("tangibles", "reliability", "responsiveness", "assurance", "empathy")}
    body = {"response_id": str(uuid.uuid4()), **matrix, "q2": 5, "q3": 9}
    assert seeded.post(f"/q/{code}", body, token="", headers={"Accept": "application/json"}).status in (200, 201)

    csv_job = run(seeded, "survey-responses", {"survey": survey_id})
    inline = seeded.get(f"/api/v1/reports/survey-responses.csv?survey={survey_id}")
    assert csv_job["rows"] == 1 and fetch(seeded, csv_job["url"]).raw == inline.raw

    xlsx = xlsx_rows(fetch(seeded, run(seeded, "survey-responses", {"survey": survey_id}, "xlsx")["url"]).raw)
    header_row = inline.raw.decode("utf-8-sig").split("\r\n")[0].split(",")
    assert list(xlsx[0]) == [h for h in header_row if h in xlsx[0]] and len(xlsx) == 1
    nps = next(h for h in header_row if "推荐" in h)
    assert xlsx[0][nps] == ("n", "9")  # an answer is a number


def test_the_new_reports_keep_their_own_authorization(seeded: Api):
    body = {"username": "agent1", "password": "a-long-password-1", "role": "agent", "halls": ["A01"]}
    assert seeded.post("/api/v1/admin/users", body).status == 201
    agent = Api(seeded.client)
    agent.token = agent.login("agent1", "a-long-password-1")
    for report, params in (("tickets", {"month": MONTH}), ("stars", {"quarter": QUARTER})):
        assert agent.post("/api/v1/exports", {"report": report, "params": params}).status == 403
    refused = seeded.post("/api/v1/exports", {"report": "survey-responses", "params": {}})
    assert refused.status == 400 and "survey" in refused.json["error"]["fields"]
