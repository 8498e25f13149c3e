"""Under `make run`, a survey goes from draft to results: a QR response, an SMS-invitation response
(used once, then refused), and a form submitted twice that counts once."""

from __future__ import annotations

import json
import queue
import re
import signal
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.integration.stack import RunningStack, start_stack

PASSWORD = "integration-admin-1"
MATRIX = {"q1.tangibles": 4, "q1.reliability": 5, "q1.responsiveness": 3, "q1.assurance": 4, "q1.empathy": 5}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def send(stack: RunningStack, path: str, body: bytes, content_type: str, accept: str) -> tuple[int, bytes, str]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        stack.url(path), data=body, method="POST", headers={"Content-Type": content_type, "Accept": accept}
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.read(), answer.headers.get("Location", "")
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers.get("Location", "")


def lines_of(stack: RunningStack) -> queue.Queue[str]:
    """The stack's output lines as they come (a reader thread: the pipe never fills, nothing polls)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert stack.process.stdout is not None
        for line in stack.process.stdout:
            stack.output.append(line.rstrip())
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def next_line_with(lines: queue.Queue[str], text: str) -> str:
    while True:
        line = lines.get(timeout=20)
        if text in line:
            return line


def answer_json(stack: RunningStack, code: str, response_id: str, **answers: Any) -> tuple[int, Any]:
    body = json.dumps({"response_id": response_id, **MATRIX, "q2": 5, "q3": 9, **answers}).encode()
    status, raw, _ = send(stack, f"/q/{code}", body, "application/json", "application/json")
    return status, json.loads(raw)


def test_a_survey_from_draft_to_results(tmp_path: Path):
    stack = start_stack(tmp_path / "data", PASSWORD)
    lines = lines_of(stack)
    try:
        token = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        hall = {"code": "A01", "name": "城东营业厅", "branch": "城东", "grade": "A"}
        assert stack.call("POST", "/api/v1/admin/halls", hall, token)[0] == 201
        template = stack.call("GET", "/api/v1/surveys/templates/customer-perception", token=token)[1]
        status, survey = stack.call("POST", "/api/v1/surveys", template, token)
        assert (status, survey["status"]) == (201, "draft")
        survey_id = survey["id"]
        assert stack.call("POST", f"/api/v1/surveys/{survey_id}/publish", token=token)[1]["version"] == 1
        (link,) = stack.call("GET", f"/api/v1/surveys/{survey_id}/links", token=token)[1]["items"]
        qr_code = link["url"].rsplit("/q/", 1)[1]

        # A QR response, its retry counting nothing.
        qr_id = str(uuid.uuid4())
        assert answer_json(stack, qr_code, qr_id, q2=2, q4=["long_wait"]) == (200, {"id": qr_id})
        assert answer_json(stack, qr_code, qr_id, q2=2, q4=["long_wait"]) == (200, {"id": qr_id})

        # A form submitted twice (Back, then submit again): one response.
        form = urlencode([*MATRIX.items(), ("q2", "4"), ("q3", "10"), ("response_id", str(uuid.uuid4()))]).encode()
        first = send(stack, f"/q/{qr_code}", form, "application/x-www-form-urlencoded", "text/html")
        again = send(stack, f"/q/{qr_code}", form, "application/x-www-form-urlencoded", "text/html")
        assert first[0] == again[0] == 303 and first[2] == again[2] == f"/q/{qr_code}/thanks"

        # An SMS invitation: the link arrives in the log line (the number masked), answers once.
        sent = stack.call(
            "POST", f"/api/v1/surveys/{survey_id}/invitations", {"hall_code": "A01", "phones": ["13812345678"]}, token
        )
        assert sent == (202, {"sent": 1})
        line = next_line_with(lines, '"message":"sms"')
        assert "13812345678" not in line and "138****5678" in line
        sms_code = re.search(r"/q/([A-Za-z0-9_.-]+)", json.loads(line)["text"]).group(1)
        assert answer_json(stack, sms_code, str(uuid.uuid4()), q2=5)[0] == 200
        status, refused = answer_json(stack, sms_code, str(uuid.uuid4()), q2=4)
        assert (status, refused["error"]["code"]) == (409, "invitation_used")

        status, results = stack.call("GET", f"/api/v1/surveys/{survey_id}/results", token=token)
        assert status == 200 and results["responses"] == 3
        assert results["questions"][1]["counts"] == {"5": 1, "4": 1, "3": 0, "2": 1, "1": 0}
        assert results["questions"][3]["counts"]["long_wait"] == 1
        request = urllib.request.Request(  # noqa: S310 (loopback)
            stack.url(f"/api/v1/reports/survey-responses.csv?survey={survey_id}&lang=en"),
            headers={"Authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            rows = answer.read().decode("utf-8-sig").splitlines()
        assert len(rows) == 4 and sum("sms" in r for r in rows) == 1
    finally:  # one Ctrl-C; the reader sees the rest of the output
        stack.process.send_signal(signal.SIGINT)
        assert stack.process.wait(timeout=60) == 0, "\n".join(stack.output[-30:])
