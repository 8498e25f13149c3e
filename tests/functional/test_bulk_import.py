"""Bulk import (SPEC §4.3): an admin sets a province up from a spreadsheet, through the
API and the console's upload form; a line seen before changes nothing."""

from __future__ import annotations

from tests.functional.test_console import CSRF, Browser, add_user
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

HALLS = (
    "营业厅编码,营业厅名称,分中心,等级\r\n"
    "A01,城东营业厅,城东分中心,A\r\n"
    "A02,城西营业厅,城西分中心,b\r\n"
    "A01,城东营业厅,城东分中心,A\r\n"  # the same line again: counts once
    "A03,城南营业厅,城南分中心,D\r\n"  # no grade D
    "bad code!,某营业厅,城北分中心,C\r\n"
    "A04,只有三列,城北分中心\r\n"
)


def imported(admin: Api, kind: str, sheet: str | bytes) -> dict:
    answer = admin.post(f"/api/v1/admin/import?kind={kind}", sheet, headers={"Content-Type": "text/csv"})
    assert answer.status == 200, answer.raw
    return answer.json


def test_an_admin_imports_good_repeated_and_bad_lines_and_learns_what_became_of_each(admin: Api):
    report = imported(admin, "halls", "\ufeff" + HALLS)
    assert (report["created"], report["updated"], report["unchanged"]) == (2, 0, 1)
    assert [(r["line"], r["field"]) for r in report["rejected"]] == [(5, "grade"), (6, "code"), (7, None)]
    assert "3 cells" in report["rejected"][2]["error"]
    halls = {h["code"]: h for h in admin.get("/api/v1/admin/halls").json["items"]}
    assert set(halls) == {"A01", "A02"}
    assert (halls["A02"]["name"], halls["A02"]["grade"]) == ("城西营业厅", "B")


def test_importing_the_same_sheet_again_changes_nothing_and_logs_nothing(admin: Api):
    imported(admin, "halls", HALLS)
    logged = len(admin.get("/api/v1/admin/audit").json["items"])
    again = imported(admin, "halls", HALLS)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert len(again["rejected"]) == 3
    assert len(admin.get("/api/v1/admin/audit").json["items"]) == logged


def test_a_changed_line_updates_the_record_and_the_log_holds_before_and_after(admin: Api):
    imported(admin, "halls", HALLS)
    report = imported(
        admin, "halls", "code,name,branch,grade\nA01,城东中心营业厅,城东分中心,A\nA02,城西营业厅,城西分中心,B\n"
    )
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 1)
    assert admin.get("/api/v1/admin/halls/A01").json["name"] == "城东中心营业厅"
    (entry,) = admin.get("/api/v1/admin/audit?kind=hall&key=A01").json["items"][:1]
    assert (entry["action"], entry["actor"]) == ("update", ADMIN_USER)
    assert (entry["before"]["name"], entry["after"]["name"]) == ("城东营业厅", "城东中心营业厅")


def test_counters_and_staff_come_after_their_halls_and_a_moved_clerk_is_an_update(admin: Api):
    imported(admin, "halls", HALLS)
    counters = imported(admin, "counters", "营业厅编码\t窗口号\nA01\t1\nA01\t2\nA02\t1\nZ99\t1\nA01\t0\n")  # pasted
    assert (counters["created"], [(r["line"], r["field"]) for r in counters["rejected"]]) == (
        3,
        [(5, "hall_code"), (6, "number")],
    )
    assert [c["number"] for c in admin.get("/api/v1/admin/halls/A01/counters").json["items"]] == [1, 2]
    staff = "工号,姓名,营业厅编码\r\nS001,张三,A01\r\nS002,李四,A01\r\n"
    assert imported(admin, "staff", staff)["created"] == 2
    moved = imported(admin, "staff", staff.replace("S002,李四,A01", "S002,李四,A02"))
    assert (moved["updated"], moved["unchanged"]) == (1, 1)
    assert [s["staff_no"] for s in admin.get("/api/v1/admin/halls/A02/staff").json["items"]] == ["S002"]
    (entry,) = admin.get("/api/v1/admin/audit?kind=staff&key=S002").json["items"][:1]
    assert (entry["before"]["hall_code"], entry["after"]["hall_code"]) == ("A01", "A02")


def test_a_json_body_carries_the_sheet_too_and_the_kind_must_be_known(admin: Api):
    answer = admin.post("/api/v1/admin/import", {"kind": "halls", "csv": HALLS})
    assert (answer.status, answer.json["created"]) == (200, 2)
    for path, body, field in (
        ("/api/v1/admin/import", {"csv": HALLS}, "kind"),
        ("/api/v1/admin/import?kind=rooms", {"csv": HALLS}, "kind"),
        ("/api/v1/admin/import?kind=staff", {"kind": "halls", "csv": HALLS}, "kind"),
        ("/api/v1/admin/import", {"kind": "halls", "csv": "编码,名字\nA01,x\n"}, "header"),
        ("/api/v1/admin/import", {"kind": "halls", "csv": ""}, "file"),
    ):
        refused = admin.post(path, body)
        assert (refused.status, list(refused.json["error"]["fields"])) == (400, [field]), (body, refused.raw)
    not_utf8 = admin.post(
        "/api/v1/admin/import?kind=halls", HALLS.encode("gb18030"), headers={"Content-Type": "text/csv"}
    )
    assert (not_utf8.status, list(not_utf8.json["error"]["fields"])) == (400, ["file"])


def test_a_sheet_over_the_line_limit_is_refused_whole_naming_the_file(admin: Api):
    sheet = "hall_code,number\n" + "A01,1\n" * 5001
    refused = admin.post("/api/v1/admin/import?kind=counters", sheet, headers={"Content-Type": "text/csv"})
    assert (refused.status, list(refused.json["error"]["fields"])) == (413, ["file"])
    huge = admin.post("/api/v1/admin/import?kind=halls", "x" * 300_000, headers={"Content-Type": "text/csv"})
    assert (huge.status, list(huge.json["error"]["fields"])) == (413, ["body"])


def test_a_manager_may_not_import(admin: Api):
    admin.seed_hall("A01", counters=0)
    add_user(admin, "mgr1", "manager", ["A01"])
    manager = Api(admin.client)
    manager.token = manager.login("mgr1", "password-123")
    answer = manager.post("/api/v1/admin/import?kind=halls", HALLS, headers={"Content-Type": "text/csv"})
    assert answer.status == 403
    assert [h["code"] for h in admin.get("/api/v1/admin/halls").json["items"]] == ["A01"]


def test_two_hundred_halls_import_in_one_request_and_again_change_nothing(admin: Api):
    # moto answers a call in ~10 ms under one GIL; bench/imports.py times 1,000 on DynamoDB Local.
    sheet = "code,name,branch,grade\n" + "".join(f"H{i:04d},第{i}营业厅,分中心{i % 20},A\n" for i in range(200))
    report = imported(admin, "halls", sheet)
    assert (report["created"], report["rejected"]) == (200, [])
    again = imported(admin, "halls", sheet)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 200)
    assert len(admin.get("/api/v1/admin/halls?limit=200").json["items"]) == 200


# ---- the console's upload form ------------------------------------------------------
def multipart(fields: dict[str, str], file: bytes, boundary: str = "----tingsheng") -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="halls.csv"\r\n'
    head += "Content-Type: text/csv\r\n\r\n"
    return "".join(parts).encode() + head.encode() + file + f"\r\n--{boundary}--\r\n".encode()


def upload(browser: Browser, fields: dict[str, str], file: bytes) -> str:
    page = browser.get("/console/admin/import")
    assert page.status == 200
    csrf = CSRF.search(page.text)
    assert csrf
    r = browser.client.http.request(
        "POST",
        "/console/admin/import",
        headers={
            "Content-Type": "multipart/form-data; boundary=----tingsheng",
            "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        },
        body=multipart({"csrf": csrf.group(1), **fields}, file),
    )
    assert r.status_code in (200, 400), r.body
    return r.body.decode()


def test_the_console_upload_form_imports_a_file_and_shows_the_report(admin: Api):
    browser = Browser(admin.client)
    assert browser.sign_in(ADMIN_USER, ADMIN_PASSWORD).status == 303
    page = upload(browser, {"kind": "halls", "text": ""}, ("\ufeff" + HALLS).encode())
    assert 'id="report"' in page and "营业厅不存在" not in page
    assert "取值不符合要求" in page and "列数与表头不符" in page
    assert [h["code"] for h in admin.get("/api/v1/admin/halls").json["items"]] == ["A01", "A02"]
    pasted = upload(browser, {"kind": "counters", "text": "营业厅编码\t窗口号\r\nA01\t1\r\nB99\t1"}, b"")
    assert "营业厅不存在" in pasted
    nothing = upload(browser, {"kind": "staff", "text": ""}, b"")
    assert 'role="alert"' in nothing


def test_the_upload_form_refuses_a_missing_csrf_token(admin: Api):
    browser = Browser(admin.client)
    browser.sign_in(ADMIN_USER, ADMIN_PASSWORD)
    r = browser.client.http.request(
        "POST",
        "/console/admin/import",
        headers={
            "Content-Type": "multipart/form-data; boundary=----tingsheng",
            "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        },
        body=multipart({"kind": "halls"}, HALLS.encode()),
    )
    assert r.status_code == 403
    assert admin.get("/api/v1/admin/halls").json["items"] == []
