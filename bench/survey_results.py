"""Survey results against DynamoDB Local: the tallies read stays flat from 1 k to 100 k responses.

Run: .venv/bin/python -m bench.survey_results [--sizes 1000 10000 100000] [--repeat 5]

A published 客户感知 survey runs in 20 halls. Responses grow to each size; the
items are the ones the app stores (a response item per response, and per
version and hall the tally its responses added up to), written in bulk so the
seeding does not dominate. For each size it times the results as the app reads
them (``services.surveys.survey_results``: one Query of the survey's tally
items) and, for contrast, a recount from the stored responses (a Query of every
response, what "results never scan responses" rules out). It prints medians
of wall time, round trips and read units, and the ratios to the smallest size.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.reports import ReadMeter
from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.surveys import DynamoSurveyRepository
from chalicelib.adapters.dynamodb.table import Table, to_item
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.ratings import Channel
from chalicelib.domain.survey_results import tally_increments
from chalicelib.domain.survey_templates import customer_perception
from chalicelib.domain.surveys import Questionnaire, SurveyResponse
from chalicelib.services import surveys
from devstack import dynamodb_local, tables

ADMIN = UserPrincipal(username="bench", role=Role.admin)
HALLS = [f"H{i:02d}" for i in range(20)]
ROWS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")


def answers_of(i: int) -> dict[str, Any]:
    overall = (5, 4, 5, 3, 2, 5, 4, 1, 5, 4)[i % 10]
    given: dict[str, Any] = {"q1": {row: 1 + (i + n) % 5 for n, row in enumerate(ROWS)}, "q2": overall, "q3": i % 11}
    if overall <= 3:
        given["q4"] = ("long_wait",)
    return given


def seed(table: Table, survey_id: str, questionnaire: Questionnaire, start: int, count: int) -> None:
    """``count`` more responses, and each hall's tally moved by what they add."""
    added: dict[str, Counter[str]] = {hall: Counter() for hall in HALLS}
    at = datetime(2026, 11, 1, tzinfo=UTC)
    items = []
    for i in range(start, start + count):
        hall, given = HALLS[i % len(HALLS)], answers_of(i)
        response = SurveyResponse(
            survey_id=survey_id,
            response_id=str(uuid.UUID(int=i)),
            version=1,
            hall_code=hall,
            channel=Channel.qr,
            submitted_at=at + timedelta(seconds=i),
            answers={k: list(v) if isinstance(v, tuple) else v for k, v in given.items()},
        )
        pk, sk = keys.survey_response(survey_id, response.response_id)
        gsi1sk = keys.survey_response_order(1, response.submitted_at, response.response_id)
        values = {"pk": pk, "sk": sk, "gsi1pk": keys.survey_responses(survey_id), "gsi1sk": gsi1sk}
        items.append({"PutRequest": {"Item": to_item({**values, "response": response.model_dump_json()})}})
        added[hall].update(tally_increments(questionnaire, given))
    for n in range(0, len(items), 25):
        pending: dict[str, Any] = {table.name: items[n : n + 25]}
        while pending:
            pending = table.client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    for hall, counts in added.items():
        pk, sk = keys.survey_tally(survey_id, 1, hall)
        names = {f"#c{i}": name for i, name in enumerate(sorted(counts))}
        values = {f":c{i}": counts[name] for i, name in enumerate(sorted(counts))}
        table.client.update_item(
            TableName=table.name,
            Key=to_item({"pk": pk, "sk": sk}),
            UpdateExpression="SET #v = :v, #h = :h ADD "
            + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)),
            ExpressionAttributeNames={"#v": "version", "#h": "hall_code", **names},
            ExpressionAttributeValues=to_item({":v": 1, ":h": hall, **values}),
        )


def measure(meter: ReadMeter, read: Callable[[], Any], repeat: int) -> tuple[float, int, float]:
    times, calls, units = [], 0, 0.0
    for _ in range(repeat):
        meter.reset()
        began = time.perf_counter()
        read()
        times.append(time.perf_counter() - began)
        calls, units = sum(meter.calls.values()), meter.units
    return statistics.median(times) * 1000, calls, units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    local = dynamodb_local.start(dynamodb_local.free_port())
    try:
        client = local.client()
        tables.ensure_table(client, "bench")
        table = Table(client, "bench")
        repo = DynamoSurveyRepository(table)
        survey = surveys.create_survey(ADMIN, repo, SystemClock(), customer_perception())
        version = surveys.publish_survey(ADMIN, repo, SystemClock(), survey.id)
        meter = ReadMeter()
        meter.attach(client)
        rows, seeded = [], 0
        head = ("responses", "results ms", "reads", "units", "recount ms", "reads", "units")
        widths = (10, 11, 6, 7, 11, 6, 8)
        print(" ".join(f"{h:>{w}}" for h, w in zip(head, widths, strict=True)))
        for size in sorted(args.sizes):
            seed(table, survey.id, version.questionnaire(), seeded, size - seeded)
            seeded = size

            def read() -> Any:
                return surveys.survey_results(ADMIN, repo, survey.id, None, None)

            results = measure(meter, read, args.repeat)
            recount = measure(meter, lambda: surveys.recount(repo, survey.id), 1)
            rows.append((size, results, recount))
            figures = (size, f"{results[0]:.1f}", results[1], f"{results[2]:.1f}")
            figures += (f"{recount[0]:.1f}", recount[1], f"{recount[2]:.1f}")
            print(" ".join(f"{f!s:>{w}}" for f, w in zip(figures, widths, strict=True)))
        (small, first, first_recount), (large, last, last_recount) = rows[0], rows[-1]
        growth = (last[0] / first[0], last[2] / max(first[2], 0.5))
        recount_growth = (last_recount[0] / first_recount[0], last_recount[2] / max(first_recount[2], 0.5))
        print(f"{large // small}x the responses: results x{growth[0]:.2f} time, x{growth[1]:.2f} read units;")
        print(f"  recount from the responses x{recount_growth[0]:.1f} time, x{recount_growth[1]:.1f} read units")
    finally:
        local.stop()


if __name__ == "__main__":
    main()
