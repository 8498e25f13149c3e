import pytest

from tests.http import Api


def test_health_answers_ok_once_storage_answers(api: Api):
    answer = api.get("/healthz")
    assert (answer.status, answer.json) == (200, {"status": "ok"})


def test_every_v1_route_refuses_a_missing_or_bad_token(api: Api):
    from app import app

    for path, methods in app.routes.items():
        if not path.startswith("/api/v1/") or path == "/api/v1/auth/login":
            continue
        concrete = path.replace("{hall_code}", "A01").replace("{device_id}", "dev-1")
        for method in methods:
            for token in ("", "v1.bad.token"):
                answer = api.request(method, concrete, {}, token=token)
                assert answer.status == 401, (method, path)
                assert answer.json["error"]["code"] == "unauthenticated"


def test_an_admin_builds_a_hall_with_counters_staff_and_a_device(admin: Api):
    admin.seed_hall("A01", counters=2)
    assert admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}).status == 201
    device = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 2})
    assert device.status == 201
    assert device.json["key"].startswith(f"tsd_{device.json['device_id']}_")

    hall = admin.get("/api/v1/admin/halls/A01").json
    assert (hall["name"], hall["grade"]) == ("A01营业厅", "A")
    assert [c["number"] for c in admin.get("/api/v1/admin/halls/A01/counters").json["items"]] == [1, 2]
    assert [s["name"] for s in admin.get("/api/v1/admin/halls/A01/staff").json["items"]] == ["张三"]
    listed = admin.get("/api/v1/admin/halls/A01/devices").json["items"]
    assert listed == [
        {
            "device_id": device.json["device_id"],
            "hall_code": "A01",
            "counter_number": 2,
            "created_at": listed[0]["created_at"],
            "revoked_at": None,
            # its health (SPEC §4.9): never seen yet, so silent
            "last_seen_at": None,
            "signed_in": None,
            "buffered": None,
            "firmware": None,
            "silent": True,
        }
    ]
    assert "key" not in listed[0] and "key_hash" not in listed[0]


def test_revoking_a_device_is_immediate_and_idempotent(admin: Api):
    admin.seed_hall("A01", counters=1)
    device_id = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["device_id"]
    assert admin.delete(f"/api/v1/admin/devices/{device_id}").status == 204
    assert admin.delete(f"/api/v1/admin/devices/{device_id}").status == 204
    assert admin.delete("/api/v1/admin/devices/dev-unknown").status == 404
    assert admin.get("/api/v1/admin/halls/A01/devices").json["items"][0]["revoked_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "A 01", "name": "x", "branch": "y", "grade": "A"}, "code"),
        ({"code": "A01", "name": "", "branch": "y", "grade": "A"}, "name"),
        ({"code": "A01", "name": "x", "branch": "y", "grade": "D"}, "grade"),
        ({"code": "A01", "name": "x", "branch": "y"}, "grade"),
        ({"code": "A01", "name": "x", "branch": "y", "grade": "A", "extra": 1}, "extra"),
    ],
)
def test_bad_hall_input_is_a_400_naming_the_field_and_stores_nothing(admin: Api, body, field):
    answer = admin.post("/api/v1/admin/halls", body)
    assert answer.status == 400
    assert field in answer.json["error"]["fields"]
    assert admin.get("/api/v1/admin/halls").json["items"] == []


@pytest.mark.parametrize("raw", ["", "{", "[1,2]", "null", "\xff"])
def test_a_body_that_is_not_a_json_object_is_a_400(admin: Api, raw):
    answer = admin.post("/api/v1/admin/halls", raw)
    assert answer.status == 400
    assert answer.json["error"]["fields"].keys() == {"body"}


def test_a_duplicate_is_a_409_and_an_unknown_hall_a_404(admin: Api):
    admin.seed_hall("A01", counters=1)
    dup = admin.post("/api/v1/admin/halls", {"code": "A01", "name": "x", "branch": "y", "grade": "B"})
    assert (dup.status, dup.json["error"]["code"]) == (409, "conflict")
    assert admin.post("/api/v1/admin/halls/ZZ/counters", {"number": 1}).status == 404
    missing = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 7})
    assert (missing.status, missing.json["error"]["fields"]) == (404, {"counter_number": "unknown counter"})


def test_a_manager_sees_only_their_halls_and_may_not_administer(admin: Api):
    admin.seed_hall("A01", counters=1)
    admin.seed_hall("B02", counters=1)
    created = admin.post(
        "/api/v1/admin/users",
        {"username": "zhang.m", "password": "manager-pass-1", "role": "manager", "halls": ["A01"]},
    )
    assert created.status == 201 and "password" not in created.text and "hash" not in created.text
    manager = Api(admin.client)
    manager.token = manager.login("zhang.m", "manager-pass-1")
    assert [h["code"] for h in manager.get("/api/v1/admin/halls").json["items"]] == ["A01"]
    assert manager.get("/api/v1/admin/halls/A01/counters").status == 200
    assert manager.get("/api/v1/admin/halls/B02/counters").status == 403
    forbidden = manager.post("/api/v1/admin/halls", {"code": "C03", "name": "x", "branch": "y", "grade": "C"})
    assert (forbidden.status, forbidden.json["error"]["code"]) == (403, "forbidden")
    assert manager.get("/api/v1/admin/users").status == 403


def test_lists_page_with_a_cursor(admin: Api):
    for i in range(5):
        admin.seed_hall(f"H{i}", counters=0)
    first = admin.get("/api/v1/admin/halls?limit=2").json
    assert len(first["items"]) == 2 and first["next"]
    seen = [h["code"] for h in first["items"]]
    cursor = first["next"]
    while cursor:
        page = admin.get(f"/api/v1/admin/halls?limit=2&cursor={cursor}").json
        seen += [h["code"] for h in page["items"]]
        cursor = page["next"]
    assert seen == ["H0", "H1", "H2", "H3", "H4"]
    assert admin.get("/api/v1/admin/halls?cursor=%%%").status == 400
    assert admin.get("/api/v1/admin/halls?limit=0").status == 400


def test_chalice_own_errors_have_the_json_error_shape(admin: Api):
    wrong_method = admin.request("PUT", "/api/v1/admin/halls", {})
    assert wrong_method.status == 405 and wrong_method.json["error"]["code"] == "method_not_allowed"
    wrong_type = admin.post("/api/v1/admin/halls", "x", headers={"Content-Type": "text/plain"})
    assert wrong_type.status == 415 and wrong_type.json["error"]["code"] == "unsupported_media_type"


def test_the_openapi_document_describes_every_route_from_its_models(api: Api):
    from openapi_spec_validator import validate

    from app import app

    doc = api.get("/api/openapi.json").json
    validate(doc)  # a valid OpenAPI 3.1 document, not just JSON
    assert doc["openapi"].startswith("3.")
    for path, methods in app.routes.items():
        for method in methods:
            assert method.lower() in doc["paths"][path], (method, path)
    hall_in = doc["paths"]["/api/v1/admin/halls"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = doc["components"]["schemas"][hall_in["$ref"].rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"code", "name", "branch", "grade"}


def test_an_admin_overrides_the_calendar_for_a_year_the_package_does_not_know(admin: Api):
    before = admin.get("/api/v1/admin/calendar?year=2027").json
    assert (before["official"], before["overrides"]) == (False, [])
    assert admin.get("/api/v1/admin/calendar?year=2026").json["official"] is True
    assert admin.request("PUT", "/api/v1/admin/calendar/2027-02-20", {"working": True}).status == 204
    assert admin.request("PUT", "/api/v1/admin/calendar/2027-02-11", {"working": False}).status == 204
    listed = admin.get("/api/v1/admin/calendar?year=2027").json["overrides"]
    assert listed == [{"day": "2027-02-11", "working": False}, {"day": "2027-02-20", "working": True}]
    from chalicelib import composition

    composition.reset()  # the calendar is re-read every few minutes; a test does not wait
    calendar = composition.working_days()
    from datetime import date

    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday made a working day
    assert not calendar.is_working_day(date(2027, 2, 11))  # a Thursday made a day off
    assert admin.delete("/api/v1/admin/calendar/2027-02-20").status == 204
    bad = admin.request("PUT", "/api/v1/admin/calendar/2027-13-01", {"working": True})
    assert (bad.status, list(bad.json["error"]["fields"])) == (400, ["day"])
    assert admin.request("PUT", "/api/v1/admin/calendar/2027-02-20", {"working": "yes"}).status == 400
    assert admin.get("/api/v1/admin/calendar").status == 400
