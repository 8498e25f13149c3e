"""The route table the API function serves from is the routes the surfaces declare, and serving
from it loads a route's module only when the route is first asked for."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from chalicelib import route_table, surfaces
from devstack.dynamodb_local import ROOT


def test_the_table_is_every_declared_route():
    stale = "chalicelib/route_table.py is stale: run `make routes`"
    assert list(route_table.ROUTES) == surfaces.declared(), stale


PROBE = """
import json, sys
import app
from chalice.test import Client

def surfaces():
    surfaces = ("chalicelib.api.", "chalicelib.pages.", "chalicelib.console.")
    return sorted(m for m in sys.modules if m.startswith(surfaces))

cold = surfaces()
with Client(app.app) as client:
    answer = client.http.get("/healthz")
print(json.dumps({
    "routes": sum(len(m) for m in app.app.routes.values()),
    "cold": cold,
    "after": surfaces(),
    "status": answer.status_code,
    "pydantic_cold": "pydantic" in sys.modules,
}))
"""


def test_a_cold_start_loads_no_surface_and_a_request_only_its_own():
    env = {**os.environ, "TINGSHENG_TABLE": "missing", "AWS_DEFAULT_REGION": "cn-north-1"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["routes"] == len(route_table.ROUTES)
    assert found["cold"] == []
    assert found["after"] == ["chalicelib.api.public", "chalicelib.api.schemas"]
    assert found["status"] in (200, 503)
