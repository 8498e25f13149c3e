"""Under `make run`, the pump carries stored ratings through the stream to callback tasks."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

from tests.integration.stack import start_stack

PASSWORD = "integration-admin-1"


def test_a_bad_qr_rating_with_phone_and_consent_becomes_a_task_within_seconds(tmp_path: Path):
    stack = start_stack(tmp_path / "data", PASSWORD)
    try:
        token = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        stack.call(
            "POST", "/api/v1/admin/halls", {"code": "A01", "name": "城东营业厅", "branch": "城东", "grade": "A"}, token
        )
        stack.call("POST", "/api/v1/admin/halls/A01/counters", {"number": 1}, token)
        url = stack.call("GET", "/api/v1/admin/halls/A01/qr-codes", token=token)[1]["counters"][0]["url"]
        form = urllib.request.Request(  # noqa: S310 (loopback)
            url,
            data=b"level=1&phone=13812345678&consent=1&reasons=attitude",
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
        )
        started = time.monotonic()
        with urllib.request.urlopen(form, timeout=30) as answer:  # noqa: S310 (loopback)
            rating_id = json.loads(answer.read())["id"]
        line = stack.wait_for_output("callback task opened", timeout=20)
        elapsed = time.monotonic() - started
        assert f"rating-{rating_id}" in line
        status, queue = stack.call("GET", "/api/v1/callbacks?hall=A01", token=token)
        assert status == 200
        assert [(t["source_id"], t["status"], t["phone"]) for t in queue["items"]] == [
            (rating_id, "open", "13812345678")
        ]
        assert elapsed < 20
    finally:
        assert stack.interrupt() == 0
