"""The composition root: builds boto3 clients lazily and wires adapters.

Nothing is built at import time, so moto (in tests) is active before any
client exists; tests call ``reset()`` instead of patching.

Each factory returns the port its callers depend on (``organisation()`` is an
``OrganisationRepository``), so mypy holds every adapter to its port here, as
``tests/fakes/ports.py`` holds every fake. The adapters, boto3 and the services'
bundles of ports are imported inside the factories: a request loads only what it uses.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from chalicelib.config import ConfigurationError, Settings
from chalicelib.services.ports import (
    AlertRepository,
    AppealRepository,
    AuditLog,
    CalendarRepository,
    CallbackRepository,
    ChecklistRepository,
    Clock,
    DepartmentRepository,
    DeviceBatchReader,
    ExportFiles,
    ExportJobRepository,
    InboxRepository,
    InspectionRepository,
    MonthPublicationRepository,
    OrganisationRepository,
    Outbox,
    OutreachRepository,
    Publisher,
    RateLimiter,
    RatingRepository,
    ShiftRepository,
    SignInFailureLog,
    SmsSender,
    StarPublicationRepository,
    StarRuleRepository,
    SuggestionRepository,
    SurveyRepository,
    TicketRepository,
    UnratedRepository,
    UserRepository,
)

if TYPE_CHECKING:  # only for annotations: the adapters, boto3's stubs and the services load in the factories
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from chalicelib.adapters.dynamodb.table import Table
    from chalicelib.domain.callbacks import Clocks, TaskType
    from chalicelib.domain.tickets import TicketClocks
    from chalicelib.domain.workdays import HolidaySource, WorkingDays
    from chalicelib.services.accounts import TokenPolicy
    from chalicelib.services.alerts import AlertPorts
    from chalicelib.services.audit import Auditor
    from chalicelib.services.callbacks import CallbackPorts
    from chalicelib.services.export_jobs import ExportPorts
    from chalicelib.services.imports import ImportPorts
    from chalicelib.services.inbox import InboxPorts
    from chalicelib.services.inspections import InspectionPorts
    from chalicelib.services.ratings import Ports as RatingPorts
    from chalicelib.services.tickets import TicketPorts
    from chalicelib.services.unrated import UnratedPorts


@functools.cache
def settings() -> Settings:
    return Settings.from_env(_environment())


def _environment() -> Mapping[str, str]:
    """The environment; in AWS plus the signing keys from SSM (TINGSHENG_SECRETS_PATH), read at cold start."""
    if not os.environ.get("TINGSHENG_SECRETS_PATH"):
        return os.environ
    import boto3

    from chalicelib.adapters.secrets import with_parameter_store_secrets

    return with_parameter_store_secrets(os.environ, boto3.client("ssm"))


@functools.cache
def dynamodb_client() -> DynamoDBClient:
    import boto3  # imported here: the HTTP layer must import without boto3 set up

    from chalicelib.adapters.dynamodb.faults import client_config

    return boto3.client("dynamodb", config=client_config())


@functools.cache
def table() -> Table:
    from chalicelib.adapters.dynamodb.table import Table

    return Table(dynamodb_client(), settings().table_name)


@functools.cache
def organisation() -> OrganisationRepository:
    from chalicelib.adapters.dynamodb.organisation import DynamoOrganisationRepository

    return DynamoOrganisationRepository(table())


@functools.cache
def users() -> UserRepository:
    from chalicelib.adapters.dynamodb.users import DynamoUserRepository

    return DynamoUserRepository(table())


@functools.cache
def clock() -> Clock:
    from chalicelib.adapters.clock import SystemClock

    return SystemClock()


@functools.cache
def ratings() -> RatingRepository:
    from chalicelib.adapters.dynamodb.ratings import DynamoRatingRepository

    return DynamoRatingRepository(table())


@functools.cache
def shifts() -> ShiftRepository:
    from chalicelib.adapters.dynamodb.shifts import DynamoShiftRepository

    return DynamoShiftRepository(table())


@functools.cache
def rate_limiter() -> RateLimiter:
    from chalicelib.adapters.dynamodb.rate_limits import DynamoRateLimiter

    return DynamoRateLimiter(table())


@functools.cache
def sign_in_failures() -> SignInFailureLog:
    from chalicelib.adapters.dynamodb.rate_limits import DynamoSignInFailureLog

    return DynamoSignInFailureLog(table())


def rating_ports() -> RatingPorts:
    from chalicelib.services.ratings import Ports as RatingPorts

    return RatingPorts(
        org=organisation(), ratings=ratings(), shifts=shifts(), clock=clock(), batch_reads=device_batch_reads()
    )


@functools.cache
def outreach() -> OutreachRepository:
    from chalicelib.adapters.dynamodb.outreach import DynamoOutreachRepository

    return DynamoOutreachRepository(table())


@functools.cache
def suggestions() -> SuggestionRepository:
    from chalicelib.adapters.dynamodb.suggestions import DynamoSuggestionRepository

    return DynamoSuggestionRepository(table())


@functools.cache
def holiday_source() -> HolidaySource:
    from chalicelib.adapters.holiday_calendar import PackageHolidays

    return PackageHolidays()


@functools.cache
def calendar() -> CalendarRepository:
    from chalicelib.adapters.dynamodb.calendar import DynamoCalendarRepository

    return DynamoCalendarRepository(table())


OVERRIDES_TTL_SECONDS = 300


@functools.lru_cache(maxsize=1)
def _working_days(period: int) -> WorkingDays:
    from chalicelib.domain.workdays import WorkingDays

    return WorkingDays(holiday_source(), calendar().overrides())


def working_days() -> WorkingDays:
    """Holidays and 调休 from the package, with the admin's overrides (re-read every 5 minutes)."""
    return _working_days(int(time.monotonic() // OVERRIDES_TTL_SECONDS))


@functools.cache
def callbacks() -> CallbackRepository:
    from chalicelib.adapters.dynamodb.callbacks import DynamoCallbackRepository

    return DynamoCallbackRepository(table())


@functools.cache
def publisher() -> Publisher:
    """SNS when a topic is configured (AWS), else a log line (locally)."""
    topic = settings().notify_topic_arn
    if topic:
        import boto3

        from chalicelib.adapters.publishers import SnsPublisher

        return SnsPublisher(boto3.client("sns"), topic)
    from chalicelib.adapters.publishers import LogPublisher

    return LogPublisher()


@functools.cache
def outbox() -> Outbox:
    from chalicelib.adapters.dynamodb.outbox import DynamoOutbox

    return DynamoOutbox(table())


@functools.cache
def appeals() -> AppealRepository:
    from chalicelib.adapters.dynamodb.appeals import DynamoAppealRepository

    return DynamoAppealRepository(table())


@functools.cache
def month_publications() -> MonthPublicationRepository:
    from chalicelib.adapters.dynamodb.publications import DynamoMonthPublications

    return DynamoMonthPublications(table())


@functools.cache
def audit_log() -> AuditLog:
    from chalicelib.adapters.dynamodb.audit import DynamoAuditLog

    return DynamoAuditLog(table())


def auditor() -> Auditor:
    """Where changes are logged: the audit log, timed by the clock."""
    from chalicelib.services.audit import Auditor

    return Auditor(audit_log(), clock())


def import_ports() -> ImportPorts:
    from chalicelib.services.imports import ImportPorts

    return ImportPorts(org=organisation(), shifts=shifts(), clock=clock(), auditor=auditor())


@functools.cache
def callback_clocks() -> Mapping[TaskType, Clocks]:
    """The clocks of each task type: the defaults (1 and 7 working days) and TINGSHENG_CALLBACK_CLOCKS."""
    import json

    from chalicelib.domain.callbacks import clocks_per_type

    raw = settings().callback_clocks
    try:
        return clocks_per_type(json.loads(raw) if raw else {})
    except (ValueError, TypeError, AttributeError) as e:
        raise ConfigurationError(f"TINGSHENG_CALLBACK_CLOCKS is not usable: {e}") from None


def callback_ports() -> CallbackPorts:
    from chalicelib.services.callbacks import CallbackPorts

    return CallbackPorts(
        callbacks=callbacks(), org=organisation(), clock=clock(), calendar=working_days(), clocks=callback_clocks()
    )


@functools.cache
def departments() -> DepartmentRepository:
    from chalicelib.adapters.dynamodb.departments import DynamoDepartmentRepository

    return DynamoDepartmentRepository(table())


@functools.cache
def tickets() -> TicketRepository:
    from chalicelib.adapters.dynamodb.tickets import DynamoTicketRepository

    return DynamoTicketRepository(table())


@functools.cache
def ticket_clocks() -> TicketClocks:
    """Work-order clocks: the defaults (SPEC §3.2) and TINGSHENG_TICKET_CLOCKS."""
    import json

    from pydantic import ValidationError

    from chalicelib.domain.tickets import ticket_clocks as clocks_of

    raw = settings().ticket_clocks
    try:
        return clocks_of(json.loads(raw) if raw else {})
    except (ValueError, TypeError, ValidationError) as e:
        raise ConfigurationError(f"TINGSHENG_TICKET_CLOCKS is not usable: {e}") from None


def ticket_ports() -> TicketPorts:
    from chalicelib.services.tickets import TicketPorts

    return TicketPorts(
        tickets=tickets(),
        departments=departments(),
        org=organisation(),
        suggestions=suggestions(),
        callbacks=callbacks(),
        tallies=ratings(),
        clock=clock(),
        calendar=working_days(),
        clocks=ticket_clocks(),
        callback_clocks=callback_clocks(),
    )


@functools.cache
def surveys() -> SurveyRepository:
    from chalicelib.adapters.dynamodb.surveys import DynamoSurveyRepository

    return DynamoSurveyRepository(table())


@functools.cache
def sms() -> SmsSender:
    """SNS in AWS (where a notification topic is configured), else a log line (locally)."""
    if settings().notify_topic_arn:
        import boto3

        from chalicelib.adapters.sms import SnsSms

        return SnsSms(boto3.client("sns"))
    from chalicelib.adapters.sms import LogSms

    return LogSms()


def token_policy() -> TokenPolicy:
    from chalicelib.services.accounts import TokenPolicy

    s = settings()
    return TokenPolicy(key=s.token_key, ttl_seconds=s.token_ttl_seconds)


# ---- inspections and stars ----------------------------------------------------------------
@functools.cache
def checklists() -> ChecklistRepository:
    from chalicelib.adapters.dynamodb.inspections import DynamoChecklistRepository

    return DynamoChecklistRepository(table())


@functools.cache
def inspections() -> InspectionRepository:
    from chalicelib.adapters.dynamodb.inspections import DynamoInspectionRepository

    return DynamoInspectionRepository(table())


def inspection_ports() -> InspectionPorts:
    from chalicelib.services.inspections import InspectionPorts

    return InspectionPorts(
        org=organisation(), shifts=shifts(), checklists=checklists(), inspections=inspections(), clock=clock()
    )


@functools.cache
def star_rules() -> StarRuleRepository:
    from chalicelib.adapters.dynamodb.stars import DynamoStarRuleRepository

    return DynamoStarRuleRepository(table())


@functools.cache
def star_publications() -> StarPublicationRepository:
    from chalicelib.adapters.dynamodb.stars import DynamoStarPublications

    return DynamoStarPublications(table())


@functools.cache
def unrated() -> UnratedRepository:
    from chalicelib.adapters.dynamodb.unrated import DynamoUnratedRepository

    return DynamoUnratedRepository(table())


def unrated_ports() -> UnratedPorts:
    from chalicelib.services.unrated import UnratedPorts

    return UnratedPorts(unrated=unrated(), shifts=shifts(), clock=clock(), batch_reads=device_batch_reads())


@functools.cache
def alerts() -> AlertRepository:
    from chalicelib.adapters.dynamodb.alerts import DynamoAlertRepository

    return DynamoAlertRepository(table())


def alert_ports() -> AlertPorts:
    from chalicelib.services.alerts import AlertPorts

    return AlertPorts(alerts=alerts(), org=organisation(), clock=clock())


@functools.cache
def inbox() -> InboxRepository:
    from chalicelib.adapters.dynamodb.inbox import DynamoInboxRepository

    return DynamoInboxRepository(table())


def inbox_ports() -> InboxPorts:
    from chalicelib.services.inbox import InboxPorts

    return InboxPorts(inbox=inbox(), users=users(), org=organisation(), clock=clock())


@functools.cache
def export_jobs() -> ExportJobRepository:
    from chalicelib.adapters.dynamodb.exports import DynamoExportJobs

    return DynamoExportJobs(table())


@functools.cache
def export_files() -> ExportFiles:
    """S3 when a bucket is configured (AWS), else files under TINGSHENG_DATA_DIR/exports (locally)."""
    s = settings()
    if s.export_bucket:
        import boto3
        from botocore.config import Config

        from chalicelib.adapters.export_files import S3ExportFiles

        # Signature v4 names the region: presigned links work in every partition (aws-cn too).
        return S3ExportFiles(boto3.client("s3", config=Config(signature_version="s3v4")), s.export_bucket)
    from pathlib import Path

    from chalicelib.adapters.export_files import LocalExportFiles

    return LocalExportFiles(Path(s.data_dir) / "exports", s.token_key, s.public_url)


def export_ports() -> ExportPorts:
    from chalicelib.services.export_jobs import ExportPorts

    return ExportPorts(jobs=export_jobs(), files=export_files(), users=users(), clock=clock())


@functools.cache
def device_batch_reads() -> DeviceBatchReader:
    from chalicelib.adapters.dynamodb.device_batches import DynamoDeviceBatchReader

    return DynamoDeviceBatchReader(table())


_BUILT = (
    settings,
    dynamodb_client,
    table,
    organisation,
    users,
    clock,
    ratings,
    shifts,
    rate_limiter,
    outreach,
    suggestions,
    holiday_source,
    calendar,
    _working_days,
    callbacks,
    publisher,
    outbox,
    appeals,
    month_publications,
    audit_log,
    callback_clocks,
    departments,
    tickets,
    ticket_clocks,
    checklists,
    inspections,
    star_rules,
    star_publications,
    unrated,
    alerts,
    inbox,
    surveys,
    sms,
    export_jobs,
    export_files,
    device_batch_reads,
)


def reset() -> None:
    """Forget every built object (tests, after changing the environment)."""
    for factory in _BUILT:
        factory.cache_clear()
