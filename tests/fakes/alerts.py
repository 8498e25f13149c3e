"""In-memory alerts, reading the window tallies of an in-memory rating repository."""

from __future__ import annotations

import collections
from datetime import datetime

from chalicelib.domain.alerts import Alert, AlertKind, AlertRules, AlertStatus
from chalicelib.domain.business_time import SHANGHAI
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.notifications import Notification
from chalicelib.domain.paging import Page
from chalicelib.domain.stats import StatKey, StatKind, slot_of
from chalicelib.services.ports import OpenAlert
from tests.fakes.callbacks import InMemoryOutbox
from tests.fakes.organisation import page_of
from tests.fakes.ratings import InMemoryRatingRepository


class InMemoryAlertRepository:
    def __init__(self, ratings: InMemoryRatingRepository | None = None, outbox: InMemoryOutbox | None = None) -> None:
        self.alerts: dict[str, Alert] = {}
        self.scopes: dict[tuple[AlertKind, str], tuple[str | None, int]] = {}  # open id, times raised
        self.saved_rules = AlertRules()
        self.tallies = (ratings or InMemoryRatingRepository()).tallies
        self.outbox = outbox or InMemoryOutbox()

    def rules(self) -> AlertRules:
        return self.saved_rules

    def save_rules(self, rules: AlertRules) -> None:
        self.saved_rules = rules

    def times_raised(self, kind: AlertKind, scope: str) -> int:
        return self.scopes.get((kind, scope), (None, 0))[1]

    def raise_alert(self, alert: Alert, notification: Notification | None) -> bool:
        open_id, raised = self.scopes.get((alert.kind, alert.scope), (None, 0))
        if open_id is not None:
            return False
        self.scopes[(alert.kind, alert.scope)] = (alert.id, raised + 1)
        self.alerts[alert.id] = alert
        if notification is not None:
            self.outbox.put(notification)
        return True

    def open_alerts(self, kind: AlertKind, hall_code: str | None = None) -> list[OpenAlert]:
        found = []
        for (k, _), (open_id, _) in sorted(self.scopes.items()):
            if k is kind and open_id is not None:
                a = self.alerts[open_id]
                if hall_code is None or a.hall_code == hall_code:
                    found.append(OpenAlert(a.id, a.kind, a.scope, a.hall_code, a.counter, a.subject, a.raised_at))
        return found

    def resolve(self, alert: OpenAlert, at: datetime) -> bool:
        open_id, raised = self.scopes.get((alert.kind, alert.scope), (None, 0))
        if open_id != alert.alert_id:
            return False
        self.scopes[(alert.kind, alert.scope)] = (None, raised)
        stored = self.alerts[alert.alert_id]
        self.alerts[alert.alert_id] = stored.model_copy(update={"status": AlertStatus.resolved, "resolved_at": at})
        return True

    def acknowledge(self, alert_id: str, by: str, note: str, at: datetime) -> Alert:
        alert = self.alerts.get(alert_id)
        if alert is None:
            raise NotFound(f"No alert {alert_id}.")
        if alert.status is not AlertStatus.open:
            raise Conflict(f"Alert {alert_id} is {alert.status.value}, not open.")
        update = {"status": AlertStatus.acknowledged, "acknowledged_by": by, "note": note, "acknowledged_at": at}
        self.alerts[alert_id] = alert.model_copy(update=update)
        return self.alerts[alert_id]

    def get(self, alert_id: str) -> Alert | None:
        return self.alerts.get(alert_id)

    def list_by_hall(self, hall_code: str, status: AlertStatus, cursor: str | None, limit: int) -> Page[Alert]:
        # Newest first: keys that sort the newest first.
        keyed = {
            f"{9e12 - a.raised_at.timestamp():016.3f}#{a.id}": a
            for a in self.alerts.values()
            if a.hall_code == hall_code and a.status is status
        }
        return page_of(keyed, cursor, limit)

    def window_tallies(
        self, hall_code: str, first: datetime, last: datetime
    ) -> dict[StatKey, collections.Counter[str]]:
        low = (first.astimezone(SHANGHAI).strftime("%Y-%m"), slot_of(first))
        high = (last.astimezone(SHANGHAI).strftime("%Y-%m"), slot_of(last))
        return {
            k: collections.Counter(v)
            for k, v in self.tallies.items()
            if k.kind is StatKind.window and k.hall_code == hall_code and low <= (k.month, k.part) <= high
        }
