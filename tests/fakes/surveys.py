"""In-memory surveys: like the DynamoDB repository, a response, its tally and its invitation change together."""

from __future__ import annotations

import collections
from collections.abc import Iterator

from chalicelib.domain.errors import Conflict
from chalicelib.domain.paging import Page
from chalicelib.domain.surveys import Invitation, InvitationUsed, Survey, SurveyResponse, SurveyVersion
from tests.fakes.organisation import page_of


class InMemorySurveyRepository:
    def __init__(self) -> None:
        self.surveys: dict[str, Survey] = {}
        self.frozen: dict[tuple[str, int], SurveyVersion] = {}
        # Stored as JSON text, like the DynamoDB items.
        self.stored: dict[tuple[str, str], str] = {}
        self.counts: dict[tuple[str, int, str], collections.Counter[str]] = {}
        self.invitations: dict[str, Invitation] = {}
        self.opted: set[str] = set()

    def add(self, survey: Survey) -> None:
        if survey.id in self.surveys:
            raise Conflict(f"Survey {survey.id} exists already.")
        self.surveys[survey.id] = survey

    def get(self, survey_id: str) -> Survey | None:
        return self.surveys.get(survey_id)

    def _still(self, was: Survey) -> None:
        stored = self.surveys.get(was.id)
        if stored is None or stored.updated_at != was.updated_at:
            raise Conflict(f"Survey {was.id} changed meanwhile: reload it and try again.")

    def save(self, survey: Survey, was: Survey) -> None:
        self._still(was)
        self.surveys[survey.id] = survey

    def publish(self, survey: Survey, version: SurveyVersion, was: Survey) -> None:
        if (survey.id, version.version) in self.frozen:
            raise Conflict(f"Version {version.version} of survey {survey.id} was published meanwhile.")
        self._still(was)
        self.frozen[(survey.id, version.version)] = version
        self.surveys[survey.id] = survey

    def list_surveys(self, cursor: str | None, limit: int) -> Page[Survey]:
        ordered = {f"{s.created_at.isoformat()}#{s.id}": s for s in self.surveys.values()}
        return page_of(ordered, cursor, limit)

    def version(self, survey_id: str, version: int) -> SurveyVersion | None:
        return self.frozen.get((survey_id, version))

    def versions(self, survey_id: str) -> list[SurveyVersion]:
        return [v for (sid, _), v in sorted(self.frozen.items()) if sid == survey_id]

    def respond(self, response: SurveyResponse, increments: collections.Counter[str], invitation: str | None) -> bool:
        key = (response.survey_id, response.response_id)
        if key in self.stored:
            return False
        if invitation is not None:
            found = self.invitations.get(invitation)
            if found is None or found.used_at is not None:
                raise InvitationUsed("This invitation was answered already.")
            self.invitations[invitation] = found.model_copy(update={"used_at": response.submitted_at})
        self.stored[key] = response.model_dump_json()
        self.counts.setdefault(
            (response.survey_id, response.version, response.hall_code), collections.Counter()
        ).update(increments)
        return True

    def response(self, survey_id: str, response_id: str) -> SurveyResponse | None:
        text = self.stored.get((survey_id, response_id))
        return SurveyResponse.model_validate_json(text) if text else None

    def responses(self, survey_id: str, version: int | None) -> Iterator[SurveyResponse]:
        found = [SurveyResponse.model_validate_json(t) for (sid, _), t in self.stored.items() if sid == survey_id]
        found = [r for r in found if version is None or r.version == version]
        return iter(sorted(found, key=lambda r: (r.version, r.submitted_at, r.response_id)))

    def tallies(self, survey_id: str, version: int | None) -> list[tuple[int, str, collections.Counter[str]]]:
        return [
            (v, hall, collections.Counter(counts))
            for (sid, v, hall), counts in sorted(self.counts.items())
            if sid == survey_id and (version is None or v == version)
        ]

    def add_invitation(self, invitation: Invitation) -> None:
        if invitation.id in self.invitations:
            raise Conflict(f"Invitation {invitation.id} exists already.")
        self.invitations[invitation.id] = invitation

    def invitation(self, invitation_id: str) -> Invitation | None:
        return self.invitations.get(invitation_id)

    def opt_out(self, phone_key: str) -> None:
        self.opted.add(phone_key)

    def opted_out(self, phone_key: str) -> bool:
        return phone_key in self.opted


class RecordingSms:
    """The SMS port: what would have been sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.sent.append((phone, text))
