"""The served OpenAPI document says what the app answers: every status an
operation gives, in the media types it uses, and the constraints it enforces
on what it is sent (tests/integration/test_schemathesis.py checks the running
app against it at large)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openapi_spec_validator import validate

from tests.http import Api

JSON, HTML, CSV, FORM = "application/json", "text/html", "text/csv", "application/x-www-form-urlencoded"
ERROR = {"$ref": "#/components/schemas/ErrorBody"}
SIGN_IN = {("post", "/api/v1/auth/login"), ("post", "/console/login")}
NO_STORAGE = {("get", "/"), ("get", "/api/openapi.json")}


@pytest.fixture
def doc(api: Api) -> dict[str, Any]:
    served = api.get("/api/openapi.json").json
    validate(served)
    return served


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, op) for path, methods in doc["paths"].items() for method, op in methods.items()]


def schemes(op: dict[str, Any]) -> set[str]:
    return {name for requirement in op["security"] for name in requirement}


def media(answer: dict[str, Any]) -> set[str]:
    return set(answer.get("content", {}))


def param(op: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in op["parameters"] if p["name"] == name]
    return found


def test_every_operation_lists_the_statuses_its_kind_answers(doc: dict[str, Any]):
    for method, path, op in operations(doc):
        where, answers = (method, path), op["responses"]
        credentials = schemes(op) & {"userToken", "deviceKey"}
        assert ("401" in answers) == bool(credentials or where in SIGN_IN), where
        if "consoleSession" in schemes(op):  # no session: on to the sign-in page, never a 401
            assert answers["303"]["headers"]["Location"]["required"], where
        if method in ("post", "put", "patch"):
            assert answers["415"]["content"] == {JSON: {"schema": ERROR}}, where  # Chalice's own, always JSON
        if "requestBody" in op:
            assert {"400", "413"} <= set(answers), where
        if where in NO_STORAGE:
            assert "503" not in answers, where
        elif path != "/healthz":
            assert answers["503"]["headers"]["Retry-After"]["required"], where


def test_the_statuses_only_some_routes_give_are_where_they_occur(doc: dict[str, Any]):
    paths = doc["paths"]
    for method, path, status in (
        ("post", "/api/v1/auth/login", "401"),
        ("post", "/api/v1/auth/login", "429"),
        ("post", "/api/v1/admin/halls", "409"),
        ("post", "/api/v1/admin/users", "409"),
        ("post", "/api/v1/ratings/{rating_id}/appeal", "409"),
        ("post", "/api/v1/suggestions/{suggestion_id}/reply", "409"),
        ("post", "/api/v1/callbacks/{task_id}/claim", "409"),
        ("post", "/api/v1/device/ratings", "413"),
        ("post", "/r/{code}", "429"),
        ("post", "/s/{hall_code}", "429"),
        ("get", "/track/{tracking_no}", "429"),
        ("post", "/console/login", "429"),
    ):
        assert status in paths[path][method]["responses"], (method, path, status)
    for method, path in (("get", "/api/v1/admin/halls"), ("get", "/r/{code}"), ("get", "/console/dashboard")):
        assert not {"409", "413", "429"} & set(paths[path][method]["responses"]), (method, path)
    assert "409" not in paths["/api/v1/device/ratings"]["post"]["responses"]  # a duplicate is a result, not a 409


def test_files_and_pages_are_documented_in_the_media_types_they_come_in(doc: dict[str, Any]):
    for method, path, op in operations(doc):
        ok = op["responses"].get("200", {})
        if path.endswith(".csv"):
            assert media(ok) == {CSV}, path
        elif path.endswith(".svg"):
            assert media(ok) == {"image/svg+xml"}, path
        elif path.startswith("/console") and method == "get" and "200" in op["responses"]:
            assert media(ok) == {HTML}, path
        errors = [op["responses"][s] for s in ("400", "403", "404") if s in op["responses"]]
        if path.startswith("/console"):  # the console answers its errors as pages
            assert all(media(e) == {HTML} for e in errors), path
        elif path.startswith(("/r/{", "/s/{", "/f/", "/track/", "/outreach/")) and not path.endswith(".svg"):
            assert all(media(e) == {HTML, JSON} for e in errors), path  # pages, or JSON when asked
        elif path.startswith("/api/"):
            assert all(media(e) == {JSON} for e in errors), path
    paths = doc["paths"]
    assert media(paths["/outreach/{quarter}"]["get"]["responses"]["200"]) == {HTML, CSV}
    for method, path in (("post", "/r/{code}"), ("post", "/s/{hall_code}"), ("get", "/track/{tracking_no}")):
        answer = paths[path][method]["responses"]["200"]["content"]
        assert set(answer) == {HTML, JSON} and "$ref" in answer[JSON]["schema"], path  # the JSON twin has a shape
    assert set(paths["/s/{hall_code}"]["post"]["requestBody"]["content"]) == {FORM, JSON}
    assert set(paths["/r/{code}"]["post"]["requestBody"]["content"]) == {FORM}
    console_form = paths["/console/admin/halls"]["post"]["requestBody"]["content"][FORM]["schema"]
    form = doc["components"]["schemas"][console_form["$ref"].rsplit("/", 1)[1]]
    assert {"code", "name", "branch", "grade", "csrf"} <= set(form["required"])


def test_the_documented_constraints_are_the_ones_the_app_enforces(doc: dict[str, Any], admin: Api):
    admin.seed_hall("A01", counters=1)
    limits = [(p, op) for m, p, op in operations(doc) if any(q["name"] == "limit" for q in op["parameters"])]
    assert limits
    for path, op in limits:
        assert param(op, "limit")["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}, path
    for limit, status in (("0", 400), ("201", 400), ("x", 400), ("1", 200), ("200", 200)):
        assert admin.get(f"/api/v1/admin/halls?limit={limit}").status == status, limit

    monthly = doc["paths"]["/api/v1/reports/halls/{hall_code}/heatmap"]["get"]
    pattern = re.compile(param(monthly, "month")["schema"]["pattern"])
    for month in ("2026-11", "2026-13", "1999-12", "26-11"):
        documented = pattern.search(month) is not None
        answer = admin.get(f"/api/v1/reports/halls/A01/heatmap?month={month}")
        assert (answer.status == 200) == documented, (month, answer.status)

    ratings = doc["paths"]["/api/v1/ratings"]["get"]
    assert param(ratings, "day")["schema"] == {"type": "string", "format": "date"}
    assert admin.get("/api/v1/ratings?hall=A01&day=2026-11-31").status == 400
    export = doc["paths"]["/api/v1/reports/ratings.csv"]["get"]
    assert {param(export, "from")["schema"]["format"], param(export, "to")["schema"]["format"]} == {"date"}

    quarter = re.compile(param(doc["paths"]["/api/v1/outreach/coverage"]["get"], "quarter")["schema"]["pattern"])
    assert quarter.search("2026Q4") and not quarter.search("2026Q5")
    assert admin.get("/api/v1/outreach/coverage?quarter=2026Q5").status == 400

    user_in = doc["paths"]["/api/v1/admin/users"]["post"]["requestBody"]["content"][JSON]["schema"]
    password = doc["components"]["schemas"][user_in["$ref"].rsplit("/", 1)[1]]["properties"]["password"]
    assert password["minLength"] == 10
    short = {"username": "li.m", "password": "x" * 9, "role": "manager", "halls": ["A01"]}
    refused = admin.post("/api/v1/admin/users", short)
    assert (refused.status, list(refused.json["error"]["fields"])) == (400, ["password"])
