"""The XLSX cap over HTTP (SPEC §4.10): an XLSX export the tallies already show past the cap
is refused when asked for, a 400 naming ``format`` with nothing stored; CSV has no cap; and
what the tallies cannot tell cheaply is still stopped by the run."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chalicelib import composition
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.services import export_jobs, export_sizes
from tests.fakes.clock import FixedClock
from tests.functional.test_export_jobs import run_queued
from tests.http import Api

YEAR = {"from": "2026-01-01", "to": "2026-12-31"}


@pytest.fixture
def clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    monkeypatch.setenv("TINGSHENG_DATA_DIR", str(tmp_path))
    fixed = FixedClock(datetime(2026, 12, 20, 2, tzinfo=UTC))
    monkeypatch.setattr(composition, "clock", lambda: fixed)
    return fixed


@pytest.fixture
def rated(clock: FixedClock, admin: Api, monkeypatch: pytest.MonkeyPatch) -> Api:
    monkeypatch.setattr(export_jobs, "XLSX_MAX_ROWS", 20)  # the cap, at a test's size
    admin.seed_hall("A01")
    admin.seed_hall("B02")
    ratings = [
        Rating(
            id=f"00000000-0000-4000-8000-{n:012d}",
            channel=Channel.device,
            hall_code="A01" if n % 2 else "B02",
            counter_number=1,
            level=1 + n % 5,
            misuse=n % 9 == 0,
            rated_at=datetime(2026, 3, 1, 2, tzinfo=UTC) + timedelta(days=n),
            received_at=datetime(2026, 3, 1, 2, tzinfo=UTC) + timedelta(days=n),
        )
        for n in range(30)
    ]
    assert set(composition.ratings().save_batch(ratings).values()) == {"created"}
    return admin


def test_an_xlsx_the_tallies_show_past_the_cap_is_refused_when_asked_for(rated: Api):
    answer = rated.post("/api/v1/exports", {"report": "ratings", "format": "xlsx", "params": YEAR})
    assert answer.status == 400 and "format" in answer.json["error"]["fields"], answer.raw
    assert "30 rows" in answer.json["error"]["message"]
    assert rated.get("/api/v1/exports").json["items"] == []  # nothing stored
    as_csv = rated.post("/api/v1/exports", {"report": "ratings", "format": "csv", "params": YEAR})
    assert as_csv.status == 202  # CSV has no cap
    fewer = {"from": "2026-03-01", "to": "2026-03-20", "hall": "A01"}  # 10 ratings
    assert rated.post("/api/v1/exports", {"report": "ratings", "format": "xlsx", "params": fewer}).status == 202


def test_what_the_tallies_cannot_tell_cheaply_is_stopped_by_the_run(rated: Api, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(export_sizes, "COUNT_READS", 1)  # a span of more hall-months than an ask may read
    asked = rated.post("/api/v1/exports", {"report": "ratings", "format": "xlsx", "params": YEAR})
    assert asked.status == 202, asked.raw
    run_queued(asked.json["id"])
    failed = rated.get(f"/api/v1/exports/{asked.json['id']}").json
    assert failed["status"] == "failed" and "CSV" in failed["error"]


def test_a_surveys_responses_are_counted_from_its_tallies(rated: Api, monkeypatch: pytest.MonkeyPatch):
    template = rated.get("/api/v1/surveys/templates/customer-perception").json
    survey_id = rated.post("/api/v1/surveys", template).json["id"]
    assert rated.post(f"/api/v1/surveys/{survey_id}/publish").status == 201
    code = rated.get(f"/api/v1/surveys/{survey_id}/links").json["items"][0]["url"].rsplit("/q/", 1)[1]
    matrix = {f"q1.{row}": 4 for row in ("tangibles", "reliability", "responsiveness", "assurance", "empathy")}
    for _ in range(3):
        body = {"response_id": str(uuid.uuid4()), **matrix, "q2": 5, "q3": 9}
        assert rated.post(f"/q/{code}", body, token="", headers={"Accept": "application/json"}).status in (200, 201)
    monkeypatch.setattr(export_jobs, "XLSX_MAX_ROWS", 2)
    survey = {"report": "survey-responses", "format": "xlsx", "params": {"survey": survey_id}}
    refused = rated.post("/api/v1/exports", survey)
    assert refused.status == 400 and "format" in refused.json["error"]["fields"] and "3 rows" in refused.raw.decode()
    monkeypatch.setattr(export_jobs, "XLSX_MAX_ROWS", 3)
    assert rated.post("/api/v1/exports", survey).status == 202
