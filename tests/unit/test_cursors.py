"""List cursors: only the shape this API gives out reaches DynamoDB; anything else is InvalidInput on ``cursor``."""

from __future__ import annotations

import base64
import json

import pytest

from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository
from chalicelib.adapters.dynamodb.outreach import DynamoOutreachRepository
from chalicelib.adapters.dynamodb.suggestions import DynamoSuggestionRepository
from chalicelib.adapters.dynamodb.table import Table, encode_cursor
from chalicelib.adapters.dynamodb.users import DynamoUserRepository
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.suggestions import SuggestionStatus
from tests.unit.scripted_dynamodb import ScriptedClient, refused

HALLS_PAGE_END = {
    "pk": {"S": "HALL#A01"},
    "sk": {"S": "HALL"},
    "gsi1pk": {"S": "HALLS"},
    "gsi1sk": {"S": "A01"},
}


def crafted(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        crafted({"pk": "x"}),  # the cursor from the bug report: plain, and too few keys
        crafted({**HALLS_PAGE_END, "extra": {"S": "x"}}),
        crafted({k: v["S"] for k, v in HALLS_PAGE_END.items()}),  # right names, untyped values
        crafted({**HALLS_PAGE_END, "gsi1sk": {"N": "1"}}),  # every key attribute is a string
        crafted({**HALLS_PAGE_END, "gsi1sk": {"S": ["A01"]}}),
        crafted(["pk", "sk"]),
        crafted("pk"),
        base64.urlsafe_b64encode(b"[" * 100_000).decode(),  # too deep for json
        "not-a-cursor",
    ],
)
def test_a_cursor_we_did_not_give_out_is_invalid_input_before_any_query(cursor):
    client = ScriptedClient()
    with pytest.raises(InvalidInput) as refused_:
        DynamoOrganisationRepository(Table(client, "t")).list_halls(cursor, 10)
    assert refused_.value.fields == {"cursor": "invalid cursor"}
    assert client.calls == []


def test_a_cursor_we_gave_out_starts_the_next_query_where_the_last_stopped():
    client = ScriptedClient({"Items": [], "LastEvaluatedKey": HALLS_PAGE_END}, {"Items": []})
    repo = DynamoOrganisationRepository(Table(client, "t"))
    first = repo.list_halls(None, 1)
    assert first.next == encode_cursor(HALLS_PAGE_END)
    repo.list_halls(first.next, 1)
    assert client.sent("query")[1]["ExclusiveStartKey"] == HALLS_PAGE_END


def test_a_well_formed_cursor_of_another_list_refused_by_dynamodb_stays_invalid_input():
    client = ScriptedClient(refused("ValidationException"))
    with pytest.raises(InvalidInput) as refused_:
        DynamoUserRepository(Table(client, "t")).list_users(encode_cursor(HALLS_PAGE_END), 10)
    assert refused_.value.fields == {"cursor": "invalid cursor"}


def test_a_base_table_list_refuses_an_index_cursor():
    """A hall's outreach events are read from the table itself: its cursor carries pk and sk only."""
    client = ScriptedClient()
    events = DynamoOutreachRepository(Table(client, "t"))
    with pytest.raises(InvalidInput):
        events.list_events("2026Q4", "A01", encode_cursor(HALLS_PAGE_END), 5)
    assert client.calls == []


@pytest.mark.parametrize("cursor", [crafted({"pk": "x"}), crafted({"before": ""}), crafted({"before": 1})])
def test_the_suggestion_list_refuses_any_cursor_but_its_own(cursor):
    client = ScriptedClient()
    with pytest.raises(InvalidInput):
        DynamoSuggestionRepository(Table(client, "t")).list_by_hall("A01", (SuggestionStatus.new,), cursor, 5)
    assert client.calls == []
