"""The suggestion box over HTTP: the public form, receipt and tracking page, and
the managers' opening, reply and close (chalice.test.Client over moto)."""

from __future__ import annotations

import os
import re
from urllib.parse import urlencode

import pytest

from chalicelib import composition
from chalicelib.domain.suggestions import TRACKING_NO
from tests.http import Answer, Api

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
AS_JSON = {"Accept": "application/json"}
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def post_form(api: Api, path: str, fields: dict[str, str], **headers: str) -> Answer:
    return api.request("POST", path, urlencode(fields), headers={**FORM, **headers}, token="")


def drop(api: Api, hall: str = "A01", **fields: object) -> str:
    body = {"kind": "suggestion", "content": "大厅的椅子不够坐，建议增加。", **fields}
    answer = api.request("POST", f"/s/{hall}", body, headers=AS_JSON, token="")
    assert answer.status == 200, answer.raw
    return str(answer.json["tracking_no"])


def user(admin: Api, username: str, role: str, halls: list[str]) -> Api:
    password = "password-123456"
    created = admin.post(
        "/api/v1/admin/users", {"username": username, "password": password, "role": role, "halls": halls}
    )
    assert created.status == 201, created.raw
    other = Api(admin.client)
    other.token = other.login(username, password)
    return other


@pytest.fixture
def hall(admin: Api) -> Api:
    admin.seed_hall("A01", counters=1)
    admin.seed_hall("B02", counters=1)
    return admin


@pytest.fixture
def manager(hall: Api) -> Api:
    return user(hall, "mgr-a01", "manager", ["A01"])


# ----- the public form -----


def test_the_form_is_chinese_by_default_english_on_request_and_labels_every_input(api: Api, hall: Api):
    opened = api.get("/s/A01", token="")  # a QR code's plain address: 303 to the form with its key
    assert opened.status == 303 and opened.headers["location"].startswith("/s/A01?k=")
    zh = api.get(opened.headers["location"], token="")
    assert zh.status == 200 and zh.headers["content-type"].startswith("text/html")
    assert "意见箱" in zh.text and "A01营业厅" in zh.text and "<script" not in zh.text
    for name in ("content", "name", "phone", "consent", "wants_reply"):
        assert f'<label for="{name}"' in zh.text or f'for="{name}"' in zh.text, name
        assert f'id="{name}"' in zh.text, name
    en = api.get(api.get("/s/A01?lang=en", token="").headers["location"], token="")
    assert "Suggestion box" in en.text and 'lang="en"' in en.text


def test_an_unknown_hall_is_a_404_page_for_the_form_and_the_post(api: Api, hall: Api):
    assert api.get("/s/NOPE", token="").status == 404
    answer = post_form(api, "/s/NOPE", {"kind": "praise", "content": "服务很好，谢谢"})
    assert answer.status == 404 and "页面不存在" in answer.text


def test_a_form_post_redirects_to_a_receipt_with_the_tracking_number_and_a_link(api: Api, hall: Api):
    answer = post_form(api, "/s/A01", {"kind": "praise", "content": "窗口2号服务很耐心，谢谢！"})
    assert answer.status == 303
    location = answer.headers["location"]
    number = location.rsplit("/", 1)[1]
    assert location == f"/s/A01/receipt/{number}" and TRACKING_NO.match(number)
    receipt = api.get(location, token="")
    assert receipt.status == 200 and receipt.headers["content-type"].startswith("text/html")
    assert re.search(r'id="tracking-no">([^<]+)<', receipt.text).group(1) == number
    assert f'href="/track/{number}"' in receipt.text
    assert "A01营业厅" in receipt.text and "表扬" in receipt.text


def test_reloading_the_receipt_drops_nothing_twice(api: Api, manager: Api):
    answer = post_form(api, "/s/A01", {"kind": "suggestion", "content": "大厅的椅子不够坐，建议增加。"})
    first, again = (api.get(answer.headers["location"], token="") for _ in range(2))
    assert first.status == again.status == 200
    assert first.text == again.text
    assert len(manager.get("/api/v1/suggestions?hall=A01").json["items"]) == 1


def test_the_receipt_keeps_english_and_hides_the_kind_behind_the_phone(api: Api, hall: Api):
    fields = {"kind": "report", "content": "有人代办收费", "phone": "13812345678", "consent": "1"}
    answer = post_form(api, "/s/A01?lang=en", fields)
    assert answer.status == 303 and answer.headers["location"].endswith("?lang=en")
    receipt = api.get(answer.headers["location"], token="")
    assert "Received" in receipt.text and "last four digits" in receipt.text
    assert "Report" not in receipt.text  # /track shows the kind only after the phone's last four digits


def test_a_receipt_of_another_hall_or_an_unknown_number_is_a_404(api: Api, hall: Api):
    number = drop(api)
    assert api.get(f"/s/A01/receipt/{number}", token="").status == 200
    assert api.get(f"/s/B02/receipt/{number}", token="").status == 404
    assert api.get("/s/A01/receipt/TS20261124-7K3M9QXD", token="").status == 404
    assert api.get("/s/A01/receipt/nonsense", token="").status == 404


def test_a_json_post_answers_the_tracking_number(api: Api, hall: Api):
    number = drop(api)
    assert TRACKING_NO.match(number)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "suggestion", "content": "x" * 4}, "content"),
        ({"kind": "suggestion", "content": "x" * 2001}, "content"),
        ({"kind": "rant", "content": "五个字以上"}, "kind"),
        ({"kind": "suggestion", "content": "五个字以上", "phone": "12345"}, "phone"),
        ({"kind": "suggestion", "content": "五个字以上", "phone": "13812345678"}, "consent"),
        ({"kind": "suggestion", "content": "五个字以上", "name": "张先生"}, "consent"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(api: Api, manager: Api, fields, field):
    answer = api.request("POST", "/s/A01", fields, headers=AS_JSON, token="")
    assert answer.status == 400
    assert field in answer.json["error"]["fields"]
    page = post_form(api, "/s/A01", {k: str(v) for k, v in fields.items()})
    assert page.status == 400 and "请检查标红的内容" in page.text
    assert manager.get("/api/v1/suggestions?hall=A01").json["items"] == []


def test_a_rejected_form_comes_back_filled_in_and_escaped(api: Api, hall: Api):
    page = post_form(api, "/s/A01", {"kind": "complaint", "content": XSS, "phone": "13812345678"})
    assert page.status == 400
    assert XSS not in page.text and "&lt;script&gt;" in page.text
    assert 'value="13812345678"' in page.text


@pytest.mark.parametrize(
    ("fields", "zh", "en"),
    [
        ({"kind": "suggestion", "content": "x" * 4}, "请至少填写 5 个字", "at least 5 characters"),
        ({"kind": "suggestion", "content": "x" * 2001}, "请不要超过 2000 个字", "2000 characters or fewer"),
        ({"kind": "rant", "content": "五个字以上"}, "请从选项中选择一项", "choose one of the options"),
        ({"kind": "suggestion", "content": "五个字以上", "phone": "12345"}, "请输入11位手机号", "11-digit mobile"),
        ({"kind": "suggestion", "content": "五个字以上", "name": "张"}, "留称呼或手机号请勾选同意", "tick the consent"),
        ({"kind": "suggestion", "content": "五个字以上", "wants_reply": "maybe"}, "请勾选或不勾选", "tick the box"),
        ({"kind": "suggestion", "content": "五个字以上", "extra": "1"}, "表单中有无法识别的内容", "carried something"),
    ],
)
def test_a_refused_form_says_why_in_the_visitors_language_never_in_pydantics(api: Api, hall: Api, fields, zh, en):
    for lang, words in (("zh", zh), ("en", en)):
        page = post_form(api, f"/s/A01?lang={lang}", fields)
        assert page.status == 400
        assert words in page.text, (lang, words)
        for raw in ("Value error", "Input should", "String should", "Extra inputs", "required when"):
            assert raw not in page.text, raw


def test_content_of_exactly_5_and_2000_characters_is_accepted(api: Api, hall: Api):
    assert TRACKING_NO.match(drop(api, content="x" * 5))
    assert TRACKING_NO.match(drop(api, content="好" * 2000))


# ----- tracking -----


def test_tracking_without_a_phone_shows_status_and_later_the_reply_escaped(api: Api, manager: Api):
    number = drop(api, content=XSS)
    page = api.get(f"/track/{number}", token="")
    assert page.status == 200 and "已提交，待开箱" in page.text
    assert XSS not in page.text
    sid = manager.post("/api/v1/halls/A01/suggestion-box/open").json["items"][0]["id"]
    assert manager.post(f"/api/v1/suggestions/{sid}/reply", {"reply": f"已加椅子 {XSS}"}).status == 200
    page = api.get(f"/track/{number}?lang=en", token="")
    assert "Replied" in page.text and "已加椅子 &lt;script&gt;" in page.text
    as_json = api.get(f"/track/{number}", token="", headers=AS_JSON).json
    assert (as_json["status"], as_json["reply"]) == ("replied", f"已加椅子 {XSS}")


def test_tracking_with_a_phone_needs_its_last_four_digits_and_never_shows_it(api: Api, hall: Api):
    number = drop(api, kind="complaint", name="张先生", phone="138 1234 5678", consent=True, wants_reply=True)
    ask = api.get(f"/track/{number}", token="")
    assert ask.status == 200 and 'name="phone4"' in ask.text
    assert api.get(f"/track/{number}", token="", headers=AS_JSON).json["error"]["fields"].keys() == {"phone4"}
    wrong = api.get(f"/track/{number}?phone4=0000", token="")
    assert wrong.status == 403 and "后四位不正确" in wrong.text
    right = api.get(f"/track/{number}?phone4=5678", token="")
    assert right.status == 200 and "已提交，待开箱" in right.text
    assert "5678" not in right.text.replace(number, "") and "张先生" not in right.text
    assert api.get(f"/track/{number.lower()}?phone4=5678", token="").status == 200


def test_five_wrong_guesses_lock_tracking_even_for_the_right_digits(api: Api, hall: Api):
    number = drop(api, phone="13812345678", consent=True)
    for guess in ("0000", "1111", "2222", "3333", "4444"):
        assert api.get(f"/track/{number}?phone4={guess}", token="", headers=AS_JSON).status == 403
    locked = api.get(f"/track/{number}?phone4=5678", token="", headers=AS_JSON)
    assert locked.status == 429 and "phone4" in locked.json["error"]["fields"]
    assert api.get(f"/track/{number}?phone4=5678", token="").status == 429


def test_an_unknown_or_malformed_tracking_number_is_a_404(api: Api, hall: Api):
    assert api.get("/track/TS20261124-7K3M9QXD", token="").status == 404
    assert api.get("/track/nonsense", token="", headers=AS_JSON).status == 404


# ----- managers -----


def test_opening_the_box_marks_new_suggestions_opened_once_and_records_it(api: Api, manager: Api):
    first, second = drop(api, content="第一条意见内容"), drop(api, content="第二条意见内容")
    drop(api, hall="B02")
    state = manager.get("/api/v1/halls/A01/suggestion-box").json
    assert (state["last_opened_at"], state["overdue"]) == (None, False)  # never opened, but the hall is new
    opened = manager.post("/api/v1/halls/A01/suggestion-box/open")
    assert opened.status == 200
    assert [s["tracking_no"] for s in opened.json["items"]] == [first, second]
    assert {s["status"] for s in opened.json["items"]} == {"opened"}
    assert all(s["opened_at"] for s in opened.json["items"])
    assert manager.post("/api/v1/halls/A01/suggestion-box/open").json["items"] == []
    state = manager.get("/api/v1/halls/A01/suggestion-box").json
    assert (state["last_opened_by"], state["overdue"]) == ("mgr-a01", False)
    assert [s["status"] for s in manager.get("/api/v1/suggestions?hall=A01&status=opened").json["items"]] == [
        "opened",
        "opened",
    ]


def test_the_list_is_newest_first_paged_and_filtered_by_status(api: Api, manager: Api):
    numbers = [drop(api, content=f"第{i}条意见内容") for i in range(5)]
    first = manager.get("/api/v1/suggestions?hall=A01&limit=2").json
    assert [s["tracking_no"] for s in first["items"]] == numbers[:-3:-1]
    seen = [s["tracking_no"] for s in first["items"]]
    cursor = first["next"]
    while cursor:
        page = manager.get(f"/api/v1/suggestions?hall=A01&limit=2&cursor={cursor}").json
        seen += [s["tracking_no"] for s in page["items"]]
        cursor = page["next"]
    assert seen == numbers[::-1]
    assert manager.get("/api/v1/suggestions?hall=A01&status=closed").json["items"] == []
    assert len(manager.get("/api/v1/suggestions?hall=A01&status=new").json["items"]) == 5


def test_lists_mask_phone_and_id_numbers_in_the_content(api: Api, manager: Api):
    drop(api, content="请回电13812345678，身份证110101199003071234")
    item = manager.get("/api/v1/suggestions?hall=A01").json["items"][0]
    assert "13812345678" not in item["content"] and "138****5678" in item["content"]
    assert "110101199003071234" not in item["content"] and "110***********1234" in item["content"]
    assert set(item) == {
        "id",
        "tracking_no",
        "hall_code",
        "kind",
        "content",
        "status",
        "wants_reply",
        "created_at",
        "opened_at",
        "reply",
        "replied_at",
    }


def test_reply_then_close_and_the_order_of_the_life_cycle_is_kept(api: Api, manager: Api):
    drop(api)
    sid = manager.get("/api/v1/suggestions?hall=A01").json["items"][0]["id"]
    early = manager.post(f"/api/v1/suggestions/{sid}/reply", {"reply": "谢谢"})
    assert early.status == 409
    manager.post("/api/v1/halls/A01/suggestion-box/open")
    replied = manager.post(f"/api/v1/suggestions/{sid}/reply", {"reply": "已增加座椅，谢谢您的建议。"})
    assert replied.status == 200 and replied.json["status"] == "replied" and replied.json["replied_at"]
    closed = manager.post(f"/api/v1/suggestions/{sid}/close")
    assert closed.status == 200 and closed.json["status"] == "closed"
    assert manager.post(f"/api/v1/suggestions/{sid}/close").status == 409
    assert manager.post(f"/api/v1/suggestions/{sid}/reply", {"reply": "再次"}).status == 409
    assert manager.post("/api/v1/suggestions/nope/close").status == 404


@pytest.mark.parametrize(("body", "field"), [({"reply": ""}, "reply"), ({}, "reply"), ({"reply": "x" * 2001}, "reply")])
def test_a_bad_reply_is_a_400_naming_reply(api: Api, manager: Api, body, field):
    drop(api)
    sid = manager.post("/api/v1/halls/A01/suggestion-box/open").json["items"][0]["id"]
    answer = manager.post(f"/api/v1/suggestions/{sid}/reply", body)
    assert answer.status == 400 and field in answer.json["error"]["fields"]


@pytest.mark.parametrize(
    ("query", "field"), [("", "hall"), ("?hall=A01&status=lost", "status"), ("?hall=A01&cursor=%%%", "cursor")]
)
def test_bad_list_queries_are_400s_naming_the_parameter(manager: Api, query, field):
    answer = manager.get(f"/api/v1/suggestions{query}")
    assert answer.status == 400 and field in answer.json["error"]["fields"]


def test_managers_keep_to_their_halls_agents_stay_out_and_admins_see_all(api: Api, manager: Api, hall: Api):
    drop(api, hall="B02")
    agent = user(hall, "agent-a01", "agent", ["A01"])
    sid = hall.get("/api/v1/suggestions?hall=B02").json["items"][0]["id"]
    assert manager.get("/api/v1/suggestions?hall=B02").status == 403
    assert manager.post("/api/v1/halls/B02/suggestion-box/open").status == 403
    assert agent.get("/api/v1/suggestions?hall=A01").status == 403
    assert agent.post("/api/v1/halls/A01/suggestion-box/open").status == 403
    opened = hall.post("/api/v1/halls/B02/suggestion-box/open")
    assert [s["id"] for s in opened.json["items"]] == [sid]
    assert manager.post(f"/api/v1/suggestions/{sid}/reply", {"reply": "不是我的"}).status == 403
    assert agent.post(f"/api/v1/suggestions/{sid}/close").status == 403
    assert hall.post(f"/api/v1/suggestions/{sid}/close").json["status"] == "closed"


def test_the_stored_item_carries_kind_wants_reply_and_has_phone_for_the_stream(api: Api, manager: Api):
    drop(api, kind="report", phone="13812345678", consent=True, wants_reply=True)
    sid = manager.get("/api/v1/suggestions?hall=A01").json["items"][0]["id"]
    item = composition.dynamodb_client().get_item(
        TableName=os.environ["TINGSHENG_TABLE"], Key={"pk": {"S": f"SUGGESTION#{sid}"}, "sk": {"S": "SUGGESTION"}}
    )["Item"]
    assert (item["kind"], item["wants_reply"], item["has_phone"]) == ({"S": "report"}, {"BOOL": True}, {"BOOL": True})
    assert item["phone"] == {"S": "13812345678"}
