"""Serves the Chalice app locally, as ``chalice local --stage local`` does, with
API Gateway's answer to an unknown route taken from infra/resources.json (the
gateway response the AWS template installs), so it has the JSON error shape."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from chalice.cli.factory import CLIFactory
from chalice.local import (
    ChaliceRequestHandler,
    ForbiddenError,
    LocalDevServer,
    LocalGatewayException,
    create_local_server,
)

ROOT = Path(__file__).resolve().parent.parent


def _gateway_response(response_type: str) -> tuple[int, bytes]:
    resources = json.loads((ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))["Resources"]
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::ApiGateway::GatewayResponse" and props.get("ResponseType") == response_type:
            return int(props["StatusCode"]), props["ResponseTemplates"]["application/json"].encode()
    raise LookupError(f"infra/resources.json has no gateway response {response_type}")


class _RequestHandler(ChaliceRequestHandler):
    # Chalice's local gateway raises ForbiddenError exactly when no route matches.
    unknown_route = _gateway_response("MISSING_AUTHENTICATION_TOKEN")

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


def create_server(app: Any, config: Any, port: int) -> LocalDevServer:
    server = create_local_server(app, config, "127.0.0.1", port)
    server.server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
        _RequestHandler, app_object=server.app_object, config=config
    )
    return server
