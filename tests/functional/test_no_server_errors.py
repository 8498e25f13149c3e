"""No input produces a 5xx: every route, fed random bodies, queries and path values."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.http import Api

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)
FIELD_NAMES = [
    "level",
    "ratings",
    "id",
    "rated_at",
    "staff_no",
    "code",
    "name",
    "branch",
    "grade",
    "number",
    "hall_code",
    "counter_number",
    "username",
    "password",
    "role",
    "halls",
    "kind",
    "content",
    "phone",
    "consent",
    "reply",
    "result",
    "outcome",
    "note",
    "quarter",
    "category",
    "date",
    "working",
    "reasons",
]
objects = st.dictionaries(st.sampled_from(FIELD_NAMES), json_values, max_size=8)
bodies = st.one_of(objects.map(json.dumps), json_values.map(json.dumps), st.binary(max_size=40), st.text(max_size=40))
forms = st.lists(st.tuples(st.sampled_from(FIELD_NAMES), st.text(max_size=20)), max_size=6).map(urlencode)
path_values = st.from_regex(r"[A-Za-z0-9_.\-]{1,24}", fullmatch=True) | st.sampled_from(["A01", "2026Q4", "2026Q4.csv"])
queries = st.dictionaries(
    st.sampled_from(
        [
            "hall",
            "status",
            "month",
            "quarter",
            "from",
            "to",
            "lang",
            "cursor",
            "limit",
            "version",
            "phone4",
            "year",
            "scope",
            "branch",
            "days",
            "f",
        ]
    ),
    st.text(max_size=12),
    max_size=4,
)


FORM = "application/x-www-form-urlencoded"


def _routes() -> list[tuple[str, str, bool]]:
    """Every route, and whether it takes a form (else JSON)."""
    from app import app

    return sorted(
        (path, method, FORM in (entry.content_types or []))
        for path, methods in app.routes.items()
        for method, entry in methods.items()
    )


@pytest.fixture
def seeded(admin: Api) -> tuple[Api, list[str]]:
    """A hall with counters, staff and a device, so random requests reach real things too."""
    admin.seed_hall("A01", counters=2)
    admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"})
    device = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["device_id"]
    code = admin.get("/api/v1/admin/halls/A01/qr-codes").json["counters"][0]["url"].rsplit("/", 1)[1]
    return admin, ["A01", "2026Q4", "2026Q4.csv", "2026-11-24", device, code, "rating-x"]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    route=st.sampled_from(_routes()),
    data=st.data(),
    query=queries,
    body=bodies,
    form=forms,
    wrong_type=st.sampled_from([False] * 9 + [True]),
    json_answer=st.booleans(),
)
def test_no_request_gets_a_server_error(seeded, route, data, query, body, form, wrong_type, json_answer):
    admin, known = seeded
    path, method, takes_form = route
    concrete = re.sub(r"{\w+}", lambda _: quote(data.draw(st.sampled_from(known) | path_values), safe=".-_"), path)
    if query:
        concrete += "?" + urlencode(query)
    as_form = takes_form != wrong_type  # now and then the wrong content type
    headers = {"Content-Type": FORM if as_form else "application/json"}
    if json_answer:
        headers["Accept"] = "application/json"
    answer = admin.request(method, concrete, form if as_form else body, headers=headers)
    assert answer.status < 500, (method, concrete, answer.raw[:300])
