"""Surveys (SPEC §3.1, §4.6): draft, publish, close; links and SMS invitations; responses; results.

Admins draft, publish and close; managers read surveys, links and results of
their halls and invite customers of their halls. A response is checked against
the version its form showed (any published version while the survey is open),
stored with its tally in one transaction, and a second send of the same
``response_id`` answers the first. Results add tallies, never responses.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import qrcodes
from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from chalicelib.domain.organisation import Hall
from chalicelib.domain.paging import MAX_PAGE_SIZE, Page
from chalicelib.domain.privacy import mask_phone
from chalicelib.domain.ratings import Channel
from chalicelib.domain.survey_results import Results, add_tallies, results, tally_increments
from chalicelib.domain.surveys import (
    Invitation,
    InvitationUsed,
    Survey,
    SurveyClosed,
    SurveyDraft,
    SurveyResponse,
    SurveyStatus,
    SurveyVersion,
    phone_key,
    read_answers,
)
from chalicelib.services import audit
from chalicelib.services.audit import Auditor
from chalicelib.services.organisation import every_hall, existing_hall
from chalicelib.services.ports import Clock, OrganisationRepository, RateLimiter, SmsSender, SurveyRepository

# A household answering from one network, not a flood (like the suggestion box).
PER_CLIENT = 20
CLIENT_WINDOW_SECONDS = 600
MAX_PHONES = 500


def require_reader(actor: UserPrincipal) -> None:
    actor.require_role(Role.admin, Role.manager)


def _found(repo: SurveyRepository, survey_id: str) -> Survey:
    survey = repo.get(survey_id)
    if survey is None:
        raise NotFound(f"No survey {survey_id}.")
    return survey


def create_survey(actor: UserPrincipal, repo: SurveyRepository, clock: Clock, draft: SurveyDraft) -> Survey:
    actor.require_admin()
    now = clock.now()
    survey = Survey(id=uuid.uuid4().hex, draft=draft, created_at=now, created_by=actor.username, updated_at=now)
    repo.add(survey)
    return survey


def edit_survey(
    actor: UserPrincipal, repo: SurveyRepository, clock: Clock, survey_id: str, draft: SurveyDraft
) -> Survey:
    """Replace the draft; after a publication the edit is the next version's draft."""
    actor.require_admin()
    was = _found(repo, survey_id)
    survey = was.model_copy(update={"draft": draft, "edited": True, "updated_at": clock.now()})
    repo.save(survey, was)
    return survey


def publish_survey(
    actor: UserPrincipal, repo: SurveyRepository, clock: Clock, survey_id: str, auditor: Auditor | None = None
) -> SurveyVersion:
    """Freeze the draft's questions as the next version; the survey takes responses (again)."""
    actor.require_admin()
    survey = _found(repo, survey_id)
    if not survey.edited and survey.status is SurveyStatus.published:
        raise Conflict(f"Nothing changed since version {survey.version}.")
    now = clock.now()
    number = survey.version + 1 if survey.edited else survey.version
    version = SurveyVersion(
        survey_id=survey.id,
        version=number,
        title=survey.draft.title,
        intro=survey.draft.intro,
        questions=survey.draft.questions,
        published_at=now,
        published_by=actor.username,
    )
    published = survey.model_copy(
        update={"status": SurveyStatus.published, "version": number, "edited": False, "updated_at": now}
    )
    if survey.edited:
        repo.publish(published, version, survey)
    else:  # a closed survey opened again on its latest version
        repo.save(published, survey)
        version = repo.version(survey.id, number) or version
    logged = {"version": number, "title": version.title, "status": published.status.value}
    audit.record(auditor, actor.username, Action.publish, RecordKind.survey, survey.id, after=logged)
    return version


def close_survey(
    actor: UserPrincipal, repo: SurveyRepository, clock: Clock, survey_id: str, auditor: Auditor | None = None
) -> Survey:
    actor.require_admin()
    survey = _found(repo, survey_id)
    if survey.status is not SurveyStatus.published:
        raise Conflict("Only a published survey can be closed.")
    closed = survey.model_copy(update={"status": SurveyStatus.closed, "updated_at": clock.now()})
    repo.save(closed, survey)
    audit.record(
        auditor,
        actor.username,
        Action.update,
        RecordKind.survey,
        survey.id,
        before={"status": survey.status.value},
        after={"status": closed.status.value},
    )
    return closed


def get_survey(actor: UserPrincipal, repo: SurveyRepository, survey_id: str) -> tuple[Survey, list[SurveyVersion]]:
    require_reader(actor)
    survey = _found(repo, survey_id)
    return survey, repo.versions(survey_id)


def list_surveys(actor: UserPrincipal, repo: SurveyRepository, cursor: str | None, limit: int) -> Page[Survey]:
    require_reader(actor)
    return repo.list_surveys(cursor, limit)


# ----- distribution -----


@dataclass(frozen=True)
class HallLink:
    hall_code: str
    url: str
    svg_url: str


def survey_halls(actor: UserPrincipal, org: OrganisationRepository, survey: Survey) -> list[Hall]:
    """The active halls the survey runs in that the actor may see."""
    if survey.draft.halls is None:
        halls: Iterable[Hall] = every_hall(org)
    else:
        halls = [h for code in survey.draft.halls if (h := org.get_hall(code)) is not None]
    return [h for h in halls if h.active and actor.can_see_hall(h.code)]


def hall_links(
    actor: UserPrincipal, repo: SurveyRepository, org: OrganisationRepository, key: bytes, survey_id: str, base_url: str
) -> list[HallLink]:
    require_reader(actor)
    survey = _found(repo, survey_id)
    links = []
    for hall in survey_halls(actor, org, survey):
        code = qrcodes.survey_code(key, survey.id, hall.code)
        links.append(HallLink(hall.code, f"{base_url}/q/{code}", f"{base_url}/q/{code}/qr.svg"))
    return links


def invite(
    actor: UserPrincipal,
    repo: SurveyRepository,
    org: OrganisationRepository,
    clock: Clock,
    sms: SmsSender,
    key: bytes,
    *,
    survey_id: str,
    hall_code: str,
    phones: list[str],
    base_url: str,
) -> int:
    """One single-use link per distinct phone, sent by SMS (not to numbers that opted out); the phone is
    kept only as its mask and keyed hash. The number of messages sent."""
    require_reader(actor)
    actor.require_hall(hall_code)
    survey = _found(repo, survey_id)
    existing_hall(org, hall_code)
    if not survey.runs_in(hall_code):
        raise InvalidInput("The survey does not run in that hall.", {"hall_code": "not a hall of the survey"})
    now = clock.now()
    if not survey.is_open(now):
        raise SurveyClosed("The survey takes no responses now.")
    sent = 0
    for phone in dict.fromkeys(phones):
        hashed = phone_key(key, phone)
        if repo.opted_out(hashed):  # 退订: never invited again
            continue
        invitation = Invitation(
            id=uuid.uuid4().hex,
            survey_id=survey.id,
            hall_code=hall_code,
            phone_mask=mask_phone(phone),
            phone_key=hashed,
            sent_at=now,
        )
        repo.add_invitation(invitation)
        code = qrcodes.invitation_code(key, survey.id, hall_code, invitation.id)
        sms.send(phone, f"【厅声】{survey.draft.title}：{base_url}/q/{code} 回复TD退订")
        sent += 1
    return sent


# ----- answering -----


@dataclass(frozen=True)
class Opened:
    """A link opened: the survey, the version to show, the hall, the invitation if any."""

    survey: Survey
    version: SurveyVersion
    hall_code: str
    invitation: str | None


def open_link(repo: SurveyRepository, clock: Clock, key: bytes, code: str, version: int | None = None) -> Opened:
    """What a ``/q/{code}`` shows: NotFound for a forged code or a survey not in that hall,
    SurveyClosed outside its run, InvitationUsed for an invitation answered already."""
    link = qrcodes.parse_survey_code(key, code)
    survey = repo.get(link.survey_id) if link else None
    if link is None or survey is None or survey.version == 0 or not survey.runs_in(link.hall_code):
        raise NotFound("No such survey.")
    if not survey.is_open(clock.now()):
        raise SurveyClosed("This survey is closed.")
    if link.invitation_id is not None:
        invitation = repo.invitation(link.invitation_id)
        if invitation is None:
            raise NotFound("No such survey.")
        if invitation.used_at is not None:
            raise InvitationUsed("This invitation was answered already.")
    number = survey.version if version is None else version
    shown = repo.version(survey.id, number) if 1 <= number <= survey.version else None
    if shown is None:
        raise InvalidInput("Not a published version of this survey.", {"version": "unknown version"})
    return Opened(survey, shown, link.hall_code, link.invitation_id)


def opt_out(repo: SurveyRepository, key: bytes, code: str) -> None:
    """退订 from an SMS invitation's page: its number is never invited again. NotFound for any other code."""
    link = qrcodes.parse_survey_code(key, code)
    invitation = repo.invitation(link.invitation_id) if link and link.invitation_id else None
    if invitation is None or not invitation.phone_key:
        raise NotFound("No such invitation.")
    repo.opt_out(invitation.phone_key)


def response_id_of(raw: Any) -> str:
    try:
        return str(uuid.UUID(str(raw)))
    except ValueError:
        raise InvalidInput("A response needs its response_id (a UUID).", {"response_id": "a UUID"}) from None


def answered(repo: SurveyRepository, key: bytes, code: str, response_id: str) -> SurveyResponse | None:
    """The response stored under this id for the code's survey, if any (a double submit)."""
    link = qrcodes.parse_survey_code(key, code)
    return repo.response(link.survey_id, response_id) if link else None


def respond(
    repo: SurveyRepository,
    limiter: RateLimiter,
    clock: Clock,
    key: bytes,
    *,
    code: str,
    response_id: str,
    version: int | None,
    answers: Mapping[str, Any],
    client: str,
) -> SurveyResponse:
    """Take one response; the same ``response_id`` again answers the first and counts nothing."""
    earlier = answered(repo, key, code, response_id)
    if earlier is not None:
        return earlier
    opened = open_link(repo, clock, key, code, version)
    return respond_opened(repo, limiter, clock, opened, response_id=response_id, answers=answers, client=client)


def respond_opened(
    repo: SurveyRepository,
    limiter: RateLimiter,
    clock: Clock,
    opened: Opened,
    *,
    response_id: str,
    answers: Mapping[str, Any],
    client: str,
) -> SurveyResponse:
    """``respond`` for a link the caller has opened already, having found no answer under
    ``response_id`` (the survey page does both before it shows a screen): nothing read again.
    A response stored meanwhile under the same id is still caught by the store's condition."""
    now = clock.now()
    if not limiter.allow("survey-client", client, PER_CLIENT, CLIENT_WINDOW_SECONDS, now):
        raise TooManyRequests(
            "Too many responses from this network: please try again later.",
            retry_after=CLIENT_WINDOW_SECONDS - int(now.timestamp()) % CLIENT_WINDOW_SECONDS,
        )
    questionnaire = opened.version.questionnaire()
    read = read_answers(questionnaire, answers)
    response = SurveyResponse(
        survey_id=opened.survey.id,
        response_id=response_id,
        version=opened.version.version,
        hall_code=opened.hall_code,
        channel=Channel.sms if opened.invitation else Channel.qr,
        submitted_at=now,
        answers={k: list(v) if isinstance(v, tuple) else v for k, v in read.items()},
        # Anonymous: nothing that leads to a person (the invitation knows a phone's mask).
        invitation=None if opened.survey.draft.anonymous else opened.invitation,
    )
    if repo.respond(response, tally_increments(questionnaire, read), opened.invitation):
        return response
    return repo.response(response.survey_id, response_id) or response


# ----- results -----


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    version: SurveyVersion
    results: Results


def survey_results(
    actor: UserPrincipal, repo: SurveyRepository, survey_id: str, version: int | None, hall: str | None
) -> SurveyResults:
    """Results of one version (or every version, on the latest questions), of one hall or of all
    the actor's halls: added tallies, one Query, never a response."""
    require_reader(actor)
    if hall is not None:
        actor.require_hall(hall)
    survey = _found(repo, survey_id)
    number = version or survey.version
    questions = repo.version(survey_id, number) if number else None
    if questions is None:
        raise NotFound(f"Survey {survey_id} has no version {number}.", {"version": "unknown version"})
    tallies = [
        counts
        for _, hall_code, counts in repo.tallies(survey_id, version)
        if (hall is None or hall_code == hall) and actor.can_see_hall(hall_code)
    ]
    return SurveyResults(survey, questions, results(questions.questionnaire(), add_tallies(tallies)))


def recount(repo: SurveyRepository, survey_id: str) -> Counter[str]:
    """The tallies recounted from the stored responses (a check for tests and audits; reads them all)."""
    total: Counter[str] = Counter()
    questionnaires = {v.version: v.questionnaire() for v in repo.versions(survey_id)}
    for response in repo.responses(survey_id, None):
        questionnaire = questionnaires.get(response.version)
        if questionnaire is None:
            continue
        answers = {k: tuple(v) if isinstance(v, list) else v for k, v in response.answers.items()}
        total.update(tally_increments(questionnaire, answers))
    return total


@dataclass(frozen=True)
class HallSurvey:
    title: str
    link: HallLink


def open_surveys_of_hall(
    actor: UserPrincipal, repo: SurveyRepository, clock: Clock, key: bytes, hall_code: str, base_url: str
) -> list[HallSurvey]:
    """The surveys taking responses in a hall, with its link: the cards of its QR print sheet."""
    if actor.role not in (Role.admin, Role.manager) or not actor.can_see_hall(hall_code):
        return []
    now, found, cursor = clock.now(), [], None
    while True:
        page = repo.list_surveys(cursor, MAX_PAGE_SIZE)
        for survey in page.items:
            if survey.is_open(now) and survey.runs_in(hall_code):
                code = qrcodes.survey_code(key, survey.id, hall_code)
                link = HallLink(hall_code, f"{base_url}/q/{code}", f"{base_url}/q/{code}/qr.svg")
                found.append(HallSurvey(survey.draft.title, link))
        if page.next is None:
            return found
        cursor = page.next
