"""The stream and schedule functions (TINGSHENG_FUNCTION=events) import the app without its
routes, and still have every event handler; neither kind of function loads a surface, or the
event handlers' module, before it is called."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from devstack.dynamodb_local import ROOT

PROBE = """
import json, sys
SURFACES = ("chalicelib.console", "chalicelib.pages", "chalicelib.api", "chalicelib.events", "jinja2")
import app
print(json.dumps({
    "routes": len(app.app.routes),
    "handlers": sorted(c.name for c in app.app.event_sources),
    "loaded": sorted(m for m in sys.modules if m.startswith(SURFACES)),
}))
"""


def probe(**env: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def test_event_functions_load_no_routes_but_every_handler():
    events, api = probe(TINGSHENG_FUNCTION="events"), probe()
    assert events["routes"] == 0 and events["loaded"] == []
    assert api["routes"] and api["loaded"] == []
    assert events["handlers"] == api["handlers"] and "export_jobs" in events["handlers"]


LOG = """
import app
from chalicelib import events
events.logger.info("callback task opened", extra={"task_id": "t-1"})
"""


def test_the_event_handlers_log_structured_lines_after_the_app_is_imported():
    done = subprocess.run([sys.executable, "-c", LOG], cwd=ROOT, capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(line["message"], line["task_id"]) for line in lines] == [("callback task opened", "t-1")]
