"""Serves the Chalice app locally, as ``chalice local --stage local`` does, with
API Gateway's answer to an unknown route taken from infra/resources.json (the
gateway response the AWS template installs), so it has the JSON error shape.

Each request runs on its own thread, as concurrent Lambda invocations run
side by side, and the listen backlog is the system's, not http.server's 5: a
hall's worth of devices posting at once must not see connections refused or
reset. The app is safe to call from several threads: Chalice's local app keeps
the current request per thread, and ``warm_up`` builds the app's shared
clients (boto3 client creation is not thread-safe) before the first request.

The access log names the method, the path without its query string, the
status and the size: query strings can carry personal data (the tracking
page's ``?phone4=``), and the path and status are what a log reader needs.
"""

from __future__ import annotations

import json
import re
import socket
import sys
from pathlib import Path
from typing import Any

from chalice.cli.factory import CLIFactory
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    ForbiddenError,
    LocalChalice,
    LocalDevServer,
    LocalGatewayException,
    ThreadedHTTPServer,
)

ROOT = Path(__file__).resolve().parent.parent


def _gateway_response(response_type: str) -> tuple[int, bytes]:
    resources = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))["Resources"]
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::ApiGateway::GatewayResponse" and props.get("ResponseType") == response_type:
            return int(props["StatusCode"]), props["ResponseTemplates"]["application/json"].encode()
    raise LookupError(f"infra/resources.json has no gateway response {response_type}")


# A query string inside a logged text: from "?" to the next space or quote.
_QUERY = re.compile(r"\?[^\s'\"]*")


def without_query(text: str) -> str:
    """``text`` with every query string left out: ``GET /track/T1?phone4=1234`` -> ``GET /track/T1``."""
    return _QUERY.sub("", text)


class _RequestHandler(ChaliceRequestHandler):
    # Chalice's local gateway raises ForbiddenError exactly when no route matches.
    unknown_route = _gateway_response("MISSING_AUTHENTICATION_TOKEN")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Before a request line is understood there is no path (and send_error logs the error itself).
        path = str(getattr(self, "path", "-")).split("?", 1)[0]
        self.log_message('"%s %s" %s %s', self.command or "-", path, code, size)

    def log_message(self, format: str, *args: Any) -> None:
        # Errors quote the raw request line (a malformed request, a URI too long): its query goes too.
        message = without_query(format % args).translate(self._control_char_table)
        sys.stderr.write(f"{self.address_string()} - - [{self.log_date_time_string()}] {message}\n")

    def _send_error_response(self, error: LocalGatewayException) -> None:
        if isinstance(error, ForbiddenError):
            status, body = self.unknown_route
            self._send_http_response(status, {"Content-Type": "application/json"}, body)
            return
        super()._send_error_response(error)


def load_app(stage: str = "local") -> tuple[Any, Any]:
    """The app and its Chalice config; the stage's environment variables are set first."""
    factory = CLIFactory(project_dir=str(ROOT))
    config = factory.create_config_obj(chalice_stage_name=stage)
    app = factory.load_chalice_app(config.environment_variables)
    return app, config


class ThreadingServer(ThreadedHTTPServer):
    """A thread per request (daemon threads: stopping never waits for a slow client)."""

    daemon_threads = True
    block_on_close = False
    # socketserver's default is 5: a burst of devices connecting at once overflowed it, and the
    # connections left out waited for SYN retries (1, 3, 7, 15 s ...) or timed out.
    request_queue_size = socket.SOMAXCONN

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):  # the client left before its answer (a device timing out)
            sys.stderr.write(f"{client_address[0]} - - client went away: {error.__class__.__name__}\n")
            return
        super().handle_error(request, client_address)


def warm_up() -> None:
    """Build the app's settings and its one DynamoDB client before requests arrive on many
    threads: creating boto3 clients from several threads at once is not safe."""
    from chalicelib import composition

    composition.settings()
    composition.table()
    composition.clock()


def create_server(app: Any, config: Any, port: int) -> LocalDevServer:
    # As chalice.local.create_local_server, with our handler and server: the app's class becomes
    # Chalice's LocalChalice, whose current_request is kept per thread.
    if not isinstance(app, LocalChalice):
        CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
        app.__class__ = CustomLocalChalice
    return LocalDevServer(app, config, "127.0.0.1", port, handler_cls=_RequestHandler, server_cls=ThreadingServer)
