"""Deciding an appeal refuses what is not there, as a Conflict that changes nothing, in memory as on DynamoDB."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain import appeals as rules
from chalicelib.domain.appeals import AppealStatus, Ground
from chalicelib.domain.errors import Conflict
from chalicelib.domain.ratings import Business, Channel, Rating, Reason
from tests.tallies import every_tally

T0 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


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
        rated_at=T0,
        received_at=T0,
    )


def test_deciding_an_appeal_that_was_never_lodged_is_a_conflict(repos):
    appeal = rules.lodge(rating(1), Ground.malicious, "恶意差评", "mgr", T0)
    for upheld, stored in ((False, None), (True, rating(1))):
        if stored is not None:
            repos.ratings.save_batch([stored])
        with pytest.raises(Conflict):
            repos.appeals.decide(rules.decide(appeal, upheld, "", "admin", T0), stored)
        assert repos.appeals.get(appeal.rating_id) is None
    assert not repos.ratings.get_rating(rating(1).id).appeal_upheld


def test_upholding_an_appeal_of_a_rating_that_is_not_stored_is_a_conflict_and_leaves_it_pending(repos):
    appeal = rules.lodge(rating(2), Ground.mistaken, "", "mgr", T0)
    repos.appeals.lodge(appeal)
    with pytest.raises(Conflict):
        repos.appeals.decide(rules.decide(appeal, True, "核实属实", "admin", T0), rating(2))
    assert repos.appeals.get(appeal.rating_id).status is AppealStatus.pending
    assert repos.ratings.get_rating(rating(2).id) is None
    assert every_tally(repos.ratings, "A01", "2026-11") == {}


def test_upholding_against_a_rating_whose_misuse_flag_changed_since_it_was_read_is_a_conflict(repos):
    stored = rating(3)
    repos.ratings.save_batch([stored])
    appeal = rules.lodge(stored, Ground.malicious, "", "mgr", T0)
    repos.appeals.lodge(appeal)
    as_read = stored.model_copy(update={"misuse": True})  # read before a late press turned it back, say
    before = every_tally(repos.ratings, "A01", "2026-11")
    with pytest.raises(Conflict):
        repos.appeals.decide(rules.decide(appeal, True, "", "admin", T0), as_read)
    assert repos.appeals.get(appeal.rating_id).status is AppealStatus.pending
    assert not repos.ratings.get_rating(stored.id).appeal_upheld
    assert every_tally(repos.ratings, "A01", "2026-11") == before
