"""docs/device-protocol.md is part of the product: each request it shows is sent to the app, in
order, and the answer must be the one it shows (status, and the body where it shows one)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chalicelib import composition
from tests.fakes.clock import FixedClock
from tests.http import Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "device-protocol.md"
BLOCK = re.compile(r"```http\n(.*?)```", re.S)
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # 18:00 in Shanghai: every example's time is in the window


def exchanges() -> list[tuple[str, str, object, int, object]]:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert blocks and len(blocks) % 2 == 0, "requests and answers come in pairs"
    found = []
    for request, answer in zip(blocks[::2], blocks[1::2], strict=True):
        head, _, body = request.partition("\n")
        method, path = head.split()
        status, _, shown = answer.partition("\n")
        found.append((method, path, json.loads(body) if body.strip() else None, int(status), shown.strip()))
    return found


def test_every_example_answers_as_documented(admin: Api, monkeypatch: pytest.MonkeyPatch):
    admin.seed_hall("A01", counters=1)
    assert admin.post("/api/v1/admin/staff", {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}).status == 201
    device = Api(admin.client)
    device.token = admin.post("/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}).json["key"]
    monkeypatch.setattr(composition, "clock", lambda: FixedClock(NOW))
    sent = exchanges()
    assert [(m, p) for m, p, *_ in sent] == [
        ("PUT", "/api/v1/device/shift"),
        ("POST", "/api/v1/device/ratings"),
        ("POST", "/api/v1/device/unrated"),
        ("POST", "/api/v1/device/heartbeat"),
        ("DELETE", "/api/v1/device/shift"),
    ]
    for method, path, body, status, shown in sent:
        answer = device.request(method, path, body)
        assert answer.status == status, (path, answer.raw)
        if shown:
            assert answer.json == json.loads(str(shown)), path
    stored = composition.ratings().get_rating("0c7d7a3e-5a0b-4a4e-8f69-2b7f1f4e8c21")
    assert stored is not None and stored.staff_no == "A0123"  # the shift covered it
