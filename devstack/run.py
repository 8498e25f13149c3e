"""``make run``: DynamoDB Local, the tables, the first admin, the app and its pump.

Runs in the foreground until interrupted; one Ctrl-C (SIGINT) or a SIGTERM
stops every child. Both handlers are installed at start: a process started in
the background by a script or CI inherits SIGINT as ignored, and Python then
leaves it ignored.

Configuration (SPEC §4.5): PORT, DYNAMODB_PORT, TINGSHENG_DATA_DIR,
TINGSHENG_ADMIN_USER, TINGSHENG_ADMIN_PASSWORD. DYNAMODB_APP_URL, when set,
is where the app's own requests to DynamoDB go (the integration tests put a
connection-resetting proxy there); table set-up and the pump's stream reading
always go straight to DynamoDB Local.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import sys
from pathlib import Path

from devstack import dynamodb_local, tables
from devstack.dynamodb_local import ROOT, StackError

TABLE_NAME = "tingsheng"


SECRET_NAMES = ("TINGSHENG_TOKEN_KEY", "TINGSHENG_QR_KEY")


def _secrets(data_dir: Path) -> dict[str, str]:
    """Local signing keys, made once and kept with the data so tokens and QR codes survive restarts."""
    path = data_dir / "local-secrets.json"
    values = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    missing = [name for name in SECRET_NAMES if name not in values]
    if missing:
        values.update({name: secrets.token_urlsafe(48) for name in missing})
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
        path.chmod(0o600)
    return dict(values)


def local_environment(endpoint: str, data_dir: Path, port: int, app_endpoint: str | None = None) -> dict[str, str]:
    """What the app needs to talk to DynamoDB Local (through ``app_endpoint`` when given): only
    configuration differs from AWS."""
    env = {
        "AWS_ENDPOINT_URL_DYNAMODB": app_endpoint or endpoint,
        "AWS_ENDPOINT_URL_DYNAMODB_STREAMS": endpoint,
        "AWS_ACCESS_KEY_ID": dynamodb_local.LOCAL_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": dynamodb_local.LOCAL_CREDENTIALS["aws_secret_access_key"],
        "AWS_DEFAULT_REGION": dynamodb_local.LOCAL_CREDENTIALS["region_name"],
        "TINGSHENG_TABLE": TABLE_NAME,
        "TINGSHENG_STAGE": "local",
        "TINGSHENG_PUBLIC_URL": os.environ.get("TINGSHENG_PUBLIC_URL") or f"http://127.0.0.1:{port}",
        "TINGSHENG_DATA_DIR": str(data_dir),  # export files go under it (exports/)
    }
    for name, value in _secrets(data_dir).items():
        env.setdefault(name, os.environ.get(name, value))
    return env


def _ensure_admin() -> None:
    from chalicelib import composition
    from chalicelib.services import accounts

    username = os.environ.get("TINGSHENG_ADMIN_USER") or "admin"
    generated = accounts.ensure_first_admin(
        composition.users(),
        composition.clock(),
        username=username,
        password=os.environ.get("TINGSHENG_ADMIN_PASSWORD"),
    )
    if generated:
        print(f"Created the first admin '{username}' with password: {generated}  (shown once)", flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C, and SIGTERM (a supervisor, `kill`), stop the stack. SIGINT is set explicitly: when
    # started in the background by a non-interactive shell it arrives ignored, and would stay so.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    port = int(os.environ.get("PORT") or 8000)
    db_port = int(os.environ.get("DYNAMODB_PORT") or 8001)
    data_dir = Path(os.environ.get("TINGSHENG_DATA_DIR") or ROOT / ".data").resolve()
    app_endpoint = os.environ.get("DYNAMODB_APP_URL") or None
    db = None
    server = pump = None
    try:
        db = dynamodb_local.start(db_port, data_dir / "dynamodb")
        (data_dir / "dynamodb-local.pid").write_text(str(db.process.pid), encoding="utf-8")
        print(f"DynamoDB Local on {db.endpoint} (pid {db.process.pid}), data in {data_dir}", flush=True)
        os.environ.update(local_environment(db.endpoint, data_dir, port, app_endpoint))
        if app_endpoint:
            print(f"The app reaches DynamoDB through {app_endpoint}", flush=True)
        if tables.ensure_table(db.client(), TABLE_NAME):
            print(f"Created table {TABLE_NAME} from infra/resources.json", flush=True)
        _ensure_admin()

        from devstack.pump import Pump
        from devstack.server import create_server, load_app, warm_up

        app, config = load_app("local")
        warm_up()
        pump = Pump(app, TABLE_NAME, data_dir, db.endpoint)
        pump.start()
        try:
            server = create_server(app, config, port)
        except OSError as e:
            raise StackError(f"Port {port} is not free ({e.strerror}): stop what listens there or set PORT.") from e
        print(f"Tingsheng on http://127.0.0.1:{port}/  (Ctrl-C stops everything)", flush=True)
        server.server.serve_forever()
    except StackError as e:
        print(e, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    finally:
        # make and the terminal may pass on more interrupts: finish stopping first.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if server is not None:
            server.server.server_close()
        if pump is not None:
            pump.stop()
        if db is not None:
            db.stop()
            (data_dir / "dynamodb-local.pid").unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
