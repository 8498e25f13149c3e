"""Counter devices under load against `make run`'s stack: ratings/s, batch latency, errors.

Run: .venv/bin/python -m bench.load [--devices 30] [--seconds 25] [--batch 10] [--halls 5]
     .venv/bin/python -m bench.load --url http://127.0.0.1:8000 --password <admin's>

Without ``--url`` it starts its own stack (``python -m devstack.run`` on free
ports, a fresh data directory under a temporary folder, stopped with one
Ctrl-C at the end), so the server runs in its own process as it does under
``make run``. With ``--url`` it uses a running stack and signs in as
``--user``/``--password``. Either way it creates ``--halls`` new halls (six
counters each is a typical hall; ``--halls 1`` puts every device in one hall,
so every batch updates the same monthly tallies) with a counter, a clerk and
a device per simulated device, then every device posts ``--batch`` ratings a
request, back to back, for ``--seconds``, each request on a new connection as
a device waking up would. Each device's presses are ten seconds apart on its
own timeline (never misuse). A 503 counts as an error and the device moves on
to its next batch (no retry), so ratings/s counts only what was stored.

Prints ratings stored per second, the p50/p90/p99/max batch latency and the
errors: non-200 answers by status, connection failures, rejected items.
Latency is measured from the device's side, connection set-up included, for
every answered request (503s too); the machine's CPUs and load average are
printed with it, since figures from a busy machine mean little alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from devstack.dynamodb_local import ROOT, free_port

READY = "Tingsheng on http://"
PASSWORD = "bench-admin-password-1"  # noqa: S105 (the admin of a throwaway stack)


def call(
    base: str, method: str, path: str, body: Any = None, token: str | None = None, timeout: float = 60
) -> tuple[int, Any, dict[str, str]]:
    """One request on a new connection: (status, decoded JSON or None, headers)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)  # noqa: S310 (a local stack)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (a local stack)
            raw = answer.read()
            return answer.status, json.loads(raw) if raw else None, dict(answer.headers)
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        return e.code, decoded, dict(e.headers)


@dataclass
class OwnStack:
    """`make run`'s process on free ports with a fresh data directory."""

    process: subprocess.Popen[str]
    url: str
    data_dir: tempfile.TemporaryDirectory[str]
    problems: list[str] = field(default_factory=list)

    @classmethod
    def start(cls) -> OwnStack:
        port = free_port()
        data_dir = tempfile.TemporaryDirectory(prefix="tingsheng-load-")
        env = {
            **os.environ,
            "PORT": str(port),
            "DYNAMODB_PORT": str(free_port()),
            "TINGSHENG_DATA_DIR": data_dir.name,
            "TINGSHENG_ADMIN_USER": "admin",
            "TINGSHENG_ADMIN_PASSWORD": PASSWORD,
            "PYTHONUNBUFFERED": "1",
        }
        for name in ("TINGSHENG_TABLE", "TINGSHENG_STAGE", "TINGSHENG_TOKEN_KEY", "TINGSHENG_QR_KEY"):
            env.pop(name, None)
        process = subprocess.Popen(
            [sys.executable, "-m", "devstack.run"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        stack = cls(process, f"http://127.0.0.1:{port}", data_dir)
        assert process.stdout is not None
        said = []
        for line in process.stdout:
            said.append(line.rstrip())
            if line.startswith(READY):
                # Keep draining its output (the access log) so the pipe never fills up.
                threading.Thread(target=stack._drain, daemon=True).start()
                return stack
        process.wait()
        data_dir.cleanup()
        raise SystemExit("make run exited before serving:\n" + "\n".join(said))

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "Traceback" in line or "ERROR" in line or '"level":"ERROR"' in line:
                self.problems.append(line.rstrip())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.data_dir.cleanup()


@dataclass
class Device:
    key: str
    staff_no: str
    next_at: datetime
    latencies: list[float] = field(default_factory=list)
    stored: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)

    def batch(self, size: int, rng: random.Random) -> dict[str, Any]:
        presses = []
        for _ in range(size):
            presses.append(
                {
                    "id": str(uuid.uuid4()),
                    "level": rng.choice((5, 5, 5, 5, 4, 4, 3, 2, 1)),
                    "staff_no": self.staff_no,
                    "rated_at": self.next_at.isoformat(),
                }
            )
            self.next_at += timedelta(seconds=10)
        return {"ratings": presses}


def set_up(base: str, user: str, password: str, halls: list[str], devices: int) -> list[Device]:
    status, login, _ = call(base, "POST", "/api/v1/auth/login", {"username": user, "password": password})
    if status != 200:
        raise SystemExit(f"signing in as {user} failed: {status} {login}")
    token = login["token"]
    for hall in halls:
        body = {"code": hall, "name": f"压测营业厅{hall}", "branch": "压测", "grade": "A"}
        status, answer, _ = call(base, "POST", "/api/v1/admin/halls", body, token)
        if status != 201:
            raise SystemExit(f"creating hall {hall} failed: {status} {answer}")
    # A timeline per device, far enough apart never to overlap, inside the accepted week.
    start = datetime.now(UTC) - timedelta(days=6)
    spacing = min(timedelta(hours=4), timedelta(days=6) / devices)
    made = []
    for n in range(1, devices + 1):
        hall = halls[(n - 1) % len(halls)]
        counter = (n - 1) // len(halls) + 1
        call(base, "POST", f"/api/v1/admin/halls/{hall}/counters", {"number": counter}, token)
        staff_no = f"{hall}-{n:03d}"
        staff = {"staff_no": staff_no, "name": "压测员", "hall_code": hall}
        status, answer, _ = call(base, "POST", "/api/v1/admin/staff", staff, token)
        if status != 201:
            raise SystemExit(f"creating clerk {staff_no} failed: {status} {answer}")
        status, device, _ = call(
            base, "POST", "/api/v1/admin/devices", {"hall_code": hall, "counter_number": counter}, token
        )
        if status != 201:
            raise SystemExit(f"creating a device failed: {status} {device}")
        made.append(Device(device["key"], staff_no, start + spacing * (n - 1)))
    return made


def run_device(base: str, device: Device, size: int, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        body = device.batch(size, rng)
        started = time.perf_counter()
        try:
            status, answer, _ = call(base, "POST", "/api/v1/device/ratings", body, device.key)
        except OSError as e:  # refused, reset, timed out
            device.statuses[type(e).__name__] += 1
            time.sleep(0.2)  # a stack that is down is not hammered
            continue
        device.latencies.append(time.perf_counter() - started)
        device.statuses[str(status)] += 1
        if status == 200:
            for result in answer["results"]:
                device.items[result["status"]] += 1
            device.stored += sum(1 for r in answer["results"] if r["status"] == "created")


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1)))]


def report(devices: list[Device], elapsed: float, size: int, halls: int) -> None:
    latencies = sorted(x for d in devices for x in d.latencies)
    statuses: Counter[str] = Counter()
    items: Counter[str] = Counter()
    for d in devices:
        statuses.update(d.statuses)
        items.update(d.items)
    stored = sum(d.stored for d in devices)
    requests = sum(statuses.values())
    errors = {k: v for k, v in statuses.items() if k != "200"}
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    print(f"{len(devices)} devices in {halls} hall(s), {size} ratings a batch, {elapsed:.1f} s")
    print(f"  machine       {os.cpu_count()} CPUs{load}")
    print(f"  requests      {requests} ({requests / elapsed:.1f}/s)")
    print(f"  ratings/s     {stored / elapsed:.0f}   ({stored} stored)")
    if latencies:
        print(
            "  batch ms      "
            f"p50 {percentile(latencies, 50) * 1000:.0f}   p90 {percentile(latencies, 90) * 1000:.0f}   "
            f"p99 {percentile(latencies, 99) * 1000:.0f}   max {latencies[-1] * 1000:.0f}   "
            f"mean {statistics.fmean(latencies) * 1000:.0f}"
        )
    print(f"  errors        {sum(errors.values())} {dict(sorted(errors.items())) or ''}".rstrip())
    not_created = {k: v for k, v in items.items() if k != "created"}
    print(f"  items         {dict(items)}{'  <- not all created' if not_created else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--batch", type=int, default=10, help="ratings a request (1-100)")
    parser.add_argument("--url", help="a running stack; default: start one")
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default=os.environ.get("TINGSHENG_ADMIN_PASSWORD"))
    parser.add_argument("--halls", type=int, default=5, help="halls the devices are spread over")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    run = uuid.uuid4().hex[:3].upper()
    halls = [f"L{run}{h:02d}" for h in range(1, args.halls + 1)]
    own = None
    if args.url:
        if not args.password:
            raise SystemExit("--password (or TINGSHENG_ADMIN_PASSWORD) is needed with --url")
        base = args.url.rstrip("/")
    else:
        own = OwnStack.start()
        base = own.url
        args.password = PASSWORD
    try:
        devices = set_up(base, args.user, args.password, halls, args.devices)
        print(f"{base}: halls {', '.join(halls)}, {len(devices)} devices set up; loading for {args.seconds:.0f} s")
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=run_device, args=(base, d, args.batch, deadline, args.seed * 1000 + i))
            for i, d in enumerate(devices)
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        report(devices, time.monotonic() - started, args.batch, len(halls))
    finally:
        if own is not None:
            own.stop()
            for line in own.problems[:20]:
                print("stack:", line)


if __name__ == "__main__":
    main()
