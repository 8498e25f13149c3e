"""The deploy template's event filters pass a stream function exactly the records it acts on:
the stream function (chalicelib/events.py, adapters/dynamodb/stream.py ``entity_of``) new
ratings, suggestions and notifications; the export function queued export jobs. Every kind
of item the adapters write is tried, inserted, changed and removed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.stream import entity_of, queued_export
from chalicelib.domain.stats import StatKey, StatKind
from devstack.event_filters import admitted, matches, patterns_of

AT = datetime(2026, 11, 24, 2, tzinfo=UTC)

# One (pk, sk) of every item kind in keys.py.
ITEMS: list[tuple[str, str]] = [
    keys.hall("A01"),
    keys.counter("A01", 1),
    keys.staff("A0123"),
    keys.device("d1"),
    keys.user("mgr"),
    keys.outreach_event("2026Q4", "A01", "2026-11-24", "e1"),
    (keys.month_publications("2026-11"), keys.version_of(1)),
    (keys.month_publications("2026-11"), keys.chunk_of(1, 0)),
    keys.rating("r1"),
    keys.stat(StatKey("A01", "2026-11", StatKind.month, "", 0)),
    keys.press_minute("d1", AT),
    keys.shift_event("A01", 1, AT, "in", "A0123"),
    keys.clerk_place("A0123"),
    keys.rate_window("qr", "1.2.3.4", 0),
    keys.sign_in_failures("mgr", "1.2.3.4"),
    keys.suggestion("s1"),
    keys.tracking_no("TS20261124-7K3M9QXD"),
    keys.tracking_failures("TS20261124-7K3M9QXD", "w"),
    keys.suggestion_box("A01"),
    keys.callback("t1"),
    keys.notification("n1"),
    keys.calendar_day("2026-10-01"),
    keys.appeal("r1"),
    keys.outreach_event_id("e1"),
    keys.export_job("j1"),
]
STATUSES = ["queued", "running", "done", "failed", None]


def records() -> list[dict[str, Any]]:
    found = []
    for pk, sk in ITEMS:
        for status in STATUSES:
            image: dict[str, Any] = {"pk": {"S": pk}, "sk": {"S": sk}, "id": {"S": "x1"}}
            if status is not None:
                image["status"] = {"S": status}
            for event in ("INSERT", "MODIFY"):
                found.append({"eventName": event, "dynamodb": {"NewImage": image, "Keys": {"pk": image["pk"]}}})
            found.append({"eventName": "REMOVE", "dynamodb": {"OldImage": image, "Keys": {"pk": image["pk"]}}})
    return found


@pytest.mark.parametrize("record", records(), ids=lambda r: f"{r['eventName']}-{r['dynamodb'].get('Keys')}")
def test_the_stream_functions_filter_admits_exactly_what_it_acts_on(record: dict[str, Any]):
    assert admitted(patterns_of("table_changes"), record) == (entity_of(record) is not None)


@pytest.mark.parametrize("record", records(), ids=lambda r: f"{r['eventName']}-{r['dynamodb'].get('Keys')}")
def test_the_export_functions_filter_admits_exactly_the_queued_jobs(record: dict[str, Any]):
    assert admitted(patterns_of("export_jobs"), record) == (queued_export(record) is not None)


def test_both_stream_functions_have_a_filter_and_the_others_none():
    assert patterns_of("table_changes") and patterns_of("export_jobs")
    assert patterns_of("callback_clocks") is None


def test_a_pattern_matches_listed_values_only_and_never_a_missing_field():
    pattern = {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"sk": {"S": ["RATING"]}}}}
    assert matches(pattern, {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"S": "RATING"}}}})
    assert not matches(pattern, {"eventName": "MODIFY", "dynamodb": {"NewImage": {"sk": {"S": "RATING"}}}})
    assert not matches(pattern, {"eventName": "INSERT", "dynamodb": {"OldImage": {"sk": {"S": "RATING"}}}})
    assert not matches(pattern, {"eventName": "INSERT", "dynamodb": {"NewImage": {"sk": {"N": "1"}}}})
