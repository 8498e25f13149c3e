"""The console's inspection form on a phone's terms (one section per screen, no script), the
inspection and its void, the month's list, the star board with its explanation, publishing and
the rule editor, through chalice.test.Client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.checklists import SERVICE_NORMS
from tests.functional.test_console import Browser, add_user, drop_complaint, open_task_for_latest
from tests.http import ADMIN_PASSWORD, ADMIN_USER, Api

FORM_ID = re.compile(r'name="id" value="([0-9a-f-]{36})"')
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def local_now() -> str:
    return (datetime.now(UTC) - timedelta(minutes=10)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def month() -> str:
    return datetime.now(UTC).astimezone(SHANGHAI).strftime("%Y-%m")


@pytest.fixture
def seeded(admin: Api) -> Api:
    admin.seed_hall("A01", counters=1)
    assert admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}).status == 201
    add_user(admin, "insp1", "inspector", [])
    add_user(admin, "mgr1", "manager", ["A01"])
    return admin


USER_PASSWORD = "password-123"  # add_user's


def signed_in(api: Api, name: str, password: str = USER_PASSWORD) -> Browser:
    browser = Browser(api.client)
    assert browser.sign_in(name, password).status == 303
    return browser


def carried(page: str) -> dict[str, str]:
    """The hidden fields a screen carries on (what a browser would send back)."""
    return {k: v.replace("&amp;", "&") for k, v in HIDDEN.findall(page) if k != "csrf"}


def first_screen(page: str, mode: str) -> dict[str, str]:
    found = FORM_ID.search(page)
    assert found
    return {
        "id": found.group(1),
        "step": "-1",
        "hall_code": "A01",
        "counter": "1",
        "staff_no": "A0123",
        "mode": mode,
        "inspected_at": local_now(),
        "checklist": "service-norms",
        "go": "next",
    }


def walk(inspector: Browser, answers: dict[str, tuple[str, str]]) -> tuple[Browser, str]:
    """Fill the first screen, then every section screen with ``answers`` (item -> (pass|fail, note))."""
    start = inspector.get("/console/inspections/new")
    assert start.status == 200 and 'type="datetime-local"' in start.text
    csrf = inspector.csrf("/console/inspections")
    header = first_screen(start.text, mode="undercover")
    page = inspector.post("/console/inspections/new", header, csrf)
    for index, section in enumerate(SERVICE_NORMS.sections):
        assert page.status == 200, page.text[:500]
        assert f"{index + 1} / 6" in page.text and section.name in page.text
        form = carried(page.text)
        for item in section.items:
            if item.key in answers:
                form[f"f.{item.key}"], form[f"n.{item.key}"] = answers[item.key]
        form["go"] = "next" if index < 5 else "submit"
        page = inspector.post("/console/inspections/new", form, csrf)
    return inspector, page


def test_an_inspector_records_an_undercover_inspection_one_section_a_screen(seeded: Api):
    inspector = signed_in(seeded, "insp1")
    assert inspector.get("/console").headers["location"].startswith("/console/inspections")
    nav = inspector.get("/console/inspections").text
    assert "/console/callbacks" not in nav and "/console/dashboard" not in nav  # nothing else to see
    _, refused = walk(inspector, {"g1_stand_up": ("fail", ""), "c1_announce": ("pass", "")})
    assert refused.status == 400 and "不合格项请写明情况。" in refused.text and "1 / 6" in refused.text
    _, done = walk(inspector, {"g1_stand_up": ("fail", "未起身相迎"), "c1_announce": ("pass", "")})
    assert done.status == 303
    page = inspector.get(done.headers["location"])
    assert "55.56" in page.text and "未起身相迎" in page.text and "唱收唱付" in page.text
    listed = inspector.get(f"/console/inspections?month={month()}").text
    assert listed.count("/console/inspections/") >= 2 and "暗访" in listed

    voided = inspector.post(
        done.headers["location"].split("?")[0] + "/void", {"reason": "录错窗口"}, inspector.csrf("/console/inspections")
    )
    assert voided.status == 303
    assert "作废" in inspector.get(voided.headers["location"]).text


def test_back_keeps_the_answers_and_the_same_form_records_once(seeded: Api):
    inspector = signed_in(seeded, "insp1")
    csrf = inspector.csrf("/console/inspections")
    start = inspector.get("/console/inspections/new").text
    header = first_screen(start, mode="open")
    first = inspector.post("/console/inspections/new", header, csrf)
    answered = dict(carried(first.text), **{"f.g1_stand_up": "pass", "go": "next"})
    second = inspector.post("/console/inspections/new", answered, csrf)
    assert "2 / 6" in second.text and 'name="f.g1_stand_up" value="pass"' in second.text  # carried on
    back = inspector.post("/console/inspections/new", dict(carried(second.text), go="back"), csrf)
    assert "1 / 6" in back.text and 'value="pass" checked' in back.text
    start_again = inspector.post(
        "/console/inspections/new", {**carried(back.text), "f.g1_stand_up": "pass", "go": "back", "step": "0"}, csrf
    )
    assert 'name="hall_code" required value="A01"' in start_again.text  # the first screen, as typed
    assert carried(start_again.text)["f.g1_stand_up"] == "pass"  # the answers stay with it
    final = dict(carried(second.text), step="5", go="submit")
    once = inspector.post("/console/inspections/new", final, csrf)
    twice = inspector.post("/console/inspections/new", final, csrf)  # Back and submit again
    assert once.status == twice.status == 303 and once.headers["location"] == twice.headers["location"]
    manager = signed_in(seeded, "mgr1")
    rows = manager.get(f"/console/inspections?month={month()}").text
    assert "本月计分检查 <b>1</b>" in rows and "明查 1" in rows  # the hall's month tally
    assert len(re.findall(r'href="/console/inspections/[0-9a-f-]{36}"', rows)) == 1


def test_the_star_board_explains_each_clerk_and_publishing_freezes_it(seeded: Api):
    inspector = signed_in(seeded, "insp1")
    walk(inspector, {"c1_announce": ("pass", ""), "a1_documents": ("pass", "")})
    manager = signed_in(seeded, "mgr1")
    board = manager.get("/console/stars")
    assert board.status == 200 and "A0123" in board.text and "服务之星" in board.text
    assert "本季度未经检查" not in board.text and "业务之星1: 评价数 0 &gt;= 50 ✗" in board.text
    assert 'id="publish"' not in board.text  # managers read; admins publish
    admin = signed_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    rules = admin.get("/console/stars/rules")
    assert rules.status == 200 and 'name="s5_bound"' in rules.text
    form = carried(rules.text)
    form.update({f"s{n}_bound": "0" for n in range(1, 6)} | {f"s{n}_bad": "9" for n in range(1, 6)})
    form.update({f"s{n}_score": "0" for n in range(1, 6)} | {f"b{n}_ratings": "0" for n in range(1, 6)})
    form.update({f"b{n}_score": "0" for n in range(1, 6)} | {"complaint_cap": "2", "uninspected_cap": "3"})
    form["business_sections"] = "acceptance, charging"
    saved = admin.post("/console/stars/rules", form, admin.csrf("/console/stars/rules"))
    assert saved.status == 303 and "第 2 版" in admin.get(saved.headers["location"]).text
    bad = dict(form, s5_bad="99")  # level 5 may not be easier than level 4
    assert admin.post("/console/stars/rules", bad, admin.csrf("/console/stars/rules")).status == 400
    published = admin.post(f"/console/stars/{board_quarter(board.text)}/publish", {}, admin.csrf("/console/stars"))
    assert published.status == 303
    frozen = admin.get(published.headers["location"]).text
    assert "已发布第 1 版" in frozen
    version = admin.get(f"/console/stars?quarter={board_quarter(board.text)}&hall=A01&version=1").text
    assert "★★★★★" in version and "规则第 2 版" in version


def board_quarter(page: str) -> str:
    return re.search(r'name="quarter" value="([0-9]{4}Q[1-4])"', page).group(1)


def test_an_agent_closes_a_complaint_as_verified_against_a_clerk_and_the_board_counts_it(seeded: Api):
    drop_complaint(seeded)
    task_id = open_task_for_latest(seeded)
    admin = signed_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    queue = admin.get("/console/callbacks?hall=A01").text
    assert f'id="verified-{task_id}"' in queue and f'id="vstaff-{task_id}"' in queue
    assert admin.post(f"/console/callbacks/{task_id}/attempts", {"result": "reached", "note": ""}).status == 303
    refused = admin.post(
        f"/console/callbacks/{task_id}/close",
        {"outcome": "resolved_satisfied", "note": "", "verified": "true", "staff_no": ""},
    )
    assert refused.status == 400 and f'id="vstaff-{task_id}"' in refused.text
    closed = admin.post(
        f"/console/callbacks/{task_id}/close",
        {"outcome": "resolved_satisfied", "note": "", "verified": "true", "staff_no": "A0123"},
    )
    assert closed.status == 303
    board = admin.get("/console/stars?hall=A01").text
    assert "服务之星: 属实投诉 1, 最高 2" in board


def test_odd_forms_come_back_refused_never_a_server_error(seeded: Api):
    inspector = signed_in(seeded, "insp1")
    csrf = inspector.csrf("/console/inspections")
    base = first_screen(inspector.get("/console/inspections/new").text, mode="open")
    for odd in (
        {"step": "-100"},
        {"step": "--5"},
        {"step": "999", "go": "back"},
        {"step": "5", "go": "submit", "inspected_at": "2026-13-45T99:99"},
        {"go": "submit"},
        {"checklist": "nope"},
        {"counter": "x"},
    ):
        answer = inspector.post("/console/inspections/new", {**base, **odd}, csrf)
        assert answer.status in (200, 400), (odd, answer.status)
    nothing = inspector.post("/console/inspections/new", {**base, "step": "5", "go": "submit"}, csrf)
    assert nothing.status == 400 and "6 / 6" in nothing.text and 'class="field-error"' in nothing.text
    admin = signed_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    fields = [f"s{n}_{f}" for n in range(1, 6) for f in ("bound", "score", "bad")]
    fields += [f"b{n}_{f}" for n in range(1, 6) for f in ("ratings", "score")]
    form = dict.fromkeys(fields, "1") | {
        "complaint_cap": "2",
        "uninspected_cap": "3",
        "business_sections": "acceptance",
    }
    for odd in ("nan", "1e309", "x", "-1"):
        answer = admin.post("/console/stars/rules", {**form, "s1_bad": odd}, admin.csrf("/console/stars/rules"))
        assert answer.status == 400, (odd, answer.status)
