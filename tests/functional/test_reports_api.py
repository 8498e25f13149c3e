"""Reports over HTTP (moto): CSV downloads, their JSON twins, roles and bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import pytest

from chalicelib import composition
from chalicelib.domain.labels import HEADERS_ZH
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.reports import HALL_COLUMNS, RATING_COLUMNS, STAFF_COLUMNS
from tests.http import Answer, Api

NOV = datetime(2026, 11, 10, 2, tzinfo=UTC)  # 10:00 in Shanghai


def user(admin: Api, username: str, role: str, halls: list[str]) -> Api:
    body = {"username": username, "password": "a-long-password-1", "role": role, "halls": halls}
    assert admin.post("/api/v1/admin/users", body).status == 201
    other = Api(admin.client)
    other.token = other.login(username, "a-long-password-1")
    return other


def table_of(answer: Answer) -> list[list[str]]:
    assert answer.status == 200, answer.raw
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.raw.decode("utf-8")
    assert text.startswith("\ufeff")
    body = text[1:]
    assert body.endswith("\r\n") and "\n" not in body.replace("\r\n", "")
    return list(csv.reader(io.StringIO(body, newline="")))


def rows_of(answer: Answer) -> list[dict[str, str]]:
    header, *rows = table_of(answer)
    return [dict(zip(header, row, strict=True)) for row in rows]


def store(*ratings: Rating) -> None:
    assert set(composition.ratings().save_batch(list(ratings)).values()) == {"created"}


def rating(n: int, **over) -> Rating:
    values = dict(
        id=f"00000000-0000-4000-8000-{n:012d}",
        channel=Channel.device,
        hall_code="A01",
        counter_number=1 + n % 2,
        staff_no="S01",
        level=5,
        rated_at=NOV + timedelta(minutes=n),
        received_at=NOV,
    )
    return Rating(**(values | over))


@pytest.fixture
def seeded(admin: Api) -> Api:
    admin.seed_hall("A01")
    admin.seed_hall("B02")
    for staff_no, hall in (("S01", "A01"), ("S02", "A01"), ("S03", "A01"), ("S09", "B02")):
        body = {"staff_no": staff_no, "name": f"员工{staff_no}", "hall_code": hall}
        assert admin.post("/api/v1/admin/staff", body).status == 201
    store(
        *(rating(i, staff_no="S01") for i in range(30)),
        *(rating(100 + i, staff_no="S02", level=4 if i % 3 else 1) for i in range(30)),
        *(rating(200 + i, staff_no="S03", level=3) for i in range(5)),
        *(rating(300 + i, hall_code="B02", staff_no="S09", level=2) for i in range(3)),
        rating(400, staff_no="S01", misuse=True, level=1),
        rating(
            401,
            staff_no="S03",
            level=2,
            business=Business.invoice,
            reasons=(Reason.long_wait, Reason.attitude),
            comment="=HYPERLINK(1)",
            phone="13812345678",
            channel=Channel.qr,
        ),
    )
    return admin


def test_the_staff_ranking_csv_has_the_chinese_headers_and_flags(seeded: Api):
    answer = seeded.get("/api/v1/reports/staff-monthly.csv?month=2026-11&hall=A01")
    header, *rows = table_of(answer)
    assert header == [HEADERS_ZH[c] for c in STAFF_COLUMNS]
    by_staff = {r[4]: dict(zip(STAFF_COLUMNS, r, strict=True)) for r in rows}
    assert [r[4] for r in rows] == ["S01", "S02", "S03"]
    s01, s02, s03 = by_staff["S01"], by_staff["S02"], by_staff["S03"]
    assert (s01["total"], s01["n5"], s01["rank"], s01["flag"]) == ("30", "30", "1", "奖励")
    assert s01["satisfaction_rate"] == "1.0000"
    assert (s01["name"], s01["hall"], s01["branch"]) == ("员工S01", "A01营业厅", "城东分中心")
    assert (s02["rank"], s02["flag"], s02["n1"], s02["n4"]) == ("2", "奖励", "10", "20")
    assert (s03["total"], s03["rank"], s03["flag"]) == ("6", "", "")  # under 30: listed, unranked
    assert s01["rate_lower_bound"] == "0.8865" and s02["mean_score"] == "3.0000"
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "员工月度排名-2026-11-A01-" in unquote(disposition) and 'filename="staff-monthly-2026-11-A01-' in disposition


def test_english_files_carry_the_keys_and_english_flags(seeded: Api):
    rows = rows_of(seeded.get("/api/v1/reports/staff-monthly.csv?month=2026-11&hall=A01&lang=en"))
    assert list(rows[0]) == list(STAFF_COLUMNS)
    assert [r["flag"] for r in rows] == ["reward", "reward", ""]
    halls = rows_of(seeded.get("/api/v1/reports/hall-monthly.csv?month=2026-11&lang=en"))
    assert list(halls[0]) == list(HALL_COLUMNS)


def test_a_smaller_minimum_from_the_environment_ranks_more_staff(seeded: Api, monkeypatch):
    monkeypatch.setenv("TINGSHENG_MIN_RATINGS", "5")
    composition.settings.cache_clear()
    rows = rows_of(seeded.get("/api/v1/reports/staff-monthly.csv?month=2026-11&hall=A01&lang=en"))
    assert [(r["staff_no"], r["rank"], r["flag"]) for r in rows] == [
        ("S01", "1", "reward"),
        ("S02", "2", "reward"),
        ("S03", "3", "assess"),
    ]
    composition.settings.cache_clear()


def test_the_hall_summary_counts_scored_ratings_per_hall(seeded: Api):
    header, *rows = table_of(seeded.get("/api/v1/reports/hall-monthly.csv?month=2026-11"))
    assert header == [HEADERS_ZH[c] for c in HALL_COLUMNS]
    a01, b02 = (dict(zip(HALL_COLUMNS, r, strict=True)) for r in rows)
    assert (a01["hall_code"], a01["total"], a01["n5"], a01["n4"], a01["n3"], a01["n2"], a01["n1"]) == (
        "A01", "66", "30", "20", "5", "1", "10"
    )  # fmt: skip
    assert (a01["bad_ratings"], a01["satisfaction_rate"]) == ("11", f"{50 / 66:.4f}")
    assert (a01["callbacks_opened"], a01["suggestions"]) == ("0", "0")
    assert (b02["total"], b02["bad_ratings"]) == ("3", "3")


def test_the_ratings_csv_masks_phones_neutralises_formulas_and_labels_in_chinese(seeded: Api):
    answer = seeded.get("/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-11-30&hall=A01")
    header, *rows = table_of(answer)
    assert header == [HEADERS_ZH[c] for c in RATING_COLUMNS]
    assert len(rows) == 30 + 30 + 5 + 2  # misuse presses are part of the record
    last = dict(zip(RATING_COLUMNS, rows[-1], strict=True))
    assert (last["phone"], last["comment"], last["business"], last["channel"]) == (
        "138****5678", "'=HYPERLINK(1)", "发票打印", "扫码"
    )  # fmt: skip
    assert last["reasons"] == "等候时间长、服务态度" and last["level"] == "2"
    assert "13812345678" not in answer.raw.decode()
    en = rows_of(seeded.get("/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-11-30&lang=en"))
    assert list(en[0]) == list(RATING_COLUMNS) and len(en) == 67 + 3
    assert en[-1]["hall_code"] == "B02" and {r["channel"] for r in en} == {"device", "qr"}
    assert (
        'filename="ratings-20261101-20261130-all-'
        in seeded.get("/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-11-30&lang=en").headers[
            "content-disposition"
        ]
    )


def test_more_than_31_days_is_a_400_pointing_to_the_export_job(seeded: Api):
    answer = seeded.get("/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-12-02")
    assert answer.status == 400
    assert "to" in answer.json["error"]["fields"] and "export job" in answer.json["error"]["message"]
    assert seeded.get("/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-12-01").status == 200  # 31 days


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/reports/staff-monthly.csv?month=2026-13", "month"),
        ("/api/v1/reports/staff-monthly.csv", "month"),
        ("/api/v1/reports/staff-monthly?month=202611", "month"),
        ("/api/v1/reports/hall-monthly.csv?month=11-2026", "month"),
        ("/api/v1/reports/hall-monthly?month=2026-11-01", "month"),
        ("/api/v1/reports/halls/A01/heatmap?month=nope", "month"),
        ("/api/v1/reports/halls/A01/breakdown", "month"),
        ("/api/v1/reports/staff-monthly.csv?month=2026-11&scope=company", "scope"),
        ("/api/v1/reports/staff-monthly.csv?month=2026-11&branch=x", "branch"),
        ("/api/v1/reports/staff-monthly.csv?month=2026-11&hall=A%2001", "hall"),
        ("/api/v1/reports/ratings.csv?from=2026-11-31&to=2026-12-01", "from"),
        ("/api/v1/reports/ratings.csv?from=2026-11-01", "to"),
        ("/api/v1/reports/ratings.csv?from=2026-11-02&to=2026-11-01", "to"),
        ("/api/v1/reports/halls/A01/daily?days=0", "days"),
        ("/api/v1/reports/halls/A01/daily?days=ninety", "days"),
        ("/api/v1/reports/halls/A01/daily?days=367", "days"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(seeded: Api, path, field):
    answer = seeded.get(path)
    assert answer.status == 400, answer.raw
    assert field in answer.json["error"]["fields"]


def test_managers_read_their_halls_and_agents_no_reports(seeded: Api):
    manager = user(seeded, "manager-a", "manager", ["A01"])
    rows = rows_of(manager.get("/api/v1/reports/hall-monthly.csv?month=2026-11&lang=en"))
    assert [r["hall_code"] for r in rows] == ["A01"]
    for path in (
        "/api/v1/reports/staff-monthly.csv?month=2026-11&lang=en",
        "/api/v1/reports/ratings.csv?from=2026-11-10&to=2026-11-10&lang=en",
    ):
        assert {r["hall_code"] for r in rows_of(manager.get(path))} == {"A01"}, path
    assert manager.get("/api/v1/reports/hall-monthly.csv?month=2026-11&hall=B02").status == 403
    assert manager.get("/api/v1/reports/halls/B02/daily").status == 403
    assert manager.get("/api/v1/reports/staff-monthly?month=2026-11&scope=branch").status == 403  # B02 is not theirs
    agent = user(seeded, "agent-a", "agent", ["A01"])
    for path in (
        "/api/v1/reports/staff-monthly.csv?month=2026-11",
        "/api/v1/reports/hall-monthly?month=2026-11",
        "/api/v1/reports/ratings.csv?from=2026-11-01&to=2026-11-02",
        "/api/v1/reports/halls/A01/heatmap?month=2026-11",
    ):
        assert agent.get(path).status == 403, path
    assert seeded.get("/api/v1/reports/hall-monthly.csv?month=2026-11", token="").status == 401
    assert seeded.get("/api/v1/reports/halls/Z99/daily").status == 404


def test_the_json_twins_carry_the_same_numbers(seeded: Api):
    staff = seeded.get("/api/v1/reports/staff-monthly?month=2026-11&hall=A01").json
    assert (staff["month"], staff["scope"], staff["min_ratings"]) == ("2026-11", "hall", 30)
    assert [(i["staff_no"], i["rank"], i["flag"], i["eligible"]) for i in staff["items"]] == [
        ("S01", 1, "reward", True),
        ("S02", 2, "reward", True),
        ("S03", None, None, False),
    ]
    branch = seeded.get(f"/api/v1/reports/staff-monthly?month=2026-11&scope=branch&branch={quote('城东分中心')}").json
    assert branch["scope"] == "branch" and [i["staff_no"] for i in branch["items"]] == ["S01", "S02", "S03", "S09"]
    halls = seeded.get("/api/v1/reports/hall-monthly?month=2026-11").json["items"]
    assert [(h["hall_code"], h["total"], h["misuse"], h["bad_ratings"]) for h in halls] == [
        ("A01", 66, 1, 11),
        ("B02", 3, 0, 3),
    ]
    assert halls[0]["satisfaction_rate"] == round(50 / 66, 4)
    heat = seeded.get("/api/v1/reports/halls/A01/heatmap?month=2026-11").json
    assert {(c["weekday"], c["hour"]) for c in heat["cells"]} == {(2, 10), (2, 11), (2, 12), (2, 13), (2, 16)}
    assert sum(c["total"] for c in heat["cells"]) == 66
    parts = seeded.get("/api/v1/reports/halls/A01/breakdown?month=2026-11").json
    assert parts["total"] == 66
    assert parts["business"] == [
        {
            "key": "invoice",
            "label": "发票打印",
            "share": round(1 / 66, 4),
            "total": 1,
            "n5": 0,
            "n4": 0,
            "n3": 0,
            "n2": 1,
            "n1": 0,
            "bad_ratings": 1,
            "satisfaction_rate": 0.0,
            "mean_score": 2.0,
        }
    ]
    assert [(r["key"], r["total"]) for r in parts["reasons"]] == [("attitude", 1), ("long_wait", 1)]


def test_the_daily_series_ends_today_with_every_day(seeded: Api):
    now = composition.clock().now()
    store(rating(900, rated_at=now - timedelta(minutes=1), level=1))
    body = seeded.get("/api/v1/reports/halls/A01/daily?days=90").json
    assert len(body["items"]) == 90 and body["items"][-1]["day"] == body["last_day"]
    assert body["items"][-1]["n1"] >= 1
    assert len(seeded.get("/api/v1/reports/halls/A01/daily").json["items"]) == 90
    assert len(seeded.get("/api/v1/reports/halls/A01/daily?days=7").json["items"]) == 7


def test_the_reports_are_in_the_openapi_document(api: Api):
    doc = api.get("/api/openapi.json").json
    for path in (
        "/api/v1/reports/staff-monthly.csv",
        "/api/v1/reports/hall-monthly",
        "/api/v1/reports/halls/{hall_code}/daily",
        "/api/v1/reports/halls/{hall_code}/heatmap",
    ):
        assert "get" in doc["paths"][path], path
    assert "StaffMonthlyOut" in doc["components"]["schemas"]
