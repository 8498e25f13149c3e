"""The event side of the app: what the table's stream and the schedules run.

Like the HTTP blueprints, each handler turns an event into calls of service
functions. The stream handler reports failed records one by one (partial
batch response), so one bad record never blocks the others.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from chalicelib import composition
from chalicelib.domain.notifications import Notification
from chalicelib.domain.ratings import Rating
from chalicelib.services import callbacks

logger = Logger(service="tingsheng", child=True)


def _handle_record(record: Any) -> None:
    from chalicelib.adapters.dynamodb.stream import change_of

    change = change_of(record.raw_event)
    if change is None:
        return
    entity = change.entity
    if isinstance(entity, Notification):
        composition.publisher().publish(entity)
        return
    if isinstance(entity, Rating):
        task = callbacks.open_for_rating(composition.callback_ports(), entity)
    else:
        task = callbacks.open_for_suggestion(composition.callback_ports(), entity)
    if task is not None:
        logger.info("callback task opened", extra={"task_id": task.id, "hall_code": task.hall_code})


def handle_stream_batch(event: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB stream batch; answers ``{"batchItemFailures": [...]}`` naming failed records."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    response = process_partial_response(event=event, record_handler=_handle_record, processor=processor)
    failures = response.get("batchItemFailures", [])
    if failures:
        logger.warning("stream records failed", extra={"failed": len(failures)})
    return dict(response)


def check_callback_clocks() -> int:
    changed = callbacks.check_clocks(composition.callback_ports())
    logger.info("callback clocks checked", extra={"changed": changed})
    return changed


def purge_expired_phones() -> int:
    from chalicelib.services import suggestions

    purged = callbacks.purge_expired_phones(composition.callback_ports())
    purged += suggestions.purge_expired_contacts(composition.suggestions(), composition.clock())
    logger.info("expired phone numbers removed", extra={"purged": purged})
    return purged


def prepare_suggestion_digests() -> int:
    from chalicelib.services import digests

    stored = digests.prepare_digests(
        composition.organisation(),
        composition.suggestions(),
        composition.outbox(),
        composition.working_days(),
        composition.clock(),
    )
    logger.info("suggestion digests stored", extra={"digests": stored})
    return stored


def remind_outreach() -> int:
    from chalicelib.services import outreach

    stored = outreach.remind_halls_without_events(
        composition.organisation(), composition.outreach(), composition.outbox(), composition.clock()
    )
    logger.info("outreach reminders stored", extra={"reminders": stored})
    return stored


def run_export_jobs(event: dict[str, Any]) -> int:
    """Stream records of queued export jobs: each job's file is written, one job after another.
    (In AWS the event source's filter passes only those records; locally every record comes.)"""
    from chalicelib.adapters.dynamodb.stream import queued_export
    from chalicelib.services import export_jobs
    from chalicelib.web.export_reports import REPORTS

    ran = 0
    for record in event.get("Records", []):
        job_id = queued_export(record)
        if job_id is None:
            continue
        job = export_jobs.run_export(composition.export_ports(), REPORTS, job_id)
        if job is not None:
            ran += 1
            logger.info("export settled", extra={"export_id": job.id, "status": job.status.value, "rows": job.rows})
    return ran


def sweep_exports() -> int:
    from chalicelib.services import export_jobs

    changed = export_jobs.sweep(composition.export_ports())
    if changed:
        logger.info("interrupted exports queued again or failed", extra={"changed": changed})
    return changed
