"""Alerts (SPEC §3.4, §4.9): raised from stored data by the stream and a schedule, never by a scan.

- negative spike: the stream evaluates a hall's rolling window (its window
  tallies, one Query) when its ratings arrive; the schedule re-evaluates the
  halls with an open spike, so one resolves once the window moves on;
- silent device: the schedule reads the index of devices by last seen;
- unopened box and overdue callback: raised where those flags are set (the
  morning digest, the callback clocks), listed only (their flag notified);
- overdue work order: raised where the work-order clocks flag it
  (``order_overdue``), resolved by the schedule once it is answered or closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from chalicelib.domain.accounts import Role, UserPrincipal
from chalicelib.domain.alerts import (
    LISTED_ONLY,
    Alert,
    AlertKind,
    AlertRules,
    AlertStatus,
    counter_scope,
    silent_detail,
    spike_detail,
    spiking,
    subject_scope,
)
from chalicelib.domain.audit import Action, RecordKind
from chalicelib.domain.callbacks import CallbackTask
from chalicelib.domain.callbacks import Status as TaskStatus
from chalicelib.domain.errors import NotFound
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.opening_hours import open_throughout
from chalicelib.domain.organisation import Hall
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import Tally
from chalicelib.domain.suggestions import box_overdue
from chalicelib.domain.tickets import Status as TicketStatus
from chalicelib.domain.tickets import Ticket
from chalicelib.domain.workdays import WorkingDays
from chalicelib.services import audit
from chalicelib.services.audit import Auditor
from chalicelib.services.organisation import every_hall
from chalicelib.services.ports import (
    AlertRepository,
    CallbackRepository,
    Clock,
    OrganisationRepository,
    SuggestionRepository,
    TicketRepository,
)


@dataclass(frozen=True)
class AlertPorts:
    alerts: AlertRepository
    org: OrganisationRepository
    clock: Clock


def _raise(
    ports: AlertPorts,
    kind: AlertKind,
    scope: str,
    hall: Hall,
    detail: str,
    *,
    counter: int | None = None,
    subject: str | None = None,
) -> bool:
    """Store a new open alert unless one is open for the kind and scope; notify the hall manager
    (and the branch when the same cause raised one before), unless the kind is listed only."""
    now = ports.clock.now()
    alert = Alert(
        id=str(uuid.uuid4()),
        kind=kind,
        scope=scope,
        hall_code=hall.code,
        counter=counter,
        subject=subject,
        raised_at=now,
        detail=detail,
    )
    notification = None
    if kind not in LISTED_ONLY:
        repeat = ports.alerts.times_raised(kind, scope) > 0
        notification = Notification(
            id=f"alert-{alert.id}",
            kind=f"alert_{kind.value}",
            hall_code=hall.code,
            audiences=(Audience.hall_manager, Audience.branch) if repeat else (Audience.hall_manager,),
            subject=f"{hall.name}: {detail}",
            body=f"{hall.name} ({hall.code}) {detail}",
            created_at=now,
        )
    return ports.alerts.raise_alert(alert, notification)


# ---- negative spikes ----------------------------------------------------------------
def evaluate_spikes(ports: AlertPorts, hall_code: str) -> int:
    """Raise or resolve the hall's spike alerts from its rolling window; the number changed.

    A counter with ≥ spike_share 差评 among ≥ spike_min scored ratings rated in the window
    has one open alert; the hall has one only when no counter spikes (SPEC §3.4).
    """
    now = ports.clock.now()
    rules = ports.alerts.rules()
    window = ports.alerts.window_tallies(hall_code, now - timedelta(minutes=rules.spike_minutes), now)
    per_counter: dict[int, Tally] = {}
    for key, counts in window.items():
        if key.shard is not None:
            per_counter[key.shard] = per_counter.get(key.shard, Tally()) + Tally.of(dict(counts))
    total = sum(per_counter.values(), Tally())
    spikes = {c: t for c, t in sorted(per_counter.items()) if spiking(t, rules)}
    hall_spike = spiking(total, rules) and not spikes
    opened = {a.scope: a for a in ports.alerts.open_alerts(AlertKind.negative_spike, hall_code)}
    changed = 0
    for alert in opened.values():
        still = alert.counter in spikes if alert.counter is not None else hall_spike
        if not still:
            changed += ports.alerts.resolve(alert, now)
    wanted: list[tuple[str, int | None, Tally]] = [(counter_scope(hall_code, c), c, t) for c, t in spikes.items()]
    if hall_spike:
        wanted.append((hall_code, None, total))
    wanted = [w for w in wanted if w[0] not in opened]
    if wanted:
        hall = ports.org.get_hall(hall_code)
        if hall is None:
            return changed
        for scope, counter, tally in wanted:
            detail = spike_detail(tally, rules, counter, hall.name)
            changed += _raise(ports, AlertKind.negative_spike, scope, hall, detail, counter=counter)
    return changed


def recheck_spikes(ports: AlertPorts) -> int:
    """The halls with an open spike, evaluated again (the window moves on without new ratings)."""
    halls = sorted({a.hall_code for a in ports.alerts.open_alerts(AlertKind.negative_spike)})
    return sum(evaluate_spikes(ports, h) for h in halls)


# ---- silent devices -------------------------------------------------------------------
def check_devices(ports: AlertPorts, calendar: WorkingDays) -> int:
    """Raise an alert for each device silent for ``silent_minutes`` while its hall was open all
    that time; resolve those seen again (or revoked). The number changed."""
    now = ports.clock.now()
    rules = ports.alerts.rules()
    since = now - timedelta(minutes=rules.silent_minutes)
    changed = 0
    alerted = set()
    for alert in ports.alerts.open_alerts(AlertKind.silent_device):
        device = ports.org.get_device(alert.subject or "")
        if device is None or device.revoked or (device.last_seen_at is not None and device.last_seen_at > since):
            changed += ports.alerts.resolve(alert, now)
        else:
            alerted.add(device.device_id)
    halls: dict[str, Hall | None] = {}
    for device in ports.org.devices_seen_before(since):
        if device.device_id in alerted:
            continue
        if device.hall_code not in halls:
            halls[device.hall_code] = ports.org.get_hall(device.hall_code)
        hall = halls[device.hall_code]
        if hall is None or not hall.active or not open_throughout(hall, since, now, calendar):
            continue
        detail = silent_detail(device.counter_number, device.last_seen_at, rules.silent_minutes)
        scope = subject_scope(hall.code, device.device_id)
        changed += _raise(
            ports, AlertKind.silent_device, scope, hall, detail, counter=device.counter_number, subject=device.device_id
        )
    return changed


# ---- flags that exist already: an unopened box, an overdue callback, an overdue order ----
def check_boxes(ports: AlertPorts, suggestions: SuggestionRepository, calendar: WorkingDays) -> int:
    """Each hall whose box is left unopened over a working day (the dashboard's flag) gets an alert."""
    now = ports.clock.now()
    raised = 0
    for hall in every_hall(ports.org):
        if not hall.active:
            continue
        opening = suggestions.last_box_opening(hall.code)
        last = opening.opened_at if opening else None
        if box_overdue(last, now, calendar.is_working_day, hall_created=hall.created_at):
            detail = "意见箱超过一个工作日未开箱 (box unopened for over a working day)"
            raised += _raise(ports, AlertKind.box_unopened, hall.code, hall, detail)
    return raised


def callback_overdue(ports: AlertPorts, task: CallbackTask) -> bool:
    """The callback clocks flagged a task overdue: list it as an alert (its flag notified already)."""
    hall = ports.org.get_hall(task.hall_code)
    if hall is None:
        return False
    detail = f"回访超期 (callback overdue): task {task.id}, resolution due {task.resolution_due:%Y-%m-%d}"
    return _raise(ports, AlertKind.callback_overdue, subject_scope(hall.code, task.id), hall, detail, subject=task.id)


def order_overdue(ports: AlertPorts, ticket: Ticket) -> bool:
    """The work-order clocks found an order past its due time: list it as an alert (its
    escalation notified already)."""
    hall = ports.org.get_hall(ticket.hall_code)
    if hall is None:
        return False
    detail = f"工单超期 (work order overdue): {ticket.ticket_no}, due {ticket.due_at:%Y-%m-%d %H:%M} UTC"
    return _raise(ports, AlertKind.ticket_overdue, subject_scope(hall.code, ticket.id), hall, detail, subject=ticket.id)


def recheck_orders(ports: AlertPorts, tickets: TicketRepository) -> int:
    """Resolve the overdue-order alerts of orders answered or closed since (one GetItem each)."""
    resolved = 0
    for alert in ports.alerts.open_alerts(AlertKind.ticket_overdue):
        ticket = tickets.get(alert.subject or "")
        if ticket is None or ticket.status in (TicketStatus.answered, TicketStatus.closed):
            resolved += ports.alerts.resolve(alert, ports.clock.now())
    return resolved


def recheck_listed(
    ports: AlertPorts, suggestions: SuggestionRepository, callbacks: CallbackRepository, calendar: WorkingDays
) -> int:
    """Resolve unopened-box alerts of opened boxes and overdue-callback alerts of closed tasks."""
    now = ports.clock.now()
    resolved = 0
    for alert in ports.alerts.open_alerts(AlertKind.box_unopened):
        opening = suggestions.last_box_opening(alert.hall_code)
        if opening is not None and opening.opened_at > alert.raised_at:
            resolved += ports.alerts.resolve(alert, now)
    for alert in ports.alerts.open_alerts(AlertKind.callback_overdue):
        task = callbacks.get(alert.subject or "")
        if task is None or task.status is TaskStatus.closed:
            resolved += ports.alerts.resolve(alert, now)
    return resolved


# ---- people ---------------------------------------------------------------------------
def list_alerts(
    actor: UserPrincipal,
    ports: AlertPorts,
    *,
    hall: str,
    status: AlertStatus = AlertStatus.open,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Alert]:
    actor.require_role(Role.admin, Role.manager)
    actor.require_hall(hall)
    return ports.alerts.list_by_hall(hall, status, cursor, limit)


def open_count(actor: UserPrincipal, ports: AlertPorts) -> int:
    """Unresolved alerts of the actor's halls (the console's badge): one keyed Query per kind."""
    if actor.role not in (Role.admin, Role.manager):
        return 0
    return sum(1 for kind in AlertKind for a in ports.alerts.open_alerts(kind) if actor.can_see_hall(a.hall_code))


def acknowledge(actor: UserPrincipal, ports: AlertPorts, alert_id: str, note: str) -> Alert:
    actor.require_role(Role.admin, Role.manager)
    alert = ports.alerts.get(alert_id)
    if alert is None or not actor.can_see_hall(alert.hall_code):
        raise NotFound(f"No alert {alert_id}.")
    return ports.alerts.acknowledge(alert_id, actor.username, note, ports.clock.now())


def set_rules(actor: UserPrincipal, ports: AlertPorts, rules: AlertRules, auditor: Auditor | None = None) -> AlertRules:
    actor.require_admin()
    before = ports.alerts.rules()
    if rules != before:
        ports.alerts.save_rules(rules)
        audit.record(
            auditor, actor.username, Action.update, RecordKind.alert_rules, "rules", before=before, after=rules
        )
    return rules
