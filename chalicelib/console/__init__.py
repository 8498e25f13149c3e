"""The manager console (SPEC §4.3): server-rendered pages behind a session
cookie, each area calling the same services as the JSON API."""

from chalicelib.console import (
    admin,
    appeals,
    audit,
    callbacks,
    corrections,
    dashboard,
    exports,
    imports,
    inspections,
    live,
    outreach,
    qr,
    reports,
    session,
    sign_in,
    stars,
    suggestions,
    surveys,
    tickets,
    users,
)
from chalicelib.console import calendar as calendar_page

BLUEPRINTS = tuple(
    m.routes.blueprint
    for m in (
        sign_in,
        admin,
        corrections,
        imports,
        audit,
        appeals,
        calendar_page,
        callbacks,
        dashboard,
        outreach,
        qr,
        reports,
        suggestions,
        users,
        tickets,
        inspections,
        stars,
        live,
        surveys,
        exports,
    )
)

read_session = session.principal_of
