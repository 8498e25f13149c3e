"""A callback task carries its source's context (SPEC §4.3), from the stream to the agent's card."""

from __future__ import annotations

from tests.functional.test_callbacks_pipeline import FORM, deliver, insert_record
from tests.functional.test_console import Browser, add_user, drop_complaint, open_task_for_latest
from tests.http import Api


def test_a_task_from_a_bad_rating_carries_its_context_to_the_agents_card(admin: Api):
    admin.seed_hall("A01", counters=1)
    assert admin.post("/api/v1/admin/staff", {"staff_no": "S01", "name": "王芳", "hall_code": "A01"}).status == 201
    device = Api(admin.client)
    device.token = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["key"]
    assert device.request("PUT", "/api/v1/device/shift", {"staff_no": "S01"}).status == 204
    code = admin.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/r/", 1)[1]
    form = "level=1&reasons=attitude&reasons=long_wait&comment=请打13900001111&phone=13812345678&consent=1"
    rated = admin.post(f"/r/{code}", form, token="", headers=FORM)
    assert rated.status == 200, rated.raw
    rating_id = rated.json["id"]
    assert deliver([insert_record(f"RATING#{rating_id}", "RATING", "1")]) == {"batchItemFailures": []}

    [task] = admin.get("/api/v1/callbacks?hall=A01").json["items"]
    context = task["context"]
    assert context | {"rated_at": None} == {
        "source": "rating",
        "level": 1,
        "reasons": ["attitude", "long_wait"],
        "comment": "请打139****1111",
        "channel": "qr",
        "counter": 1,
        "staff_no": "S01",
        "staff_name": "王芳",
        "rated_at": None,
    }
    assert context["rated_at"].endswith("Z")

    add_user(admin, "agent1", "agent", ["A01"])
    agent = Browser(admin.client)
    agent.sign_in("agent1", "password-123")
    card = agent.get("/console/callbacks").text
    for shown in ("非常不满意", "服务态度、等候时间长", "请打139****1111", "扫码", "1 号窗口", "S01 王芳"):
        assert shown in card, shown
    assert 'href="tel:' not in card and "13812345678" not in card  # masked until the task is theirs
    assert agent.post(f"/console/callbacks/{task['id']}/claim", {}).status == 303
    card = agent.get("/console/callbacks?lang=en").text
    assert 'href="tel:13812345678"' in card and "Very dissatisfied" in card and "Attitude, Long wait" in card


def test_a_task_from_a_complaint_carries_its_kind_content_and_tracking_number(admin: Api):
    admin.seed_hall("A01")
    tracking_no = drop_complaint(admin)
    task_id = open_task_for_latest(admin)
    context = admin.get(f"/api/v1/callbacks/{task_id}").json["context"]
    assert context == {
        "source": "suggestion",
        "kind": "complaint",
        "content": "窗口排队太久了",
        "tracking_no": tracking_no,
        "ticket_no": None,  # until a work order made from it is answered
        "answer": None,
    }
    browser = Browser(admin.client)
    browser.sign_in("admin", "admin-password-1")
    card = browser.get("/console/callbacks").text
    assert tracking_no in card and "窗口排队太久了" in card and "投诉" in card
    assert 'href="tel:13812345678"' in card  # admins see the number in full, so they can dial it
