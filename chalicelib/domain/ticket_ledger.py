"""The order ledger (工单台账, SPEC §4.4 ``tickets.csv``): one row per work order of a month,
with its clocks and outcome, the callback's outcome and the customer's 追评."""

from __future__ import annotations

from . import labels
from .business_time import local_minute
from .callbacks import CallbackTask
from .csv_export import Cell, key_cell
from .privacy import mask_personal_data
from .tickets import Ticket

# SPEC §4.4: the columns are a contract; extend, never change.
TICKET_COLUMNS = (
    "ticket_no",
    "created_at",
    "hall_code",
    "kind",
    "key_account",
    "department",
    "subject",
    "status",
    "due_at",
    "answered_at",
    "closed_at",
    "in_time",
    "urged",
    "callback_outcome",
    "follow_up_level",
)


def ledger_row(ticket: Ticket, task: CallbackTask | None, lang: str) -> dict[str, Cell]:
    """Times as the hall reads them (Asia/Shanghai, to the minute); kinds and statuses as Chinese
    labels in Chinese files; personal numbers in the subject masked."""
    return {
        "ticket_no": ticket.ticket_no,
        "created_at": local_minute(ticket.created_at),
        "hall_code": ticket.hall_code,
        "kind": key_cell(labels.TICKET_KIND, ticket.kind.value, lang),
        "key_account": ticket.key_account,
        "department": ticket.department,
        "subject": mask_personal_data(ticket.subject),
        "status": key_cell(labels.TICKET_STATUS, ticket.status.value, lang),
        "due_at": local_minute(ticket.due_at),
        "answered_at": local_minute(ticket.answered_at) or None,
        "closed_at": local_minute(ticket.closed_at) or None,
        "in_time": ticket.in_time,
        "urged": ticket.urged,
        "callback_outcome": key_cell(labels.OUTCOME, task.outcome.value, lang) if task and task.outcome else None,
        "follow_up_level": task.follow_up.level if task and task.follow_up else None,
    }
