"""Every fake stands in for a port, and mypy proves it here.

A port is a ``typing.Protocol``: a class satisfies it by its methods alone,
so a fake whose method drifted from the port (a parameter or a return type
changed) would still import and run, and only some test far away would notice.
Each assignment below makes mypy (which checks ``tests/fakes``, see
pyproject.toml) compare one fake with its port, method by method. The DynamoDB
adapters are held to the same ports by the composition root, whose factories
return the port types. Between them, a change of a port fails the type check
until both of its implementations follow; the contract suite (tests/contract)
then shows that the two also behave alike.

Nothing here runs: the checks sit under ``TYPE_CHECKING``. A new fake gets a
line here, under the name of the port it stands in for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.domain.workdays import HolidaySource, NoHolidays
    from chalicelib.services import ports
    from tests.fakes.accounts import InMemorySignInFailureLog
    from tests.fakes.alerts import InMemoryAlertRepository
    from tests.fakes.appeals import InMemoryAppealRepository
    from tests.fakes.audit import InMemoryAuditLog
    from tests.fakes.callbacks import InMemoryCallbackRepository, InMemoryOutbox, RecordingPublisher
    from tests.fakes.clock import FixedClock
    from tests.fakes.departments import InMemoryDepartmentRepository
    from tests.fakes.exports import InMemoryExportJobs, MemoryExportFiles
    from tests.fakes.inbox import InMemoryInboxRepository
    from tests.fakes.inspections import (
        InMemoryChecklistRepository,
        InMemoryInspectionRepository,
        InMemoryStarPublications,
        InMemoryStarRuleRepository,
    )
    from tests.fakes.organisation import InMemoryOrganisationRepository, InMemoryUserRepository
    from tests.fakes.outreach import InMemoryOutreachRepository
    from tests.fakes.publications import InMemoryMonthPublications
    from tests.fakes.ratings import InMemoryRateLimiter, InMemoryRatingRepository, InMemoryShiftRepository
    from tests.fakes.suggestions import InMemorySuggestionRepository
    from tests.fakes.tickets import InMemoryTicketRepository
    from tests.fakes.unrated import InMemoryUnratedRepository

    clock: ports.Clock = FixedClock()
    organisation: ports.OrganisationRepository = InMemoryOrganisationRepository()
    users: ports.UserRepository = InMemoryUserRepository()
    sign_in_failures: ports.SignInFailureLog = InMemorySignInFailureLog()
    ratings: ports.RatingRepository = InMemoryRatingRepository()
    shifts: ports.ShiftRepository = InMemoryShiftRepository()
    rate_limiter: ports.RateLimiter = InMemoryRateLimiter()
    outreach: ports.OutreachRepository = InMemoryOutreachRepository()
    suggestions: ports.SuggestionRepository = InMemorySuggestionRepository()
    callbacks: ports.CallbackRepository = InMemoryCallbackRepository()
    outbox: ports.Outbox = InMemoryOutbox()
    publisher: ports.Publisher = RecordingPublisher()
    appeals: ports.AppealRepository = InMemoryAppealRepository()
    month_publications: ports.MonthPublicationRepository = InMemoryMonthPublications()
    audit_log: ports.AuditLog = InMemoryAuditLog()
    holidays: HolidaySource = NoHolidays()
    departments: ports.DepartmentRepository = InMemoryDepartmentRepository()
    tickets: ports.TicketRepository = InMemoryTicketRepository()
    checklists: ports.ChecklistRepository = InMemoryChecklistRepository()
    inspections: ports.InspectionRepository = InMemoryInspectionRepository()
    star_rules: ports.StarRuleRepository = InMemoryStarRuleRepository()
    star_publications: ports.StarPublicationRepository = InMemoryStarPublications()
    unrated: ports.UnratedRepository = InMemoryUnratedRepository(InMemoryRatingRepository())
    alerts: ports.AlertRepository = InMemoryAlertRepository()
    inbox: ports.InboxRepository = InMemoryInboxRepository()

    from tests.fakes.surveys import InMemorySurveyRepository, RecordingSms

    surveys: ports.SurveyRepository = InMemorySurveyRepository()
    sms: ports.SmsSender = RecordingSms()
    export_jobs: ports.ExportJobRepository = InMemoryExportJobs()
    export_files: ports.ExportFiles = MemoryExportFiles()

    from tests.fakes.device_batches import InMemoryDeviceBatchReader

    device_batch_reads: ports.DeviceBatchReader = InMemoryDeviceBatchReader(
        InMemoryOrganisationRepository(), InMemoryRatingRepository()
    )
