"""Tingsheng (厅声): routes and event handlers, wired to services.

The surfaces (the JSON API, the customer pages, the console) are served from
their route table, each route's module loaded on its first request; the stream
and schedule handlers call chalicelib/events. This file only registers them.
"""

import os
from types import ModuleType

from chalice import Chalice, Cron, Rate

# The "tingsheng" logger is the structured (JSON) one of the boundary and the event handlers,
# which load after the app: Chalice must not give it its plain handler first.
app = Chalice(app_name="tingsheng", configure_logs=False)

# The stream and schedule functions serve no HTTP: the deploy template tells them so
# (TINGSHENG_FUNCTION=events), and they start without the routes.
if os.environ.get("TINGSHENG_FUNCTION") != "events":
    from chalicelib import route_table
    from chalicelib.web import serving

    serving.install(
        app,
        route_table.ROUTES,
        boundary="chalicelib.web.boundary:middleware",
        sessions="chalicelib.console.session:principal_of",
    )


def handlers() -> ModuleType:
    """The event handlers' module (chalicelib/events), loaded by the functions that handle events."""
    from chalicelib import events

    return events


# Chalice needs the stream's ARN as a literal when it imports the app; the
# deploy template points the event source at the table's real stream.
TABLE_STREAM_ARN = os.environ.get(
    "TINGSHENG_STREAM_ARN", "arn:aws:dynamodb:cn-north-1:000000000000:table/tingsheng/stream/placeholder"
)


@app.on_dynamodb_record(stream_arn=TABLE_STREAM_ARN, batch_size=100, starting_position="TRIM_HORIZON")
def table_changes(event):  # type: ignore[no-untyped-def]
    return handlers().handle_stream_batch(event.to_dict())


# Schedules are EventBridge cron in UTC; business times are Asia/Shanghai (UTC+8).
@app.schedule(Cron(5, "*", "*", "*", "?", "*"))  # hourly, at minute 5
def callback_clocks(event):  # type: ignore[no-untyped-def]
    handlers().check_callback_clocks()


@app.schedule(Cron(30, 0, "*", "*", "?", "*"))  # 08:30 Asia/Shanghai; the job skips days off
def suggestion_digest(event):  # type: ignore[no-untyped-def]
    handlers().prepare_suggestion_digests()


@app.schedule(Cron(0, 19, "*", "*", "?", "*"))  # 03:00 Asia/Shanghai
def phone_retention(event):  # type: ignore[no-untyped-def]
    handlers().purge_expired_phones()


@app.schedule(Cron(0, 1, "*", "*", "?", "*"))  # 09:00 Asia/Shanghai; acts two weeks before quarter end
def outreach_reminder(event):  # type: ignore[no-untyped-def]
    handlers().remind_outreach()


@app.schedule(Cron(10, "*", "*", "*", "?", "*"))  # hourly, at minute 10
def ticket_clocks(event):  # type: ignore[no-untyped-def]
    handlers().check_ticket_clocks()


@app.schedule(Cron("0/5", "*", "*", "*", "?", "*"))  # every five minutes
def alert_checks(event):  # type: ignore[no-untyped-def]
    handlers().check_alerts()


# Export jobs (SPEC §4.10): a function of their own (more memory, 15 minutes), fed by the same
# stream; the deploy template filters its records down to queued export jobs.
@app.on_dynamodb_record(stream_arn=TABLE_STREAM_ARN, batch_size=1, starting_position="TRIM_HORIZON")
def export_jobs(event):  # type: ignore[no-untyped-def]
    handlers().run_export_jobs(event.to_dict())


@app.schedule(Rate(5, unit=Rate.MINUTES))  # an export whose run stopped midway is queued again, or failed
def export_sweep(event):  # type: ignore[no-untyped-def]
    handlers().sweep_exports()
