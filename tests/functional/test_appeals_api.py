from datetime import UTC, datetime

from chalicelib.domain.business_time import SHANGHAI
from tests.http import Api

FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}


def today() -> str:
    return datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m-%d")


def month() -> str:
    return today()[:7]


def test_an_upheld_appeal_leaves_the_record_but_not_the_scores(admin: Api):
    admin.seed_hall("A01", counters=1)
    code = admin.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/", 1)[1]
    for level in (1, 5):
        assert admin.post(f"/r/{code}", f"level={level}&comment=call 13812345678", token="", headers=FORM).status == 200
    admin.post(
        "/api/v1/admin/users",
        {"username": "mgr.zhao", "password": "manager-pass-1", "role": "manager", "halls": ["A01"]},
    )
    manager = Api(admin.client)
    manager.token = manager.login("mgr.zhao", "manager-pass-1")

    listed = manager.get(f"/api/v1/ratings?hall=A01&day={today()}").json["items"]
    assert [r["level"] for r in listed] == [1, 5]
    assert listed[0]["comment"] == "call 138****5678"
    bad = listed[0]["id"]

    lodged = manager.post(f"/api/v1/ratings/{bad}/appeal", {"ground": "malicious", "note": "同一人反复差评"})
    assert (lodged.status, lodged.json["status"]) == (201, "pending")
    assert manager.post(f"/api/v1/ratings/{bad}/appeal", {"ground": "mistaken"}).status == 409
    assert manager.post(f"/api/v1/appeals/{bad}/decide", {"upheld": True}).status == 403  # not by the appellant
    assert [a["rating_id"] for a in admin.get("/api/v1/appeals?hall=A01").json["items"]] == [bad]

    decided = admin.post(f"/api/v1/appeals/{bad}/decide", {"upheld": True, "note": "核实为恶意评价"})
    assert (decided.status, decided.json["status"], decided.json["decided_by"]) == (200, "upheld", "admin")
    after = manager.get(f"/api/v1/ratings?hall=A01&day={today()}").json["items"]
    assert [(r["level"], r["appeal_upheld"]) for r in after] == [(1, True), (5, False)]  # still on record
    [hall] = admin.get(f"/api/v1/reports/hall-monthly?month={month()}").json["items"]
    assert (hall["total"], hall["n1"], hall["n5"]) == (1, 0, 1)


def test_appeal_input_is_checked(admin: Api):
    admin.seed_hall("A01", counters=1)
    assert admin.post("/api/v1/ratings/nope/appeal", {"ground": "malicious"}).status == 404
    assert admin.post("/api/v1/ratings/nope/appeal", {"ground": "bored"}).json["error"]["fields"].keys() == {"ground"}
    assert admin.get("/api/v1/ratings?hall=A01").json["error"]["fields"].keys() == {"day"}
    assert admin.get("/api/v1/ratings?hall=A01&day=24-11-2026").status == 400
    assert admin.get("/api/v1/appeals?hall=A01&status=maybe").status == 400
    assert admin.post("/api/v1/appeals/nope/decide", {"upheld": "yes"}).status == 400
