"""Schemathesis hooks for tests/integration/test_schemathesis.py (loaded by the CLI
through the configuration's ``hooks``): a console form carries the CSRF token of
the run's session, as a page the browser loaded would, so console actions are
tested past the token check. The token comes from ``TS_CSRF``."""

from __future__ import annotations

import os
from typing import Any

import schemathesis


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    token = os.environ.get("TS_CSRF")
    if not token or case.method.upper() != "POST" or not case.path.startswith("/console/"):
        return
    if case.path == "/console/login":  # signing in has its own token, tied to a cookie
        return
    if isinstance(case.body, dict):
        case.body["csrf"] = token
