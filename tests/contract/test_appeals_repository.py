from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import appeals as rules
from chalicelib.domain.appeals import AppealStatus, Ground
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from chalicelib.domain.stats import merge
from tests.tallies import every_tally

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


def rating(n: int, level: int = 1) -> Rating:
    return Rating(
        id=f"00000000-0000-4000-8000-{n:012d}",
        channel=Channel.device,
        hall_code="A01",
        counter_number=1,
        staff_no="A0123",
        level=level,
        business=Business.invoice,
        reasons=(Reason.attitude,),
        rated_at=T0 + timedelta(minutes=n),
        received_at=T0,
    )


def nonzero(tallies):
    return {k: +v for k, v in tallies.items() if +v}  # unary + drops zero counts


def test_an_upheld_appeal_takes_the_rating_out_of_every_tally_once(repos):
    batch = [rating(1, level=1), rating(2, level=5), rating(3, level=2)]
    repos.ratings.save_batch(batch)
    appeal = rules.lodge(batch[0], Ground.malicious, "恶意差评", "mgr", T0)
    repos.appeals.lodge(appeal)
    with pytest.raises(Conflict):
        repos.appeals.lodge(appeal)
    repos.appeals.decide(rules.decide(appeal, True, "核实属实", "admin", T0), batch[0])
    stored = repos.ratings.get_rating(batch[0].id)
    assert stored.appeal_upheld
    assert not stored.scored
    expected = merge([stored, batch[1], batch[2]])
    assert nonzero(every_tally(repos.ratings, "A01", "2026-11")) == nonzero(expected)
    with pytest.raises(Conflict):  # decided already: nothing is subtracted twice
        repos.appeals.decide(rules.decide(appeal, True, "", "admin2", T0), batch[0])
    assert nonzero(every_tally(repos.ratings, "A01", "2026-11")) == nonzero(expected)


def test_a_rejected_appeal_changes_no_score_and_lists_by_status(repos):
    batch = [rating(1)]
    repos.ratings.save_batch(batch)
    appeal = rules.lodge(batch[0], Ground.mistaken, "", "mgr", T0)
    repos.appeals.lodge(appeal)
    assert [a.rating_id for a in repos.appeals.list_by_hall("A01", AppealStatus.pending, None, 50).items] == [
        batch[0].id
    ]
    repos.appeals.decide(rules.decide(appeal, False, "证据不足", "admin", T0), None)
    assert repos.appeals.get(batch[0].id).status is AppealStatus.rejected
    assert repos.appeals.list_by_hall("A01", AppealStatus.pending, None, 50).items == []
    assert nonzero(every_tally(repos.ratings, "A01", "2026-11")) == nonzero(merge(batch))
