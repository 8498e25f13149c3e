import csv
import io
from urllib.parse import unquote

import pytest

from tests.http import Answer, Api

EVENT = {
    "quarter": "2026Q4",
    "hall_code": "A01",
    "category": "community",
    "date": "2026-10-15",
    "place": "幸福社区",
    "title": "安全用电进社区",
    "participants": 40,
    "households_visited": 12,
    "safety_checks": 5,
    "materials": 100,
    "notes": "发放宣传册",
    "photos": ["outreach/2026Q4/A01/0001.jpg"],
}


def user(admin: Api, username: str, role: str, halls: list[str]) -> Api:
    body = {"username": username, "password": "a-long-password-1", "role": role, "halls": halls}
    assert admin.post("/api/v1/admin/users", body).status == 201
    other = Api(admin.client)
    other.token = other.login(username, "a-long-password-1")
    return other


def rows_of(answer: Answer) -> list[list[str]]:
    assert answer.raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(answer.raw.decode("utf-8")[1:], newline="")))


@pytest.fixture
def halls(admin: Api) -> Api:
    admin.seed_hall("A01", counters=0)
    admin.seed_hall("B02", counters=0)
    return admin


def test_recording_an_event_answers_it_and_lists_it_for_its_hall(halls: Api):
    created = halls.post("/api/v1/outreach/events", EVENT)
    assert created.status == 201, created.raw
    body = created.json
    assert {k: body[k] for k in EVENT} == EVENT
    assert body["event_id"] and body["created_by"] == "admin"
    listed = halls.get("/api/v1/outreach/events?quarter=2026Q4&hall=A01").json
    assert [e["event_id"] for e in listed["items"]] == [body["event_id"]] and listed["next"] is None
    assert halls.get("/api/v1/outreach/events?quarter=2026Q4&hall=B02").json["items"] == []


def test_a_retried_post_with_the_same_id_records_the_event_once(halls: Api):
    retried = EVENT | {"id": "6f1c2b1e-8d4a-4c7e-9a51-0b6f4d2c9e11"}
    first = halls.post("/api/v1/outreach/events", retried)
    again = halls.post("/api/v1/outreach/events", retried)
    assert (first.status, again.status) == (201, 200)
    assert again.json["event_id"] == first.json["event_id"]
    assert len(halls.get("/api/v1/outreach/events?quarter=2026Q4&hall=A01").json["items"]) == 1
    [a01] = [r for r in halls.get("/api/v1/outreach/coverage?quarter=2026Q4").json["items"] if r["hall_code"] == "A01"]
    assert a01["events"] == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date": "2026-09-30"}, "date"),
        ({"date": "2026-13-01"}, "date"),
        ({"quarter": "2026Q5"}, "quarter"),
        ({"quarter": "2026-Q4"}, "quarter"),
        ({"category": "factory"}, "category"),
        ({"participants": -1}, "participants"),
        ({"households_visited": "12"}, "households_visited"),
        ({"safety_checks": 2.5}, "safety_checks"),
        ({"materials": True}, "materials"),
        ({"title": ""}, "title"),
        ({"place": "x" * 201}, "place"),
        ({"photos": ["../secrets.txt"]}, "photos.0"),
        ({"photos": "one.jpg"}, "photos"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_event_input_is_a_400_naming_the_field_and_stores_nothing(halls: Api, change, field):
    answer = halls.post("/api/v1/outreach/events", EVENT | change)
    assert answer.status == 400, answer.raw
    assert field in answer.json["error"]["fields"]
    assert halls.get("/api/v1/outreach/events?quarter=2026Q4&hall=A01").json["items"] == []
    assert halls.get("/api/v1/outreach/coverage?quarter=2026Q4").json["totals"]["events"] == 0


def test_an_unknown_hall_is_a_404_naming_it(halls: Api):
    answer = halls.post("/api/v1/outreach/events", EVENT | {"hall_code": "Z99"})
    assert (answer.status, answer.json["error"]["fields"]) == (404, {"hall_code": "unknown hall"})


def test_a_manager_acts_on_their_halls_only_and_an_agent_not_at_all(halls: Api):
    manager = user(halls, "mgr.a", "manager", ["A01"])
    assert manager.post("/api/v1/outreach/events", EVENT).status == 201
    foreign = manager.post("/api/v1/outreach/events", EVENT | {"hall_code": "B02"})
    assert (foreign.status, foreign.json["error"]["code"]) == (403, "forbidden")
    assert manager.get("/api/v1/outreach/events?quarter=2026Q4&hall=B02").status == 403
    assert [r["hall_code"] for r in manager.get("/api/v1/outreach/coverage?quarter=2026Q4").json["items"]] == ["A01"]
    assert manager.post("/api/v1/outreach/2026Q4/publish").status == 403
    agent = user(halls, "agent.a", "agent", ["A01"])
    assert agent.post("/api/v1/outreach/events", EVENT).status == 403
    assert agent.get("/api/v1/outreach/coverage?quarter=2026Q4").status == 403
    assert agent.get("/api/v1/reports/outreach.csv?quarter=2026Q4").status == 403
    assert halls.get("/api/v1/outreach/coverage?quarter=2026Q4").json["totals"]["events"] == 1


def test_coverage_counts_by_category_and_flags_halls_without_events(halls: Api):
    for category, participants in (("community", 40), ("school", 25), ("community", 5)):
        assert (
            halls.post("/api/v1/outreach/events", EVENT | {"category": category, "participants": participants}).status
            == 201
        )
    cov = halls.get("/api/v1/outreach/coverage?quarter=2026Q4").json
    a01, b02 = cov["items"]
    assert (a01["hall_code"], a01["events"], a01["community"], a01["school"], a01["village"]) == ("A01", 3, 2, 1, 0)
    assert (a01["participants"], a01["covered"]) == (70, True)
    assert (b02["hall_code"], b02["events"], b02["covered"]) == ("B02", 0, False)
    assert (cov["quarter"], cov["totals"]["halls"], cov["totals"]["covered_halls"]) == ("2026Q4", 2, 1)
    assert halls.get("/api/v1/outreach/coverage?quarter=2026Q3").json["totals"]["events"] == 0


@pytest.mark.parametrize("path", ["/api/v1/outreach/coverage", "/api/v1/outreach/coverage?quarter=Q4"])
def test_coverage_needs_a_quarter(halls: Api, path):
    answer = halls.get(path)
    assert (answer.status, list(answer.json["error"]["fields"])) == (400, ["quarter"])


def test_the_coverage_report_is_a_csv_for_excel(halls: Api):
    halls.post("/api/v1/admin/halls", {"code": "C03", "name": '=HYPERLINK("x")', "branch": "城西", "grade": "C"})
    halls.post("/api/v1/outreach/events", EVENT)
    answer = halls.get("/api/v1/reports/outreach.csv?quarter=2026Q4")
    assert answer.status == 200
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="outreach-coverage-2026Q4-')
    assert "五进覆盖-2026Q4-" in unquote(disposition.split("filename*=UTF-8''")[1])
    assert b"\r\n" in answer.raw and b"\n" not in answer.raw.replace(b"\r\n", b"")
    rows = rows_of(answer)
    assert rows[0][:5] == ["季度", "分中心", "营业厅编码", "营业厅", "活动次数"] and rows[0][-1] == "是否达标"
    assert rows[1] == ["2026Q4", "城东分中心", "A01", "A01营业厅", "1", "1", "0", "0", "0", "0", "40", "12", "5", "是"]
    assert rows[3][3] == '\'=HYPERLINK("x")' and rows[3][-1] == "否"
    english = rows_of(halls.get("/api/v1/reports/outreach.csv?quarter=2026Q4&lang=en"))
    assert english[0] == [
        "quarter",
        "branch",
        "hall_code",
        "hall",
        "events",
        "community",
        "enterprise",
        "village",
        "household",
        "school",
        "participants",
        "households_visited",
        "safety_checks",
        "covered",
    ]
    assert english[1][-1] == "true" and english[2][-1] == "false"
    assert halls.get("/api/v1/reports/outreach.csv?quarter=2026").status == 400


def test_nothing_is_public_before_the_first_publication(api: Api):
    page = api.get("/outreach/2026Q4", token="")
    assert page.status == 404 and page.headers["content-type"].startswith("text/html")
    assert api.get("/outreach/2026Q4.csv", token="").status == 404
    assert api.get("/outreach/not-a-quarter", token="").status == 404


def test_publishing_twice_keeps_version_one_byte_for_byte_and_serves_version_two(halls: Api):
    halls.post("/api/v1/outreach/events", EVENT)
    first = halls.post("/api/v1/outreach/2026Q4/publish")
    assert (first.status, first.json) == (201, {"quarter": "2026Q4", "version": 1})
    v1_page = halls.get("/outreach/2026Q4?version=1", token="").raw
    v1_csv = halls.get("/outreach/2026Q4.csv?version=1", token="").raw
    latest_before = halls.get("/outreach/2026Q4.csv", token="").raw
    assert latest_before == v1_csv

    halls.post("/api/v1/outreach/events", EVENT | {"hall_code": "B02", "category": "village", "title": "进农村"})
    assert halls.post("/api/v1/outreach/2026Q4/publish").json == {"quarter": "2026Q4", "version": 2}

    assert halls.get("/outreach/2026Q4?version=1", token="").raw == v1_page
    assert halls.get("/outreach/2026Q4.csv?version=1", token="").raw == v1_csv
    latest = halls.get("/outreach/2026Q4.csv", token="")
    assert latest.raw != v1_csv
    assert [r[-1] for r in rows_of(latest)[1:]] == ["是", "是"]
    assert [r[-1] for r in rows_of(halls.get("/outreach/2026Q4.csv?version=1", token=""))[1:]] == ["是", "否"]
    page = halls.get("/outreach/2026Q4", token="")
    assert page.status == 200 and "第 2 版" in page.text and "进农村" in page.text
    assert halls.get("/outreach/2026Q4?version=3", token="").status == 404
    assert halls.get("/outreach/2026Q4?version=abc", token="").status == 400


def test_the_public_page_is_chinese_by_default_english_on_request_printable_and_script_free(halls: Api):
    halls.post("/api/v1/outreach/events", EVENT | {"category": "school"})
    halls.post("/api/v1/outreach/2026Q4/publish")
    zh = halls.get("/outreach/2026Q4", token="")
    assert zh.status == 200 and zh.headers["content-language"] == "zh-CN"
    assert "五进" in zh.text and "进学校" in zh.text and "@media print" in zh.text
    assert "<svg" in zh.text and "<script" not in zh.text.lower()
    assert "http://" not in zh.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    en = halls.get("/outreach/2026Q4?lang=en", token="")
    assert en.headers["content-language"] == "en" and "Events by category" in en.text
    assert "发放宣传册" not in zh.text  # notes stay internal
    csv_en = halls.get("/outreach/2026Q4.csv?lang=en", token="")
    assert rows_of(csv_en)[0][0] == "quarter"
    assert csv_en.headers["content-disposition"].startswith('attachment; filename="outreach-2026Q4-v1-')


def test_titles_places_and_hall_names_are_escaped_on_the_public_page(halls: Api):
    halls.post("/api/v1/admin/halls", {"code": "X01", "name": "<b>厅</b>", "branch": "<i>分</i>", "grade": "A"})
    hostile = {"hall_code": "X01", "title": "<script>alert(1)</script>", "place": '"><img src=x onerror=alert(1)>'}
    assert halls.post("/api/v1/outreach/events", EVENT | hostile).status == 201
    halls.post("/api/v1/outreach/2026Q4/publish")
    text = halls.get("/outreach/2026Q4", token="").text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "<b>厅</b>" not in text and "&lt;b&gt;厅&lt;/b&gt;" in text


def test_publishing_needs_an_admin_and_a_started_quarter(halls: Api):
    assert halls.post("/api/v1/outreach/2099Q1/publish").json["error"]["fields"] == {
        "quarter": "a quarter that has started"
    }
    assert halls.post("/api/v1/outreach/2026Q9/publish").status == 400
    assert halls.post("/api/v1/outreach/2026Q4/publish", token="").status == 401
