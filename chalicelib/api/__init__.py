"""The JSON API (SPEC §4.2–§4.4): devices, managers, agents and admins, with bearer keys."""

from chalicelib.api import (
    admin,
    appeals,
    audit,
    auth,
    calendar,
    callbacks,
    corrections,
    device,
    exports,
    imports,
    month_reports,
    outreach,
    public,
    qr,
    reports,
    suggestions,
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
        exports,
    )
)
