"""The event side of the app: what the table's stream and the schedules run.

Like the HTTP blueprints, each handler turns an event into calls of service
functions. The stream handler reports failed records one by one (partial
batch response), so one bad record never blocks the others.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger

from chalicelib import composition
from chalicelib.domain.business_time import today_in_shanghai
from chalicelib.domain.notifications import Notification
from chalicelib.domain.ratings import Rating
from chalicelib.services import alerts, callbacks, inbox

# The event functions load no HTTP layer (TINGSHENG_FUNCTION=events): this logger is their own
# structured one, so each line carries its fields (a task's id) there as in the API.
logger = Logger(service="tingsheng")


def _handle_record(record: Any, evaluated: set[str]) -> None:
    from chalicelib.adapters.dynamodb.stream import change_of

    change = change_of(record.raw_event)
    if change is None:
        return
    entity = change.entity
    if isinstance(entity, Notification):
        inbox.deliver(composition.inbox_ports(), entity)  # first: a retry adds nothing twice, then sends
        composition.publisher().publish(entity)
        return
    if isinstance(entity, Rating):
        task = callbacks.open_for_rating(composition.callback_ports(), entity)
        if entity.hall_code not in evaluated:  # a hall's window once a batch, after its first new rating
            changed = alerts.evaluate_spikes(composition.alert_ports(), entity.hall_code)
            evaluated.add(entity.hall_code)
            if changed:
                logger.info("spike alerts changed", extra={"hall_code": entity.hall_code, "changed": changed})
    else:
        task = callbacks.open_for_suggestion(composition.callback_ports(), entity)
    if task is not None:
        logger.info("callback task opened", extra={"task_id": task.id, "hall_code": task.hall_code})


def handle_stream_batch(event: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB stream batch; answers ``{"batchItemFailures": [...]}`` naming failed records."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    evaluated: set[str] = set()
    response = process_partial_response(
        event=event, record_handler=lambda record: _handle_record(record, evaluated), processor=processor
    )
    failures = response.get("batchItemFailures", [])
    if failures:
        logger.warning("stream records failed", extra={"failed": len(failures)})
    return dict(response)


def check_callback_clocks() -> int:
    ports = composition.alert_ports()
    changed = callbacks.check_clocks(composition.callback_ports(), lambda task: alerts.callback_overdue(ports, task))
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
    if composition.working_days().is_working_day(today_in_shanghai(composition.clock().now())):
        boxes = alerts.check_boxes(composition.alert_ports(), composition.suggestions(), composition.working_days())
        logger.info("unopened boxes listed as alerts", extra={"alerts": boxes})
    return stored


def remind_outreach() -> int:
    from chalicelib.services import outreach

    stored = outreach.remind_halls_without_events(
        composition.organisation(), composition.outreach(), composition.outbox(), composition.clock()
    )
    logger.info("outreach reminders stored", extra={"reminders": stored})
    return stored


def check_ticket_clocks() -> int:
    from chalicelib.services import tickets

    ports = composition.alert_ports()
    changed = tickets.check_clocks(composition.ticket_ports(), lambda ticket: alerts.order_overdue(ports, ticket))
    logger.info("work order clocks checked", extra={"changed": changed})
    return changed


def check_alerts() -> int:
    """Every five minutes: silent devices, spikes whose window moved on, listed alerts whose flag cleared."""
    ports = composition.alert_ports()
    changed = alerts.check_devices(ports, composition.working_days())
    changed += alerts.recheck_spikes(ports)
    changed += alerts.recheck_listed(
        ports, composition.suggestions(), composition.callbacks(), composition.working_days()
    )
    changed += alerts.recheck_orders(ports, composition.tickets())
    logger.info("alerts checked", extra={"changed": changed})
    return changed


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
