"""Under `make run`, with a proxy between the app and DynamoDB Local that resets about 10 % of
the app's DynamoDB requests, a device posting 500 ratings (and retrying on 503) stores exactly
500: none lost, none doubled, and the tallies equal a recount of the stored ratings. The device
sees only 200 and 503.

The proxy decides per request (seeded, so a run repeats): a doomed request's connection is
reset either before it reaches DynamoDB Local (nothing happened) or after DynamoDB Local has
answered (it happened, the app never hears so). botocore's own retries absorb most resets, so
twice the proxy also resets a run of consecutive requests (a short outage), long enough to spend
botocore's tries: the app must answer 503 with Retry-After, and the device's retry of a batch
that was partly or wholly stored must not count it twice. The pump reads the stream directly.
"""

from __future__ import annotations

import http.client
import json
import random
import select
import socket
import struct
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from chalicelib.domain.business_time import SHANGHAI
from devstack.dynamodb_local import LOCAL_CREDENTIALS, free_port
from tests.integration.stack import RunningStack, start_stack

PASSWORD = "integration-admin-1"
BATCHES, PER_BATCH = 50, 10
RESET_RATE = 0.10
# After this many requests with faults on, reset that many in a row (botocore tries each call 3 times).
OUTAGES = {100: 9, 260: 9}
SEED = 20261201
MAX_TRIES = 40  # per batch; a batch that never gets through fails the test


class ResettingProxy:
    """127.0.0.1:port -> DynamoDB Local; once ``faults`` is set, resets ~``rate`` of the requests.

    One thread per connection relays both directions (select). A request is
    recognised by its request line; for a doomed one the client's connection
    is reset (SO_LINGER 0, so an RST, not a FIN), before the request is passed
    on or on the first bytes of DynamoDB Local's answer, half and half.
    """

    def __init__(self, upstream_port: int, rate: float, seed: int, outages: dict[int, int]) -> None:
        self.upstream_port = upstream_port
        self.rate = rate
        self.outages = outages
        self.outage_left = 0
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.faults = threading.Event()
        self.seen: Counter[str] = Counter()
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self.listener.getsockname()[1]
        self.closed = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.closed = True
        self.listener.close()

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _fate(self) -> str:
        with self.lock:
            self.seen["requests"] += 1
            if not self.faults.is_set():
                return "pass"
            self.seen["requests with faults on"] += 1
            self.outage_left += self.outages.get(self.seen["requests with faults on"], 0)
            if self.outage_left:
                self.outage_left -= 1
                self.seen["in outages"] += 1
            elif self.rng.random() >= self.rate:
                return "pass"
            fate = "reset before" if self.rng.random() < 0.5 else "reset after"
            self.seen[fate] += 1
            return fate

    @staticmethod
    def _reset(sock: socket.socket) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    def _relay(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=5)
        except OSError:  # DynamoDB Local not up yet
            self._reset(client)
            return
        doomed_answer = False
        try:
            while not self.closed:
                readable, _, _ = select.select([client, upstream], [], [], 1.0)
                if client in readable:
                    data = client.recv(65536)
                    if not data:
                        return
                    if data.split(b" ", 1)[0] in (b"POST", b"GET"):
                        fate = self._fate()
                        if fate == "reset before":
                            self._reset(client)
                            return
                        doomed_answer = fate == "reset after"
                    upstream.sendall(data)
                if upstream in readable:
                    data = upstream.recv(65536)
                    if not data:
                        return
                    if doomed_answer:
                        self._reset(client)
                        return
                    client.sendall(data)
        except OSError:
            return
        finally:
            upstream.close()
            if client.fileno() != -1:
                client.close()


def post(port: int, path: str, body: Any, key: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(
            "POST", path, json.dumps(body), {"Content-Type": "application/json", "Authorization": f"Bearer {key}"}
        )
        answer = connection.getresponse()
        raw = answer.read()
        return answer.status, json.loads(raw) if raw else {}, {k.lower(): v for k, v in answer.getheaders()}
    finally:
        connection.close()


def follow_output(stack: RunningStack) -> threading.Thread:
    """Read the stack's output as it comes (hundreds of access-log lines would fill the pipe)."""
    assert stack.process.stdout is not None
    stdout = stack.process.stdout

    def read() -> None:
        for line in stdout:
            stack.output.append(line.rstrip())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


def stop(stack: RunningStack, reader: threading.Thread) -> int:
    stack.process.send_signal(2)  # SIGINT: one Ctrl-C
    code = stack.process.wait(timeout=60)
    reader.join(timeout=10)
    return code


def stored_ratings(db_port: int, hall: str) -> list[dict[str, Any]]:
    """The hall's rating items, read straight from DynamoDB Local (a Scan: test only)."""
    client = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{db_port}", **LOCAL_CREDENTIALS)
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(
        TableName="tingsheng",
        FilterExpression="begins_with(pk, :r) AND hall_code = :h",
        ExpressionAttributeValues={":r": {"S": "RATING#"}, ":h": {"S": hall}},
    ):
        items.extend(page["Items"])
    return items


def test_resets_between_app_and_dynamodb_lose_and_double_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    db_port = free_port()
    proxy = ResettingProxy(db_port, RESET_RATE, SEED, OUTAGES)
    proxy.start()
    stack = start_stack(tmp_path / "data", PASSWORD, db_port=db_port, app_dynamodb_url=proxy.url)
    reader = follow_output(stack)
    rng = random.Random(SEED)
    statuses: Counter[int] = Counter()
    item_statuses: Counter[str] = Counter()
    retries = 0
    waited = 0.0
    try:
        token = stack.call("POST", "/api/v1/auth/login", {"username": "admin", "password": PASSWORD})[1]["token"]
        hall = {"code": "F01", "name": "故障演练厅", "branch": "城东", "grade": "A"}
        assert stack.call("POST", "/api/v1/admin/halls", hall, token)[0] == 201
        assert stack.call("POST", "/api/v1/admin/halls/F01/counters", {"number": 1}, token)[0] == 201
        staff = {"staff_no": "F0001", "name": "王五", "hall_code": "F01"}
        assert stack.call("POST", "/api/v1/admin/staff", staff, token)[0] == 201
        status, device = stack.call("POST", "/api/v1/admin/devices", {"hall_code": "F01", "counter_number": 1}, token)
        assert status == 201

        # 500 presses ten seconds apart, the last a few minutes ago.
        first = datetime.now(UTC) - timedelta(seconds=10 * BATCHES * PER_BATCH + 300)
        sent = [
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "level": rng.choice((5, 5, 5, 4, 4, 3, 2, 1)),
                "staff_no": "F0001",
                "rated_at": (first + timedelta(seconds=10 * i)).isoformat(),
            }
            for i in range(BATCHES * PER_BATCH)
        ]

        proxy.faults.set()
        started = time.monotonic()
        for b in range(BATCHES):
            batch = {"ratings": sent[b * PER_BATCH : (b + 1) * PER_BATCH]}
            for _attempt in range(MAX_TRIES):
                status, answer, headers = post(stack.port, "/api/v1/device/ratings", batch, device["key"])
                statuses[status] += 1
                if status != 503:
                    break
                assert headers.get("retry-after", "").isdigit(), headers
                # The outages are counted in requests, not seconds: the retry needs no wait to get through.
                retries += 1
                waited += float(headers["retry-after"])
            else:
                pytest.fail(f"batch {b} still answered 503 after {MAX_TRIES} tries")
            assert status == 200, (status, answer)
            item_statuses.update(r["status"] for r in answer["results"])
            assert {r["status"] for r in answer["results"]} <= {"created", "duplicate"}, answer
        elapsed = time.monotonic() - started
        proxy.faults.clear()

        with capsys.disabled():
            print(
                f"\nfault proxy: {BATCHES} batches of {PER_BATCH} in {elapsed:.1f} s; device requests "
                f"{sum(statuses.values())} ({dict(statuses)}), retries {retries} "
                f"(Retry-After asked {waited:.0f} s in all); "
                f"items {dict(item_statuses)}; DynamoDB requests through the proxy with faults on "
                f"{proxy.seen['requests with faults on']}, reset before {proxy.seen['reset before']}, "
                f"reset after {proxy.seen['reset after']} ({proxy.seen['in outages']} of them in two outages)"
            )
        assert set(statuses) <= {200, 503}, statuses
        assert statuses[503] > 0, "the outages should have spent botocore's tries"

        # What is stored: every rating once, as sent.
        stored = stored_ratings(db_port, "F01")
        by_id = Counter(item["id"]["S"] for item in stored)
        assert len(stored) == len(sent) == BATCHES * PER_BATCH
        assert set(by_id) == {r["id"] for r in sent} and set(by_id.values()) == {1}
        assert {i["id"]["S"]: int(i["level"]["N"]) for i in stored} == {r["id"]: r["level"] for r in sent}
        assert not any(i.get("misuse", {}).get("BOOL") for i in stored)

        # The tallies (what every report reads) equal a recount of the stored ratings, month by month.
        recount: dict[str, Counter[int]] = {}
        for item in stored:
            month = datetime.fromisoformat(item["rated_at"]["S"]).astimezone(SHANGHAI).strftime("%Y-%m")
            recount.setdefault(month, Counter())[int(item["level"]["N"])] += 1
        for month, levels in recount.items():
            status, report = stack.call("GET", f"/api/v1/reports/hall-monthly?month={month}&hall=F01", token=token)
            assert status == 200, report
            (row,) = report["items"]
            tallied = {n: row[f"n{n}"] for n in range(1, 6)}
            assert tallied == {n: levels[n] for n in range(1, 6)}, (month, tallied, levels)
            assert row["total"] == sum(levels.values())
        assert sum(sum(c.values()) for c in recount.values()) == BATCHES * PER_BATCH
    finally:
        proxy.faults.clear()
        code = stop(stack, reader)
        proxy.close()
    assert code == 0
    assert not any("Traceback" in line for line in stack.output), "\n".join(stack.output[-60:])
