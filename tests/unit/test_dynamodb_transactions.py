"""What each repository's transaction means when DynamoDB cancels it, item by item.

A scripted client answers with the cancellation reasons DynamoDB would give
(one per item, in request order); no network, no real waiting.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.adapters.dynamodb.appeals import DynamoAppealRepository
from chalicelib.adapters.dynamodb.callbacks import DynamoCallbackRepository
from chalicelib.adapters.dynamodb.outreach import DynamoOutreachRepository
from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository
from chalicelib.adapters.dynamodb.suggestions import DynamoSuggestionRepository
from chalicelib.adapters.dynamodb.table import Table
from chalicelib.adapters.dynamodb.transactions import RetryPolicy
from chalicelib.domain import appeals, callbacks
from chalicelib.domain.appeals import Ground
from chalicelib.domain.errors import Conflict, StorageBusy
from chalicelib.domain.outreach import OutreachEvent
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.suggestions import Suggestion, SuggestionKind
from chalicelib.domain.workdays import WorkingDays
from tests.unit.scripted_dynamodb import ScriptedClient, cancelled

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
TRIES = 3


def table(client: ScriptedClient) -> Table:
    return Table(client, "t", retry=RetryPolicy(attempts=TRIES, sleep=lambda _: None, jitter=lambda: 0.0))


def rating(n: int) -> Rating:
    return Rating(
        id=f"00000000-0000-4000-8000-{n:012d}",
        channel=Channel.device,
        hall_code="A01",
        counter_number=1,
        staff_no="A0123",
        level=1,
        business=Business.invoice,
        reasons=(Reason.attitude,),
        rated_at=T0 + timedelta(minutes=n),
        received_at=T0,
    )


def suggestion() -> Suggestion:
    return Suggestion(
        id="s001",
        tracking_no="TS20261124-AAAA0001",
        hall_code="A01",
        kind=SuggestionKind.suggestion,
        content="内容",
        created_at=T0,
    )


def put_ids(sent: dict) -> list[str]:
    return [i["Put"]["Item"]["id"]["S"] for i in sent["TransactItems"] if "Put" in i]


def test_a_busy_hall_count_is_storage_busy_never_a_taken_tracking_number():
    """The suggestion's put, the tracking number's put, then the count: only the count conflicts."""
    client = ScriptedClient(*[cancelled("None", "None", "TransactionConflict")] * TRIES)
    with pytest.raises(StorageBusy):
        DynamoSuggestionRepository(table(client)).add(suggestion())
    assert len(client.sent("transact_write_items")) == TRIES


@pytest.mark.parametrize(("position", "named"), [(0, "Suggestion id s001"), (1, "Tracking number TS20261124")])
def test_a_taken_suggestion_id_or_tracking_number_is_a_conflict_naming_it(position, named):
    reasons = ["None", "None", "None"]
    reasons[position] = "ConditionalCheckFailed"
    client = ScriptedClient(cancelled(*reasons))
    with pytest.raises(Conflict, match=named):
        DynamoSuggestionRepository(table(client)).add(suggestion())


def test_ratings_drop_the_duplicates_their_reasons_name_and_write_the_rest():
    batch = [rating(1), rating(2), rating(3)]
    # Three puts, then the tallies they feed; the second rating is stored already.
    first = cancelled("None", "ConditionalCheckFailed", "None", *["None"] * 20)
    client = ScriptedClient(first, {})
    statuses = DynamoRatingRepository(table(client)).save_batch(batch)
    assert statuses == {batch[0].id: "created", batch[1].id: "duplicate", batch[2].id: "created"}
    sent = client.sent("transact_write_items")
    assert [put_ids(s) for s in sent] == [[r.id for r in batch], [batch[0].id, batch[2].id]]


def test_ratings_retry_a_tally_conflict_and_count_nothing_as_duplicate():
    client = ScriptedClient(cancelled("None", *["TransactionConflict"] * 3), {})
    assert DynamoRatingRepository(table(client)).save_batch([rating(1)]) == {rating(1).id: "created"}


def test_ratings_whose_tallies_stay_busy_are_storage_busy():
    client = ScriptedClient(*[cancelled("None", "TransactionConflict")] * TRIES)
    with pytest.raises(StorageBusy):
        DynamoRatingRepository(table(client)).save_batch([rating(1)])


def test_an_outreach_event_retries_its_busy_hall_counter_and_its_taken_id_is_a_conflict():
    event = OutreachEvent(
        event_id="e1",
        quarter="2026Q4",
        hall_code="A01",
        category="community",
        date=date(2026, 11, 3),
        place="幸福社区",
        title="活动",
        created_at=T0,
        created_by="root",
    )
    client = ScriptedClient(cancelled("None", "TransactionConflict", "None"), {})
    DynamoOutreachRepository(table(client)).add_event(event)
    assert len(client.sent("transact_write_items")) == 2
    # Its id guard (the third item) is taken: a retried POST, not a busy counter.
    client = ScriptedClient(cancelled("None", "None", "ConditionalCheckFailed"))
    with pytest.raises(Conflict, match="Event e1 exists already"):
        DynamoOutreachRepository(table(client)).add_event(event)


def test_a_callback_task_exists_only_when_its_own_condition_fails():
    task = callbacks.new_task(
        source_type=callbacks.SourceType.rating,
        source_id="r1",
        hall_code="A01",
        task_type=callbacks.TaskType.bad_rating,
        phone="13812345678",
        created_at=T0,
        clocks=callbacks.Clocks(),
        calendar=WorkingDays(),
    )
    opened = callbacks.tally(task, "opened", T0)
    repo = DynamoCallbackRepository(table(ScriptedClient(cancelled("ConditionalCheckFailed", "None"))))
    assert repo.create(task, opened) is False
    busy = ScriptedClient(*[cancelled("None", "TransactionConflict")] * TRIES)
    with pytest.raises(StorageBusy):
        DynamoCallbackRepository(table(busy)).create(task, opened)


def test_an_upheld_appeal_names_which_condition_failed():
    r = rating(1)
    decided = appeals.decide(appeals.lodge(r, Ground.malicious, "恶意差评", "mgr", T0), True, "属实", "admin", T0)
    client = ScriptedClient(cancelled("None", "ConditionalCheckFailed", "None"))
    with pytest.raises(Conflict, match="left the scores already"):
        DynamoAppealRepository(table(client)).decide(decided, r)
    client = ScriptedClient(cancelled("ConditionalCheckFailed", "None", "None"))
    with pytest.raises(Conflict, match="decided meanwhile"):
        DynamoAppealRepository(table(client)).decide(decided, r)


def test_a_window_tally_expires_a_day_after_its_slot_and_other_tallies_never():
    from collections import Counter
    from datetime import UTC, datetime

    from chalicelib.adapters.dynamodb.tallies import tally_update
    from chalicelib.domain.stats import StatKey, StatKind

    window = tally_update("t", StatKey("A01", "2026-11", StatKind.window, "24-1005", 3), Counter(n1=1))["Update"]
    assert window["UpdateExpression"].endswith("SET expires_at = if_not_exists(expires_at, :expires)")
    slot = datetime(2026, 11, 24, 2, 5, tzinfo=UTC)  # 10:05 in Shanghai
    assert int(window["ExpressionAttributeValues"][":expires"]["N"]) == int(slot.timestamp()) + 86_400
    month = tally_update("t", StatKey("A01", "2026-11", StatKind.month, "", 3), Counter(n1=1))["Update"]
    assert "expires_at" not in month["UpdateExpression"]
