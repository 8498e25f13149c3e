"""Run one scheduled job once, by hand, against the local stack (``make job NAME=...``).

Needs `make run`'s DynamoDB Local to be up (same DYNAMODB_PORT and data dir).
``--at <ISO time>`` runs it as if at that time (the job's clock; e.g. to see
which devices the alert checks would find silent half an hour from now).
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from chalice.app import ScheduledEventConfig

from devstack.dynamodb_local import ROOT
from devstack.pump import LambdaContext, handler_of, scheduled_event
from devstack.run import local_environment


class _Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _at(raw: str) -> datetime | None:
    try:
        found = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return found.astimezone(UTC) if found.tzinfo else None


def main(argv: list[str]) -> int:
    db_port = int(os.environ.get("DYNAMODB_PORT") or 8001)
    data_dir = Path(os.environ.get("TINGSHENG_DATA_DIR") or ROOT / ".data").resolve()
    os.environ.update(local_environment(f"http://127.0.0.1:{db_port}", data_dir, int(os.environ.get("PORT") or 8000)))
    from devstack.server import load_app

    app, _ = load_app("local")
    jobs = {c.name: c for c in app.event_sources if isinstance(c, ScheduledEventConfig)}
    at = _at(argv[2]) if len(argv) == 3 and argv[1] == "--at" else None
    if len(argv) not in (1, 3) or argv[0] not in jobs or (len(argv) == 3 and at is None):
        print(f"usage: make job NAME=<{'|'.join(sorted(jobs))}> [AT=<ISO time with offset>]", file=sys.stderr)
        return 2
    if at is not None:
        from chalicelib import composition

        composition.clock = lambda: _Clock(at)  # type: ignore[assignment]
    config = jobs[argv[0]]
    handler_of(config)(scheduled_event(config.name, at or datetime.now(UTC)), LambdaContext(config.name))
    print(f"ran {config.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
