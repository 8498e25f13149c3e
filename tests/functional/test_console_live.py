"""The console's live operations: the alerts page with its header badge, acknowledging with a
note (a refused note comes back beside the field), the inbox with its bell, and device health."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib import composition
from chalicelib.domain.alerts import Alert, AlertKind
from chalicelib.domain.inbox import InboxEntry
from tests.functional.test_console import Browser, browser, signed_in  # noqa: F401 (fixtures)
from tests.http import Api

NOW = datetime.now(UTC)


def raise_alert(hall: str = "A01") -> str:
    alert = Alert(
        id="alert-0001",
        kind=AlertKind.negative_spike,
        scope=f"{hall}#3",
        hall_code=hall,
        counter=3,
        raised_at=NOW,
        detail="7 of 18 差评 in 60 min at 3号窗口",
    )
    assert composition.alerts().raise_alert(alert, None)
    return alert.id


def test_an_alert_shows_in_the_badge_and_is_acknowledged_with_a_note(admin: Api, signed_in: Browser):  # noqa: F811
    admin.seed_hall("A01", counters=3)
    raise_alert()
    page = signed_in.get("/console/alerts?hall=A01")
    assert page.status == 200
    assert "预警 (1)" in page.text and "7 of 18 差评 in 60 min at 3号窗口" in page.text and "差评激增" in page.text
    token = signed_in.csrf("/console/alerts?hall=A01")
    refused = signed_in.post("/console/alerts/alert-0001/acknowledge?hall=A01", {"note": " "}, csrf=token)
    assert refused.status == 400 and 'aria-invalid="true"' in refused.text
    done = signed_in.post("/console/alerts/alert-0001/acknowledge?hall=A01", {"note": "已提醒窗口"}, csrf=token)
    assert done.status == 303 and "done=acknowledged" in done.headers["location"]
    shown = signed_in.get("/console/alerts?hall=A01&status=acknowledged")
    assert "已提醒窗口" in shown.text and "已确认" in shown.text
    assert "预警 (1)" in shown.text  # acknowledged, not resolved yet
    assert signed_in.get("/console/alerts?hall=A01&status=late").status == 400


def test_the_bell_counts_unread_notifications_until_read(admin: Api, signed_in: Browser):  # noqa: F811
    entry = InboxEntry(
        username="admin",
        notification_id="note-1",
        kind="alert_silent_device",
        hall_code="A01",
        subject="城东厅: device at 1号窗口 silent",
        body="body",
        created_at=NOW,
    )
    composition.inbox().deliver([entry])
    page = signed_in.get("/console/inbox")
    assert '<b class="badge">1</b>' in page.text and "城东厅: device at 1号窗口 silent" in page.text
    token = signed_in.csrf("/console/inbox")
    assert signed_in.post("/console/inbox/note-1/read", {}, csrf=token).status == 303
    page = signed_in.get("/console/inbox?lang=en")
    assert 'class="badge"' not in page.text and "Mark as read" not in page.text


def test_the_hall_page_shows_each_devices_health(admin: Api, signed_in: Browser):  # noqa: F811
    admin.seed_hall("A01", counters=1)
    admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1})
    page = signed_in.get("/console/admin/halls/A01")
    if page.status == 303:
        page = signed_in.get(page.headers["location"])
    assert "最近在线" in page.text and "失联" in page.text and "从未" in page.text
