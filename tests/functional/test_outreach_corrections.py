"""五进 corrections over the API (SPEC §4.3): PATCH and DELETE /api/v1/outreach/events/{id}.
The quarter's counts change with the event; published versions never change."""

from __future__ import annotations

from typing import Any

import pytest

from tests.functional.test_outreach_api import EVENT, rows_of, user
from tests.http import Answer, Api


@pytest.fixture
def halls(admin: Api) -> Api:
    admin.seed_hall("A01", counters=0)
    admin.seed_hall("B02", counters=0)
    return admin


def record(api: Api, **change: Any) -> dict[str, Any]:
    answer = api.post("/api/v1/outreach/events", EVENT | change)
    assert answer.status == 201, answer.raw
    return dict(answer.json)


def patch(api: Api, event_id: str, body: Any, **kw: Any) -> Answer:
    return api.request("PATCH", f"/api/v1/outreach/events/{event_id}", body, **kw)


def counts(api: Api, hall: str) -> dict[str, Any]:
    (row,) = [r for r in api.get("/api/v1/outreach/coverage?quarter=2026Q4").json["items"] if r["hall_code"] == hall]
    return dict(row)


def listed(api: Api, hall: str) -> list[dict[str, Any]]:
    return list(api.get(f"/api/v1/outreach/events?quarter=2026Q4&hall={hall}").json["items"])


def test_a_correction_answers_the_event_and_moves_the_quarter_s_counts(halls: Api):
    event = record(halls)
    answer = patch(halls, event["event_id"], {"category": "school", "participants": 10, "notes": ""})
    assert answer.status == 200, answer.raw
    assert (answer.json["category"], answer.json["participants"], answer.json["notes"]) == ("school", 10, "")
    assert (answer.json["title"], answer.json["created_by"], answer.json["updated_by"]) == (
        EVENT["title"],
        "admin",
        "admin",
    )
    assert (event["revision"], answer.json["revision"]) == (1, 2)
    a01 = counts(halls, "A01")
    assert (a01["events"], a01["community"], a01["school"], a01["participants"]) == (1, 0, 1, 10)
    assert a01["households_visited"] == EVENT["households_visited"]
    assert listed(halls, "A01") == [answer.json]


def test_moving_an_event_to_another_hall_or_day_moves_its_counts_and_its_place_in_the_lists(halls: Api):
    event = record(halls)
    record(halls, date="2026-10-20", title="第二场")
    moved = patch(halls, event["event_id"], {"hall_code": "B02", "date": "2026-11-30"})
    assert moved.status == 200, moved.raw
    assert (counts(halls, "A01")["events"], counts(halls, "A01")["participants"]) == (1, 40)
    b02 = counts(halls, "B02")
    assert (b02["events"], b02["community"], b02["participants"], b02["covered"]) == (1, 1, 40, True)
    assert [e["title"] for e in listed(halls, "A01")] == ["第二场"]
    assert [e["date"] for e in listed(halls, "B02")] == ["2026-11-30"]
    back = patch(halls, event["event_id"].upper(), {"hall_code": "A01", "date": "2026-10-01"})
    assert back.status == 200, back.raw  # the id in any case, with or without dashes
    assert [e["date"] for e in listed(halls, "A01")] == ["2026-10-01", "2026-10-20"]
    assert (counts(halls, "B02")["events"], counts(halls, "B02")["covered"]) == (0, False)


def test_deleting_an_event_takes_it_off_the_counts_and_its_id_is_never_taken_again(halls: Api):
    keyed = EVENT | {"id": "6f1c2b1e-8d4a-4c7e-9a51-0b6f4d2c9e11"}
    event = halls.post("/api/v1/outreach/events", keyed).json
    record(halls, category="village", participants=5)
    gone = halls.delete(f"/api/v1/outreach/events/{event['event_id']}")
    assert (gone.status, gone.raw) == (204, b"")
    a01 = counts(halls, "A01")
    assert (a01["events"], a01["community"], a01["village"], a01["participants"]) == (1, 0, 1, 5)
    assert [e["category"] for e in listed(halls, "A01")] == ["village"]
    assert halls.delete(f"/api/v1/outreach/events/{event['event_id']}").status == 404
    assert patch(halls, event["event_id"], {"title": "x"}).status == 404
    again = halls.post("/api/v1/outreach/events", keyed)  # a late retry of the deleted event's POST
    assert again.status == 409 and counts(halls, "A01")["events"] == 1


def test_published_versions_never_change_when_events_are_corrected_or_deleted(halls: Api):
    kept = record(halls)
    dropped = record(halls, hall_code="B02", category="village", title="进农村")
    assert halls.post("/api/v1/outreach/2026Q4/publish").json["version"] == 1
    v1_page = halls.get("/outreach/2026Q4?version=1", token="").raw
    v1_csv = halls.get("/outreach/2026Q4.csv?version=1", token="").raw

    assert patch(halls, kept["event_id"], {"title": "改过的主题", "category": "school"}).status == 200
    assert halls.delete(f"/api/v1/outreach/events/{dropped['event_id']}").status == 204

    assert halls.get("/outreach/2026Q4?version=1", token="").raw == v1_page
    assert halls.get("/outreach/2026Q4.csv", token="").raw == v1_csv  # still the latest
    assert "进农村" in v1_page.decode() and "改过的主题" not in v1_page.decode()
    live = halls.get("/api/v1/outreach/coverage?quarter=2026Q4").json
    assert (live["totals"]["events"], live["totals"]["covered_halls"], live["totals"]["school"]) == (1, 1, 1)
    assert halls.post("/api/v1/outreach/2026Q4/publish").json["version"] == 2
    assert [r[-1] for r in rows_of(halls.get("/outreach/2026Q4.csv", token=""))[1:]] == ["是", "否"]
    assert [r[-1] for r in rows_of(halls.get("/outreach/2026Q4.csv?version=1", token=""))[1:]] == ["是", "是"]
    assert halls.get("/outreach/2026Q4.csv?version=1", token="").raw == v1_csv


def test_an_admin_or_a_manager_of_the_event_s_hall_corrects_and_deletes_it(halls: Api):
    manager = user(halls, "mgr.a", "manager", ["A01"])
    foreign = user(halls, "mgr.b", "manager", ["B02"])
    agent = user(halls, "agent.a", "agent", ["A01"])
    event = record(halls)
    path = f"/api/v1/outreach/events/{event['event_id']}"
    for outsider in (foreign, agent):
        refused = patch(outsider, event["event_id"], {"participants": 1})
        assert (refused.status, refused.json["error"]["code"]) == (403, "forbidden")
        assert outsider.delete(path).status == 403
    assert counts(halls, "A01")["participants"] == 40 and len(listed(halls, "A01")) == 1

    edited = patch(manager, event["event_id"], {"participants": 41})
    assert (edited.status, edited.json["updated_by"]) == (200, "mgr.a")
    assert patch(manager, event["event_id"], {"hall_code": "B02"}).status == 403  # not their hall
    assert patch(halls, event["event_id"], {"participants": 42}).json["participants"] == 42  # the admin
    assert manager.delete(path).status == 204
    assert counts(halls, "A01")["events"] == 0
    other = record(halls, hall_code="B02")
    assert halls.delete(f"/api/v1/outreach/events/{other['event_id']}").status == 204
    assert patch(halls, event["event_id"], {"participants": 1}, token="").status == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"date": "2026-09-30"}, "date"),  # the quarter stays
        ({"date": "2099-11-01"}, "date"),
        ({"quarter": "2026Q3"}, "quarter"),
        ({"id": "6f1c2b1e-8d4a-4c7e-9a51-0b6f4d2c9e11"}, "id"),
        ({"category": "factory"}, "category"),
        ({"participants": -1}, "participants"),
        ({"materials": "7"}, "materials"),
        ({"title": ""}, "title"),
        ({"photos": ["../x"]}, "photos.0"),
        ({"revision": 0}, "revision"),
    ],
)
def test_a_bad_correction_is_a_400_naming_the_field_and_changes_nothing(halls: Api, body, field):
    event = record(halls)
    answer = patch(halls, event["event_id"], body)
    assert answer.status == 400, answer.raw
    assert field in answer.json["error"]["fields"]
    assert listed(halls, "A01") == [event]


def test_unknown_events_and_halls_are_404s_and_a_stale_revision_a_409(halls: Api):
    event = record(halls)
    assert patch(halls, "0" * 32, {"title": "x"}).status == 404
    assert patch(halls, "not-an-id", {"title": "x"}).status == 404
    assert halls.delete("/api/v1/outreach/events/2026Q4").status == 404
    unknown = patch(halls, event["event_id"], {"hall_code": "Z99"})
    assert (unknown.status, unknown.json["error"]["fields"]) == (404, {"hall_code": "unknown hall"})
    assert patch(halls, event["event_id"], {"title": "第一次", "revision": 1}).status == 200
    stale = patch(halls, event["event_id"], {"title": "第二次", "revision": 1})
    assert (stale.status, stale.json["error"]["fields"]) == (409, {"revision": "changed meanwhile"})
    assert [e["title"] for e in listed(halls, "A01")] == ["第一次"]
    unchanged = patch(halls, event["event_id"], {})
    assert (unchanged.status, unchanged.json["revision"]) == (200, 2)  # nothing sent, nothing written
