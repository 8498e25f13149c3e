"""Alerts: one open per kind and scope (a raise while one is open stores nothing), resolving frees the
scope, the index of open alerts by kind and hall, acknowledging once, the rules, the window tallies."""

import collections
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.alerts import Alert, AlertKind, AlertRules, AlertStatus
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.notifications import Audience, Notification
from chalicelib.domain.ratings import Channel, Rating
from chalicelib.domain.stats import StatKey, StatKind

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def alert(n: int, scope: str = "A01#3", hall: str = "A01", kind: AlertKind = AlertKind.negative_spike) -> Alert:
    return Alert(
        id=f"alert-{n}",
        kind=kind,
        scope=scope,
        hall_code=hall,
        counter=3 if "#" in scope else None,
        raised_at=T0 + timedelta(minutes=n),
        detail=f"{n} of 10 差评 in 60 min at 3号窗口",
    )


def note(n: int) -> Notification:
    return Notification(
        id=f"alert-alert-{n}",
        kind="alert_negative_spike",
        hall_code="A01",
        audiences=(Audience.hall_manager,),
        subject="s",
        body="b",
        created_at=T0,
    )


def test_one_open_alert_per_kind_and_scope_until_it_resolves(repos):
    assert repos.alerts.raise_alert(alert(1), note(1))
    assert not repos.alerts.raise_alert(alert(2), note(2))
    assert repos.alerts.get("alert-2") is None
    assert not repos.outbox.put(note(1))  # stored with the alert
    assert repos.outbox.put(note(2))  # the refused raise stored no notification
    assert repos.alerts.raise_alert(alert(3, scope="A01"), None)  # the hall is another scope
    assert repos.alerts.raise_alert(alert(4, scope="A01#3", kind=AlertKind.silent_device), None)
    (opened,) = repos.alerts.open_alerts(AlertKind.negative_spike, "A01") and [
        a for a in repos.alerts.open_alerts(AlertKind.negative_spike, "A01") if a.scope == "A01#3"
    ]
    assert (opened.alert_id, opened.counter, opened.hall_code) == ("alert-1", 3, "A01")
    assert repos.alerts.resolve(opened, T0 + timedelta(hours=1))
    assert not repos.alerts.resolve(opened, T0 + timedelta(hours=2))
    assert repos.alerts.get("alert-1").status is AlertStatus.resolved
    assert repos.alerts.times_raised(AlertKind.negative_spike, "A01#3") == 1
    assert repos.alerts.raise_alert(alert(5), None)
    assert repos.alerts.times_raised(AlertKind.negative_spike, "A01#3") == 2


def test_open_alerts_are_found_by_kind_and_hall_and_listed_newest_first_by_status(repos):
    repos.alerts.raise_alert(alert(1, scope="A01#3"), None)
    repos.alerts.raise_alert(alert(2, scope="A01", hall="A01"), None)
    repos.alerts.raise_alert(alert(3, scope="A010", hall="A010"), None)
    assert {a.alert_id for a in repos.alerts.open_alerts(AlertKind.negative_spike, "A01")} == {"alert-1", "alert-2"}
    assert len(repos.alerts.open_alerts(AlertKind.negative_spike)) == 3
    assert repos.alerts.open_alerts(AlertKind.silent_device) == []
    page = repos.alerts.list_by_hall("A01", AlertStatus.open, None, 1)
    assert [a.id for a in page.items] == ["alert-2"] and page.next
    rest = repos.alerts.list_by_hall("A01", AlertStatus.open, page.next, 5)
    assert [a.id for a in rest.items] == ["alert-1"]


def test_an_open_alert_is_acknowledged_once_with_a_note(repos):
    repos.alerts.raise_alert(alert(1), None)
    done = repos.alerts.acknowledge("alert-1", "m1", "已处理", T0)
    assert (done.status, done.acknowledged_by, done.note, done.acknowledged_at) == (
        AlertStatus.acknowledged,
        "m1",
        "已处理",
        T0,
    )
    with pytest.raises(Conflict):
        repos.alerts.acknowledge("alert-1", "m2", "again", T0)
    with pytest.raises(NotFound):
        repos.alerts.acknowledge("nope", "m2", "x", T0)
    assert [a.id for a in repos.alerts.list_by_hall("A01", AlertStatus.acknowledged, None, 10).items] == ["alert-1"]
    assert repos.alerts.list_by_hall("A01", AlertStatus.open, None, 10).items == []
    (opened,) = repos.alerts.open_alerts(AlertKind.negative_spike)
    assert repos.alerts.resolve(opened, T0)
    assert [a.id for a in repos.alerts.list_by_hall("A01", AlertStatus.resolved, None, 10).items] == ["alert-1"]


def test_rules_default_to_the_spec_and_keep_what_an_admin_saved(repos):
    assert repos.alerts.rules() == AlertRules()
    repos.alerts.save_rules(AlertRules(spike_share=0.5, spike_min=4, spike_minutes=30, silent_minutes=15))
    assert repos.alerts.rules() == AlertRules(spike_share=0.5, spike_min=4, spike_minutes=30, silent_minutes=15)


def rating(n: int, at: datetime, counter: int = 3) -> Rating:
    return Rating(
        id=f"rating-{n:04d}",
        channel=Channel.qr,
        hall_code="A01",
        counter_number=counter,
        level=1,
        rated_at=at,
        received_at=at,
    )


def test_window_tallies_hold_the_slots_of_the_span_of_every_counter_across_a_month_end(repos):
    end = datetime(2026, 11, 30, 16, 10, tzinfo=UTC)  # 00:10 on 1 December in Shanghai
    batch = [
        rating(1, end - timedelta(minutes=65)),  # 23:05: before the span
        rating(2, end - timedelta(minutes=55)),  # 23:15
        rating(3, end - timedelta(minutes=20), counter=4),  # 23:50
        rating(4, end - timedelta(minutes=1)),  # 00:09, December
    ]
    repos.ratings.save_batch(batch)
    found = repos.alerts.window_tallies("A01", end - timedelta(minutes=60), end)
    one = collections.Counter(n1=1, score=1)
    assert found == {
        StatKey("A01", "2026-11", StatKind.window, "30-2315", 3): one,
        StatKey("A01", "2026-11", StatKind.window, "30-2350", 4): one,
        StatKey("A01", "2026-12", StatKind.window, "01-0005", 3): one,
    }
