"""Surveys behave alike in memory and in DynamoDB: versions, idempotent responses, tallies, invitations."""

import uuid

import pytest

from chalicelib.domain import qrcodes
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.errors import Conflict
from chalicelib.domain.survey_results import add_tallies
from chalicelib.domain.survey_templates import customer_perception
from chalicelib.domain.surveys import Invitation, InvitationUsed, SurveyVersion
from chalicelib.services import surveys
from tests.fakes.clock import FixedClock

ADMIN = UserPrincipal(username="root", role=Role.admin)
KEY = b"k" * 32
MATRIX = {"q1.tangibles": 4, "q1.reliability": 5, "q1.responsiveness": 3, "q1.assurance": 4, "q1.empathy": 5}


@pytest.fixture
def clock():
    return FixedClock()


@pytest.fixture
def published(repos, clock):
    survey = surveys.create_survey(ADMIN, repos.surveys, clock, customer_perception())
    surveys.publish_survey(ADMIN, repos.surveys, clock, survey.id)
    return survey.id


def answer(repos, clock, code, response_id, **answers):
    return surveys.respond(
        repos.surveys,
        repos.limiter,
        clock,
        KEY,
        code=code,
        response_id=response_id,
        version=None,
        answers={**MATRIX, "q3": 9, **answers},
        client="203.0.113.7",
    )


def test_a_publication_freezes_a_version_and_an_edit_makes_the_next(repos, clock, published):
    first = repos.surveys.version(published, 1)
    assert first is not None and [q.id for q in first.questions] == ["q1", "q2", "q3", "q4", "q5"]
    draft = customer_perception().model_copy(update={"title": "第二轮"})
    surveys.edit_survey(ADMIN, repos.surveys, clock, published, draft)
    second = surveys.publish_survey(ADMIN, repos.surveys, clock, published)
    assert second.version == 2 and second.title == "第二轮"
    assert repos.surveys.version(published, 1).title == "客户感知满意度调查"
    assert [v.version for v in repos.surveys.versions(published)] == [1, 2]
    assert [s.id for s in repos.surveys.list_surveys(None, 10).items] == [published]


def test_a_version_number_is_taken_once(repos, clock, published):
    survey = repos.surveys.get(published)
    again = SurveyVersion(**{**repos.surveys.version(published, 1).model_dump(), "title": "抢先"})
    with pytest.raises(Conflict):
        repos.surveys.publish(survey, again, survey)
    assert repos.surveys.version(published, 1).title == "客户感知满意度调查"


def test_the_tallies_equal_a_recount_of_the_stored_responses_after_retries(repos, clock, published):
    halls = ("A01", "B02")
    sent = []
    for i in range(12):
        code = qrcodes.survey_code(KEY, published, halls[i % 2])
        response_id = str(uuid.uuid4())
        level = 1 + i % 5
        sent.append((code, response_id, level))
        answer(repos, clock, code, response_id, q2=level, q4=["long_wait"] if level <= 3 else None)
        clock.advance(seconds=1)
    for code, response_id, level in sent[::3]:  # retried sends: Back, reload, a client's retry
        again = answer(repos, clock, code, response_id, q2=level, q4=["long_wait"] if level <= 3 else None)
        assert again.response_id == response_id
    tallies = repos.surveys.tallies(published, None)
    assert sorted((v, h) for v, h, _ in tallies) == [(1, "A01"), (1, "B02")]
    total = add_tallies(counts for _, _, counts in tallies)
    assert total["responses"] == 12
    assert total == surveys.recount(repos.surveys, published)
    assert len(list(repos.surveys.responses(published, 1))) == 12


def test_an_invitation_answers_once(repos, clock, published):
    invitation = Invitation(
        id=uuid.uuid4().hex, survey_id=published, hall_code="A01", phone_mask="138****0000", sent_at=clock.now()
    )
    repos.surveys.add_invitation(invitation)
    code = qrcodes.invitation_code(KEY, published, "A01", invitation.id)
    first = answer(repos, clock, code, str(uuid.uuid4()), q2=5)
    assert first.channel == "sms" and first.invitation is None  # the survey is anonymous
    assert answer(repos, clock, code, first.response_id, q2=5) == first  # a double submit
    with pytest.raises(InvitationUsed):
        answer(repos, clock, code, str(uuid.uuid4()), q2=4)
    assert repos.surveys.invitation(invitation.id).used_at is not None
    assert add_tallies(c for _, _, c in repos.surveys.tallies(published, 1))["responses"] == 1


def test_an_opt_out_is_kept_by_the_numbers_keyed_hash(repos):
    assert not repos.surveys.opted_out("ab" * 32)
    repos.surveys.opt_out("ab" * 32)
    repos.surveys.opt_out("ab" * 32)  # again: the same
    assert repos.surveys.opted_out("ab" * 32) and not repos.surveys.opted_out("cd" * 32)


def test_an_edit_from_a_stale_read_is_refused_and_changes_nothing(repos, clock, published):
    read = repos.surveys.get(published)
    clock.advance(seconds=1)
    surveys.close_survey(ADMIN, repos.surveys, clock, published)
    clock.advance(seconds=1)
    stale = read.model_copy(update={"edited": True, "updated_at": clock.now()})
    with pytest.raises(Conflict):
        repos.surveys.save(stale, read)
    assert repos.surveys.get(published).status == "closed"
