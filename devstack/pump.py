"""The local event and schedule pump.

In AWS, DynamoDB Streams and EventBridge schedules invoke the app's event
handlers; ``chalice local`` serves HTTP only. The pump will read DynamoDB
Local's stream and fire the schedules, invoking the same handler functions
with events shaped as Lambda's. The app has no event handlers yet, so it
only reports what it would run.
"""

from __future__ import annotations

from typing import Any


class Pump:
    def __init__(self, app: Any) -> None:
        self.app = app

    def start(self) -> None:
        """Nothing to pump until the app registers stream or schedule handlers."""

    def stop(self) -> None:
        """Stops the pump's threads."""
