"""Export jobs in DynamoDB: one ``EXPORT#<id>`` item each.

A run owns its job by the attempt it claimed: progress and the final state
are written only while the stored job is running that attempt, so a run the
sweep gave up on can never overwrite the run that replaced it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.faults import error_code
from chalicelib.adapters.dynamodb.table import GSI1, Table, fields_of, to_item
from chalicelib.domain.errors import StorageBusy
from chalicelib.domain.exports import Checkpoint, ExportJob, ExportStatus
from chalicelib.domain.paging import Page

GSI2 = "gsi2"
# The job item outlives its file by a month (TTL on the table's expires_at, epoch seconds),
# so a finished job still says it expired; the file itself is kept FILE_DAYS.
ITEM_KEPT = timedelta(days=37)


def _item(job: ExportJob) -> dict[str, Any]:
    pk, sk = keys.export_job(job.id)
    order = f"{keys.instant(job.created_at)}#{job.id}"
    values = job.model_dump(mode="json", exclude={"expires_at"})
    item: dict[str, Any] = {
        "pk": pk,
        "sk": sk,
        "gsi1pk": keys.user_exports(job.requested_by),
        "gsi1sk": order,
        **values,
        "file_expires_at": job.expires_at.isoformat() if job.expires_at else None,
        "expires_at": int((job.created_at + ITEM_KEPT).timestamp()),
    }
    if job.active:
        item |= {"gsi2pk": keys.ACTIVE_EXPORTS, "gsi2sk": order}
    return item


def _job(item: dict[str, Any]) -> ExportJob:
    fields = fields_of(item, ExportJob)
    fields["expires_at"] = item.get("file_expires_at")
    return ExportJob(**fields)


# The stored job is running the attempt this run claimed.
_OWNED = "#s = :running AND attempts = :a"


class DynamoExportJobs:
    def __init__(self, table: Table) -> None:
        self.table = table

    def add(self, job: ExportJob) -> None:
        self.table.put_new(_item(job), f"Export {job.id}")

    def get(self, job_id: str) -> ExportJob | None:
        item = self.table.get(*keys.export_job(job_id))
        return _job(item) if item else None

    def _update(self, job: ExportJob, condition: str, values: dict[str, Any], expression: str) -> bool:
        try:
            self.table.client.update_item(
                TableName=self.table.name,
                Key=to_item(dict(zip(("pk", "sk"), keys.export_job(job.id), strict=True))),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeNames={
                    name: field
                    for name, field in (("#s", "status"), ("#r", "rows"))
                    if name in condition or name in expression  # DynamoDB refuses a name left unused
                },
                ExpressionAttributeValues=to_item(values),
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def claim(self, job: ExportJob, now: datetime) -> ExportJob | None:
        kept = job.kept_rows  # a run resumes from the job's checkpoint
        claimed = job.model_copy(
            update={
                "status": ExportStatus.running,
                "attempts": job.attempts + 1,
                "rows": kept,
                "started_rows": kept,
                "heartbeat_at": now,
            }
        )
        taken = self._update(
            job,
            # Queued, and not claimed since it was read (a second delivery of the record finds it taken).
            "#s = :queued AND attempts = :a",
            {
                ":queued": ExportStatus.queued.value,
                ":a": job.attempts,
                ":running": ExportStatus.running.value,
                ":next": claimed.attempts,
                ":kept": kept,
                ":now": now.isoformat(),
            },
            "SET #s = :running, attempts = :next, #r = :kept, started_rows = :kept, heartbeat_at = :now",
        )
        return claimed if taken else None

    def nudge(self, job: ExportJob, now: datetime) -> bool:
        return self._update(
            job,
            # Still queued as read: a run that took it meanwhile is left alone.
            "#s = :queued AND attempts = :a",
            {":queued": ExportStatus.queued.value, ":a": job.attempts, ":now": now.isoformat()},
            "SET heartbeat_at = :now",
        )

    def progress(self, job: ExportJob, rows: int, now: datetime, checkpoint: Checkpoint | None = None) -> None:
        values = {":running": ExportStatus.running.value, ":a": job.attempts, ":rows": rows, ":now": now.isoformat()}
        expression = "SET #r = :rows, heartbeat_at = :now"
        if checkpoint is not None:
            # The checkpoint is written with the rows it counts: a later run resumes exactly there.
            values[":cp"] = checkpoint.model_dump(mode="json")
            expression += ", checkpoint = :cp"
        owned = self._update(job, _OWNED, values, expression)
        if not owned:
            raise StorageBusy("The export was taken over by another run.")

    def settle(self, job: ExportJob) -> bool:
        try:
            self.table.client.put_item(
                TableName=self.table.name,
                Item=to_item(_item(job)),
                ConditionExpression=_OWNED,
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=to_item({":running": ExportStatus.running.value, ":a": job.attempts}),
            )
        except ClientError as e:
            if error_code(e) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def by_requester(self, username: str, cursor: str | None, limit: int) -> Page[ExportJob]:
        return self.table.query_page(
            _job,
            cursor=cursor,
            limit=limit,
            index=GSI1,
            KeyConditionExpression="gsi1pk = :p",
            ExpressionAttributeValues=to_item({":p": keys.user_exports(username)}),
            ScanIndexForward=False,
        )

    def active(self) -> list[ExportJob]:
        return list(
            self.table.query_all(
                _job,
                index=GSI2,
                KeyConditionExpression="gsi2pk = :p",
                ExpressionAttributeValues=to_item({":p": keys.ACTIVE_EXPORTS}),
            )
        )
