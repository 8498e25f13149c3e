"""Starts `make run`'s process (python -m devstack.run) for a test and stops it with Ctrl-C."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.dynamodb_local import ROOT, free_port

READY = "Tingsheng on http://"


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    port: int
    output: list[str] = field(default_factory=list)
    db_port: str = ""  # DynamoDB Local's, and the data dir: what `make job` needs to reach the stack
    data_dir: str = ""

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url(path), data=data, method=method)  # noqa: S310 (loopback)
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (always http://127.0.0.1)
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    def wait_for_output(self, text: str, timeout: float) -> str:
        """Block until the stack prints a line containing ``text`` (no polling); the line."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self.process.stdout], [], [], left)
            if not ready:
                break
            line = self.process.stdout.readline()
            if not line:
                break
            self.output.append(line.rstrip())
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} within {timeout} s:\n" + "\n".join(self.output[-30:]))

    def interrupt(self) -> int:
        """One Ctrl-C; returns the exit code once everything has stopped."""
        self.process.send_signal(signal.SIGINT)
        rest, _ = self.process.communicate(timeout=60)
        self.output.extend(rest.splitlines())
        return self.process.returncode


def _ignore_sigint() -> None:
    # What a non-interactive shell does to a job it starts in the background (`make run &`).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_stack(
    data_dir: Path,
    admin_password: str,
    *,
    db_port: int | None = None,
    app_dynamodb_url: str | None = None,
    sigint_ignored: bool = False,
) -> RunningStack:
    """`make run` on free ports. ``db_port``: DynamoDB Local's port (chosen here by default);
    ``app_dynamodb_url``: where the app's DynamoDB requests go (DYNAMODB_APP_URL, e.g. a proxy);
    ``sigint_ignored``: start it with SIGINT ignored, as a script's background job is."""
    port, db_port = free_port(), db_port or free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "DYNAMODB_PORT": str(db_port),
        "TINGSHENG_DATA_DIR": str(data_dir),
        "TINGSHENG_ADMIN_USER": "admin",
        "TINGSHENG_ADMIN_PASSWORD": admin_password,
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("TINGSHENG_TABLE", "TINGSHENG_STAGE", "TINGSHENG_TOKEN_KEY"):
        env.pop(name)
    env.pop("DYNAMODB_APP_URL", None)
    if app_dynamodb_url:
        env["DYNAMODB_APP_URL"] = app_dynamodb_url
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack.run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_ignore_sigint if sigint_ignored else None,
    )
    stack = RunningStack(process, port, db_port=str(db_port), data_dir=str(data_dir))
    assert process.stdout is not None
    for line in process.stdout:  # blocks until the stack says it is ready, or exits
        stack.output.append(line.rstrip())
        if line.startswith(READY):
            return stack
    process.wait()
    raise AssertionError("make run exited before serving:\n" + "\n".join(stack.output))
