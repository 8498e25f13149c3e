"""The app answers as its OpenAPI document says: schemathesis (PyPI, 4.x) runs
against `make run`'s stack with the checks not_a_server_error,
status_code_conformance, content_type_conformance and
response_schema_conformance, and any failure fails this test with
schemathesis's report (each failure with a curl line to reproduce it).

The stack gets a hall with a counter, a clerk, a device, a manager, a rating,
a suggestion and, once the pump has made it, a callback task; generated
requests name those half of the time (schemathesis dictionaries), so they
reach real things as well as missing ones. Each run is time-boxed
(``--max-time``, about three minutes in all): fuzzing repeats with new cases
until its box is spent, and a slower machine sends fewer rather than taking
longer. In order:

- a device (its key): the device operations, coverage and fuzzing;
- a manager of the hall (bearer token, and the same token as the console's
  session with the pages' CSRF token, ``schemathesis_hooks``): every
  operation, fuzzing;
- an admin, likewise: every operation's boundaries (the coverage phase), then
  fuzzing and stateful sequences (after the others: it may deactivate the hall);
- last, a spare admin for the operations that end the caller's sessions
  (signing out, changing passwords), which would end the others' runs.

TRACE and QUERY are left out of the coverage phase's unexpected methods: API
Gateway never passes them to the app, and the local server answers them 501.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devstack.dynamodb_local import ROOT
from tests.integration.stack import RunningStack, start_stack

PASSWORD = "integration-admin-1"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
# Operations that end the caller's own sessions: only the spare admin runs them, last.
SESSION_ENDERS = r"^/api/v1/auth/(logout|password)$|^/api/v1/admin/users/\{username\}/password$|^/console/logout$"
ENDERS_ONLY = ("--workers", "2", "--include-path-regex", SESSION_ENDERS)
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
BUDGET = 420  # seconds for all runs (their boxes add up to 180); a hung run fails the test instead of hanging it


@dataclass
class Run:
    name: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    output: str = ""
    returncode: int | None = None
    config: Path | None = None

    @property
    def cases(self) -> str:
        found = re.search(r"([\d,]+) generated", self.output)
        return found.group(1) if found else "?"


class Log:
    """Reads the stack's output while schemathesis runs (a full pipe would stall the server),
    keeping the tracebacks of what went wrong inside and the last lines."""

    def __init__(self, stack: RunningStack) -> None:
        self.stack = stack
        self.tail: deque[str] = deque(maxlen=50)
        self.tracebacks: list[str] = []
        self.task_opened = threading.Event()  # the pump announced a callback task
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.stack.process.stdout is not None
        for line in self.stack.process.stdout:
            self.tail.append(line.rstrip())
            if "callback task opened" in line:
                self.task_opened.set()
            if "Traceback" in line and len(self.tracebacks) < 20:
                self.tracebacks.append(line.rstrip())

    def stop(self) -> int:
        """One Ctrl-C, as `make run` is stopped; the exit code."""
        self.stack.process.send_signal(signal.SIGINT)
        code = self.stack.process.wait(timeout=60)
        self.thread.join(timeout=10)
        return code


def _form(stack: RunningStack, path: str, fields: dict[str, str], accept: str = "application/json") -> tuple[int, str]:
    request = urllib.request.Request(  # noqa: S310 (loopback)
        stack.url(path), data=urllib.parse.urlencode(fields).encode(), method="POST"
    )
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    request.add_header("Accept", accept)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (always http://127.0.0.1)
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def _csrf(stack: RunningStack, token: str) -> str:
    """The CSRF token every console page of this session carries."""
    request = urllib.request.Request(stack.url("/console/callbacks"))  # noqa: S310 (loopback)
    request.add_header("Cookie", f"ts_session={token}")
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (always http://127.0.0.1)
        found = re.search(r'name="csrf" value="([^"]+)"', answer.read().decode())
    assert found, "the console page carries no CSRF token"
    return found.group(1)


def _ok(answer: tuple[int, Any], *expected: int) -> Any:
    status, body = answer
    assert status in expected, (status, body)
    return body


def _login(stack: RunningStack, username: str, password: str) -> str:
    body = _ok(stack.call("POST", "/api/v1/auth/login", {"username": username, "password": password}), 200)
    return str(body["token"])


def _seed(stack: RunningStack, log: Log) -> dict[str, Any]:
    """A hall with real things in it; the identities and the values generated requests may name."""
    admin = _login(stack, "admin", PASSWORD)
    hall = {"code": "A01", "name": "城东营业厅", "branch": "城东分中心", "grade": "A"}
    _ok(stack.call("POST", "/api/v1/admin/halls", hall, admin), 201)
    _ok(stack.call("POST", "/api/v1/admin/halls/A01/counters", {"number": 1}, admin), 201)
    clerk = {"staff_no": "A0123", "name": "张三", "hall_code": "A01"}
    _ok(stack.call("POST", "/api/v1/admin/staff", clerk, admin), 201)
    device = _ok(stack.call("POST", "/api/v1/admin/devices", {"hall_code": "A01", "counter_number": 1}, admin), 201)
    users = {"zhang.m": ("manager", "Lantern-river-42"), "spare.admin": ("admin", "Quiet-harbour-17")}
    for username, (role, password) in users.items():
        user = {"username": username, "password": password, "role": role, "halls": ["A01"]}
        _ok(stack.call("POST", "/api/v1/admin/users", user, admin), 201)
    manager, spare = (_login(stack, name, password) for name, (_, password) in users.items())

    rating_id = str(uuid.uuid4())
    batch = {"ratings": [{"id": rating_id, "level": 4, "staff_no": "A0123", "rated_at": datetime.now(UTC).isoformat()}]}
    _ok(stack.call("POST", "/api/v1/device/ratings", batch, device["key"]), 200)
    codes = _ok(stack.call("GET", "/api/v1/admin/halls/A01/qr-codes", token=admin), 200)
    qr_code = codes["counters"][0]["url"].rsplit("/", 1)[1]
    # A bad rating with a phone: the pump turns it into a callback task.
    status, _ = _form(stack, f"/r/{qr_code}", {"level": "1", "phone": "13800138000", "consent": "on"}, "text/html")
    assert status in (200, 303), status
    status, text = _form(stack, "/s/A01", {"kind": "complaint", "content": "窗口排队时间太长了", "phone": ""})
    assert status == 200, text
    tracking_no = json.loads(text)["tracking_no"]
    suggestion_id = _ok(stack.call("GET", "/api/v1/suggestions?hall=A01", token=admin), 200)["items"][0]["id"]
    assert log.task_opened.wait(timeout=20), "the pump opened no callback task within 20 s"
    task_ids = [t["id"] for t in _ok(stack.call("GET", "/api/v1/callbacks?hall=A01", token=admin), 200)["items"]]
    return {
        "admin": admin,
        "manager": manager,
        "spare": spare,
        "device": device["key"],
        "admin_csrf": _csrf(stack, admin),
        "manager_csrf": _csrf(stack, manager),
        "spare_csrf": _csrf(stack, spare),
        "dictionaries": {
            "halls": ["A01"],
            "codes": [qr_code],
            "staff": ["A0123"],
            "ratings": [rating_id],
            "tracking": [tracking_no],
            "suggestions": [suggestion_id],
            "tasks": task_ids or ["no-task-yet"],
            "users": ["spare.admin"],
        },
    }


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # TOML's basic strings and arrays read JSON's


# Parameters that name a seeded thing half of the time (schemathesis dictionaries).
BINDINGS = {
    "path.hall_code": "halls",
    "query.hall": "halls",
    "body.hall_code": "halls",
    "path.code": "codes",
    "body.staff_no": "staff",
    "path.rating_id": "ratings",
    "path.tracking_no": "tracking",
    "path.suggestion_id": "suggestions",
    "path.task_id": "tasks",
}


def _config(path: Path, dictionaries: dict[str, list[str]], bindings: dict[str, str]) -> Path:
    """A run's configuration: credentials from the environment, generated values sometimes real ones."""
    lines = [
        'hooks = "tests.integration.schemathesis_hooks"',
        "max-redirects = 0",  # a 303 is the answer under test, not the page it leads to
        "",
        "[phases.coverage]",
        'unexpected-methods = ["get", "put", "post", "delete", "options", "patch"]',
        "",
        "[auth.openapi.userToken]",
        'bearer = "${TS_USER}"',
        "[auth.openapi.consoleSession]",
        'api_key = "${TS_USER}"',
        "[auth.openapi.deviceKey]",
        'bearer = "${TS_DEVICE}"',
        "",
    ]
    for name, values in dictionaries.items():
        lines += [f"[dictionaries.{name}]", f"values = {_toml(values)}"]
    lines += ["", "[parameters]"]
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in bindings.items()]
    path.mkdir(exist_ok=True)
    config = path / "schemathesis.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def _run(run: Run, config: Path, url: str, workdir: Path, deadline: float) -> Run:
    config = run.config or config
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # the hooks module
        "TS_USER": "-",
        "TS_DEVICE": "-",
        **run.env,
    }
    command = [str(SCHEMATHESIS), "--no-color", "--config-file", str(config), "run", url, "--checks", CHECKS]
    command += ["--max-failures", "25"]  # a broken document still fails fast, with a report
    started = time.monotonic()
    timeout = max(deadline - started, 1)
    try:
        done = subprocess.run(
            [*command, *run.args],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        run.output, run.returncode = done.stdout + done.stderr, done.returncode
    except subprocess.TimeoutExpired as e:
        partial = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        run.output = f"stopped after {timeout:.0f} s, the test's budget spent\n{partial}"
    run.seconds = time.monotonic() - started
    return run


def test_the_app_answers_every_identity_as_its_openapi_document_says(tmp_path: Path):
    stack = start_stack(tmp_path / "data", PASSWORD)
    log = Log(stack)
    try:
        seeded = _seed(stack, log)
        dictionaries = seeded["dictionaries"]
        admin = {"TS_USER": seeded["admin"], "TS_DEVICE": seeded["device"], "TS_CSRF": seeded["admin_csrf"]}
        config = _config(tmp_path, dictionaries, BINDINGS)
        common = ["--workers", "4", "--exclude-path-regex", SESSION_ENDERS, "--max-examples", "10"]
        runs = [  # the admin may deactivate the hall or counter: after the device and the manager
            Run(
                "device",
                ["--workers", "2", "--include-tag", "device", "--phases", "coverage,fuzzing", "--max-time", "15"],
                {"TS_DEVICE": seeded["device"]},
            ),
            Run(
                "manager",
                [*common, "--phases", "fuzzing", "--max-time", "30"],
                {"TS_USER": seeded["manager"], "TS_CSRF": seeded["manager_csrf"]},
            ),
            Run(
                "admin, every operation's boundaries (coverage)",
                [*common, "--phases", "coverage", "--max-time", "80"],
                admin,
            ),
            Run("admin, fuzzing and stateful", [*common, "--phases", "fuzzing,stateful", "--max-time", "40"], admin),
            Run(
                "sessions ended last",
                [*ENDERS_ONLY, "--phases", "coverage,fuzzing", "--max-time", "15"],
                {"TS_USER": seeded["spare"], "TS_CSRF": seeded["spare_csrf"]},
                # its own name in the admin's password routes, half of the time
                config=_config(tmp_path / "spare", dictionaries, BINDINGS | {"path.username": "users"}),
            ),
        ]
        served = _ok(stack.call("GET", "/api/openapi.json"), 200)["paths"]
        if not any(re.search(SESSION_ENDERS, path) for path in served):
            runs.pop()  # no such operations (yet)
        deadline = time.monotonic() + BUDGET
        for run in runs:
            _run(run, config, stack.url("/api/openapi.json"), tmp_path, deadline)
    finally:
        stopped = log.stop()
    summary = "\n".join(f"{r.name}: {r.cases} test cases in {r.seconds:.0f} s, exit {r.returncode}" for r in runs)
    print(summary)
    failed = [r for r in runs if r.returncode != 0]
    reports = "\n\n".join(f"==== as {r.name} ====\n{r.output}" for r in failed)
    inside = "\n".join(log.tracebacks)
    assert not failed, f"{summary}\n\n{reports}\n==== the stack's tracebacks ====\n{inside}"
    assert stopped == 0, "\n".join(log.tail)
