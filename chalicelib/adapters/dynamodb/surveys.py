"""Surveys in DynamoDB: the survey and its frozen versions, responses, tallies, invitations.

A response, its version-and-hall tally and (for an SMS link) its invitation
change in one transaction: the response's conditional put (a response_id seen
before writes nothing), an ADD on the tally item, and the invitation's update
on condition it was never used. Results read the tally items only (one Query
per survey), never a response. Questions and answers are kept as JSON text:
they are read whole and never queried inside.
"""

from __future__ import annotations

import collections
from collections.abc import Iterator
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.table import GSI1, Table, to_item
from chalicelib.adapters.dynamodb.transactions import ConditionFailed
from chalicelib.domain.errors import Conflict
from chalicelib.domain.paging import Page
from chalicelib.domain.surveys import Invitation, InvitationUsed, Survey, SurveyResponse, SurveyVersion


def _survey_values(survey: Survey) -> dict[str, Any]:
    pk, sk = keys.survey(survey.id)
    return {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.ALL_SURVEYS,
        "gsi1sk": f"{keys.instant(survey.created_at)}#{survey.id}",
        "survey": survey.model_dump_json(),
        "updated": keys.instant(survey.updated_at),
    }


def _still(was: Survey) -> dict[str, Any]:
    """The condition that the stored survey is the one read: its last change's time is unchanged."""
    return {
        "ConditionExpression": "updated = :was",
        "ExpressionAttributeValues": to_item({":was": keys.instant(was.updated_at)}),
    }


def _survey(item: dict[str, Any]) -> Survey:
    return Survey.model_validate_json(item["survey"])


def _version(item: dict[str, Any]) -> SurveyVersion:
    return SurveyVersion.model_validate_json(item["version_doc"])


def _response(item: dict[str, Any]) -> SurveyResponse:
    return SurveyResponse.model_validate_json(item["response"])


_NOT_STORED = "attribute_not_exists(pk)"


def _changed(survey_id: str) -> Conflict:
    return Conflict(
        f"Survey {survey_id} changed meanwhile: reload it and try again."
    )  # (pk, sk) is the key: no item with this pk means none with this key


class DynamoSurveyRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, survey: Survey) -> None:
        self.table.put_new(_survey_values(survey), f"Survey {survey.id}")

    def get(self, survey_id: str) -> Survey | None:
        item = self.table.get(*keys.survey(survey_id))
        return _survey(item) if item else None

    def save(self, survey: Survey, was: Survey) -> None:
        put = {"TableName": self.table.name, "Item": to_item(_survey_values(survey)), **_still(was)}
        self.table.transact([{"Put": put}], refusals={0: _changed(survey.id)})

    def publish(self, survey: Survey, version: SurveyVersion, was: Survey) -> None:
        pk, sk = keys.survey_version(survey.id, version.version)
        put_version = {
            "TableName": self.table.name,
            "Item": to_item({"pk": pk, "sk": sk, "version_doc": version.model_dump_json()}),
            # A version is written once: two publications racing for the same number, one wins.
            "ConditionExpression": _NOT_STORED,
        }
        put_survey = {"TableName": self.table.name, "Item": to_item(_survey_values(survey)), **_still(was)}
        self.table.transact(
            [{"Put": put_version}, {"Put": put_survey}],
            refusals={
                0: Conflict(f"Version {version.version} of survey {survey.id} was published meanwhile."),
                1: _changed(survey.id),
            },
        )

    def list_surveys(self, cursor: str | None, limit: int) -> Page[Survey]:
        return self.table.query_page(
            _survey,
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.ALL_SURVEYS}),
        )

    def version(self, survey_id: str, version: int) -> SurveyVersion | None:
        item = self.table.get(*keys.survey_version(survey_id, version))
        return _version(item) if item else None

    def versions(self, survey_id: str) -> list[SurveyVersion]:
        pk, _ = keys.survey(survey_id)
        return list(
            self.table.query_all(
                _version,
                KeyConditionExpression="pk = :p AND begins_with(sk, :v)",
                ExpressionAttributeValues=to_item({":p": pk, ":v": keys.SURVEY_VERSION_PREFIX}),
                ConsistentRead=True,
            )
        )

    def _tally_update(self, response: SurveyResponse, increments: collections.Counter[str]) -> dict[str, Any]:
        pk, sk = keys.survey_tally(response.survey_id, response.version, response.hall_code)
        names = {f"#c{i}": name for i, name in enumerate(sorted(increments))}
        values = {f":c{i}": increments[name] for i, name in enumerate(sorted(increments))}
        return {
            "Update": {
                "TableName": self.table.name,
                "Key": to_item({"pk": pk, "sk": sk}),
                # ADD creates missing counters at zero; counter names ("q1.c.4") and
                # "version" need placeholders. The version and hall are set so the
                # item describes itself.
                "UpdateExpression": "SET #v = :v, #h = :h ADD "
                + ", ".join(f"{n} {v}" for n, v in zip(names, values, strict=True)),
                "ExpressionAttributeNames": {"#v": "version", "#h": "hall_code", **names},
                "ExpressionAttributeValues": to_item({":v": response.version, ":h": response.hall_code, **values}),
            }
        }

    def respond(self, response: SurveyResponse, increments: collections.Counter[str], invitation: str | None) -> bool:
        pk, sk = keys.survey_response(response.survey_id, response.response_id)
        put = {
            "TableName": self.table.name,
            "Item": to_item(
                {
                    "pk": pk,
                    "sk": sk,
                    "gsi1pk": keys.survey_responses(response.survey_id),
                    "gsi1sk": keys.survey_response_order(response.version, response.submitted_at, response.response_id),
                    "response": response.model_dump_json(),
                }
            ),
            # A response_id seen before: the double submit writes nothing and counts nothing.
            "ConditionExpression": _NOT_STORED,
        }
        items: list[dict[str, Any]] = [{"Put": put}, self._tally_update(response, increments)]
        if invitation is not None:
            inv_pk, inv_sk = keys.survey_invitation(invitation)
            items.append(
                {
                    "Update": {
                        "TableName": self.table.name,
                        "Key": to_item({"pk": inv_pk, "sk": inv_sk}),
                        "UpdateExpression": "SET used_at = :at",
                        # Single use: only an invitation that exists and was never used.
                        "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(used_at)",
                        "ExpressionAttributeValues": to_item({":at": response.submitted_at.isoformat()}),
                    }
                }
            )
        try:
            # Position 0 has no refusal: a taken response_id (first failed) is ConditionFailed.
            self.table.transact(items, refusals={2: InvitationUsed("This invitation was answered already.")})
        except ConditionFailed:
            return False
        return True

    def response(self, survey_id: str, response_id: str) -> SurveyResponse | None:
        item = self.table.get(*keys.survey_response(survey_id, response_id))
        return _response(item) if item else None

    def responses(self, survey_id: str, version: int | None) -> Iterator[SurveyResponse]:
        condition = "gsi1pk = :p"
        values: dict[str, Any] = {":p": keys.survey_responses(survey_id)}
        if version is not None:
            condition += " AND begins_with(gsi1sk, :v)"
            values[":v"] = keys.survey_version_prefix(version)
        return self.table.query_all(
            _response, index=GSI1, KeyConditionExpression=condition, ExpressionAttributeValues=to_item(values)
        )

    def tallies(self, survey_id: str, version: int | None) -> list[tuple[int, str, collections.Counter[str]]]:
        condition = "pk = :p"
        values: dict[str, Any] = {":p": keys.survey_tallies(survey_id)}
        if version is not None:
            condition += " AND begins_with(sk, :v)"
            values[":v"] = keys.survey_version_prefix(version)
        found = []
        for item in self.table.query_all(
            lambda i: i,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
            ConsistentRead=True,
        ):
            counters = collections.Counter(
                {k: int(v) for k, v in item.items() if k not in {"pk", "sk", "version", "hall_code"}}
            )
            found.append((int(item["version"]), str(item["hall_code"]), counters))
        return found

    def add_invitation(self, invitation: Invitation) -> None:
        pk, sk = keys.survey_invitation(invitation.id)
        self.table.put_new({"pk": pk, "sk": sk, **invitation.model_dump(mode="json")}, f"Invitation {invitation.id}")

    def invitation(self, invitation_id: str) -> Invitation | None:
        item = self.table.get(*keys.survey_invitation(invitation_id))
        if not item:
            return None
        return Invitation.model_validate({k: v for k, v in item.items() if k not in {"pk", "sk"}})

    def opt_out(self, phone_key: str) -> None:
        pk, sk = keys.sms_opt_out(phone_key)
        self.table.client.put_item(TableName=self.table.name, Item=to_item({"pk": pk, "sk": sk}))

    def opted_out(self, phone_key: str) -> bool:
        return self.table.get(*keys.sms_opt_out(phone_key)) is not None
