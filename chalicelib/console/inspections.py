"""Console: inspections (明察暗访). A month's inspections (an inspector's own; a hall's for
managers and admins), one inspection with its findings, void and appeal, and the inspection
form for a phone: the window first, then one checklist section per screen (pass, fail or not
checked per item, a note for each), without JavaScript.

The form's screens carry what was answered so far in hidden fields and its id (a UUID made
when the form opened), so the last screen's submit records one inspection however often it
is sent, and Back in the browser loses nothing. The same service calls as /api/v1/inspections.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationError

from chalicelib import composition
from chalicelib.console.callbacks import local
from chalicelib.console.halls import hall_param, halls_of
from chalicelib.console.layout import (
    DONE_QUERY,
    HALL_QUERY,
    ConsoleRoutes,
    Sent,
    filter_of,
    principal,
    redirect,
    render,
    sent_back,
    submit,
)
from chalicelib.console.reports import month_param, this_month
from chalicelib.domain.accounts import Role
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.checklists import BUILT_IN, Checklist, ChecklistCode
from chalicelib.domain.errors import InvalidInput, NotFound, Reason
from chalicelib.domain.inspections import Inspection, Mode
from chalicelib.domain.organisation import Code, CounterNumber, StaffNo
from chalicelib.inputs import InspectionIn, inspection_fields
from chalicelib.services import inspections
from chalicelib.web.errors import invalid_input
from chalicelib.web.requests import form_fields, query
from chalicelib.web.routing import CURSOR, MONTH, PathParam, QueryParam, schema
from chalicelib.web.schemas import Strict, blank_is_none

routes = ConsoleRoutes(__name__)
PAGE_SIZE = 50
MONTH_QUERY = QueryParam("month", "YYYY-MM (default: this month)", schema=MONTH)
INSPECTION_ID = PathParam("inspection_id", schema(type="string", maxLength=64), "the inspection's id")
LOCAL_MINUTE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}$"  # what <input type=datetime-local> sends


def _ports() -> inspections.InspectionPorts:
    return composition.inspection_ports()


# ---- a month's inspections -----------------------------------------------------------------
@routes.page(
    "/console/inspections",
    summary="A month's inspections: your own (inspectors), a hall's (managers, admins)",
    query=(HALL_QUERY, MONTH_QUERY, CURSOR, DONE_QUERY),
)
def list_page():  # type: ignore[no-untyped-def]
    request = routes.request
    actor = principal(request)
    actor.require_role(Role.admin, Role.manager, Role.inspector)
    month, refused = filter_of(request, "month-filter", lambda: month_param(request), this_month)
    hall = None if actor.role is Role.inspector else hall_param(request, actor)
    page = inspections.list_inspections(
        actor, _ports(), hall_code=hall, month=month, cursor=query(request, "cursor"), limit=PAGE_SIZE
    )
    return render(
        request,
        "inspections.html",
        sent=refused,
        section="inspections",
        halls=[] if actor.role is Role.inspector else halls_of(actor),
        hall=hall,
        month=month,
        items=page.items,
        next=page.next,
        summary=None if hall is None else inspections.hall_month(actor, composition.ratings(), hall, month),
        local=local,
        done=query(request, "done"),
    )


# ---- one inspection ------------------------------------------------------------------------
@routes.page(
    "/console/inspections/{inspection_id}",
    summary="One inspection: its findings by section, void and appeal",
    query=(DONE_QUERY,),
    statuses=(404,),
    path_params=(INSPECTION_ID,),
)
def detail_page(inspection_id: str):  # type: ignore[no-untyped-def]
    return _detail(routes.request, inspection_id)


def _detail(request: Any, inspection_id: str, sent: Sent | None = None) -> Any:
    actor = principal(request)
    found = inspections.get_inspection(actor, _ports(), inspection_id)
    used = inspections.checklist(composition.checklists(), found.checklist, found.version)
    return render(
        request,
        "inspection.html",
        sent=sent,
        page=f"/console/inspections/{inspection_id}",
        section="inspections",
        i=found,
        sections=_findings_by_section(found, used),
        checklist=used,
        may_void=inspections.may_void(actor, found, composition.clock().now()),
        may_appeal=actor.role in (Role.admin, Role.manager) and found.appeal is None and found.counted,
        may_decide=(
            actor.role in (Role.admin, Role.manager)
            and found.appeal is not None
            and found.appeal.status == "pending"
            and found.appeal.appellant != actor.username
        ),
        local=local,
        done=query(request, "done"),
    )


def _findings_by_section(found: Inspection, used: Checklist) -> list[dict[str, Any]]:
    given = {f.item: f for f in found.findings}
    return [
        {"section": s, "rows": [(item, given[item.key]) for item in s.items if item.key in given]}
        for s in used.sections
        if any(item.key in given for item in s.items)
    ]


class VoidForm(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class AppealForm(Strict):
    note: str = Field(default="", max_length=1000)


class DecideForm(Strict):
    decision: Literal["uphold", "reject"]
    note: str = Field(default="", max_length=1000)


def _action(inspection_id: str, form: str, model: type[Strict], act: Any) -> Any:
    request = routes.request

    def run() -> Any:
        data = {k: v for k, v in form_fields(request).items() if k != "csrf"}
        act(principal(request), model.model_validate(data))
        return redirect(request, f"/console/inspections/{inspection_id}", done=form)

    return submit(request, form, run, lambda sent: _detail(request, inspection_id, sent))


@routes.action(
    "/console/inspections/{inspection_id}/void",
    summary="Void an inspection with a reason (admin; its inspector within 24 h)",
    request=VoidForm,
    statuses=(404, 409),
    path_params=(INSPECTION_ID,),
)
def void(inspection_id: str):  # type: ignore[no-untyped-def]
    return _action(
        inspection_id,
        "void",
        VoidForm,
        lambda actor, body: inspections.void(actor, _ports(), inspection_id, body.reason, composition.auditor()),
    )


@routes.action(
    "/console/inspections/{inspection_id}/appeal",
    summary="Appeal an inspection for its clerk (manager of the hall, admin)",
    request=AppealForm,
    statuses=(404, 409),
    path_params=(INSPECTION_ID,),
)
def appeal(inspection_id: str):  # type: ignore[no-untyped-def]
    return _action(
        inspection_id,
        "appeal",
        AppealForm,
        lambda actor, body: inspections.appeal(actor, _ports(), inspection_id, body.note),
    )


@routes.action(
    "/console/inspections/{inspection_id}/decide",
    summary="Decide an inspection's appeal (never by the appellant)",
    request=DecideForm,
    statuses=(404, 409),
    path_params=(INSPECTION_ID,),
)
def decide(inspection_id: str):  # type: ignore[no-untyped-def]
    return _action(
        inspection_id,
        "decide",
        DecideForm,
        lambda actor, body: inspections.decide_appeal(
            actor, _ports(), inspection_id, body.decision == "uphold", body.note
        ),
    )


# ---- the inspection form: the window, then one section per screen --------------------------
class StartForm(Strict):
    """The first screen: which window, when, how and on which checklist."""

    id: uuid.UUID
    hall_code: Code
    counter: CounterNumber
    staff_no: Annotated[StaffNo | None, BeforeValidator(blank_is_none)] = None
    mode: Mode
    inspected_at: str = Field(pattern=LOCAL_MINUTE)
    checklist: ChecklistCode = BUILT_IN


START_FIELDS = tuple(StartForm.model_fields)


def _now_local() -> str:
    return composition.clock().now().astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


@routes.page("/console/inspections/new", summary="The inspection form's first screen: the window inspected")
def new_page():  # type: ignore[no-untyped-def]
    request = routes.request
    principal(request).require_role(Role.admin, Role.inspector)
    values = {"id": str(uuid.uuid4()), "inspected_at": _now_local(), "mode": Mode.undercover.value}
    return _start(request, values)


def _start(request: Any, values: dict[str, Any], sent: Sent | None = None) -> Any:
    actor = principal(request)
    return render(
        request,
        "inspection_form.html",
        sent=sent,
        page="/console/inspections/new",
        section="inspections",
        step=-1,
        values=values,
        # The answers of the sections, kept while the window is corrected (Back to the first screen).
        carried={k: v for k, v in values.items() if k not in (*START_FIELDS, "csrf", "go", "step")},
        checklists=inspections.every_checklist(actor, composition.checklists()),
        modes=[m.value for m in Mode],
    )


def _start_of(data: dict[str, Any]) -> StartForm:
    wanted = {k: data[k] for k in START_FIELDS if k in data}
    counter = wanted.get("counter")
    if isinstance(counter, str) and counter.isascii() and counter.isdigit():
        wanted["counter"] = int(counter)
    return StartForm.model_validate(wanted)


def _checklist_of(start: StartForm) -> Checklist:
    return inspections.checklist(composition.checklists(), start.checklist, None)


def _section_fields(used: Checklist, step: int) -> set[str]:
    return {f"{p}.{i.key}" for i in used.sections[step].items for p in ("f", "n")}


def _screen(request: Any, data: dict[str, Any], used: Checklist, step: int, sent: Sent | None = None) -> Any:
    own = _section_fields(used, step)
    carried = {k: v for k, v in data.items() if k not in own and k not in ("csrf", "go", "step")}
    return render(
        request,
        "inspection_form.html",
        sent=sent,
        page="/console/inspections/new",
        section="inspections",
        step=step,
        steps=len(used.sections),
        checklist=used,
        current=used.sections[step],
        values=data,
        carried=carried,
    )


@routes.action(
    "/console/inspections/new",
    summary="The inspection form's next screen (Next, Back), or recording it (Submit: 303 to the inspection)",
    status=200,
    statuses=(303, 404, 409),
)
def new_step():  # type: ignore[no-untyped-def]
    request = routes.request
    principal(request).require_role(Role.admin, Role.inspector)
    data = {k: v for k, v in form_fields(request).items() if k != "csrf"}
    raw_step = str(data.get("step", "-1"))
    step = int(raw_step) if re.fullmatch(r"-?[0-9]{1,3}", raw_step) else -1
    go = data.get("go", "next")
    try:
        start = _start_of(data)
        used = _checklist_of(start)
    except ValidationError as e:  # the first screen refused: it comes back as typed, why beside each field
        return _start(request, data, sent_back(request, "inspection-start", invalid_input(e), values=data))
    except NotFound as e:  # an unknown checklist
        return _start(
            request, data, sent_back(request, "inspection-start", InvalidInput(e.message, e.fields), values=data)
        )
    last = len(used.sections) - 1
    step = max(-1, min(step, last))  # a screen of this checklist, whatever the form says
    if go == "back":
        return _start(request, data) if step <= 0 else _screen(request, data, used, min(step - 1, last))
    if go == "submit":
        return _record(request, data, start, used)
    return _screen(request, data, used, min(step + 1, last))


def _record(request: Any, data: dict[str, Any], start: StartForm, used: Checklist) -> Any:
    findings: list[dict[str, Any]] = []
    where: dict[int, tuple[int, str]] = {}
    for index, section in enumerate(used.sections):
        for item in section.items:
            answer = data.get(f"f.{item.key}")
            if answer in ("pass", "fail"):
                where[len(findings)] = (index, item.key)
                findings.append({"item": item.key, "passed": answer == "pass", "note": data.get(f"n.{item.key}", "")})
    try:
        local_time = datetime.fromisoformat(start.inspected_at).replace(tzinfo=SHANGHAI)
    except ValueError:  # the right shape, no such day or time
        refused = InvalidInput(
            "No such time.", {"inspected_at": "a real date and time"}, reason=Reason("datetime_parsing")
        )
        return _start(request, data, sent_back(request, "inspection-start", refused, values=data))
    try:
        body = InspectionIn.model_validate(
            {
                "id": start.id,
                "hall_code": start.hall_code,
                "counter": start.counter,
                "staff_no": start.staff_no,
                "checklist": start.checklist,
                "version": used.version,
                "mode": start.mode,
                "inspected_at": local_time,
                "findings": findings,
            }
        )
        recorded = inspections.record(principal(request), _ports(), **inspection_fields(body))
    except ValidationError as e:
        return _refused(request, data, used, invalid_input(e), where)
    except (InvalidInput, NotFound) as e:  # NotFound: an unknown hall, counter or clerk, named as a field
        if not e.fields:
            raise
        return _refused(
            request, data, used, InvalidInput(e.message, e.fields, reason=e.reason, reasons=e.reasons), where
        )
    return redirect(request, f"/console/inspections/{recorded.inspection.id}", done="recorded")


def _refused(
    request: Any, data: dict[str, Any], used: Checklist, error: InvalidInput, where: dict[int, tuple[int, str]]
) -> Any:
    """A refused submit: the screen of the first item at fault (the first screen for the window's
    fields, the last section when nothing was checked), why beside each field."""
    fields: dict[str, str] = {}
    reasons: dict[str, Reason] = {}
    screen: int | None = None
    for name, why in error.fields.items():
        parts = name.split(".")
        if parts[0] == "findings" and len(parts) >= 2 and parts[1].isdigit() and int(parts[1]) in where:
            index, key = where[int(parts[1])]
            mapped = f"n.{key}" if parts[-1] == "note" else f"f.{key}"
            screen = index if screen is None else min(screen, index)
        elif parts[0] == "findings":
            mapped, screen = "findings", len(used.sections) - 1 if screen is None else screen
        else:
            mapped = parts[0]
            screen = -1
        fields[mapped] = why
        found = error.reason_of(name)
        if found is not None:
            reasons[mapped] = found
    mapped_error = InvalidInput(error.message, fields, reason=error.reason, reasons=reasons)
    if screen is None or screen < 0:
        return _start(request, data, sent_back(request, "inspection-start", mapped_error, values=data))
    sent = sent_back(request, "inspection-section", mapped_error, values=data)
    return _screen(request, data, used, screen, sent)
