"""Surveys over HTTP (SPEC §4.6): drafting, validation paths, publishing, links, invitations, results."""

import csv
import io
import re
import uuid

import pytest

from chalicelib import composition
from chalicelib.domain import qrcodes
from tests.http import Api

MATRIX = {"q1.tangibles": 4, "q1.reliability": 5, "q1.responsiveness": 3, "q1.assurance": 4, "q1.empathy": 5}


def user(admin: Api, username: str, role: str, halls: list[str]) -> Api:
    body = {"username": username, "password": "a-long-password-1", "role": role, "halls": halls}
    assert admin.post("/api/v1/admin/users", body).status == 201
    other = Api(admin.client)
    other.token = other.login(username, "a-long-password-1")
    return other


@pytest.fixture
def template(admin: Api) -> dict:
    admin.seed_hall("A01", counters=0)
    admin.seed_hall("B02", counters=0)
    answer = admin.get("/api/v1/surveys/templates/customer-perception")
    assert answer.status == 200
    return answer.json


@pytest.fixture
def published(admin: Api, template: dict) -> str:
    created = admin.post("/api/v1/surveys", template)
    assert created.status == 201, created.raw
    assert created.json["status"] == "draft" and created.json["version"] == 0
    survey_id = created.json["id"]
    assert admin.post(f"/api/v1/surveys/{survey_id}/publish").json == {"id": survey_id, "version": 1}
    return survey_id


def code_of(admin: Api, survey_id: str, hall: str) -> str:
    links = admin.get(f"/api/v1/surveys/{survey_id}/links").json["items"]
    url = next(x["url"] for x in links if x["hall_code"] == hall)
    return url.rsplit("/q/", 1)[1]


def answer_json(api: Api, code: str, response_id: str | None = None, **answers) -> object:
    body = {"response_id": response_id or str(uuid.uuid4()), **MATRIX, "q2": 5, "q3": 9, **answers}
    return api.post(f"/q/{code}", body, token="", headers={"Accept": "application/json"})


def test_a_bad_questionnaire_is_a_400_naming_the_path(admin: Api, template: dict):
    bad = {**template, "questions": [*template["questions"]]}
    bad["questions"][3] = {**bad["questions"][3], "show_if": {"question": "q5", "in": [1]}}
    answer = admin.post("/api/v1/surveys", bad)
    assert answer.status == 400
    assert list(answer.json["error"]["fields"]) == ["questions.3.show_if.question"]
    no_options = {**template, "questions": [{"id": "q1", "type": "single", "text": "选一个"}]}
    assert list(admin.post("/api/v1/surveys", no_options).json["error"]["fields"]) == ["questions.0.options"]
    assert admin.get("/api/v1/surveys").json["items"] == []


def test_publish_freezes_a_version_and_an_edit_becomes_the_next(admin: Api, template: dict, published: str):
    edited = {**template, "title": "第二轮客户感知调查"}
    changed = admin.request("PUT", f"/api/v1/surveys/{published}", edited)
    assert changed.status == 200 and changed.json["edited"] is True
    assert admin.post(f"/api/v1/surveys/{published}/publish").json["version"] == 2
    survey = admin.get(f"/api/v1/surveys/{published}").json
    assert [(v["version"], v["title"]) for v in survey["versions"]] == [
        (1, "客户感知满意度调查"),
        (2, "第二轮客户感知调查"),
    ]
    assert survey["questions"][3]["show_if"] == {"question": "q2", "in": [1, 2, 3]}
    assert admin.post(f"/api/v1/surveys/{published}/publish").status == 409  # nothing changed
    history = admin.get(f"/api/v1/admin/audit?kind=survey&key={published}").json["items"]
    assert [(e["action"], e["after"]["version"]) for e in history] == [("publish", 2), ("publish", 1)]


def test_responses_count_once_and_results_come_from_tallies(admin: Api, published: str):
    a01, b02 = code_of(admin, published, "A01"), code_of(admin, published, "B02")
    rid = str(uuid.uuid4())
    first = answer_json(admin, a01, rid, q2=2, q3=3, q4=["long_wait"])
    assert first.status == 200 and first.json == {"id": rid}
    assert answer_json(admin, a01, rid, q2=2, q3=3, q4=["long_wait"]).json == {"id": rid}  # a retry
    assert answer_json(admin, b02, q2=5, q3=10).status == 200
    results = admin.get(f"/api/v1/surveys/{published}/results").json
    assert results["responses"] == 2
    overall = results["questions"][1]
    assert overall["counts"] == {"5": 1, "4": 0, "3": 0, "2": 1, "1": 0} and overall["mean"] == 3.5
    assert results["questions"][2]["nps"] == 0.0
    assert results["questions"][0]["rows"]["reliability"]["mean"] == 5.0
    assert results["dimensions"]["响应性"] == 3.0
    only_b = admin.get(f"/api/v1/surveys/{published}/results?hall=B02&version=1").json
    assert only_b["responses"] == 1


def test_a_hidden_questions_answer_is_refused_and_nothing_stored(admin: Api, published: str):
    code = code_of(admin, published, "A01")
    refused = answer_json(admin, code, q2=5, q4=["attitude"])
    assert refused.status == 400 and refused.json["error"]["fields"] == {
        "q4": "hidden by an earlier answer: leave it out"
    }
    assert admin.get(f"/api/v1/surveys/{published}/results").json["responses"] == 0


def test_a_closed_survey_answers_410_and_a_forged_code_404(admin: Api, published: str):
    code = code_of(admin, published, "A01")
    assert admin.post(f"/api/v1/surveys/{published}/close").json["status"] == "closed"
    assert answer_json(admin, code).status == 410
    assert answer_json(admin, code[:-2] + "xx").status == 404
    assert admin.get(f"/q/{code[:-2]}xx", token="").status == 404


def test_sms_invitations_keep_only_a_mask_and_answer_once(admin: Api, published: str, caplog):
    sent = admin.post(f"/api/v1/surveys/{published}/invitations", {"hall_code": "A01", "phones": ["13812345678"]})
    assert sent.status == 202 and sent.json == {"sent": 1}
    line = next(r for r in caplog.records if r.getMessage() == "sms")
    assert "13812345678" not in str(line.__dict__)
    code = re.search(r"/q/([A-Za-z0-9_.-]+)", line.__dict__["text"]).group(1)
    assert answer_json(admin, code).status == 200
    assert answer_json(admin, code).status == 409  # used
    stored = composition.surveys().invitation(code_id(code))  # the stored invitation holds the mask only
    assert stored is not None and stored.phone_mask == "138****5678" and stored.used_at is not None
    bad = admin.post(f"/api/v1/surveys/{published}/invitations", {"hall_code": "A01", "phones": ["12345"]})
    assert bad.status == 400 and list(bad.json["error"]["fields"]) == ["phones.0"]


def code_id(code: str) -> str:
    link = qrcodes.parse_survey_code(composition.settings().qr_key, code)
    assert link is not None and link.invitation_id
    return link.invitation_id


ROUTES = [
    ("GET", "/api/v1/surveys"),
    ("POST", "/api/v1/surveys"),
    ("GET", "/api/v1/surveys/templates/customer-perception"),
    ("GET", "/api/v1/surveys/{id}"),
    ("PUT", "/api/v1/surveys/{id}"),
    ("POST", "/api/v1/surveys/{id}/publish"),
    ("POST", "/api/v1/surveys/{id}/close"),
    ("GET", "/api/v1/surveys/{id}/links"),
    ("POST", "/api/v1/surveys/{id}/invitations"),
    ("GET", "/api/v1/surveys/{id}/results"),
    ("GET", "/api/v1/reports/survey-responses.csv?survey={id}"),
]
# Who may do what: admins everything; managers read and invite for their halls; agents nothing.
ALLOWED = {
    "admin": set(ROUTES),
    "manager": {
        ("GET", "/api/v1/surveys"),
        ("GET", "/api/v1/surveys/templates/customer-perception"),
        ("GET", "/api/v1/surveys/{id}"),
        ("GET", "/api/v1/surveys/{id}/links"),
        ("POST", "/api/v1/surveys/{id}/invitations"),
        ("GET", "/api/v1/surveys/{id}/results"),
        ("GET", "/api/v1/reports/survey-responses.csv?survey={id}"),
    },
    "agent": set(),
}


@pytest.mark.parametrize("role", ["admin", "manager", "agent"])
def test_the_authorization_matrix_of_survey_routes(admin: Api, template: dict, published: str, role: str):
    caller = admin if role == "admin" else user(admin, f"u-{role}", role, ["A01"])
    bodies = {"POST /api/v1/surveys": template, "PUT /api/v1/surveys/{id}": template}
    bodies["POST /api/v1/surveys/{id}/invitations"] = {"hall_code": "A01", "phones": ["13900001111"]}
    for method, path in ROUTES:
        answer = caller.request(method, path.replace("{id}", published), bodies.get(f"{method} {path}"))
        allowed = (method, path) in ALLOWED[role]
        assert (answer.status != 403) == allowed, (role, method, path, answer.status, answer.raw[:200])
        assert answer.status < 500
        anonymous = admin.request(method, path.replace("{id}", published), token="")
        assert anonymous.status == 401, (method, path)


def test_a_manager_sees_the_results_of_their_halls_only(admin: Api, published: str):
    answer_json(admin, code_of(admin, published, "A01"))
    answer_json(admin, code_of(admin, published, "B02"))
    manager = user(admin, "m-b02", "manager", ["B02"])
    assert manager.get(f"/api/v1/surveys/{published}/results").json["responses"] == 1
    assert manager.get(f"/api/v1/surveys/{published}/results?hall=A01").status == 403
    assert [x["hall_code"] for x in manager.get(f"/api/v1/surveys/{published}/links").json["items"]] == ["B02"]


def test_the_csv_has_one_column_per_question_headed_by_its_text(admin: Api, published: str):
    code = code_of(admin, published, "A01")
    answer_json(admin, code, q2=2, q3=3, q4=["long_wait", "attitude"], q5="=请回电 13812345678")
    answer_json(admin, code_of(admin, published, "B02"))
    got = admin.get(f"/api/v1/reports/survey-responses.csv?survey={published}")
    assert got.status == 200 and got.raw.startswith("\ufeff".encode()) and b"\r\n" in got.raw
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.raw.decode("utf-8")[1:], newline="")))
    header = rows[0]
    assert header[:4] == ["答卷编号", "提交时间", "营业厅编码", "渠道"]
    assert header[4].endswith("有形性：营业厅环境整洁、设施完好、标识清楚") and len(header) == 4 + 5 + 4
    assert header[9:] == [
        "总体而言，您对本营业厅的服务满意吗？",
        "您有多大可能向亲友推荐本营业厅的服务？（0 — 10）",
        "您不满意的主要原因是？（可多选）",
        "您对我们还有什么意见或建议？",
    ]
    first = dict(zip(header, rows[1], strict=True))
    assert first["渠道"] == "扫码" and first["总体而言，您对本营业厅的服务满意吗？"] == "2"
    assert first["您不满意的主要原因是？（可多选）"] == "等候时间长、服务态度"
    assert first["您对我们还有什么意见或建议？"] == "'=请回电 138****5678"
    english = admin.get(f"/api/v1/reports/survey-responses.csv?survey={published}&lang=en&hall=A01")
    rows = list(csv.reader(io.StringIO(english.raw.decode("utf-8")[1:], newline="")))
    assert rows[0][:4] == ["response_id", "submitted_at", "hall_code", "channel"] and len(rows) == 2
    assert "long_wait;attitude" in rows[1]


def test_an_opted_out_number_is_never_invited_again(admin: Api, published: str, caplog):
    body = {"hall_code": "A01", "phones": ["13812345678"]}
    assert admin.post(f"/api/v1/surveys/{published}/invitations", body).json == {"sent": 1}
    line = next(r for r in caplog.records if r.getMessage() == "sms")
    code = re.search(r"/q/([A-Za-z0-9_.-]+)", line.__dict__["text"]).group(1)
    page = admin.get(f"/q/{code}", token="").text
    assert f'action="/q/{code}/opt-out"' in page
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    opted = admin.post(f"/q/{code}/opt-out", "", token="", headers=form)
    assert opted.status == 200 and "已退订" in opted.text
    again = {"hall_code": "A01", "phones": ["13812345678", "13900001111"]}
    assert admin.post(f"/api/v1/surveys/{published}/invitations", again).json == {"sent": 1}
    hall_code = code_of(admin, published, "A01")
    assert admin.post(f"/q/{hall_code}/opt-out", "", token="", headers=form).status == 404  # not an invitation
