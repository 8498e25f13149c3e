"""Console: the suggestion inbox (意见箱) of a hall: open the box (每天一开箱),
reply, close. The same service calls as /api/v1/suggestions; content is shown
with personal data masked (suggestions.staff_view)."""

from __future__ import annotations

from typing import Any

from chalicelib import composition
from chalicelib.console.callbacks import local
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
from chalicelib.domain.errors import InvalidInput, Reason
from chalicelib.domain.labels import SUGGESTION_KIND, SUGGESTION_STATUS
from chalicelib.domain.suggestions import Suggestion, SuggestionStatus
from chalicelib.inputs import ReplyIn
from chalicelib.services import suggestions
from chalicelib.web.requests import query
from chalicelib.web.routing import HALL_CODE, PathParam, QueryParam, schema

routes = ConsoleRoutes(__name__)
PAGE_SIZE = 50
STATUS_QUERY = QueryParam(
    "status", "new, opened, replied or closed; all when absent", schema=schema(enum=[s.value for s in SuggestionStatus])
)
# A reply form posts to an action carrying the inbox's query, so a refused reply shows that inbox again.
BACK_QUERY = (*LIST_QUERY, STATUS_QUERY)


def _status(raw: str | None) -> SuggestionStatus | None:
    if raw is None:
        return None
    try:
        return SuggestionStatus(raw)
    except ValueError:
        raise InvalidInput(
            "Unknown status.", {"status": "new, opened, replied or closed"}, reason=Reason("enum")
        ) from None


@routes.page(
    "/console/suggestions",
    summary="A hall's suggestion inbox",
    query=(
        *BACK_QUERY,
        QueryParam("count", "how many the box held when opened, for the page's notice", checked=False),
    ),
    statuses=(404,),
)
def inbox():  # type: ignore[no-untyped-def]
    request = routes.request
    return _inbox(request, hall_param(request, principal(request)))


def _inbox(request: Any, hall: str | None, sent: Sent | None = None) -> Any:
    """The inbox page of ``hall``; ``sent``: a reply refused, shown again as typed."""
    actor = principal(request)
    status = query(request, "status")
    state, page = None, None
    if hall is not None:
        org, repo = composition.organisation(), composition.suggestions()
        state = suggestions.suggestion_box_state(
            actor, repo, org, composition.clock(), composition.working_days(), hall
        )
        page = suggestions.list_suggestions(
            actor, repo, org, hall_code=hall, status=_status(status), cursor=query(request, "cursor"), limit=PAGE_SIZE
        )
    i = 0 if lang_of(request) == "zh" else 1
    return render(
        request,
        "suggestions.html",
        sent=sent,
        page="/console/suggestions",
        section="suggestions",
        halls=halls_of(actor),
        hall=hall,
        shown=status,
        cursor=query(request, "cursor"),
        state=state,
        items=[suggestions.staff_view(s) for s in page.items] if page else [],
        next=page.next if page else None,
        kinds={k: v[i] for k, v in SUGGESTION_KIND.items()},
        statuses={k: v[i] for k, v in SUGGESTION_STATUS.items()},
        local=local,
        done=query(request, "done"),
        count=query(request, "count"),
    )


@routes.action(
    "/console/halls/{hall_code}/suggestion-box/open",
    summary="Open the suggestion box",
    path_params=(PathParam("hall_code", HALL_CODE),),
)
def open_box(hall_code: str):  # type: ignore[no-untyped-def]
    opened = suggestions.open_suggestion_box(
        principal(routes.request), composition.suggestions(), composition.organisation(), composition.clock(), hall_code
    )
    return redirect(
        routes.request,
        "/console/suggestions",
        hall=hall_code,
        status="opened",
        done="more" if opened.more else "opened",
        count=str(len(opened.items)),
    )


def _back(suggestion: Suggestion, done: str) -> Any:
    return redirect(routes.request, "/console/suggestions", hall=suggestion.hall_code, done=done)


@routes.action(
    "/console/suggestions/{suggestion_id}/reply",
    summary="Reply to a suggestion (refused: the inbox again, the reply as typed)",
    request=ReplyIn,
    query=BACK_QUERY,
    statuses=(409,),
)
def reply(suggestion_id: str):  # type: ignore[no-untyped-def]
    request = routes.request

    def act() -> Any:
        body = form_of(request, ReplyIn)
        replied = suggestions.reply_to_suggestion(
            principal(request), composition.suggestions(), composition.clock(), suggestion_id, body.reply
        )
        return _back(replied, "replied")

    def show(sent: Sent) -> Any:
        return _inbox(request, hall_param(request, principal(request)), sent)

    return submit(request, f"reply-{suggestion_id}", act, show)


@routes.action("/console/suggestions/{suggestion_id}/close", summary="Close a suggestion", statuses=(409,))
def close(suggestion_id: str):  # type: ignore[no-untyped-def]
    closed = suggestions.close_suggestion(
        principal(routes.request), composition.suggestions(), composition.clock(), suggestion_id
    )
    return _back(closed, "closed")
