from datetime import UTC, datetime

import pytest

from chalicelib.domain import appeals as rules
from chalicelib.domain.appeals import AppealStatus, Ground
from chalicelib.domain.errors import Conflict, Forbidden
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.domain.stats import StatKey, StatKind, Tally, difference

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
RATING = Rating(
    id="r-00000001",
    channel=Channel.qr,
    hall_code="A01",
    counter_number=2,
    staff_no="A0123",
    level=1,
    rated_at=T0,
    received_at=T0,
)


def test_the_appellant_never_decides_their_own_appeal():
    appeal = rules.lodge(RATING, Ground.malicious, "", "mgr", T0)
    with pytest.raises(Forbidden):
        rules.decide(appeal, True, "", "mgr", T0)
    decided = rules.decide(appeal, True, "", "admin", T0)
    assert (decided.status, decided.decided_by) == (AppealStatus.upheld, "admin")
    with pytest.raises(Conflict):
        rules.decide(decided, False, "", "admin", T0)


def test_a_misuse_press_needs_no_appeal():
    with pytest.raises(Conflict):
        rules.lodge(RATING.model_copy(update={"misuse": True}), Ground.mistaken, "", "mgr", T0)


def test_upholding_moves_the_rating_from_the_scores_to_the_appealed_count():
    delta = difference(RATING, RATING.model_copy(update={"appeal_upheld": True}))
    month = StatKey("A01", "2026-11", StatKind.month, "", 2)
    assert delta[month] == {"n1": -1, "score": -1, "ch_qr": -1, "appealed": 1}
    assert delta[StatKey("A01", "2026-11", StatKind.staff, "A0123", None)] == {"n1": -1, "score": -1}
    assert Tally.of({"n1": 1, "score": 1}) + Tally.of(delta[month]) == Tally(appealed=1)
