"""The JSON API (SPEC §4.2–§4.4): devices, managers, agents and admins, with bearer keys."""

from chalicelib.api import (
    admin,
    alerts,
    appeals,
    audit,
    auth,
    calendar,
    callbacks,
    corrections,
    device,
    device_visits,
    imports,
    inspections,
    month_reports,
    notifications,
    outreach,
    public,
    qr,
    reports,
    stars,
    suggestions,
    surveys,
    tickets,
)

BLUEPRINTS = tuple(
    m.routes.blueprint
    for m in (
        public,
        auth,
        admin,
        corrections,
        outreach,
        device,
        qr,
        suggestions,
        callbacks,
        reports,
        month_reports,
        calendar,
        appeals,
        imports,
        audit,
        tickets,
        inspections,
        stars,
        device_visits,
        alerts,
        notifications,
        surveys,
    )
)
