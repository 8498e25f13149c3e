"""Console: the callback queue (回访), earliest due first; claim, record an
attempt, close with an outcome. The same service calls as /api/v1/callbacks,
so roles, halls and phone masking are the API's. Each card shows what the task
follows up (its context) and, to the task's agent, the number as a tel: link."""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import (
    LIST_QUERY,
    ConsoleRoutes,
    Sent,
    form_of,
    lang_of,
    principal,
    redirect,
    render,
    submit,
)
from chalicelib.domain.business_time import local_minute
from chalicelib.domain.callback_context import RatingContext, SuggestionContext, TicketContext
from chalicelib.domain.callbacks import AttemptResult, CallbackTask, Outcome, Status
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.labels import CHANNEL, LEVEL, REASON, SUGGESTION_KIND, label
from chalicelib.domain.privacy import mask_personal_data
from chalicelib.inputs import AttemptIn, CloseIn
from chalicelib.services import callbacks
from chalicelib.web.requests import query
from chalicelib.web.routing import QueryParam, schema

routes = ConsoleRoutes(__name__)
PAGE_SIZE = 50
STATUS_QUERY = QueryParam("status", "active (default) or closed", schema=schema(enum=["active", "closed"]))
# A task's forms post to an action that carries the queue's query, so a refused form shows that queue again.
BACK_QUERY = (*LIST_QUERY, STATUS_QUERY)


local = local_minute  # the pages' name for it


def _status(raw: str | None) -> Status | None:
    if raw in (None, "active"):
        return None
    if raw != Status.closed.value:
        raise InvalidInput("Unknown status.", {"status": "active or closed"}, reason=Reason("enum"))
    return Status.closed


def _context(task: CallbackTask, lang: str) -> dict[str, Any] | None:
    """The task's source as the card shows it: labels in the page's language (free text came masked)."""
    found = task.context
    if isinstance(found, RatingContext):
        return {
            "source": "rating",
            "level": int(found.level),
            "level_label": label(LEVEL, found.level, lang),
            "reasons": [label(REASON, r, lang) for r in found.reasons],
            "comment": found.comment,
            "channel": label(CHANNEL, found.channel, lang),
            "counter": found.counter,
            "clerk": " ".join(p for p in (found.staff_no, found.staff_name) if p),
            "at": local(found.rated_at),
        }
    if isinstance(found, SuggestionContext):
        kind = label(SUGGESTION_KIND, found.kind, lang)
        return {
            "source": "suggestion",
            "kind": kind,
            "content": found.content,
            "tracking_no": found.tracking_no,
            "ticket_no": found.ticket_no,
            "answer": found.answer,
        }
    if isinstance(found, TicketContext):
        return {"source": "ticket", "ticket_no": found.ticket_no, "subject": found.subject, "answer": found.answer}
    return None


def _row(task: CallbackTask, actor: Any, lang: str) -> dict[str, Any]:
    follow_up = task.follow_up
    phone = callbacks.shown_phone(task, actor)
    return {
        "task": task,
        "phone": phone,
        # Only a number shown in full can be dialled: a tel: link for the task's agent (and admins).
        "dial": phone if phone and phone == task.phone else None,
        "due": task.next_due(),
        "follow_up_comment": mask_personal_data(follow_up.comment) if follow_up and follow_up.comment else "",
        "context": _context(task, lang),
    }


@routes.page("/console/callbacks", summary="The callback queue of a hall", query=BACK_QUERY)
def queue():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    return _queue(request, actor, hall_param(request, actor))


def _queue(request: Any, actor: Any, hall: str | None, sent: Sent | None = None) -> Any:
    """The queue page of ``hall``; ``sent``: a task's form refused, shown again filled in."""
    status = query(request, "status") or "active"
    page = None
    if hall is not None:
        page = callbacks.list_tasks(
            actor, composition.callback_ports(), hall, _status(status), query(request, "cursor"), PAGE_SIZE
        )
    return render(
        request,
        "callbacks.html",
        sent=sent,
        page="/console/callbacks",
        section="callbacks",
        halls=halls_of(actor),
        hall=hall,
        shown=status,
        cursor=query(request, "cursor"),
        rows=[_row(t, actor, lang_of(request)) for t in page.items] if page else [],
        next=page.next if page else None,
        now=composition.clock().now(),
        local=local,
        results=[r.value for r in AttemptResult],
        outcomes=[o.value for o in Outcome],
        done=query(request, "done"),
    )


def _back(task: CallbackTask, done: str) -> Any:
    return redirect(routes.request, "/console/callbacks", hall=task.hall_code, done=done)


def _refused(task_id: str) -> Any:
    """Shows the queue the task's form was on again (its hall when the action does not say)."""

    def show(sent: Sent) -> Any:
        request = routes.request
        actor = principal(request)
        if query(request, "hall") is not None:
            hall = hall_param(request, actor)
        else:
            hall = callbacks.get_task(actor, composition.callback_ports(), task_id).hall_code
        return _queue(request, actor, hall, sent)

    return show


@routes.action("/console/callbacks/{task_id}/claim", summary="Take a callback task", statuses=(409,))
def claim(task_id: str):  # type: ignore[no-untyped-def]
    task = callbacks.claim(principal(routes.request), composition.callback_ports(), task_id)
    return _back(task, "claimed")


@routes.action(
    "/console/callbacks/{task_id}/attempts",
    summary="Record a call attempt (refused: the queue again, the form as typed)",
    request=AttemptIn,
    query=BACK_QUERY,
    statuses=(409,),
)
def attempt(task_id: str):  # type: ignore[no-untyped-def]
    def act() -> Any:
        body = form_of(routes.request, AttemptIn)
        task = callbacks.record_attempt(
            principal(routes.request), composition.callback_ports(), task_id, body.result, body.note
        )
        return _back(task, "attempt")

    return submit(routes.request, f"attempt-{task_id}", act, _refused(task_id))


@routes.action(
    "/console/callbacks/{task_id}/close",
    summary="Close a callback task with an outcome (refused: the queue again, the form as typed)",
    request=CloseIn,
    query=BACK_QUERY,
    statuses=(409,),
)
def close(task_id: str):  # type: ignore[no-untyped-def]
    def act() -> Any:
        body = form_of(routes.request, CloseIn)
        task = callbacks.close_task(
            principal(routes.request),
            composition.callback_ports(),
            task_id,
            body.outcome,
            body.note,
            body.verified,
            body.staff_no,
        )
        return _back(task, "closed")

    return submit(routes.request, f"close-{task_id}", act, _refused(task_id))
